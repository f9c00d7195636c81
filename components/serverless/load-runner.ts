// Fires one runtime's requests at the function with a fixed concurrency and times each as the client sees it.
import { SandboxTimingsHeaderSchema, helloFunctionPath, sandboxHeaders } from "@/lib/api/functions";
import { knativeHeaders } from "@/lib/api/knative";
import { ApiErrorSchema, type MemoryFootprint, type RunSnapshot } from "@/lib/api/schemas";
import type { RequestSample } from "./latency-stats";

export interface LoadPlan {
  runtime: string;
  /** Ask for warm-pool sandboxes (`pool=1`). */
  pool: boolean;
  /** Send the requests to the cluster's Knative Service for the runtime (`via=knative`). */
  knative?: boolean;
  requests: number;
  concurrency: number;
  signal: AbortSignal;
  /** Where the playground is; empty in the browser, which talks to its own origin. */
  baseUrl?: string;
  onSample?: (sample: RequestSample, done: number) => void;
}

export interface LoadResult {
  samples: RequestSample[];
  /** From the first request sent to the last reply read. */
  wallMs: number;
}

export async function fireRequests(plan: LoadPlan): Promise<LoadResult> {
  const samples: RequestSample[] = [];
  const started = performance.now();
  await forEachLimited(
    Array.from({ length: plan.requests }, (_, i) => i),
    plan.concurrency,
    plan.signal,
    async () => {
      const sample = await callFunction(plan);
      samples.push(sample);
      plan.onSample?.(sample, samples.length);
    },
  );
  return { samples, wallMs: performance.now() - started };
}

/** One request; whatever happens becomes a sample, so one failure does not end the run. */
export async function callFunction(
  plan: Pick<LoadPlan, "runtime" | "pool" | "knative" | "signal" | "baseUrl">,
): Promise<RequestSample> {
  const query = new URLSearchParams({ runtime: plan.runtime });
  if (plan.pool) query.set("pool", "1");
  if (plan.knative) query.set("via", "knative");
  const sent = performance.now();
  try {
    const response = await fetch(`${plan.baseUrl ?? ""}${helloFunctionPath}?${query}`, {
      cache: "no-store",
      signal: plan.signal,
    });
    const text = await response.text();
    const latencyMs = performance.now() - sent;
    const timings = SandboxTimingsHeaderSchema.safeParse(
      parseJson(response.headers.get(sandboxHeaders.timings)),
    );
    return {
      latencyMs,
      status: response.status,
      runId: response.headers.get(sandboxHeaders.runId),
      error: response.ok ? null : errorMessage(response, text),
      pooled: timings.success && "poolClaimed" in timings.data,
      ...(plan.knative && { fromZero: fromZeroOf(response.headers.get(knativeHeaders.fromZero)) }),
    };
  } catch (err) {
    const stopped = plan.signal.aborted;
    return {
      latencyMs: performance.now() - sent,
      status: 0,
      runId: null,
      error: stopped ? "Stopped" : `No reply: ${err instanceof Error ? err.message : String(err)}`,
      pooled: false,
    };
  }
}

/** Each run's peak memory from its snapshot; null where the host did not measure it or has forgotten the run. */
export async function collectFootprints(
  runIds: Array<string | null>,
  fetchSnapshot: (runId: string) => Promise<RunSnapshot>,
): Promise<Array<MemoryFootprint | null>> {
  const footprints: Array<MemoryFootprint | null> = runIds.map(() => null);
  await forEachLimited(
    runIds.map((id, index) => ({ id, index })),
    8,
    new AbortController().signal,
    async ({ id, index }) => {
      if (!id) return;
      footprints[index] = await fetchSnapshot(id).then(
        (run) => run.memory,
        () => null,
      );
    },
  );
  return footprints;
}

/** Runs `work` over `items`, at most `limit` at once; stops taking new items once `signal` aborts. */
async function forEachLimited<T>(
  items: T[],
  limit: number,
  signal: AbortSignal,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !signal.aborted) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function fromZeroOf(header: string | null): boolean | null {
  return header === "1" ? true : header === "0" ? false : null;
}

function errorMessage(response: Response, text: string): string {
  const body = ApiErrorSchema.safeParse(parseJson(text));
  return body.success ? body.data.error.message : `HTTP ${response.status}`;
}

function parseJson(text: string | null): unknown {
  try {
    return text === null ? null : JSON.parse(text);
  } catch {
    return null;
  }
}
