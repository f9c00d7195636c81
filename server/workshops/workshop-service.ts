// Workshops as data: create, join, quotas, progress, extend, end. Framework-free; runs are reached through RunControl.
import type { RunState } from "../../lib/api/schemas";
import { isTerminalState } from "../../lib/api/schemas";
import type { SessionSnapshot } from "../../lib/api/sessions";
import type {
  AttendeeRun,
  AttendeeSession,
  AttendeeView,
  CreateWorkshopBody,
  CreateWorkshopReply,
  Dashboard,
  ProgressBody,
  ProgressEntry,
  WorkshopQuotas,
  WorkshopStatus,
  WorkshopSummary,
} from "../../lib/api/workshops";
import { PlaygroundError } from "../errors/playground-error";
import type { LaunchAsked } from "../runs/run-access";
import { generateJoinCode } from "./join-code";
import { hashToken, newId, newToken } from "./tokens";
import type { WorkshopDb } from "./workshop-db";

/** What the service needs from the sandbox engine. */
export interface RunControl {
  /** The run's state while the engine keeps it; null once it is gone (pruned, or from before a restart). */
  stateOf(runId: string): RunState | null;
  /** Stops the run and resolves when its sandbox is gone; a run already gone is not an error. */
  stop(runId: string): Promise<void>;
}

/** What the service needs from the session manager: attendees' sessions live there, not in the database. */
export interface SessionControl {
  /** The sessions an owner holds that have not ended. */
  liveOwnedBy(owner: string): SessionSnapshot[];
  /** Who owns a session, or null for an unknown one. */
  ownerOf(sessionId: string): string | null;
  /** Ends a session and resolves once its sandbox is gone; one already gone is not an error. */
  end(sessionId: string): Promise<void>;
}

export interface WorkshopServiceOptions {
  runs: RunControl;
  /** Absent: this host gives attendees no interactive sessions. */
  sessions?: {
    control: SessionControl;
    /** The host's default and longest session lifetimes: a workshop's bound lives within them. */
    lifetimeMs: number;
    maxLifetimeMs: number;
  };
  /** The host's own run limits: a workshop's quotas live within them. */
  hostLimits: { defaultTimeoutMs: number; maxTimeoutMs: number };
  /** Workshops open (not ended, not expired) at once on this host, per creating visitor, and per address (config). */
  maxOpenWorkshops: number;
  maxOpenWorkshopsPerCreator: number;
  maxOpenWorkshopsPerAddress: number;
  now?: () => number;
  joinCode?: () => string;
}

export interface Attendee {
  id: string;
  workshopId: string;
  name: string;
  joinedAt: number;
}

export interface JoinResult {
  workshopId: string;
  attendeeId: string;
  name: string;
  /** The attendee's secret: goes into their cookie, never stored. */
  token: string;
}

/** A launch the quotas admitted: call `launched` with the run's id once the engine took it, or `cancel`. */
export interface RunAdmission {
  owner: string;
  timeoutMs: number;
  launched(runId: string): void;
  cancel(): void;
}

/** A session the quotas admitted: call `launched` once the session manager holds it, or `cancel`. */
export interface SessionAdmission {
  owner: string;
  lifetimeMs: number;
  /** The latest an extension may push it to, from its start. */
  maxLifetimeMs: number;
  launched(): void;
  cancel(): void;
}

interface WorkshopRow {
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

interface AttendeeRow {
  id: string;
  workshop_id: string;
  name: string;
  joined_at: number;
}

interface RunRow {
  run_id: string;
  attendee_id: string;
  runtime: string;
  started_at: number;
  ended_at: number | null;
}

const minute = 60_000;
const hour = 60 * minute;

/** Owners the engine carries for attendee runs: the workshop first, so a host check needs no lookup. */
export function attendeeOwner(workshopId: string, attendeeId: string): string {
  return `workshop:${workshopId}:attendee:${attendeeId}`;
}

export function parseOwner(owner: string): { workshopId: string; attendeeId: string } | null {
  const match = /^workshop:([^:]+):attendee:([^:]+)$/.exec(owner);
  return match ? { workshopId: match[1], attendeeId: match[2] } : null;
}

/** Who creates a workshop: the visitor (see quotaKeyOf) and the address it comes from. */
export interface WorkshopCreator {
  visitor: string;
  address: string;
}

export class WorkshopService {
  private readonly now: () => number;
  private readonly joinCode: () => string;
  /** Launches admitted but not yet recorded: they count against the quotas while the engine starts them. */
  private readonly pending = new Map<string, number>();
  /** The same for sessions: admitted, not yet held by the session manager. */
  private readonly pendingSessions = new Map<string, number>();

