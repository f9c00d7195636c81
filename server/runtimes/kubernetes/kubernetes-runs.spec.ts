// Runs on a cluster's RuntimeClasses through the engine, against the API server's test double; a scripted local
// runtime beside them shows the host's runtimes keep working whatever the cluster does.
import { afterEach, describe, expect, it } from "vitest";
import { RuntimesReplySchema } from "../../../lib/api/schemas";
import type { SandboxEngine } from "../../engine/engine";
import { PlaygroundError } from "../../errors/playground-error";
import { denyAllPolicyName, podOwnerFor } from "./pod-spec";
import {
  namespace,
  ownerStateDir,
  runtimeClasses,
  startClusterEngine,
} from "./testing/cluster-engine";
import { startFakeApiServer, type FakeApiServer, type PodScript } from "./testing/fake-api-server";

const mib = 1024 * 1024;

let api: FakeApiServer | null = null;
afterEach(async () => {
  await api?.close();
  api = null;
});

async function setup(script?: (pod: Record<string, unknown>) => PodScript) {
  api = await startFakeApiServer({ namespace, runtimeClasses, script });
  return { api, ...(await startClusterEngine(api.kubeconfigPath)) };
}

const launch = (engine: SandboxEngine, runtime: string, extra: object = {}) =>
  engine.launchRun({
    runtime,
    image: "busybox",
    command: ["sh", "-c", "echo hello; exit 3"],
    timeoutMs: undefined,
    clientId: "visitor",
    ...extra,
  });

const runtimesById = async (engine: SandboxEngine) => {
  const reply = RuntimesReplySchema.parse({ runtimes: await engine.runtimes() });
  return new Map(reply.runtimes.map((r) => [r.id, r]));
};

