// Each workshop's lab board: where every attendee is in their labs, live for the facilitator, and the solutions the facilitator revealed.
import { EventEmitter } from "node:events";
import type { LabBoardEntry, LabProgress, LabReveal } from "../../lib/api/labs";
import type { LabStore } from "./lab-store";

export interface BoardAttendee {
  workshopId: string;
  attendeeId: string;
  name: string;
}

export interface BoardDemo {
  slug: string;
  title: string;
  steps: ReadonlyArray<{ title: string }>;
}

export interface LabBoardEvents {
  entry: [workshopId: string, entry: LabBoardEntry];
  reveal: [workshopId: string, reveal: LabReveal];
}

export class LabBoard extends EventEmitter<LabBoardEvents> {
  private readonly boards = new Map<string, Map<string, LabBoardEntry>>();
  private readonly reveals = new Map<string, LabReveal[]>();

  /** Starts from what the store saved (a restart keeps the facilitators' boards); absent: in memory only. */
  constructor(private readonly store?: LabStore) {
    super();
    for (const { workshopId, entry } of store?.boardEntries() ?? []) this.put(workshopId, entry);
    for (const { workshopId, reveal } of store?.reveals() ?? [])
      this.reveals.set(workshopId, [...(this.reveals.get(workshopId) ?? []), reveal]);
  }

  /** The attendee's latest lab progress becomes their row: the step they are on, its state and its time. */
  record(who: BoardAttendee, demo: BoardDemo, progress: LabProgress): LabBoardEntry {
    const count = progress.steps.length;
    const current = progress.steps[Math.min(progress.current, count - 1)];
    const allDone = progress.current >= count;
    const entry: LabBoardEntry = {
      attendeeId: who.attendeeId,
      name: who.name,
      demo: demo.slug,
      demoTitle: demo.title,
      step: progress.current,
      stepTitle: allDone ? null : (demo.steps[progress.current]?.title ?? null),
      stepCount: count,
      state: allDone ? "done" : (current?.state ?? "open"),
      // Time on a step counts from when it opened, through its checks; a finished lab from its last done.
      since: (allDone ? current?.marks.done : current?.marks.open) ?? new Date().toISOString(),
      failedChecks: allDone ? 0 : (current?.failedChecks ?? 0),
      hint: allDone ? null : (current?.hint ?? null),
    };
    this.put(who.workshopId, entry);
    this.store?.saveBoardEntry(who.workshopId, entry);
    this.emit("entry", who.workshopId, entry);
    return entry;
  }

  entries(workshopId: string): LabBoardEntry[] {
    return [...(this.boards.get(workshopId)?.values() ?? [])];
  }

  reveal(workshopId: string, reveal: LabReveal): void {
    const list = this.reveals.get(workshopId) ?? [];
    if (!list.some((r) => r.demo === reveal.demo && r.step === reveal.step)) list.push(reveal);
    this.reveals.set(workshopId, list);
    this.store?.saveReveal(workshopId, reveal);
    this.emit("reveal", workshopId, reveal);
  }

  revealed(workshopId: string): LabReveal[] {
    return this.reveals.get(workshopId) ?? [];
  }

  /** An ended workshop's board is dropped with it. */
  forget(workshopId: string): void {
    this.boards.delete(workshopId);
    this.reveals.delete(workshopId);
    this.store?.forgetWorkshop(workshopId);
  }

  private put(workshopId: string, entry: LabBoardEntry): void {
    let board = this.boards.get(workshopId);
    if (!board) this.boards.set(workshopId, (board = new Map()));
    board.set(entry.attendeeId, entry);
  }
}