  constructor(
    private readonly db: WorkshopDb,
    private readonly options: WorkshopServiceOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.joinCode = options.joinCode ?? generateJoinCode;
  }

  create(
    body: CreateWorkshopBody,
    knownRuntimes: readonly string[],
    creator: WorkshopCreator,
  ): CreateWorkshopReply {
    const unknown = body.quotas.allowedRuntimes.filter((id) => !knownRuntimes.includes(id));
    if (unknown.length > 0) {
      throw new PlaygroundError(
        "bad_request",
        "workshop",
        `Unknown runtime${unknown.length > 1 ? "s" : ""} ${unknown.map((id) => `"${id}"`).join(", ")}; this host has ${knownRuntimes.join(", ")}.`,
      );
    }
    const { maxTimeoutMs } = this.options.hostLimits;
    if (body.quotas.maxTimeoutMs > maxTimeoutMs) {
      throw new PlaygroundError(
        "bad_request",
        "workshop",
        `Invalid workshop request: quotas.maxTimeoutMs may be at most ${maxTimeoutMs} on this host.`,
      );
    }
    const hostSessions = this.options.sessions;
    const maxSessionLifetimeMs = hostSessions?.maxLifetimeMs ?? hour;
    if (
      body.quotas.maxSessionLifetimeMs !== undefined &&
      body.quotas.maxSessionLifetimeMs > maxSessionLifetimeMs
    ) {
      throw new PlaygroundError(
        "bad_request",
        "workshop",
        `Invalid workshop request: quotas.maxSessionLifetimeMs may be at most ${maxSessionLifetimeMs} on this host.`,
      );
    }
    const id = newId();
    const hostToken = newToken();
    const now = this.now();
    this.assertRoomForWorkshop(creator, now);
    const insert = this.db.prepare(
      `INSERT INTO workshops (id, name, join_code, host_token_hash, capacity, max_concurrent_runs,
         max_runs_per_attendee, allowed_runtimes, max_timeout_ms, max_concurrent_sessions,
         max_session_lifetime_ms, created_at, expires_at, created_by, created_from)
       VALUES (@id, @name, @joinCode, @hostTokenHash, @capacity, @maxConcurrentRuns,
         @maxRunsPerAttendee, @allowedRuntimes, @maxTimeoutMs, @maxConcurrentSessions,
         @maxSessionLifetimeMs, @createdAt, @expiresAt, @createdBy, @createdFrom)`,
    );
    const taken = this.db.prepare(
      "SELECT 1 FROM workshops WHERE join_code = ? AND ended_at IS NULL",
    );
    const joinCode = this.db
      .transaction(() => {
        // With 32^6 codes a clash is rare; a few tries make it vanishingly so.
        for (let attempt = 0; attempt < 20; attempt++) {
          const code = this.joinCode();
          if (taken.get(code)) continue;
          insert.run({
            id,
            name: body.name,
            joinCode: code,
            hostTokenHash: hashToken(hostToken),
            capacity: body.capacity,
            maxConcurrentRuns: body.quotas.maxConcurrentRuns,
            maxRunsPerAttendee: body.quotas.maxRunsPerAttendee,
            allowedRuntimes: JSON.stringify([...new Set(body.quotas.allowedRuntimes)]),
            maxTimeoutMs: body.quotas.maxTimeoutMs,
            maxConcurrentSessions: body.quotas.maxConcurrentSessions ?? 1,
            maxSessionLifetimeMs:
              body.quotas.maxSessionLifetimeMs ??
              Math.min(hostSessions?.lifetimeMs ?? hour, maxSessionLifetimeMs),
            createdAt: now,
            expiresAt: now + body.durationMinutes * minute,
            createdBy: creator.visitor,
            createdFrom: creator.address,
          });
          return code;
        }
        throw new PlaygroundError(
          "internal",
          "join_code",
          "Could not find a free join code; try again.",
        );
      })
      .immediate();
    return { id, joinCode, hostToken };
  }

