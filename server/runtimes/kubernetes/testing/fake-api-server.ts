// For the kubernetes backend's unit tests only: a small real HTTP server that answers as a Kubernetes API server
// does (v1 shapes, watches as JSON lines, log follow as a chunked body, v1 Status errors) and plays the
// scheduler and kubelet for the pods it is given, by a script: it runs no container. Exec (pods/exec) is a
// websocket of the channel subprotocols (v5.channel.k8s.io, v4.channel.k8s.io), its commands scripted too.
// With `knative`, it also serves serving.knative.dev/v1 Services and Revisions and knative-serving's
// config-features, and plays Knative's controller (Ready conditions, revisions, scale to zero) and data plane
// (status.url, and the API server's service proxy to a revision) with a scripted function (fake-knative.ts).
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { WebSocketServer, type WebSocket } from "ws";
import {
  createFakeKnative,
  type FakeKnativeOptions,
  type FunctionRequestRecord,
} from "./fake-knative";

export type { FakeKnativeOptions, FunctionRequestRecord } from "./fake-knative";

type Json = Record<string, any>;

export interface PodScript {
  /** What the container writes, chunk by chunk. */
  output?: string[];
  exitCode?: number;
  /** The container never starts: the kubelet waits with this reason (e.g. "ErrImagePull"). */
  waitingReason?: string;
  /** The container keeps running until the pod is deleted. */
  runUntilDeleted?: boolean;
  /** The scheduler never places the pod. */
  unschedulable?: boolean;
}

/** What one exec does: writes `stdout`/`stderr`, then ends with `exitCode`; `echo` sends stdin back on stdout until stdin closes or the client hangs up. */
export interface ExecScript {
  /** Frames apart when an array (a character may be split across two). */
  stdout?: string | Buffer[];
  stderr?: string;
  exitCode?: number;
  echo?: boolean;
}

/** One exec as the API server received it. */
export interface ExecRecord {
  pod: string;
  container: string | null;
  command: string[];
  stdin: boolean;
  stdout: boolean;
  tty: boolean;
  /** The subprotocol agreed. */
  protocol: string;
  /** Channel 4 frames, parsed. */
  resizes: Json[];
  /** Everything received on channel 0. */
  input: string;
  closed: boolean;
}

export interface FakeApiServerOptions {
  /** Knative Serving installed; absent: the serving.knative.dev API is not served (404). */
  knative?: FakeKnativeOptions;
  namespace: string;
  runtimeClasses: Json[];
  /** What each created pod does; default: prints nothing and exits 0. */
  script?: (pod: Json) => PodScript;
  /** What each exec does; default: echo. */
  exec?: (command: string[], tty: boolean) => ExecScript;
  /** The exec subprotocols this server speaks, best first (an older one speaks only v4.channel.k8s.io). */
  execProtocols?: string[];
}

export interface FakeApiServer {
  url: string;
  kubeconfigPath: string;
  /** Every request as "METHOD path?query". */
  requests: string[];
  /** The bodies of the pods created, as received. */
  createdPods: Json[];
  deletedPods: string[];
  networkPolicies: Map<string, Json>;
  execs: ExecRecord[];
  /** Pods that exist now. */
  livePods(): Json[];
  /** Adds a pod as if another client had made it (e.g. a crashed playground). */
  seedPod(pod: Json): void;
  /**
   * Ends every open pod watch, as an API server does at its watch timeout or a restart; with `expire`, a
   * watch from an older resourceVersion is then answered 410 Gone, as after etcd compacted it; with
   * `refuse`, every later pod watch is closed at once, as by a proxy that drops long requests.
   */
  closeWatches(options?: { expire?: boolean; refuse?: boolean }): void;
  /** Ends a running pod's container as the kubelet does past activeDeadlineSeconds: phase Failed, DeadlineExceeded. */
  expirePod(name: string): void;
  /** Ends every open log stream while its container still runs, as a kubelet restart does. */
  dropLogs(): void;
  /**
   * "forbidden": every request is answered 403, as for an account without the playground's roles;
   * "forbid-exec": only pods/exec is, as for a Role without it.
   */
  setMode(mode: "ok" | "forbidden" | "forbid-exec" | "forbid-knative"): void;
  /** The Knative Services as received by create or replace. */
  createdKnativeServices: Json[];
  /** Knative Services that exist now, as the API server has them. */
  knativeServices(): Json[];
  /** Adds a Knative Service as if another client had made it (e.g. a crashed playground). */
  seedKnativeService(service: Json): void;
  functionRequests: FunctionRequestRecord[];
  /** Scales a revision to zero now, as the autoscaler does past its window and grace period. */
  scaleToZero(revision: string): void;
  close(): Promise<void>;
}

