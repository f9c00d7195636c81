// Runs started from this browser. The host page lists every run but not their ids (an id is the right to stop
// a run), so the browser remembers the ids it was given to offer Stop for its own runs.
import { z } from "zod";

const storageKey = "sandbox-playground:my-runs";
const keep = 20;

const MyRunSchema = z.object({ id: z.string(), runtime: z.string(), startedAt: z.number() });
export type MyRun = z.infer<typeof MyRunSchema>;

export function listMyRuns(): MyRun[] {
  try {
    const parsed = z
      .array(MyRunSchema)
      .safeParse(JSON.parse(window.localStorage.getItem(storageKey) ?? "[]"));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

export function rememberMyRun(run: MyRun): void {
  saveMyRuns([run, ...listMyRuns().filter((r) => r.id !== run.id)].slice(0, keep));
}

export function forgetMyRun(id: string): void {
  saveMyRuns(listMyRuns().filter((r) => r.id !== id));
}

function saveMyRuns(runs: MyRun[]): void {
  try {
    window.localStorage.setItem(storageKey, JSON.stringify(runs));
  } catch {
    // Without storage the host page simply cannot offer Stop for this browser's runs.
  }
}