  join(body: { code: string; name: string }): JoinResult {
    return this.db
      .transaction((): JoinResult => {
        // The newest workshop with the code: an open one if any holds it, else the one that held it last.
        const workshop = this.db
          .prepare<[string], WorkshopRow>(
            `SELECT * FROM workshops WHERE join_code = ?
             ORDER BY ended_at IS NULL DESC, created_at DESC LIMIT 1`,
          )
          .get(body.code);
        if (!workshop) {
          throw new PlaygroundError(
            "not_found",
            "workshop",
            `No workshop has the join code ${body.code}. Check the code with your host.`,
          );
        }
        this.assertOpen(workshop, "join");
        const { taken } = this.db
          .prepare<[string], { taken: number }>(
            "SELECT count(*) AS taken FROM attendees WHERE workshop_id = ?",
          )
          .get(workshop.id)!;
        if (taken >= workshop.capacity) {
          throw new PlaygroundError(
            "conflict",
            "workshop_full",
            `The workshop "${workshop.name}" is full: all ${workshop.capacity} places are taken. Ask the host to make room.`,
          );
        }
        const sameName = this.db
          .prepare(
            "SELECT 1 FROM attendees WHERE workshop_id = ? AND lower(name) = lower(?) LIMIT 1",
          )
          .get(workshop.id, body.name);
        if (sameName) {
          throw new PlaygroundError(
            "conflict",
            "attendee_name",
            `Someone in "${workshop.name}" already goes by "${body.name}"; choose another name.`,
          );
        }
        const token = newToken();
        const attendeeId = newId();
        this.db
          .prepare(
            "INSERT INTO attendees (id, workshop_id, name, token_hash, joined_at) VALUES (?, ?, ?, ?, ?)",
          )
          .run(attendeeId, workshop.id, body.name, hashToken(token), this.now());
        return { workshopId: workshop.id, attendeeId, name: body.name, token };
      })
      .immediate();
  }

  /** The attendee a cookie's token belongs to; null for an unknown token. */
  attendeeByToken(token: string): Attendee | null {
    const row = this.db
      .prepare<[string], AttendeeRow>(
        "SELECT id, workshop_id, name, joined_at FROM attendees WHERE token_hash = ?",
      )
      .get(hashToken(token));
    return row ? toAttendee(row) : null;
  }

  /** Checks a host token against a workshop: 401 without one, 403 for another workshop's (or a made-up) token. */
  authorizeHost(workshopId: string, hostToken: string | null): void {
    if (!hostToken) {
      throw new PlaygroundError(
        "unauthorized",
        "host",
        "This needs the workshop's host token (Authorization: Bearer <token>), shown when the workshop was created.",
      );
    }
    const workshop = this.db
      .prepare<[string], { host_token_hash: string }>(
        "SELECT host_token_hash FROM workshops WHERE id = ?",
      )
      .get(workshopId);
    if (!workshop) {
      throw new PlaygroundError("not_found", "workshop", `No workshop with id "${workshopId}".`);
    }
    if (workshop.host_token_hash !== hashToken(hostToken)) {
      throw new PlaygroundError(
        "forbidden",
        "host",
        "That host token does not belong to this workshop.",
      );
    }
  }

  /** The workshop a host token opens, or null. */
  workshopOfHostToken(hostToken: string): string | null {
    const row = this.db
      .prepare<[string], { id: string }>("SELECT id FROM workshops WHERE host_token_hash = ?")
      .get(hashToken(hostToken));
    return row?.id ?? null;
  }

  attendeeView(attendee: Attendee): AttendeeView {
    const workshop = this.workshopRow(attendee.workshopId);
    const runs = this.runsOf(attendee.id);
    return {
      workshop: this.summary(workshop),
      attendee: {
        id: attendee.id,
        name: attendee.name,
        joinedAt: iso(attendee.joinedAt),
      },
      usage: usageOf(runs),
      progress: this.progressOf(attendee.id),
      runs: runs.slice(0, 50),
    };
  }

