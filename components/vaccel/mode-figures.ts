// What each mode's row shows, derived from the run's own timings and the workload's RESULT line, and whether the
// modes agree on the answer.
import type { InferOp, InferResult } from "@/lib/api/vaccel";
import type { Timings } from "@/lib/api/phases";
import type { ModeSpec, SandboxRuntime } from "./vaccel-modes";

export type OutcomeState = "waiting" | "running" | "done" | "failed" | "skipped" | "stopped";

export interface ModeOutcome {
  mode: ModeSpec;
  state: OutcomeState;
  /** While running: what it is doing ("booting", "iteration 2/3"). */
  progress: string | null;
  /** performance.now() when it started, for the elapsed-time counter. */
  startedAt: number | null;
  /** The sandbox run's timings (ms since its request); null natively. */
  timings: Timings | null;
  result: InferResult | null;
  /** Why it failed or was skipped. */
  error: string | null;
}

/** Request to the workload's start: containers are running at `running`, a VM once its init starts the workload. */
export function sandboxStartMs(timings: Timings | null): number | null {
  if (!timings) return null;
  return timings.workloadStarted ?? timings.running ?? null;
}

/**
 * What offloading adds to one inference: the offloaded median minus the native one. Both decode the same bytes
 * and run the same models on the host's CPU, so the difference is the transport and the agent's bookkeeping.
 */
export function rpcOverheadMs(outcome: ModeOutcome, native: InferResult | null): number | null {
  if (outcome.mode.placement !== "vaccel" || !outcome.result || !native) return null;
  return outcome.result.medianMs - native.medianMs;
}

/**
 * The answer modes must agree on: OCR's text, the orientation alone (its probability is printed to four places and
 * may differ in the last one between CPUs that round differently), the number of text boxes (an edge may move a
 * pixel between CPUs), or SGEMM's and MINMAX's checksum line whole (their values are exact).
 */
export function answerOf(op: InferOp, result: string): string {
  if (op === "classify") return result.split(" ")[0] ?? result;
  if (op === "detect") return result.split(":")[0] ?? result;
  return result;
}

export type Agreement =
  | { kind: "none" }
  | { kind: "agree"; answer: string; modes: number }
  | { kind: "disagree"; groups: Array<{ answer: string; modes: string[] }> };

export function compareAnswers(op: InferOp, outcomes: readonly ModeOutcome[]): Agreement {
  const groups = new Map<string, string[]>();
  for (const outcome of outcomes) {
    if (!outcome.result) continue;
    const answer = answerOf(op, outcome.result.result);
    groups.set(answer, [...(groups.get(answer) ?? []), outcome.mode.label]);
  }
  if (groups.size === 0) return { kind: "none" };
  if (groups.size === 1) {
    const [[answer, modes]] = groups;
    return { kind: "agree", answer, modes: modes.length };
  }
  return { kind: "disagree", groups: [...groups].map(([answer, modes]) => ({ answer, modes })) };
}

export function describeAgreement(agreement: Agreement): string {
  switch (agreement.kind) {
    case "none":
      return "No mode has an answer yet.";
    case "agree":
      return agreement.modes === 1
        ? `One mode answered ${JSON.stringify(agreement.answer)}; run more to compare.`
        : `All modes agree: ${JSON.stringify(agreement.answer)} (${agreement.modes} modes).`;
    case "disagree":
      return `Modes disagree: ${agreement.groups
        .map((g) => `${JSON.stringify(g.answer)} from ${g.modes.join(", ")}`)
        .join("; ")}.`;
  }
}

/** The workload prints "iteration i/N: … ms" after each inference; the latest one is its progress. */
export function lastIteration(output: string): { done: number; total: number } | null {
  const matches = [...output.matchAll(/^iteration (\d+)\/(\d+):/gm)];
  const last = matches.at(-1);
  return last ? { done: Number(last[1]), total: Number(last[2]) } : null;
}

export interface OffloadSpeedup {
  runtime: SandboxRuntime;
  cpuMs: number;
  offloadedMs: number;
  /** Sandbox-CPU median over offloaded median: above 1, offloading made each inference faster. */
  factor: number;
}

/** For each sandbox runtime that ran both ways: what offloading did to its median inference. */
export function offloadSpeedups(outcomes: readonly ModeOutcome[]): OffloadSpeedup[] {
  const speedups: OffloadSpeedup[] = [];
  for (const cpu of outcomes) {
    const runtime = cpu.mode.runtime;
    if (runtime === "host" || cpu.mode.placement !== "cpu" || !cpu.result) continue;
    const offloaded = outcomes.find(
      (o) => o.mode.runtime === runtime && o.mode.placement === "vaccel" && o.result,
    )?.result;
    if (!offloaded) continue;
    speedups.push({
      runtime,
      cpuMs: cpu.result.medianMs,
      offloadedMs: offloaded.medianMs,
      factor: cpu.result.medianMs / offloaded.medianMs,
    });
  }
  return speedups;
}
