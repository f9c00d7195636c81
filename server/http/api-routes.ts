// The HTTP API: one small table of routes, each parsing its input with a schema and replying JSON.
import type { IncomingMessage, ServerResponse } from "node:http";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { CreateRunBodySchema, type HostReply } from "../../lib/api/schemas";
import { PlaygroundError, asPlaygroundError, toErrorBody } from "../errors/playground-error";
import type { SandboxEngine } from "../engine/engine";
import type { ImageStore } from "../images/image-store";
import type { Logger } from "../log/logger";
import type { HostAgentStatus } from "../vaccel/host-agent";
import { readJsonBody } from "./read-body";

export interface ApiContext {
  engine: SandboxEngine;
  images: ImageStore;
  log: Logger;
  maxBodyBytes: number;
  /** The vAccel agent's state for GET /api/host; null when the agent is off. */
  vaccel: (() => Promise<HostAgentStatus>) | null;
}

interface Request {
  req: IncomingMessage;
  params: Record<string, string>;
  requestedAt: number;
  clientId: string;
}

type Reply =
  { status: number; body: unknown; text?: never } | { status: number; text: string; body?: never };
type Handler = (ctx: ApiContext, request: Request) => Promise<Reply>;

const runIdPattern = "[A-Za-z0-9_-]{1,64}";

const routes: Array<{ method: string; pattern: RegExp; handler: Handler }> = [
  {
    method: "GET",
    pattern: /^\/api\/health$/,
    handler: async () => ({ status: 200, body: { ok: true } }),
  },
  {
    method: "GET",
    pattern: /^\/api\/runtimes$/,
    handler: async (ctx) => ({ status: 200, body: { runtimes: await ctx.engine.runtimes() } }),
  },
  {
    method: "GET",
    pattern: /^\/api\/host$/,
    handler: async (ctx) => ({ status: 200, body: await hostReply(ctx) }),
  },
  {
    method: "POST",
    pattern: /^\/api\/runs$/,
    handler: async (ctx, { req, requestedAt, clientId }) => {
      const raw = await readJsonBody(req, ctx.maxBodyBytes);
      const parsed = CreateRunBodySchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
        throw new PlaygroundError(
          "bad_request",
          "run",
          `Invalid run request: ${where}${issue?.message ?? "malformed"}`,
        );
      }
      const body = parsed.data;
      const run = await ctx.engine.launchRun({
        runtime: body.runtime,
        image: body.image,
        command: body.command,
        timeoutMs: body.timeoutMs,
        pool: body.pool,
        vaccel: body.vaccel,
        clientId,
        requestedAt,
      });
      return { status: 201, body: { id: run.id } };
    },
  },
  {
    method: "GET",
    pattern: new RegExp(`^/api/runs/(?<id>${runIdPattern})$`),
    handler: async (ctx, { params }) => ({ status: 200, body: findRun(ctx, params.id).snapshot() }),
  },
  {
    method: "GET",
    pattern: new RegExp(`^/api/runs/(?<id>${runIdPattern})/logs$`),
    handler: async (ctx, { params }) => ({
      status: 200,
      text: findRun(ctx, params.id).output.text(),
    }),
  },
  {
    method: "DELETE",
    pattern: new RegExp(`^/api/runs/(?<id>${runIdPattern})$`),
    handler: async (ctx, { params }) => {
      findRun(ctx, params.id);
      const run = await ctx.engine.stopRun(params.id);
      return { status: 200, body: run.snapshot() };
    },
  },
];

function findRun(ctx: ApiContext, id: string | undefined) {
  const run = id ? ctx.engine.getRun(id) : undefined;
  if (!run)
    throw new PlaygroundError(
      "not_found",
      "run",
      `No run with id "${id}" (runs are kept for a while after they end).`,
    );
  return run;
}

async function hostReply(ctx: ApiContext): Promise<HostReply> {
  const { limits } = ctx.engine;
  const now = Date.now();
  return {
    hostname: os.hostname(),
    kernel: `${os.type()} ${os.release()}`,
    cpus: os.cpus().length,
    memoryBytes: os.totalmem(),
    limits: {
      maxConcurrentRuns: limits.maxConcurrentRuns,
      maxQueuedRuns: limits.maxQueuedRuns,
      maxActiveRunsPerClient: limits.maxActiveRunsPerClient,
      defaultTimeoutMs: limits.defaultTimeoutMs,
      maxTimeoutMs: limits.maxTimeoutMs,
      memoryBytes: limits.memoryBytes,
      pids: limits.pids,
      cpuShares: limits.cpuShares,
      outputBytes: limits.outputBytes,
    },
    images: await ctx.images.status(),
    vaccel: ctx.vaccel ? await ctx.vaccel() : null,
    runs: ctx.engine
      .listRuns()
      .filter((run) => !run.finished)
      .map((run) => {
        const snap = run.snapshot();
        return {
          label: `${snap.runtime}-${run.id.slice(0, 4)}`,
          runtime: snap.runtime,
          image: snap.image,
          state: snap.state,
          ageMs: now - run.createdAt.getTime(),
          queuePosition: snap.queuePosition,
        };
      }),
  };
}

/** Answers /api/* requests; returns false for anything else so the page handler can take it. */
export async function handleApi(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (!url.pathname.startsWith("/api/") && url.pathname !== "/api") return false;
  const requestedAt = performance.now();
  let reply: Reply;
  try {
    const matching = routes.filter((r) => r.pattern.test(url.pathname));
    const route = matching.find((r) => r.method === req.method);
    if (!route) {
      if (matching.length > 0) {
        res.setHeader("Allow", matching.map((r) => r.method).join(", "));
        throw new PlaygroundError(
          "method",
          "not_allowed",
          `${req.method} is not allowed on ${url.pathname}.`,
        );
      }
      throw new PlaygroundError(
        "not_found",
        "route",
        `No API route ${req.method} ${url.pathname}.`,
      );
    }
    const params = (url.pathname.match(route.pattern)?.groups ?? {}) as Record<string, string>;
    reply = await route.handler(ctx, { req, params, requestedAt, clientId: clientIdOf(req) });
  } catch (err) {
    const error = asPlaygroundError(err);
    if (error.status >= 500) ctx.log.error({ err, url: req.url }, "request failed");
    reply = { status: error.status, body: toErrorBody(error) };
    // Drain what the client is still sending, so it reads the reply rather than a reset connection.
    req.resume();
  }
  res.statusCode = reply.status;
  res.setHeader("Cache-Control", "no-store");
  if (reply.text !== undefined) {
    res.setHeader("Content-Type", "text/plain; charset=utf-8");
    res.end(reply.text);
  } else {
    res.setHeader("Content-Type", "application/json; charset=utf-8");
    res.end(JSON.stringify(reply.body));
  }
  return true;
}

/** Quotas count per client address; proxies are not trusted to name the client. */
export function clientIdOf(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? "unknown";
}
