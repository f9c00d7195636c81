"use client";
// A lab: its steps with their states, the open step with Run blocks, its check and hint, and the sessions' shells side by side.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { InlineMarkdown, MarkdownView } from "@/components/markdown/markdown-view";
import { RunBlock } from "@/components/markdown/run-block";
import { RunTargetProvider, useRegisterRunTarget } from "@/components/markdown/run-target";
import { typedCommand } from "@/components/markdown/typed-command";
import type { TerminalLink } from "@/components/terminal/terminal-link";
import { Panel } from "@/components/ui/panel";
import { formatAge } from "@/components/format/format-units";
import type { StepProgress, StepState } from "@/lib/api/labs";
import { labRuntimesOf, type LabStepView } from "@/lib/demos/lab-steps";
import { useProgress } from "@/components/tracks/use-progress";
import { LabTerminal } from "./lab-terminal";
import { useLab } from "./use-lab";

export interface LabWorkbenchProps {
  slug: string;
  steps: LabStepView[];
}

const stateText: Record<StepState, string> = {
  locked: "locked",
  open: "open",
  checking: "checking…",
  done: "done",
  failed: "not yet",
};

const stateTone: Record<StepState, string> = {
  locked: "bg-slate-100 text-slate-700 ring-slate-300",
  open: "bg-sky-50 text-sky-900 ring-sky-300",
  checking: "bg-amber-50 text-amber-900 ring-amber-300",
  done: "bg-emerald-50 text-emerald-900 ring-emerald-300",
  failed: "bg-red-50 text-red-900 ring-red-300",
};

