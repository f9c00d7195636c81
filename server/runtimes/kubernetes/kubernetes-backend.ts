// A cluster's runtimes: its RuntimeClasses (and its default) as k8s:<name> drivers, their availability, and the reaper.
import type { V1RuntimeClass } from "@kubernetes/client-node";
import type { ClusterRuntimeId } from "../../../lib/api/runtime-ids";
import { clusterRuntimePrefix } from "../../../lib/api/runtime-ids";
import type { KnativeInvoke } from "../../../lib/api/knative";
import type {
  DriverSource,
  RuntimeAvailability,
  SandboxDriver,
  SandboxLimits,
} from "../../engine/driver";
import type { Logger } from "../../log/logger";
import { describeClusterError, statusOf, type ClusterClient } from "./cluster-client";
import { KnativeFunctions } from "./knative-functions";
import { KubernetesDriver } from "./kubernetes-driver";
import {
  buildDenyAllPolicy,
  denyAllPolicyName,
  ownerAnnotation,
  ownerSelector,
  type PodOwner,
} from "./pod-spec";
import {
  familyLabels,
  guessFamily,
  RuntimeClassNameSchema,
  type MappingEntry,
  type RuntimeFamily,
  type RuntimeMap,
} from "./runtime-map";

export interface KubernetesBackendOptions {
  cluster: ClusterClient;
  map: RuntimeMap;
  /** Image name to registry reference (SBPG_K8S_IMAGES). */
  images: Record<string, string>;
  owner: PodOwner;
  /** What its runtime ids start with: "k8s:" (the default) for one cluster, "k8s:<name>/" among several. */
  runtimePrefix?: string;
  log: Logger;
  /** Pods of this backend at once (SBPG_K8S_MAX_CONCURRENT_RUNS), apart from the host's own runs. */
  maxConcurrentRuns: number;
  /** How long a listing of the RuntimeClasses is kept before the cluster is asked again. */
  refreshMs?: number;
  /** A call the API server does not answer in this long fails (start-up must not hang on a cluster). */
  requestTimeoutMs?: number;
  /** Serverless on the cluster's Knative Serving: how requests reach a Knative Service, and its pods' limits. */
  knative: {
    invoke: KnativeInvoke;
    limits: Pick<SandboxLimits, "memoryBytes" | "cpuShares">;
    pollMs?: number;
    idleTimeoutMs?: number;
    readyTimeoutMs?: number;
  };
}

/** What the pages say until the backend has been run against a real cluster. */
export const untestedNote =
  "not yet run against a real cluster, nor its serverless side against a real Knative Serving: tested only against a test double of the Kubernetes API (playing Knative too)";

type Listing =
  { ok: true; classes: V1RuntimeClass[] } | { ok: false; reason: string; install: string };

export interface ClusterRuntime {
  id: ClusterRuntimeId;
  /** null: the cluster's default runtime. */
  className: string | null;
  family: RuntimeFamily;
  name: string;
}

export class KubernetesBackend implements DriverSource {
  private readonly known = new Map<ClusterRuntimeId, KubernetesDriver>();
  private listing: { at: number; result: Listing } | null = null;
  private refreshing: Promise<void> | null = null;
  /** Class names the cluster listed last time it answered: still shown (unavailable) while it does not. */
  private lastClasses: V1RuntimeClass[] = [];
  private policyCheckedAt = -Infinity;

  readonly maxConcurrentRuns: number;
  readonly knative: KnativeFunctions;

  constructor(private readonly options: KubernetesBackendOptions) {
    this.maxConcurrentRuns = options.maxConcurrentRuns;
    this.knative = new KnativeFunctions({
      ...options.knative,
      cluster: options.cluster,
      owner: options.owner,
      classOf: (id) => this.knativeTarget(id),
      imageReference: () => this.imageReference("busybox"),
      log: options.log.child({ feature: "knative" }),
    });
  }

  get cluster(): ClusterClient {
    return this.options.cluster;
  }

  get owner(): PodOwner {
    return this.options.owner;
  }

  async drivers(): Promise<SandboxDriver[]> {
    await this.refresh();
    return this.runtimes().map((runtime) => {
      let driver = this.known.get(runtime.id);
      if (!driver) {
        driver = new KubernetesDriver(this, runtime);
        this.known.set(runtime.id, driver);
      }
      return driver;
    });
  }

