// Which way a run's microVM came to its workload, read from the run's phases (lib/api/phases.ts): never stored twice.
import type { Timings } from "./phases";

export type VmPath = "pooled" | "restored" | "cold boot";

/**
 * A claimed warm-pool VM, one restored from the snapshot for this run, or a kernel booted for it (also after a
 * restore that failed: the run then says "snapshot unusable" and boots cold). Null: no microVM phases.
 */
export function vmPathOf(timings: Timings): VmPath | null {
  if (timings.poolClaimed !== undefined) return "pooled";
  if (timings.restored !== undefined && timings.snapshotUnusable === undefined) return "restored";
  if (timings.vmmSpawned !== undefined || timings.guestInit !== undefined) return "cold boot";
  return null;
}