  dashboard(workshopId: string): Dashboard {
    const workshop = this.workshopRow(workshopId);
    const attendees = this.db
      .prepare<[string], AttendeeRow>(
        "SELECT id, workshop_id, name, joined_at FROM attendees WHERE workshop_id = ? ORDER BY joined_at, rowid",
      )
      .all(workshopId);
    return {
      workshop: { ...this.summary(workshop), joinCode: workshop.join_code },
      attendees: attendees.map((row) => {
        const runs = this.runsOf(row.id);
        return {
          id: row.id,
          name: row.name,
          joinedAt: iso(row.joined_at),
          usage: usageOf(runs),
          progress: this.progressOf(row.id),
          activeRuns: runs.filter((run) => run.endedAt === null),
          activeSessions: this.sessionsOf(workshopId, row.id),
        };
      }),
    };
  }

  recordProgress(attendee: Attendee, progress: ProgressBody): ProgressEntry[] {
    const workshop = this.workshopRow(attendee.workshopId);
    if (workshop.ended_at !== null) {
      throw new PlaygroundError(
        "forbidden",
        "workshop_ended",
        `The workshop "${workshop.name}" has ended; progress is no longer recorded.`,
      );
    }
    this.db
      .prepare(
        "INSERT INTO progress (attendee_id, demo, step, at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
      )
      .run(attendee.id, progress.demo, progress.step, this.now());
    return this.progressOf(attendee.id);
  }

  /** Checks a launch against the attendee's workshop; the launch counts from now until `cancel`. */
  admitRun(attendee: Attendee, launch: LaunchAsked): RunAdmission {
    const workshop = this.workshopRow(attendee.workshopId);
    this.assertOpen(workshop, "launch");
    const quotas = quotasOf(workshop);
    if (!quotas.allowedRuntimes.includes(launch.runtime)) {
      throw quotaError(
        `this workshop allows ${quotas.allowedRuntimes.join(", ")}; "${launch.runtime}" is not one of them.`,
      );
    }
    const asked =
      launch.timeoutMs ?? Math.min(this.options.hostLimits.defaultTimeoutMs, quotas.maxTimeoutMs);
    const timeoutMs = launch.shortenTimeout ? Math.min(asked, quotas.maxTimeoutMs) : asked;
    if (timeoutMs > quotas.maxTimeoutMs) {
      throw quotaError(
        `a run may last at most ${seconds(quotas.maxTimeoutMs)}; this one asks for ${seconds(timeoutMs)}.`,
      );
    }
    const pending = this.pending.get(attendee.id) ?? 0;
    const usage = usageOf(this.runsOf(attendee.id));
    if (usage.activeRuns + pending >= quotas.maxConcurrentRuns) {
      throw quotaError(
        `at most ${plural(quotas.maxConcurrentRuns, "sandbox", "sandboxes")} running at a time per attendee; you have ${usage.activeRuns + pending} running. Wait for one to finish or stop it.`,
      );
    }
    if (usage.totalRuns + pending >= quotas.maxRunsPerAttendee) {
      throw quotaError(
        `at most ${plural(quotas.maxRunsPerAttendee, "run", "runs")} per attendee; you have used ${usage.totalRuns + pending}.`,
      );
    }
    this.pending.set(attendee.id, pending + 1);
    let settled = false;
    const release = () => {
      if (settled) return false;
      settled = true;
      const left = (this.pending.get(attendee.id) ?? 1) - 1;
      if (left > 0) this.pending.set(attendee.id, left);
      else this.pending.delete(attendee.id);
      return true;
    };
    return {
      owner: attendeeOwner(workshop.id, attendee.id),
      timeoutMs,
      launched: (runId) => {
        if (!release()) return;
        this.db
          .prepare(
            "INSERT INTO attendee_runs (run_id, attendee_id, runtime, started_at) VALUES (?, ?, ?, ?)",
          )
          .run(runId, attendee.id, launch.runtime, this.now());
      },
      cancel: () => void release(),
    };
  }