describe("the kubernetes backend through the engine", () => {
  it("lists the cluster's RuntimeClasses as available runtimes, beside the host's, each saying where it runs", async () => {
    const { engine } = await setup();
    const runtimes = await runtimesById(engine);
    expect([...runtimes.keys()]).toEqual(["runc", "k8s:default", "k8s:kata-qemu", "k8s:gvisor"]);
    const kata = runtimes.get("k8s:kata-qemu")!;
    expect(kata).toMatchObject({
      available: true,
      kind: "vm",
      location: { backend: "kubernetes", name: "lab" },
      version: "RuntimeClass kata-qemu, handler kata-qemu",
    });
    expect(kata.details).toMatchObject({
      handler: "kata-qemu",
      overhead: "memory 160Mi, cpu 250m",
      scheduling: "nodes with katacontainers.io/kata-runtime=true",
      namespace,
      "runs at once": "4 on the cluster (SBPG_K8S_MAX_CONCURRENT_RUNS), apart from the host's",
    });
    expect(kata.details.tested).toMatch(/not yet run against a real cluster/);
    expect(kata.details.tested).toMatch(/nor its serverless side against a real Knative Serving/);
    expect(runtimes.get("k8s:gvisor")).toMatchObject({
      available: true,
      kind: "user-space-kernel",
    });
    expect(runtimes.get("runc")!.location).toBeUndefined();
  });

  it("runs a command as exactly one hardened pod, streams its log, ends with its exit code and deletes the pod", async () => {
    const { engine, api } = await setup(() => ({ output: ["hello\n", "world\n"], exitCode: 3 }));
    const run = await launch(engine, "k8s:kata-qemu");
    await engine.whenSettled(run.id);
    const snap = run.snapshot();
    expect(snap.error).toBeNull();
    expect(snap.state).toBe("exited");
    expect(snap.exitCode).toBe(3);
    expect(run.output.text()).toContain("hello\nworld\n");
    // The cluster's events go to the run's log as console lines.
    expect(run.output.text()).toContain(`[default-scheduler] Scheduled: Successfully assigned`);

    expect(api.createdPods).toHaveLength(1);
    const pod = api.createdPods[0]!;
    expect(pod.metadata).toEqual({
      name: `sbpg-${run.id}`,
      namespace,
      labels: {
        "app.kubernetes.io/managed-by": "sandbox-playground",
        "sandbox-playground/owner": podOwnerFor(ownerStateDir).id,
        "sandbox-playground/run": run.id,
      },
      annotations: { "sandbox-playground/owner": podOwnerFor(ownerStateDir).description },
    });
    expect(pod.spec).toMatchObject({
      runtimeClassName: "kata-qemu",
      restartPolicy: "Never",
      activeDeadlineSeconds: 40,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
      volumes: [{ name: "tmp", emptyDir: { medium: "Memory", sizeLimit: String(16 * mib) } }],
    });
    expect(pod.spec.containers).toHaveLength(1);
    expect(pod.spec.containers[0]).toMatchObject({
      image: "registry.example/sbpg/busybox:1",
      command: ["sh", "-c", "echo hello; exit 3"],
      resources: {
        limits: { memory: String(128 * mib), cpu: "500m" },
        requests: { memory: String(128 * mib), cpu: "125m" },
      },
      securityContext: {
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
      },
      volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
    });

    expect(api.deletedPods).toEqual([`sbpg-${run.id}`]);
    expect(api.requests.filter((r) => r.startsWith("DELETE"))).toEqual([
      `DELETE /api/v1/namespaces/${namespace}/pods/sbpg-${run.id}?gracePeriodSeconds=1`,
    ]);
    expect(api.livePods()).toEqual([]);
    expect(api.networkPolicies.get(denyAllPolicyName)).toEqual({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: {
        name: denyAllPolicyName,
        namespace,
        labels: { "app.kubernetes.io/managed-by": "sandbox-playground" },
      },
      spec: {
        podSelector: { matchLabels: { "app.kubernetes.io/managed-by": "sandbox-playground" } },
        policyTypes: ["Ingress", "Egress"],
      },
    });
    // The log was followed, not polled: a second request only where the stream ended before the exit was seen.
    const logRequests = api.requests.filter((r) => r.includes("/log?"));
    expect(logRequests.length).toBeLessThanOrEqual(2);
    for (const request of logRequests) expect(request).toMatch(/container=sandbox&follow=true/);

    const { timings, clocks } = snap;
    for (const phase of [
      "started",
      "podScheduled",
      "podSandboxReady",
      "imagePulled",
      "containerCreated",
      "containerStarted",
      "containerExited",
      "exited",
      "podDeleted",
      "cleanedUp",
    ] as const) {
      expect(timings[phase], phase).toBeTypeOf("number");
    }
    expect(timings.started!).toBeLessThanOrEqual(timings.containerExited!);
    expect(timings.exited!).toBeLessThanOrEqual(timings.podDeleted!);
    // Only the scheduler stamps finer than a second; every other phase is the playground's own clock.
    expect(clocks).toEqual({ podScheduled: "default-scheduler eventTime" });
  });

  it("watches again when the API server closes the watch, from the pod as it is once its version expired", async () => {
    const output = Array.from({ length: 30 }, (_, i) => `line ${i}\n`);
    const { engine, api } = await setup(() => ({ output, exitCode: 7 }));
    const run = await launch(engine, "k8s:gvisor");
    await until(() => run.state === "running");
    api.closeWatches();
    await new Promise((resolve) => setTimeout(resolve, 20));
    api.closeWatches({ expire: true });
    await engine.whenSettled(run.id);
    expect(run.snapshot()).toMatchObject({ state: "exited", exitCode: 7 });
    expect(run.output.text()).toContain(output.join(""));
    const watches = api.requests.filter((r) => r.includes("/pods?") && r.includes("watch=true"));
    expect(watches.length).toBeGreaterThanOrEqual(3);
    expect(api.livePods()).toEqual([]);
  });

  it("fails a run whose cluster goes away mid-run, with the reason, and does not wait on a pod it cannot delete", async () => {
    const { engine, api } = await setup(() => ({ output: ["up\n"], runUntilDeleted: true }));
    const run = await launch(engine, "k8s:kata-qemu");
    await until(() => run.output.text().includes("up"));
    await api.close();
    const started = Date.now();
    await engine.whenSettled(run.id);
    expect(run.snapshot()).toMatchObject({
      state: "failed",
      error: {
        code: "runtime:crashed",
        message: expect.stringMatching(
          /^Lost the cluster's watch on the pod: .*does not answer \(ECONNREFUSED\)/,
        ),
      },
    });
    expect(Date.now() - started).toBeLessThan(9_000);
  }, 15_000);

  it("counts cluster runs against the cluster's own limit: a full host does not hold them up, nor they it", async () => {
    api = await startFakeApiServer({
      namespace,
      runtimeClasses,
      script: () => ({ output: ["tick\n"], runUntilDeleted: true }),
    });
    const { engine } = await startClusterEngine(api.kubeconfigPath, 2);
    const local = await launch(engine, "runc", { command: ["hold"] });
    const cluster = [
      await launch(engine, "k8s:gvisor"),
      await launch(engine, "k8s:gvisor"),
      await launch(engine, "k8s:kata-qemu"),
    ];
    const waitingLocal = await launch(engine, "runc", { command: ["hold"] });
    await until(() => cluster[0]!.state === "running" && cluster[1]!.state === "running");
    expect(local.state).toBe("running");
    // One place in each queue: the third cluster run waits for a pod, the second local run for the host.
    expect(cluster[2]!.snapshot()).toMatchObject({ state: "queued", queuePosition: 1 });
    expect(waitingLocal.snapshot()).toMatchObject({ state: "queued", queuePosition: 1 });
    await engine.stopRun(cluster[0]!.id);
    await until(() => cluster[2]!.state === "running");
    expect(waitingLocal.state).toBe("queued");
    await engine.stopRun(local.id);
    await until(() => waitingLocal.state === "running");
    await engine.shutdown();
    expect(api.livePods()).toEqual([]);
  });

  it("sees a stopped run's pod gone by reading it when no watch is left to say so", async () => {
    const { engine, api } = await setup(() => ({ output: ["tick\n"], runUntilDeleted: true }));
    const run = await launch(engine, "k8s:gvisor");
    await until(() => run.state === "running");
    api.closeWatches({ refuse: true });
    const stoppedAt = Date.now();
    await engine.stopRun(run.id);
    expect(Date.now() - stoppedAt).toBeLessThan(5_000);
    expect(run.snapshot().timings.podDeleted).toBeTypeOf("number");
    expect(api.livePods()).toEqual([]);
  });

  it("reopens a log stream that ends while the container runs, without losing or repeating a byte", async () => {
    const output = Array.from({ length: 40 }, (_, i) => `line ${i}\n`);
    const { engine, api } = await setup(() => ({ output, exitCode: 0 }));
    const run = await launch(engine, "k8s:kata-qemu");
    await until(() => run.output.text().includes("line 5\n"));
    api.dropLogs();
    await until(() => run.output.text().includes("line 20\n"));
    api.dropLogs();
    await engine.whenSettled(run.id);
    expect(run.snapshot()).toMatchObject({ state: "exited", exitCode: 0 });
    const workload = run.output
      .text()
      .split("\n")
      .filter((line) => line.startsWith("line "));
    expect(workload).toEqual(output.map((line) => line.trimEnd()));
    expect(api.requests.filter((r) => r.includes("/log?")).length).toBeGreaterThanOrEqual(2);
  });

  it("runs on the cluster's default runtime without a runtimeClassName", async () => {
    const { engine, api } = await setup();
    const run = await launch(engine, "k8s:default");
    await engine.whenSettled(run.id);
    expect(run.snapshot()).toMatchObject({ state: "exited", exitCode: 0 });
    expect(api.createdPods[0]!.spec).not.toHaveProperty("runtimeClassName");
  });

  it("deletes the pod of a run that is stopped, and of one past its time limit", async () => {
    const { engine, api } = await setup(() => ({ output: ["tick\n"], runUntilDeleted: true }));
    const stopped = await launch(engine, "k8s:gvisor");
    await until(() => stopped.state === "running");
    await engine.stopRun(stopped.id);
    expect(stopped.snapshot()).toMatchObject({ state: "stopped", exitCode: null });
    const timedOut = await launch(engine, "k8s:gvisor", { timeoutMs: 300 });
    await engine.whenSettled(timedOut.id);
    expect(timedOut.snapshot()).toMatchObject({
      state: "failed",
      error: { code: "limit:timeout" },
    });
    expect(api.deletedPods).toEqual([`sbpg-${stopped.id}`, `sbpg-${timedOut.id}`]);
    expect(api.livePods()).toEqual([]);
  });

  it("fails a run whose image the cluster cannot pull, with the kubelet's reason, and deletes the pod", async () => {
    const { engine, api } = await setup(() => ({ waitingReason: "ErrImagePull" }));
    const run = await launch(engine, "k8s:kata-qemu");
    await engine.whenSettled(run.id);
    expect(run.snapshot()).toMatchObject({
      state: "failed",
      error: {
        code: "runtime:launch",
        message: expect.stringMatching(/^ErrImagePull: failed to pull/),
      },
    });
    expect(api.livePods()).toEqual([]);
  });

  it("refuses bad input before the cluster sees it: the same limits as local runs", async () => {
    const { engine, api } = await setup();
    await expect(
      launch(engine, "k8s:kata-qemu", { limits: { memoryBytes: 1024 * mib } }),
    ).rejects.toMatchObject({ code: "bad_request:limits" });
    await expect(launch(engine, "k8s:kata-qemu", { timeoutMs: 60_000 })).rejects.toMatchObject({
      code: "bad_request:timeout",
    });
    await expect(launch(engine, "k8s:kata-qemu", { image: "alpine" })).rejects.toMatchObject({
      code: "not_found:image",
    });
    await expect(launch(engine, "k8s:no-such-class")).rejects.toMatchObject({
      code: "not_found:runtime",
    });
    expect(api.requests.filter((r) => r.startsWith("POST"))).toEqual([]);
  });

  it("shows the cluster's runtimes unavailable with the API server's reason when it forbids the playground; local runs go on", async () => {
    const { engine, api } = await setup();
    api.setMode("forbidden");
    const runtimes = await runtimesById(engine);
    for (const id of ["k8s:default", "k8s:kata-qemu", "k8s:gvisor"]) {
      expect(runtimes.get(id)).toMatchObject({
        available: false,
        reason: expect.stringMatching(
          /^cluster lab: the API server forbids it \(403\): .*cannot get/,
        ),
        install: expect.stringMatching(/Role and ClusterRole/),
      });
    }
    await expect(launch(engine, "k8s:gvisor")).rejects.toBeInstanceOf(PlaygroundError);
    await expectLocalRunWorks(engine);
  });

  it("shows them unavailable when the API server does not answer; local runs go on", async () => {
    api = await startFakeApiServer({ namespace, runtimeClasses });
    const kubeconfig = api.kubeconfigPath.replace(/kubeconfig$/, "kubeconfig-down");
    await import("node:fs/promises").then(async (fs) => {
      const text = await fs.readFile(api!.kubeconfigPath, "utf8");
      // Port 9 (discard) has nothing listening here: the connection is refused.
      await fs.writeFile(kubeconfig, text.replace(/127\.0\.0\.1:\d+/, "127.0.0.1:9"));
    });
    const { engine } = await startClusterEngine(kubeconfig);
    const runtimes = await runtimesById(engine);
    expect(runtimes.get("k8s:kata-qemu")).toMatchObject({
      available: false,
      reason: "cluster lab: the API server at https://127.0.0.1:9 does not answer (ECONNREFUSED)",
    });
    expect(runtimes.get("k8s:gvisor")!.available).toBe(false);
    await expect(launch(engine, "k8s:kata-qemu")).rejects.toMatchObject({
      code: "unavailable:runtime",
    });
    await expectLocalRunWorks(engine);
  });
});

async function expectLocalRunWorks(engine: SandboxEngine) {
  const local = await launch(engine, "runc");
  await engine.whenSettled(local.id);
  expect(local.snapshot()).toMatchObject({ state: "exited", exitCode: 0 });
  expect(local.output.text()).toBe("local");
}

async function until(check: () => boolean, ms = 5_000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
