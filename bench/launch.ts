// Launch benchmark: `sh -c 'echo hi'` on every runtime the host has, through the playground's API, beside the bare
// runtime CLIs (runc, runsc) running the same hardened bundle, and the published figures for VM sandboxes.
import { spawn } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { io, type Socket } from "socket.io-client";
import { z } from "zod";
import type { Phase } from "../lib/api/phases";
import {
  CreateRunReplySchema,
  LogChunkSchema,
  RuntimesReplySchema,
  StateEventSchema,
  SubscribeAckSchema,
  isTerminalState,
  socketEvents,
  type RunSnapshot,
  type RuntimeInfo,
} from "../lib/api/schemas";
import type { Config } from "../server/config/env";
import type { SandboxLimits } from "../server/engine/driver";
import { cgroupParentFor } from "../server/instance/cgroup-parents";
import { startPlaygroundServer, type PlaygroundServer } from "../server/app";
import { ImageStore } from "../server/images/image-store";
import { createLogger } from "../server/log/logger";
import { removeCgroups } from "../server/runtimes/cgroups";
import { GvisorDriver } from "../server/runtimes/gvisor";
import type { OciCliDriver } from "../server/runtimes/oci-cli-driver";
import { buildOciSpec } from "../server/runtimes/oci-spec";
import { runCommand } from "../server/runtimes/process-exit";
import { RuncDriver } from "../server/runtimes/runc";
import { benchServerConfig } from "./lib/bench-config";
import { writableRunDir } from "./lib/run-dir";
import { summarize } from "../lib/stats";

const command = ["sh", "-c", "echo hi"];
const expectedOutput = "hi\n";
const runTimeoutMs = 10_000;
/** The launch target: what a visitor waits for through the API, against runc by hand. */
const targetRatio = 1.25;

const ArgsSchema = z.object({
  iterations: z.coerce.number().int().min(1).max(10_000).default(20),
  /** VM boots take seconds under TCG: fewer of them. */
  vmIterations: z.coerce.number().int().min(0).max(1_000).default(5),
  warmup: z.coerce.number().int().min(0).max(100).default(2),
});

/** Runtimes with a bare CLI to compare against. */
type RuntimeName = "runc" | "gvisor";

/** One row group of the report: a runtime through the API (optionally from the warm pool), or a bare CLI. */
interface Variant {
  key: string;
  runtime: string;
  via: "raw" | "api";
  pool: boolean;
  vm: boolean;
}

/** Targets from the issues, checked against medians (a benchmark reports; it does not fail). */
const targets = {
  coldBootToWorkloadMs: 2_000,
  warmLaunchToOutputMs: 100,
};
/** Published figures to compare against (see DESIGN.md). */
const publishedFigures = [
  "Kata boot to workload (metrics baselines): QEMU 0.71 s, Cloud Hypervisor 0.39 s",
  "Firecracker specification: <= 125 ms from InstanceStart to guest init",
  "Workshop reports: runc 0.21-0.71 s vs Kata 1.25-2.19 s average container start",
];

interface RawSample {
  runMs: number;
}

interface ApiSample {
  /** Client clock: just before the POST until the first state event whose run has an `exited` mark. */
  exitedMs: number;
  /** Client clock: until the state event with the final state (sent after the server cleaned up). */
  finalMs: number;
  /** The run's own timings, from the server receiving the request. */
  timings: RunSnapshot["timings"];
  /** The subscription's reply already held the exit: exitedMs is then a little late. */
  lateSubscription: boolean;
}

interface Samples {
  raw: number[];
  apiExited: number[];
  apiFinal: number[];
  firstOutput: number[];
  cleanedUp: number[];
  /** Every phase mark of the API runs, for the breakdown of where the time goes. */
  phases: Map<string, number[]>;
  lateSubscriptions: number;
}

/**
 * The server's own drivers, opened just enough to lend their binary, CLI flags and hardening choices,
 * so the raw baseline runs exactly what the API runs, minus the playground.
 */
interface RawRuntime {
  readonly cli: string;
  cliFlags(): Promise<string[]>;
  hardening(): { userNamespace: boolean; seccomp: boolean; pidsOverhead: number };
}

