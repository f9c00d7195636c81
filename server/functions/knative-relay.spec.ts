// /api/knative and /fn/hello?via=knative over the playground's own HTTP, against the API server's test double
// playing Knative Serving: what the serverless page sees.
import { afterEach, describe, expect, it } from "vitest";
import { HelloReplySchema } from "../../lib/api/functions";
import {
  KnativeIdleReplySchema,
  KnativeServiceViewSchema,
  KnativeStatusSchema,
  knativeHeaders,
} from "../../lib/api/knative";
import {
  startKnativePlayground,
  type KnativePlayground,
} from "../runtimes/kubernetes/testing/knative-playground";
import { maxKnativeRequestsPerAddress } from "./knative-relay";

let playground: KnativePlayground | null = null;
afterEach(async () => {
  await playground?.close();
  playground = null;
});

async function startPlayground(withCluster = true, coldStartMs = 30) {
  playground = await startKnativePlayground(
    { features: { "kubernetes.podspec-runtimeclassname": "enabled" }, coldStartMs },
    withCluster,
  );
  const { api, base } = playground;
  return {
    api,
    fetch: (route: string, init?: RequestInit) => fetch(`${base}${route}`, init),
    post: (route: string, body: unknown) =>
      fetch(`${base}${route}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
  };
}

describe("the serverless page's Knative routes", () => {
  it("deploys k8s:kata-qemu, relays a request to it, and tells a warm answer from a cold one", async () => {
    const { api, fetch, post } = await startPlayground();
    const status = KnativeStatusSchema.parse(await (await fetch("/api/knative")).json());
    expect(status).toMatchObject({
      state: "ready",
      runtimeClassFlag: "enabled",
      invoke: "api-proxy",
    });

    const deployed = await post("/api/knative/services", { runtime: "k8s:kata-qemu" });
    expect(deployed.status).toBe(200);
    const view = KnativeServiceViewSchema.parse(await deployed.json());
    expect(view.state).toBe("ready");

    const call = () =>
      fetch("/fn/hello?runtime=k8s:kata-qemu&via=knative", {
        headers: { cookie: "sbpg-visitor=secret" },
      });
    const warm = await call();
    expect(warm.status).toBe(200);
    expect(warm.headers.get(knativeHeaders.fromZero)).toBe("0");
    expect(warm.headers.get(knativeHeaders.service)).toBe(view.name);
    expect(warm.headers.get(knativeHeaders.revision)).toBe(view.revision);
    expect(Number(warm.headers.get(knativeHeaders.upstreamMs))).toBeGreaterThan(0);
    expect(HelloReplySchema.parse(await warm.json()).hello).toBe("from a Knative Service");
    expect(api.functionRequests[0]!.headers.cookie).toBeUndefined();

    api.scaleToZero(view.revision!);
    const idle = await post("/api/knative/idle", { runtime: "k8s:kata-qemu" });
    expect(KnativeIdleReplySchema.parse(await idle.json()).atZero).toBe(true);
    const cold = await call();
    expect(cold.headers.get(knativeHeaders.fromZero)).toBe("1");
    expect(api.createdPods).toEqual([]);
  });

  it("holds one address to a few requests in flight", async () => {
    const { api, fetch, post } = await startPlayground(true, 400);
    const view = KnativeServiceViewSchema.parse(
      await (await post("/api/knative/services", { runtime: "k8s:gvisor" })).json(),
    );
    // At zero, every request waits out the cold start: they are all in flight at once.
    api.scaleToZero(view.revision!);
    const replies = await Promise.all(
      Array.from({ length: maxKnativeRequestsPerAddress + 1 }, () =>
        fetch("/fn/hello?runtime=k8s:gvisor&via=knative"),
      ),
    );
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses).toEqual([...Array(maxKnativeRequestsPerAddress).fill(200), 429]);
    expect(api.functionRequests).toHaveLength(maxKnativeRequestsPerAddress);
  });

  it("refuses a malformed target before the cluster sees it", async () => {
    const { api, post, fetch } = await startPlayground();
    for (const body of [
      { runtime: "k8s:../x" },
      { runtime: "runc" },
      { runtime: "k8s:gvisor", extra: 1 },
    ]) {
      const reply = await post("/api/knative/services", body);
      expect(reply.status).toBe(400);
      expect(await reply.json()).toMatchObject({ error: { code: "bad_request:knative" } });
    }
    const notDeployed = await fetch("/fn/hello?runtime=k8s:gvisor&via=knative");
    expect(notDeployed.status).toBe(409);
    expect(await notDeployed.json()).toMatchObject({ error: { code: "unavailable:knative" } });
    const badVia = await fetch("/fn/hello?runtime=k8s:gvisor&via=lambda");
    expect(badVia.status).toBe(400);
    expect(api.createdKnativeServices).toEqual([]);
  });

  it("says no cluster is configured, and refuses Knative requests with why", async () => {
    const { fetch, post } = await startPlayground(false);
    const status = KnativeStatusSchema.parse(await (await fetch("/api/knative")).json());
    expect(status).toMatchObject({ state: "off", reason: "no Kubernetes cluster is configured" });
    const deploy = await post("/api/knative/services", { runtime: "k8s:gvisor" });
    expect(deploy.status).toBe(409);
    const call = await fetch("/fn/hello?runtime=k8s:gvisor&via=knative");
    expect(await call.json()).toMatchObject({ error: { code: "unavailable:knative" } });
  });
});