  /** Checks a session against the attendee's workshop: its runtime, sessions at once, lifetime bound. */
  admitSession(
    attendee: Attendee,
    launch: { runtime: string; lifetimeMs?: number },
  ): SessionAdmission {
    const hostSessions = this.options.sessions;
    if (!hostSessions)
      throw new PlaygroundError("unavailable", "sessions", "This host serves no sessions.");
    const workshop = this.workshopRow(attendee.workshopId);
    this.assertOpen(workshop, "launch");
    const quotas = quotasOf(workshop);
    if (!quotas.allowedRuntimes.includes(launch.runtime)) {
      throw quotaError(
        `this workshop allows ${quotas.allowedRuntimes.join(", ")}; "${launch.runtime}" is not one of them.`,
      );
    }
    if (quotas.maxConcurrentSessions === 0)
      throw quotaError("this workshop gives attendees no interactive sessions; use Run.");
    const maxLifetimeMs = Math.min(quotas.maxSessionLifetimeMs, hostSessions.maxLifetimeMs);
    const lifetimeMs = launch.lifetimeMs ?? Math.min(hostSessions.lifetimeMs, maxLifetimeMs);
    if (lifetimeMs > maxLifetimeMs) {
      throw quotaError(
        `a session may live at most ${seconds(maxLifetimeMs)}; this one asks for ${seconds(lifetimeMs)}.`,
      );
    }
    const owner = attendeeOwner(workshop.id, attendee.id);
    const pending = this.pendingSessions.get(attendee.id) ?? 0;
    const held = hostSessions.control.liveOwnedBy(owner).length + pending;
    if (held >= quotas.maxConcurrentSessions) {
      throw quotaError(
        `at most ${plural(quotas.maxConcurrentSessions, "session", "sessions")} at a time per attendee; you have ${held}. End one first.`,
      );
    }
    this.pendingSessions.set(attendee.id, pending + 1);
    let settled = false;
    const release = () => {
      if (settled) return;
      settled = true;
      const left = (this.pendingSessions.get(attendee.id) ?? 1) - 1;
      if (left > 0) this.pendingSessions.set(attendee.id, left);
      else this.pendingSessions.delete(attendee.id);
    };
    return { owner, lifetimeMs, maxLifetimeMs, launched: release, cancel: release };
  }

  /** The host ends one attendee's session; a session outside this workshop is "not found" so ids cannot be probed. */
  async endAttendeeSession(workshopId: string, sessionId: string): Promise<{ ended: true }> {
    const owner = this.options.sessions?.control.ownerOf(sessionId) ?? null;
    if (owner === null || parseOwner(owner)?.workshopId !== workshopId) {
      throw new PlaygroundError(
        "not_found",
        "session",
        `No session with id "${sessionId}" among this workshop's attendees.`,
      );
    }
    await this.options.sessions!.control.end(sessionId);
    return { ended: true };
  }

  /** Records that a run ended; harmless for runs that are not an attendee's. */
  markRunEnded(runId: string): void {
    this.db
      .prepare("UPDATE attendee_runs SET ended_at = ? WHERE run_id = ? AND ended_at IS NULL")
      .run(this.now(), runId);
  }

  /** At start-up: no run survives a restart (the engine reaps their sandboxes), so none is still running. */
  endStaleRuns(): number {
    return this.db
      .prepare("UPDATE attendee_runs SET ended_at = ? WHERE ended_at IS NULL")
      .run(this.now()).changes;
  }

  extend(workshopId: string, minutes: number): WorkshopSummary {
    const workshop = this.workshopRow(workshopId);
    if (workshop.ended_at !== null) {
      throw new PlaygroundError(
        "conflict",
        "workshop_ended",
        `The workshop "${workshop.name}" has ended and cannot be extended; create a new one.`,
      );
    }
    // An expired workshop comes back to life for `minutes` from now; an open one gets them on top.
    const expiresAt = Math.max(workshop.expires_at, this.now()) + minutes * minute;
    this.db.prepare("UPDATE workshops SET expires_at = ? WHERE id = ?").run(expiresAt, workshopId);
    return this.summary(this.workshopRow(workshopId));
  }

