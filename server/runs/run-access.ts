// Who may launch a run with which limits, and who may see or stop one: open to all unless a feature (workshops) says otherwise.
import type { IncomingHttpHeaders } from "node:http";

/** A run or a session once the engine or the session manager took it: what a grant follows to its end. */
export interface LaunchedSandbox {
  readonly id: string;
  readonly finished: boolean;
  on(event: "change", listener: () => void): unknown;
  off(event: "change", listener: () => void): unknown;
}

/** Calls `then` once, when the sandbox has finished (at once if it already has). */
export function onceFinished(sandbox: LaunchedSandbox, then: () => void): void {
  const onChange = () => {
    if (!sandbox.finished) return;
    sandbox.off("change", onChange);
    then();
  };
  sandbox.on("change", onChange);
  onChange();
}

/**
 * What a launch, a run's or a session's, may go ahead with: exactly one of `launched` (with the sandbox
 * that was started) or `cancel` (nothing was) is called.
 */
export interface LaunchGrant {
  /** Carried on the sandbox: only callers `mayAccess` (`roleOf`) lets through see or stop it; null: nobody's. */
  owner: string | null;
  launched(sandbox: LaunchedSandbox): void;
  cancel(): void;
}

/** A run's grant. */
export interface RunGrant extends LaunchGrant {
  /** Replaces the request's timeout when set (a workshop's own limit). */
  timeoutMs?: number;
}

/** A session's grant. */
export interface SessionGrant extends LaunchGrant {
  /** Replace the request's lifetime and the host's bound when set (a workshop's own). */
  lifetimeMs?: number;
  maxLifetimeMs?: number;
}

/** What a launch asks for that the caller's rules judge. */
export interface LaunchAsked {
  runtime: string;
  timeoutMs?: number;
  /**
   * The time limit is what the launcher needs at most (a function's), not one a visitor insists on: a
   * lower limit of the caller's own (a workshop's longest run) shortens it instead of refusing it.
   */
  shortenTimeout?: boolean;
}

/**
 * How a caller stands to an owned sandbox: "use" may type and run commands in it; "watch" may see it,
 * read its terminals and end it (a workshop's facilitator); null may do nothing.
 */
export type AccessRole = "use" | "watch" | null;

export interface RunAccess {
  /** Checks the caller's own rules before a launch; throws a PlaygroundError to refuse it. */
  admitLaunch(headers: IncomingHttpHeaders, launch: LaunchAsked): RunGrant;
  /** The same for an interactive session. */
  admitSession(
    headers: IncomingHttpHeaders,
    launch: { runtime: string; lifetimeMs?: number },
  ): SessionGrant;
  /** Whether the caller (cookies, Authorization) may see and stop a run with this owner. */
  mayAccess(owner: string | null, headers: IncomingHttpHeaders): boolean;
  /** How the caller stands to a sandbox whose owner these rules gave out (a workshop attendee's). */
  roleOf(owner: string, headers: IncomingHttpHeaders): AccessRole;
}

/** The grant of a caller no rules own: nothing to record. */
export const noGrant: LaunchGrant = {
  owner: null,
  launched: () => undefined,
  cancel: () => undefined,
};

export const openRunAccess: RunAccess = {
  admitLaunch: () => noGrant,
  admitSession: () => noGrant,
  mayAccess: (owner) => owner === null,
  roleOf: () => null,
};
