// What the workshop pages are shown: rows and live state turned into the API's shapes (lib/api/workshops.ts).
import type { RunState } from "../../lib/api/schemas";
import type { SessionSnapshot } from "../../lib/api/sessions";
import type {
  AttendeeRun,
  AttendeeSession,
  ProgressEntry,
  WorkshopSummary,
} from "../../lib/api/workshops";
import { quotasOf, statusOf } from "./workshop-quotas";
import type { RunRow, WorkshopRow } from "./workshop-store";

export const iso = (ms: number) => new Date(ms).toISOString();

export function summaryOf(workshop: WorkshopRow, now: number): WorkshopSummary {
  return {
    id: workshop.id,
    name: workshop.name,
    capacity: workshop.capacity,
    quotas: quotasOf(workshop),
    createdAt: iso(workshop.created_at),
    expiresAt: iso(workshop.expires_at),
    endedAt: workshop.ended_at === null ? null : iso(workshop.ended_at),
    status: statusOf(workshop, now),
  };
}

export function attendeeRunOf(row: RunRow, state: RunState | null): AttendeeRun {
  return {
    id: row.run_id,
    runtime: row.runtime,
    startedAt: iso(row.started_at),
    endedAt: row.ended_at === null ? null : iso(row.ended_at),
    state,
  };
}

export function usageOf(runs: AttendeeRun[]): { activeRuns: number; totalRuns: number } {
  return { activeRuns: runs.filter((r) => r.endedAt === null).length, totalRuns: runs.length };
}

/** A live session as the facilitator's dashboard lists it, with the time left before its first deadline. */
export function attendeeSessionOf(session: SessionSnapshot, now: number): AttendeeSession {
  const deadlines = [session.expiresAt, session.idleExpiresAt].filter((at) => at !== null);
  return {
    id: session.id,
    runtime: session.runtime,
    state: session.state,
    createdAt: session.createdAt,
    expiresAt: session.expiresAt,
    idleExpiresAt: session.idleExpiresAt,
    remainingMs:
      deadlines.length > 0
        ? Math.max(0, Math.min(...deadlines.map((at) => Date.parse(at))) - now)
        : null,
    terminals: session.terminals.filter((t) => t.exitCode === null).map((t) => t.id),
  };
}

export function progressEntries(
  rows: Array<{ demo: string; step: number; at: number }>,
): ProgressEntry[] {
  return rows.map((row) => ({ demo: row.demo, step: row.step, at: iso(row.at) }));
}
