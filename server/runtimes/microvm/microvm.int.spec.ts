// The microVM driver against real QEMU: the guest's own kernel, exit codes, timings, abort and cleanup.
import { testSandboxLimits } from "../../testing/sandbox-limits";
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SandboxLaunchError, type LaunchContext, type LaunchSpec } from "../../engine/driver";
import { ImageStore } from "../../images/image-store";
import { buildMicrovmAssets } from "../../images/microvm/microvm-assets";
import { cgroupParentFor, vmsCgroupFor } from "../../instance/cgroup-parents";
import { createLogger } from "../../log/logger";
import { removeCgroupParent } from "../cgroups";
import { MicrovmDriver } from "./microvm-driver";
import { findVmProcesses } from "./reap-vms";

const cacheDir = path.resolve(".cache");
let stateDir: string;
let driver: MicrovmDriver;
let kernelVersion: string;

const limits = testSandboxLimits({
  timeoutMs: 60_000,
  memoryBytes: 128 << 20,
  pids: 64,
  tmpfsBytes: 16 << 20,
});

beforeAll(async () => {
  ({
    assets: {
      manifest: { kernelVersion },
    },
  } = await buildMicrovmAssets(cacheDir));
  stateDir = await fs.mkdtemp(path.join(os.tmpdir(), "sbpg-mvm-"));
  driver = new MicrovmDriver({
    qemuBinary: "qemu-system-x86_64",
    stateDir,
    cacheDir,
    vmsCgroup: { path: vmsCgroupFor(stateDir), cpuShares: 512, idle: true },
    accel: "auto",
    probeImage: () => new ImageStore(cacheDir).resolve("busybox"),
  });
});

afterAll(async () => {
  if (driver) await driver.reap();
  if (stateDir) {
    await removeCgroupParent(cgroupParentFor(stateDir));
    await removeCgroupParent(vmsCgroupFor(stateDir));
    await fs.rm(stateDir, { recursive: true, force: true });
  }
});

/** A LaunchContext that keeps what the driver reports, with the time of each mark. */
function recordingContext(controller = new AbortController()) {
  const marks: Array<{ phase: string; at: number }> = [];
  const states: string[] = [];
  const chunks: Buffer[] = [];
  const consoleChunks: Buffer[] = [];
  const ctx: LaunchContext = {
    signal: controller.signal,
    mark: (phase) => marks.push({ phase, at: performance.now() }),
    enter: (state) => {
      states.push(state);
      marks.push({ phase: `enter:${state}`, at: performance.now() });
    },
    output: (bytes) => chunks.push(bytes),
    console: (bytes) => consoleChunks.push(bytes),
    log: createLogger("silent"),
  };
  return {
    ctx,
    marks,
    states,
    controller,
    output: () => Buffer.concat(chunks).toString(),
    console: () => Buffer.concat(consoleChunks).toString(),
  };
}

async function launch(command: string[], name: string, controller?: AbortController) {
  const image = await new ImageStore(cacheDir).resolve("busybox");
  if (!image) throw new Error("the busybox image is not built: run npm run setup");
  const spec: LaunchSpec = {
    runId: name,
    resourceName: `sbpg-mvmtest-${name}-${process.pid}`,
    image,
    command,
    limits,
  };
  const recording = recordingContext(controller);
  const result = await driver.launch(spec, recording.ctx);
  return { ...recording, result, spec };
}

