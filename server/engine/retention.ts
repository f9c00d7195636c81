// Which finished runs to forget: those past the retention time, and the oldest finished beyond the count.
import type { Run } from "./run";

export function runsToForget(
  runs: ReadonlyMap<string, Run>,
  retention: { ms: number; maxRuns: number },
  now: number,
): string[] {
  const forget: string[] = [];
  let kept = runs.size;
  // Map order is insertion order: the oldest runs come first.
  for (const [id, run] of runs) {
    const expired = run.finishedAt !== null && now - run.finishedAt > retention.ms;
    if (expired || (kept > retention.maxRuns && run.finished)) {
      forget.push(id);
      kept--;
    }
  }
  return forget;
}
