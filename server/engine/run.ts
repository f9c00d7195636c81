// One launch: a state machine with a monotonic timestamp on every transition, its output, and its cancellation.
import { EventEmitter } from "node:events";
import { performance } from "node:perf_hooks";
import type { RunEndCode } from "../../lib/api/errors";
import type { Phase, PhaseClocks } from "../../lib/api/phases";
import type { MemoryFootprint, RunSnapshot, RunState } from "../../lib/api/schemas";
import { isTerminalState } from "../../lib/api/schemas";
import { OutputLog, formatBytes, type OutputChunk } from "./output-log";
import type { SandboxLimits } from "./driver";
import { endOf, launchFailure } from "./run-end";

const transitions: Record<RunState, readonly RunState[]> = {
  queued: ["preparing", "stopped", "failed"],
  preparing: ["booting", "exited", "failed", "stopped"],
  booting: ["running", "exited", "failed", "stopped"],
  running: ["exited", "failed", "stopped"],
  exited: [],
  failed: [],
  stopped: [],
};

export type EndReason = "timeout" | "stopped" | "output-limit" | "shutdown";

/** How a sandbox's launch came back: its exit code, or what it threw. */
export type LaunchOutcome = { exitCode: number | null } | { error: unknown };

export interface RunEvents {
  output: [OutputChunk];
  change: [RunSnapshot];
}

export interface RunInit {
  id: string;
  runtime: string;
  image: string;
  command: string[];
  limits: SandboxLimits;
  clientId: string;
  /** Who may see and stop the run (opaque here); null: anyone with its id. */
  owner?: string | null;
  /** How much output a late subscriber is sent. */
  backlogChars: number;
  /** performance.now() when the request arrived. */
  requestedAt: number;
}

export class Run extends EventEmitter<RunEvents> {
  readonly id: string;
  readonly runtime: string;
  readonly image: string;
  readonly command: string[];
  readonly limits: SandboxLimits;
  readonly clientId: string;
  readonly owner: string | null;
  readonly createdAt = new Date();
  readonly controller = new AbortController();
  readonly output: OutputLog;

  private current: RunState = "queued";
  private readonly requestedAt: number;
  private readonly marks = new Map<Phase, number>();
  /** Phases another machine's clock dated, and whose. */
  private readonly clocks: PhaseClocks = {};
  private code: number | null = null;
  private failure: { code: RunEndCode; message: string } | null = null;
  private position: number | null = null;
  private finishedAtWall: number | null = null;
  private footprint: MemoryFootprint | null = null;

  constructor(init: RunInit) {
    super();
    this.id = init.id;
    this.runtime = init.runtime;
    this.image = init.image;
    this.command = init.command;
    this.limits = init.limits;
    this.clientId = init.clientId;
    this.owner = init.owner ?? null;
    this.requestedAt = init.requestedAt;
    this.output = new OutputLog(init.limits.outputBytes, init.backlogChars, {
      elapsedMs: () => performance.now() - init.requestedAt,
    });
    this.marks.set("requested", 0);
    this.mark("queued");
  }

  get state(): RunState {
    return this.current;
  }

  get finished(): boolean {
    return isTerminalState(this.current);
  }

  /** Wall-clock time the run ended, for retention. */
  get finishedAt(): number | null {
    return this.finishedAtWall;
  }

  get endReason(): EndReason | null {
    return (this.controller.signal.reason as EndReason | undefined) ?? null;
  }

  /**
   * Records the first time a phase is reached; later calls keep the first, except that an earlier stamp from
   * another machine's clock replaces the moment the playground only saw the phase at (a watch event arrives late).
   */
  mark(phase: Phase, atEpochMs?: number, clock?: string): void {
    const now = performance.now();
    const at = atEpochMs === undefined ? now : Math.min(now, atEpochMs - performance.timeOrigin);
    const ms = Math.round(Math.max(0, at - this.requestedAt) * 100) / 100;
    const seen = this.marks.get(phase);
    const stamped = clock !== undefined && atEpochMs !== undefined;
    if (seen !== undefined && !(stamped && !this.clocks[phase] && ms < seen)) return;
    this.marks.set(phase, ms);
    if (stamped) this.clocks[phase] = clock;
    this.changed();
  }

  /** Keeps the sample with the highest PSS. */
  recordFootprint(sample: MemoryFootprint): void {
    if (this.footprint && this.footprint.pssBytes >= sample.pssBytes) return;
    this.footprint = sample;
    this.changed();
  }

  setQueuePosition(position: number | null): void {
    if (this.position === position) return;
    this.position = position;
    this.changed();
  }

