// The workshop's rules: whether it is open, whether there is room for another, and what an attendee may launch.
import type { WorkshopQuotas, WorkshopStatus } from "../../lib/api/workshops";
import { PlaygroundError } from "../errors/playground-error";
import type { WorkshopRow } from "./workshop-store";

export function quotasOf(workshop: WorkshopRow): WorkshopQuotas {
  return {
    maxConcurrentRuns: workshop.max_concurrent_runs,
    maxRunsPerAttendee: workshop.max_runs_per_attendee,
    allowedRuntimes: JSON.parse(workshop.allowed_runtimes) as string[],
    maxTimeoutMs: workshop.max_timeout_ms,
    maxConcurrentSessions: workshop.max_concurrent_sessions,
    maxSessionLifetimeMs: workshop.max_session_lifetime_ms,
  };
}

export function statusOf(workshop: WorkshopRow, now: number): WorkshopStatus {
  if (workshop.ended_at !== null) return "ended";
  return now >= workshop.expires_at ? "expired" : "open";
}

/** Joining an ended or expired workshop is a conflict; launching in one is forbidden. */
export function assertOpen(workshop: WorkshopRow, now: number, action: "join" | "launch"): void {
  const status = statusOf(workshop, now);
  if (status === "open") return;
  const what =
    action === "join"
      ? "it can no longer be joined"
      : "its attendees can no longer start sandboxes (leave it on /workshops/me to carry on as a visitor)";
  const kind = action === "join" ? "conflict" : "forbidden";
  if (status === "ended") {
    throw new PlaygroundError(
      kind,
      "workshop_ended",
      `The workshop "${workshop.name}" has ended, so ${what}.`,
    );
  }
  throw new PlaygroundError(
    kind,
    "workshop_expired",
    `The workshop "${workshop.name}" expired at ${iso(workshop.expires_at)}, so ${what}; the facilitator can extend it.`,
  );
}

export interface OpenWorkshopLimits {
  maxOpenWorkshops: number;
  maxOpenWorkshopsPerCreator: number;
  maxOpenWorkshopsPerAddress: number;
}

export function assertRoomForWorkshop(
  open: { host: number; creator: number; address: number },
  limits: OpenWorkshopLimits,
): void {
  if (open.host >= limits.maxOpenWorkshops) {
    throw new PlaygroundError(
      "quota",
      "workshops",
      `This host already runs ${limits.maxOpenWorkshops} open workshops; end one or wait for one to expire.`,
    );
  }
  if (open.creator >= limits.maxOpenWorkshopsPerCreator) {
    throw new PlaygroundError(
      "quota",
      "workshops",
      `You already have ${open.creator} open workshops (at most ${limits.maxOpenWorkshopsPerCreator} per visitor); end one first.`,
    );
  }
  if (open.address >= limits.maxOpenWorkshopsPerAddress) {
    throw new PlaygroundError(
      "quota",
      "workshops_per_address",
      `Your network already has ${open.address} open workshops (at most ${limits.maxOpenWorkshopsPerAddress} per address); end one first.`,
    );
  }
}

export function assertRuntimeAllowed(quotas: WorkshopQuotas, runtime: string): void {
  if (!quotas.allowedRuntimes.includes(runtime)) {
    throw quotaError(
      `this workshop allows ${quotas.allowedRuntimes.join(", ")}; "${runtime}" is not one of them.`,
    );
  }
}

/** The timeout a run gets, or why it may not have the one it asks for. */
export function runTimeoutMs(
  quotas: WorkshopQuotas,
  hostDefaultMs: number,
  launch: { timeoutMs?: number; shortenTimeout?: boolean },
): number {
  const asked = launch.timeoutMs ?? Math.min(hostDefaultMs, quotas.maxTimeoutMs);
  const timeoutMs = launch.shortenTimeout ? Math.min(asked, quotas.maxTimeoutMs) : asked;
  if (timeoutMs > quotas.maxTimeoutMs) {
    throw quotaError(
      `a run may last at most ${seconds(quotas.maxTimeoutMs)}; this one asks for ${seconds(timeoutMs)}.`,
    );
  }
  return timeoutMs;
}

/** `held` counts what runs now plus what was admitted and is still starting. */
export function assertRunRoom(
  quotas: WorkshopQuotas,
  held: { activeRuns: number; totalRuns: number },
): void {
  if (held.activeRuns >= quotas.maxConcurrentRuns) {
    throw quotaError(
      `at most ${plural(quotas.maxConcurrentRuns, "sandbox", "sandboxes")} running at a time per attendee; you have ${held.activeRuns} running. Wait for one to finish or stop it.`,
    );
  }
  if (held.totalRuns >= quotas.maxRunsPerAttendee) {
    throw quotaError(
      `at most ${plural(quotas.maxRunsPerAttendee, "run", "runs")} per attendee; you have used ${held.totalRuns}.`,
    );
  }
}

/** A session's lifetime and bound within the workshop's and the host's, or why not. */
export function sessionLifetime(
  quotas: WorkshopQuotas,
  host: { lifetimeMs: number; maxLifetimeMs: number },
  askedMs: number | undefined,
): { lifetimeMs: number; maxLifetimeMs: number } {
  if (quotas.maxConcurrentSessions === 0)
    throw quotaError("this workshop gives attendees no interactive sessions; use Run.");
  const maxLifetimeMs = Math.min(quotas.maxSessionLifetimeMs, host.maxLifetimeMs);
  const lifetimeMs = askedMs ?? Math.min(host.lifetimeMs, maxLifetimeMs);
  if (lifetimeMs > maxLifetimeMs) {
    throw quotaError(
      `a session may live at most ${seconds(maxLifetimeMs)}; this one asks for ${seconds(lifetimeMs)}.`,
    );
  }
  return { lifetimeMs, maxLifetimeMs };
}

export function assertSessionRoom(quotas: WorkshopQuotas, held: number): void {
  if (held >= quotas.maxConcurrentSessions) {
    throw quotaError(
      `at most ${plural(quotas.maxConcurrentSessions, "session", "sessions")} at a time per attendee; you have ${held}. End one first.`,
    );
  }
}

/**
 * Launches admitted but not yet held by the engine or the session manager, per attendee: they count against
 * the quotas while they start. One protocol for runs and sessions: take() when admitted, and the returned
 * release runs once, whether the launch went ahead or was cancelled.
 */
export class PendingLaunches {
  private readonly pending = new Map<string, number>();

  of(attendeeId: string): number {
    return this.pending.get(attendeeId) ?? 0;
  }

  take(attendeeId: string): () => boolean {
    this.pending.set(attendeeId, this.of(attendeeId) + 1);
    let settled = false;
    return () => {
      if (settled) return false;
      settled = true;
      const left = this.of(attendeeId) - 1;
      if (left > 0) this.pending.set(attendeeId, left);
      else this.pending.delete(attendeeId);
      return true;
    };
  }
}

function quotaError(detail: string): PlaygroundError {
  return new PlaygroundError("quota", "workshop", `Workshop quota: ${detail}`);
}

const iso = (ms: number) => new Date(ms).toISOString();
const seconds = (ms: number) => `${ms / 1000} s`;
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
