// The playground's own containerd, for real: image import, runc v2 shim launches, abort, cleanup, shutdown.
import { testSandboxLimits } from "../../testing/sandbox-limits";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LaunchContext, LaunchSpec } from "../../engine/driver";
import { ImageStore } from "../../images/image-store";
import { createLogger } from "../../log/logger";
import { removeCgroups } from "../cgroups";
import { runCommand } from "../process-exit";
import { ContainerdDaemon, defaultNamespace, shimsOf } from "./containerd-daemon";
import { ContainerdImageImporter } from "./containerd-images";
import { ContainerdRuncDriver } from "./containerd-runc";
import { createKataDrivers } from "./kata";

const images = new ImageStore(path.resolve(".cache"));
const limits = testSandboxLimits();

interface Collected {
  ctx: LaunchContext;
  controller: AbortController;
  output: () => string;
  marks: Map<string, number>;
  states: string[];
}

function collect(): Collected {
  const controller = new AbortController();
  const chunks: Buffer[] = [];
  const marks = new Map<string, number>();
  const states: string[] = [];
  return {
    controller,
    marks,
    states,
    output: () => Buffer.concat(chunks).toString("utf8"),
    ctx: {
      signal: controller.signal,
      mark: (phase, at) => void (marks.has(phase) || marks.set(phase, at ?? Date.now())),
      enter: (state) => void states.push(state),
      output: (bytes) => void chunks.push(bytes),
      console: (bytes) => void chunks.push(bytes),
      log: createLogger("silent"),
    },
  };
}

