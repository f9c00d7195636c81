// What a sandbox costs the host in memory: every host process of the sandbox (runtime shims, the
// Sentry and gofer, a VMM...), as RSS and as PSS (shared pages split among their users).
import fs from "node:fs/promises";

export interface MemoryFootprint {
  rssBytes: number;
  pssBytes: number;
  processes: number;
}

/** Reads /proc/<pid>/smaps_rollup of each process; processes that exited meanwhile are skipped. */
export async function measureFootprint(pids: readonly number[]): Promise<MemoryFootprint | null> {
  let rssBytes = 0;
  let pssBytes = 0;
  let processes = 0;
  for (const pid of pids) {
    const rollup = await fs.readFile(`/proc/${pid}/smaps_rollup`, "utf8").catch(() => null);
    if (!rollup) continue;
    const sizes = parseRollup(rollup);
    rssBytes += sizes.rss;
    pssBytes += sizes.pss;
    processes += 1;
  }
  return processes > 0 ? { rssBytes, pssBytes, processes } : null;
}

export function parseRollup(text: string): { rss: number; pss: number } {
  const kib = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0) * 1024;
  return { rss: kib("Rss"), pss: kib("Pss") };
}
