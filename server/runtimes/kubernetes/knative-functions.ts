// Serverless on the cluster's Knative Serving: is it there (and may a service name a RuntimeClass), one Knative
// Service per RuntimeClass made and awaited, requests sent to it, its scale to zero awaited, and the reaper.
import { createHash } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { KnativeInvoke, KnativeServiceView, KnativeStatus } from "../../../lib/api/knative";
import { clusterRuntimePrefix } from "../../../lib/api/runtime-ids";
import type { SandboxLimits } from "../../engine/driver";
import { PlaygroundError } from "../../errors/playground-error";
import type { Logger } from "../../log/logger";
import { describeClusterError, statusOf, type ClusterClient } from "./cluster-client";
import {
  buildFunctionEgressPolicy,
  buildKnativeService,
  functionEgressPolicyName,
  knativeGroup,
  KnativeRevisionSchema,
  KnativeServiceListSchema,
  KnativeServiceSchema,
  readinessOf,
  type KnativeFunction,
  type KnativeServiceBody,
} from "./knative-service";
import { detectKnative, type KnativeDetection } from "./knative-detect";
import { sendToKnative, type FunctionRequest, type KnativeAnswer } from "./knative-request";
import { ownerAnnotation, ownerSelector, type PodOwner } from "./pod-spec";

export interface KnativeFunctionsOptions {
  cluster: ClusterClient;
  owner: PodOwner;
  /** status.url (the playground runs where that name resolves, e.g. in the cluster) or the API server's proxy. */
  invoke: KnativeInvoke;
  /** The RuntimeClass behind a cluster runtime id, when the cluster lists it and it is available; else why not. */
  classOf: (runtime: string) => Promise<{ className: string | null } | { reason: string }>;
  /** The registry reference of the busybox image, or null when none is configured. */
  imageReference: () => string | null;
  limits: Pick<SandboxLimits, "memoryBytes" | "cpuShares">;
  log: Logger;
  /** Requests to Knative Services in flight at once, from every visitor together. */
  maxInFlight?: number;
  statusTtlMs?: number;
  readyTimeoutMs?: number;
  idleTimeoutMs?: number;
  pollMs?: number;
  /** A request to a Knative Service that does not answer in this long fails (a cold Kata pod takes seconds). */
  requestTimeoutMs?: number;
  /** A call to the API server that does not answer in this long fails. */
  apiTimeoutMs?: number;
}

export const knativeUntestedNote =
  "not yet run against a real Knative Serving: tested only against a test double of the Kubernetes API that plays Knative's controller and data plane";

export type { FunctionRequest } from "./knative-request";

export interface FunctionReply extends KnativeAnswer {
  service: string;
  revision: string;
  fromZero: boolean | null;
  upstreamMs: number;
}

const services = { ...knativeGroup, plural: "services" } as const;
const revisions = { ...knativeGroup, plural: "revisions" } as const;
const specAnnotation = "sandbox-playground/spec";

export class KnativeFunctions {
  private detection: { at: number; result: KnativeDetection } | null = null;
  /** runtime id → its Knative Service as this process last saw it. */
  private readonly deployed = new Map<string, KnativeServiceView>();
  private readonly deploying = new Map<string, Promise<KnativeServiceView>>();
  private readonly idling = new Map<string, Promise<{ atZero: boolean; waitedMs: number }>>();
  private inFlight = 0;
  private policyChecked = false;

  constructor(private readonly options: KnativeFunctionsOptions) {}

  async status(): Promise<KnativeStatus> {
    const { cluster, invoke } = this.options;
    const detection = await this.detect();
    return {
      ...detection,
      cluster: cluster.name,
      namespace: cluster.namespace,
      invoke,
      services: [...this.deployed.values()],
      tested: knativeUntestedNote,
    };
  }

  /** Creates or updates the runtime's Knative Service and waits for it to be Ready; concurrent asks share one. */
  async deploy(runtime: string): Promise<KnativeServiceView> {
    const { className } = await this.target(runtime);
    let pending = this.deploying.get(runtime);
    if (!pending) {
      pending = this.apply(runtime, className).finally(() => this.deploying.delete(runtime));
      this.deploying.set(runtime, pending);
    }
    return pending;
  }

  /**
   * Waits until the runtime's revision has no pod left (Knative scaled it to zero), up to idleTimeoutMs;
   * concurrent asks share one wait, so a room waiting asks the API server once a second, not once per visitor.
   */
  async awaitIdle(runtime: string): Promise<{ atZero: boolean; waitedMs: number }> {
    const { revision } = this.deployedFor(runtime);
    let pending = this.idling.get(runtime);
    if (!pending) {
      pending = this.untilZero(revision!).finally(() => this.idling.delete(runtime));
      this.idling.set(runtime, pending);
    }
    return pending;
  }

  private async untilZero(revision: string): Promise<{ atZero: boolean; waitedMs: number }> {
    const started = performance.now();
    const deadline = started + (this.options.idleTimeoutMs ?? 120_000);
    for (;;) {
      const replicas = await this.replicasOf(revision);
      const waitedMs = Math.round(performance.now() - started);
      if (replicas === 0) return { atZero: true, waitedMs };
      if (performance.now() >= deadline) return { atZero: false, waitedMs };
      await pause(this.options.pollMs ?? 1_000);
    }
  }

