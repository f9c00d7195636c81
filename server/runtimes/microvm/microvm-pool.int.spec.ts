// The microVM warm pool against real QEMU: filled, claimed in milliseconds, refilled, closed without a trace.
import { testSandboxLimits } from "../../testing/sandbox-limits";
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LaunchContext, LaunchSpec } from "../../engine/driver";
import { ImageStore, type ImageRef } from "../../images/image-store";
import { buildMicrovmAssets } from "../../images/microvm/microvm-assets";
import { cgroupParentFor, vmsCgroupFor } from "../../instance/cgroup-parents";
import { createLogger } from "../../log/logger";
import { cgroupPids, removeCgroupParent } from "../cgroups";
import { MicrovmDriver } from "./microvm-driver";
import { findVmProcesses } from "./reap-vms";

const cacheDir = path.resolve(".cache");
const log = createLogger("silent");
let stateDir: string;
let vmsDir: string;
let poolDir: string;
let image: ImageRef;
let kernelVersion: string;
let driver: MicrovmDriver;

const limits = testSandboxLimits({
  timeoutMs: 60_000,
  memoryBytes: 128 << 20,
  pids: 64,
  tmpfsBytes: 16 << 20,
});

/** A driver whose pool starts filling at once, as the server starts it after its reap. */
function poolDriver(size: number) {
  const images = new ImageStore(cacheDir);
  const driver = new MicrovmDriver({
    qemuBinary: "qemu-system-x86_64",
    stateDir,
    cacheDir,
    vmsCgroup: { path: vmsCgroupFor(stateDir), cpuShares: 512, idle: true },
    accel: "auto",
    probeImage: () => images.resolve("busybox"),
    pool: {
      size,
      image: () => images.resolve("busybox"),
      memoryBytes: limits.memoryBytes,
      tmpfsBytes: limits.tmpfsBytes,
      log,
    },
  });
  void driver.start();
  return driver;
}

beforeAll(async () => {
  ({
    assets: {
      manifest: { kernelVersion },
    },
  } = await buildMicrovmAssets(cacheDir));
  const resolved = await new ImageStore(cacheDir).resolve("busybox");
  if (!resolved) throw new Error("the busybox image is not built: run npm run setup");
  image = resolved;
  stateDir = await fs.mkdtemp(path.join(os.tmpdir(), "sbpg-pool-"));
  vmsDir = path.join(stateDir, "microvm");
  poolDir = path.join(stateDir, "microvm-pool");
  driver = poolDriver(1);
  await driver.start();
});

afterAll(async () => {
  await driver?.close();
  if (stateDir) {
    await removeCgroupParent(cgroupParentFor(stateDir));
    await removeCgroupParent(vmsCgroupFor(stateDir));
    await fs.rm(stateDir, { recursive: true, force: true });
  }
});

