// `npm run bench:microvm -- [runs]`: cold boot-to-workload of the microVM, medians.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../server/config/env";
import { cgroupParentFor, vmsCgroupFor } from "../server/instance/cgroup-parents";
import type { LaunchContext } from "../server/engine/driver";
import { ImageStore } from "../server/images/image-store";
import { createLogger } from "../server/log/logger";
import { removeCgroupParent } from "../server/runtimes/cgroups";
import { MicrovmDriver } from "../server/runtimes/microvm/microvm-driver";

const runs = Number(process.argv[2] ?? 5);
const config = loadConfig();
const images = new ImageStore(config.cacheDir);
const image = await images.resolve("busybox");
if (!image) throw new Error("the busybox image is not built: run npm run setup");
const stateDir = path.join(os.tmpdir(), `sbpg-microvm-bench-${process.pid}`);
const driver = new MicrovmDriver({
  qemuBinary: process.env.SBPG_QEMU_PATH ?? "qemu-system-x86_64",
  stateDir,
  cacheDir: config.cacheDir,
  vmsCgroup: { path: vmsCgroupFor(stateDir), cpuShares: 512, idle: true },
  accel: "auto",
  probeImage: () => images.resolve("busybox"),
});
const availability = await driver.probe();
if (!availability.available) throw new Error(`microvm unavailable: ${availability.reason}`);

const phases = ["firstConsoleLine", "guestInit", "workloadStarted", "workloadExited", "vmGone"];
const samples: Record<string, number[]> = Object.fromEntries(phases.map((p) => [p, []]));
for (let i = 0; i < runs; i++) {
  const marks = new Map<string, number>();
  const ctx: LaunchContext = {
    signal: AbortSignal.timeout(60_000),
    mark: (phase) => marks.set(phase, performance.now()),
    enter: () => undefined,
    output: () => undefined,
    console: () => undefined,
    log: createLogger("silent"),
  };
  const result = await driver.launch(
    {
      runId: `bench${i}`,
      resourceName: `sbpg-bench-${process.pid}-${i}`,
      image,
      command: ["true"],
      limits: {
        timeoutMs: 60_000,
        memoryBytes: config.limits.memoryBytes,
        pids: 64,
        cpuShares: 512,
        outputBytes: 1 << 20,
        tmpfsBytes: config.limits.tmpfsBytes,
      },
    },
    ctx,
  );
  if (result.exitCode !== 0) throw new Error(`run ${i} exited ${result.exitCode}`);
  const spawned = marks.get("vmmSpawned") ?? NaN;
  for (const phase of phases) samples[phase].push((marks.get(phase) ?? NaN) - spawned);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `microvm (${availability.details.accel}, kernel ${availability.details.kernel}, QEMU ${availability.version}), ${runs} cold boots of \`true\`, ms after QEMU spawned:`,
);
for (const phase of phases) {
  const xs = samples[phase];
  console.log(
    `  ${phase.padEnd(17)} median ${median(xs).toFixed(0).padStart(5)}  (${xs.map((x) => x.toFixed(0)).join(", ")})`,
  );
}
await removeCgroupParent(cgroupParentFor(stateDir));
await removeCgroupParent(vmsCgroupFor(stateDir));
await fs.rm(stateDir, { recursive: true, force: true });
