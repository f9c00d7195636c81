// Every phase a run reached, in the order reached, as milliseconds since the request.
import type { PhaseClocks, Timings } from "@/lib/api/phases";
import { formatMs } from "@/components/format/format-units";

/** clocks: the phases another machine's clock dated (a cluster's scheduler), named beside them. */
export function RunTimings({ timings, clocks = {} }: { timings: Timings; clocks?: PhaseClocks }) {
  const phases = Object.entries(timings).sort(([, a], [, b]) => a - b);
  if (phases.length === 0) return null;
  return (
    <details className="text-sm" open>
      <summary className="cursor-pointer font-semibold text-ink">Timings</summary>
      <dl className="mt-2 grid grid-cols-[1fr_auto] gap-x-4 gap-y-0.5 font-mono">
        {phases.map(([phase, ms]) => (
          <div key={phase} className="contents">
            <dt className="text-muted">
              {phase}
              {clocks[phase as keyof PhaseClocks] && (
                <span className="font-sans text-xs"> ({clocks[phase as keyof PhaseClocks]})</span>
              )}
            </dt>
            <dd className="text-right tabular-nums text-ink">{formatMs(ms)}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}
