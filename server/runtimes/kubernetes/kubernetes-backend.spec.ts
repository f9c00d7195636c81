// Runtime discovery, the mapping file and the reaper, against the API server's test double.
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../config/env";
import { connectCluster } from "./cluster-client";
import { createKubernetesBackend } from "./create-kubernetes-backend";
import { KubernetesBackend } from "./kubernetes-backend";
import { podOwnerFor } from "./pod-spec";
import type { RuntimeMap } from "./runtime-map";
import { knativeOptions } from "./testing/cluster-engine";
import { startFakeApiServer, type FakeApiServer } from "./testing/fake-api-server";

const namespace = "sbpg-test";
const log = pino({ level: "silent" });

let api: FakeApiServer | null = null;
afterEach(async () => {
  await api?.close();
  api = null;
});

async function backendWith(runtimeClasses: Record<string, unknown>[], map: RuntimeMap) {
  api = await startFakeApiServer({ namespace, runtimeClasses });
  const backend = new KubernetesBackend({
    cluster: connectCluster({ kubeconfig: api.kubeconfigPath, namespace, clusterName: null }),
    map,
    images: { busybox: "registry.example/sbpg/busybox:1" },
    owner: podOwnerFor("/run/sbpg-k8s-a"),
    maxConcurrentRuns: 4,
    log,
    refreshMs: 0,
    knative: knativeOptions,
  });
  return { api, backend };
}

const availability = async (backend: KubernetesBackend) =>
  Object.fromEntries(
    await Promise.all(
      (await backend.drivers()).map(async (d) => [
        d.id,
        { kind: d.kind, name: d.name, ...(await d.probe()) },
      ]),
    ),
  );

describe("KubernetesBackend", () => {
  it("lists the mapping file's classes even where the cluster has none, and guesses the family of the others", async () => {
    const { backend } = await backendWith(
      [
        { metadata: { name: "kata-fc" }, handler: "kata-fc" },
        { metadata: { name: "kata-dragonball" }, handler: "kata-dragonball" },
        { metadata: { name: "runc" }, handler: "runc" },
      ],
      {
        runtimeClasses: {
          "kata-qemu": { family: "kata-go", name: "Kata on QEMU" },
          gvisor: { family: "gvisor" },
        },
      },
    );
    const runtimes = await availability(backend);
    expect(Object.keys(runtimes)).toEqual([
      "k8s:default",
      "k8s:kata-qemu",
      "k8s:gvisor",
      "k8s:kata-dragonball",
      "k8s:kata-fc",
      "k8s:runc",
    ]);
    expect(runtimes["k8s:kata-qemu"]).toMatchObject({
      name: "Kata on QEMU",
      available: false,
      reason: "cluster test-double has no RuntimeClass kata-qemu",
      install: expect.stringMatching(/kata-deploy/),
    });
    expect(runtimes["k8s:gvisor"]).toMatchObject({
      available: false,
      install: expect.stringMatching(/handler runsc/),
    });
    expect(runtimes["k8s:kata-dragonball"]).toMatchObject({
      kind: "vm",
      name: "Kata Containers (Rust runtime-rs): kata-dragonball",
      available: true,
    });
    expect(runtimes["k8s:kata-fc"]).toMatchObject({ kind: "vm", available: true });
    expect(runtimes["k8s:runc"]).toMatchObject({ kind: "container", available: true });
    expect(runtimes["k8s:default"]).toMatchObject({
      name: "the cluster's default runtime",
      available: true,
      version: null,
    });
  });

  it("keeps the classes it saw listed, unavailable, once the cluster forbids the listing", async () => {
    const { api, backend } = await backendWith(
      [{ metadata: { name: "kata-clh" }, handler: "kata-clh" }],
      { runtimeClasses: {} },
    );
    expect((await availability(backend))["k8s:kata-clh"]!.available).toBe(true);
    api.setMode("forbidden");
    // A stale listing is served while the next one is asked for; the answer shows on a later ask.
    await until(async () => !(await availability(backend))["k8s:kata-clh"]!.available);
    expect((await availability(backend))["k8s:kata-clh"]).toMatchObject({
      available: false,
      reason: expect.stringMatching(/^cluster test-double: the API server forbids it \(403\)/),
    });
  });

  it("is unavailable with what to do when no image reference is configured", async () => {
    api = await startFakeApiServer({ namespace, runtimeClasses: [] });
    const backend = new KubernetesBackend({
      cluster: connectCluster({ kubeconfig: api.kubeconfigPath, namespace, clusterName: "c" }),
      map: { runtimeClasses: {} },
      images: {},
      owner: podOwnerFor("/run/sbpg-k8s-a"),
      maxConcurrentRuns: 4,
      log,
      knative: knativeOptions,
    });
    const [driver] = await backend.drivers();
    expect(await driver!.probe()).toMatchObject({
      available: false,
      reason: "no image the cluster can pull is configured",
      install: expect.stringMatching(/SBPG_K8S_IMAGES/),
    });
  });

  it("reaps exactly the pods its own host and state folder left, by owner label and annotation", async () => {
    const { api, backend } = await backendWith([], { runtimeClasses: {} });
    const mine = podOwnerFor("/run/sbpg-k8s-a");
    const other = podOwnerFor("/run/sbpg-k8s-b");
    const pod = (name: string, labels: Record<string, string>, owner: string | null) => ({
      metadata: {
        name,
        namespace,
        labels,
        ...(owner ? { annotations: { "sandbox-playground/owner": owner } } : {}),
      },
      spec: { containers: [{ name: "sandbox", image: "x" }] },
    });
    const managed = { "app.kubernetes.io/managed-by": "sandbox-playground" };
    api.seedPod(
      pod("sbpg-aaa", { ...managed, "sandbox-playground/owner": mine.id }, mine.description),
    );
    api.seedPod(
      pod("sbpg-bbb", { ...managed, "sandbox-playground/owner": other.id }, other.description),
    );
    // Same label, another owner in full (a label hash collision, or a hand-made pod): left alone.
    api.seedPod(
      pod("sbpg-ccc", { ...managed, "sandbox-playground/owner": mine.id }, "elsewhere:/run/x"),
    );
    api.seedPod(pod("web", { app: "web" }, null));
    const removed = await backend.reap();
    expect(removed).toEqual([`pod ${namespace}/sbpg-aaa on cluster test-double`]);
    await until(() => api.deletedPods.length > 0);
    expect(api.deletedPods).toEqual(["sbpg-aaa"]);
  });

  it("reaps nothing, without failing, when the cluster is down", async () => {
    const { api, backend } = await backendWith([], { runtimeClasses: {} });
    await api.close();
    expect(await backend.reap()).toEqual([]);
  });
});