/** The pool's line on the host page, once it reads "n/size ready". */
async function waitForReady(target: MicrovmDriver, ready = 1): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const line = (await target.probe()).details.warmPool ?? "";
    if (line.startsWith(`${ready}/`)) return line;
    if (Date.now() > deadline) throw new Error(`the warm pool is still "${line}"`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function launch(
  command: string[],
  name: string,
  options: {
    fromPool?: boolean;
    controller?: AbortController;
    memoryBytes?: number;
    /** Called with the output so far, on every chunk. */
    onOutput?: (output: string) => void;
  } = {},
) {
  const controller = options.controller ?? new AbortController();
  const spec: LaunchSpec = {
    runId: name,
    resourceName: `sbpg-pooltest-${name}-${process.pid}`,
    image,
    command,
    limits: { ...limits, memoryBytes: options.memoryBytes ?? limits.memoryBytes },
    fromPool: options.fromPool ?? true,
  };
  const marks = new Map<string, number>();
  const chunks: Buffer[] = [];
  const consoleChunks: Buffer[] = [];
  let footprint: Promise<number[]> | null = null;
  const started = performance.now();
  const ctx: LaunchContext = {
    signal: controller.signal,
    mark: (phase) => marks.set(phase, performance.now() - started),
    enter: (state) => marks.set(`enter:${state}`, performance.now() - started),
    output: (bytes) => {
      if (!marks.has("firstOutput")) marks.set("firstOutput", performance.now() - started);
      footprint ??= driver.sandboxProcesses(spec.resourceName);
      chunks.push(bytes);
      options.onOutput?.(Buffer.concat(chunks).toString());
    },
    console: (bytes) => consoleChunks.push(bytes),
    log,
  };
  const result = await driver.launch(spec, ctx);
  return {
    result,
    marks,
    pids: await footprint,
    output: Buffer.concat(chunks).toString(),
    console: Buffer.concat(consoleChunks).toString(),
  };
}

describe("microvm warm pool", () => {
  it("fills to its size and says so on the host page", async () => {
    expect((await driver.probe()).details.warmPool).toMatch(/^0\/1 ready|^1\/1 ready/);
    expect(await waitForReady(driver)).toBe("1/1 ready");
    const pooled = (await findVmProcesses(poolDir)).map((vm) => vm.name);
    expect(pooled).toEqual([expect.stringMatching(/^sbpg-pool-/)]);
  });

  it("runs a claimed VM's workload on the guest kernel in a fraction of a cold boot", async () => {
    await waitForReady(driver);
    const { result, marks, output, console, pids } = await launch(
      ["sh", "-c", "uname -r; sleep 0.3"],
      "uname",
    );
    expect(result).toEqual({ exitCode: 0, signal: null });
    expect(output).toBe(`${kernelVersion}\n`);
    // A note in place of the boot log; a late kernel line may follow it.
    expect(console).toMatch(/^\[from the warm pool: booted [\d.]+ s ago in [\d.]+ s\]\n/);
    expect(console).not.toContain("sbpg-guest:");
    const order = ["poolClaimed", "workloadStarted", "firstOutput", "workloadExited", "vmGone"];
    const at = order.map((phase) => marks.get(phase) ?? NaN);
    expect(at.every(Number.isFinite), JSON.stringify([...marks])).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    // The boot happened before the run: its phases are not the run's.
    expect(marks.has("vmmSpawned")).toBe(false);
    expect(marks.has("poolMiss")).toBe(false);
    // A cold boot takes ~1.7 s under TCG; a claimed VM's first output comes in tens of ms.
    expect(marks.get("firstOutput")).toBeLessThan(1_000);
    // The run's memory footprint is the claimed VM's QEMU.
    expect(pids).toHaveLength(1);
  });

  it("keeps its VMs at a low CPU share while they wait; a claimed VM gets its run's", async () => {
    await waitForReady(driver);
    const [waiting] = await findVmProcesses(poolDir);
    const cpuDir = path.join("/sys/fs/cgroup/cpu", vmsCgroupFor(stateDir), waiting!.name);
    // cgroup v1 here (the machine's layout); a v2 host writes the same share as cpu.weight.
    const share = () => fs.readFile(path.join(cpuDir, "cpu.shares"), "utf8").then(Number);
    expect(await share()).toBe(2);
    let during: Promise<number> | null = null;
    const { result } = await launch(["sh", "-c", "echo up; sleep 0.5"], "share", {
      onOutput: () => (during ??= share()),
    });
    expect(result).toEqual({ exitCode: 0, signal: null });
    expect(await during).toBe(limits.cpuShares);
  });

  it("refills after a claim, and passes the argv and the exit code through the control port", async () => {
    expect(await waitForReady(driver)).toBe("1/1 ready");
    const args = ["it's", "a  b", "two\nlines", ""];
    const { result, output, marks } = await launch(
      ["sh", "-c", 'printf "[%s]" "$@"; echo; exit 3', "sh", ...args],
      "argv",
    );
    expect(marks.has("poolClaimed")).toBe(true);
    expect(result).toEqual({ exitCode: 3, signal: null });
    expect(output).toBe(`${args.map((a) => `[${a}]`).join("")}\n`);
  });

  it("boots cold, marked as a miss, when no pooled VM fits", async () => {
    await waitForReady(driver);
    const { result, output, marks } = await launch(["uname", "-r"], "miss", {
      memoryBytes: 256 * 1024 * 1024,
    });
    expect(result).toEqual({ exitCode: 0, signal: null });
    expect(output).toBe(`${kernelVersion}\n`);
    expect(marks.has("poolMiss")).toBe(true);
    expect(marks.has("vmmSpawned")).toBe(true);
    expect(await waitForReady(driver)).toBe("1/1 ready");
  });

  it("kills a claimed VM on abort", async () => {
    await waitForReady(driver);
    const controller = new AbortController();
    let printed = () => undefined as void;
    const upPrinted = new Promise<void>((resolve) => (printed = resolve));
    const pending = launch(["sh", "-c", "echo up; sleep 60"], "abort", {
      controller,
      onOutput: (output) => {
        if (output.includes("up\n")) printed();
      },
    });
    const deadline = Date.now() + 10_000;
    while ((await findVmProcesses(poolDir)).length < 2) {
      if (Date.now() > deadline)
        throw new Error("the pool did not start a VM in the claimed one's place");
      await new Promise((r) => setTimeout(r, 50));
    }
    // The claimed VM's QEMU shares the VMs' CPU group with the refill booting beside it: wait for its line.
    await upPrinted;
    controller.abort();
    const { result, output, marks } = await pending;
    expect(result.exitCode).toBeNull();
    expect(output).toBe("up\n");
    expect(marks.has("vmGone")).toBe(true);
    expect((await findVmProcesses(poolDir)).length).toBeLessThanOrEqual(1);
  });

  it("leaves no QEMU process and no folder once closed", async () => {
    await waitForReady(driver);
    await driver.close();
    for (const dir of [vmsDir, poolDir]) {
      expect(await findVmProcesses(dir)).toEqual([]);
      expect(await fs.readdir(dir).catch(() => [])).toEqual([]);
    }
    expect((await driver.probe()).details.warmPool).toBe("0/1 ready");
  });

  it("has its VMs reaped after a crash", async () => {
    const crashed = poolDriver(1);
    await waitForReady(crashed);
    // The pooled QEMU runs in a cgroup of its own name, under the playground's parent, from its start.
    const [pooled] = await findVmProcesses(poolDir);
    const vmsGroup = vmsCgroupFor(stateDir);
    const cgroupPath = `${vmsGroup}/${pooled.name}`;
    expect(await fs.readFile(`/proc/${pooled.pid}/cgroup`, "utf8")).toContain(`:${cgroupPath}\n`);
    // A new process on the same state folder: its reap finds the pool's QEMU by its sbpg- folder.
    const removed = await poolDriver(0).reap();
    await crashed.close();
    expect(removed).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^microvm QEMU \d+ \(sbpg-pool-/),
        expect.stringMatching(/^microvm folder sbpg-pool-/),
      ]),
    );
    expect(await findVmProcesses(poolDir)).toEqual([]);
    expect(await fs.readdir(poolDir)).toEqual([]);
    expect(await cgroupPids(vmsGroup, pooled.name)).toEqual([]);
    for (const hierarchy of await fs.readdir("/sys/fs/cgroup"))
      expect(existsSync(path.join("/sys/fs/cgroup", hierarchy, cgroupPath)), hierarchy).toBe(false);
  });
});
