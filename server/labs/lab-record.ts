// One visitor's way through one lab: each step's state machine with a timestamp on every transition, and the lab's sessions.
import type { CheckOutcome, LabProgress, StepState } from "../../lib/api/labs";
import type { SavedStep } from "./lab-store";

const transitions: Record<StepState, readonly StepState[]> = {
  locked: ["open"],
  // A step without a check is done when the visitor says so.
  open: ["checking", "done"],
  // Back to where it was when the check could not run at all (the session was gone): that is no failed check.
  checking: ["done", "failed", "open"],
  failed: ["checking"],
  done: [],
};

interface StepRecord {
  state: StepState;
  marks: Map<StepState, number>;
  failedChecks: number;
  outcomes: CheckOutcome[];
  hint: string | null;
}

export class LabRecord {
  private readonly steps: StepRecord[];
  /** runtime → session id. */
  private readonly sessionIds = new Map<string, string>();
  /** "step:session" for every setup already run, so a step's setup runs once per session. */
  private readonly setups = new Set<string>();

  constructor(
    readonly demo: string,
    stepCount: number,
    private readonly now: () => number = Date.now,
  ) {
    const at = this.now();
    this.steps = Array.from({ length: stepCount }, (_, index) => {
      const state: StepState = index === 0 ? "open" : "locked";
      return { state, marks: new Map([[state, at]]), failedChecks: 0, outcomes: [], hint: null };
    });
  }

  /**
   * A record saved by an earlier process. Its sessions ended with that process, so none are kept; a check it was
   * running never finished, so that step is back where a check starts from, and says why.
   */
  static restore(demo: string, saved: SavedStep[], now: () => number = Date.now): LabRecord {
    const record = new LabRecord(demo, saved.length, now);
    saved.forEach((step, index) => {
      const marks = new Map(
        Object.entries(step.marks).map(([state, at]) => [state as StepState, at as number]),
      );
      const restored: StepRecord = { ...step, marks, outcomes: [...step.outcomes] };
      if (!marks.has(step.state)) marks.set(step.state, now());
      record.steps[index] = restored;
      if (step.state === "checking") {
        restored.hint = "The playground restarted during this check: check again.";
        record.transition(index, step.failedChecks > 0 ? "failed" : "open");
      }
    });
    return record;
  }

  /** What outlives the process: the steps, not the sessions (they end with it). */
  saved(): SavedStep[] {
    return this.steps.map((step) => ({
      state: step.state,
      marks: Object.fromEntries(step.marks),
      failedChecks: step.failedChecks,
      outcomes: step.outcomes,
      hint: step.hint,
    }));
  }

  get stepCount(): number {
    return this.steps.length;
  }

  /** The first step not done; stepCount once all are. */
  get current(): number {
    const index = this.steps.findIndex((s) => s.state !== "done");
    return index === -1 ? this.steps.length : index;
  }

  stateOf(index: number): StepState {
    return this.step(index).state;
  }

  /** The state the step entered and when (ms since the epoch) it entered the one it is in now. */
  sinceOf(index: number): number {
    const step = this.step(index);
    return step.marks.get(step.state)!;
  }

  transition(index: number, next: StepState): void {
    const step = this.step(index);
    if (step.state === next) return;
    if (!transitions[step.state].includes(next))
      throw new Error(
        `lab ${this.demo} step ${index}: illegal transition ${step.state} -> ${next}`,
      );
    step.state = next;
    step.marks.set(next, this.now());
  }

  /** Records a finished check: done when every runtime passed, failed otherwise; returns the next step opened, if any. */
  recordCheck(index: number, outcomes: CheckOutcome[]): number | null {
    const step = this.step(index);
    step.outcomes = outcomes;
    const failing = outcomes.find((o) => !o.passed);
    if (failing) {
      step.failedChecks += 1;
      step.hint = outcomes.length > 1 ? `${failing.runtime}: ${failing.hint}` : failing.hint;
      this.transition(index, "failed");
      return null;
    }
    step.hint = null;
    return this.markDone(index);
  }

  /** A check that could not run (no session, the host refused): the step goes back, with why as the hint. */
  recordUnchecked(index: number, previous: StepState, hint: string): void {
    const step = this.step(index);
    step.hint = hint;
    this.transition(index, previous === "failed" ? "failed" : "open");
  }

  /** Done, and the next step opened; returns the opened step's index, or null after the last. */
  markDone(index: number): number | null {
    this.transition(index, "done");
    const next = index + 1;
    if (next >= this.steps.length) return null;
    if (this.steps[next]!.state === "locked") this.transition(next, "open");
    return next;
  }

  attachSession(runtime: string, sessionId: string): void {
    this.sessionIds.set(runtime, sessionId);
  }

  sessionOf(runtime: string): string | undefined {
    return this.sessionIds.get(runtime);
  }

  /** True the first time a step's setup is claimed for a session; the caller then runs it. */
  claimSetup(index: number, sessionId: string): boolean {
    const key = `${index}:${sessionId}`;
    if (this.setups.has(key)) return false;
    this.setups.add(key);
    return true;
  }

  snapshot(): LabProgress {
    const iso = (ms: number) => new Date(ms).toISOString();
    return {
      demo: this.demo,
      current: this.current,
      sessions: Object.fromEntries(this.sessionIds),
      steps: this.steps.map((step, index) => ({
        index,
        state: step.state,
        marks: Object.fromEntries([...step.marks].map(([state, at]) => [state, iso(at)])),
        since: iso(step.marks.get(step.state)!),
        failedChecks: step.failedChecks,
        outcomes: step.outcomes,
        hint: step.hint,
      })),
    };
  }

  private step(index: number): StepRecord {
    const step = this.steps[index];
    if (!step) throw new Error(`lab ${this.demo} has no step ${index}`);
    return step;
  }
}
