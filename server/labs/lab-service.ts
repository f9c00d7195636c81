// Labs on this host: each visitor's progress per demo, checks and setups run in that visitor's own sessions only.
import { EventEmitter } from "node:events";
import type { IncomingHttpHeaders } from "node:http";
import type { Demo, DemoStep } from "../../lib/demos/schema";
import { stepRuntimesOf } from "../../lib/demos/schema";
import type { AttachLabSessionsBody, CheckOutcome, LabProgress } from "../../lib/api/labs";
import { PlaygroundError, asPlaygroundError } from "../errors/playground-error";
import type { LaunchCaller, LaunchPolicy } from "../runs/launch-policy";
import type { Logger } from "../log/logger";
import type { RunAccess } from "../runs/run-access";
import { sessionRole } from "../sessions/session-access";
import type { Session } from "../sessions/session";
import type { SessionManager } from "../sessions/session-manager";
import type { BoardAttendee } from "./lab-board";
import { LabRecord } from "./lab-record";
import type { LabStore } from "./lab-store";
import { runStepScript } from "./run-step-script";

export interface LabServiceOptions {
  sessions: SessionManager;
  policy: LaunchPolicy;
  /** Who may use a session someone's rules own (a workshop attendee's). */
  access: RunAccess;
  /** The demo folder by slug, as the site shows it; null for none. */
  loadDemo: (slug: string) => Demo | null;
  log: Logger;
  /** A check's and a setup's timeout where the step names none. */
  checkTimeoutMs: number;
  /** Labs in progress kept in memory at once, over all visitors; the oldest is forgotten past it (the store keeps it). */
  maxRecords?: number;
  /** Where progress outlives the process; absent: in memory only. */
  store?: LabStore;
  now?: () => number;
}

/** The caller of a lab request: whose progress it is, and how its checks are launched. */
export interface LabCaller extends LaunchCaller {
  /** The owner the caller's sessions carry ("visitor:<id>", or a workshop attendee's): their progress's key. */
  owner: string;
  /** Set for a workshop attendee: their progress also goes to the facilitator's board. */
  attendee: BoardAttendee | null;
}

export interface LabServiceEvents {
  /** A caller's progress changed (a check started or ended, a step opened or was completed). */
  progress: [caller: LabCaller, progress: LabProgress, demo: Demo];
}

export class LabService extends EventEmitter<LabServiceEvents> {
  private readonly records = new Map<string, LabRecord>();
  private readonly checks = new Map<string, Promise<LabProgress>>();
  private readonly maxRecords: number;

  constructor(private readonly options: LabServiceOptions) {
    super();
    this.maxRecords = options.maxRecords ?? 10_000;
  }

  progress(caller: LabCaller, slug: string): LabProgress {
    const { record } = this.recordFor(caller.owner, slug);
    return record.snapshot();
  }

  /** Starts the lab over: every step but the first locked again, the sessions forgotten. */
  reset(caller: LabCaller, slug: string): LabProgress {
    const demo = this.demo(slug);
    const record = new LabRecord(slug, demo.steps.length, this.options.now);
    this.remember(keyOf(caller.owner, slug), record);
    this.changed(caller, demo, record);
    return record.snapshot();
  }

  /** Names the sessions this lab's steps run in (each the caller's own), and runs the open step's setup in them. */
  async attach(caller: LabCaller, slug: string, body: AttachLabSessionsBody): Promise<LabProgress> {
    const { demo, record } = this.recordFor(caller.owner, slug);
    for (const { runtime, sessionId } of body.sessions) {
      const session = this.ownSession(sessionId, caller.headers);
      if (session.runtime !== runtime)
        throw new PlaygroundError(
          "bad_request",
          "lab_session",
          `Session "${sessionId}" runs ${session.runtime}, not ${runtime}.`,
        );
      record.attachSession(runtime, sessionId);
    }
    this.changed(caller, demo, record);
    if (record.current < demo.steps.length)
      await this.runSetups(caller, demo, record, record.current);
    return record.snapshot();
  }