const token = "test-double-token";

const stepMs = 5;

interface PodRecord {
  pod: Json;
  history: Array<{ rv: number; type: string; object: Json }>;
  events: Json[];
  output: string[];
  started: boolean;
  ended: boolean;
  logFollowers: Set<http.ServerResponse>;
}

export async function startFakeApiServer(options: FakeApiServerOptions): Promise<FakeApiServer> {
  const { namespace } = options;
  let resourceVersion = 1000;
  let mode: "ok" | "forbidden" | "forbid-exec" | "forbid-knative" = "ok";
  /** Watches from a resourceVersion at or below this get 410 Gone. */
  let compactedUpTo = 0;
  let refuseWatches = false;
  const requests: string[] = [];
  const createdPods: Json[] = [];
  const deletedPods: string[] = [];
  const networkPolicies = new Map<string, Json>();
  const execs: ExecRecord[] = [];
  const pods = new Map<string, PodRecord>();
  const podWatchers = new Set<{ name: string; res: http.ServerResponse }>();
  const eventWatchers = new Set<{ name: string; res: http.ServerResponse }>();
  const timers = new Set<NodeJS.Timeout>();

  const later = (ms: number, step: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      step();
    }, ms);
    timers.add(timer);
  };
  const nextRv = () => String(++resourceVersion);
  const now = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const microNow = () => new Date().toISOString().replace("Z", "000Z");

  function publish(record: PodRecord, type: "ADDED" | "MODIFIED" | "DELETED") {
    record.pod.metadata.resourceVersion = nextRv();
    const object = structuredClone(record.pod);
    record.history.push({ rv: Number(object.metadata.resourceVersion), type, object });
    for (const watcher of podWatchers) {
      if (watcher.name === object.metadata.name)
        watcher.res.write(`${JSON.stringify({ type, object })}\n`);
    }
  }

  function emitEvent(record: PodRecord, event: Json) {
    const full = {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: `${record.pod.metadata.name}.${resourceVersion}`, namespace },
      involvedObject: {
        apiVersion: "v1",
        kind: "Pod",
        name: record.pod.metadata.name,
        namespace,
        uid: record.pod.metadata.uid,
      },
      type: "Normal",
      eventTime: null,
      firstTimestamp: now(),
      lastTimestamp: now(),
      count: 1,
      ...event,
    };
    record.events.push(full);
    for (const watcher of eventWatchers) {
      if (watcher.name === record.pod.metadata.name)
        watcher.res.write(`${JSON.stringify({ type: "ADDED", object: full })}\n`);
    }
  }

  function writeOutput(record: PodRecord, chunk: string) {
    record.output.push(chunk);
    for (const res of record.logFollowers) res.write(chunk);
  }

  function endLogs(record: PodRecord) {
    record.ended = true;
    for (const res of record.logFollowers) res.end();
    record.logFollowers.clear();
  }

  function condition(type: string, status = "True", reason?: string) {
    return {
      type,
      status,
      lastProbeTime: null,
      lastTransitionTime: now(),
      ...(reason && { reason }),
    };
  }

  /** The scheduler and the kubelet, by the script. */
  function play(record: PodRecord, script: PodScript) {
    const { pod } = record;
    const container = pod.spec.containers[0].name;
    const status: Json = (pod.status = {
      phase: "Pending",
      conditions: [] as Json[],
      qosClass: "Guaranteed",
    });
    const alive = () => pods.get(pod.metadata.name) === record && !pod.metadata.deletionTimestamp;
    later(stepMs, () => {
      if (!alive()) return;
      if (script.unschedulable) {
        status.conditions.push(condition("PodScheduled", "False", "Unschedulable"));
        publish(record, "MODIFIED");
        emitEvent(record, {
          type: "Warning",
          reason: "FailedScheduling",
          message: "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.",
          reportingComponent: "default-scheduler",
          eventTime: microNow(),
        });
        return;
      }
      pod.spec.nodeName = "node-1";
      status.conditions.push(condition("PodScheduled"));
      publish(record, "MODIFIED");
      emitEvent(record, {
        reason: "Scheduled",
        message: `Successfully assigned ${namespace}/${pod.metadata.name} to node-1`,
        reportingComponent: "default-scheduler",
        source: {},
        eventTime: microNow(),
        firstTimestamp: null,
        lastTimestamp: null,
      });
      later(stepMs, () => {
        if (!alive()) return;
        status.conditions.push(condition("PodReadyToStartContainers"));
        if (script.waitingReason) {
          Object.assign(status, {
            containerStatuses: [
              {
                name: container,
                ready: false,
                restartCount: 0,
                image: pod.spec.containers[0].image,
                state: {
                  waiting: {
                    reason: script.waitingReason,
                    message: `failed to pull image "${pod.spec.containers[0].image}": not found`,
                  },
                },
              },
            ],
          });
          publish(record, "MODIFIED");
          emitEvent(record, {
            type: "Warning",
            reason: "Failed",
            message: `Error: ${script.waitingReason}`,
            source: { component: "kubelet", host: "node-1" },
          });
          return;
        }
        emitEvent(record, {
          reason: "Pulled",
          message: `Container image "${pod.spec.containers[0].image}" already present on machine`,
          source: { component: "kubelet", host: "node-1" },
        });
        emitEvent(record, {
          reason: "Created",
          message: `Created container ${container}`,
          source: { component: "kubelet", host: "node-1" },
        });
        const startedAt = now();
        record.started = true;
        Object.assign(status, {
          phase: "Running",
          startTime: startedAt,
          containerStatuses: [
            {
              name: container,
              ready: true,
              started: true,
              restartCount: 0,
              image: pod.spec.containers[0].image,
              state: { running: { startedAt } },
            },
          ],
        });
        publish(record, "MODIFIED");
        emitEvent(record, {
          reason: "Started",
          message: `Started container ${container}`,
          source: { component: "kubelet", host: "node-1" },
        });
        const output = script.output ?? [];
        // Each write after the one before: timers of different delays fire out of order on a busy machine.
        const writeFrom = (index: number) =>
          later(stepMs, () => {
            if (!alive()) return;
            if (index < output.length) {
              writeOutput(record, output[index]!);
              writeFrom(index + 1);
            } else if (!script.runUntilDeleted) exit();
          });
        writeFrom(0);
        const exit = () => {
          const exitCode = script.exitCode ?? 0;
          status.phase = exitCode === 0 ? "Succeeded" : "Failed";
          status.containerStatuses[0].ready = false;
          status.containerStatuses[0].state = {
            terminated: {
              exitCode,
              reason: exitCode === 0 ? "Completed" : "Error",
              startedAt,
              finishedAt: now(),
              containerID: `containerd://${pod.metadata.uid}`,
            },
          };
          endLogs(record);
          publish(record, "MODIFIED");
        };
      });
    });
  }

  const send = (res: http.ServerResponse, code: number, body: unknown) => {
    res.writeHead(code, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const status = (res: http.ServerResponse, code: number, reason: string, message: string) =>
    send(res, code, {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message,
      reason,
      code,
    });

  const matchesLabels = (pod: Json, selector: string | null) =>
    !selector ||
    selector.split(",").every((term) => {
      const [key, value] = term.split("=");
      return pod.metadata.labels?.[key!] === value;
    });

  async function readJson(req: http.IncomingMessage): Promise<Json> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as Json;
  }

  const knative = options.knative
    ? createFakeKnative({
        namespace,
        runtimeClasses: options.runtimeClasses,
        options: options.knative,
        forbidden: () => mode === "forbid-knative",
        later,
        nextRv,
        now,
        send,
        status,
        readJson,
        matchesLabels,
        timers,
      })
    : null;

  const podsPath = `/api/v1/namespaces/${namespace}/pods`;
  const policiesPath = `/apis/networking.k8s.io/v1/namespaces/${namespace}/networkpolicies`;

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? "/", "http://double");
    const method = req.method ?? "GET";
    requests.push(`${method} ${url.pathname}${url.search}`);
    if (req.headers.authorization !== `Bearer ${token}`) {
      return status(res, 401, "Unauthorized", "Unauthorized");
    }
    if (mode === "forbidden") {
      return status(
        res,
        403,
        "Forbidden",
        `${url.pathname} is forbidden: User "system:serviceaccount:${namespace}:playground" cannot ${method.toLowerCase()} it`,
      );
    }
    const watch = url.searchParams.get("watch") === "true";
    const fieldName = (key: string) =>
      url.searchParams
        .get("fieldSelector")
        ?.split(",")
        .map((term) => term.split("="))
        .find(([k]) => k === key)?.[1] ?? "";

    if (method === "GET" && url.pathname === "/apis/node.k8s.io/v1/runtimeclasses") {
      return send(res, 200, {
        kind: "RuntimeClassList",
        apiVersion: "node.k8s.io/v1",
        metadata: { resourceVersion: String(resourceVersion) },
        items: options.runtimeClasses.map((rc) => ({
          apiVersion: "node.k8s.io/v1",
          kind: "RuntimeClass",
          ...rc,
        })),
      });
    }
    if (url.pathname === podsPath && method === "POST") {
      const body = await readJson(req);
      createdPods.push(structuredClone(body));
      const name = body.metadata?.name;
      if (typeof name !== "string" || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name))
        return status(res, 422, "Invalid", `Pod "${name}" is invalid: metadata.name`);
      if (pods.has(name)) return status(res, 409, "AlreadyExists", `pods "${name}" already exists`);
      const pod = {
        ...body,
        metadata: {
          ...body.metadata,
          namespace,
          uid: `uid-${name}-${resourceVersion}`,
          creationTimestamp: now(),
        },
        status: { phase: "Pending", qosClass: "Guaranteed" },
      };
      const record: PodRecord = {
        pod,
        history: [],
        events: [],
        output: [],
        started: false,
        ended: false,
        logFollowers: new Set(),
      };
      pods.set(name, record);
      publish(record, "ADDED");
      send(res, 201, record.pod);
      play(record, options.script?.(body) ?? {});
      return;
    }
    if (url.pathname === podsPath && method === "GET" && watch) {
      const name = fieldName("metadata.name");
      res.writeHead(200, { "content-type": "application/json" });
      const since = Number(url.searchParams.get("resourceVersion") ?? "");
      const record = pods.get(name);
      if (refuseWatches) {
        res.end();
        return;
      }
      if (since && since <= compactedUpTo) {
        const gone = {
          kind: "Status",
          apiVersion: "v1",
          status: "Failure",
          message: `too old resource version: ${since} (${compactedUpTo + 1})`,
          reason: "Expired",
          code: 410,
        };
        res.end(`${JSON.stringify({ type: "ERROR", object: gone })}\n`);
        return;
      }
      if (record && since) {
        for (const entry of record.history.filter((e) => e.rv > since))
          res.write(`${JSON.stringify({ type: entry.type, object: entry.object })}\n`);
      } else if (record) {
        res.write(`${JSON.stringify({ type: "ADDED", object: record.pod })}\n`);
      }
      const watcher = { name, res };
      podWatchers.add(watcher);
      req.on("close", () => podWatchers.delete(watcher));
      return;
    }
    if (url.pathname === podsPath && method === "GET") {
      const selector = url.searchParams.get("labelSelector");
      const limit = Number(url.searchParams.get("limit") ?? "0");
      const items = [...pods.values()].map((r) => r.pod).filter((p) => matchesLabels(p, selector));
      return send(res, 200, {
        kind: "PodList",
        apiVersion: "v1",
        metadata: { resourceVersion: String(resourceVersion) },
        items: limit ? items.slice(0, limit) : items,
      });
    }
    const podMatch = new RegExp(`^${podsPath}/([^/]+)(/log)?$`).exec(url.pathname);
    if (podMatch) {
      const [, name, log] = podMatch;
      const record = pods.get(name!);
      if (!record) return status(res, 404, "NotFound", `pods "${name}" not found`);
      if (log && method === "GET") {
        const container = url.searchParams.get("container");
        if (!record.started) {
          return status(
            res,
            400,
            "BadRequest",
            `container "${container}" in pod "${name}" is waiting to start: ContainerCreating`,
          );
        }
        res.writeHead(200, { "content-type": "text/plain" });
        res.write(record.output.join(""));
        if (url.searchParams.get("follow") === "true" && !record.ended) {
          record.logFollowers.add(res);
          req.on("close", () => record.logFollowers.delete(res));
        } else res.end();
        return;
      }
      if (method === "GET") return send(res, 200, record.pod);
      if (method === "DELETE") {
        record.pod.metadata.deletionTimestamp = now();
        record.pod.metadata.deletionGracePeriodSeconds = Number(
          url.searchParams.get("gracePeriodSeconds") ?? "30",
        );
        publish(record, "MODIFIED");
        send(res, 200, record.pod);
        later(stepMs, () => {
          if (pods.get(name!) !== record) return;
          pods.delete(name!);
          deletedPods.push(name!);
          endLogs(record);
          publish(record, "DELETED");
        });
        return;
      }
    }
    if (url.pathname === `/api/v1/namespaces/${namespace}/events` && method === "GET" && watch) {
      const name = fieldName("involvedObject.name");
      res.writeHead(200, { "content-type": "application/json" });
      for (const event of pods.get(name)?.events ?? [])
        res.write(`${JSON.stringify({ type: "ADDED", object: event })}\n`);
      const watcher = { name, res };
      eventWatchers.add(watcher);
      req.on("close", () => eventWatchers.delete(watcher));
      return;
    }
    if (url.pathname === policiesPath && method === "POST") {
      const body = await readJson(req);
      if (networkPolicies.has(body.metadata.name))
        return status(
          res,
          409,
          "AlreadyExists",
          `networkpolicies "${body.metadata.name}" already exists`,
        );
      networkPolicies.set(body.metadata.name, body);
      return send(res, 201, body);
    }
    const policyMatch = new RegExp(`^${policiesPath}/([^/]+)$`).exec(url.pathname);
    if (policyMatch && method === "GET") {
      const policy = networkPolicies.get(policyMatch[1]!);
      return policy
        ? send(res, 200, policy)
        : status(
            res,
            404,
            "NotFound",
            `networkpolicies.networking.k8s.io "${policyMatch[1]}" not found`,
          );
    }
    if (knative && (await knative.handle(req, res, url, method))) return;
    return status(res, 404, "NotFound", "the server could not find the requested resource");
  }

  /** The kubelet's side of an exec: channel bytes in, channel bytes out, the exit as a v1 Status on channel 3. */
  function serveExec(ws: WebSocket, url: URL, pod: string) {
    const flag = (key: string) => url.searchParams.get(key) === "true";
    const record: ExecRecord = {
      pod,
      container: url.searchParams.get("container"),
      command: url.searchParams.getAll("command"),
      stdin: flag("stdin"),
      stdout: flag("stdout"),
      tty: flag("tty"),
      protocol: ws.protocol,
      resizes: [],
      input: "",
      closed: false,
    };
    execs.push(record);
    const script = options.exec?.(record.command, record.tty) ?? { echo: true };
    const frame = (channel: number, data: string | Buffer) =>
      ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from(data)]));
    const finish = () => {
      if (ws.readyState !== ws.OPEN) return;
      const exitCode = script.exitCode ?? 0;
      frame(
        3,
        JSON.stringify(
          exitCode === 0
            ? { metadata: {}, status: "Success" }
            : {
                metadata: {},
                status: "Failure",
                message: `command terminated with non-zero exit code: exit status ${exitCode}`,
                reason: "NonZeroExitCode",
                details: { causes: [{ reason: "ExitCode", message: String(exitCode) }] },
              },
        ),
      );
      ws.close(1000);
    };
    ws.on("message", (data: Buffer) => {
      const channel = data[0];
      const payload = data.subarray(1).toString("utf8");
      if (channel === 0) {
        record.input += payload;
        if (script.echo) frame(1, payload);
      } else if (channel === 4) record.resizes.push(JSON.parse(payload) as Json);
      // v5 only: the client closed its stdin.
      else if (channel === 255 && data[1] === 0 && script.echo) finish();
    });
    ws.on("close", () => {
      record.closed = true;
    });
    for (const chunk of typeof script.stdout === "string" ? [script.stdout] : (script.stdout ?? []))
      frame(1, chunk);
    if (script.stderr) frame(2, script.stderr);
    if (!script.echo) finish();
  }

  // TLS, as every API server serves, with a CA of its own that the kubeconfig names: client-node refuses
  // plain HTTP unless TLS verification is switched off.
  const dir = await mkdtemp(path.join(os.tmpdir(), "sbpg-kubeconfig-"));
  const tls = await selfSignedCertificate(dir);
  const server = https.createServer(tls, (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) status(res, 500, "InternalError", "the test double failed");
      else res.end();
    });
  });
  const execProtocols = options.execProtocols ?? ["v5.channel.k8s.io", "v4.channel.k8s.io"];
  const sockets = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => execProtocols.find((p) => offered.has(p)) ?? false,
  });
  server.on("upgrade", (req: http.IncomingMessage, socket: import("node:stream").Duplex, head) => {
    const url = new URL(req.url ?? "/", "http://double");
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    const refuse = (code: number, reason: string, message: string) => {
      const body = JSON.stringify({
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message,
        reason,
        code,
      });
      socket.end(
        `HTTP/1.1 ${code} ${http.STATUS_CODES[code]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    };
    const execMatch = new RegExp(`^${podsPath}/([^/]+)/exec$`).exec(url.pathname);
    if (req.headers.authorization !== `Bearer ${token}`)
      return refuse(401, "Unauthorized", "Unauthorized");
    if (!execMatch)
      return refuse(404, "NotFound", "the server could not find the requested resource");
    if (mode !== "ok")
      return refuse(
        403,
        "Forbidden",
        `pods "${execMatch[1]}" is forbidden: User "system:serviceaccount:${namespace}:playground" cannot create resource "pods/exec" in API group "" in the namespace "${namespace}"`,
      );
    const record = pods.get(execMatch[1]!);
    if (!record) return refuse(404, "NotFound", `pods "${execMatch[1]}" not found`);
    if (record.pod.status?.phase !== "Running")
      return refuse(400, "BadRequest", "unable to upgrade connection: container not found");
    sockets.handleUpgrade(req, socket, head, (ws) => serveExec(ws, url, execMatch[1]!));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kubeconfigPath = path.join(dir, "kubeconfig");
  await writeFile(
    kubeconfigPath,
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters:",
      "- name: test-double",
      "  cluster:",
      `    server: ${url}`,
      `    certificate-authority-data: ${tls.cert.toString("base64")}`,
      "users:",
      "- name: playground",
      "  user:",
      `    token: ${token}`,
      "contexts:",
      "- name: test",
      "  context:",
      "    cluster: test-double",
      "    user: playground",
      `    namespace: ${namespace}`,
      "current-context: test",
      "",
    ].join("\n"),
  );

  return {
    url,
    kubeconfigPath,
    requests,
    createdPods,
    deletedPods,
    networkPolicies,
    execs,
    livePods: () => [...pods.values()].map((r) => r.pod),
    seedPod(pod) {
      const record: PodRecord = {
        pod: { ...pod, metadata: { ...pod.metadata, uid: `uid-seed-${resourceVersion}` } },
        history: [],
        events: [],
        output: [],
        started: true,
        ended: true,
        logFollowers: new Set(),
      };
      pods.set(pod.metadata.name, record);
      publish(record, "ADDED");
    },
    closeWatches(options = {}) {
      if (options.expire) compactedUpTo = resourceVersion;
      if (options.refuse) refuseWatches = true;
      for (const watcher of podWatchers) watcher.res.end();
      podWatchers.clear();
    },
    expirePod(name) {
      const record = pods.get(name);
      if (!record) return;
      const { status } = record.pod;
      Object.assign(status, { phase: "Failed", reason: "DeadlineExceeded" });
      for (const container of status.containerStatuses ?? []) {
        container.ready = false;
        container.state = {
          terminated: { exitCode: 137, reason: "Error", finishedAt: now() },
        };
      }
      endLogs(record);
      publish(record, "MODIFIED");
    },
    dropLogs() {
      for (const record of pods.values()) {
        for (const res of record.logFollowers) res.end();
        record.logFollowers.clear();
      }
    },
    setMode(next) {
      mode = next;
    },
    createdKnativeServices: knative?.createdKnativeServices ?? [],
    knativeServices: () => knative?.knativeServices() ?? [],
    seedKnativeService(service) {
      knative?.seedKnativeService(service);
    },
    functionRequests: knative?.functionRequests ?? [],
    scaleToZero(revision) {
      knative?.scaleToZero(revision);
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      knative?.close();
      for (const ws of sockets.clients) ws.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A certificate for 127.0.0.1, its own CA (openssl, as the test machines have it). */
async function selfSignedCertificate(dir: string): Promise<{ key: Buffer; cert: Buffer }> {
  const key = path.join(dir, "tls.key");
  const cert = path.join(dir, "tls.crt");
  await promisify(execFile)("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-days",
    "1",
    "-subj",
    "/CN=kube-apiserver",
    "-addext",
    "subjectAltName=IP:127.0.0.1",
    "-keyout",
    key,
    "-out",
    cert,
  ]);
  return { key: await readFile(key), cert: await readFile(cert) };
}