/** The bare runtime, invoked exactly as the playground's driver invokes it. */
async function rawRuntime(driver: OciCliDriver): Promise<RawRuntime> {
  const { binary, globalArgs, hardening } = await driver.cliInvocation();
  return { cli: binary, cliFlags: async () => globalArgs, hardening: () => hardening };
}

interface BenchContext {
  config: Config;
  /** The server's cgroup parent: raw runs sit beside the API's, as the same host would place them. */
  cgroupParent: string;
  rootfsPath: string;
  bundlesDir: string;
  raw: Record<RuntimeName, RawRuntime>;
  socket: Socket;
  url: string;
  /** Raw containers not yet torn down, so an error still removes them. */
  live: Map<string, { runtime: RawRuntime; bundle: string }>;
  nextId: () => number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      iterations: { type: "string" },
      "vm-iterations": { type: "string" },
      warmup: { type: "string" },
    },
    strict: true,
  });
  const parsed = ArgsSchema.safeParse({ ...values, vmIterations: values["vm-iterations"] });
  if (!parsed.success) throw new Error(`bad arguments:\n${z.prettifyError(parsed.error)}`);
  const args = parsed.data;

  const stop = new AbortController();
  process.once("SIGINT", () => stop.abort(new Error("interrupted")));

  const stateDir = await fs.mkdtemp(path.join(await writableRunDir(), "sbpg-bench-"));
  const cgroupParent = cgroupParentFor(stateDir);
  let server: PlaygroundServer | null = null;
  let socket: Socket | null = null;
  const live: BenchContext["live"] = new Map();
  try {
    const config = benchServerConfig(stateDir);
    const image = await new ImageStore(config.cacheDir).resolve("busybox");
    if (!image)
      throw new Error(
        `the busybox image is not built in ${config.cacheDir}: run \`npx tsx server/images/build-images.ts\``,
      );

    server = await startPlaygroundServer(config, createLogger(config.logLevel), null);
    const runtimes = await fetchRuntimes(server.url);
    const runc = runtimes.find((r) => r.id === "runc");
    const gvisor = runtimes.find((r) => r.id === "gvisor");
    if (!runc?.available)
      throw new Error(`runc is not available: ${runc?.reason ?? "no such runtime"}`);
    const runtimesUnderTest: RuntimeName[] = gvisor?.available ? ["runc", "gvisor"] : ["runc"];
    const available = (id: string) => runtimes.find((r) => r.id === id && r.available);
    const variants: Variant[] = [
      ...runtimesUnderTest.flatMap((runtime) =>
        (["raw", "api"] as const).map((via) => ({
          key: `${runtime} ${via}`,
          runtime,
          via,
          pool: false,
          vm: false,
        })),
      ),
      ...(available("containerd-runc")
        ? [
            {
              key: "containerd-runc api",
              runtime: "containerd-runc",
              via: "api" as const,
              pool: false,
              vm: false,
            },
          ]
        : []),
      ...(available("microvm") && args.vmIterations > 0
        ? [
            { key: "microvm cold", runtime: "microvm", via: "api" as const, pool: false, vm: true },
            ...(warmPoolSize(available("microvm")) > 0
              ? [
                  {
                    key: "microvm warm pool",
                    runtime: "microvm",
                    via: "api" as const,
                    pool: true,
                    vm: true,
                  },
                ]
              : []),
          ]
        : []),
    ];

    // Same state folder as the server's drivers: the gVisor driver finds the platform the server probed.
    const raw: BenchContext["raw"] = {
      runc: await rawRuntime(new RuncDriver({ binary: config.runcPath, stateDir, cgroupParent })),
      gvisor: await rawRuntime(
        new GvisorDriver({
          binary: config.runscPath,
          stateDir,
          cgroupParent,
          platform: config.gvisorPlatform,
          probeImage: async () => image,
        }),
      ),
    };
    if (gvisor?.available) {
      const flags = await raw.gvisor.cliFlags();
      const platform = flags[flags.indexOf("--platform") + 1];
      if (platform !== gvisor.details.platform) {
        throw new Error(
          `raw runsc would use platform ${platform}, the server uses ${gvisor.details.platform}`,
        );
      }
    }

    socket = await connectSocket(server.url);
    const bundlesDir = path.join(stateDir, "bench-bundles");
    await fs.mkdir(bundlesDir, { recursive: true, mode: 0o700 });
    let counter = 0;
    const ctx: BenchContext = {
      cgroupParent,
      config,
      rootfsPath: image.rootfsPath,
      bundlesDir,
      raw,
      socket,
      url: server.url,
      live,
      nextId: () => ++counter,
    };

    printHeader(args, runtimes, variants);
    const samples = new Map(variants.map((v) => [v.key, emptySamples()]));

    const rounds = args.warmup + Math.max(args.iterations, args.vmIterations);
    for (let round = 0; round < rounds; round++) {
      const measured = round >= args.warmup;
      const index = round - args.warmup;
      showProgress(measured ? `iteration ${index + 1}` : `warm-up ${round + 1}/${args.warmup}`);
      // Round-robin, starting one variant further each round, so no variant always follows the same one.
      for (let k = 0; k < variants.length; k++) {
        stop.signal.throwIfAborted();
        const variant = variants[(round + k) % variants.length];
        const wanted = variant.vm ? args.vmIterations : args.iterations;
        // A VM boot is seconds long: one warm-up round is enough for it.
        if (measured ? index >= wanted : variant.vm && round > 0) continue;
        if (variant.pool) await waitForWarmVm(ctx.url);
        await measureOnce(ctx, variant, measured ? samples.get(variant.key)! : emptySamples());
        // The pool boots a replacement in the background: let it finish before the next variant is timed.
        if (variant.pool) await waitForWarmVm(ctx.url);
      }
    }
    showProgress("");
    printResults(samples, variants);
  } catch (err) {
    // Ctrl-C reaches the runtimes too; their failure is not the news.
    throw stop.signal.aborted ? new Error("interrupted; everything it started is removed") : err;
  } finally {
    socket?.disconnect();
    for (const [name, { runtime, bundle }] of live)
      await tearDownRaw(runtime, name, bundle, cgroupParent);
    await server?.close();
    await fs.rm(stateDir, { recursive: true, force: true });
  }
}

