// One of the sandbox's limits as a labelled text field, with the host's bound beside it and its error below.
export interface LimitFieldProps {
  id: string;
  label: string;
  /** The unit after the field, e.g. "MiB". */
  unit: string;
  /** The host's bounds in words, e.g. "64 to 128 MiB on this host". */
  bound: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  /** Fractions allowed (seconds); whole numbers otherwise. */
  decimal?: boolean;
}

export function LimitField({
  id,
  label,
  unit,
  bound,
  value,
  onChange,
  error,
  decimal = false,
}: LimitFieldProps) {
  const hintId = `${id}-bound`;
  const errorId = `${id}-error`;
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="font-semibold text-ink">
        {label}
      </label>
      <div className="flex items-center gap-2">
        <input
          id={id}
          name={id}
          type="text"
          inputMode={decimal ? "decimal" : "numeric"}
          autoComplete="off"
          value={value}
          onChange={(event) => onChange(event.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${hintId} ${errorId}` : hintId}
          className={`w-28 rounded-md border bg-surface px-3 py-2 font-mono text-ink ${error ? "border-red-700 dark:border-red-400" : "border-line"}`}
        />
        <span className="text-muted">{unit}</span>
      </div>
      <p id={hintId} className="text-sm text-muted" data-testid={`${id}-bound`}>
        {bound}
      </p>
      {error && (
        <p id={errorId} className="text-sm font-medium text-red-800 dark:text-red-300">
          {error}.
        </p>
      )}
    </div>
  );
}
