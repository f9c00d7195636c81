// One run's limits: what it asked for, within the host's bounds; the host's own where it asked for nothing.
import type { HostLimits } from "../config/env";
import { PlaygroundError } from "../errors/playground-error";
import type { RunLimitsRequest } from "../../lib/api/run-limits";
import type { SandboxLimits } from "./driver";
import { formatBytes } from "./output-log";

export interface RunLimitsAsked {
  timeoutMs?: number;
  limits?: RunLimitsRequest;
}

/** Refuses (400, naming the field and the bound) anything above the host's limits; they are also the defaults. */
export function resolveRunLimits(asked: RunLimitsAsked, host: HostLimits): SandboxLimits {
  const timeoutMs = asked.timeoutMs ?? host.defaultTimeoutMs;
  if (timeoutMs > host.maxTimeoutMs) {
    throw new PlaygroundError(
      "bad_request",
      "timeout",
      `timeoutMs may be at most ${host.maxTimeoutMs} on this host.`,
    );
  }
  const { memoryBytes, pids, outputBytes } = asked.limits ?? {};
  checkBound("memoryBytes", memoryBytes, host.memoryBytes, formatBytes);
  checkBound("pids", pids, host.pids, String);
  checkBound("outputBytes", outputBytes, host.outputBytes, formatBytes);
  return {
    timeoutMs,
    memoryBytes: memoryBytes ?? host.memoryBytes,
    pids: pids ?? host.pids,
    cpuShares: host.cpuShares,
    outputBytes: outputBytes ?? host.outputBytes,
    tmpfsBytes: host.tmpfsBytes,
  };
}

function checkBound(
  field: keyof RunLimitsRequest,
  asked: number | undefined,
  bound: number,
  format: (value: number) => string,
): void {
  if (asked === undefined || asked <= bound) return;
  throw new PlaygroundError(
    "bad_request",
    "limits",
    `limits.${field}: at most ${format(bound)} on this host (asked for ${format(asked)}).`,
  );
}
