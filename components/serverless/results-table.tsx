// One row per runtime: progress while its requests run, then latency, throughput, errors and memory.
import { formatBytes, formatMs } from "@/components/format/format-units";
import type { RuntimeSummary } from "./latency-stats";

export interface RuntimeResult {
  runtime: string;
  name: string;
  /** Asked for warm-pool sandboxes. */
  pool: boolean;
  /** Through the runtime's Knative Service: its warm requests, or those sent once it had scaled to zero. */
  knative?: "warm" | "cold";
  total: number;
  done: number;
  /** deploying: the Knative Service is being made; idling: waiting for its scale to zero. */
  phase: "waiting" | "deploying" | "running" | "idling" | "measuring" | "done" | "stopped";
  summary: RuntimeSummary | null;
  /** The latest failed request's reason, shown while running and after. */
  lastError: string | null;
}

const ms = (value: number | null) => (value === null ? "–" : formatMs(value));
const bytes = (value: number | null) => (value === null ? "–" : formatBytes(value));

export function ResultsTable({ rows }: { rows: RuntimeResult[] }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full min-w-[48rem] text-left">
        <caption className="sr-only">Latency, throughput and memory per runtime</caption>
        <thead className="text-sm text-muted">
          <tr className="border-b border-line">
            <th scope="col" className="py-2 pr-4 font-semibold">
              Runtime
            </th>
            <th scope="col" className="py-2 pr-4 font-semibold">
              Progress
            </th>
            <th scope="col" className="py-2 pr-4 text-right font-semibold">
              p50
            </th>
            <th scope="col" className="py-2 pr-4 text-right font-semibold">
              p95
            </th>
            <th scope="col" className="py-2 pr-4 text-right font-semibold">
              max
            </th>
            <th scope="col" className="py-2 pr-4 text-right font-semibold">
              Throughput
            </th>
            <th scope="col" className="py-2 pr-4 text-right font-semibold">
              Sandboxes
            </th>
            <th scope="col" className="py-2 pr-4 text-right font-semibold">
              Errors
            </th>
            <th scope="col" className="py-2 pr-4 text-right font-semibold">
              Memory per sandbox
              <span className="block font-normal">median RSS / PSS</span>
            </th>
            <th scope="col" className="py-2 text-right font-semibold">
              Memory in all
              <span className="block font-normal">sum of PSS</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <ResultRow key={resultKey(row)} row={row} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** One row per runtime, and per way a Knative Service was asked. */
export function resultKey(row: Pick<RuntimeResult, "runtime" | "knative">): string {
  return row.knative ? `${row.runtime}-knative-${row.knative}` : row.runtime;
}

const howAsked = (row: RuntimeResult) =>
  row.knative === "warm"
    ? "via Knative, warm"
    : row.knative === "cold"
      ? "via Knative, from zero"
      : row.pool
        ? "warm pool"
        : "cold";

function ResultRow({ row }: { row: RuntimeResult }) {
  const s = row.summary;
  const figures = s
    ? {
        "data-p50": s.p50Ms ?? "",
        "data-p95": s.p95Ms ?? "",
        "data-max": s.maxMs ?? "",
        "data-throughput": s.throughput,
        "data-errors": s.errors,
      }
    : {};
  return (
    <tr
      data-testid={`serverless-result-${resultKey(row)}`}
      data-phase={row.phase}
      {...figures}
      className="border-b border-line align-top last:border-0"
    >
      <th scope="row" className="py-2 pr-4 font-semibold text-ink">
        {row.runtime}
        <span className="block text-sm font-normal text-muted">
          {howAsked(row)} · {row.name}
        </span>
      </th>
      <td className="py-2 pr-4 text-ink" aria-live="polite">
        <Progress row={row} />
      </td>
      <td className="py-2 pr-4 text-right font-mono text-ink">{ms(s?.p50Ms ?? null)}</td>
      <td className="py-2 pr-4 text-right font-mono text-ink">{ms(s?.p95Ms ?? null)}</td>
      <td className="py-2 pr-4 text-right font-mono text-ink">{ms(s?.maxMs ?? null)}</td>
      <td className="py-2 pr-4 text-right font-mono text-ink">
        {s ? `${s.throughput.toFixed(s.throughput >= 10 ? 0 : 1)} req/s` : "–"}
      </td>
      <td className="py-2 pr-4 text-right font-mono text-ink">
        {s ? s.requests : "–"}
        {s && row.pool && (
          <span className="block text-sm font-sans text-muted">{s.pooled} from the pool</span>
        )}
        {s && row.knative === "cold" && (
          <span className="block text-sm font-sans text-muted">{s.fromZero} from zero pods</span>
        )}
      </td>
      <td className="py-2 pr-4 text-right font-mono text-ink">{s ? s.errors : "–"}</td>
      <td className="py-2 pr-4 text-right font-mono text-ink">
        {s ? `${bytes(s.memory.medianRssBytes)} / ${bytes(s.memory.medianPssBytes)}` : "–"}
        {s && s.memory.measured < s.requests && (
          <span className="block text-sm font-sans text-muted">
            {s.memory.measured} of {s.requests} measured
          </span>
        )}
      </td>
      <td className="py-2 text-right font-mono text-ink">
        {s && s.memory.measured > 0 ? bytes(s.memory.totalPssBytes) : "–"}
      </td>
    </tr>
  );
}

function Progress({ row }: { row: RuntimeResult }) {
  const count = `${row.done}/${row.total} done`;
  const text = {
    waiting: "waiting",
    deploying: "making the Knative Service and waiting for Ready…",
    idling: `${count}, waiting for Knative to scale to zero…`,
    running: count,
    measuring: `${count}, reading memory…`,
    done: count,
    stopped: `stopped at ${count}`,
  }[row.phase];
  return (
    <>
      <span>{text}</span>
      {row.lastError && (
        <span className="block max-w-xs text-sm break-words text-red-800 dark:text-red-300">
          Last error: {row.lastError}
        </span>
      )}
    </>
  );
}
