import { describe, expect, it } from "vitest";
import { percentile, summarizeRuntime, type RequestSample } from "./latency-stats";

const ok = (latencyMs: number, pooled = false): RequestSample => ({
  latencyMs,
  status: 200,
  runId: `r${latencyMs}`,
  error: null,
  pooled,
});

describe("percentile", () => {
  it("takes the nearest rank", () => {
    const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(twenty, 0.5)).toBe(10);
    expect(percentile(twenty, 0.95)).toBe(19);
    expect(percentile(twenty, 1)).toBe(20);
    expect(percentile([7], 0.95)).toBe(7);
    expect(percentile([], 0.5)).toBeNull();
  });
});

describe("summarizeRuntime", () => {
  it("counts errors apart from latencies, and throughput over the wall time", () => {
    const samples = [
      ok(30),
      ok(10, true),
      { ...ok(20), fromZero: true },
      { latencyMs: 5, status: 429, runId: null, error: "quota", pooled: false },
    ];
    const summary = summarizeRuntime(samples, 2000, [
      { rssBytes: 4, pssBytes: 2, processes: 1 },
      null,
      { rssBytes: 8, pssBytes: 6, processes: 1 },
      { rssBytes: 6, pssBytes: 4, processes: 1 },
    ]);
    expect(summary).toMatchObject({
      requests: 4,
      errors: 1,
      pooled: 1,
      fromZero: 1,
      p50Ms: 20,
      p95Ms: 30,
      maxMs: 30,
      throughput: 2,
      sortedMs: [10, 20, 30],
      memory: {
        measured: 3,
        medianRssBytes: 6,
        medianPssBytes: 4,
        totalRssBytes: 18,
        totalPssBytes: 12,
      },
    });
  });

  it("has no latency figures when every request failed", () => {
    const summary = summarizeRuntime(
      [{ latencyMs: 1, status: 0, runId: null, error: "down", pooled: false }],
      10,
      [],
    );
    expect(summary).toMatchObject({ errors: 1, p50Ms: null, maxMs: null });
    expect(summary.memory).toMatchObject({ measured: 0, medianRssBytes: null, totalPssBytes: 0 });
  });
});
