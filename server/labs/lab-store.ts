// Where labs keep what must outlive the process: each owner's progress per demo, each workshop's board and reveals.
import { z } from "zod";
import {
  CheckOutcomeSchema,
  LabBoardEntrySchema,
  LabRevealSchema,
  StepStateSchema,
  type LabBoardEntry,
  type LabReveal,
} from "../../lib/api/labs";
import type { WorkshopDb } from "../workshops/workshop-db";

/** One step as it is saved: its state, when it entered each state (ms since the epoch), its checks. */
export const SavedStepSchema = z.object({
  state: StepStateSchema,
  marks: z.partialRecord(StepStateSchema, z.number()),
  failedChecks: z.number().int().min(0),
  outcomes: z.array(CheckOutcomeSchema),
  hint: z.string().nullable(),
});
export type SavedStep = z.infer<typeof SavedStepSchema>;
const SavedStepsSchema = z.array(SavedStepSchema);

export interface LabStore {
  /** The owner's saved steps of a demo; null when none were saved or they no longer parse (the lab starts over). */
  loadProgress(owner: string, demo: string): SavedStep[] | null;
  saveProgress(owner: string, demo: string, steps: SavedStep[]): void;
  /** Every saved board row, for the board to start from. */
  boardEntries(): Array<{ workshopId: string; entry: LabBoardEntry }>;
  saveBoardEntry(workshopId: string, entry: LabBoardEntry): void;
  reveals(): Array<{ workshopId: string; reveal: LabReveal }>;
  saveReveal(workshopId: string, reveal: LabReveal): void;
  /** An ended workshop's board and reveals go. */
  forgetWorkshop(workshopId: string): void;
}

/** The labs' rows in the playground's database (the workshops' SQLite file in the data folder). */
export class SqliteLabStore implements LabStore {
  constructor(
    private readonly db: WorkshopDb,
    private readonly now: () => number = Date.now,
  ) {}

  loadProgress(owner: string, demo: string): SavedStep[] | null {
    const row = this.db
      .prepare("SELECT steps FROM lab_progress WHERE owner = ? AND demo = ?")
      .get(owner, demo) as { steps: string } | undefined;
    if (!row) return null;
    const parsed = SavedStepsSchema.safeParse(parseJson(row.steps));
    return parsed.success ? parsed.data : null;
  }

  saveProgress(owner: string, demo: string, steps: SavedStep[]): void {
    this.db
      .prepare(
        `INSERT INTO lab_progress (owner, demo, steps, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (owner, demo) DO UPDATE SET steps = excluded.steps, updated_at = excluded.updated_at`,
      )
      .run(owner, demo, JSON.stringify(steps), this.now());
  }

  boardEntries(): Array<{ workshopId: string; entry: LabBoardEntry }> {
    const rows = this.db
      .prepare("SELECT workshop_id, entry FROM lab_board ORDER BY rowid")
      .all() as Array<{ workshop_id: string; entry: string }>;
    return rows.flatMap((row) => {
      const parsed = LabBoardEntrySchema.safeParse(parseJson(row.entry));
      return parsed.success ? [{ workshopId: row.workshop_id, entry: parsed.data }] : [];
    });
  }

  saveBoardEntry(workshopId: string, entry: LabBoardEntry): void {
    this.db
      .prepare(
        `INSERT INTO lab_board (workshop_id, attendee_id, entry) VALUES (?, ?, ?)
         ON CONFLICT (workshop_id, attendee_id) DO UPDATE SET entry = excluded.entry`,
      )
      .run(workshopId, entry.attendeeId, JSON.stringify(entry));
  }

  reveals(): Array<{ workshopId: string; reveal: LabReveal }> {
    const rows = this.db
      .prepare("SELECT workshop_id, reveal FROM lab_reveals ORDER BY revealed_at, rowid")
      .all() as Array<{ workshop_id: string; reveal: string }>;
    return rows.flatMap((row) => {
      const parsed = LabRevealSchema.safeParse(parseJson(row.reveal));
      return parsed.success ? [{ workshopId: row.workshop_id, reveal: parsed.data }] : [];
    });
  }

  saveReveal(workshopId: string, reveal: LabReveal): void {
    this.db
      .prepare(
        `INSERT INTO lab_reveals (workshop_id, demo, step, reveal, revealed_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (workshop_id, demo, step) DO NOTHING`,
      )
      .run(workshopId, reveal.demo, reveal.step, JSON.stringify(reveal), this.now());
  }

  /** Forgets progress untouched since `before` (ms since the epoch); returns how many labs went. */
  pruneProgress(before: number): number {
    return this.db.prepare("DELETE FROM lab_progress WHERE updated_at < ?").run(before).changes;
  }

  forgetWorkshop(workshopId: string): void {
    this.db.transaction(() => {
      this.db.prepare("DELETE FROM lab_board WHERE workshop_id = ?").run(workshopId);
      this.db.prepare("DELETE FROM lab_reveals WHERE workshop_id = ?").run(workshopId);
    })();
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
