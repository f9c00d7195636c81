// Serverless on Knative against the API server's test double playing Knative Serving: detection, one Knative
// Service per RuntimeClass, requests through the API server's proxy or status.url, scale from zero, reaping.
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { HelloReplySchema } from "../../../lib/api/functions";
import { connectCluster } from "./cluster-client";
import type { KnativeFunctionsOptions } from "./knative-functions";
import { KubernetesBackend } from "./kubernetes-backend";
import { functionEgressPolicyName, functionLabel } from "./knative-service";
import { ownerAnnotation, podOwnerFor } from "./pod-spec";
import { knativeOptions, namespace, runtimeClasses } from "./testing/cluster-engine";
import {
  startFakeApiServer,
  type FakeApiServer,
  type FakeKnativeOptions,
} from "./testing/fake-api-server";

const log = pino({ level: "silent" });
const enabled = { "kubernetes.podspec-runtimeclassname": "enabled" };
const stateDir = "/run/sbpg-kn-test";

/** Another process (its state folder), other limits, the other way to reach a service. */
interface Tweaks {
  stateDir?: string;
  memoryBytes?: number;
  invoke?: KnativeFunctionsOptions["invoke"];
}

let api: FakeApiServer | null = null;
afterEach(async () => {
  await api?.close();
  api = null;
});

async function start(knative: FakeKnativeOptions | undefined, more: Tweaks = {}) {
  api ??= await startFakeApiServer({ namespace, runtimeClasses, knative });
  return backendOn(api, more);
}

function backendOn(server: FakeApiServer, more: Tweaks = {}) {
  const backend = new KubernetesBackend({
    cluster: connectCluster({ kubeconfig: server.kubeconfigPath, namespace, clusterName: "lab" }),
    map: { runtimeClasses: { "kata-qemu": { family: "kata-go" }, gvisor: { family: "gvisor" } } },
    images: { busybox: "registry.example/sbpg/busybox:1" },
    owner: podOwnerFor(more.stateDir ?? stateDir),
    maxConcurrentRuns: 4,
    log,
    refreshMs: 0,
    knative: {
      ...knativeOptions,
      ...(more.invoke && { invoke: more.invoke }),
      limits: { ...knativeOptions.limits, memoryBytes: more.memoryBytes ?? 128 * 1024 * 1024 },
    },
  });
  return backend.knative;
}

const hello = (cookie = "visitor=abc") => ({
  method: "POST",
  target: "/fn/hello?runtime=k8s:kata-qemu&via=knative",
  headers: [
    ["Content-Type", "text/plain"],
    ["Cookie", cookie],
  ] as Array<[string, string]>,
  body: Buffer.from("four"),
});

describe("whether the cluster serves Knative Services", () => {
  it("says Knative Serving is not installed where serving.knative.dev is not served", async () => {
    const knative = await start(undefined);
    const status = await knative.status();
    expect(status).toMatchObject({
      state: "unavailable",
      cluster: "lab",
      runtimeClassFlag: "unknown",
    });
    expect(status.reason).toMatch(
      /does not serve the serving\.knative\.dev\/v1 API .*not installed/,
    );
    expect(status.install).toMatch(/Install Knative Serving/);
    await expect(knative.deploy("k8s:default")).rejects.toMatchObject({
      code: "unavailable:knative",
    });
    expect(api!.createdKnativeServices).toEqual([]);
  });

  it("with the runtimeclassname flag off, serves k8s:default only and says how to enable the flag", async () => {
    const knative = await start({ features: { "kubernetes.podspec-emptydir": "enabled" } });
    const status = await knative.status();
    expect(status).toMatchObject({
      state: "ready",
      runtimeClassFlag: "disabled",
      runtimeClassNames: false,
    });
    expect(status.reason).toMatch(/kubernetes\.podspec-runtimeclassname is disabled/);
    expect(status.install).toContain(
      `kubectl patch configmap config-features -n knative-serving --type merge -p '{"data":{"kubernetes.podspec-runtimeclassname":"enabled"}}'`,
    );
    await expect(knative.deploy("k8s:kata-qemu")).rejects.toMatchObject({
      code: "unavailable:knative",
    });
    expect(api!.createdKnativeServices).toEqual([]);
    const view = await knative.deploy("k8s:default");
    expect(view.state).toBe("ready");
    expect(api!.createdKnativeServices[0].spec.template.spec.runtimeClassName).toBeUndefined();
  });

  it("says so when RBAC forbids reading config-features, and when it forbids Knative Services", async () => {
    const knative = await start({ features: "forbidden" });
    const status = await knative.status();
    expect(status).toMatchObject({ state: "ready", runtimeClassFlag: "unknown" });
    expect(status.notes).toEqual([
      expect.stringMatching(
        /^RBAC forbids reading knative-serving\/config-features \(403\): whether kubernetes\.podspec-runtimeclassname is enabled is unknown/,
      ),
    ]);
    api!.setMode("forbid-knative");
    const forbidden = await backendOn(api!).status();
    expect(forbidden).toMatchObject({ state: "unavailable" });
    expect(forbidden.reason).toMatch(
      /the API server forbids it \(403\): services\.serving\.knative\.dev/,
    );
    expect(forbidden.install).toMatch(/Knative rules of the Role/);
  });

  it("with a flag value it does not know, tries, and fails with Knative's own webhook message", async () => {
    const knative = await start({ features: { "kubernetes.podspec-runtimeclassname": "maybe" } });
    const status = await knative.status();
    expect(status).toMatchObject({ runtimeClassFlag: "unknown", runtimeClassNames: true });
    expect(status.notes[0]).toMatch(/sets kubernetes\.podspec-runtimeclassname to "maybe"/);
    await expect(knative.deploy("k8s:gvisor")).rejects.toMatchObject({
      code: "bad_gateway:knative",
      message: expect.stringContaining(
        "must not set the field(s): spec.template.spec.runtimeClassName",
      ),
    });
    expect((await knative.status()).services).toMatchObject([
      { runtime: "k8s:gvisor", state: "failed" },
    ]);
  });

  it("refuses a runtime the cluster does not list, before any Knative Service is made", async () => {
    const knative = await start({ features: enabled });
    await expect(knative.deploy("k8s:kata-fc")).rejects.toMatchObject({
      code: "unavailable:knative",
      message: "cluster lab has no runtime k8s:kata-fc",
    });
    await expect(knative.deploy("runc")).rejects.toMatchObject({ code: "bad_request:knative" });
    expect(api!.createdKnativeServices).toEqual([]);
  });
});

