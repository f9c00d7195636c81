// Workshops as data: create, join, quotas, progress, extend, end. Framework-free; runs are reached through
// RunControl. The SQL lives in workshop-store.ts, the rules in workshop-quotas.ts, the shapes in workshop-views.ts.
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
  WorkshopSummary,
} from "../../lib/api/workshops";
import { PlaygroundError } from "../errors/playground-error";
import {
  onceFinished,
  type LaunchAsked,
  type RunGrant,
  type SessionGrant,
} from "../runs/run-access";
import { generateJoinCode } from "./join-code";
import { hashToken, newId, newToken } from "./tokens";
import type { WorkshopDb } from "./workshop-db";
import {
  PendingLaunches,
  assertOpen,
  assertRoomForWorkshop,
  assertRunRoom,
  assertRuntimeAllowed,
  assertSessionRoom,
  quotasOf,
  runTimeoutMs,
  sessionLifetime,
} from "./workshop-quotas";
import { WorkshopStore, type AttendeeRow, type RunRow, type WorkshopRow } from "./workshop-store";
import {
  attendeeRunOf,
  attendeeSessionOf,
  iso,
  progressEntries,
  summaryOf,
  usageOf,
} from "./workshop-views";

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
  /** Told once a workshop has ended (by its facilitator or its expiry), after its runs and sessions stopped. */
  ended?: (workshopId: string) => void;
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

/** A run the quotas admitted: the launch policy's grant (runs/run-access.ts), always owned and timed. */
export type RunAdmission = RunGrant & { owner: string; timeoutMs: number };

/** A session the quotas admitted: the launch policy's grant, always owned and bounded. */
export type SessionAdmission = SessionGrant & {
  owner: string;
  lifetimeMs: number;
  maxLifetimeMs: number;
};

const minute = 60_000;
const hour = 60 * minute;

