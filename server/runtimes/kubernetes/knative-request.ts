// One request to a Knative Service: through its status.url, or through the API server's service proxy to its revision.
import http from "node:http";
import https from "node:https";
import type { KnativeInvoke, KnativeServiceView } from "../../../lib/api/knative";
import { PlaygroundError } from "../../errors/playground-error";
import type { ClusterClient } from "./cluster-client";

/** The request as the gateway hands it on: method, path and query, end-to-end headers, body. */
export interface FunctionRequest {
  method: string;
  target: string;
  headers: Array<[string, string]>;
  body: Buffer;
}

export interface KnativeAnswer {
  status: number;
  statusText: string;
  /** As received, name and value pairs. */
  headers: Array<[string, string]>;
  body: Buffer;
}

/** The hello function answers in a few hundred bytes; a larger reply is not the function's. */
const maxReplyBytes = 256 * 1024;

/** Through status.url, or the API server's proxy to the revision's Service (which Knative points at the activator while at zero). */
export async function sendToKnative(
  cluster: ClusterClient,
  invoke: KnativeInvoke,
  view: KnativeServiceView,
  request: FunctionRequest,
  timeoutMs: number,
): Promise<KnativeAnswer> {
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
