"use client";
// "2 of 4 steps" for one demo in a list; nothing until the visitor has done a step.
import { describeProgress, doneCount } from "./progress-store";
import { useProgress } from "./use-progress";

export function DemoProgress({ demo, stepCount }: { demo: string; stepCount: number }) {
  const { progress } = useProgress();
  const done = doneCount(progress, demo, stepCount);
  if (done === 0) return null;
  return (
    <span className="text-sm font-semibold text-ink" data-testid={`progress-${demo}`}>
      {describeProgress(done, stepCount)}
    </span>
  );
}