/** Owners the engine carries for attendee runs: the workshop first, so a facilitator check needs no lookup. */
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
  private readonly store: WorkshopStore;
  /** Launches admitted but not yet recorded: they count against the quotas while they start. */
  private readonly pendingRuns = new PendingLaunches();
  private readonly pendingSessions = new PendingLaunches();

  constructor(
    db: WorkshopDb,
    private readonly options: WorkshopServiceOptions,
  ) {
    this.store = new WorkshopStore(db);
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
    const facilitatorToken = newToken();
    const now = this.now();
    assertRoomForWorkshop(this.store.openWorkshopCounts(now, creator), this.options);
    const joinCode = this.store.insertWorkshop(
      {
        id,
        name: body.name,
        facilitatorTokenHash: hashToken(facilitatorToken),
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
      },
      this.joinCode,
    );
    return { id, joinCode, facilitatorToken };
  }

  join(body: { code: string; name: string }): JoinResult {
    return this.store.transaction((): JoinResult => {
      const workshop = this.store.workshopByCode(body.code);
      if (!workshop) {
        throw new PlaygroundError(
          "not_found",
          "workshop",
          `No workshop has the join code ${body.code}. Check the code with your facilitator.`,
        );
      }
      assertOpen(workshop, this.now(), "join");
      if (this.store.attendeeCount(workshop.id) >= workshop.capacity) {
        throw new PlaygroundError(
          "conflict",
          "workshop_full",
          `The workshop "${workshop.name}" is full: all ${workshop.capacity} places are taken. Ask the facilitator to make room.`,
        );
      }
      if (this.store.nameTaken(workshop.id, body.name)) {
        throw new PlaygroundError(
          "conflict",
          "attendee_name",
          `Someone in "${workshop.name}" already goes by "${body.name}"; choose another name.`,
        );
      }
      const token = newToken();
      const attendeeId = newId();
      this.store.insertAttendee({
        id: attendeeId,
        workshop_id: workshop.id,
        name: body.name,
        token_hash: hashToken(token),
        joined_at: this.now(),
      });
      return { workshopId: workshop.id, attendeeId, name: body.name, token };
    });
  }

  /** The attendee a cookie's token belongs to; null for an unknown token. */
  attendeeByToken(token: string): Attendee | null {
    const row = this.store.attendeeByTokenHash(hashToken(token));
    return row ? toAttendee(row) : null;
  }

  /** Checks a facilitator token against a workshop: 401 without one, 403 for another workshop's (or a made-up) token. */
  authorizeFacilitator(workshopId: string, facilitatorToken: string | null): void {
    if (!facilitatorToken) {
      throw new PlaygroundError(
        "unauthorized",
        "facilitator",
        "This needs the workshop's facilitator token (Authorization: Bearer <token>), shown when the workshop was created.",
      );
    }
    const hash = this.store.facilitatorTokenHashOf(workshopId);
    if (hash === undefined) {
      throw new PlaygroundError("not_found", "workshop", `No workshop with id "${workshopId}".`);
    }
    if (hash !== hashToken(facilitatorToken)) {
      throw new PlaygroundError(
        "forbidden",
        "facilitator",
        "That facilitator token does not belong to this workshop.",
      );
    }
  }

  /** The workshop a facilitator token opens, or null. */
  workshopOfFacilitatorToken(facilitatorToken: string): string | null {
    return this.store.workshopOfFacilitatorTokenHash(hashToken(facilitatorToken));
  }

  attendeeView(attendee: Attendee): AttendeeView {
    const workshop = this.workshopRow(attendee.workshopId);
    const runs = this.runsOf(attendee.id);
    return {
      workshop: summaryOf(workshop, this.now()),
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
    return {
      workshop: { ...summaryOf(workshop, this.now()), joinCode: workshop.join_code },
      attendees: this.store.attendeesOf(workshopId).map((row) => {
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
    this.store.insertProgress(attendee.id, progress.demo, progress.step, this.now());
    return this.progressOf(attendee.id);
  }

  /** Checks a launch against the attendee's workshop; the launch counts from now until `cancel`. */
  admitRun(attendee: Attendee, launch: LaunchAsked): RunAdmission {
    const workshop = this.workshopRow(attendee.workshopId);
    assertOpen(workshop, this.now(), "launch");
    const quotas = quotasOf(workshop);
    assertRuntimeAllowed(quotas, launch.runtime);
    const timeoutMs = runTimeoutMs(quotas, this.options.hostLimits.defaultTimeoutMs, launch);
    const pending = this.pendingRuns.of(attendee.id);
    const usage = usageOf(this.runsOf(attendee.id));
    assertRunRoom(quotas, {
      activeRuns: usage.activeRuns + pending,
      totalRuns: usage.totalRuns + pending,
    });
    const release = this.pendingRuns.take(attendee.id);
    return {
      owner: attendeeOwner(workshop.id, attendee.id),
      timeoutMs,
      launched: (run) => {
        if (!release()) return;
        this.store.insertRun(run.id, attendee.id, launch.runtime, this.now());
        onceFinished(run, () => this.markRunEnded(run.id));
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
    assertOpen(workshop, this.now(), "launch");
    const quotas = quotasOf(workshop);
    assertRuntimeAllowed(quotas, launch.runtime);
    const { lifetimeMs, maxLifetimeMs } = sessionLifetime(quotas, hostSessions, launch.lifetimeMs);
    const owner = attendeeOwner(workshop.id, attendee.id);
    assertSessionRoom(
      quotas,
      hostSessions.control.liveOwnedBy(owner).length + this.pendingSessions.of(attendee.id),
    );
    const release = this.pendingSessions.take(attendee.id);
    return {
      owner,
      lifetimeMs,
      maxLifetimeMs,
      launched: () => void release(),
      cancel: () => void release(),
    };
  }

  /** The facilitator ends one attendee's session; a session outside this workshop is "not found" so ids cannot be probed. */
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
    this.store.markRunEnded(runId, this.now());
  }

  /** At start-up: no run survives a restart (the engine reaps their sandboxes), so none is still running. */
  endStaleRuns(): number {
    return this.store.endAllRuns(this.now());
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
    this.store.setExpiresAt(
      workshopId,
      Math.max(workshop.expires_at, this.now()) + minutes * minute,
    );
    return summaryOf(this.workshopRow(workshopId), this.now());
  }

  /** Ends the workshop: attendees can no longer launch, and every run and session of theirs is stopped. Idempotent. */
  async end(workshopId: string): Promise<{ stoppedRuns: number; endedSessions: number }> {
    this.workshopRow(workshopId);
    this.store.markEnded(workshopId, this.now());
    let stoppedRuns = 0;
    await Promise.all(
      this.store.openRunIds(workshopId).map(async (runId) => {
        const state = this.options.runs.stateOf(runId);
        if (state && !isTerminalState(state)) {
          await this.options.runs.stop(runId);
          stoppedRuns += 1;
        }
        this.markRunEnded(runId);
      }),
    );
    const sessions = this.store
      .attendeesOf(workshopId)
      .flatMap((attendee) => this.sessionsOf(workshopId, attendee.id));
    await Promise.all(sessions.map((session) => this.options.sessions!.control.end(session.id)));
    this.options.ended?.(workshopId);
    return { stoppedRuns, endedSessions: sessions.length };
  }

  /** The facilitator stops one attendee's run; a run outside this workshop is "not found" so ids cannot be probed. */
  async stopAttendeeRun(workshopId: string, runId: string): Promise<AttendeeRun> {
    const row = this.store.workshopRun(workshopId, runId);
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
    const expired = this.store.expiredIds(this.now());
    for (const id of expired) await this.end(id);
    return expired.length;
  }

  private workshopRow(id: string): WorkshopRow {
    const row = this.store.workshop(id);
    if (!row) throw new PlaygroundError("not_found", "workshop", `No workshop with id "${id}".`);
    return row;
  }

  /** An attendee's runs, newest first; a run the engine no longer runs is recorded as ended on the way. */
  private runsOf(attendeeId: string): AttendeeRun[] {
    return this.store.runsOf(attendeeId).map((row) => {
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
    return attendeeRunOf(row, this.options.runs.stateOf(row.run_id));
  }

  private sessionsOf(workshopId: string, attendeeId: string): AttendeeSession[] {
    const control = this.options.sessions?.control;
    if (!control) return [];
    const now = this.now();
    return control
      .liveOwnedBy(attendeeOwner(workshopId, attendeeId))
      .map((session) => attendeeSessionOf(session, now));
  }

  private progressOf(attendeeId: string): ProgressEntry[] {
    return progressEntries(this.store.progressOf(attendeeId));
  }
}

function toAttendee(row: AttendeeRow): Attendee {
  return { id: row.id, workshopId: row.workshop_id, name: row.name, joinedAt: row.joined_at };
}
