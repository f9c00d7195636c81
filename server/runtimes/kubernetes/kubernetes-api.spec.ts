// The cluster's runtimes over the playground's own HTTP API (its router, run routes and launch policy), against
// the API server's test double: what a browser or an API client sees.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { RunSnapshotSchema, RuntimesReplySchema } from "../../../lib/api/schemas";
import { createApiRouter } from "../../http/api-router";
import { createLaunchPolicy } from "../../runs/launch-policy";
import { runRoutes } from "../../runs/run-routes";
import { namespace, runtimeClasses, startClusterEngine } from "./testing/cluster-engine";
import { startFakeApiServer, type FakeApiServer } from "./testing/fake-api-server";

let api: FakeApiServer | null = null;
let playground: http.Server | null = null;
afterEach(async () => {
  playground?.closeAllConnections();
  await new Promise((resolve) => playground?.close(resolve) ?? resolve(null));
  await api?.close();
  api = playground = null;
});

async function startPlayground() {
  api = await startFakeApiServer({
    namespace,
    runtimeClasses,
    script: () => ({ output: ["hello from the cluster\n"], exitCode: 0 }),
  });
  const { engine, images } = await startClusterEngine(api.kubeconfigPath);
  const router = createApiRouter({
    log: pino({ level: "silent" }),
    maxBodyBytes: 64 * 1024,
    routes: runRoutes({
      engine,
      images,
      vaccel: null,
      policy: createLaunchPolicy({ engine, maxActiveRunsPerAddress: 10 }),
      visitors: {
        maxActiveRunsPerAddress: 10,
        maxOpenWorkshopsPerVisitor: 1,
        maxOpenWorkshopsPerAddress: 1,
        maxPresentationsPerVisitor: 1,
        maxPresentationsPerAddress: 1,
        trustedProxies: [],
      },
    }),
  });
  const server = http.createServer((req, res) => void router.handle(req, res));
  playground = server;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    api,
    get: (route: string) => fetch(`${base}${route}`),
    post: (route: string, body: unknown) =>
      fetch(`${base}${route}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
  };
}

describe("GET /api/runtimes and POST /api/runs with a cluster", () => {
  it("lists k8s:kata-qemu and k8s:gvisor available, and runs one to its exit code", async () => {
    const { api, get, post } = await startPlayground();
    const listed = RuntimesReplySchema.parse(await (await get("/api/runtimes")).json());
    const available = listed.runtimes.filter((r) => r.available).map((r) => r.id);
    expect(available).toEqual(["runc", "k8s:default", "k8s:kata-qemu", "k8s:gvisor"]);
    expect(listed.runtimes.find((r) => r.id === "k8s:gvisor")!.location).toEqual({
      backend: "kubernetes",
      name: "lab",
    });

    const created = await post("/api/runs", {
      runtime: "k8s:kata-qemu",
      command: ["sh", "-c", "echo hello"],
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    let run = RunSnapshotSchema.parse(await (await get(`/api/runs/${id}`)).json());
    for (let i = 0; run.state !== "exited" && run.state !== "failed" && i < 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      run = RunSnapshotSchema.parse(await (await get(`/api/runs/${id}`)).json());
    }
    expect(run).toMatchObject({ state: "exited", exitCode: 0, runtime: "k8s:kata-qemu" });
    expect(await (await get(`/api/runs/${id}/logs`)).text()).toContain("hello from the cluster\n");
    expect(api.createdPods.map((p) => p.spec.runtimeClassName)).toEqual(["kata-qemu"]);
  });

  it("refuses a malformed cluster runtime id with 400 and an unknown one with 404, before the cluster sees either", async () => {
    const { api, post } = await startPlayground();
    const malformed = await post("/api/runs", { runtime: "k8s:../../pods" });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: "bad_request:run" } });
    const unknown = await post("/api/runs", { runtime: "k8s:kata-fc" });
    expect(unknown.status).toBe(404);
    const tooLong = await post("/api/runs", {
      runtime: "k8s:kata-qemu",
      command: ["sh", "-c", "x".repeat(20_000)],
    });
    expect(tooLong.status).toBe(400);
    expect(api.createdPods).toEqual([]);
  });
});
