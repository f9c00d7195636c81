// Benchmark: containerd-runc launch-to-exit vs raw `ctr run` of the same workload, on a private containerd.
// Run: npm run bench:containerd -- [runs]
import { summarize } from "../lib/stats";
import { testSandboxLimits } from "../server/testing/sandbox-limits";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { LaunchContext } from "../server/engine/driver";
import { ImageStore } from "../server/images/image-store";
import { createLogger } from "../server/log/logger";
import { removeCgroups } from "../server/runtimes/cgroups";
import { buildOciSpec } from "../server/runtimes/oci-spec";
import { waitForExit } from "../server/runtimes/process-exit";
import {
  ContainerdDaemon,
  defaultNamespace,
} from "../server/runtimes/containerd/containerd-daemon";
import { ContainerdImageImporter } from "../server/runtimes/containerd/containerd-images";
import { ContainerdRuncDriver } from "../server/runtimes/containerd/containerd-runc";

const runs = Number(process.argv[2] ?? 20);
const limits = testSandboxLimits();

const median = (xs: number[]) => summarize(xs).median;

async function time(fn: (i: number) => Promise<void>): Promise<number[]> {
  const samples: number[] = [];
  await fn(-1); // warm-up: page cache, shim binary, first import
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn(i);
    samples.push(performance.now() - t0);
  }
  return samples;
}

async function main(): Promise<void> {
  const stateDir = await mkdtemp("/run/sbpg-bench-");
  const cgroupParent = `/sandbox-playground/${path.basename(stateDir)}`;
  const daemon = new ContainerdDaemon({
    containerdBinary: "containerd",
    ctrBinary: "ctr",
    stateDir,
    address: null,
    namespace: defaultNamespace,
    logLevel: "info",
  });
  try {
    const image = await new ImageStore(path.resolve(".cache")).resolve("busybox");
    if (!image) throw new Error("busybox image not built: npm run setup");
    const importer = new ContainerdImageImporter(daemon);
    const driver = new ContainerdRuncDriver({
      daemon,
      images: importer,
      cgroupParent,
      probeImage: async () => image,
    });
    const availability = await driver.probe();
    if (!availability.available) throw new Error(availability.reason ?? "unavailable");
    const imported = await importer.ensure(image);
    const ctx = (): LaunchContext => ({
      signal: new AbortController().signal,
      mark: () => undefined,
      enter: () => undefined,
      output: () => undefined,
      console: () => undefined,
      log: createLogger("silent"),
    });
    const ctr = async (args: string[]) => {
      const runcRoot = ["--runc-root", `${daemon.paths.state}/runc`];
      const child = spawn("ctr", [...daemon.ctrArgs(), args[0], ...runcRoot, ...args.slice(1)], {
        stdio: "ignore",
      });
      const exit = await waitForExit(child);
      if (exit.code !== 0) throw new Error(`ctr ${args.join(" ")} exited ${exit.code}`);
    };

    const driverMs = await time(async (i) => {
      const result = await driver.launch(
        {
          runId: `d${i}`,
          resourceName: `sbpg-bench-d${i + 1}`,
          image,
          command: ["echo", "hi"],
          limits,
        },
        ctx(),
      );
      if (result.exitCode !== 0) throw new Error(`driver run exited ${result.exitCode}`);
    });
    // ctr's own defaults (snapshot view of the image, its default spec): what a person would type.
    const rawImageMs = await time((i) =>
      ctr([
        "run",
        "--rm",
        "--read-only",
        "--fifo-dir",
        daemon.paths.fifoDir,
        imported.ref,
        `sbpg-bench-r${i + 1}`,
        "echo",
        "hi",
      ]),
    );
    // The same hardened spec on the shared rootfs folder: what the driver adds beyond ctr run is the snapshot.
    const specFile = path.join(stateDir, "bench-spec.json");
    const rawSpecMs = await time(async (i) => {
      const name = `sbpg-bench-s${i + 1}`;
      await writeFile(
        specFile,
        JSON.stringify(
          buildOciSpec({
            rootfsPath: image.rootfsPath,
            command: ["echo", "hi"],
            hostname: "sandbox",
            limits,
            cgroupsPath: `${cgroupParent}/${name}`,
            userNamespace: true,
            seccomp: true,
          }),
        ),
      );
      await ctr(["run", "--rm", "--fifo-dir", daemon.paths.fifoDir, "--config", specFile, name]);
      await removeCgroups(cgroupParent, name);
    });

    const base = median(rawImageMs);
    const row = (label: string, xs: number[]) =>
      console.log(
        `${label.padEnd(58)} median ${median(xs).toFixed(1).padStart(6)} ms  min ${Math.min(...xs)
          .toFixed(1)
          .padStart(6)} ms  ${(median(xs) / base).toFixed(2)}x`,
      );
    console.log(
      `containerd ${availability.version}, ${runs} runs each of \`echo hi\` (busybox), after one warm-up`,
    );
    row("raw `ctr run --rm --read-only <image>` (baseline)", rawImageMs);
    row("raw `ctr run --rm --config <hardened spec>` (rootfs folder)", rawSpecMs);
    row("containerd-runc driver launch-to-exit (snapshot + cleanup)", driverMs);
  } finally {
    await daemon.close();
    await removeCgroups("/sandbox-playground", path.basename(stateDir));
    await rm(stateDir, { recursive: true, force: true });
  }
}

await main();