  /** One request to the runtime's Knative Service, timed from sending it to the last byte of the answer. */
  async invoke(runtime: string, request: FunctionRequest): Promise<FunctionReply> {
    const view = this.deployedFor(runtime);
    const limit = this.options.maxInFlight ?? 32;
    if (this.inFlight >= limit) {
      throw new PlaygroundError(
        "quota",
        "knative",
        `${limit} requests to the cluster's Knative Services are in flight already; try again in a moment.`,
      );
    }
    this.inFlight++;
    try {
      const { name, revision } = view;
      const replicas = await this.replicasOf(revision!).catch(() => null);
      const sent = performance.now();
      const answer = await sendToKnative(
        this.options.cluster,
        this.options.invoke,
        view,
        request,
        this.options.requestTimeoutMs ?? 60_000,
      );
      return {
        ...answer,
        service: name,
        revision: revision!,
        fromZero: replicas === null ? null : replicas === 0,
        upstreamMs: Math.round((performance.now() - sent) * 1000) / 1000,
      };
    } finally {
      this.inFlight--;
    }
  }

  /** Deletes the Knative Services this playground process (host and state folder) made; never rejects. */
  async reap(): Promise<string[]> {
    const { cluster, owner, log } = this.options;
    try {
      const list = KnativeServiceListSchema.parse(
        await this.timed(
          cluster.custom.listNamespacedCustomObject({
            ...services,
            namespace: cluster.namespace,
            labelSelector: ownerSelector(owner),
          }),
        ),
      );
      const removed: string[] = [];
      for (const service of list.items) {
        if (service.metadata.annotations?.[ownerAnnotation] !== owner.description) continue;
        const { name } = service.metadata;
        try {
          await this.timed(
            cluster.custom.deleteNamespacedCustomObject({
              ...services,
              namespace: cluster.namespace,
              name,
            }),
          );
          removed.push(`Knative Service ${cluster.namespace}/${name} on cluster ${cluster.name}`);
        } catch (err) {
          if (statusOf(err) !== 404)
            log.warn({ err, service: name }, "reaping a Knative Service failed");
        }
      }
      return removed;
    } catch (err) {
      // A cluster without Knative has nothing to reap: 404 is the ordinary answer there.
      if (statusOf(err) !== 404) {
        log.warn(
          { err, reason: describeClusterError(err, cluster.server) },
          "could not look for Knative Services an earlier process left on the cluster",
        );
      }
      return [];
    }
  }

  /** At shutdown: deletes the Knative Services this process made, so none outlives the playground; never rejects. */
  async close(): Promise<void> {
    const { cluster, log } = this.options;
    const names = new Set([...this.deployed.values()].map((view) => view.name));
    this.deployed.clear();
    await Promise.all(
      [...names].map((name) =>
        this.timed(
          cluster.custom.deleteNamespacedCustomObject({
            ...services,
            namespace: cluster.namespace,
            name,
          }),
        ).catch((err: unknown) => {
          if (statusOf(err) !== 404)
            log.warn({ err, service: name }, "deleting a Knative Service failed");
        }),
      ),
    );
  }

  private async detect(): Promise<KnativeDetection> {
    const ttl = this.options.statusTtlMs ?? 15_000;
    if (this.detection && performance.now() - this.detection.at < ttl) return this.detection.result;
    const result = await detectKnative({
      cluster: this.options.cluster,
      owner: this.options.owner,
      imageConfigured: this.options.imageReference() !== null,
      timed: (call) => this.timed(call),
    });
    this.detection = { at: performance.now(), result };
    return result;
  }

  private async target(runtime: string): Promise<{ className: string | null }> {
    const detection = await this.detect();
    if (detection.state !== "ready") {
      throw new PlaygroundError(
        "unavailable",
        "knative",
        `${detection.reason}. ${detection.install}`,
      );
    }
    if (!runtime.startsWith(clusterRuntimePrefix)) {
      throw new PlaygroundError(
        "bad_request",
        "knative",
        `${runtime} is not a cluster runtime (k8s:…).`,
      );
    }
    const found = await this.options.classOf(runtime);
    if ("reason" in found) throw new PlaygroundError("unavailable", "knative", found.reason);
    if (found.className !== null && !detection.runtimeClassNames) {
      throw new PlaygroundError(
        "unavailable",
        "knative",
        `${detection.reason}. ${detection.install}`,
      );
    }
    return found;
  }

  private deployedFor(runtime: string): KnativeServiceView {
    const deployed = this.deployed.get(runtime);
    if (!deployed || deployed.state !== "ready") {
      throw new PlaygroundError(
        "unavailable",
        "knative",
        `${runtime} has no Ready Knative Service yet: POST /api/knative/services {"runtime":"${runtime}"} makes one.`,
      );
    }
    return deployed;
  }

