// The page's Knative run against a scripted stand-in for the playground's /api/knative and /fn routes (the
// routes themselves are tested against the API server's double in server/functions/knative-relay.spec.ts).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { knativeHeaders } from "@/lib/api/knative";
import { maxColdRequests, runKnative, type KnativeStep } from "./knative-runner";

let server: http.Server | null = null;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(null));
  server = null;
});

const view = {
  runtime: "k8s:kata-qemu",
  name: "sbpg-fn-hello-0123456789",
  state: "ready",
  url: null,
  revision: "sbpg-fn-hello-0123456789-00001",
  message: null,
  readyMs: 900,
};

/** Pods of the revision: a request from zero starts one, an idle wait scales it to zero. */
async function startRoutes(
  deploy: { status: number; body: unknown } = { status: 200, body: view },
) {
  let pods = 1;
  const seen: string[] = [];
  server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.url === "/api/knative/services") return json(deploy.status, deploy.body);
    if (req.url === "/api/knative/idle") {
      pods = 0;
      return json(200, { atZero: true, waitedMs: 5 });
    }
    const fromZero = pods === 0 ? "1" : "0";
    pods = 1;
    json(200, { hello: "from a Knative Service" }, { [knativeHeaders.fromZero]: fromZero });
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { base: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, seen };
}

const plan = (baseUrl: string, steps: KnativeStep["step"][] = []) => ({
  runtime: "k8s:kata-qemu",
  requests: 5,
  concurrency: 2,
  signal: new AbortController().signal,
  baseUrl,
  onStep: (step: KnativeStep) => steps.push(step.step),
  onSample: () => {},
});

describe("runKnative", () => {
  it("makes the service, sends the warm requests, then each cold one after a scale to zero", async () => {
    const { base, seen } = await startRoutes();
    const steps: KnativeStep["step"][] = [];
    const result = await runKnative(plan(base, steps));
    expect(steps).toEqual([
      "deploying",
      "warm",
      ...Array.from({ length: maxColdRequests }, () => ["idling", "cold"]).flat(),
    ]);
    expect(result.service).toEqual(view);
    expect(result.warm.samples.map((s) => [s.status, s.fromZero])).toEqual(
      Array.from({ length: 5 }, () => [200, false]),
    );
    expect(result.cold.samples.map((s) => s.fromZero)).toEqual([true, true, true]);
    expect(seen.filter((r) => r.startsWith("GET "))[0]).toBe(
      "GET /fn/hello?runtime=k8s%3Akata-qemu&via=knative",
    );
  });

  it("throws the server's reason when the cluster cannot serve the runtime", async () => {
    const { base, seen } = await startRoutes({
      status: 409,
      body: {
        error: {
          code: "unavailable:knative",
          message: "Knative's kubernetes.podspec-runtimeclassname is disabled",
        },
      },
    });
    await expect(runKnative(plan(base))).rejects.toThrow(
      "Knative's kubernetes.podspec-runtimeclassname is disabled",
    );
    expect(seen).toEqual(["POST /api/knative/services"]);
  });
});
