import { describe, expect, it } from "vitest";
import type { CheckOutcome } from "../../lib/api/labs";
import { LabRecord } from "./lab-record";

function clock() {
  let now = Date.parse("2026-12-01T10:00:00Z");
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const outcome = (runtime: string, passed: boolean, hint: string | null = null): CheckOutcome => ({
  runtime,
  passed,
  hint,
  at: "2026-12-01T10:00:00.000Z",
  durationMs: 5,
});

describe("LabRecord", () => {
  it("opens the first step and locks the rest, each with the time it entered its state", () => {
    const time = clock();
    const record = new LabRecord("demo", 3, time.now);
    const steps = record.snapshot().steps;
    expect(steps.map((s) => s.state)).toEqual(["open", "locked", "locked"]);
    expect(steps[0]?.since).toBe("2026-12-01T10:00:00.000Z");
    expect(record.snapshot().current).toBe(0);
  });

  it("counts failed checks, keeps the first failing runtime's hint, and opens the next step once all pass", () => {
    const time = clock();
    const record = new LabRecord("demo", 2, time.now);
    record.transition(0, "checking");
    time.advance(1000);
    expect(
      record.recordCheck(0, [outcome("runc", true), outcome("gvisor", false, "No file")]),
    ).toBe(null);
    let step = record.snapshot().steps[0]!;
    expect(step).toMatchObject({ state: "failed", failedChecks: 1, hint: "gvisor: No file" });
    expect(step.marks).toMatchObject({
      open: "2026-12-01T10:00:00.000Z",
      checking: "2026-12-01T10:00:00.000Z",
      failed: "2026-12-01T10:00:01.000Z",
    });

    record.transition(0, "checking");
    time.advance(500);
    expect(record.recordCheck(0, [outcome("runc", true), outcome("gvisor", true)])).toBe(1);
    step = record.snapshot().steps[0]!;
    expect(step).toMatchObject({ state: "done", failedChecks: 1, hint: null });
    expect(record.snapshot().steps[1]).toMatchObject({
      state: "open",
      since: "2026-12-01T10:00:01.500Z",
    });
    expect(record.current).toBe(1);
  });

  it("returns an unchecked step to where it was, with why, and counts no failure", () => {
    const record = new LabRecord("demo", 1);
    record.transition(0, "checking");
    record.recordUnchecked(0, "open", "start its session first");
    expect(record.snapshot().steps[0]).toMatchObject({
      state: "open",
      failedChecks: 0,
      hint: "start its session first",
    });
  });

  it("refuses transitions the state machine does not have", () => {
    const record = new LabRecord("demo", 2);
    expect(() => record.transition(1, "checking")).toThrow(/illegal transition locked -> checking/);
    record.markDone(0);
    expect(() => record.transition(0, "checking")).toThrow(/illegal transition done -> checking/);
    expect(record.markDone(1)).toBe(null);
    expect(record.current).toBe(2);
  });

  it("claims a step's setup once per session", () => {
    const record = new LabRecord("demo", 1);
    expect(record.claimSetup(0, "s1")).toBe(true);
    expect(record.claimSetup(0, "s1")).toBe(false);
    expect(record.claimSetup(0, "s2")).toBe(true);
  });
});

describe("a saved LabRecord", () => {
  it("comes back with its steps, marks, checks and hint, and no sessions", () => {
    let now = 1_000;
    const record = new LabRecord("lab", 3, () => now);
    record.attachSession("runc", "s1");
    now = 2_000;
    record.markDone(0);
    record.transition(1, "checking");
    now = 3_000;
    record.recordCheck(1, [
      { runtime: "runc", passed: false, hint: "Not yet", at: "", durationMs: 1 },
    ]);
    const restored = LabRecord.restore("lab", record.saved(), () => now);
    const { sessions, ...steps } = restored.snapshot();
    const { sessions: before, ...expected } = record.snapshot();
    expect(steps).toEqual(expected);
    expect(before).toEqual({ runc: "s1" });
    expect(sessions).toEqual({});
  });

  it("puts a step whose check the restart cut back where a check starts, and says why", () => {
    let now = 1_000;
    const record = new LabRecord("lab", 2, () => now);
    record.transition(0, "checking");
    now = 4_000;
    const restored = LabRecord.restore("lab", record.saved(), () => now);
    expect(restored.stateOf(0)).toBe("open");
    expect(restored.sinceOf(0)).toBe(4_000);
    expect(restored.snapshot().steps[0]?.hint).toMatch(/restarted during this check/);
    // One that had failed before goes back to failed, its count kept.
    record.recordCheck(0, [{ runtime: "runc", passed: false, hint: "no", at: "", durationMs: 1 }]);
    record.transition(0, "checking");
    const again = LabRecord.restore("lab", record.saved(), () => now);
    expect(again.stateOf(0)).toBe("failed");
    expect(again.snapshot().steps[0]?.failedChecks).toBe(1);
  });
});