describe("createKubernetesBackend", () => {
  it("reads the kubeconfig, the mapping file and the image references from the environment", async () => {
    api = await startFakeApiServer({
      namespace,
      runtimeClasses: [{ metadata: { name: "gvisor" }, handler: "runsc" }],
    });
    const dir = await mkdtemp(path.join(os.tmpdir(), "sbpg-k8s-map-"));
    const mapFile = path.join(dir, "runtimes.json");
    await writeFile(
      mapFile,
      JSON.stringify({ runtimeClasses: { "kata-qemu": { family: "kata-go" } } }),
    );
    const config = loadConfig({
      NODE_ENV: "test",
      SBPG_KUBECONFIG: api.kubeconfigPath,
      SBPG_K8S_NAMESPACE: namespace,
      SBPG_K8S_CLUSTER_NAME: "workshop",
      SBPG_K8S_RUNTIME_MAP: mapFile,
      SBPG_K8S_IMAGES:
        "busybox=registry.example/sbpg/busybox:1, node-onnx=registry.example/sbpg/node-onnx:1",
    });
    const backend = createKubernetesBackend(
      config.kubernetes[0]!,
      "/run/sbpg-k8s-a",
      config.limits,
      log,
    );
    expect(backend.cluster.name).toBe("workshop");
    expect(backend.imageReference("node-onnx")).toBe("registry.example/sbpg/node-onnx:1");
    const drivers = await backend.drivers();
    expect(drivers.map((d) => [d.id, d.kind])).toEqual([
      ["k8s:default", "container"],
      ["k8s:kata-qemu", "vm"],
      ["k8s:gvisor", "user-space-kernel"],
    ]);
    await writeFile(
      mapFile,
      JSON.stringify({ runtimeClasses: { "Bad Name": { family: "kata-go" } } }),
    );
    expect(() =>
      createKubernetesBackend(config.kubernetes[0]!, "/run/x", config.limits, log),
    ).toThrow(/SBPG_K8S_RUNTIME_MAP: .*runtimes\.json: runtimeClasses\.Bad Name: Invalid key/);
  });

  it("stops start-up naming SBPG_KUBECONFIG when the kubeconfig cannot be read", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "sbpg-k8s-conf-"));
    const options = { namespace, clusterName: null };
    expect(() => connectCluster({ ...options, kubeconfig: path.join(dir, "missing") })).toThrow(
      /^SBPG_KUBECONFIG: cannot load .*missing: ENOENT/,
    );
    await writeFile(path.join(dir, "empty"), "apiVersion: v1\nkind: Config\n");
    expect(() => connectCluster({ ...options, kubeconfig: path.join(dir, "empty") })).toThrow(
      /names no current cluster/,
    );
  });

  it("refuses image references that are not name=reference for an image setup builds", () => {
    expect(() =>
      loadConfig({ NODE_ENV: "test", SBPG_K8S_IMAGES: "alpine=docker.io/alpine:3" }),
    ).toThrow(/"alpine" is not an image the playground builds/);
    expect(() =>
      loadConfig({ NODE_ENV: "test", SBPG_K8S_IMAGES: "busybox=reg/x:1 --insecure" }),
    ).toThrow(/is not image=registry\/reference/);
    expect(loadConfig({ NODE_ENV: "test" }).kubernetes).toEqual([]);
  });
});

async function until(check: () => boolean | Promise<boolean>, ms = 5_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
