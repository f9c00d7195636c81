// The core API: runtimes, host facts, and runs (create, read, logs, stop).
import os from "node:os";
import { CreateRunBodySchema, type HostReply } from "../../lib/api/schemas";
import { PlaygroundError } from "../errors/playground-error";
import type { SandboxEngine } from "../engine/engine";
import type { ImageStore } from "../images/image-store";
import type { HostAgentStatus } from "../vaccel/host-agent";
import { idPattern, type ApiRoute } from "./api-router";

export interface RunRoutesContext {
  engine: SandboxEngine;
  images: ImageStore;
  /** The vAccel agent's state for GET /api/host; null when the agent is off. */
  vaccel: (() => Promise<HostAgentStatus>) | null;
}

export function runRoutes(ctx: RunRoutesContext): ApiRoute[] {
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
        const run = await ctx.engine.launchRun({
          runtime: body.runtime,
          image: body.image,
          command: body.command,
          timeoutMs: body.timeoutMs,
          pool: body.pool,
          vaccel: body.vaccel,
          clientId: request.clientId,
          requestedAt: request.requestedAt,
        });
        return { status: 201, body: { id: run.id } };
      },
    },
    {
      method: "GET",
      pattern: new RegExp(`^/api/runs/(?<id>${idPattern})$`),
      handler: async ({ params }) => ({
        status: 200,
        body: findRun(ctx.engine, params.id).snapshot(),
      }),
    },
    {
      method: "GET",
      pattern: new RegExp(`^/api/runs/(?<id>${idPattern})/logs$`),
      handler: async ({ params }) => ({
        status: 200,
        text: findRun(ctx.engine, params.id).output.text(),
      }),
    },
    {
      method: "DELETE",
      pattern: new RegExp(`^/api/runs/(?<id>${idPattern})$`),
      handler: async ({ params }) => {
        findRun(ctx.engine, params.id);
        const run = await ctx.engine.stopRun(params.id);
        return { status: 200, body: run.snapshot() };
      },
    },
  ];
}

export function findRun(engine: SandboxEngine, id: string | undefined) {
  const run = id ? engine.getRun(id) : undefined;
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