  /** Default first, then the mapping file's classes in its order, then the others the cluster has, by name. */
  runtimes(): ClusterRuntime[] {
    const { map } = this.options;
    const classes = this.listing?.result.ok ? this.listing.result.classes : this.lastClasses;
    const handlers = new Map(classes.map((c) => [c.metadata?.name ?? "", c.handler]));
    const names = [
      ...Object.keys(map.runtimeClasses),
      ...[...handlers.keys()].filter((n) => !(n in map.runtimeClasses)).sort(),
    ].filter((name) => name !== "default" && RuntimeClassNameSchema.safeParse(name).success);
    const entry = (className: string | null, mapped: MappingEntry | undefined): ClusterRuntime => {
      const family = mapped?.family ?? guessFamily(handlers.get(className ?? "") ?? "");
      return {
        id: `${this.options.runtimePrefix ?? clusterRuntimePrefix}${className ?? "default"}` as ClusterRuntimeId,
        className,
        family,
        name:
          mapped?.name ??
          (className ? `${familyLabels[family]}: ${className}` : "the cluster's default runtime"),
      };
    };
    return [
      entry(null, map.default ?? { family: "runc" }),
      ...names.map((n) => entry(n, map.runtimeClasses[n])),
    ];
  }

  availabilityOf(runtime: ClusterRuntime): RuntimeAvailability {
    const { cluster, images } = this.options;
    const details: Record<string, string> = {
      cluster: `${cluster.name} (${cluster.server})`,
      namespace: cluster.namespace,
      family: familyLabels[runtime.family],
      "runs at once": `${this.maxConcurrentRuns} on the cluster (SBPG_K8S_MAX_CONCURRENT_RUNS), apart from the host's`,
      images:
        Object.entries(images)
          .map(([name, ref]) => `${name}=${ref}`)
          .join(", ") || "none",
      tested: untestedNote,
    };
    const unavailable = (reason: string, install: string | null) => ({
      available: false,
      version: null,
      reason,
      install,
      details,
    });
    const result = this.listing?.result;
    if (!result) return unavailable("the cluster has not been asked yet", null);
    if (!result.ok) return unavailable(`cluster ${cluster.name}: ${result.reason}`, result.install);
    const runtimeClass = runtime.className
      ? result.classes.find((c) => c.metadata?.name === runtime.className)
      : null;
    if (runtime.className && !runtimeClass) {
      return unavailable(
        `cluster ${cluster.name} has no RuntimeClass ${runtime.className}`,
        runtime.family.startsWith("kata")
          ? "Install Kata Containers with kata-deploy, which registers the kata-* RuntimeClasses (docs/kubernetes.md)."
          : runtime.family === "gvisor"
            ? "Install runsc on the nodes and create gVisor's RuntimeClass, handler runsc (docs/kubernetes.md)."
            : "Create the RuntimeClass, or remove it from SBPG_K8S_RUNTIME_MAP.",
      );
    }
    if (runtimeClass) Object.assign(details, describeRuntimeClass(runtimeClass));
    if (Object.keys(images).length === 0) {
      return unavailable(
        "no image the cluster can pull is configured",
        "Push the images setup builds to a registry and name them in SBPG_K8S_IMAGES (docs/kubernetes.md).",
      );
    }
    return {
      available: true,
      version: runtimeClass
        ? `RuntimeClass ${runtime.className}, handler ${runtimeClass.handler}`
        : null,
      reason: null,
      install: null,
      details,
    };
  }

  /** A Knative Service may target a runtime the cluster lists and has available, nothing a visitor made up. */
  private async knativeTarget(
    id: string,
  ): Promise<{ className: string | null } | { reason: string }> {
    await this.refresh();
    const runtime = this.runtimes().find((r) => r.id === id);
    if (!runtime) return { reason: `cluster ${this.cluster.name} has no runtime ${id}` };
    const availability = this.availabilityOf(runtime);
    if (!availability.available) return { reason: availability.reason ?? `${id} is unavailable` };
    return { className: runtime.className };
  }

  /** The registry reference of a playground image, or null when none is configured. */
  imageReference(name: string): string | null {
    return this.options.images[name] ?? null;
  }

  /** The deny-all NetworkPolicy exists before a pod starts: created if missing, checked again each minute. */
  async ensureDenyAllPolicy(): Promise<void> {
    const now = performance.now();
    if (now - this.policyCheckedAt < 60_000) return;
    const { cluster } = this.options;
    const { namespace } = cluster;
    try {
      await cluster.networking.readNamespacedNetworkPolicy({ name: denyAllPolicyName, namespace });
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
      try {
        await cluster.networking.createNamespacedNetworkPolicy({
          namespace,
          body: buildDenyAllPolicy(namespace),
        });
        this.options.log.info({ namespace }, "created the deny-all NetworkPolicy");
      } catch (createErr) {
        // Another playground sharing the namespace created it first.
        if (statusOf(createErr) !== 409) throw createErr;
      }
    }
    this.policyCheckedAt = now;
  }

