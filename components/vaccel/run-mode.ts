// Runs one mode to its RESULT: natively through POST /api/vaccel/native, or as a sandbox run of infer.mjs that the
// page follows live (its state and "iteration i/N" lines) and whose output it parses once it ends.
import { parseResultLine, type InferInput, type InferOp, type InferResult } from "@/lib/api/vaccel";
import type { Timings } from "@/lib/api/phases";
import { isTerminalState, type RunSnapshot } from "@/lib/api/schemas";
import { createRun, describeError, stopRun } from "@/components/live/api-client";
import { watchRun } from "@/components/live/watch-run";
import { inferCommand } from "./infer-command";
import { lastIteration } from "./mode-figures";
import { inferNatively, fetchRunLogs } from "./vaccel-api";
import type { ModeSpec, SandboxRuntime } from "./vaccel-modes";
import { agentRunFields, type VaccelAgentChoice } from "./agent-choice";

export interface InferRequest {
  op: InferOp;
  iterations: number;
  /** The image ops' input; absent for the others. */
  input?: InferInput;
  /** sgemm's N or minmax's count. */
  size?: number;
}

export interface ModeRun {
  result: InferResult;
  timings: Timings | null;
}

export interface RunModeOptions {
  signal: AbortSignal;
  onProgress: (progress: string) => void;
  /** The host's longest run; a sandbox asks for what its mode needs, within it. */
  maxTimeoutMs: number;
  /** Which agent answers an offloaded mode's socket. */
  agent: VaccelAgentChoice;
}

/** Per-run wall clock: containers infer in well under a second each; the emulated VM boots and loads for ~10 s. */
const timeoutMs = { container: 60_000, vm: 120_000 };

export async function runMode(
  mode: ModeSpec,
  request: InferRequest,
  options: RunModeOptions,
): Promise<ModeRun> {
  if (mode.runtime === "host") {
    options.onProgress(`${request.iterations} runs in the server process`);
    const reply = await inferNatively(request, options.signal);
    return { result: reply.result, timings: null };
  }
  return runInSandbox(mode.runtime, mode.placement === "vaccel", request, options);
}

async function runInSandbox(
  runtime: SandboxRuntime,
  vaccel: boolean,
  request: InferRequest,
  options: RunModeOptions,
): Promise<ModeRun> {
  const { signal, onProgress } = options;
  signal.throwIfAborted();
  onProgress("creating the sandbox");
  const id = await createRun({
    runtime,
    image: "node-onnx",
    command: inferCommand(request),
    timeoutMs: Math.min(
      runtime === "microvm" ? timeoutMs.vm : timeoutMs.container,
      options.maxTimeoutMs,
    ),
    ...(vaccel ? agentRunFields(options.agent) : {}),
  });
  // Stopping the page's run stops the sandbox; keepalive lets it through while the tab closes.
  const stop = () => void stopRun(id, { keepalive: true }).catch(() => undefined);
  signal.addEventListener("abort", stop, { once: true });
  try {
    const run = await followToEnd(id, request.iterations, signal, onProgress);
    onProgress("reading the result");
    const logs = await fetchRunLogs(id, signal);
    let result: InferResult | undefined;
    try {
      result = parseResultLine(logs);
    } catch (err) {
      throw new Error(`The workload printed a malformed RESULT line: ${describeError(err)}`);
    }
    if (!result) throw new Error(describeFailure(run, logs));
    return { result, timings: run.timings };
  } finally {
    signal.removeEventListener("abort", stop);
  }
}

function followToEnd(
  id: string,
  iterations: number,
  signal: AbortSignal,
  onProgress: (progress: string) => void,
): Promise<RunSnapshot> {
  return new Promise((resolve, reject) => {
    let unwatch = () => {};
    const onAbort = () => {
      unwatch();
      reject(signal.reason);
    };
    unwatch = watchRun(id, (view) => {
      if (view.error) onProgress(`following the run: ${view.error}`);
      const run = view.run;
      if (!run) return;
      if (isTerminalState(run.state)) {
        unwatch();
        signal.removeEventListener("abort", onAbort);
        resolve(run);
        return;
      }
      onProgress(describeProgress(run, view.output.text, iterations));
    });
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

function describeProgress(run: RunSnapshot, output: string, iterations: number): string {
  if (run.state === "queued") return `queued (position ${run.queuePosition ?? "?"})`;
  if (run.state !== "running") return run.runtime === "microvm" ? "booting the VM" : "starting";
  const done = lastIteration(output);
  if (done) return `inference ${done.done}/${done.total} done`;
  if (/^(model|models) loaded|^MatMul session opened|^nothing to load/m.test(output))
    return `inference 1/${iterations}`;
  if (/^vAccel session \d+ created/m.test(output)) return `inference 1/${iterations} (offloaded)`;
  return "loading node and the workload";
}

/** Why a run gave no RESULT: the playground's error, else the workload's last words. */
function describeFailure(run: RunSnapshot, logs: string): string {
  const tail = logs
    .trim()
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(-2)
    .join(" ");
  const how = run.error?.message ?? `it ended ${run.state} (exit code ${run.exitCode ?? "none"})`;
  return `No result: ${how}.${tail ? ` Its output ends: ${tail.slice(-300)}` : ""}`;
}
