// Serverless on the cluster's Knative Serving: is it there (and may a service name a RuntimeClass), one Knative
// Service per RuntimeClass made and awaited, requests sent to it, its scale to zero awaited, and the reaper.
import { createHash } from "node:crypto";
import http from "node:http";
import https from "node:https";
import { performance } from "node:perf_hooks";
import { z } from "zod";
import type {
  FeatureFlag,
  KnativeInvoke,
  KnativeServiceView,
  KnativeStatus,
} from "../../../lib/api/knative";
import { clusterRuntimePrefix } from "../../../lib/api/runtime-ids";
import type { SandboxLimits } from "../../engine/driver";
import { PlaygroundError } from "../../errors/playground-error";
import type { Logger } from "../../log/logger";
import { describeClusterError, statusOf, type ClusterClient } from "./cluster-client";
import {
  buildFunctionEgressPolicy,
  buildKnativeService,
  functionEgressPolicyName,
  knativeFeaturesConfigMap,
  knativeGroup,
  KnativeRevisionSchema,
  KnativeServiceListSchema,
  KnativeServiceSchema,
  readinessOf,
  runtimeClassFlag,
  type KnativeFunction,
  type KnativeServiceBody,
} from "./knative-service";
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

/** The request as the gateway hands it on: method, path and query, end-to-end headers, body. */
export interface FunctionRequest {
  method: string;
  target: string;
  headers: Array<[string, string]>;
  body: Buffer;
}

export interface FunctionReply {
  status: number;
  statusText: string;
  headers: Array<[string, string]>;
  body: Buffer;
  service: string;
  revision: string;
  fromZero: boolean | null;
  upstreamMs: number;
}

type Detection = Omit<KnativeStatus, "services" | "tested" | "cluster" | "namespace" | "invoke">;

const services = { ...knativeGroup, plural: "services" } as const;
const revisions = { ...knativeGroup, plural: "revisions" } as const;
const specAnnotation = "sandbox-playground/spec";
const knativeDocs = "docs/kubernetes.md, Serverless on Knative";
const maxReplyBytes = 256 * 1024;

export class KnativeFunctions {
  private detection: { at: number; result: Detection } | null = null;
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
      const answer = await this.send(view, request);
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

  private async detect(): Promise<Detection> {
    const ttl = this.options.statusTtlMs ?? 15_000;
    if (this.detection && performance.now() - this.detection.at < ttl) return this.detection.result;
    const result = await this.probe();
    this.detection = { at: performance.now(), result };
    return result;
  }

  private async probe(): Promise<Detection> {
    const { cluster, owner } = this.options;
    const unavailable = (reason: string, install: string): Detection => ({
      state: "unavailable",
      reason,
      install,
      runtimeClassFlag: "unknown",
      runtimeClassNames: false,
      notes: [],
    });
    if (!this.options.imageReference()) {
      return unavailable(
        "no busybox image the cluster can pull is configured",
        "Name it in SBPG_K8S_IMAGES (docs/kubernetes.md).",
      );
    }
    // Served and permitted in one call: 404 when the cluster has no serving.knative.dev/v1 services, 403 when
    // the playground's Role lacks them.
    try {
      await this.timed(
        cluster.custom.listNamespacedCustomObject({
          ...services,
          namespace: cluster.namespace,
          labelSelector: ownerSelector(owner),
          limit: 1,
        }),
      );
    } catch (err) {
      const status = statusOf(err);
      if (status === 404) {
        return unavailable(
          `cluster ${cluster.name} does not serve the serving.knative.dev/v1 API (services): Knative Serving is not installed`,
          `Install Knative Serving and a networking layer (${knativeDocs}).`,
        );
      }
      if (status === 403 || status === 401) {
        return unavailable(
          `cluster ${cluster.name}: ${describeClusterError(err, cluster.server)}`,
          `Give the playground's account the Knative rules of the Role in ${knativeDocs}.`,
        );
      }
      return unavailable(
        `cluster ${cluster.name}: ${describeClusterError(err, cluster.server)}`,
        "Check SBPG_KUBECONFIG and that the cluster's API server runs and is reachable from this host.",
      );
    }
    const flag = await this.readRuntimeClassFlag();
    const notes = flag.note ? [flag.note] : [];
    const runtimeClassNames = flag.value !== "disabled";
    return {
      state: "ready",
      reason: runtimeClassNames
        ? null
        : `Knative's ${runtimeClassFlag} is disabled: a Knative Service may not name a RuntimeClass, so only the cluster's default runtime (k8s:default) can be served`,
      install: runtimeClassNames
        ? null
        : `kubectl patch configmap ${knativeFeaturesConfigMap.name} -n ${knativeFeaturesConfigMap.namespace} --type merge -p '{"data":{"${runtimeClassFlag}":"enabled"}}' (${knativeDocs}).`,
      runtimeClassFlag: flag.value,
      runtimeClassNames,
      notes,
    };
  }

