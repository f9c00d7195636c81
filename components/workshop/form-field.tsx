// A labelled input with its hint, the one shape every workshop form field takes.
import type { InputHTMLAttributes } from "react";

export function FormField({
  id,
  label,
  hint,
  ...input
}: { id: string; label: string; hint?: string } & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="font-medium text-ink">
        {label}
      </label>
      <input
        id={id}
        name={id}
        aria-describedby={hint ? `${id}-hint` : undefined}
        className="rounded-md border border-line bg-surface px-3 py-2 text-ink"
        {...input}
      />
      {hint && (
        <p id={`${id}-hint`} className="text-sm text-muted">
          {hint}
        </p>
      )}
    </div>
  );
}

export function ErrorNote({ message }: { message: string | null }) {
  return (
    <p
      role="alert"
      className={
        message ? "rounded-md border border-red-300 bg-red-50 p-3 text-red-900" : "sr-only"
      }
    >
      {message}
    </p>
  );
}

export const buttonClass =
  "rounded-md bg-accent px-4 py-2 font-semibold text-on-accent shadow-sm hover:bg-accent-strong disabled:cursor-not-allowed disabled:opacity-50";
export const secondaryButtonClass =
  "rounded-md border border-line bg-surface px-3 py-1.5 font-medium text-ink hover:bg-surface-raised disabled:cursor-not-allowed disabled:opacity-50";