  /** Deletes the pods this playground process (its host and state folder) left; never rejects. */
  async reap(): Promise<string[]> {
    const { cluster, owner, log } = this.options;
    try {
      const pods = await this.timed(
        cluster.core.listNamespacedPod({
          namespace: cluster.namespace,
          labelSelector: ownerSelector(owner),
        }),
      );
      const mine = pods.items.filter(
        (pod) => pod.metadata?.annotations?.[ownerAnnotation] === owner.description,
      );
      const removed: string[] = [];
      for (const pod of mine) {
        const name = pod.metadata!.name!;
        try {
          await this.timed(
            cluster.core.deleteNamespacedPod({
              name,
              namespace: cluster.namespace,
              gracePeriodSeconds: 1,
            }),
          );
          removed.push(`pod ${cluster.namespace}/${name} on cluster ${cluster.name}`);
        } catch (err) {
          if (statusOf(err) !== 404) log.warn({ err, pod: name }, "reaping a pod failed");
        }
      }
      return [...removed, ...(await this.knative.reap())];
    } catch (err) {
      log.warn(
        { err, reason: describeClusterError(err, cluster.server) },
        "could not look for pods an earlier process left on the cluster",
      );
      return this.knative.reap();
    }
  }

  /** At shutdown: the runs' pods go with their runs (the engine stops them); the Knative Services go here. */
  async close(): Promise<void> {
    await this.knative.close();
  }

  private async refresh(): Promise<void> {
    const fresh =
      this.listing && performance.now() - this.listing.at < (this.options.refreshMs ?? 15_000);
    if (fresh) return;
    this.refreshing ??= this.list()
      .then((result) => {
        this.listing = { at: performance.now(), result };
        if (result.ok) this.lastClasses = result.classes;
      })
      .finally(() => (this.refreshing = null));
    // A listing that is only stale is still served while the next one is asked for.
    if (!this.listing) await this.refreshing;
  }

  private async list(): Promise<Listing> {
    const { cluster, log } = this.options;
    try {
      const classes = await this.timed(cluster.node.listRuntimeClass());
      // The namespaced rights runs need, checked with the cheapest call that needs one of them.
      await this.timed(
        cluster.core.listNamespacedPod({
          namespace: cluster.namespace,
          labelSelector: ownerSelector(this.options.owner),
          limit: 1,
        }),
      );
      return { ok: true, classes: classes.items };
    } catch (err) {
      const reason = describeClusterError(err, cluster.server);
      log.warn({ err, reason }, "listing the cluster's runtimes failed");
      const status = statusOf(err);
      return {
        ok: false,
        reason,
        install:
          status === 403 || status === 401
            ? "Give the playground's account the Role and ClusterRole in docs/kubernetes.md."
            : "Check SBPG_KUBECONFIG and that the cluster's API server runs and is reachable from this host.",
      };
    }
  }

  private timed<T>(call: Promise<T>): Promise<T> {
    const ms = this.options.requestTimeoutMs ?? 5_000;
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      call,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]).finally(() => clearTimeout(timer));
  }
}

/** The RuntimeClass's handler, pod overhead and scheduling, as /host shows them. */
export function describeRuntimeClass(runtimeClass: V1RuntimeClass): Record<string, string> {
  const details: Record<string, string> = { handler: runtimeClass.handler };
  const overhead = runtimeClass.overhead?.podFixed;
  if (overhead) {
    details.overhead = Object.entries(overhead)
      .map(([resource, quantity]) => `${resource} ${String(quantity)}`)
      .join(", ");
  }
  const { nodeSelector, tolerations } = runtimeClass.scheduling ?? {};
  const selector = Object.entries(nodeSelector ?? {}).map(([k, v]) => `${k}=${v}`);
  const tolerated = (tolerations ?? []).map(
    (t) =>
      `tolerates ${t.key ?? "*"}${t.value ? `=${t.value}` : ""}${t.effect ? `:${t.effect}` : ""}`,
  );
  if (selector.length + tolerated.length > 0) {
    details.scheduling = [...selector.map((s) => `nodes with ${s}`), ...tolerated].join("; ");
  }
  return details;
}
