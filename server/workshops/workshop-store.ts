// The workshop database's rows and every SQL statement the workshops run; no rules, no views.
import { PlaygroundError } from "../errors/playground-error";
import type { WorkshopDb } from "./workshop-db";

export interface WorkshopRow {
  id: string;
  name: string;
  join_code: string;
  capacity: number;
  max_concurrent_runs: number;
  max_runs_per_attendee: number;
  allowed_runtimes: string;
  max_timeout_ms: number;
  max_concurrent_sessions: number;
  max_session_lifetime_ms: number;
  created_at: number;
  expires_at: number;
  ended_at: number | null;
}

export interface AttendeeRow {
  id: string;
  workshop_id: string;
  name: string;
  joined_at: number;
}

export interface RunRow {
  run_id: string;
  attendee_id: string;
  runtime: string;
  started_at: number;
  ended_at: number | null;
}

export interface NewWorkshop {
  id: string;
  name: string;
  facilitatorTokenHash: string;
  capacity: number;
  maxConcurrentRuns: number;
  maxRunsPerAttendee: number;
  allowedRuntimes: string;
  maxTimeoutMs: number;
  maxConcurrentSessions: number;
  maxSessionLifetimeMs: number;
  createdAt: number;
  expiresAt: number;
  createdBy: string;
  createdFrom: string;
}

export class WorkshopStore {
  constructor(readonly db: WorkshopDb) {}

  /** Inserts the workshop under the first join code no open workshop holds; returns that code. */
  insertWorkshop(workshop: NewWorkshop, nextCode: () => string): string {
    const insert = this.db.prepare(
      `INSERT INTO workshops (id, name, join_code, facilitator_token_hash, capacity, max_concurrent_runs,
         max_runs_per_attendee, allowed_runtimes, max_timeout_ms, max_concurrent_sessions,
         max_session_lifetime_ms, created_at, expires_at, created_by, created_from)
       VALUES (@id, @name, @joinCode, @facilitatorTokenHash, @capacity, @maxConcurrentRuns,
         @maxRunsPerAttendee, @allowedRuntimes, @maxTimeoutMs, @maxConcurrentSessions,
         @maxSessionLifetimeMs, @createdAt, @expiresAt, @createdBy, @createdFrom)`,
    );
    const taken = this.db.prepare(
      "SELECT 1 FROM workshops WHERE join_code = ? AND ended_at IS NULL",
    );
    return this.db
      .transaction(() => {
        // With 32^6 codes a clash is rare; a few tries make it vanishingly so.
        for (let attempt = 0; attempt < 20; attempt++) {
          const code = nextCode();
          if (taken.get(code)) continue;
          insert.run({ ...workshop, joinCode: code });
          return code;
        }
        throw new PlaygroundError(
          "internal",
          "join_code",
          "Could not find a free join code; try again.",
        );
      })
      .immediate();
  }

  /** Runs `work` in one write transaction (a join's checks and insert). */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  /** The newest workshop with the code: an open one if any holds it, else the one that held it last. */
  workshopByCode(code: string): WorkshopRow | undefined {
    return this.db
      .prepare<[string], WorkshopRow>(
        `SELECT * FROM workshops WHERE join_code = ?
         ORDER BY ended_at IS NULL DESC, created_at DESC LIMIT 1`,
      )
      .get(code);
  }

  workshop(id: string): WorkshopRow | undefined {
    return this.db.prepare<[string], WorkshopRow>("SELECT * FROM workshops WHERE id = ?").get(id);
  }

  attendeeCount(workshopId: string): number {
    return this.db
      .prepare<[string], { taken: number }>(
        "SELECT count(*) AS taken FROM attendees WHERE workshop_id = ?",
      )
      .get(workshopId)!.taken;
  }

  nameTaken(workshopId: string, name: string): boolean {
    return Boolean(
      this.db
        .prepare("SELECT 1 FROM attendees WHERE workshop_id = ? AND lower(name) = lower(?) LIMIT 1")
        .get(workshopId, name),
    );
  }

  insertAttendee(row: AttendeeRow & { token_hash: string }): void {
    this.db
      .prepare(
        "INSERT INTO attendees (id, workshop_id, name, token_hash, joined_at) VALUES (?, ?, ?, ?, ?)",
      )
      .run(row.id, row.workshop_id, row.name, row.token_hash, row.joined_at);
  }

  attendeeByTokenHash(tokenHash: string): AttendeeRow | undefined {
    return this.db
      .prepare<[string], AttendeeRow>(
        "SELECT id, workshop_id, name, joined_at FROM attendees WHERE token_hash = ?",
      )
      .get(tokenHash);
  }