describe("a Knative Service per RuntimeClass", () => {
  it("creates one with the runtimeClassName and the hardening Knative allows, and waits for Ready", async () => {
    const knative = await start({ features: enabled });
    const [view, again] = await Promise.all([
      knative.deploy("k8s:kata-qemu"),
      knative.deploy("k8s:kata-qemu"),
    ]);
    expect(again).toEqual(view);
    expect(view).toMatchObject({ runtime: "k8s:kata-qemu", state: "ready", message: null });
    expect(view.revision).toBe(`${view.name}-00001`);
    expect(api!.createdKnativeServices).toHaveLength(1);
    const [service] = api!.createdKnativeServices;
    expect(service.metadata.name).toMatch(/^sbpg-fn-hello-[0-9a-f]{10}$/);
    expect(service.metadata.labels).toMatchObject({
      "app.kubernetes.io/managed-by": "sandbox-playground",
      "sandbox-playground/owner": podOwnerFor(stateDir).id,
      "networking.knative.dev/visibility": "cluster-local",
    });
    expect(service.metadata.annotations[ownerAnnotation]).toBe(podOwnerFor(stateDir).description);
    const { spec } = service.spec.template;
    expect(spec).toMatchObject({
      runtimeClassName: "kata-qemu",
      automountServiceAccountToken: false,
      enableServiceLinks: false,
    });
    expect(spec.containers[0]).toMatchObject({
      image: "registry.example/sbpg/busybox:1",
      resources: { limits: { cpu: "500m", memory: String(128 * 1024 * 1024) } },
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 65534,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
      },
    });
    // Not the deny-all policy's label, which would cut the activator off; the egress policy selects them.
    expect(service.spec.template.metadata.labels).toEqual({ [functionLabel]: "hello" });
    expect(api!.networkPolicies.get(functionEgressPolicyName)?.spec).toEqual({
      podSelector: { matchExpressions: [{ key: functionLabel, operator: "Exists" }] },
      policyTypes: ["Egress"],
    });
    expect((await knative.status()).services).toEqual([view]);
  });

  it("a restart of the same process keeps an unchanged service and updates one whose spec changed", async () => {
    const first = await start({ features: enabled });
    const { name } = await first.deploy("k8s:gvisor");
    const restarted = backendOn(api!);
    expect((await restarted.deploy("k8s:gvisor")).name).toBe(name);
    expect(api!.createdKnativeServices).toHaveLength(1);
    const bigger = backendOn(api!, { memoryBytes: 256 * 1024 * 1024 });
    const view = await bigger.deploy("k8s:gvisor");
    expect(view).toMatchObject({ name, state: "ready", revision: `${name}-00002` });
    expect(api!.createdKnativeServices).toHaveLength(2);
    expect(api!.requests.filter((r) => r.startsWith("PUT "))).toHaveLength(1);
  });

  it("another playground process gets services of its own names", async () => {
    const mine = await start({ features: enabled });
    const theirs = backendOn(api!, { stateDir: "/run/sbpg-other" });
    const [a, b] = await Promise.all([mine.deploy("k8s:gvisor"), theirs.deploy("k8s:gvisor")]);
    expect(a.name).not.toBe(b.name);
  });
});