  /** Runs the step's check in each of its runtimes' sessions; concurrent asks share one check. */
  check(caller: LabCaller, slug: string, index: number): Promise<LabProgress> {
    const key = `${keyOf(caller.owner, slug)}\0${index}`;
    const running = this.checks.get(key);
    if (running) return running;
    const started = this.runCheck(caller, slug, index).finally(() => this.checks.delete(key));
    this.checks.set(key, started);
    return started;
  }

  /** Marks a step without a check done (the visitor read it, or watched the run). */
  complete(caller: LabCaller, slug: string, index: number): Promise<LabProgress> {
    const { demo, record } = this.recordFor(caller.owner, slug);
    const step = stepOf(demo, index);
    if (step.check !== undefined)
      throw new PlaygroundError(
        "conflict",
        "step_checked",
        `Step ${index + 1} is done when its check passes; ask for a check instead.`,
      );
    this.requireOpen(record, index);
    if (record.stateOf(index) === "done") return Promise.resolve(record.snapshot());
    const opened = record.markDone(index);
    this.changed(caller, demo, record);
    return this.afterOpen(caller, demo, record, opened);
  }

  private async runCheck(caller: LabCaller, slug: string, index: number): Promise<LabProgress> {
    const { demo, record } = this.recordFor(caller.owner, slug);
    const step = stepOf(demo, index);
    if (step.check === undefined)
      throw new PlaygroundError(
        "conflict",
        "step_unchecked",
        `Step ${index + 1} has no check; mark it done instead.`,
      );
    this.requireOpen(record, index);
    const previous = record.stateOf(index);
    if (previous === "done") return record.snapshot();

    record.transition(index, "checking");
    this.changed(caller, demo, record);
    let outcomes: CheckOutcome[];
    try {
      const sessions = this.stepSessions(caller, demo, step, record);
      await this.runSetups(caller, demo, record, index);
      outcomes = await Promise.all(
        sessions.map(async ({ runtime, session }) => {
          const result = await runStepScript(
            this.options,
            caller,
            session,
            step.check!,
            step.timeoutMs ?? this.options.checkTimeoutMs,
          );
          return {
            runtime,
            passed: result.passed,
            hint: result.hint,
            at: new Date(this.now()).toISOString(),
            durationMs: result.durationMs,
          };
        }),
      );
    } catch (err) {
      const error = asPlaygroundError(err);
      if (error.status >= 500) this.options.log.error({ err, slug, index }, "a lab check failed");
      record.recordUnchecked(index, previous, error.message);
      this.changed(caller, demo, record);
      return record.snapshot();
    }
    const opened = record.recordCheck(index, outcomes);
    this.changed(caller, demo, record);
    return this.afterOpen(caller, demo, record, opened);
  }

  private async afterOpen(
    caller: LabCaller,
    demo: Demo,
    record: LabRecord,
    opened: number | null,
  ): Promise<LabProgress> {
    if (opened !== null) {
      this.changed(caller, demo, record);
      await this.runSetups(caller, demo, record, opened);
    }
    return record.snapshot();
  }

  /** The step's setup, once per session it runs in; a setup that fails is logged, and its check will say what is missing. */
  private async runSetups(
    caller: LabCaller,
    demo: Demo,
    record: LabRecord,
    index: number,
  ): Promise<void> {
    const step = stepOf(demo, index);
    if (step.setup === undefined) return;
    const setup = step.setup;
    await Promise.all(
      stepRuntimesOf(demo, step).map(async (runtime) => {
        const sessionId = record.sessionOf(runtime);
        const session = sessionId ? this.options.sessions.get(sessionId) : undefined;
        if (!session || session.state !== "ready" || !this.mayUse(session, caller.headers)) return;
        if (!record.claimSetup(index, session.id)) return;
        const result = await runStepScript(
          this.options,
          caller,
          session,
          setup,
          step.timeoutMs ?? this.options.checkTimeoutMs,
        ).catch((err: unknown) => ({ passed: false, hint: asPlaygroundError(err).message }));
        if (!result.passed)
          this.options.log.warn(
            { demo: demo.slug, step: index, runtime, hint: result.hint },
            "a lab step's setup did not succeed",
          );
      }),
    );
  }

