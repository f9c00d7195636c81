// Who may launch a run with which limits, and who may see or stop one: open to all unless a feature (workshops) says otherwise.
import type { IncomingHttpHeaders } from "node:http";
import type { Run } from "../engine/run";

/** What a launch may go ahead with; exactly one of `launched` or `cancel` is called. */
export interface LaunchGrant {
  /** Carried on the run: only callers `mayAccess` lets through see or stop it. */
  owner: string | null;
  /** Replaces the request's timeout when set (a workshop's own limit). */
  timeoutMs?: number;
  launched(run: Run): void;
  cancel(): void;
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

/** What a session may go ahead with; exactly one of `launched` or `cancel` is called. */
export interface SessionGrant {
  /** null: the caller's rules do not own it (a visitor's own session). */
  owner: string | null;
  /** Replace the request's lifetime and the host's bound when set (a workshop's own). */
  lifetimeMs?: number;
  maxLifetimeMs?: number;
  launched(): void;
  cancel(): void;
}

/**
 * How a caller stands to an owned sandbox: "use" may type and run commands in it; "watch" may see it,
 * read its terminals and end it (a workshop's facilitator); null may do nothing.
 */
export type AccessRole = "use" | "watch" | null;

export interface RunAccess {
  /** Checks the caller's own rules before a launch; throws a PlaygroundError to refuse it. */
  admitLaunch(headers: IncomingHttpHeaders, launch: LaunchAsked): LaunchGrant;
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

const noGrant = { owner: null, launched: () => undefined, cancel: () => undefined };

export const openRunAccess: RunAccess = {
  admitLaunch: () => noGrant,
  admitSession: () => noGrant,
  mayAccess: (owner) => owner === null,
  roleOf: () => null,
};