async function measureOnce(ctx: BenchContext, variant: Variant, into: Samples): Promise<void> {
  if (variant.via === "raw") {
    into.raw.push((await launchRaw(ctx, variant.runtime as RuntimeName)).runMs);
    return;
  }
  const sample = await launchViaApi(ctx, variant.runtime, variant.pool);
  into.apiExited.push(sample.exitedMs);
  into.apiFinal.push(sample.finalMs);
  into.firstOutput.push(requireTiming(sample, "firstOutput"));
  into.cleanedUp.push(requireTiming(sample, "cleanedUp"));
  for (const [phase, ms] of Object.entries(sample.timings)) {
    into.phases.set(phase, [...(into.phases.get(phase) ?? []), ms]);
  }
  if (sample.lateSubscription) into.lateSubscriptions++;
}

/** Same spec as the driver writes (same image, limits and hardening), run by the CLI directly: spawn to exit. */
async function launchRaw(ctx: BenchContext, runtimeName: RuntimeName): Promise<RawSample> {
  const runtime = ctx.raw[runtimeName];
  // Not "sbpg-": another playground starting on this host reaps cgroups with that prefix.
  const name = `bench-${process.pid}-${runtimeName}-${ctx.nextId()}`;
  const bundle = path.join(ctx.bundlesDir, name);
  ctx.live.set(name, { runtime, bundle });
  try {
    await fs.mkdir(bundle, { recursive: true, mode: 0o700 });
    const { userNamespace, seccomp, pidsOverhead } = runtime.hardening();
    const limits = sandboxLimits(ctx.config);
    const spec = buildOciSpec({
      rootfsPath: ctx.rootfsPath,
      command,
      hostname: "sandbox",
      limits: { ...limits, pids: limits.pids + pidsOverhead },
      cgroupsPath: `${ctx.cgroupParent}/${name}`,
      userNamespace,
      seccomp,
    });
    await fs.writeFile(path.join(bundle, "config.json"), JSON.stringify(spec));
    const flags = await runtime.cliFlags();

    const startedAt = performance.now();
    const child = spawn(runtime.cli, [...flags, "run", "--bundle", bundle, name], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let exitedAt: number | null = null;
    child.once("exit", () => (exitedAt = performance.now()));
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), runTimeoutMs);
    const [code, signal] = (await once(child, "close").finally(() => clearTimeout(timer))) as [
      number | null,
      string | null,
    ];
    const runMs = (exitedAt ?? performance.now()) - startedAt;
    if (code !== 0 || stdout !== expectedOutput) {
      throw new Error(
        `raw ${runtimeName} run ${name} failed: exit ${code ?? signal}, stdout ${JSON.stringify(stdout)}, stderr ${stderr.trim().slice(-800)}`,
      );
    }
    return { runMs };
  } finally {
    await tearDownRaw(runtime, name, bundle, ctx.cgroupParent);
    ctx.live.delete(name);
  }
}