  transition(next: RunState): void {
    if (this.current === next) return;
    if (!transitions[this.current].includes(next)) {
      throw new Error(`run ${this.id}: illegal transition ${this.current} -> ${next}`);
    }
    this.current = next;
    if (next !== "queued") this.position = null;
    if (isTerminalState(next)) this.finishedAtWall = Date.now();
    // A driver may have marked the moment already (the process exit is "exited"); keep the earlier, truer one.
    if (!this.marks.has(next))
      this.marks.set(next, Math.round((performance.now() - this.requestedAt) * 100) / 100);
    this.changed();
  }

  finish(
    state: "exited" | "failed" | "stopped",
    result: { exitCode?: number | null; error?: { code: RunEndCode; message: string } },
  ): void {
    if (this.finished) return;
    this.code = result.exitCode ?? null;
    this.failure = result.error ?? null;
    this.transition(state);
  }

  /**
   * A state the driver reports. Drivers report what they know (a runtime says "running" when its process
   * spawned); the run walks the states in between itself, and ignores reports once it has ended.
   */
  driverEntered(state: "booting" | "running"): void {
    if (this.current === state || this.finished) return;
    if (state === "running" && this.current === "preparing") this.transition("booting");
    this.transition(state);
  }

  /** The workload's own bytes; output means the workload runs, whatever the driver said so far. */
  workloadOutput(bytes: Buffer): void {
    if (this.finished) return;
    if (this.current === "preparing") this.transition("booting");
    if (this.current === "booting") this.transition("running");
    if (this.write(bytes).limitReached) this.abort("output-limit");
  }

  /** The sandbox's boot or console text. */
  consoleOutput(bytes: Buffer): void {
    if (this.write(bytes, "console").limitReached) this.abort("output-limit");
  }

  /**
   * Ends the run once its sandbox is gone. A run that was being stopped (timeout, output limit, a
   * visitor, shutdown) ends for that reason, whatever the runtime said while it was torn down; otherwise
   * by its exit code, or as failed with the driver's reason. Returns the error to log, if any.
   */
  settle(outcome: LaunchOutcome): { logError: unknown } | null {
    if (this.finished) return null;
    if (this.endReason) {
      this.endEarly();
      return "error" in outcome ? { logError: outcome.error } : null;
    }
    if ("error" in outcome) {
      const failure = launchFailure(outcome.error);
      this.note(`\n[${failure.message}]\n`);
      this.finish("failed", { error: failure });
      return { logError: outcome.error };
    }
    if (outcome.exitCode === 137) {
      this.note(
        `\n[killed by SIGKILL: most likely the sandbox reached its memory limit of ${formatBytes(this.limits.memoryBytes)}]\n`,
      );
    }
    this.finish("exited", { exitCode: outcome.exitCode });
    return null;
  }

  /** Ends a run that was stopped before or while it ran, for the reason it was stopped. */
  endEarly(): void {
    if (this.finished) return;
    const end = endOf(this.endReason ?? "stopped", this.limits);
    this.note(`\n[${end.message}]\n`);
    this.finish(end.state, { exitCode: null, error: { code: end.code, message: end.message } });
  }

  /** Ends the run early; the driver sees the signal and tears the sandbox down. Idempotent. */
  abort(reason: EndReason): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  /** `source: "console"` is the sandbox's own boot or console text, not the workload's output. */
  write(bytes: Buffer, source: "workload" | "console" = "workload"): { limitReached: boolean } {
    const offset = this.output.totalChars;
    const { accepted, limitReached } = this.output.append(bytes);
    if (accepted) {
      if (source === "workload") this.mark("firstOutput");
      this.emit("output", { offset, data: accepted });
    }
    return { limitReached };
  }

  note(text: string): void {
    const offset = this.output.totalChars;
    this.emit("output", { offset, data: this.output.note(text) });
  }

  snapshot(): RunSnapshot {
    return {
      id: this.id,
      runtime: this.runtime,
      image: this.image,
      command: this.command,
      state: this.current,
      exitCode: this.code,
      timings: Object.fromEntries(this.marks),
      ...(Object.keys(this.clocks).length > 0 ? { clocks: { ...this.clocks } } : {}),
      error: this.failure,
      queuePosition: this.current === "queued" ? this.position : null,
      limits: {
        timeoutMs: this.limits.timeoutMs,
        memoryBytes: this.limits.memoryBytes,
        pids: this.limits.pids,
        cpuShares: this.limits.cpuShares,
        outputBytes: this.limits.outputBytes,
      },
      outputTruncated: this.output.truncated,
      memory: this.footprint,
      createdAt: this.createdAt.toISOString(),
    };
  }

  private changed(): void {
    this.emit("change", this.snapshot());
  }
}