export function LabWorkbench({ slug, steps }: LabWorkbenchProps) {
  const runtimes = useMemo(() => labRuntimesOf(steps), [steps]);
  const lab = useLab(slug, steps, runtimes);
  const links = useRef(new Map<string, TerminalLink>());
  const onLink = useCallback((runtime: string, link: TerminalLink | null) => {
    if (link) links.current.set(runtime, link);
    else links.current.delete(runtime);
  }, []);
  const [chosen, setChosen] = useState<number | null>(null);
  // The demos list shows this browser's progress; in a workshop, completing a step also reports it to the facilitator.
  const { completeStep } = useProgress();
  useEffect(() => {
    lab.progress?.steps.forEach((s) => s.state === "done" && completeStep(slug, s.index));
  }, [lab.progress, completeStep, slug]);

  const progress = lab.progress;
  const current = progress ? Math.min(progress.current, steps.length - 1) : 0;
  const shown = chosen ?? current;
  const step = steps[shown];
  const stepProgress = progress?.steps[shown];
  const doneCount = progress?.steps.filter((s) => s.state === "done").length ?? 0;

  /** Run types the block into each of the step's shells, as if the visitor had typed it and pressed Enter. */
  const typeIntoShells = useCallback(
    (command: string) => {
      const targets = (step?.runtimes.length ? step.runtimes : runtimes)
        .map((r) => links.current.get(r))
        .filter((link): link is TerminalLink => link !== undefined);
      for (const link of targets) link.input(typedCommand(command));
    },
    [step, runtimes],
  );

  return (
    <Panel id="lab" title="Lab">
      <p className="text-sm font-medium text-muted" role="status" data-testid="lab-progress">
        {progress
          ? doneCount >= steps.length
            ? `Done: all ${steps.length} steps`
            : `${doneCount} of ${steps.length} steps done`
          : "Loading your progress…"}
      </p>
      {lab.error && (
        <p role="alert" className="mt-2 text-sm text-red-800">
          {lab.error}
        </p>
      )}
      <div className="mt-3 grid gap-6 xl:grid-cols-[24rem_minmax(0,1fr)]">
        <div className="flex min-w-0 flex-col gap-4">
          <ol className="flex flex-col gap-1" aria-label="Lab steps">
            {steps.map((s, index) => {
              const state = progress?.steps[index]?.state ?? "locked";
              return (
                <li key={index} data-testid="lab-step" data-state={state}>
                  <button
                    type="button"
                    onClick={() => setChosen(index)}
                    disabled={state === "locked"}
                    aria-current={index === shown ? "step" : undefined}
                    className={`flex w-full items-center justify-between gap-2 rounded-md px-2 py-1 text-left ${index === shown ? "bg-surface-raised font-semibold text-ink" : "text-ink"} disabled:text-muted`}
                  >
                    <span>
                      {index + 1}. {s.title}
                    </span>
                    <StepBadge state={state} />
                  </button>
                </li>
              );
            })}
          </ol>
          {step && (
            <RunTargetProvider>
              <TypeIntoShells handler={typeIntoShells} />
              <StepCard
                index={shown}
                count={steps.length}
                step={step}
                progress={stepProgress}
                checking={lab.checking === shown}
                sessionsReady={step.runtimes.every((r) => lab.sessions[r]?.state === "ready")}
                onCheck={() => void lab.check(shown)}
                onComplete={() => {
                  setChosen(null);
                  void lab.complete(shown);
                }}
                onNext={() => setChosen(null)}
                isCurrent={shown === current}
                revealedByFacilitator={lab.revealed.includes(shown)}
              />
            </RunTargetProvider>
          )}
        </div>
        <div className="flex min-w-0 flex-col gap-3">
          {!lab.ready && (
            <div className="flex flex-wrap items-center gap-3">
              <button
                type="button"
                data-testid="start-lab-sessions"
                onClick={() => void lab.startSessions()}
                disabled={lab.starting || !progress}
                className="rounded-md bg-accent px-4 py-2 font-semibold text-on-accent hover:bg-accent-strong disabled:opacity-50"
              >
                {lab.starting ? "Starting…" : "Start the sessions"}
              </button>
              <span className="text-sm text-muted">
                A shell of your own in {runtimes.join(" and ")}, side by side; the checks run there.
              </span>
            </div>
          )}
          {lab.unavailable.map((runtime) => (
            <p
              key={runtime.id}
              className="rounded-md border border-dashed border-line bg-surface-sunken p-3 text-sm"
              data-testid={`lab-runtime-unavailable-${runtime.id}`}
            >
              <span className="font-semibold text-ink">{runtime.id}</span>{" "}
              <span className="text-muted">
                is not available here{runtime.reason ? `: ${runtime.reason}` : ""}; its steps cannot
                be checked.
              </span>
              {runtime.install && (
                <span className="block text-ink">To enable: {runtime.install}</span>
              )}
            </p>
          ))}
          <div className={`grid gap-3 ${runtimes.length > 1 ? "lg:grid-cols-2" : ""}`}>
            {runtimes.map((runtime) => {
              const session = lab.sessions[runtime];
              return session?.state === "ready" ? (
                <LabTerminal
                  key={session.id}
                  runtime={runtime}
                  sessionId={session.id}
                  onLink={onLink}
                />
              ) : null;
            })}
          </div>
        </div>
      </div>
    </Panel>
  );
}

function TypeIntoShells({ handler }: { handler: (command: string) => void }) {
  useRegisterRunTarget(({ command }) => handler(command));
  return null;
}

function StepBadge({ state }: { state: StepState }) {
  return (
    <span
      className={`shrink-0 rounded-full px-2 py-0.5 text-xs font-semibold ring-1 ring-inset ${stateTone[state]}`}
    >
      {state === "done" && <span aria-hidden="true">✓ </span>}
      {stateText[state]}
    </span>
  );
}

interface StepCardProps {
  index: number;
  count: number;
  step: LabStepView;
  progress: StepProgress | undefined;
  checking: boolean;
  sessionsReady: boolean;
  isCurrent: boolean;
  /** The workshop's facilitator revealed this step's solution to everyone. */
  revealedByFacilitator: boolean;
  onCheck(): void;
  onComplete(): void;
  onNext(): void;
}

