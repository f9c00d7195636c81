// Limits for sandboxes that tests and benchmarks launch through a driver directly (no engine in between).
import type { SandboxLimits } from "../engine/driver";

export function testSandboxLimits(overrides: Partial<SandboxLimits> = {}): SandboxLimits {
  return {
    timeoutMs: 10_000,
    memoryBytes: 64 << 20,
    pids: 32,
    cpuShares: 512,
    outputBytes: 1 << 20,
    tmpfsBytes: 1 << 20,
    ...overrides,
  };
}
