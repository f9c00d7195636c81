// A visitor's progress through the demos, kept in this browser's localStorage: which steps of each demo are done.
import { storageKeyListeners } from "@/components/storage/storage-key-listeners";

const storageKey = "sandbox-playground:track-progress";

/** Demo slug → the zero-based steps done. */
export type Progress = Record<string, { done: number[] }>;

export const noProgress: Progress = {};

/**
 * Anything unreadable (another version's format, a hand edit) counts as no progress rather than an error.
 * Checked by hand rather than with zod: this runs on the landing page, which should not ship a schema library.
 */
export function parseProgress(raw: string | null): Progress {
  if (!raw) return noProgress;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return noProgress;
  }
  return isProgress(value) ? value : noProgress;
}

function isProgress(value: unknown): value is Progress {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  return Object.values(value).every((entry: unknown) => {
    const done = (entry as { done?: unknown } | null)?.done;
    return (
      Array.isArray(done) &&
      done.length <= 1000 &&
      done.every((step) => Number.isInteger(step) && step >= 0)
    );
  });
}

export function withStepDone(progress: Progress, demo: string, step: number): Progress {
  const done = progress[demo]?.done ?? [];
  if (done.includes(step)) return progress;
  return { ...progress, [demo]: { done: [...done, step].sort((a, b) => a - b) } };
}

/** Steps done in a demo, counting only steps it still has (a demo may lose steps between visits). */
export function doneCount(progress: Progress, demo: string, stepCount: number): number {
  return (progress[demo]?.done ?? []).filter((step) => step < stepCount).length;
}

/** The first step not done yet, where a returning visitor picks up; the last step when all are done. */
export function resumeStep(progress: Progress, demo: string, stepCount: number): number {
  const done = new Set(progress[demo]?.done ?? []);
  for (let step = 0; step < stepCount; step++) if (!done.has(step)) return step;
  return Math.max(0, stepCount - 1);
}

export function describeProgress(done: number, stepCount: number): string {
  if (done >= stepCount) return `Done: all ${stepCount} ${stepCount === 1 ? "step" : "steps"}`;
  return `${done} of ${stepCount} ${stepCount === 1 ? "step" : "steps"}`;
}

const listeners = storageKeyListeners(storageKey);
let cached: { raw: string | null; progress: Progress } = { raw: null, progress: noProgress };

export function readProgress(): Progress {
  let raw: string | null = null;
  try {
    raw = window.localStorage.getItem(storageKey);
  } catch {
    return cached.progress;
  }
  // useSyncExternalStore needs the same object back while nothing changed.
  if (raw !== cached.raw) cached = { raw, progress: parseProgress(raw) };
  return cached.progress;
}

export function saveProgress(progress: Progress): void {
  const raw = JSON.stringify(progress);
  cached = { raw, progress };
  try {
    window.localStorage.setItem(storageKey, raw);
  } catch {
    // Without storage, progress lasts as long as this page (kept in `cached`).
  }
  listeners.notify();
}

export const subscribeProgress = listeners.subscribe;
