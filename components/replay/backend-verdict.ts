// Deciding that the playground server cannot be reached, so a demo plays recordings instead of failing.
import { ApiRequestError } from "@/components/live/api-client";

/** How long Run waits for the live connection before it treats a silent network as down. */
export const socketGraceMs = 2000;

export interface BackendSignals {
  /** Launch requests that got no answer at all (the fetch failed, or a proxy said the host is gone). */
  networkErrors: number;
  /** Launch requests the server answered: a run, or a refusal with its reason. */
  answered: number;
  /** Launch requests in this batch. */
  total: number;
  /** Whether socket.io is connected to the server. */
  socketConnected: boolean;
  /** Time since Run was pressed. */
  waitedMs: number;
}

export type BackendVerdict = "reachable" | "unreachable" | "undecided";

export function judgeBackend(signals: BackendSignals, graceMs = socketGraceMs): BackendVerdict {
  if (signals.networkErrors > 0) return "unreachable";
  if (signals.answered >= signals.total) return "reachable";
  // A connected socket means the host is up and its answer is on its way, however slow.
  if (signals.socketConnected || signals.answered > 0) return "undecided";
  // Conference Wi-Fi often drops packets rather than refusing: a request can hang for minutes.
  return signals.waitedMs >= graceMs ? "unreachable" : "undecided";
}

/** A request that never reached the playground server (as opposed to one it answered with an error). */
export function isUnreachableError(err: unknown): boolean {
  if (err instanceof BackendUnreachableError) return true;
  if (!(err instanceof ApiRequestError)) return false;
  return err.code === "network" || (err.code === "http" && [502, 503, 504].includes(err.status));
}

export class BackendUnreachableError extends Error {
  constructor() {
    super(
      "The playground server cannot be reached (no answer, and no live connection within a couple of seconds).",
    );
    this.name = "BackendUnreachableError";
  }
}
