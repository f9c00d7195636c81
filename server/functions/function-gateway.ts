// The serverless gateway: each request to /fn/hello starts a fresh sandbox that answers it, CGI-style, and relays its response.
import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import {
  FunctionQuerySchema,
  helloFunctionCommand,
  helloFunctionPath,
  maxFunctionBodyBytes,
  sandboxHeaders,
  type FunctionQuery,
} from "../../lib/api/functions";
import { describeIssue } from "../../lib/api/describe-issue";
import { PlaygroundError, asPlaygroundError, toErrorBody } from "../errors/playground-error";
import type { SandboxEngine } from "../engine/engine";
import type { Run } from "../engine/run";
import type { Logger } from "../log/logger";
import type { TrustedProxies } from "../http/client-address";
import type { LaunchPolicy } from "../runs/launch-policy";
import { requesterOf } from "../http/requester";
import type { KnativeFunctions } from "../runtimes/kubernetes/knative-functions";
import { encodeRequest, endToEndHeaders, parseResponse, type ParsedResponse } from "./http-message";
import { relayKnative } from "./knative-relay";
import { readRawBody } from "./read-raw-body";

export interface FunctionGatewayContext {
  engine: SandboxEngine;
  /** The cluster's Knative Services (`via=knative`); null without a cluster. */
  knative: KnativeFunctions | null;
  /** The launch policy runs go through: a workshop attendee's runtimes and quotas hold here too. */
  policy: LaunchPolicy;
  trustedProxies: TrustedProxies;
  log: Logger;
}

/** Long enough for a cold microVM under TCG with room to spare; a function is meant to be quick. */
const functionTimeoutMs = 30_000;

/** Answers /fn/* requests; returns false for anything else. */
export async function handleFunction(
  ctx: FunctionGatewayContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (url.pathname !== "/fn" && !url.pathname.startsWith("/fn/")) return false;
  const requestedAt = performance.now();
  try {
    if (url.pathname !== helloFunctionPath) {
      throw new PlaygroundError(
        "not_found",
        "function",
        `No function at ${url.pathname}; this host serves ${helloFunctionPath}.`,
      );
    }
    if (req.method !== "GET" && req.method !== "POST") {
      res.setHeader("Allow", "GET, POST");
      throw new PlaygroundError(
        "method",
        "not_allowed",
        `${req.method} is not allowed on ${url.pathname}.`,
      );
    }
    const query = parseQuery(url.searchParams);
    const body = await readRawBody(req, maxFunctionBodyBytes);
    if (query.via === "knative") {
      const { address } = requesterOf(req, ctx.trustedProxies);
      const answer = await relayKnative(ctx.knative, query.runtime, address, {
        method: req.method,
        target: req.url ?? url.pathname,
        headers: endToEndHeaders(req.rawHeaders),
        body,
      });
      reply(res, answer.status, answer.headers, answer.body, answer.statusText);
      return true;
    }
    const request = encodeRequest({
      method: req.method,
      target: req.url ?? url.pathname,
      rawHeaders: req.rawHeaders,
      body,
    });
    const run = await ctx.policy.launch(
      { headers: req.headers, requester: requesterOf(req, ctx.trustedProxies), requestedAt },
      {
        runtime: query.runtime,
        image: "busybox",
        command: helloFunctionCommand(request),
        timeoutMs: functionTimeoutMs,
        // A workshop's shorter longest run shortens a function's, rather than refusing every call.
        shortenTimeout: true,
        pool: query.pool,
      },
    );
    // A client that hangs up no longer wants the answer; its sandbox goes.
    res.on("close", () => {
      if (!res.writableEnded) run.abort("stopped");
    });
    await ctx.engine.whenSettled(run.id);
    relay(res, run, outcomeOf(run));
  } catch (err) {
    const error = asPlaygroundError(err);
    if (error.status >= 500) ctx.log.error({ err, url: req.url }, "function request failed");
    req.resume();
    reply(res, error.status, [], Buffer.from(JSON.stringify(toErrorBody(error))));
  }
  return true;
}

function parseQuery(params: URLSearchParams): FunctionQuery {
  const parsed = FunctionQuerySchema.safeParse(Object.fromEntries(params));
  if (parsed.success) return parsed.data;
  throw new PlaygroundError(
    "bad_request",
    "function",
    `Invalid function query: ${describeIssue(parsed.error)}. Use ?runtime=<id>[&pool=1][&via=knative].`,
  );
}

type Outcome = { ok: true; response: ParsedResponse } | { ok: false; message: string };

/** The function's response, or why there is none. */
function outcomeOf(run: Run): Outcome {
  const snapshot = run.snapshot();
  if (snapshot.state !== "exited") {
    return {
      ok: false,
      message: `The function's sandbox ${snapshot.state}: ${snapshot.error?.message ?? "no reason given"}`,
    };
  }
  if (snapshot.exitCode !== 0) {
    return { ok: false, message: `The function exited with code ${snapshot.exitCode}.` };
  }
  const response = parseResponse(run.output.text());
  if (!response) {
    return { ok: false, message: "The function exited without writing an HTTP response." };
  }
  return { ok: true, response };
}

/** A sandbox that gave no response is the upstream failing, not the playground: 502, same error body. */
function relay(res: ServerResponse, run: Run, outcome: Outcome): void {
  const sandbox: Array<[string, string]> = [
    [sandboxHeaders.runId, run.id],
    [sandboxHeaders.runtime, run.runtime],
    [sandboxHeaders.timings, JSON.stringify(run.snapshot().timings)],
  ];
  if (outcome.ok) {
    const { status, statusText, headers, body } = outcome.response;
    reply(res, status, [...headers, ...sandbox], body, statusText);
    return;
  }
  const error = new PlaygroundError("bad_gateway", "function", outcome.message);
  reply(res, error.status, sandbox, Buffer.from(JSON.stringify(toErrorBody(error))));
}

function reply(
  res: ServerResponse,
  status: number,
  headers: Array<[string, string]>,
  body: Buffer,
  statusText?: string,
): void {
  if (res.headersSent || res.destroyed) return;
  res.statusCode = status;
  if (statusText) res.statusMessage = statusText;
  res.setHeader("Cache-Control", "no-store");
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  // The function's own headers win over the defaults; a repeated one (Set-Cookie) keeps every value.
  const byName = new Map<string, string[]>();
  for (const [name, value] of headers) {
    const key = name.toLowerCase();
    byName.set(key, [...(byName.get(key) ?? []), value]);
  }
  for (const [name, values] of byName)
    res.setHeader(name, values.length === 1 ? values[0] : values);
  res.setHeader("Content-Length", body.length);
  res.end(body);
}
