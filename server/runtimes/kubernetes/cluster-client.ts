// One cluster's API clients from a kubeconfig (or the pod's service account), and its errors in words.
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  Exec,
  KubeConfig,
  Log,
  NetworkingV1Api,
  NodeV1Api,
  Watch,
} from "@kubernetes/client-node";
import { z } from "zod";

export interface ClusterClient {
  /** How pages name the cluster. */
  name: string;
  /** The API server's URL, for messages. */
  server: string;
  namespace: string;
  core: CoreV1Api;
  node: NodeV1Api;
  networking: NetworkingV1Api;
  watch: Watch;
  log: Log;
  /** pods/exec over a websocket (sessions). */
  exec: Exec;
  /** Knative's resources (serving.knative.dev). */
  custom: CustomObjectsApi;
  /** The credentials, for a request client-node has no call for (the API server's service proxy). */
  config: KubeConfig;
}

export interface ClusterOptions {
  /** A kubeconfig file, or "in-cluster". */
  kubeconfig: string;
  /** The kubeconfig's context to use; null or absent: its current context. */
  context?: string | null;
  namespace: string;
  /** null: the kubeconfig's current cluster's name. */
  clusterName: string | null;
}

/** Reads the kubeconfig now: a missing or malformed one stops start-up. */
export function connectCluster(options: ClusterOptions): ClusterClient {
  const config = new KubeConfig();
  try {
    if (options.kubeconfig === "in-cluster") config.loadFromCluster();
    else config.loadFromFile(options.kubeconfig);
  } catch (err) {
    throw new Error(
      `SBPG_KUBECONFIG: cannot load ${options.kubeconfig}: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  if (options.context) {
    if (!config.getContextObject(options.context)) {
      throw new Error(`SBPG_K8S_CLUSTERS: ${options.kubeconfig} has no context ${options.context}`);
    }
    config.setCurrentContext(options.context);
  }
  const cluster = config.getCurrentCluster();
  if (!cluster) {
    throw new Error(`SBPG_KUBECONFIG: ${options.kubeconfig} names no current cluster`);
  }
  return {
    name: options.clusterName ?? cluster.name,
    server: cluster.server,
    namespace: options.namespace,
    core: config.makeApiClient(CoreV1Api),
    node: config.makeApiClient(NodeV1Api),
    networking: config.makeApiClient(NetworkingV1Api),
    watch: new Watch(config),
    log: new Log(config),
    exec: new Exec(config),
    custom: config.makeApiClient(CustomObjectsApi),
    config,
  };
}

/** The API server's own error body (a v1 Status); client-node hands it over as text. */
const StatusSchema = z.object({ message: z.string(), reason: z.string().optional() });

/** The HTTP status of an API error, or null when the server never answered. */
export function statusOf(err: unknown): number | null {
  if (err instanceof ApiException) return err.code;
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === "number" ? status : null;
}

/** What went wrong talking to the API server, for a visitor: the server's own message where it sent one. */
export function describeClusterError(err: unknown, server: string): string {
  if (err instanceof ApiException) {
    const status = parseStatus(err.body);
    const said = status ? `: ${status.message}` : "";
    if (err.code === 401) return `the API server at ${server} did not accept the credentials (401)`;
    if (err.code === 403) return `the API server forbids it (403)${said}`;
    return `the API server answered ${err.code}${said}`;
  }
  const code = (err as { code?: unknown } | null)?.code;
  const statusCode = statusOf(err);
  if (statusCode !== null) return `the API server answered ${statusCode}`;
  const message = err instanceof Error ? err.message : String(err);
  return typeof code === "string"
    ? `the API server at ${server} does not answer (${code})`
    : `the API server at ${server} could not be reached: ${message}`;
}

function parseStatus(body: unknown): z.infer<typeof StatusSchema> | null {
  try {
    const parsed = StatusSchema.safeParse(typeof body === "string" ? JSON.parse(body) : body);
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
