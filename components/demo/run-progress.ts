// What a run that is not over has reached so far: the latest phase the server timed, and when.
import type { Timings } from "@/lib/api/phases";

export interface LatestPhase {
  phase: string;
  /** Milliseconds since the request when the phase was reached. */
  atMs: number;
}

/** The phase reached last; null before any phase past the request itself. */
export function latestPhase(timings: Timings): LatestPhase | null {
  let latest: LatestPhase | null = null;
  for (const [phase, atMs] of Object.entries(timings)) {
    if (phase === "requested") continue;
    if (!latest || atMs >= latest.atMs) latest = { phase, atMs };
  }
  return latest;
}

/** "guestInit" → "guest init"; phases are camelCase names from the engine and its drivers. */
export function describePhase(phase: string): string {
  return phase.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
}
