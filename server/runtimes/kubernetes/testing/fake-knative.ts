// For the kubernetes backend's unit tests only: the API server test double's Knative Serving. It serves
// serving.knative.dev/v1 Services and Revisions and knative-serving's config-features, plays Knative's controller
// (Ready conditions, a revision per generation, scale to zero) and data plane (each service's own address as its
// status.url, and the API server's service proxy to a revision) with a scripted function: no real Knative.
import http from "node:http";
import type { AddressInfo } from "node:net";

type Json = Record<string, any>;

export interface FakeKnativeOptions {
  /** knative-serving/config-features' data; "forbidden": reading it is 403; null: the ConfigMap does not exist. */
  features: Record<string, string> | "forbidden" | null;
  /** How long a revision at zero takes to answer its first request (the pod's start). */
  coldStartMs?: number;
  /** A revision without requests this long scales to zero. */
  scaleToZeroAfterMs?: number;
}

/** One request a Knative Service's function received. */
export interface FunctionRequestRecord {
  service: string;
  revision: string;
  /** "url": through the service's status.url; "api-proxy": through the API server's service proxy. */
  via: "url" | "api-proxy";
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The revision had no pod when it arrived. */
  cold: boolean;
}

interface KnativeRevision {
  name: string;
  service: string;
  actualReplicas: number;
  idle?: NodeJS.Timeout;
}
export interface FakeKnativeContext {
  namespace: string;
  runtimeClasses: Json[];
  options: FakeKnativeOptions;
  /** The API server forbids Knative's resources (the double's "forbid-knative" mode). */
  forbidden: () => boolean;
  later: (ms: number, step: () => void) => void;
  nextRv: () => string;
  now: () => string;
  send: (res: http.ServerResponse, code: number, body: unknown) => void;
  status: (res: http.ServerResponse, code: number, reason: string, message: string) => void;
  readJson: (req: http.IncomingMessage) => Promise<Json>;
  matchesLabels: (object: Json, selector: string | null) => boolean;
  /** The double's timers, all cleared when it closes. */
  timers: Set<NodeJS.Timeout>;
}

const stepMs = 5;

