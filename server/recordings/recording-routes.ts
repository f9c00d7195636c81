// GET /api/runs/:id/recording: a finished run as a recording file, to replay when the host cannot be reached.
import os from "node:os";
import { PlaygroundError } from "../errors/playground-error";
import type { SandboxEngine } from "../engine/engine";
import type { Run } from "../engine/run";
import { idPattern, type ApiRoute } from "../http/api-router";
import { findRun } from "../runs/run-routes";
import { openRunAccess, type RunAccess } from "../runs/run-access";
import {
  recordingFileName,
  recordingFormat,
  recordingVersion,
  type Recording,
} from "../../lib/recordings/recording";

export interface RecordingRoutesContext {
  engine: SandboxEngine;
  /** The same rule as GET /api/runs/:id: who may see which run (workshops); default: open to all. */
  access?: RunAccess;
}

export function recordingRoutes(ctx: RecordingRoutesContext): ApiRoute[] {
  const access = ctx.access ?? openRunAccess;
  return [
    {
      method: "GET",
      pattern: new RegExp(`^/api/runs/(?<id>${idPattern})/recording$`),
      handler: async ({ params, req, setHeader }) => {
        const run = findRun(ctx.engine, params.id, (found) =>
          access.mayAccess(found.owner, req.headers),
        );
        if (!run.finished)
          throw new PlaygroundError(
            "conflict",
            "run_running",
            "The run has not finished yet; a recording can be made once it has ended.",
          );
        const recording = await recordRun(ctx.engine, run);
        setHeader("Content-Disposition", `attachment; filename="${recordingFileName(recording)}"`);
        return { status: 200, body: recording };
      },
    },
  ];
}

export async function recordRun(engine: SandboxEngine, run: Run): Promise<Recording> {
  const runtime = (await engine.runtimes()).find((r) => r.id === run.runtime);
  return {
    format: recordingFormat,
    version: recordingVersion,
    recordedAt: new Date(run.finishedAt ?? Date.now()).toISOString(),
    host: {
      hostname: os.hostname(),
      kernel: `${os.type()} ${os.release()}`,
      cpus: os.cpus().length,
      memoryBytes: os.totalmem(),
    },
    run: run.snapshot(),
    runtime: {
      id: run.runtime,
      name: runtime?.name ?? run.runtime,
      version: runtime?.version ?? null,
    },
    workload: { image: run.image, command: run.command },
    output: run.output.timed(),
  };
}