  /** Ends the workshop: attendees can no longer launch, and every run and session of theirs is stopped. Idempotent. */
  async end(workshopId: string): Promise<{ stoppedRuns: number; endedSessions: number }> {
    this.workshopRow(workshopId);
    this.db
      .prepare("UPDATE workshops SET ended_at = ? WHERE id = ? AND ended_at IS NULL")
      .run(this.now(), workshopId);
    const open = this.db
      .prepare<[string], { run_id: string }>(
        `SELECT r.run_id FROM attendee_runs r JOIN attendees a ON a.id = r.attendee_id
         WHERE a.workshop_id = ? AND r.ended_at IS NULL`,
      )
      .all(workshopId);
    let stoppedRuns = 0;
    await Promise.all(
      open.map(async ({ run_id: runId }) => {
        const state = this.options.runs.stateOf(runId);
        if (state && !isTerminalState(state)) {
          await this.options.runs.stop(runId);
          stoppedRuns += 1;
        }
        this.markRunEnded(runId);
      }),
    );
    const sessions = this.attendeeIdsOf(workshopId).flatMap((attendeeId) =>
      this.sessionsOf(workshopId, attendeeId),
    );
    await Promise.all(sessions.map((session) => this.options.sessions!.control.end(session.id)));
    return { stoppedRuns, endedSessions: sessions.length };
  }

  /** The host stops one attendee's run; a run outside this workshop is "not found" so ids cannot be probed. */
  async stopAttendeeRun(workshopId: string, runId: string): Promise<AttendeeRun> {
    const row = this.db
      .prepare<[string, string], RunRow>(
        `SELECT r.* FROM attendee_runs r JOIN attendees a ON a.id = r.attendee_id
         WHERE r.run_id = ? AND a.workshop_id = ?`,
      )
      .get(runId, workshopId);
    if (!row) {
      throw new PlaygroundError(
        "not_found",
        "run",
        `No run with id "${runId}" among this workshop's attendees.`,
      );
    }
    await this.options.runs.stop(runId);
    this.markRunEnded(runId);
    return this.toRun({ ...row, ended_at: row.ended_at ?? this.now() });
  }

  /** Ends every workshop past its expiry; returns how many. */
  async endExpired(): Promise<number> {
    const expired = this.db
      .prepare<[number], { id: string }>(
        "SELECT id FROM workshops WHERE ended_at IS NULL AND expires_at <= ?",
      )
      .all(this.now());
    for (const { id } of expired) await this.end(id);
    return expired.length;
  }

  private workshopRow(id: string): WorkshopRow {
    const row = this.db
      .prepare<[string], WorkshopRow>("SELECT * FROM workshops WHERE id = ?")
      .get(id);
    if (!row) throw new PlaygroundError("not_found", "workshop", `No workshop with id "${id}".`);
    return row;
  }

  private statusOf(workshop: WorkshopRow): WorkshopStatus {
    if (workshop.ended_at !== null) return "ended";
    return this.now() >= workshop.expires_at ? "expired" : "open";
  }

  private assertOpen(workshop: WorkshopRow, action: "join" | "launch"): void {
    const status = this.statusOf(workshop);
    if (status === "open") return;
    const what =
      action === "join"
        ? "it can no longer be joined"
        : "its attendees can no longer start sandboxes (leave it on /workshops/me to carry on as a visitor)";
    if (status === "ended") {
      throw new PlaygroundError(
        action === "join" ? "conflict" : "forbidden",
        "workshop_ended",
        `The workshop "${workshop.name}" has ended, so ${what}.`,
      );
    }
    throw new PlaygroundError(
      action === "join" ? "conflict" : "forbidden",
      "workshop_expired",
      `The workshop "${workshop.name}" expired at ${iso(workshop.expires_at)}, so ${what}; the host can extend it.`,
    );
  }

  private assertRoomForWorkshop(creator: WorkshopCreator, now: number): void {
    const open = "ended_at IS NULL AND expires_at > ?";
    const count = (sql: string, ...params: unknown[]) =>
      (this.db.prepare(sql).get(...params) as { n: number }).n;
    const hostMax = this.options.maxOpenWorkshops;
    if (count(`SELECT COUNT(*) AS n FROM workshops WHERE ${open}`, now) >= hostMax) {
      throw new PlaygroundError(
        "quota",
        "workshops",
        `This host already runs ${hostMax} open workshops; end one or wait for one to expire.`,
      );
    }
    const creatorMax = this.options.maxOpenWorkshopsPerCreator;
    const mine = count(
      `SELECT COUNT(*) AS n FROM workshops WHERE created_by = ? AND ${open}`,
      creator.visitor,
      now,
    );
    if (mine >= creatorMax) {
      throw new PlaygroundError(
        "quota",
        "workshops",
        `You already have ${mine} open workshops (at most ${creatorMax} per visitor); end one first.`,
      );
    }
    const addressMax = this.options.maxOpenWorkshopsPerAddress;
    const fromAddress = count(
      `SELECT COUNT(*) AS n FROM workshops WHERE created_from = ? AND ${open}`,
      creator.address,
      now,
    );
    if (fromAddress >= addressMax) {
      throw new PlaygroundError(
        "quota",
        "workshops_per_address",
        `Your network already has ${fromAddress} open workshops (at most ${addressMax} per address); end one first.`,
      );
    }
  }

