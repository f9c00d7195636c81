// From one runtime's requests to the figures the page shows: latency percentiles, throughput, memory.
import type { MemoryFootprint } from "@/lib/api/schemas";

export interface RequestSample {
  /** What the client waited, from sending the request to the last byte of the reply. */
  latencyMs: number;
  /** HTTP status; 0 when no reply came (network error, stopped). */
  status: number;
  runId: string | null;
  /** Why it is not a success, for the visitor. */
  error: string | null;
  /** True when the sandbox came from the warm pool (its timings mark poolClaimed). */
  pooled: boolean;
  /** Through a Knative Service: whether its revision had no pod when the request arrived (null: unknown). */
  fromZero?: boolean | null;
}

export interface RuntimeSummary {
  requests: number;
  errors: number;
  pooled: number;
  /** Requests a Knative Service answered from zero pods. */
  fromZero: number;
  /** Over successful requests; null when none succeeded. */
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
  /** Requests per second: all requests over the wall time from the first sent to the last answered. */
  throughput: number;
  memory: MemorySummary;
  /** Successful latencies, ascending, for the chart. */
  sortedMs: number[];
}

export interface MemorySummary {
  /** How many sandboxes had their memory measured (a very short run can end before the first sample). */
  measured: number;
  medianRssBytes: number | null;
  medianPssBytes: number | null;
  totalRssBytes: number;
  totalPssBytes: number;
}

/** Nearest rank: the smallest value with at least q of the values at or below it. */
export function percentile(sortedAscending: number[], q: number): number | null {
  if (sortedAscending.length === 0) return null;
  const rank = Math.max(1, Math.ceil(q * sortedAscending.length));
  return sortedAscending[Math.min(rank, sortedAscending.length) - 1];
}

export const isSuccess = (sample: RequestSample): boolean =>
  sample.error === null && sample.status >= 200 && sample.status < 300;

export function summarizeMemory(footprints: Array<MemoryFootprint | null>): MemorySummary {
  const measured = footprints.filter((f): f is MemoryFootprint => f !== null);
  const ascending = (values: number[]) => values.sort((a, b) => a - b);
  const median = (values: number[]) => percentile(ascending(values), 0.5);
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  return {
    measured: measured.length,
    medianRssBytes: median(measured.map((f) => f.rssBytes)),
    medianPssBytes: median(measured.map((f) => f.pssBytes)),
    totalRssBytes: sum(measured.map((f) => f.rssBytes)),
    totalPssBytes: sum(measured.map((f) => f.pssBytes)),
  };
}

export function summarizeRuntime(
  samples: RequestSample[],
  wallMs: number,
  footprints: Array<MemoryFootprint | null>,
): RuntimeSummary {
  const sortedMs = samples
    .filter(isSuccess)
    .map((s) => s.latencyMs)
    .sort((a, b) => a - b);
  return {
    requests: samples.length,
    errors: samples.length - sortedMs.length,
    pooled: samples.filter((s) => s.pooled).length,
    fromZero: samples.filter((s) => s.fromZero === true).length,
    p50Ms: percentile(sortedMs, 0.5),
    p95Ms: percentile(sortedMs, 0.95),
    maxMs: sortedMs.at(-1) ?? null,
    throughput: wallMs > 0 ? samples.length / (wallMs / 1000) : 0,
    memory: summarizeMemory(footprints),
    sortedMs,
  };
}
