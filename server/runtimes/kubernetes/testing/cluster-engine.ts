// For the kubernetes backend's unit tests only: an engine with a scripted local runtime and a cluster backend
// on the API server's test double, as the server wires them (server/create-engine.ts).
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pino } from "pino";
import type { LaunchContext, LaunchSpec, SandboxDriver } from "../../../engine/driver";
import { SandboxEngine } from "../../../engine/engine";
import { buildImage } from "../../../images/image-builder";
import { ImageStore } from "../../../images/image-store";
import { connectCluster } from "../cluster-client";
import { KubernetesBackend } from "../kubernetes-backend";
import { podOwnerFor } from "../pod-spec";

export const namespace = "sbpg-test";
/** The state folder the test engine's pods are owned by. */
export const ownerStateDir = "/run/sbpg-k8s-test";
const log = pino({ level: "silent" });
const mib = 1024 * 1024;

/** Knative Services for the tests: asked about quickly, pods of the run limits below. */
export const knativeOptions = {
  invoke: "api-proxy" as const,
  limits: { memoryBytes: 128 * mib, cpuShares: 512 },
  pollMs: 5,
  idleTimeoutMs: 2_000,
  readyTimeoutMs: 2_000,
};

export const runtimeClasses = [
  {
    metadata: { name: "kata-qemu" },
    handler: "kata-qemu",
    overhead: { podFixed: { memory: "160Mi", cpu: "250m" } },
    scheduling: { nodeSelector: { "katacontainers.io/kata-runtime": "true" } },
  },
  { metadata: { name: "gvisor" }, handler: "runsc" },
];

/** The host's own runtime, as a scripted driver: it writes "local" and exits 0; `hold` runs until stopped. */
class LocalDriver implements SandboxDriver {
  readonly id = "runc" as const;
  readonly name = "runc";
  readonly kind = "container" as const;
  async probe() {
    return { available: true, version: "1", reason: null, install: null, details: {} };
  }
  async launch(spec: LaunchSpec, ctx: LaunchContext) {
    ctx.mark("started");
    ctx.output(Buffer.from("local"));
    if (spec.command[0] === "hold") {
      await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve, { once: true }));
      return { exitCode: null, signal: "SIGKILL" };
    }
    return { exitCode: 0, signal: null };
  }
  async reap() {
    return [];
  }
}

/** The host runs one sandbox at a time, the cluster `clusterRuns`. */
export async function startClusterEngine(kubeconfig: string, clusterRuns = 4) {
  const backend = new KubernetesBackend({
    cluster: connectCluster({ kubeconfig, namespace, clusterName: "lab" }),
    map: {
      runtimeClasses: { "kata-qemu": { family: "kata-go" }, gvisor: { family: "gvisor" } },
    },
    images: { busybox: "registry.example/sbpg/busybox:1" },
    owner: podOwnerFor(ownerStateDir),
    maxConcurrentRuns: clusterRuns,
    log,
    refreshMs: 0,
    requestTimeoutMs: 2_000,
    knative: knativeOptions,
  });
  return { ...(await startEngineOn([backend])), backend };
}

/** An engine with the scripted host runtime and these cluster backends, as the host wires several clusters. */
export async function startEngineOn(backends: KubernetesBackend[]) {
  const cache = await mkdtemp(path.join(os.tmpdir(), "sbpg-k8s-"));
  const images = new ImageStore(cache);
  await buildImage(
    {
      name: "busybox",
      source: "test",
      files: [],
      symlinks: [],
      directories: ["bin"],
      generated: [],
    },
    images.dir("busybox"),
  );
  const engine = new SandboxEngine({
    drivers: [new LocalDriver()],
    sources: backends,
    images,
    limits: {
      maxConcurrentRuns: 1,
      maxQueuedRuns: 8,
      maxActiveRunsPerClient: 8,
      defaultTimeoutMs: 10_000,
      maxTimeoutMs: 20_000,
      memoryBytes: 128 * mib,
      pids: 64,
      cpuShares: 512,
      outputBytes: 64 * 1024,
      tmpfsBytes: 16 * mib,
      logBacklogBytes: 64 * 1024,
    },
    retention: { ms: 60_000, maxRuns: 100 },
    log,
  });
  return { engine, images };
}
