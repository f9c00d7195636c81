// Contention benchmark: /api/health latency and a runc run's launch time on an idle playground, then again while
// four microVMs spin their vCPU (a TCG guest's busy loop takes a host core unless its QEMU's cgroup holds it back).
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { z } from "zod";
import {
  CreateRunReplySchema,
  RunSnapshotSchema,
  RuntimesReplySchema,
  isTerminalState,
  type RunSnapshot,
} from "../lib/api/schemas";
import { startPlaygroundServer, type PlaygroundServer } from "../server/app";
import { createLogger } from "../server/log/logger";
import { findVmProcesses } from "../server/runtimes/microvm/reap-vms";
import { sleep } from "../server/runtimes/process-exit";
import { benchServerConfig } from "./lib/bench-config";
import { writableRunDir } from "./lib/run-dir";
import { summarize, type Summary } from "../lib/stats";

/** The issue's bound: under four spinning VMs, health p95 and runc's launch stay within this of idle. */
const targetRatio = 1.5;
const spinningVms = 4;
const spinCommand = ["sh", "-c", "while :; do :; done"];
const runcCommand = ["sh", "-c", "echo hi"];

const ArgsSchema = z.object({
  /** /api/health requests per phase, one every `healthGapMs`. */
  healthRequests: z.coerce.number().int().min(5).max(10_000).default(200),
  healthGapMs: z.coerce.number().int().min(0).max(1_000).default(20),
  /** runc runs per phase, one after the other. */
  runcRuns: z.coerce.number().int().min(3).max(1_000).default(15),
});

interface PhaseSamples {
  healthMs: number[];
  /** Client clock, POST until the run is seen over (polled every 10 ms). */
  runcClientMs: number[];
  /** The run's own timing: request received until the runtime exited. */
  runcExitedMs: number[];
}

type PhaseFigures = Record<keyof PhaseSamples, Summary>;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      "health-requests": { type: "string" },
      "health-gap-ms": { type: "string" },
      "runc-runs": { type: "string" },
    },
    strict: true,
  });
  const parsed = ArgsSchema.safeParse({
    healthRequests: values["health-requests"],
    healthGapMs: values["health-gap-ms"],
    runcRuns: values["runc-runs"],
  });
  if (!parsed.success) throw new Error(`bad arguments:\n${z.prettifyError(parsed.error)}`);
  const args = parsed.data;

  const stateDir = await fs.mkdtemp(path.join(await writableRunDir(), "sbpg-contention-"));
  let server: PlaygroundServer | null = null;
  try {
    const config = benchServerConfig(stateDir, {
      // Four VMs and a runc run at once, from one client.
      SBPG_MAX_CONCURRENT_RUNS: "8",
      SBPG_MAX_ACTIVE_RUNS_PER_CLIENT: "8",
      SBPG_MICROVM_POOL_SIZE: "0",
      SBPG_VACCEL: "off",
      SBPG_VACCEL_ADDRESS: "",
    });
    server = await startPlaygroundServer(config, createLogger(config.logLevel), null);
    const url = server.url;
    const runtimes = RuntimesReplySchema.parse(
      await (await fetch(`${url}/api/runtimes`)).json(),
    ).runtimes;
    for (const id of ["runc", "microvm"]) {
      const runtime = runtimes.find((r) => r.id === id);
      if (!runtime?.available)
        throw new Error(`${id} is not available: ${runtime?.reason ?? "no such runtime"}`);
    }
    const microvm = runtimes.find((r) => r.id === "microvm")!;
    console.log(
      `host: ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(2)} at start; microvm accel ${microvm.details.accel}; ` +
        `sandboxes' parent cgroup: cpu.shares ${config.sandboxesCpu.cpuShares}, ` +
        `cap ${config.sandboxesCpu.cpuCores === null ? "none" : `${config.sandboxesCpu.cpuCores} cores`}; ` +
        `a sandbox's cpu.shares ${config.limits.cpuShares}, all microVMs' group ${config.microvmsCpu.idle ? "SCHED_IDLE (cpu.idle)" : `cpu.shares ${config.microvmsCpu.cpuShares}`}`,
    );

    await runRunc(url); // warm-up: image mount, runtime caches
    // Idle is measured before and after the VMs: on a shared host the background load drifts meanwhile.
    const idleBefore = await measurePhase(url, args);

    const spinners: string[] = [];
    try {
      for (let i = 0; i < spinningVms; i++)
        spinners.push(await postRun(url, "microvm", spinCommand, config.limits.maxTimeoutMs));
      await waitUntilRunning(url, spinners);
      const vmDir = path.join(stateDir, "microvm");
      const cpuBefore = await qemuCpuSeconds(vmDir);
      const started = performance.now();
      const loaded = await measurePhase(url, args);
      const seconds = (performance.now() - started) / 1000;
      const cpuAfter = await qemuCpuSeconds(vmDir);
      const used = [...cpuAfter].map(([pid, s]) => (s - (cpuBefore.get(pid) ?? s)) / seconds);
      for (const id of spinners) {
        const run = await getRun(url, id);
        if (run.state !== "running")
          throw new Error(`spinning VM ${id} is ${run.state} during the measurement`);
      }
      const loadDuring = os.loadavg()[0];
      await stopRuns(url, spinners);
      const idleAfter = await measurePhase(url, args);
      report(merge(idleBefore, idleAfter), summarizePhase(loaded), used, loadDuring);
    } finally {
      await stopRuns(url, spinners);
    }
  } finally {
    await server?.close();
    await fs.rm(stateDir, { recursive: true, force: true });
  }
}

