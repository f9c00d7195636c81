import { describe, expect, it } from "vitest";
import type { LabBoardEntry } from "../../lib/api/labs";
import { LabBoard } from "./lab-board";
import { LabRecord } from "./lab-record";

const ada = { workshopId: "w1", attendeeId: "a1", name: "Ada" };
const demo = { slug: "lab", title: "A lab", steps: [{ title: "One" }, { title: "Two" }] };

describe("LabBoard", () => {
  it("shows the step an attendee is on, since it opened, with its failed checks and hint", () => {
    let now = Date.parse("2026-12-01T10:00:00Z");
    const record = new LabRecord("lab", 2, () => now);
    const board = new LabBoard();
    const seen: LabBoardEntry[] = [];
    board.on("entry", (workshopId, entry) => workshopId === "w1" && seen.push(entry));

    now += 60_000;
    record.markDone(0);
    record.transition(1, "checking");
    now += 5_000;
    record.recordCheck(1, [
      { runtime: "runc", passed: false, hint: "Not yet", at: "", durationMs: 1 },
    ]);
    board.record(ada, demo, record.snapshot());
    expect(seen.at(-1)).toMatchObject({
      name: "Ada",
      step: 1,
      stepTitle: "Two",
      state: "failed",
      since: "2026-12-01T10:01:00.000Z",
      failedChecks: 1,
      hint: "Not yet",
    });

    record.transition(1, "checking");
    record.recordCheck(1, [{ runtime: "runc", passed: true, hint: null, at: "", durationMs: 1 }]);
    board.record(ada, demo, record.snapshot());
    expect(board.entries("w1")).toEqual([
      expect.objectContaining({ step: 2, stepTitle: null, state: "done", failedChecks: 0 }),
    ]);
    expect(board.entries("w2")).toEqual([]);
  });

  it("keeps each revealed step once per workshop, and forgets an ended workshop", () => {
    const board = new LabBoard();
    const reveals: unknown[] = [];
    board.on("reveal", (workshopId, reveal) => reveals.push([workshopId, reveal]));
    board.reveal("w1", { demo: "lab", step: 1 });
    board.reveal("w1", { demo: "lab", step: 1 });
    expect(board.revealed("w1")).toEqual([{ demo: "lab", step: 1 }]);
    expect(reveals).toHaveLength(2);
    board.forget("w1");
    expect(board.revealed("w1")).toEqual([]);
  });
});
