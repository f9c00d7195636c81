"use client";
// React's view of the visitor's progress; in a workshop, each completed step is also reported to the facilitator.
import { useCallback, useSyncExternalStore } from "react";
import type { ProgressBody } from "@/lib/api/workshops";
import {
  noProgress,
  readProgress,
  saveProgress,
  subscribeProgress,
  withStepDone,
  type Progress,
} from "./progress-store";

export interface UseProgress {
  progress: Progress;
  /** Marks a step (zero-based) of a demo as done. */
  completeStep: (demo: string, step: number) => void;
}

export function useProgress(): UseProgress {
  const progress = useSyncExternalStore(subscribeProgress, readProgress, () => noProgress);
  const completeStep = useCallback((demo: string, step: number) => {
    const current = readProgress();
    const next = withStepDone(current, demo, step);
    if (next === current) return;
    saveProgress(next);
    reportToWorkshop(demo, step);
  }, []);
  return { progress, completeStep };
}

/**
 * An attendee's browser carries the workshop cookie; the facilitator's dashboard then shows their progress.
 * `step` is the 1-based number of the step just completed. Failures are ignored: local progress is kept anyway.
 */
function reportToWorkshop(demo: string, step: number): void {
  // The name of lib/api/workshops.ts's `workshopCookie`, written out: importing it would bring zod to every page.
  if (!document.cookie.split(/;\s*/).some((c) => c.startsWith("sbpg_workshop="))) return;
  void fetch("/api/workshops/me/progress", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ demo, step: step + 1 } satisfies ProgressBody),
  }).catch(() => undefined);
}