async function measurePhase(url: string, args: z.infer<typeof ArgsSchema>): Promise<PhaseSamples> {
  const health: number[] = [];
  for (let i = 0; i < args.healthRequests; i++) {
    const at = performance.now();
    const reply = await fetch(`${url}/api/health`);
    await reply.arrayBuffer();
    if (reply.status !== 200) throw new Error(`/api/health answered ${reply.status}`);
    health.push(performance.now() - at);
    await sleep(args.healthGapMs);
  }
  const client: number[] = [];
  const exited: number[] = [];
  for (let i = 0; i < args.runcRuns; i++) {
    const sample = await runRunc(url);
    client.push(sample.clientMs);
    exited.push(sample.exitedMs);
  }
  return { healthMs: health, runcClientMs: client, runcExitedMs: exited };
}

function summarizePhase(samples: PhaseSamples): PhaseFigures {
  return {
    healthMs: summarize(samples.healthMs),
    runcClientMs: summarize(samples.runcClientMs),
    runcExitedMs: summarize(samples.runcExitedMs),
  };
}

function merge(a: PhaseSamples, b: PhaseSamples): PhaseFigures {
  return summarizePhase({
    healthMs: [...a.healthMs, ...b.healthMs],
    runcClientMs: [...a.runcClientMs, ...b.runcClientMs],
    runcExitedMs: [...a.runcExitedMs, ...b.runcExitedMs],
  });
}

/** Stops the runs and waits until they are over (their QEMU gone). Idempotent. */
async function stopRuns(url: string, ids: string[]): Promise<void> {
  await Promise.all(ids.map((id) => fetch(`${url}/api/runs/${id}`, { method: "DELETE" })));
  for (const id of ids) while (!isTerminalState((await getRun(url, id)).state)) await sleep(50);
}

async function runRunc(url: string): Promise<{ clientMs: number; exitedMs: number }> {
  const at = performance.now();
  const id = await postRun(url, "runc", runcCommand, 10_000);
  let run: RunSnapshot;
  do {
    await sleep(10);
    run = await getRun(url, id);
  } while (!isTerminalState(run.state));
  const clientMs = performance.now() - at;
  if (run.state !== "exited" || run.exitCode !== 0)
    throw new Error(`runc run ${id} ended ${run.state}: ${JSON.stringify(run.error)}`);
  const exitedMs = run.timings.exited;
  if (exitedMs === undefined) throw new Error(`runc run ${id} ended without an "exited" timing`);
  return { clientMs, exitedMs };
}

async function postRun(
  url: string,
  runtime: string,
  command: string[],
  timeoutMs: number,
): Promise<string> {
  const reply = await fetch(`${url}/api/runs`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ runtime, image: "busybox", command, timeoutMs }),
  });
  const body: unknown = await reply.json();
  if (reply.status !== 201)
    throw new Error(
      `POST /api/runs (${runtime}) answered ${reply.status}: ${JSON.stringify(body)}`,
    );
  return CreateRunReplySchema.parse(body).id;
}

async function getRun(url: string, id: string): Promise<RunSnapshot> {
  return RunSnapshotSchema.parse(await (await fetch(`${url}/api/runs/${id}`)).json());
}

/** Until every spinning VM's workload runs (TCG boots take seconds, more on a busy host). */
async function waitUntilRunning(url: string, ids: string[]): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const runs = await Promise.all(ids.map((id) => getRun(url, id)));
    const over = runs.find((run) => isTerminalState(run.state));
    if (over) throw new Error(`spinning VM ${over.id} ended ${over.state} before the measurement`);
    if (runs.every((run) => run.state === "running")) return;
    await sleep(200);
  }
  throw new Error("the spinning VMs did not all start within 120 s");
}

/** User + system CPU seconds of each of the playground's QEMU processes, by pid. */
async function qemuCpuSeconds(vmsDir: string): Promise<Map<number, number>> {
  const ticksPerSecond = 100;
  const seconds = new Map<number, number>();
  for (const { pid } of await findVmProcesses(vmsDir)) {
    const stat = await fs.readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
    if (!stat) continue;
    // Fields after the parenthesised command: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    seconds.set(pid, (Number(fields[11]) + Number(fields[12])) / ticksPerSecond);
  }
  return seconds;
}

function report(idle: PhaseFigures, loaded: PhaseFigures, qemuCores: number[], load: number) {
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  const row = (label: string, pick: (f: PhaseFigures) => number) => {
    const ratio = pick(loaded) / pick(idle);
    console.log(
      `  ${label.padEnd(34)} idle ${ms(pick(idle)).padStart(10)}  4 VMs spinning ${ms(pick(loaded)).padStart(10)}  ` +
        `ratio ${ratio.toFixed(2)} ${ratio <= targetRatio ? "(within" : "(over"} ${targetRatio}x)`,
    );
  };
  console.log(
    `figures (idle: before and after, merged; then with ${spinningVms} microVMs running \`while :; do :; done\`):`,
  );
  row("/api/health p95", (f) => f.healthMs.p95);
  row("/api/health median", (f) => f.healthMs.median);
  row("runc launch, client, median", (f) => f.runcClientMs.median);
  row("runc launch, client, p95", (f) => f.runcClientMs.p95);
  row("runc run's own exited mark, median", (f) => f.runcExitedMs.median);
  console.log(
    `  QEMU CPU while measuring: ${qemuCores.map((c) => c.toFixed(2)).join(", ")} cores (sum ${qemuCores
      .reduce((a, b) => a + b, 0)
      .toFixed(2)}); load average ${load.toFixed(2)} with the VMs running`,
  );
}

main().catch((err: unknown) => {
  console.error(`contention benchmark failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
