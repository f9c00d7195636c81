// `npm run bench:snapshot -- [runs]`: microVM request → first output, cold boot vs restored from the snapshot vs a
// warm-pool VM (itself restored), median and p95; a burst of 10 restores at once; RSS and PSS of restored vs cold.
import { execFileSync } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../server/config/env";
import type { LaunchContext, LaunchSpec } from "../server/engine/driver";
import { cgroupParentFor, vmsCgroupFor } from "../server/instance/cgroup-parents";
import { ImageStore } from "../server/images/image-store";
import { createLogger } from "../server/log/logger";
import { removeCgroupParent } from "../server/runtimes/cgroups";
import {
  maxMicrovmTerminalPorts,
  MicrovmDriver,
  type MicrovmOptions,
} from "../server/runtimes/microvm/microvm-driver";
import { summarize } from "../lib/stats";

const runs = Number(process.argv[2] ?? 10);
const burst = 10;
const config = loadConfig();
const images = new ImageStore(config.cacheDir);
const image = await images.resolve("busybox");
if (!image) throw new Error("the busybox image is not built: run npm run setup");
const stateDir = path.join(os.tmpdir(), `sbpg-snap-bench-${process.pid}`);
const memoryBytes = config.limits.memoryBytes;
const silent = createLogger("silent");
const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");

const base: MicrovmOptions = {
  qemuBinary: config.qemuPath,
  stateDir,
  cacheDir: config.cacheDir,
  // SBPG_MICROVMS_CPU_IDLE as the server has it: "off" measures the VMs, not how busy the rest of the host is.
  vmsCgroup: { path: vmsCgroupFor(stateDir), ...config.microvmsCpu },
  accel: config.microvmAccel,
  probeImage: async () => image,
  // As the server has them: runs restore from the snapshot without terminal ports, the pool from the sessions' one.
  sessions: {
    terminals: Math.min(config.sessions.maxTerminalsPerSession, maxMicrovmTerminalPorts),
    log: silent,
  },
};
const cold = new MicrovmDriver(base);
const restoring = new MicrovmDriver({
  ...base,
  snapshot: { memoryBytes, terminalPorts: config.microvmSnapshotTerminals, log: silent },
  pool: {
    size: 1,
    image: async () => image,
    memoryBytes,
    tmpfsBytes: config.limits.tmpfsBytes,
    log: silent,
  },
});
for (const driver of [cold, restoring]) {
  const availability = await driver.probe();
  if (!availability.available) throw new Error(`microvm unavailable: ${availability.reason}`);
  await driver.start();
}
if (!(await restoring.snapshotReady())) throw new Error("no snapshot could be saved");

let counter = 0;
/** Request → first output, and the run's own id, of one `echo` (or `sleep` for the memory samples). */
async function measure(
  driver: MicrovmDriver,
  options: { fromPool?: boolean; command?: string[]; onStarted?: (name: string) => void } = {},
) {
  const name = `sbpg-sbench-${process.pid}-${counter++}`;
  const requested = performance.now();
  let firstOutput = NaN;
  const phases: string[] = [];
  const ctx: LaunchContext = {
    signal: AbortSignal.timeout(120_000),
    mark: (phase) => {
      phases.push(phase);
      if (phase === "workloadStarted") options.onStarted?.(name);
    },
    enter: () => undefined,
    output: () => {
      if (Number.isNaN(firstOutput)) firstOutput = performance.now() - requested;
    },
    console: () => undefined,
    log: silent,
  };
  const spec: LaunchSpec = {
    runId: name,
    resourceName: name,
    image: image!,
    command: options.command ?? ["echo", "hi"],
    limits: { ...config.limits, timeoutMs: 120_000 },
    fromPool: options.fromPool,
  };
  const result = await driver.launch(spec, ctx);
  if (result.exitCode !== 0) throw new Error(`${name} exited ${result.exitCode}`);
  return { firstOutput, phases };
}

const waitForPool = async () => {
  while ((restoring.poolStatus()?.ready ?? 0) < 1) await new Promise((r) => setTimeout(r, 50));
};

