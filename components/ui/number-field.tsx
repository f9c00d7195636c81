// A labelled whole-number field with a hint and an error that is announced when it appears.
export function NumberField(props: {
  id: string;
  label: string;
  hint: string;
  value: string;
  onChange: (value: string) => void;
  error: string | undefined;
}) {
  const { id, label, hint, value, onChange, error } = props;
  return (
    <div>
      <label htmlFor={id} className="block font-semibold text-ink">
        {label}
      </label>
      <input
        id={id}
        data-testid={id}
        type="number"
        inputMode="numeric"
        min={1}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-hint ${id}-error`}
        className="mt-1 w-32 rounded-md border border-line bg-surface px-3 py-2 text-ink"
      />
      <p id={`${id}-hint`} className="mt-1 text-sm text-muted">
        {hint}
      </p>
      <p id={`${id}-error`} role="alert" className="text-sm text-red-800 dark:text-red-300">
        {error ? `${error}.` : ""}
      </p>
    </div>
  );
}