/** Idempotent, like the driver's own removal. */
async function tearDownRaw(
  runtime: RawRuntime,
  name: string,
  bundle: string,
  cgroupParent: string,
): Promise<void> {
  const flags = await runtime.cliFlags();
  await runCommand(runtime.cli, [...flags, "delete", "--force", name], 10_000);
  await removeCgroups(cgroupParent, name);
  await fs.rm(bundle, { recursive: true, force: true });
}

/** What a visitor's page does: POST the run, subscribe by id, follow run:state until the run is over. */
async function launchViaApi(ctx: BenchContext, runtime: string, pool: boolean): Promise<ApiSample> {
  const { socket } = ctx;
  const postedAt = performance.now();
  const reply = await fetch(`${ctx.url}/api/runs`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      runtime,
      image: "busybox",
      command,
      timeoutMs: runTimeoutMs,
      ...(pool ? { pool: true } : {}),
    }),
  });
  const body: unknown = await reply.json();
  if (reply.status !== 201)
    throw new Error(
      `POST /api/runs (${runtime}) answered ${reply.status}: ${JSON.stringify(body)}`,
    );
  const { id } = CreateRunReplySchema.parse(body);

  let output = "";
  let exitedAt: number | null = null;
  let lateSubscription = false;
  let onState: (payload: unknown) => void = () => undefined;
  let onLog: (payload: unknown) => void = () => undefined;
  let timer: NodeJS.Timeout | undefined;
  const finished = new Promise<{ run: RunSnapshot; at: number }>((resolve, reject) => {
    const observe = (run: RunSnapshot, fromAck: boolean) => {
      const now = performance.now();
      if (exitedAt === null && (run.timings.exited !== undefined || isTerminalState(run.state))) {
        exitedAt = now;
        lateSubscription = fromAck;
      }
      if (isTerminalState(run.state)) resolve({ run, at: now });
    };
    onState = (payload) => {
      const event = StateEventSchema.parse(payload);
      if (event.runId === id) observe(event.run, false);
    };
    onLog = (payload) => {
      const chunk = LogChunkSchema.parse(payload);
      // Backlog and live output may overlap; the offset says what is new.
      if (chunk.runId === id && chunk.offset + chunk.data.length > output.length) {
        output += chunk.data.slice(output.length - chunk.offset);
      }
    };
    socket.on(socketEvents.state, onState);
    socket.on(socketEvents.log, onLog);
    timer = setTimeout(
      () => reject(new Error(`run ${id} (${runtime}) did not finish in ${2 * runTimeoutMs} ms`)),
      2 * runTimeoutMs,
    );
    socket
      .timeout(runTimeoutMs)
      .emitWithAck(socketEvents.subscribe, { runId: id })
      .then((raw: unknown) => {
        const ack = SubscribeAckSchema.parse(raw);
        if (!ack.ok)
          throw new Error(`run:subscribe ${id}: ${ack.error.code}: ${ack.error.message}`);
        observe(ack.run, true);
      })
      .catch(reject);
  });
  try {
    const { run, at } = await finished;
    // A VM's log starts with its boot lines (or a note that it came from the pool): the workload's output ends it.
    if (run.state !== "exited" || run.exitCode !== 0 || !output.endsWith(expectedOutput)) {
      throw new Error(
        `API ${runtime} run ${id} ended ${run.state} (exit ${run.exitCode}, ${run.error?.message ?? "no error"}), output ${JSON.stringify(output)}`,
      );
    }
    return {
      exitedMs: (exitedAt ?? at) - postedAt,
      finalMs: at - postedAt,
      timings: run.timings,
      lateSubscription,
    };
  } finally {
    clearTimeout(timer);
    socket.off(socketEvents.state, onState);
    socket.off(socketEvents.log, onLog);
    socket.emit(socketEvents.unsubscribe, { runId: id });
  }
}

