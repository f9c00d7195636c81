// The core API: runtimes, host facts, and runs (create, read, logs, stop).
import type { IncomingHttpHeaders } from "node:http";
import os from "node:os";
import { CreateRunBodySchema, type HostReply } from "../../lib/api/schemas";
import { PlaygroundError } from "../errors/playground-error";
import type { SandboxEngine } from "../engine/engine";
import type { Run } from "../engine/run";
import type { ImageStore } from "../images/image-store";
import type { HostAgentStatus } from "../vaccel/host-agent";
import { idPattern, type ApiRoute } from "../http/api-router";
import type { LaunchPolicy } from "./launch-policy";
import { visitorIdOf } from "../http/visitor";

export interface RunRoutesContext {
  engine: SandboxEngine;
  images: ImageStore;
  /** The vAccel agent's state for GET /api/host; null when the agent is off. */
  vaccel: (() => Promise<HostAgentStatus>) | null;
  /** Who may launch with which quotas and limits, and see or stop which run (workshops). */
  policy: LaunchPolicy;
  /** What one visitor and one address may hold, for GET /api/host. */
  visitors: HostReply["visitors"];
}

export function runRoutes(ctx: RunRoutesContext): ApiRoute[] {
  const { access } = ctx.policy;
  const visibleRun = (id: string | undefined, headers: IncomingHttpHeaders) =>
    findRun(ctx.engine, id, (run) => access.mayAccess(run.owner, headers));
  // The browser (visitor id) that started each run nobody owns: only it may stop the run. Runs started
  // without a visitor id (API clients) keep the id as the capability to stop them.
  const startedBy = new WeakMap<Run, string>();
  return [
    {
      method: "GET",
      pattern: /^\/api\/health$/,
      handler: async () => ({ status: 200, body: { ok: true } }),
    },
    {
      method: "GET",
      pattern: /^\/api\/runtimes$/,
      handler: async () => ({ status: 200, body: { runtimes: await ctx.engine.runtimes() } }),
    },
    {
      method: "GET",
      pattern: /^\/api\/host$/,
      handler: async () => ({ status: 200, body: await hostReply(ctx) }),
    },
    {
      method: "POST",
      pattern: /^\/api\/runs$/,
      handler: async (request) => {
        const body = await request.body(CreateRunBodySchema, "run request");
        const run = await ctx.policy.launch(
          {
            headers: request.req.headers,
            requester: request.requester,
            requestedAt: request.requestedAt,
          },
          {
            runtime: body.runtime,
            image: body.image,
            command: body.command,
            timeoutMs: body.timeoutMs,
            limits: body.limits,
            pool: body.pool,
            vaccel: body.vaccel,
            vaccelAgent: body.vaccelAgent,
          },
        );
        const visitor = visitorIdOf(request.req.headers);
        if (visitor && run.owner === null) startedBy.set(run, visitor);
        return { status: 201, body: { id: run.id } };
      },
    },
    {
      method: "GET",
      pattern: new RegExp(`^/api/runs/(?<id>${idPattern})$`),
      handler: async ({ params, req }) => ({
        status: 200,
        body: visibleRun(params.id, req.headers).snapshot(),
      }),
    },
    {
      method: "GET",
      pattern: new RegExp(`^/api/runs/(?<id>${idPattern})/logs$`),
      handler: async ({ params, req }) => ({
        status: 200,
        text: visibleRun(params.id, req.headers).output.text(),
      }),
    },
    {
      method: "DELETE",
      pattern: new RegExp(`^/api/runs/(?<id>${idPattern})$`),
      handler: async ({ params, req }) => {
        const starter = startedBy.get(visibleRun(params.id, req.headers));
        if (starter !== undefined && starter !== visitorIdOf(req.headers))
          throw new PlaygroundError(
            "forbidden",
            "run",
            "Only the browser that started this run can stop it; you can watch it.",
          );
        const run = await ctx.engine.stopRun(params.id);
        return { status: 200, body: run.snapshot() };
      },
    },
  ];
}

/**
 * A run the caller may not see is "not found": the reply must not even confirm that it exists. Without a
 * `visible` check only runs nobody owns are found, so a route that forgets the check leaks nothing.
 */
export function findRun(
  engine: SandboxEngine,
  id: string | undefined,
  visible: (run: Run) => boolean = (run) => run.owner === null,
) {
  const found = id ? engine.getRun(id) : undefined;
  const run = found && visible(found) ? found : undefined;
  if (!run)
    throw new PlaygroundError(
      "not_found",
      "run",
      `No run with id "${id}" (runs are kept for a while after they end).`,
    );
  return run;
}

async function hostReply(ctx: RunRoutesContext): Promise<HostReply> {
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
    visitors: ctx.visitors,
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
