"use client";
// The runtimes the host offers, as checkboxes; one the host cannot run says why and what to install.
import type { RuntimeInfo } from "@/lib/api/schemas";
import { runtimeKindLabels } from "@/components/ui/runtime-kind";

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

  return (
    <fieldset className="mt-4" disabled={disabled}>
      <legend className="text-base font-semibold text-ink">Runtimes</legend>
      <ul className="mt-2 grid gap-2 sm:grid-cols-2">
        {runtimes.map((runtime) => {
          const inputId = `runtime-${runtime.id}`;
          const hintId = `runtime-${runtime.id}-hint`;
          return (
            <li
              key={runtime.id}
              className={`rounded-md border p-3 ${runtime.available ? "border-line" : "border-dashed border-line bg-surface-sunken"}`}
            >
              <div className="flex items-start gap-3">
                <input
                  id={inputId}
                  type="checkbox"
                  data-testid={`runtime-toggle-${runtime.id}`}
                  className="mt-1 size-5 accent-accent"
                  checked={selected.includes(runtime.id)}
                  disabled={!runtime.available}
                  aria-describedby={hintId}
                  onChange={(event) => toggle(runtime.id, event.target.checked)}
                />
                <div className="min-w-0">
                  <label htmlFor={inputId} className="font-semibold text-ink">
                    {runtime.name}
                  </label>{" "}
                  <span className="text-sm text-muted">({runtimeKindLabels[runtime.kind]})</span>
                  <div id={hintId} className="text-sm text-muted">
                    {runtime.available ? (
                      runtime.version && <p className="break-words">{runtime.version}</p>
                    ) : (
                      <>
                        <p>Not available here{runtime.reason ? `: ${runtime.reason}` : "."}</p>
                        {runtime.install && (
                          <p className="mt-1 break-words text-ink">To enable: {runtime.install}</p>
                        )}
                      </>
                    )}
                  </div>
                </div>
              </div>
            </li>
          );
        })}
      </ul>
    </fieldset>
  );
}