function requireTiming(sample: ApiSample, phase: Phase): number {
  const value = sample.timings[phase];
  if (value === undefined)
    throw new Error(`run timings lack "${phase}": ${JSON.stringify(sample.timings)}`);
  return value;
}

/** The limits the engine gives a run that asks for no particular timeout. */
function sandboxLimits(config: Config): SandboxLimits {
  const { limits } = config;
  return {
    timeoutMs: runTimeoutMs,
    memoryBytes: limits.memoryBytes,
    pids: limits.pids,
    cpuShares: limits.cpuShares,
    outputBytes: limits.outputBytes,
    tmpfsBytes: limits.tmpfsBytes,
  };
}

async function fetchRuntimes(url: string): Promise<RuntimeInfo[]> {
  const reply = await fetch(`${url}/api/runtimes`);
  if (!reply.ok) throw new Error(`GET /api/runtimes answered ${reply.status}`);
  return RuntimesReplySchema.parse(await reply.json()).runtimes;
}

async function connectSocket(url: string): Promise<Socket> {
  const socket = io(url, { transports: ["websocket"], reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", (err) => {
      socket.disconnect();
      reject(new Error(`socket.io connection to ${url} failed: ${err.message}`));
    });
  });
  return socket;
}

/** On a terminal only, so a redirected report stays clean. */
function showProgress(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r${text.padEnd(24)}${text ? "" : "\r"}`);
}

function emptySamples(): Samples {
  return {
    raw: [],
    apiExited: [],
    apiFinal: [],
    firstOutput: [],
    cleanedUp: [],
    phases: new Map(),
    lateSubscriptions: 0,
  };
}

function printHeader(
  args: z.infer<typeof ArgsSchema>,
  runtimes: RuntimeInfo[],
  variants: Variant[],
): void {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  console.log(
    `Launch benchmark: ${JSON.stringify(command)}; ${args.iterations} iterations per container variant, ${args.vmIterations} per VM variant, after ${args.warmup} warm-up rounds`,
  );
  console.log(
    `host: ${os.cpus().length} × ${cpu}, ${os.type()} ${os.release()}, node ${process.version}`,
  );
  const tested = new Set(variants.map((v) => v.runtime));
  for (const r of runtimes) {
    if (!tested.has(r.id)) {
      console.log(`${r.id}: skipped (${r.available ? "not benchmarked" : r.reason})`);
      continue;
    }
    const extra = ["platform", "accel", "kernel", "warmPool"]
      .filter((k) => r.details[k])
      .map((k) => `${k} ${r.details[k]}`);
    console.log(`${r.id}: ${r.version}${extra.length ? `, ${extra.join(", ")}` : ""}`);
  }
  console.log();
}

function printResults(samples: Map<string, Samples>, variants: Variant[]): void {
  const rows: Array<[string, number[]]> = variants.flatMap((variant) => {
    const s = samples.get(variant.key)!;
    if (variant.via === "raw") return [[`${variant.runtime} raw   spawn → exit`, s.raw]];
    return [
      [`${variant.key}   POST → exited event`, s.apiExited],
      [`${variant.key}   request → firstOutput (run timings)`, s.firstOutput],
      [`${variant.key}   request → cleanedUp (run timings)`, s.cleanedUp],
      [`${variant.key}   POST → final state event`, s.apiFinal],
    ] as Array<[string, number[]]>;
  });
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  const cell = (v: number | string) => (typeof v === "number" ? v.toFixed(1) : v).padStart(9);
  console.log(
    `${"variant (ms)".padEnd(width)}${cell("median")}${cell("p95")}${cell("min")}${cell("n")}`,
  );
  for (const [label, values] of rows) {
    if (values.length === 0) continue;
    const { median, p95, min, count } = summarize(values);
    console.log(
      `${label.padEnd(width)}${cell(median)}${cell(p95)}${cell(min)}${cell(String(count))}`,
    );
  }

  const median = (key: string, pick: (s: Samples) => number[]) => {
    const values = samples.get(key) ? pick(samples.get(key)!) : [];
    return values.length ? summarize(values).median : null;
  };
  console.log("\nratios of medians, API launch-to-exit / raw launch:");
  for (const runtime of ["runc", "gvisor"]) {
    const api = median(`${runtime} api`, (s) => s.apiExited);
    const raw = median(`${runtime} raw`, (s) => s.raw);
    if (api === null || raw === null) continue;
    const ratio = api / raw;
    const verdict =
      runtime === "runc"
        ? `target ≤ ${targetRatio.toFixed(2)}×  ${ratio <= targetRatio ? "PASS" : "FAIL"}`
        : "(no target)";
    console.log(`  ${runtime.padEnd(7)} ${ratio.toFixed(2)}×  ${verdict}`);
  }
  const containerd = median("containerd-runc api", (s) => s.apiExited);
  const rawRunc = median("runc raw", (s) => s.raw);
  if (containerd !== null && rawRunc !== null) {
    console.log(`  containerd-runc ${(containerd / rawRunc).toFixed(2)}× raw runc`);
  }

  const cold = samples.get("microvm cold");
  if (cold && cold.apiExited.length) {
    const boot = pairwise(cold, "vmmSpawned", "workloadStarted");
    console.log("\nmicroVM:");
    console.log(
      `  cold boot to workload (VMM spawned → workload started): median ${summarize(boot).median.toFixed(0)} ms  target < ${targets.coldBootToWorkloadMs} ms  ${summarize(boot).median < targets.coldBootToWorkloadMs ? "PASS" : "FAIL"}`,
    );
    const toInit = pairwise(cold, "vmmSpawned", "guestInit");
    console.log(`  VMM spawned → guest init: median ${summarize(toInit).median.toFixed(0)} ms`);
  }
  const warm = samples.get("microvm warm pool");
  if (warm && warm.firstOutput.length) {
    const m = summarize(warm.firstOutput).median;
    console.log(
      `  warm pool, request → first output: median ${m.toFixed(1)} ms  target < ${targets.warmLaunchToOutputMs} ms  ${m < targets.warmLaunchToOutputMs ? "PASS" : "FAIL"}`,
    );
  }
  console.log("\npublished figures to compare against:");
  for (const line of publishedFigures) console.log(`  ${line}`);

  console.log("\nAPI run phases, median ms from the request (run timings):");
  for (const variant of variants.filter((v) => v.via === "api")) {
    const phases = [...samples.get(variant.key)!.phases]
      .map(([phase, values]) => [phase, summarize(values).median] as const)
      .sort((a, b) => a[1] - b[1]);
    console.log(
      `  ${variant.key.padEnd(18)} ${phases.map(([phase, ms]) => `${phase} ${ms.toFixed(1)}`).join(", ")}`,
    );
  }
  const late = [...samples.values()].reduce((n, s) => n + s.lateSubscriptions, 0);
  if (late > 0)
    console.log(
      `\nnote: ${late} API runs had exited before the subscription answered; their exit time is the answer's.`,
    );
  console.log(
    "\nThe final state event follows the server's cleanup (runtime delete, cgroups, bundle; VM gone), hence its gap to exited.",
  );
}