  /** Each runtime of the step with the caller's ready session for it, or the error that says what to do. */
  private stepSessions(
    caller: LabCaller,
    demo: Demo,
    step: DemoStep,
    record: LabRecord,
  ): Array<{ runtime: string; session: Session }> {
    return stepRuntimesOf(demo, step).map((runtime) => {
      const sessionId = record.sessionOf(runtime);
      if (!sessionId)
        throw new PlaygroundError(
          "conflict",
          "lab_session",
          `This step runs in ${runtime}: start its session first.`,
        );
      const session = this.ownSession(sessionId, caller.headers);
      if (session.state !== "ready")
        throw new PlaygroundError(
          "conflict",
          "lab_session",
          `Your ${runtime} session is ${session.state}; ${session.finished ? "start a new one" : "wait until it is ready"}.`,
        );
      return { runtime, session };
    });
  }

  /** Only a session the caller started: one without an owner is anyone's, so it never runs a visitor's check. */
  private ownSession(sessionId: string, headers: IncomingHttpHeaders): Session {
    const session = this.options.sessions.get(sessionId);
    if (!session || !this.mayUse(session, headers))
      throw new PlaygroundError("not_found", "session", `No session with id "${sessionId}".`);
    return session;
  }

  /** Typing rights, not a facilitator's watching; and one without an owner is anyone's, so it never runs a check. */
  private mayUse(session: Session, headers: IncomingHttpHeaders): boolean {
    return session.owner !== null && sessionRole(session, headers, this.options.access) === "use";
  }

  private requireOpen(record: LabRecord, index: number): void {
    if (record.stateOf(index) === "locked")
      throw new PlaygroundError(
        "conflict",
        "step_locked",
        `Step ${index + 1} opens once step ${record.current + 1} is done.`,
      );
  }

  private demo(slug: string): Demo {
    const demo = this.options.loadDemo(slug);
    if (!demo) throw new PlaygroundError("not_found", "demo", `No demo "${slug}".`);
    return demo;
  }

  private recordFor(owner: string, slug: string): { demo: Demo; record: LabRecord } {
    const demo = this.demo(slug);
    const key = keyOf(owner, slug);
    let record = this.records.get(key) ?? this.restored(owner, slug);
    // A demo edited since (steps added or removed) starts over rather than pointing at the wrong steps.
    if (!record || record.stepCount !== demo.steps.length) {
      record = new LabRecord(slug, demo.steps.length, this.options.now);
      this.remember(key, record);
    }
    return { demo, record };
  }

  /** Progress an earlier process saved, kept in memory from now on. */
  private restored(owner: string, slug: string): LabRecord | undefined {
    const saved = this.options.store?.loadProgress(owner, slug);
    if (!saved) return undefined;
    const record = LabRecord.restore(slug, saved, this.options.now);
    this.remember(keyOf(owner, slug), record);
    return record;
  }

  private remember(key: string, record: LabRecord): void {
    this.records.delete(key);
    if (this.records.size >= this.maxRecords) {
      const oldest = this.records.keys().next().value;
      if (oldest !== undefined) this.records.delete(oldest);
    }
    this.records.set(key, record);
  }

  private changed(caller: LabCaller, demo: Demo, record: LabRecord): void {
    try {
      this.options.store?.saveProgress(caller.owner, demo.slug, record.saved());
    } catch (err) {
      // The lab goes on in memory; only a restart would lose this step.
      this.options.log.error({ err, demo: demo.slug }, "lab progress could not be saved");
    }
    this.emit("progress", caller, record.snapshot(), demo);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

function keyOf(owner: string, slug: string): string {
  return `${owner}\0${slug}`;
}

function stepOf(demo: Demo, index: number): DemoStep {
  const step = Number.isInteger(index) ? demo.steps[index] : undefined;
  if (!step)
    throw new PlaygroundError(
      "not_found",
      "step",
      `${demo.title} has no step ${index + 1} (it has ${demo.steps.length}).`,
    );
  return step;
}