describe("requests to a Knative Service", () => {
  it("go through the API server's service proxy to the revision, and tell a scale from zero", async () => {
    const knative = await start({ features: enabled, coldStartMs: 80 });
    await expect(knative.invoke("k8s:kata-qemu", hello())).rejects.toMatchObject({
      code: "unavailable:knative",
    });
    const view = await knative.deploy("k8s:kata-qemu");
    const warm = await knative.invoke("k8s:kata-qemu", hello());
    expect(warm).toMatchObject({ status: 200, fromZero: false, revision: view.revision });
    expect(HelloReplySchema.parse(JSON.parse(warm.body.toString()))).toMatchObject({
      hello: "from a Knative Service",
      method: "POST",
      path: "/fn/hello?runtime=k8s:kata-qemu&via=knative",
      bodyBytes: 4,
    });
    const [received] = api!.functionRequests;
    expect(received).toMatchObject({ via: "api-proxy", revision: view.revision, cold: false });
    expect(received!.headers["knative-serving-revision"]).toBe(view.revision);
    expect(received!.headers["knative-serving-namespace"]).toBe(namespace);

    api!.scaleToZero(view.revision!);
    expect(await knative.awaitIdle("k8s:kata-qemu")).toMatchObject({ atZero: true });
    const cold = await knative.invoke("k8s:kata-qemu", hello());
    expect(cold.fromZero).toBe(true);
    expect(cold.upstreamMs).toBeGreaterThanOrEqual(80);
    expect(api!.functionRequests[1]!.cold).toBe(true);
  });

  it("go to status.url when so configured", async () => {
    const knative = await start({ features: enabled }, { invoke: "url" });
    const view = await knative.deploy("k8s:gvisor");
    expect(view.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const reply = await knative.invoke("k8s:gvisor", hello());
    expect(reply.status).toBe(200);
    expect(api!.functionRequests.map((r) => r.via)).toEqual(["url"]);
  });

  it("an idle wait that outlasts its limit says the revision is not at zero", async () => {
    const knative = await start({ features: enabled, scaleToZeroAfterMs: 60_000 });
    await knative.deploy("k8s:gvisor");
    // A room waiting at once shares one wait.
    const [idle, other] = await Promise.all([
      knative.awaitIdle("k8s:gvisor"),
      knative.awaitIdle("k8s:gvisor"),
    ]);
    expect(other).toBe(idle);
    expect(idle.atZero).toBe(false);
    expect(idle.waitedMs).toBeGreaterThanOrEqual(knativeOptions.idleTimeoutMs - 50);
  });
});

describe("reaping Knative Services after a crash", () => {
  it("deletes exactly this process's services, not another playground's", async () => {
    const mine = await start({ features: enabled });
    const other = backendOn(api!, { stateDir: "/run/sbpg-other" });
    const { name } = await mine.deploy("k8s:gvisor");
    const { name: theirs } = await other.deploy("k8s:gvisor");
    // Same owner label value, another owner annotation: a hash collision must not delete it.
    api!.seedKnativeService({
      apiVersion: "serving.knative.dev/v1",
      kind: "Service",
      metadata: {
        name: "sbpg-fn-hello-collision",
        labels: {
          "app.kubernetes.io/managed-by": "sandbox-playground",
          "sandbox-playground/owner": podOwnerFor(stateDir).id,
        },
        annotations: { [ownerAnnotation]: "elsewhere:/run/sbpg" },
      },
      spec: {},
    });
    const removed = await backendOn(api!).reap();
    expect(removed).toEqual([`Knative Service ${namespace}/${name} on cluster lab`]);
    expect(
      api!
        .knativeServices()
        .map((s) => s.metadata.name)
        .sort(),
    ).toEqual(["sbpg-fn-hello-collision", theirs].sort());
  });

  it("deletes this process's services when it shuts down", async () => {
    const knative = await start({ features: enabled });
    await knative.deploy("k8s:gvisor");
    await knative.deploy("k8s:default");
    expect(api!.knativeServices()).toHaveLength(2);
    await knative.close();
    expect(api!.knativeServices()).toEqual([]);
    expect((await knative.status()).services).toEqual([]);
  });

  it("a cluster without Knative has nothing to reap", async () => {
    await start(undefined);
    expect(await backendOn(api!).reap()).toEqual([]);
  });
});