  private summary(workshop: WorkshopRow): WorkshopSummary {
    return {
      id: workshop.id,
      name: workshop.name,
      capacity: workshop.capacity,
      quotas: quotasOf(workshop),
      createdAt: iso(workshop.created_at),
      expiresAt: iso(workshop.expires_at),
      endedAt: workshop.ended_at === null ? null : iso(workshop.ended_at),
      status: this.statusOf(workshop),
    };
  }

  /** An attendee's runs, newest first; a run the engine no longer runs is recorded as ended on the way. */
  private runsOf(attendeeId: string): AttendeeRun[] {
    const rows = this.db
      .prepare<[string], RunRow>(
        "SELECT * FROM attendee_runs WHERE attendee_id = ? ORDER BY started_at DESC, rowid DESC",
      )
      .all(attendeeId);
    return rows.map((row) => {
      if (row.ended_at === null) {
        const state = this.options.runs.stateOf(row.run_id);
        if (state === null || isTerminalState(state)) {
          this.markRunEnded(row.run_id);
          return this.toRun({ ...row, ended_at: this.now() });
        }
      }
      return this.toRun(row);
    });
  }

  private toRun(row: RunRow): AttendeeRun {
    return {
      id: row.run_id,
      runtime: row.runtime,
      startedAt: iso(row.started_at),
      endedAt: row.ended_at === null ? null : iso(row.ended_at),
      state: this.options.runs.stateOf(row.run_id),
    };
  }

  private attendeeIdsOf(workshopId: string): string[] {
    return this.db
      .prepare<[string], { id: string }>("SELECT id FROM attendees WHERE workshop_id = ?")
      .all(workshopId)
      .map((row) => row.id);
  }

  private sessionsOf(workshopId: string, attendeeId: string): AttendeeSession[] {
    const control = this.options.sessions?.control;
    if (!control) return [];
    const now = this.now();
    return control.liveOwnedBy(attendeeOwner(workshopId, attendeeId)).map((session) => {
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
    });
  }

  private progressOf(attendeeId: string): ProgressEntry[] {
    return this.db
      .prepare<[string], { demo: string; step: number; at: number }>(
        "SELECT demo, step, at FROM progress WHERE attendee_id = ? ORDER BY at, demo, step",
      )
      .all(attendeeId)
      .map((row) => ({ demo: row.demo, step: row.step, at: iso(row.at) }));
  }
}

function quotasOf(workshop: WorkshopRow): WorkshopQuotas {
  return {
    maxConcurrentRuns: workshop.max_concurrent_runs,
    maxRunsPerAttendee: workshop.max_runs_per_attendee,
    allowedRuntimes: JSON.parse(workshop.allowed_runtimes) as string[],
    maxTimeoutMs: workshop.max_timeout_ms,
    maxConcurrentSessions: workshop.max_concurrent_sessions,
    maxSessionLifetimeMs: workshop.max_session_lifetime_ms,
  };
}

function usageOf(runs: AttendeeRun[]): { activeRuns: number; totalRuns: number } {
  return { activeRuns: runs.filter((r) => r.endedAt === null).length, totalRuns: runs.length };
}

function toAttendee(row: AttendeeRow): Attendee {
  return { id: row.id, workshopId: row.workshop_id, name: row.name, joinedAt: row.joined_at };
}

function quotaError(detail: string): PlaygroundError {
  return new PlaygroundError("quota", "workshop", `Workshop quota: ${detail}`);
}

const iso = (ms: number) => new Date(ms).toISOString();
const seconds = (ms: number) => `${ms / 1000} s`;
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