/** Per run, the time between two of its phases. */
function pairwise(samples: Samples, from: string, to: string): number[] {
  const a = samples.phases.get(from) ?? [];
  const b = samples.phases.get(to) ?? [];
  return a.length === b.length ? a.map((start, i) => b[i]! - start) : [];
}

/** Pool size from the microvm runtime's details ("1/2 ready" style), 0 when there is no pool. */
function warmPoolSize(runtime: RuntimeInfo | undefined): number {
  const match = /(\d+)\s*\/\s*(\d+)/.exec(runtime?.details.warmPool ?? "");
  return match ? Number(match[2]) : 0;
}

/** A pooled launch is only a pooled launch if a VM is ready: wait for the background refill. */
async function waitForWarmVm(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const microvm = (await fetchRuntimes(url)).find((r) => r.id === "microvm");
    const ready = /(\d+)\s*\//.exec(microvm?.details.warmPool ?? "");
    if (ready && Number(ready[1]) > 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the microVM warm pool did not refill within 30 s");
}

main().catch((err: unknown) => {
  // Every error raised here names what failed; the stack is for LOG_LEVEL=debug.
  const detail =
    err instanceof Error
      ? process.env.LOG_LEVEL === "debug"
        ? err.stack
        : err.message
      : String(err);
  console.error(`launch benchmark failed: ${detail}`);
  process.exitCode = 1;
});
