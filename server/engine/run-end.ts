// How a run ends when it did not simply exit: each early end's state, code and message, and a failed launch's.
import type { RunEndCode } from "../../lib/api/errors";
import { SandboxLaunchError, type SandboxLimits } from "./driver";
import type { EndReason } from "./run";

export interface RunEnd {
  state: "failed" | "stopped";
  code: RunEndCode;
  message: string;
}

const ends: Record<EndReason, (limits: SandboxLimits) => RunEnd> = {
  timeout: (limits) => ({
    state: "failed",
    code: "limit:timeout",
    message: `The sandbox ran past its time limit of ${limits.timeoutMs} ms and was stopped.`,
  }),
  "output-limit": (limits) => ({
    state: "failed",
    code: "limit:output",
    message: `The sandbox wrote more than its output limit of ${limits.outputBytes} bytes and was stopped.`,
  }),
  stopped: () => ({ state: "stopped", code: "stopped", message: "Stopped on request." }),
  shutdown: () => ({
    state: "stopped",
    code: "stopped:shutdown",
    message: "The host is shutting down.",
  }),
};

export function endOf(reason: EndReason, limits: SandboxLimits): RunEnd {
  return ends[reason](limits);
}

/** A driver's SandboxLaunchError carries its own reason for the visitor; anything else is a host bug. */
export function launchFailure(err: unknown): { code: RunEndCode; message: string } {
  if (err instanceof SandboxLaunchError) return { code: err.code, message: err.message };
  return {
    code: "runtime:launch",
    message: "The sandbox failed to start on the host; the host log has details.",
  };
}
