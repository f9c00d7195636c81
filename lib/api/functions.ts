// The serverless function's contract: its path, query, reply and extra headers, and its source, shared by gateway and page.
import { z } from "zod";
import { TimingsSchema } from "./phases";
import { CreateRunBodySchema } from "./schemas";

export const helloFunctionPath = "/fn/hello";

/** A request body the gateway hands to a function; larger ones get 413. */
export const maxFunctionBodyBytes = 16 * 1024;

/** The sandbox run behind the reply, so a client can fetch its snapshot (memory) afterwards. */
export const sandboxHeaders = {
  runId: "x-sandbox-run-id",
  runtime: "x-sandbox-runtime",
  timings: "x-sandbox-timings",
} as const;

const flag = z
  .enum(["1", "0", "true", "false"], { error: 'pool is "1", "0", "true" or "false"' })
  .transform((value) => value === "1" || value === "true");

/**
 * `?runtime=<id>[&pool=1][&via=knative]`: the runtime token as POST /api/runs takes it, so an unknown one is a 404;
 * `via=knative` sends the request to the cluster's Knative Service for that RuntimeClass instead of a fresh sandbox.
 */
export const FunctionQuerySchema = z.object({
  runtime: CreateRunBodySchema.shape.runtime,
  pool: flag.default(false),
  via: z.enum(["sandbox", "knative"]).default("sandbox"),
});
export type FunctionQuery = z.infer<typeof FunctionQuerySchema>;

/** What the hello function answers with. */
export const HelloReplySchema = z.object({
  hello: z.string(),
  kernel: z.string(),
  hostname: z.string(),
  method: z.string(),
  path: z.string(),
  bodyBytes: z.number(),
});
export type HelloReply = z.infer<typeof HelloReplySchema>;

export const SandboxTimingsHeaderSchema = TimingsSchema;

/**
 * The function, a busybox sh script run as `sh -c SCRIPT fn REQUEST_BASE64`: the raw HTTP request arrives
 * base64-encoded in $1 and the HTTP response goes to stdout. The sandbox has no network; the gateway
 * hands it the request and relays its response, as CGI and inetd do.
 */
export const helloFunctionScript = `# The request, as the gateway received it.
request() { printf %s "$1" | base64 -d; }
line=$(request "$1" | head -n 1 | tr -d '\\r')
method=\${line%% *}
target=\${line#* }
target=\${target%% *}
# The body is what follows the first empty line.
bytes=$(request "$1" | sed '1,/^\\r*$/d' | wc -c)
# Only characters that need no JSON escaping.
safe() { printf %s "$1" | tr -cd 'A-Za-z0-9._~:/?&=%+-'; }
body=$(printf '{"hello":"from a sandbox","kernel":"%s","hostname":"%s","method":"%s","path":"%s","bodyBytes":%d}' \\
  "$(uname -r)" "$(hostname)" "$(safe "$method")" "$(safe "$target")" "$bytes")
printf 'HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\nContent-Length: %d\\r\\n\\r\\n%s' "\${#body}" "$body"
`;

/** The sandbox's command for one request. */
export function helloFunctionCommand(requestBase64: string): string[] {
  return ["sh", "-c", helloFunctionScript, "fn", requestBase64];
}
