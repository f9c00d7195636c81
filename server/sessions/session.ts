// One session: a state machine with a timestamp on every transition, its lifetime and idle deadlines, and its cancellation.
import { EventEmitter } from "node:events";
import type { SessionSnapshot, SessionStart, SessionState } from "../../lib/api/sessions";
import { isFinalSessionState } from "../../lib/api/sessions";

const transitions: Record<SessionState, readonly SessionState[]> = {
  queued: ["preparing", "ended", "failed"],
  preparing: ["booting", "ended", "failed"],
  booting: ["ready", "ended", "failed"],
  ready: ["ended", "failed"],
  ended: [],
  failed: [],
};

export type SessionEndReason = "idle" | "lifetime" | "deleted" | "shutdown" | "sandbox-gone";

export interface SessionLimitsInUse {
  memoryBytes: number;
  pids: number;
  cpuShares: number;
  tmpfsBytes: number;
  homeBytes: number;
}

export interface SessionInit {
  id: string;
  runtime: string;
  image: string;
  limits: SessionLimitsInUse;
  /** Whose quota it counts against. */
  clientId: string;
  /** Who may see, use and end it: "visitor:<id>", a workshop owner, or null (anyone with its id). */
  owner: string | null;
  lifetimeMs: number;
  maxLifetimeMs: number;
  idleMs: number;
  /** Injected for tests; Date.now otherwise. */
  now?: () => number;
}

export interface SessionEvents {
  change: [SessionSnapshot];
}

export class Session extends EventEmitter<SessionEvents> {
  readonly id: string;
  readonly runtime: string;
  readonly image: string;
  readonly limits: SessionLimitsInUse;
  readonly clientId: string;
  readonly owner: string | null;
  readonly controller = new AbortController();
  readonly idleMs: number;
  private readonly now: () => number;
  private readonly createdAtMs: number;
  private readonly maxExpiresAtMs: number;
  private expiresAtMs: number;
  private lastActiveMs: number;
  private current: SessionState = "queued";
  private readonly marks = new Map<SessionState, number>();
  private failure: { code: string; message: string } | null = null;
  private readonly terminalExits = new Map<string, number | null>();
  private start: SessionStart | null = null;

  constructor(init: SessionInit) {
    super();
    this.id = init.id;
    this.runtime = init.runtime;
    this.image = init.image;
    this.limits = init.limits;
    this.clientId = init.clientId;
    this.owner = init.owner;
    this.idleMs = init.idleMs;
    this.now = init.now ?? Date.now;
    this.createdAtMs = this.now();
    this.maxExpiresAtMs = this.createdAtMs + init.maxLifetimeMs;
    this.expiresAtMs = Math.min(this.createdAtMs + init.lifetimeMs, this.maxExpiresAtMs);
    this.lastActiveMs = this.createdAtMs;
    this.marks.set("queued", 0);
  }

  get state(): SessionState {
    return this.current;
  }

  get finished(): boolean {
    return isFinalSessionState(this.current);
  }

  get endReason(): SessionEndReason | null {
    return (this.controller.signal.reason as SessionEndReason | undefined) ?? null;
  }

  get expiresAt(): number {
    return this.expiresAtMs;
  }

  get idleExpiresAt(): number {
    return this.lastActiveMs + this.idleMs;
  }

  /** The earlier of the two deadlines: when the session ends unless someone acts. */
  get nextDeadline(): { at: number; reason: "idle" | "lifetime" } {
    return this.idleExpiresAt < this.expiresAtMs
      ? { at: this.idleExpiresAt, reason: "idle" }
      : { at: this.expiresAtMs, reason: "lifetime" };
  }

  transition(next: SessionState): void {
    if (this.current === next) return;
    if (!transitions[this.current].includes(next))
      throw new Error(`session ${this.id}: illegal transition ${this.current} -> ${next}`);
    this.current = next;
    this.marks.set(next, this.now() - this.createdAtMs);
    this.emit("change", this.snapshot());
  }

  /** Input typed, a command run: the idle deadline starts again. */
  touch(): void {
    if (this.finished) return;
    this.lastActiveMs = this.now();
  }

  /** Pushes the lifetime's end by `ms` from now's deadline, never past the host's bound; returns the new end. */
  extend(ms: number): number {
    this.expiresAtMs = Math.min(this.expiresAtMs + ms, this.maxExpiresAtMs);
    this.touch();
    this.emit("change", this.snapshot());
    return this.expiresAtMs;
  }

  /** Ends the session; the manager sees the signal and tears the sandbox down. Idempotent. */
  end(reason: SessionEndReason): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  finish(state: "ended" | "failed", error: { code: string; message: string } | null = null): void {
    if (this.finished) return;
    this.failure = error;
    this.transition(state);
  }

  /** The sandbox runs: how it was made ready, when its driver says. */
  ready(start: SessionStart | null): void {
    this.start = start;
    this.transition("ready");
  }

  recordTerminal(id: string, exitCode: number | null | undefined): void {
    this.terminalExits.set(id, exitCode ?? null);
    this.emit("change", this.snapshot());
  }

  snapshot(): SessionSnapshot {
    const live = !this.finished;
    return {
      id: this.id,
      runtime: this.runtime,
      image: this.image,
      state: this.current,
      timings: Object.fromEntries(this.marks),
      createdAt: new Date(this.createdAtMs).toISOString(),
      expiresAt: live ? new Date(this.expiresAtMs).toISOString() : null,
      idleExpiresAt: live ? new Date(this.idleExpiresAt).toISOString() : null,
      maxExpiresAt: new Date(this.maxExpiresAtMs).toISOString(),
      limits: this.limits,
      error: this.failure,
      terminals: [...this.terminalExits].map(([id, exitCode]) => ({ id, exitCode })),
      start: this.start,
    };
  }
}
