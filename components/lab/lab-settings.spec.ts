import { describe, expect, it } from "vitest";
import { checkLab, defaultLabLimits, labBounds, type LabInput } from "./lab-settings";

const mib = 1024 * 1024;
const bounds = labBounds({
  maxConcurrentRuns: 4,
  maxQueuedRuns: 200,
  maxActiveRunsPerClient: 6,
  defaultTimeoutMs: 10_000,
  maxTimeoutMs: 120_000,
  memoryBytes: 128 * mib,
  pids: 64,
  cpuShares: 512,
  outputBytes: mib,
});
const valid: LabInput = { script: "echo lab-$((6*7))", ...defaultLabLimits(bounds) };

describe("checkLab", () => {
  it("turns a valid form into a workload with the run's limits", () => {
    expect(
      checkLab({ ...valid, timeoutSeconds: "2.5", memoryMiB: "64", pids: "16" }, bounds),
    ).toEqual({
      ok: true,
      workload: {
        image: "busybox",
        command: ["sh", "-c", "echo lab-$((6*7))"],
        timeoutMs: 2500,
        limits: { memoryBytes: 64 * mib, pids: 16, outputBytes: mib },
      },
    });
  });

  it("starts from the host's own limits", () => {
    expect(valid).toMatchObject({
      timeoutSeconds: "10",
      memoryMiB: "128",
      pids: "64",
      outputKiB: "1024",
    });
  });

  it("opens with a demo's time limit, within the host's", () => {
    expect(defaultLabLimits(bounds, 2500).timeoutSeconds).toBe("2.5");
    expect(defaultLabLimits(bounds, 600_000).timeoutSeconds).toBe("120");
  });

  it("refuses a script over 16 KiB, saying how big it is", () => {
    const check = checkLab({ ...valid, script: "#".repeat(16_385) }, bounds);
    expect(check).toEqual({
      ok: false,
      errors: { script: "The script is 16 KiB, over the limit of 16 KiB: shorten it" },
    });
  });

  it("counts bytes, not characters", () => {
    const check = checkLab({ ...valid, script: "é".repeat(9000) }, bounds);
    expect(check.ok).toBe(false);
  });

  it("refuses an empty script", () => {
    expect(checkLab({ ...valid, script: "  \n" }, bounds)).toMatchObject({
      ok: false,
      errors: { script: expect.stringContaining("empty") },
    });
  });

  it.each([
    ["memoryMiB", "256", "Memory is at most 128 MiB on this host"],
    ["memoryMiB", "8", "Memory is at least 64 MiB"],
    ["pids", "65", "Processes is at most 64 on this host"],
    ["pids", "2.5", "Processes is a whole number"],
    ["outputKiB", "2048", "Output is at most 1024 KiB on this host"],
    ["timeoutSeconds", "121", "The time limit is at most 120 s on this host"],
    ["timeoutSeconds", "0.05", "The time limit is at least 0.1 s"],
    ["timeoutSeconds", "soon", "The time limit is a number"],
  ] as const)("refuses %s = %s", (field, value, message) => {
    expect(checkLab({ ...valid, [field]: value }, bounds)).toEqual({
      ok: false,
      errors: { [field]: message },
    });
  });
});
