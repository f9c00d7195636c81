// The page's Knative run against the playground's real routes, on the API server's test double playing Knative
// Serving: the service made, warm requests, then requests each sent once the revision had scaled to zero.
import { afterEach, describe, expect, it } from "vitest";
import {
  startKnativePlayground,
  type KnativePlayground,
} from "@/server/runtimes/kubernetes/testing/knative-playground";
import { maxColdRequests, runKnative, type KnativeStep } from "./knative-runner";

let playground: KnativePlayground | null = null;
afterEach(async () => {
  await playground?.close();
  playground = null;
});

describe("runKnative", () => {
  it("makes the service, sends the warm requests, then each cold one after a scale to zero", async () => {
    playground = await startKnativePlayground({
      features: { "kubernetes.podspec-runtimeclassname": "enabled" },
      coldStartMs: 60,
      scaleToZeroAfterMs: 40,
    });
    const steps: KnativeStep["step"][] = [];
    const result = await runKnative({
      runtime: "k8s:kata-qemu",
      requests: 5,
      concurrency: 2,
      signal: new AbortController().signal,
      baseUrl: playground.base,
      onStep: (step) => steps.push(step.step),
      onSample: () => {},
    });
    expect(steps).toEqual([
      "deploying",
      "warm",
      ...Array.from({ length: maxColdRequests }, () => ["idling", "cold"]).flat(),
    ]);
    expect(result.service).toMatchObject({ runtime: "k8s:kata-qemu", state: "ready" });
    expect(result.warm.samples).toHaveLength(5);
    expect(result.warm.samples.every((s) => s.status === 200)).toBe(true);
    expect(result.cold.samples.map((s) => s.fromZero)).toEqual([true, true, true]);
    for (const sample of result.cold.samples) expect(sample.latencyMs).toBeGreaterThanOrEqual(60);
    const received = playground.api.functionRequests;
    expect(received.slice(-maxColdRequests).every((r) => r.cold)).toBe(true);
  });

  it("throws the server's reason when the cluster cannot serve the runtime", async () => {
    playground = await startKnativePlayground({ features: {} });
    await expect(
      runKnative({
        runtime: "k8s:kata-qemu",
        requests: 2,
        concurrency: 1,
        signal: new AbortController().signal,
        baseUrl: playground.base,
        onStep: () => {},
        onSample: () => {},
      }),
    ).rejects.toThrow(/kubernetes\.podspec-runtimeclassname is disabled/);
    expect(playground.api.createdKnativeServices).toEqual([]);
  });
});