  attendeesOf(workshopId: string): AttendeeRow[] {
    return this.db
      .prepare<[string], AttendeeRow>(
        "SELECT id, workshop_id, name, joined_at FROM attendees WHERE workshop_id = ? ORDER BY joined_at, rowid",
      )
      .all(workshopId);
  }

  facilitatorTokenHashOf(workshopId: string): string | undefined {
    return this.db
      .prepare<[string], { facilitator_token_hash: string }>(
        "SELECT facilitator_token_hash FROM workshops WHERE id = ?",
      )
      .get(workshopId)?.facilitator_token_hash;
  }

  workshopOfFacilitatorTokenHash(tokenHash: string): string | null {
    return (
      this.db
        .prepare<[string], { id: string }>(
          "SELECT id FROM workshops WHERE facilitator_token_hash = ?",
        )
        .get(tokenHash)?.id ?? null
    );
  }

  insertProgress(attendeeId: string, demo: string, step: number, at: number): void {
    this.db
      .prepare(
        "INSERT INTO progress (attendee_id, demo, step, at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
      )
      .run(attendeeId, demo, step, at);
  }

  progressOf(attendeeId: string): Array<{ demo: string; step: number; at: number }> {
    return this.db
      .prepare<[string], { demo: string; step: number; at: number }>(
        "SELECT demo, step, at FROM progress WHERE attendee_id = ? ORDER BY at, demo, step",
      )
      .all(attendeeId);
  }

  insertRun(runId: string, attendeeId: string, runtime: string, at: number): void {
    this.db
      .prepare(
        "INSERT INTO attendee_runs (run_id, attendee_id, runtime, started_at) VALUES (?, ?, ?, ?)",
      )
      .run(runId, attendeeId, runtime, at);
  }

  /** An attendee's runs, newest first. */
  runsOf(attendeeId: string): RunRow[] {
    return this.db
      .prepare<[string], RunRow>(
        "SELECT * FROM attendee_runs WHERE attendee_id = ? ORDER BY started_at DESC, rowid DESC",
      )
      .all(attendeeId);
  }

  /** A run of one of this workshop's attendees. */
  workshopRun(workshopId: string, runId: string): RunRow | undefined {
    return this.db
      .prepare<[string, string], RunRow>(
        `SELECT r.* FROM attendee_runs r JOIN attendees a ON a.id = r.attendee_id
         WHERE r.run_id = ? AND a.workshop_id = ?`,
      )
      .get(runId, workshopId);
  }

  openRunIds(workshopId: string): string[] {
    return this.db
      .prepare<[string], { run_id: string }>(
        `SELECT r.run_id FROM attendee_runs r JOIN attendees a ON a.id = r.attendee_id
         WHERE a.workshop_id = ? AND r.ended_at IS NULL`,
      )
      .all(workshopId)
      .map((row) => row.run_id);
  }

  markRunEnded(runId: string, at: number): void {
    this.db
      .prepare("UPDATE attendee_runs SET ended_at = ? WHERE run_id = ? AND ended_at IS NULL")
      .run(at, runId);
  }

  endAllRuns(at: number): number {
    return this.db.prepare("UPDATE attendee_runs SET ended_at = ? WHERE ended_at IS NULL").run(at)
      .changes;
  }

  setExpiresAt(workshopId: string, at: number): void {
    this.db.prepare("UPDATE workshops SET expires_at = ? WHERE id = ?").run(at, workshopId);
  }

  markEnded(workshopId: string, at: number): void {
    this.db
      .prepare("UPDATE workshops SET ended_at = ? WHERE id = ? AND ended_at IS NULL")
      .run(at, workshopId);
  }

  expiredIds(now: number): string[] {
    return this.db
      .prepare<[number], { id: string }>(
        "SELECT id FROM workshops WHERE ended_at IS NULL AND expires_at <= ?",
      )
      .all(now)
      .map((row) => row.id);
  }

  /** Open workshops (not ended, not expired) on the host, by one creating visitor, from one address. */
  openWorkshopCounts(now: number, creator: { visitor: string; address: string }) {
    const open = "ended_at IS NULL AND expires_at > ?";
    const count = (sql: string, ...params: unknown[]) =>
      (this.db.prepare(sql).get(...params) as { n: number }).n;
    return {
      host: count(`SELECT COUNT(*) AS n FROM workshops WHERE ${open}`, now),
      creator: count(
        `SELECT COUNT(*) AS n FROM workshops WHERE created_by = ? AND ${open}`,
        creator.visitor,
        now,
      ),
      address: count(
        `SELECT COUNT(*) AS n FROM workshops WHERE created_from = ? AND ${open}`,
        creator.address,
        now,
      ),
    };
  }
}