console.log(`load before: ${load()} (${os.cpus().length} cores; other work on the host counts)`);
const samples: Record<"cold boot" | "restored" | "pooled", number[]> = {
  "cold boot": [],
  restored: [],
  pooled: [],
};
// Interleaved, so the host's load falls on every path alike.
for (let i = 0; i < runs; i++) {
  samples["cold boot"].push((await measure(cold)).firstOutput);
  // A pool refilling behind the last claim would take a core from the restore being measured.
  await waitForPool();
  const restored = await measure(restoring);
  if (!restored.phases.includes("restored")) throw new Error("a run was not restored");
  samples.restored.push(restored.firstOutput);
  await waitForPool();
  const pooled = await measure(restoring, { fromPool: true });
  if (!pooled.phases.includes("poolClaimed")) throw new Error("a pooled run missed the pool");
  samples.pooled.push(pooled.firstOutput);
}
await waitForPool();

const burstStarted = performance.now();
const burstRuns = await Promise.all(Array.from({ length: burst }, () => measure(restoring)));
const burstWall = performance.now() - burstStarted;
const burstFirst = burstRuns.map((r) => r.firstOutput);

/** RSS and PSS (KiB) of QEMU processes once their workloads run: three restored at once, one cold. */
async function memoryOf(driver: MicrovmDriver, count: number) {
  const rollups: Array<{ rss: number; pss: number }> = [];
  let started = 0;
  let release = () => undefined as void;
  const allStarted = new Promise<void>((resolve) => (release = resolve));
  const names: string[] = [];
  const runsDone = Promise.all(
    Array.from({ length: count }, () =>
      measure(driver, {
        command: ["sleep", "8"],
        onStarted: (name) => {
          names.push(name);
          if (++started === count) release();
        },
      }),
    ),
  );
  await allStarted;
  await new Promise((r) => setTimeout(r, 500));
  for (const name of names) {
    let pids = await driver.sandboxProcesses(name);
    for (let tries = 0; !pids.length && tries < 20; tries++) {
      await new Promise((r) => setTimeout(r, 100));
      pids = await driver.sandboxProcesses(name);
    }
    if (!pids.length) throw new Error(`no QEMU found for ${name}`);
    for (const pid of pids) {
      const text = await fs.readFile(`/proc/${pid}/smaps_rollup`, "utf8");
      const kib = (key: string) =>
        Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? NaN);
      rollups.push({ rss: kib("Rss"), pss: kib("Pss") });
    }
  }
  await runsDone;
  return rollups;
}
const restoredMemory = await memoryOf(restoring, 3);
const coldMemory = await memoryOf(cold, 1);

const details = (await restoring.probe()).details;
console.log(
  `microvm (${details.accel}, kernel ${details.kernel}, QEMU ${details.qemu}), ${Math.round(memoryBytes / 2 ** 20)} MiB guests, ` +
    `cpu idle ${config.microvmsCpu.idle ? "on" : "off"}; ${runs} runs of \`echo hi\` per path, request → first output:`,
);
const coldMedian = summarize(samples["cold boot"]).median;
for (const [name, xs] of Object.entries(samples)) {
  const s = summarize(xs);
  console.log(
    `  ${name.padEnd(10)} median ${s.median.toFixed(0).padStart(5)} ms  p95 ${s.p95.toFixed(0).padStart(5)} ms  ` +
      `(${(coldMedian / s.median).toFixed(1)}x faster than cold)`,
  );
}
const b = summarize(burstFirst);
console.log(
  `  ${burst} restores at once: every run's first output within ${Math.max(...burstFirst).toFixed(0)} ms ` +
    `(median ${b.median.toFixed(0)} ms; all done in ${burstWall.toFixed(0)} ms)`,
);
const mib = (kib: number) => (kib / 1024).toFixed(1);
for (const [name, rollups] of [
  ["restored (3 at once)", restoredMemory],
  ["cold boot", coldMemory],
] as const) {
  console.log(
    `  ${name.padEnd(20)} QEMU RSS ${rollups.map((r) => mib(r.rss)).join(", ")} MiB, PSS ${rollups.map((r) => mib(r.pss)).join(", ")} MiB`,
  );
}
console.log(`load after: ${load()}; ${execFileSync("uptime").toString().trim()}`);

await restoring.close();
await cold.close();
await restoring.reap();
await removeCgroupParent(cgroupParentFor(stateDir));
await removeCgroupParent(vmsCgroupFor(stateDir));
await fs.rm(stateDir, { recursive: true, force: true });
