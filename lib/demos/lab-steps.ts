// What a lab page needs of a demo's steps, as plain data for the client: prose already rendered, scripts as text.
import type { MarkdownNode } from "./markdown-tree";
import { isLabStep, solutionOf, stepRuntimesOf, type Demo } from "./schema";

export interface LabStepView {
  title: string;
  body: MarkdownNode[];
  notice: MarkdownNode[][];
  /** The step's run blocks: Run types each into the step's terminals. */
  run: string[];
  /** Done when its check passes (otherwise when the visitor says so). */
  checked: boolean;
  /** What makes the check pass (its solve, or its run blocks), revealed on request; null when it has neither. */
  solution: string | null;
  /** Where it runs, side by side; empty for a step that runs nothing (reading, the Run button). */
  runtimes: string[];
}

export function isLab(demo: Pick<Demo, "steps">): boolean {
  return demo.steps.some(isLabStep);
}

export function labStepsOf(demo: Demo): LabStepView[] {
  return demo.steps.map((step, index) => ({
    title: step.title,
    body: demo.rendered.steps[index]?.body ?? [],
    notice: demo.rendered.steps[index]?.notice ?? [],
    run: step.run,
    checked: step.check !== undefined,
    solution: solutionOf(step),
    runtimes: isLabStep(step) ? stepRuntimesOf(demo, step) : [],
  }));
}

/** Every runtime some step of the lab runs in: the sessions the page opens, in the order the steps name them. */
export function labRuntimesOf(steps: readonly LabStepView[]): string[] {
  return [...new Set(steps.flatMap((step) => step.runtimes))];
}