function StepCard(props: StepCardProps) {
  const {
    index,
    count,
    step,
    progress,
    checking,
    sessionsReady,
    isCurrent,
    revealedByFacilitator,
  } = props;
  const [asked, setAsked] = useState(false);
  const solutionShown = asked || revealedByFacilitator;
  const state = progress?.state ?? "locked";
  const since = progress ? Date.now() - Date.parse(progress.since) : null;
  return (
    <div
      className="rounded-md border border-line bg-surface-raised p-3"
      data-testid="lab-current-step"
      data-state={state}
    >
      <p className="text-sm font-medium text-muted">
        Step {index + 1} of {count}
        {step.runtimes.length > 0 && ` · in ${step.runtimes.join(" and ")}`}
      </p>
      <h3 className="text-lg font-semibold text-ink">{step.title}</h3>
      {step.body.length > 0 && (
        <MarkdownView nodes={step.body} className="mt-1 flex flex-col gap-2 text-ink" />
      )}
      {step.run.length > 0 && (
        <div className="mt-3 flex flex-col gap-2">
          {step.run.map((command, i) => (
            <RunBlock key={i} command={command} language="sh" />
          ))}
        </div>
      )}

      <div className="mt-3 flex flex-wrap items-center gap-2">
        <StepBadge state={checking && state !== "done" ? "checking" : state} />
        {step.checked && state !== "done" && state !== "locked" && (
          <button
            type="button"
            data-testid="check-step"
            onClick={props.onCheck}
            disabled={checking || !sessionsReady}
            className="rounded-md border border-line bg-surface px-3 py-1 text-sm font-semibold text-ink hover:bg-surface-raised disabled:opacity-50"
          >
            {checking ? "Checking…" : "Check"}
          </button>
        )}
        {!step.checked && state === "open" && (
          <button
            type="button"
            data-testid="complete-step"
            onClick={props.onComplete}
            className="rounded-md bg-accent px-3 py-1 text-sm font-semibold text-on-accent hover:bg-accent-strong"
          >
            Done, next step
          </button>
        )}
        {state === "done" && !isCurrent && (
          <button
            type="button"
            onClick={props.onNext}
            className="rounded-md border border-line bg-surface px-3 py-1 text-sm font-semibold text-ink hover:bg-surface-raised"
          >
            Go to the open step
          </button>
        )}
        {progress && progress.failedChecks > 0 && (
          <span className="text-sm text-muted">
            {progress.failedChecks} failed check{progress.failedChecks === 1 ? "" : "s"}
          </span>
        )}
        {since !== null && state !== "done" && state !== "locked" && (
          <span className="text-sm text-muted">· open {formatAge(since)}</span>
        )}
      </div>
      {step.checked && !sessionsReady && state !== "done" && (
        <p className="mt-2 text-sm text-muted">Start the sessions to check this step.</p>
      )}
      {progress?.hint && state !== "done" && (
        <p role="status" data-testid="step-hint" className="mt-2 text-sm text-red-800">
          Hint: {progress.hint}
        </p>
      )}
      {state === "done" && step.checked && (
        <p className="mt-2 text-sm text-emerald-800" data-testid="step-passed">
          The check passed
          {progress?.outcomes.length
            ? ` in ${progress.outcomes.map((o) => o.runtime).join(" and ")}`
            : ""}
          .
        </p>
      )}

      {step.notice.length > 0 && (
        <>
          <h4 className="mt-3 text-sm font-semibold text-ink">What to notice</h4>
          <ul className="mt-1 flex list-disc flex-col gap-1 pl-5 text-ink">
            {step.notice.map((item, i) => (
              <li key={i}>
                <InlineMarkdown nodes={item} />
              </li>
            ))}
          </ul>
        </>
      )}
      {step.checked && step.solution && (
        <div className="mt-3">
          {!revealedByFacilitator && (
            <button
              type="button"
              onClick={() => setAsked((shown) => !shown)}
              aria-expanded={solutionShown}
              className="text-sm font-medium text-accent underline underline-offset-2"
            >
              {solutionShown ? "Hide the solution" : "Show the solution"}
            </button>
          )}
          {revealedByFacilitator && (
            <p className="mt-1 text-sm text-muted" data-testid="revealed-by-facilitator">
              Your workshop&apos;s facilitator revealed this solution to everyone.
            </p>
          )}
          {solutionShown && (
            <pre
              className="mt-2 overflow-x-auto rounded-md bg-surface-sunken p-2 font-mono text-sm text-ink"
              data-testid="step-solution"
            >
              {step.solution}
            </pre>
          )}
        </div>
      )}
    </div>
  );
}
