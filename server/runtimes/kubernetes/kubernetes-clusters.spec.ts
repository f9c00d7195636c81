// Several clusters side by side (SBPG_K8S_CLUSTERS), each an API server test double: runtimes k8s:<cluster>/<class>,
// each cluster's availability its own, a run going to its own cluster only; and the list's validation.
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { RuntimesReplySchema } from "../../../lib/api/schemas";
import { ClusterRuntimeIdSchema, RuntimeTokenSchema } from "../../../lib/api/runtime-ids";
import { loadConfig } from "../../config/env";
import { createKubernetesBackend } from "./create-kubernetes-backend";
import { namespace, startEngineOn } from "./testing/cluster-engine";
import { startFakeApiServer, type FakeApiServer } from "./testing/fake-api-server";

const log = pino({ level: "silent" });
const servers: FakeApiServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function twoClusters() {
  const east = await startFakeApiServer({
    namespace,
    runtimeClasses: [{ metadata: { name: "kata-qemu" }, handler: "kata-qemu" }],
    script: () => ({ output: ["from east\n"] }),
  });
  const west = await startFakeApiServer({
    namespace,
    runtimeClasses: [{ metadata: { name: "gvisor" }, handler: "runsc" }],
    script: () => ({ output: ["from west\n"] }),
  });
  servers.push(east, west);
  const config = loadConfig({
    NODE_ENV: "test",
    SBPG_K8S_CLUSTERS: JSON.stringify([
      { name: "east", kubeconfig: east.kubeconfigPath, namespace, images: "busybox=reg.east/bb:1" },
      {
        name: "west",
        kubeconfig: west.kubeconfigPath,
        context: "test",
        namespace,
        images: "busybox=reg.west/bb:1",
        maxConcurrentRuns: 2,
      },
    ]),
  });
  const backends = config.kubernetes.map((cluster) =>
    createKubernetesBackend(cluster, "/run/sbpg-kn-clusters", config.limits, log),
  );
  return { east, west, backends, ...(await startEngineOn(backends)) };
}

describe("several clusters", () => {
  it("lists each cluster's runtimes as k8s:<cluster>/<class>, saying where each runs", async () => {
    const { engine, backends } = await twoClusters();
    expect(backends.map((b) => [b.cluster.name, b.maxConcurrentRuns])).toEqual([
      ["east", 50],
      ["west", 2],
    ]);
    const { runtimes } = RuntimesReplySchema.parse({ runtimes: await engine.runtimes() });
    expect(runtimes.map((r) => [r.id, r.available, r.location?.name ?? "host"])).toEqual([
      ["runc", true, "host"],
      ["k8s:east/default", true, "east"],
      ["k8s:east/kata-qemu", true, "east"],
      ["k8s:west/default", true, "west"],
      ["k8s:west/gvisor", true, "west"],
    ]);
  });

  it("runs on the cluster the id names, and only there", async () => {
    const { engine, east, west } = await twoClusters();
    const run = await engine.launchRun({
      runtime: "k8s:west/gvisor",
      image: "busybox",
      command: ["sh", "-c", "echo hi"],
      timeoutMs: undefined,
      clientId: "visitor",
    });
    await engine.whenSettled(run.id);
    expect(run.snapshot()).toMatchObject({ state: "exited", exitCode: 0 });
    expect(run.output.text()).toContain("from west\n");
    expect(
      west.createdPods.map((p) => [p.spec.runtimeClassName, p.spec.containers[0].image]),
    ).toEqual([["gvisor", "reg.west/bb:1"]]);
    expect(east.createdPods).toEqual([]);
    await expect(
      engine.launchRun({
        runtime: "k8s:east/gvisor",
        image: "busybox",
        command: ["true"],
        timeoutMs: undefined,
        clientId: "visitor",
      }),
    ).rejects.toMatchObject({ code: "not_found:runtime" });
  });

  it("a cluster that is down makes its own runtimes unavailable, with its reason, and no other's", async () => {
    const { engine, west } = await twoClusters();
    await west.close();
    servers.splice(servers.indexOf(west), 1);
    const { runtimes } = RuntimesReplySchema.parse({ runtimes: await engine.runtimes() });
    const byId = new Map(runtimes.map((r) => [r.id, r]));
    expect(byId.get("k8s:east/kata-qemu")!.available).toBe(true);
    expect(byId.get("k8s:west/default")).toMatchObject({
      available: false,
      reason: expect.stringMatching(/^cluster west: the API server at https:\/\/127\.0\.0\.1:\d+ /),
    });
  });
});

describe("SBPG_K8S_CLUSTERS", () => {
  const env = (clusters: unknown, more: Record<string, string> = {}) => ({
    NODE_ENV: "test" as const,
    SBPG_K8S_CLUSTERS: typeof clusters === "string" ? clusters : JSON.stringify(clusters),
    ...more,
  });
  const entry = { name: "east", kubeconfig: "/etc/k/east" };

  it("keeps the single-cluster form's ids, and refuses both forms at once", () => {
    expect(
      loadConfig({ NODE_ENV: "test", SBPG_KUBECONFIG: "/etc/k/one" }).kubernetes,
    ).toMatchObject([
      { kubeconfig: "/etc/k/one", runtimePrefix: "k8s:", clusterName: null, context: null },
    ]);
    expect(loadConfig(env([entry])).kubernetes).toMatchObject([
      { clusterName: "east", runtimePrefix: "k8s:east/", namespace: "sandbox-playground" },
    ]);
    expect(loadConfig({ NODE_ENV: "test" }).kubernetes).toEqual([]);
    expect(() => loadConfig(env([entry], { SBPG_KUBECONFIG: "/etc/k/one" }))).toThrow(
      /SBPG_K8S_CLUSTERS: set it or SBPG_KUBECONFIG, not both/,
    );
  });

  it("says what is wrong with a list", () => {
    expect(() => loadConfig(env("[{"))).toThrow(/SBPG_K8S_CLUSTERS: not JSON/);
    expect(() => loadConfig(env([entry, entry]))).toThrow(/cluster east is named twice/);
    expect(() => loadConfig(env([{ ...entry, name: "East Coast" }]))).toThrow(/a cluster name is/);
    expect(() => loadConfig(env([{ ...entry, images: "busybox" }]))).toThrow(
      /0\.images: "busybox" is not image=registry\/reference/,
    );
    expect(() => loadConfig(env([{ ...entry, token: "x" }]))).toThrow(/SBPG_K8S_CLUSTERS/);
  });

  it("stops start-up on a context the kubeconfig does not have", async () => {
    const api = await startFakeApiServer({ namespace, runtimeClasses: [] });
    servers.push(api);
    const config = loadConfig(env([{ ...entry, kubeconfig: api.kubeconfigPath, context: "nope" }]));
    expect(() =>
      createKubernetesBackend(config.kubernetes[0]!, "/run/x", config.limits, log),
    ).toThrow(/has no context nope/);
  });
});

describe("cluster runtime ids", () => {
  it("take an optional cluster name before the class, and nothing else", () => {
    for (const id of ["k8s:kata-qemu", "k8s:east/kata-qemu", "k8s:east/default"]) {
      expect(RuntimeTokenSchema.safeParse(id).success).toBe(true);
      expect(ClusterRuntimeIdSchema.safeParse(id).success).toBe(true);
    }
    for (const id of ["k8s:east/west/x", "k8s:/x", "k8s:East/x", "k8s:east/"]) {
      expect(RuntimeTokenSchema.safeParse(id).success).toBe(false);
      expect(ClusterRuntimeIdSchema.safeParse(id).success).toBe(false);
    }
  });
});