export function createFakeKnative(ctx: FakeKnativeContext) {
  const { namespace, later, nextRv, now, send, status, readJson, matchesLabels, timers } = ctx;
  const knative = ctx.options;
  const createdKnativeServices: Json[] = [];
  const knativeServices = new Map<string, Json>();
  const revisions = new Map<string, KnativeRevision>();
  const functionRequests: FunctionRequestRecord[] = [];
  const functionServers = new Set<http.Server>();

  const knativePath = `/apis/serving.knative.dev/v1/namespaces/${namespace}`;
  const featuresPath = "/api/v1/namespaces/knative-serving/configmaps/config-features";
  const proxyPattern = new RegExp(
    `^/api/v1/namespaces/${namespace}/services/([^/:]+):http/proxy(/.*)?$`,
  );

  const flagAllows = (knative: FakeKnativeOptions, flag: string) => {
    const value = knative.features === "forbidden" ? "enabled" : knative.features?.[flag];
    return value === "enabled" || value === "allowed";
  };

  /** Knative's controller: a new generation becomes a new revision, Ready once its first pod would run. */
  function reconcile(name: string, knative: FakeKnativeOptions) {
    later(stepMs * 2, () => {
      const service = knativeServices.get(name);
      if (!service) return;
      const generation: number = service.metadata.generation;
      const revisionName = `${name}-${String(generation).padStart(5, "0")}`;
      const className: string | undefined = service.spec.template.spec.runtimeClassName;
      const known = !className || ctx.runtimeClasses.some((rc) => rc.metadata.name === className);
      const ready = (value: "True" | "False", reason?: string, message?: string) => [
        {
          type: "ConfigurationsReady",
          status: value,
          lastTransitionTime: now(),
          ...(reason && { reason, message }),
        },
        {
          type: "Ready",
          status: value,
          lastTransitionTime: now(),
          ...(reason && { reason, message }),
        },
        { type: "RoutesReady", status: value, lastTransitionTime: now() },
      ];
      if (!known) {
        service.status = {
          observedGeneration: generation,
          latestCreatedRevisionName: revisionName,
          conditions: ready(
            "False",
            "RevisionFailed",
            `Revision "${revisionName}" failed with message: pods "${revisionName}-deployment-0" is forbidden: pod rejected: RuntimeClass "${className}" not found.`,
          ),
        };
        service.metadata.resourceVersion = nextRv();
        return;
      }
      const revision: KnativeRevision = { name: revisionName, service: name, actualReplicas: 1 };
      revisions.set(revisionName, revision);
      idleLater(revision, knative);
      service.status = {
        observedGeneration: generation,
        url: service.status?.url,
        address: { url: `http://${name}.${namespace}.svc.cluster.local` },
        latestCreatedRevisionName: revisionName,
        latestReadyRevisionName: revisionName,
        conditions: ready("True"),
      };
      service.metadata.resourceVersion = nextRv();
    });
  }

  function idleLater(revision: KnativeRevision, knative: FakeKnativeOptions) {
    if (revision.idle) clearTimeout(revision.idle);
    const timer = setTimeout(() => {
      timers.delete(timer);
      revision.actualReplicas = 0;
    }, knative.scaleToZeroAfterMs ?? 60_000);
    timers.add(timer);
    revision.idle = timer;
  }

  /** The function behind a revision: it answers as the hello function does, after a cold start if at zero. */
  async function serveFunction(
    revision: KnativeRevision,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    via: "url" | "api-proxy",
    target: string,
    knative: FakeKnativeOptions,
  ) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const cold = revision.actualReplicas === 0;
    if (cold) {
      await new Promise((resolve) => setTimeout(resolve, knative.coldStartMs ?? 50));
      revision.actualReplicas = 1;
    }
    functionRequests.push({
      service: revision.service,
      revision: revision.name,
      via,
      method: req.method ?? "GET",
      path: target,
      headers: req.headers,
      cold,
    });
    idleLater(revision, knative);
    const body = JSON.stringify({
      hello: "from a Knative Service",
      kernel: "test-double",
      hostname: `${revision.name}-deployment-0`,
      method: req.method,
      path: target,
      bodyBytes: Buffer.concat(chunks).length,
    });
    res.writeHead(200, { "content-type": "application/json", "x-function": "hello" });
    res.end(body);
  }

  async function handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    method: string,
  ): Promise<boolean> {
    const forbidden = () =>
      status(
        res,
        403,
        "Forbidden",
        `services.serving.knative.dev is forbidden: User "system:serviceaccount:${namespace}:playground" cannot ${method.toLowerCase()} resource "services" in API group "serving.knative.dev" in the namespace "${namespace}"`,
      );
    if (url.pathname === featuresPath && method === "GET") {
      if (knative.features === "forbidden") {
        status(
          res,
          403,
          "Forbidden",
          `configmaps "config-features" is forbidden: User "system:serviceaccount:${namespace}:playground" cannot get resource "configmaps" in API group "" in the namespace "knative-serving"`,
        );
      } else if (knative.features === null) {
        status(res, 404, "NotFound", `configmaps "config-features" not found`);
      } else {
        send(res, 200, {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "config-features", namespace: "knative-serving" },
          data: knative.features,
        });
      }
      return true;
    }
    const proxied = proxyPattern.exec(url.pathname);
    if (proxied) {
      const revision = revisions.get(proxied[1]!);
      // The activator finds the revision by the headers Knative's ingress would have added.
      if (!revision || req.headers["knative-serving-revision"] !== revision.name) {
        status(
          res,
          503,
          "ServiceUnavailable",
          `no endpoints available for service "${proxied[1]}"`,
        );
        return true;
      }
      await serveFunction(
        revision,
        req,
        res,
        "api-proxy",
        `${proxied[2] ?? "/"}${url.search}`,
        knative,
      );
      return true;
    }
    if (url.pathname === `${knativePath}/services`) {
      if (ctx.forbidden()) return (forbidden(), true);
      if (method === "GET") {
        const selector = url.searchParams.get("labelSelector");
        const limit = Number(url.searchParams.get("limit") ?? "0");
        const items = [...knativeServices.values()].filter((s) => matchesLabels(s, selector));
        send(res, 200, {
          apiVersion: "serving.knative.dev/v1",
          kind: "ServiceList",
          metadata: {},
          items: limit ? items.slice(0, limit) : items,
        });
        return true;
      }
      if (method === "POST") {
        const body = await readJson(req);
        createdKnativeServices.push(structuredClone(body));
        const name = body.metadata?.name;
        if (typeof name !== "string" || !/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/.test(name)) {
          status(res, 422, "Invalid", `Service "${name}" is invalid: metadata.name`);
          return true;
        }
        if (knativeServices.has(name)) {
          status(
            res,
            409,
            "AlreadyExists",
            `services.serving.knative.dev "${name}" already exists`,
          );
          return true;
        }
        if (
          body.spec?.template?.spec?.runtimeClassName &&
          !flagAllows(knative, "kubernetes.podspec-runtimeclassname")
        ) {
          status(
            res,
            400,
            "BadRequest",
            'admission webhook "validation.webhook.serving.knative.dev" denied the request: validation failed: must not set the field(s): spec.template.spec.runtimeClassName',
          );
          return true;
        }
        const service = {
          ...body,
          metadata: {
            ...body.metadata,
            namespace,
            uid: `uid-${name}`,
            generation: 1,
            creationTimestamp: now(),
          },
          status: {
            observedGeneration: 1,
            url: `http://127.0.0.1:${await listenFor(name, knative)}`,
            conditions: [{ type: "Ready", status: "Unknown", reason: "RevisionMissing" }],
          },
        };
        service.metadata.resourceVersion = nextRv();
        knativeServices.set(name, service);
        reconcile(name, knative);
        send(res, 201, service);
        return true;
      }
    }
    const one = new RegExp(`^${knativePath}/(services|revisions)/([^/]+)$`).exec(url.pathname);
    if (!one) return false;
    if (ctx.forbidden()) return (forbidden(), true);
    const [, kind, name] = one;
    if (kind === "revisions") {
      const revision = revisions.get(name!);
      if (revision && method === "GET") {
        send(res, 200, {
          apiVersion: "serving.knative.dev/v1",
          kind: "Revision",
          metadata: { name, namespace },
          status: {
            actualReplicas: revision.actualReplicas,
            desiredReplicas: revision.actualReplicas,
          },
        });
      } else status(res, 404, "NotFound", `revisions.serving.knative.dev "${name}" not found`);
      return true;
    }
    const service = knativeServices.get(name!);
    if (!service) {
      status(res, 404, "NotFound", `services.serving.knative.dev "${name}" not found`);
      return true;
    }
    if (method === "GET") send(res, 200, service);
    else if (method === "PUT") {
      const body = await readJson(req);
      createdKnativeServices.push(structuredClone(body));
      if (body.metadata?.resourceVersion !== service.metadata.resourceVersion) {
        status(
          res,
          409,
          "Conflict",
          `Operation cannot be fulfilled on services.serving.knative.dev "${name}": the object has been modified`,
        );
        return true;
      }
      const generation = service.metadata.generation + 1;
      Object.assign(service, { spec: body.spec });
      service.metadata = {
        ...service.metadata,
        ...body.metadata,
        generation,
        resourceVersion: nextRv(),
      };
      service.status = {
        ...service.status,
        conditions: [{ type: "Ready", status: "Unknown", reason: "RevisionMissing" }],
      };
      reconcile(name!, knative);
      send(res, 200, service);
    } else if (method === "DELETE") {
      knativeServices.delete(name!);
      for (const [revisionName, revision] of revisions)
        if (revision.service === name) revisions.delete(revisionName);
      send(res, 200, { kind: "Status", apiVersion: "v1", status: "Success", details: { name } });
    } else return false;
    return true;
  }

  /** The service's own address, as a cluster-local URL would be: requests to it reach its latest revision. */
  async function listenFor(name: string, knative: FakeKnativeOptions): Promise<number> {
    const server = http.createServer((req, res) => {
      const service = knativeServices.get(name);
      const revision = revisions.get(service?.status?.latestReadyRevisionName ?? "");
      if (!revision) {
        res.writeHead(404).end();
        return;
      }
      void serveFunction(revision, req, res, "url", req.url ?? "/", knative);
    });
    functionServers.add(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return (server.address() as AddressInfo).port;
  }

  return {
    handle,
    createdKnativeServices,
    knativeServices: () => [...knativeServices.values()],
    seedKnativeService(service: Json) {
      knativeServices.set(service.metadata.name, {
        ...service,
        metadata: { ...service.metadata, generation: 1, resourceVersion: nextRv() },
      });
    },
    functionRequests,
    scaleToZero(revision: string) {
      const found = revisions.get(revision);
      if (found) found.actualReplicas = 0;
    },
    close() {
      for (const server of functionServers) {
        server.closeAllConnections();
        server.close();
      }
    },
  };
}
