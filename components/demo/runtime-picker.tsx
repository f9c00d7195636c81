"use client";
// The runtimes the host offers, as checkboxes; one the host cannot run says why and what to install.
import type { RuntimeInfo } from "@/lib/api/schemas";
import { runtimeKindLabels, runtimeLocationLabel } from "@/components/ui/runtime-kind";

export interface RuntimePickerProps {
  runtimes: RuntimeInfo[] | null;
  error: string | null;
  onRetry: () => void;
  selected: string[];
  onChange: (selected: string[]) => void;
  disabled?: boolean;
}

export function RuntimePicker({
  runtimes,
  error,
  onRetry,
  selected,
  onChange,
  disabled,
}: RuntimePickerProps) {
  if (error && !runtimes) {
    return (
      <div
        role="alert"
        className="mt-4 rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900"
      >
        <p>Could not list the host&apos;s runtimes: {error}</p>
        <button
          type="button"
          onClick={onRetry}
          className="mt-2 rounded border border-red-700 px-2 py-1 font-semibold"
        >
          Try again
        </button>
      </div>
    );
  }
  if (!runtimes) {
    return (
      <p className="mt-4 text-sm text-muted" role="status">
        Asking the host which runtimes it has…
      </p>
    );
  }

  const toggle = (id: string, on: boolean) =>
    onChange(on ? [...selected.filter((s) => s !== id), id] : selected.filter((s) => s !== id));

  const available = runtimes.filter((r) => r.available);
  const missing = runtimes.filter((r) => !r.available);

  return (
    <fieldset className="mt-4" disabled={disabled}>
      <legend className="text-base font-semibold text-ink">Runtimes</legend>
      <ul className="mt-2 grid gap-2 sm:grid-cols-2">
        {available.map((runtime) => {
          const inputId = `runtime-${runtime.id}`;
          return (
            <li key={runtime.id} className="rounded-md border border-line p-3">
              <div className="flex items-start gap-3">
                <input
                  id={inputId}
                  type="checkbox"
                  data-testid={`runtime-toggle-${runtime.id}`}
                  className="mt-1 size-5 accent-accent"
                  checked={selected.includes(runtime.id)}
                  aria-describedby={`${inputId}-hint`}
                  onChange={(event) => toggle(runtime.id, event.target.checked)}
                />
                <div className="min-w-0">
                  <label htmlFor={inputId} className="font-semibold text-ink">
                    {runtime.name}
                  </label>{" "}
                  <span className="text-sm text-muted">
                    ({runtimeKindLabels[runtime.kind]}, {runtimeLocationLabel(runtime.location)})
                  </span>
                  {runtime.version && (
                    <p id={`${inputId}-hint`} className="break-words text-sm text-muted">
                      {runtime.version}
                    </p>
                  )}
                </div>
              </div>
            </li>
          );
        })}
      </ul>
      {missing.length > 0 && (
        // Unavailable runtimes stay listed, with why and how to install, but out of the way on stage.
        <details className="mt-3 text-sm" data-testid="unavailable-runtimes">
          <summary className="cursor-pointer text-muted">
            {missing.length} more {missing.length === 1 ? "runtime is" : "runtimes are"} not
            available: {missing.map((r) => r.name).join(", ")}
          </summary>
          <ul className="mt-2 flex flex-col gap-2">
            {missing.map((runtime) => (
              <li
                key={runtime.id}
                className="rounded-md border border-dashed border-line bg-surface-sunken p-3"
                data-testid={`runtime-unavailable-${runtime.id}`}
              >
                <p>
                  <span className="font-semibold text-ink">{runtime.name}</span>{" "}
                  <span className="text-muted">
                    ({runtimeKindLabels[runtime.kind]}, {runtimeLocationLabel(runtime.location)})
                  </span>
                </p>
                <p className="break-words text-muted">
                  Not available here{runtime.reason ? `: ${runtime.reason}` : "."}
                </p>
                {runtime.install && (
                  <p className="mt-1 break-words text-ink">To enable: {runtime.install}</p>
                )}
              </li>
            ))}
          </ul>
        </details>
      )}
    </fieldset>
  );
}