  private async apply(runtime: string, className: string | null): Promise<KnativeServiceView> {
    const { cluster, owner, limits, log } = this.options;
    const image = this.options.imageReference();
    if (!image)
      throw new PlaygroundError(
        "unavailable",
        "knative",
        "No busybox image is configured (SBPG_K8S_IMAGES).",
      );
    const fn: KnativeFunction = "hello";
    const body = buildKnativeService({
      fn,
      runtimeClassName: className,
      namespace: cluster.namespace,
      imageReference: image,
      limits,
      owner,
    });
    const specHash = hashSpec(body);
    body.metadata.annotations[specAnnotation] = specHash;
    const { name } = body.metadata;
    const started = performance.now();
    const view = (state: KnativeServiceView["state"], rest: Partial<KnativeServiceView> = {}) => {
      const next: KnativeServiceView = {
        runtime,
        name,
        state,
        url: null,
        revision: null,
        message: null,
        readyMs: null,
        ...rest,
      };
      this.deployed.set(runtime, next);
      return next;
    };
    view("deploying");
    try {
      await this.ensureEgressPolicy();
      const existing = await this.read(name);
      if (!existing) {
        await this.timed(
          cluster.custom.createNamespacedCustomObject({
            ...services,
            namespace: cluster.namespace,
            body,
          }),
        );
        log.info({ service: name, runtimeClass: className }, "created a Knative Service");
      } else if (existing.metadata.annotations?.[specAnnotation] !== specHash) {
        // Another version of the playground (or of the limits) made it: the new spec becomes a new revision.
        await this.timed(
          cluster.custom.replaceNamespacedCustomObject({
            ...services,
            namespace: cluster.namespace,
            name,
            body: {
              ...body,
              metadata: { ...body.metadata, resourceVersion: existing.metadata.resourceVersion },
            },
          }),
        );
        log.info({ service: name, runtimeClass: className }, "updated a Knative Service");
      }
    } catch (err) {
      const reason =
        err instanceof PlaygroundError ? err.message : describeClusterError(err, cluster.server);
      view("failed", { message: reason });
      if (err instanceof PlaygroundError) throw err;
      throw new PlaygroundError(
        "bad_gateway",
        "knative",
        `The cluster did not take the Knative Service ${name}: ${reason}`,
        {
          cause: err,
        },
      );
    }
    const deadline = started + (this.options.readyTimeoutMs ?? 120_000);
    for (;;) {
      const current = await this.read(name).catch(() => null);
      const readiness = current
        ? readinessOf(current)
        : { state: "deploying" as const, message: null };
      const readyMs = Math.round(performance.now() - started);
      if (readiness.state === "ready") {
        return view("ready", { url: readiness.url, revision: readiness.revision, readyMs });
      }
      if (readiness.state === "failed") {
        view("failed", { message: readiness.message });
        throw new PlaygroundError(
          "bad_gateway",
          "knative",
          `Knative Service ${name} failed: ${readiness.message}`,
        );
      }
      if (performance.now() >= deadline) {
        const message = `not Ready after ${Math.round(readyMs / 1000)} s${readiness.message ? `: ${readiness.message}` : ""}`;
        view("failed", { message });
        throw new PlaygroundError(
          "bad_gateway",
          "knative",
          `Knative Service ${name} is ${message}`,
        );
      }
      view("deploying", { message: readiness.message });
      await pause(this.options.pollMs ?? 500);
    }
  }

  private async read(name: string) {
    const { cluster } = this.options;
    try {
      return KnativeServiceSchema.parse(
        await this.timed(
          cluster.custom.getNamespacedCustomObject({
            ...services,
            namespace: cluster.namespace,
            name,
          }),
        ),
      );
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  private async replicasOf(revision: string): Promise<number | null> {
    const { cluster } = this.options;
    const parsed = KnativeRevisionSchema.parse(
      await this.timed(
        cluster.custom.getNamespacedCustomObject({
          ...revisions,
          namespace: cluster.namespace,
          name: revision,
        }),
      ),
    );
    return parsed.status?.actualReplicas ?? null;
  }

  private timed<T>(call: Promise<T>): Promise<T> {
    return timeout(call, this.options.apiTimeoutMs ?? 5_000);
  }

  private async ensureEgressPolicy(): Promise<void> {
    if (this.policyChecked) return;
    const { cluster } = this.options;
    try {
      await this.timed(
        cluster.networking.createNamespacedNetworkPolicy({
          namespace: cluster.namespace,
          body: buildFunctionEgressPolicy(cluster.namespace),
        }),
      );
    } catch (err) {
      if (statusOf(err) !== 409) {
        throw new PlaygroundError(
          "unavailable",
          "knative",
          `the NetworkPolicy ${functionEgressPolicyName} could not be made: ${describeClusterError(err, cluster.server)}; no function is served with a network`,
          { cause: err },
        );
      }
    }
    this.policyChecked = true;
  }
}

/** A call the API server does not answer in this long fails: the page must not hang on a cluster. */
function timeout<T>(call: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    call,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function hashSpec(body: KnativeServiceBody): string {
  return createHash("sha256").update(JSON.stringify(body.spec)).digest("hex").slice(0, 16);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