describe("containerd drivers", () => {
  let stateDir: string;
  let daemon: ContainerdDaemon;
  let driver: ContainerdRuncDriver;
  let launchSpec: (name: string, command: string[]) => Promise<LaunchSpec>;

  beforeAll(async () => {
    stateDir = await mkdtemp("/run/sbpg-ctd-");
    daemon = new ContainerdDaemon({
      containerdBinary: "containerd",
      ctrBinary: "ctr",
      stateDir,
      address: null,
      namespace: defaultNamespace,
      logLevel: "info",
    });
    const importer = new ContainerdImageImporter(daemon);
    const cgroupParent = `/sandbox-playground/${path.basename(stateDir)}`;
    driver = new ContainerdRuncDriver({
      daemon,
      images: importer,
      cgroupParent,
      probeImage: () => images.resolve("busybox"),
    });
    launchSpec = async (name, command) => ({
      runId: name,
      resourceName: `sbpg-${name}-${process.pid}`,
      image: (await images.resolve("busybox"))!,
      command,
      limits,
    });
  });

  afterAll(async () => {
    await daemon?.close();
    await removeCgroups("/sandbox-playground", path.basename(stateDir));
    await rm(stateDir, { recursive: true, force: true });
  });

  it("starts its own containerd lazily, imports the image and reports available", async () => {
    expect(await daemon.hasState()).toBe(false);
    const availability = await driver.probe();
    expect(availability).toMatchObject({ available: true, reason: null });
    expect(availability.details.containerd).toContain("the playground's own");
    expect(availability.details.image).toMatch(
      /^localhost\/sandbox-playground\/busybox:latest@sha256:/,
    );
    expect(availability.details.eventStream).toBe("live");
    const config = await readFile(daemon.paths.configFile, "utf8");
    expect(config).toContain(`root = "${stateDir}/containerd/root"`);
    const listed = await daemon.ctr(["images", "ls", "--quiet"]);
    expect(listed.stdout.trim()).toBe("localhost/sandbox-playground/busybox:latest");
  });

  it("runs echo through containerd and the runc v2 shim, with containerd's own timings", async () => {
    const run = collect();
    const started = performance.now();
    const result = await driver.launch(await launchSpec("echo", ["echo", "hi"]), run.ctx);
    const elapsedMs = performance.now() - started;
    expect(result).toEqual({ exitCode: 0, signal: null });
    expect(run.output()).toBe("hi\n");
    expect(run.states).toEqual(["booting", "running"]);
    for (const phase of [
      "imageReady",
      "snapshotMounted",
      "started",
      "containerCreated",
      "taskCreated",
      "taskStarted",
      "taskExited",
      "exited",
    ]) {
      expect(run.marks.has(phase), phase).toBe(true);
    }
    const at = (phase: string) => run.marks.get(phase)!;
    // Event times are nanosecond RFC 3339 stamps turned into float milliseconds: allow for the rounding.
    const inOrder = (a: string, b: string) =>
      expect(at(a), `${a} <= ${b}`).toBeLessThanOrEqual(at(b) + 0.1);
    inOrder("containerCreated", "taskCreated");
    inOrder("taskCreated", "taskStarted");
    inOrder("taskStarted", "taskExited");
    expect(elapsedMs).toBeLessThan(3_000);
  });

  it("returns the workload's exit code and its stderr", async () => {
    const run = collect();
    const result = await driver.launch(
      await launchSpec("exit3", ["sh", "-c", "echo out; echo err >&2; exit 3"]),
      run.ctx,
    );
    expect(result.exitCode).toBe(3);
    expect(run.output()).toContain("out\n");
    expect(run.output()).toContain("err\n");
  });

  it("applies the hardened spec: no network, read-only root, no capabilities, user namespace", async () => {
    const run = collect();
    const script = [
      "ls /sys/class/net | tr '\\n' ' '; echo",
      "touch /x 2>/dev/null && echo writable || echo read-only",
      "grep CapEff /proc/self/status",
      "cat /proc/self/uid_map",
    ].join("; ");
    const result = await driver.launch(await launchSpec("harden", ["sh", "-c", script]), run.ctx);
    expect(result.exitCode).toBe(0);
    const [net, root, caps, uidMap] = run.output().trim().split("\n");
    expect(net.trim()).toBe("lo");
    expect(root).toBe("read-only");
    expect(caps).toMatch(/CapEff:\s+0000000000000000/);
    expect(uidMap.trim().split(/\s+/)).toEqual(["0", "100000", "65536"]);
  });

  it("fails with a message when the command does not exist", async () => {
    const run = collect();
    await expect(
      driver.launch(await launchSpec("nocmd", ["/no/such/program"]), run.ctx),
    ).rejects.toThrow(/could not start the sandbox/);
  });

  it("stops a running sandbox on abort and cleans everything up", async () => {
    const run = collect();
    const launched = driver.launch(
      await launchSpec("abort", ["sh", "-c", "echo up; sleep 30"]),
      run.ctx,
    );
    const deadline = Date.now() + 5_000;
    while (!run.output().includes("up") && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    const abortedAt = performance.now();
    run.controller.abort("stopped");
    const result = await launched;
    expect(performance.now() - abortedAt).toBeLessThan(2_000);
    expect(result.exitCode).toBe(137);
  });

  it("leaves no container, task, snapshot, mount or bundle behind", async () => {
    const containers = await daemon.ctr(["containers", "ls", "--quiet"]);
    const tasks = await daemon.ctr(["tasks", "ls", "--quiet"]);
    const snapshots = await daemon.ctr(["snapshots", "ls"]);
    expect(containers.stdout.trim()).toBe("");
    expect(tasks.stdout.trim()).toBe("");
    expect(snapshots.stdout).not.toContain("sbpg-");
    const mounts = await readFile("/proc/self/mountinfo", "utf8");
    expect(mounts).not.toContain(daemon.paths.bundles);
    expect(await driver.reap()).toEqual([]);
  });

  it("reaps what a crashed server left: a running container and a mounted snapshot", async () => {
    const spec = await launchSpec("crash", ["sleep", "30"]);
    const run = collect();
    // Simulates a crash: the launch never gets to clean up because its ctr is killed from outside.
    const launched = driver.launch(spec, run.ctx);
    const deadline = Date.now() + 5_000;
    while (!run.marks.has("taskStarted") && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    const fresh = new ContainerdRuncDriver({
      daemon,
      images: new ContainerdImageImporter(daemon),
      cgroupParent: `/sandbox-playground/${path.basename(stateDir)}`,
      probeImage: async () => null,
    });
    const reaped = await fresh.reap();
    expect(reaped).toContain(`containerd-runc container ${spec.resourceName}`);
    expect((await launched).exitCode).toBe(137);
    expect((await daemon.ctr(["containers", "ls", "--quiet"])).stdout.trim()).toBe("");
  });

  it("leaves another playground's sandbox alone when both use one host containerd", async () => {
    // A second state folder whose server is pointed at the first one's daemon as at a host's (SBPG_CONTAINERD_ADDRESS).
    const otherStateDir = await mkdtemp("/run/sbpg-b-ctd-");
    const other = new ContainerdDaemon({
      containerdBinary: "containerd",
      ctrBinary: "ctr",
      stateDir: otherStateDir,
      address: daemon.address,
      namespace: defaultNamespace,
      logLevel: "info",
    });
    try {
      const spec = await launchSpec("shared", ["sh", "-c", "echo up; sleep 30"]);
      const run = collect();
      const launched = driver.launch(spec, run.ctx);
      const deadline = Date.now() + 5_000;
      while (!run.marks.has("taskStarted") && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 10));
      const otherDriver = new ContainerdRuncDriver({
        daemon: other,
        images: new ContainerdImageImporter(other),
        cgroupParent: `/sandbox-playground/${path.basename(otherStateDir)}`,
        probeImage: async () => null,
      });
      expect(await otherDriver.reap()).toEqual([]);
      const tasks = await daemon.ctr(["tasks", "ls"]);
      expect(tasks.stdout).toMatch(new RegExp(`${spec.resourceName}\\s+\\d+\\s+RUNNING`));
      run.controller.abort("stopped");
      expect((await launched).exitCode).toBe(137);
    } finally {
      await other.close();
      await rm(otherStateDir, { recursive: true, force: true });
    }
  });

  it("reports every Kata variant unavailable here, naming what is missing", async () => {
    const drivers = createKataDrivers({
      daemon,
      images: new ContainerdImageImporter(daemon),
      cgroupParent: "/sandbox-playground/unit",
    });
    expect(drivers.map((d) => d.id)).toEqual([
      "kata",
      "kata-qemu",
      "kata-qemu-runtime-rs",
      "kata-clh",
      "kata-clh-runtime-rs",
      "kata-fc",
      "kata-rs",
    ]);
    for (const kata of drivers) {
      const availability = await kata.probe();
      expect(availability.available, kata.id).toBe(false);
      expect(availability.reason, kata.id).toMatch(/containerd-shim-kata-[a-z-]*v2/);
      expect(availability.install, kata.id).toMatch(/Kata Containers/);
    }
  });

  it("stops its containerd and every shim on close; a restarted server adopts a leftover daemon", async () => {
    const pid = Number((await readFile(daemon.paths.pidFile, "utf8")).trim());
    // A second server on the same state folder (the first one crashed): it reuses the running daemon.
    const restarted = new ContainerdDaemon({
      containerdBinary: "containerd",
      ctrBinary: "ctr",
      stateDir,
      address: null,
      namespace: defaultNamespace,
      logLevel: "info",
    });
    expect((await restarted.ensure()).mode).toBe("adopted");
    await restarted.close();
    await daemon.close();
    const alive = await runCommand("kill", ["-0", String(pid)]);
    expect(alive.code).not.toBe(0);
    expect(await shimsOf(daemon.address)).toEqual([]);
    await expect(daemon.ensure()).rejects.toThrow(/stopped/);
  });
});