  private async readRuntimeClassFlag(): Promise<{ value: FeatureFlag; note: string | null }> {
    const { cluster } = this.options;
    const where = `${knativeFeaturesConfigMap.namespace}/${knativeFeaturesConfigMap.name}`;
    try {
      const map = await this.timed(cluster.core.readNamespacedConfigMap(knativeFeaturesConfigMap));
      const raw = map.data?.[runtimeClassFlag]?.trim().toLowerCase();
      // Knative's own default for the flag.
      if (raw === undefined)
        return { value: "disabled", note: `${where} does not set ${runtimeClassFlag}` };
      const parsed = z.enum(["enabled", "allowed", "disabled"]).safeParse(raw);
      return parsed.success
        ? { value: parsed.data, note: null }
        : {
            value: "unknown",
            note: `${where} sets ${runtimeClassFlag} to "${raw}", which Knative does not know`,
          };
    } catch (err) {
      const status = statusOf(err);
      if (status === 404)
        return { value: "disabled", note: `${where} does not exist: Knative's defaults hold` };
      return {
        value: "unknown",
        note:
          status === 403
            ? `RBAC forbids reading ${where} (403): whether ${runtimeClassFlag} is enabled is unknown; a service on a RuntimeClass fails with Knative's own message if it is not (${knativeDocs})`
            : `${where} could not be read: ${describeClusterError(err, cluster.server)}`,
      };
    }
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

  /** Through status.url, or the API server's proxy to the revision's Service (which Knative points at the activator while at zero). */
  private async send(
    view: KnativeServiceView,
    request: FunctionRequest,
  ): Promise<Pick<FunctionReply, "status" | "statusText" | "headers" | "body">> {
    const { cluster, invoke } = this.options;
    const timeoutMs = this.options.requestTimeoutMs ?? 60_000;
    const headers: Record<string, string> = Object.fromEntries(request.headers);
    let url: URL;
    const options: https.RequestOptions = { method: request.method, timeout: timeoutMs };
    if (invoke === "url") {
      if (!view.url)
        throw new PlaygroundError("bad_gateway", "knative", `${view.name} has no status.url.`);
      url = new URL(request.target, view.url);
    } else {
      url = new URL(
        `/api/v1/namespaces/${cluster.namespace}/services/${view.revision}:http/proxy${request.target}`,
        cluster.server,
      );
      // What Knative's ingress adds for the activator, which serves a revision at zero by these.
      headers["knative-serving-namespace"] = cluster.namespace;
      headers["knative-serving-revision"] = view.revision!;
      await cluster.config.applyToHTTPSOptions(options);
    }
    options.headers = { ...(options.headers as Record<string, string> | undefined), ...headers };
    if (request.body.length > 0) options.headers["content-length"] = String(request.body.length);
    const transport = url.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
      const failed = (err: Error) =>
        reject(
          new PlaygroundError(
            "bad_gateway",
            "knative",
            `${view.name} did not answer: ${err.message}`,
            { cause: err },
          ),
        );
      const req = transport.request(url, options, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxReplyBytes)
            req.destroy(new Error(`its reply is larger than ${maxReplyBytes} bytes`));
          else chunks.push(chunk);
        });
        res.on("error", failed);
        res.on("end", () => {
          const pairs: Array<[string, string]> = [];
          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2)
            pairs.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
          resolve({
            status: res.statusCode ?? 502,
            statusText: res.statusMessage ?? "",
            headers: pairs,
            body: Buffer.concat(chunks),
          });
        });
      });
      req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on("error", failed);
      req.end(request.body);
    });
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
