// Turns a run's phase timestamps into the consecutive segments the chart stacks; derived, never measured again.
import type { Phase, Timings } from "@/lib/api/phases";

export interface SegmentKind {
  key: string;
  label: string;
  /** Phases that end this segment, first one reached wins; lib/api/phases.ts says who marks each. */
  endsAt: readonly Phase[];
}

export const segmentKinds: readonly SegmentKind[] = [
  { key: "queue", label: "request and queue", endsAt: ["preparing"] },
  { key: "prepare", label: "prepare sandbox", endsAt: ["started", "booting", "running"] },
  // A microVM restored from the snapshot: QEMU loads the saved state, then the guest reseeds and mounts its root.
  { key: "restore", label: "restore from snapshot", endsAt: ["restored"] },
  { key: "resume", label: "reseed, clock, mounts", endsAt: ["ready"] },
  // VM runtimes only: where a boot spends its time. Containers never reach these phases (0 ms).
  { key: "vmmStart", label: "VMM start to first kernel line", endsAt: ["firstConsoleLine"] },
  { key: "kernelBoot", label: "guest kernel boot", endsAt: ["guestInit"] },
  { key: "guestInit", label: "guest init: modules, mounts", endsAt: ["workloadStarted"] },
  { key: "firstOutput", label: "start to first output", endsAt: ["firstOutput"] },
  { key: "workload", label: "workload", endsAt: ["workloadExited", "exited", "failed", "stopped"] },
  { key: "vmShutdown", label: "VM shutdown", endsAt: ["vmGone"] },
  { key: "teardown", label: "teardown", endsAt: ["cleanedUp"] },
];

export interface Segment {
  key: string;
  label: string;
  ms: number;
}

/**
 * One entry per segment kind, in order. A phase the run never reached (no output, a failed start)
 * gives its segment 0 ms and the next reached phase takes the time, so the bar still adds up.
 */
export function deriveSegments(timings: Timings): Segment[] {
  let cursor = timings.requested ?? 0;
  return segmentKinds.map(({ key, label, endsAt }) => {
    const reached = endsAt
      .map((phase) => timings[phase])
      .filter((ms): ms is number => ms !== undefined);
    if (reached.length === 0) return { key, label, ms: 0 };
    // A phase can be stamped before the one it follows (teardown marked before "failed"); never go back.
    const end = Math.max(cursor, Math.min(...reached));
    const ms = end - cursor;
    cursor = end;
    return { key, label, ms };
  });
}

/** The latest timestamp: how long the run has taken so far. */
export function totalMs(timings: Timings): number {
  return Math.max(0, ...Object.values(timings));
}
