import { describe, expect, it } from "vitest";
import { CreateRunBodySchema } from "../../lib/api/schemas";
import type { HostLimits } from "../config/env";
import { resolveRunLimits } from "./run-limits";

const mib = 1024 * 1024;
const host: HostLimits = {
  maxConcurrentRuns: 4,
  maxQueuedRuns: 10,
  maxActiveRunsPerClient: 6,
  defaultTimeoutMs: 10_000,
  maxTimeoutMs: 120_000,
  memoryBytes: 256 * mib,
  pids: 64,
  cpuShares: 512,
  outputBytes: mib,
  tmpfsBytes: 16 * mib,
  logBacklogBytes: 256 * 1024,
};

describe("resolveRunLimits", () => {
  it("takes the host's limits where the run asks for nothing", () => {
    expect(resolveRunLimits({}, host)).toEqual({
      timeoutMs: 10_000,
      memoryBytes: 256 * mib,
      pids: 64,
      cpuShares: 512,
      outputBytes: mib,
      tmpfsBytes: 16 * mib,
    });
  });

  it("applies lower limits to the run", () => {
    expect(
      resolveRunLimits(
        { timeoutMs: 3000, limits: { memoryBytes: 64 * mib, pids: 8, outputBytes: 2048 } },
        host,
      ),
    ).toMatchObject({ timeoutMs: 3000, memoryBytes: 64 * mib, pids: 8, outputBytes: 2048 });
  });

  it.each([
    [{ memoryBytes: 512 * mib }, "limits.memoryBytes: at most 256 MiB on this host"],
    [{ pids: 65 }, "limits.pids: at most 64 on this host"],
    [{ outputBytes: 2 * mib }, "limits.outputBytes: at most 1 MiB on this host"],
  ])("refuses %o above the host's bound, naming it", (limits, message) => {
    expect(() => resolveRunLimits({ limits }, host)).toThrow(
      expect.objectContaining({ code: "bad_request:limits", status: 400 }),
    );
    expect(() => resolveRunLimits({ limits }, host)).toThrow(message);
  });

  it("refuses a timeout above the host's maximum", () => {
    expect(() => resolveRunLimits({ timeoutMs: 200_000 }, host)).toThrow(
      expect.objectContaining({ code: "bad_request:timeout" }),
    );
  });
});

describe("CreateRunBodySchema limits", () => {
  const parse = (limits: unknown) =>
    CreateRunBodySchema.safeParse({ runtime: "runc", limits }).error?.issues[0];

  it("accepts a partial limits object", () => {
    expect(parse({ pids: 16 })).toBeUndefined();
  });

  it.each([
    [{ memoryBytes: 1024 }, ["limits", "memoryBytes"], "at least 64 MiB"],
    [{ pids: 2 }, ["limits", "pids"], "at least 8"],
    [{ outputBytes: 10 }, ["limits", "outputBytes"], "at least 1 KiB"],
    [{ pids: 8.5 }, ["limits", "pids"], "a whole number"],
    [{ cpuShares: 1024 }, ["limits"], undefined],
  ])("refuses %o", (limits, path, message) => {
    const issue = parse(limits);
    expect(issue?.path).toEqual(path);
    if (message) expect(issue?.message).toBe(message);
  });
});
