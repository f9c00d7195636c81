"use client";
// The guide beside a demo: one step at a time with its own "what to notice", previous/next, progress and the next demo.
import Link from "next/link";
import { useState } from "react";
import { InlineMarkdown, MarkdownView } from "@/components/markdown/markdown-view";
import type { RenderedStep } from "@/lib/demos/markdown-tree";
import { Panel } from "@/components/ui/panel";
import { describeProgress, doneCount, resumeStep } from "./progress-store";
import { useProgress } from "./use-progress";

export interface StepGuideProps {
  demo: string;
  /** As the loader rendered them: body and notices are sanitized Markdown trees. */
  steps: RenderedStep[];
  /** The demo after this one in its track; null for the last. */
  nextDemo: { slug: string; title: string } | null;
}

export function StepGuide({ demo, steps, nextDemo }: StepGuideProps) {
  const { progress, completeStep } = useProgress();
  const stepCount = Math.max(1, steps.length);
  const [chosen, setChosen] = useState<number | null>(null);
  const current = Math.min(chosen ?? resumeStep(progress, demo, stepCount), stepCount - 1);
  const done = doneCount(progress, demo, stepCount);
  const step = steps[current];
  const isLast = current === stepCount - 1;
  const allDone = done >= stepCount;

  const finishStep = () => {
    completeStep(demo, current);
    if (!isLast) setChosen(current + 1);
  };

  return (
    <Panel id="steps" title="Steps">
      <p className="text-sm font-medium text-muted" role="status" data-testid="demo-progress">
        {describeProgress(done, stepCount)}
      </p>
      {steps.length > 0 && (
        <ol className="mt-2 flex list-decimal flex-col gap-1 pl-5" aria-label="All steps">
          {steps.map((s, index) => (
            <li
              key={s.title}
              className={index === current ? "font-semibold text-ink" : "text-muted"}
            >
              <button
                type="button"
                onClick={() => setChosen(index)}
                aria-current={index === current ? "step" : undefined}
                className="text-left underline-offset-2 hover:underline"
              >
                {s.title}
                {progress[demo]?.done.includes(index) && <span className="sr-only"> (done)</span>}
                {progress[demo]?.done.includes(index) && (
                  <span aria-hidden="true" className="ml-1 text-emerald-700">
                    ✓
                  </span>
                )}
              </button>
            </li>
          ))}
        </ol>
      )}

      {step && (
        <div
          className="mt-4 rounded-md border border-line bg-surface-raised p-3"
          data-testid="current-step"
          aria-live="polite"
        >
          <p className="text-sm font-medium text-muted">
            Step {current + 1} of {stepCount}
          </p>
          <h3 className="text-lg font-semibold text-ink">{step.title}</h3>
          {step.body.length > 0 && (
            <MarkdownView nodes={step.body} className="mt-1 flex flex-col gap-2 text-ink" />
          )}
          {step.notice.length > 0 && (
            <>
              <h4 className="mt-3 text-sm font-semibold text-ink">What to notice</h4>
              <ul className="mt-1 flex list-disc flex-col gap-1 pl-5 text-sm text-ink">
                {step.notice.map((item, index) => (
                  <li key={index}>
                    <InlineMarkdown nodes={item} />
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}

      <div className="mt-4 flex flex-wrap items-center gap-2">
        {steps.length > 1 && (
          <button
            type="button"
            onClick={() => setChosen(current - 1)}
            disabled={current === 0}
            className="rounded-md border border-line bg-surface px-3 py-1.5 text-sm font-semibold text-ink hover:bg-surface-raised disabled:opacity-50"
          >
            Previous step
          </button>
        )}
        <button
          type="button"
          onClick={finishStep}
          disabled={isLast && allDone}
          data-testid="next-step"
          className="rounded-md bg-accent px-3 py-1.5 text-sm font-semibold text-on-accent hover:bg-accent-strong disabled:opacity-50"
        >
          {isLast ? (allDone ? "Demo done" : "Finish this demo") : "Next step"}
        </button>
        {nextDemo && (isLast || allDone) && (
          <Link
            href={`/demos/${nextDemo.slug}`}
            className="rounded-md border border-accent px-3 py-1.5 text-sm font-semibold text-accent hover:bg-surface-raised"
          >
            Next demo: {nextDemo.title} →
          </Link>
        )}
      </div>
    </Panel>
  );
}