describe("microvm driver", () => {
  it("probes QEMU, the assets and an accelerator", async () => {
    const availability = await driver.probe();
    expect(availability).toMatchObject({ available: true, reason: null });
    expect(availability.details.accel).toMatch(/^(kvm|tcg)$/);
    expect(availability.details.kernel).toBe(kernelVersion);
    expect(availability.version).toMatch(/^\d+\.\d+/);
  });

  it("runs the workload on the guest's kernel, with every phase timed in order", async () => {
    const { result, output, console, marks, states } = await launch(["uname", "-r"], "uname");
    expect(result).toEqual({ exitCode: 0, signal: null });
    expect(kernelVersion).not.toBe(os.release());
    // Exactly the workload's bytes; the guest's own lines went to the console.
    expect(output()).toBe(`${kernelVersion}\n`);
    expect(console()).not.toContain("sbpg-guest:");
    expect(states).toEqual(["booting", "running"]);
    const order = [
      "enter:booting",
      "vmmSpawned",
      "started",
      "firstConsoleLine",
      "guestInit",
      "workloadStarted",
      "workloadExited",
      "vmGone",
    ];
    const at = order.map((phase) => marks.find((m) => m.phase === phase)?.at ?? NaN);
    expect(at.every(Number.isFinite), JSON.stringify(marks)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it("passes the argv as given and propagates the exit code", async () => {
    const { result, output } = await launch(
      ["sh", "-c", 'echo "it\'s $1"; exit 3', "sh", "a b"],
      "exit3",
    );
    expect(result).toEqual({ exitCode: 3, signal: null });
    // As written: \n without the tty's \r.
    expect(output()).toBe("it's a b\n");
  });

  it("kills QEMU on abort and leaves no process or folder", async () => {
    const controller = new AbortController();
    const pending = launch(["sleep", "60"], "abort", controller);
    const vmDir = path.join(stateDir, "microvm", `sbpg-mvmtest-abort-${process.pid}`);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const running = await findVmProcesses(path.join(stateDir, "microvm"));
      if (running.length > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(existsSync(vmDir)).toBe(true);
    controller.abort();
    const { result, marks } = await pending;
    expect(result.exitCode).toBeNull();
    expect(marks.some((m) => m.phase === "vmGone")).toBe(true);
    expect(await findVmProcesses(path.join(stateDir, "microvm"))).toEqual([]);
    expect(existsSync(vmDir)).toBe(false);
  });

  it("says the guest rebooted itself, from QEMU's own shutdown reason, for a run that did", async () => {
    const failure = await launch(
      ["sh", "-c", "echo going; echo b > /proc/sysrq-trigger; sleep 30"],
      "reboot",
    ).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(SandboxLaunchError);
    expect(failure).toMatchObject({
      code: "runtime:crashed",
      started: true,
      message: expect.stringMatching(
        /^the microVM stopped before the workload finished: the guest rebooted itself \(/,
      ),
    });
  });

  it("runs QEMU in the run's own cgroup, with a CPU share, pids and a memory ceiling, in the VMs' group", async () => {
    const controller = new AbortController();
    const pending = launch(["sleep", "60"], "cgroup", controller);
    const name = `sbpg-mvmtest-cgroup-${process.pid}`;
    const parent = vmsCgroupFor(stateDir);
    let pid: number | undefined;
    const deadline = Date.now() + 30_000;
    while (pid === undefined && Date.now() < deadline) {
      pid = (await findVmProcesses(path.join(stateDir, "microvm"))).find(
        (vm) => vm.name === name,
      )?.pid;
      if (pid === undefined) await new Promise((r) => setTimeout(r, 50));
    }
    expect(pid).toBeDefined();
    const cgroups = await fs.readFile(`/proc/${pid}/cgroup`, "utf8");
    const v2 = existsSync("/sys/fs/cgroup/cgroup.controllers");
    const dir = (controller: string) =>
      path.join("/sys/fs/cgroup", v2 ? "" : controller, parent, name);
    const read = (controller: string, file: string) =>
      fs.readFile(path.join(dir(controller), file), "utf8").then((t) => t.trim());
    if (v2) {
      expect(cgroups).toContain(`0::${parent}/${name}\n`);
      expect(Number(await read("cpu", "cpu.weight"))).toBeGreaterThan(0);
      expect(Number(await read("memory", "memory.max"))).toBe((128 + 256 + 256) << 20);
    } else {
      // "4:memory:/sandbox-playground/…": the controllers of each hierarchy, then the cgroup's path.
      const joined = cgroups
        .split("\n")
        .map((line) => line.split(":"))
        .filter(([, , cgroup]) => cgroup === `${parent}/${name}`)
        .flatMap(([, names]) => names.split(","));
      expect(joined).toEqual(expect.arrayContaining(["cpu", "memory", "pids"]));
      expect(Number(await read("cpu", "cpu.shares"))).toBe(limits.cpuShares);
      const group = path.join("/sys/fs/cgroup/cpu", parent);
      // The VMs' group is SCHED_IDLE against the host's processes where the kernel can do it (which
      // then shows the group's share as the least, 3); elsewhere it weighs the share it was given.
      const groupFile = (file: string) =>
        fs.readFile(path.join(group, file), "utf8").then((t) => t.trim());
      if (existsSync(path.join(group, "cpu.idle"))) expect(await groupFile("cpu.idle")).toBe("1");
      else expect(await groupFile("cpu.shares")).toBe("512");
      expect(Number(await read("memory", "memory.limit_in_bytes"))).toBe((128 + 256 + 256) << 20);
    }
    expect(Number(await read("pids", "pids.max"))).toBe(128);
    controller.abort();
    await pending;
    for (const controller of ["cpu", "memory", "pids"])
      expect(existsSync(dir(controller)), controller).toBe(false);
  });

  it("reports 127 for a program the rootfs lacks", async () => {
    const { result } = await launch(["/no/such/program"], "missing");
    expect(result).toEqual({ exitCode: 127, signal: null });
  });

  it("fails with QEMU's reason when the VM cannot start", async () => {
    const spec: LaunchSpec = {
      runId: "broken",
      resourceName: `sbpg-mvmtest-broken-${process.pid}`,
      image: {
        name: "busybox",
        rootfsPath: path.join(stateDir, "no-such-rootfs"),
        builtAt: "",
        digest: "",
      },
      command: ["true"],
      limits,
    };
    const { ctx } = recordingContext();
    await expect(driver.launch(spec, ctx)).rejects.toThrow(
      /microVM stopped before the workload finished: QEMU said/,
    );
    expect(existsSync(path.join(stateDir, "microvm", spec.resourceName))).toBe(false);
  });
});
