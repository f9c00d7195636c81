// The engine against a scripted driver: queueing, quotas, timeouts, stops and errors, without real sandboxes.
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { pino } from "pino";
import { SandboxEngine } from "./engine";
import {
  SandboxLaunchError,
  type LaunchContext,
  type LaunchSpec,
  type SandboxDriver,
} from "./driver";
import { ImageStore } from "../images/image-store";
import { buildImage } from "../images/image-builder";
import { PlaygroundError } from "../errors/playground-error";

/** Behaves like a runtime: writes the command's first word, then exits after `ms` unless aborted. */
class ScriptedDriver implements SandboxDriver {
  readonly id = "runc" as const;
  readonly name = "scripted";
  readonly kind = "container" as const;
  launched: string[] = [];
  available = true;
  /** What the engine said of the runs queued for a sandbox booted ahead, in order. */
  waitingForPool: number[] = [];

  queueChanged(count: number) {
    this.waitingForPool.push(count);
  }

  async probe() {
    return {
      available: this.available,
      version: "1",
      reason: this.available ? null : "not installed",
      install: null,
      details: {},
    };
  }

  async launch(spec: LaunchSpec, ctx: LaunchContext) {
    this.launched.push(spec.runId);
    ctx.enter("booting");
    ctx.mark("started");
    const [word = "", ms = "0"] = spec.command;
    if (word === "explode") throw new Error("boom");
    if (word === "refuse")
      throw new SandboxLaunchError("scripted could not start the sandbox: no such image", {
        started: false,
      });
    ctx.output(Buffer.from(word));
    if (word === "vanish")
      throw new SandboxLaunchError("the guest rebooted itself", { started: true });
    const exited = await new Promise<boolean>((resolve) => {
      if (ctx.signal.aborted) return resolve(false);
      const timer = setTimeout(() => resolve(true), Number(ms));
      ctx.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    return { exitCode: exited ? 0 : null, signal: exited ? null : "SIGKILL" };
  }

  async reap() {
    return [];
  }
}

async function setup(
  overrides: Partial<ConstructorParameters<typeof SandboxEngine>[0]["limits"]> = {},
) {
  const cache = await mkdtemp(path.join(os.tmpdir(), "sbpg-engine-"));
  const images = new ImageStore(cache);
  await buildImage(
    {
      name: "busybox",
      source: "test",
      files: [],
      symlinks: [],
      directories: ["bin"],
      generated: [],
    },
    images.dir("busybox"),
  );
  const driver = new ScriptedDriver();
  const engine = new SandboxEngine({
    drivers: [driver],
    images,
    limits: {
      maxConcurrentRuns: 1,
      maxQueuedRuns: 2,
      maxActiveRunsPerClient: 3,
      defaultTimeoutMs: 2000,
      maxTimeoutMs: 5000,
      memoryBytes: 1 << 26,
      pids: 32,
      cpuShares: 512,
      outputBytes: 1024,
      tmpfsBytes: 1 << 20,
      logBacklogBytes: 1024,
      ...overrides,
    },
    retention: { ms: 60_000, maxRuns: 100 },
    log: pino({ level: "silent" }),
  });
  return { engine, driver };
}

const launch = (
  engine: SandboxEngine,
  command: string[],
  extra: Partial<Parameters<SandboxEngine["launchRun"]>[0]> = {},
) =>
  engine.launchRun({
    runtime: "runc",
    image: "busybox",
    command,
    timeoutMs: undefined,
    clientId: "a",
    ...extra,
  });

describe("SandboxEngine", () => {
  it("runs a sandbox to exit with its output and timings", async () => {
    const { engine } = await setup();
    const run = await launch(engine, ["hello", "5"]);
    await engine.whenSettled(run.id);
    const snap = run.snapshot();
    expect(snap.state).toBe("exited");
    expect(snap.exitCode).toBe(0);
    expect(run.output.text()).toBe("hello");
    for (const phase of [
      "requested",
      "queued",
      "preparing",
      "booting",
      "started",
      "running",
      "firstOutput",
      "exited",
      "cleanedUp",
    ]) {
      expect(snap.timings).toHaveProperty(phase);
    }
  });

  it("queues runs when the host is full and shows their place", async () => {
    const { engine } = await setup();
    const first = await launch(engine, ["one", "50"]);
    const second = await launch(engine, ["two", "5"], { clientId: "b" });
    expect(second.snapshot()).toMatchObject({ state: "queued", queuePosition: 1 });
    await engine.whenSettled(second.id);
    expect(first.state).toBe("exited");
    expect(second.state).toBe("exited");
    expect(second.snapshot().queuePosition).toBeNull();
  });

  it("tells the driver how many queued runs want a sandbox booted ahead, as the number changes", async () => {
    const { engine, driver } = await setup({ maxQueuedRuns: 3 });
    const first = await launch(engine, ["one", "50"], { pool: true });
    expect(driver.waitingForPool).toEqual([]);
    const second = await launch(engine, ["two", "5"], { pool: true, clientId: "b" });
    const third = await launch(engine, ["three", "5"], { clientId: "c" });
    const fourth = await launch(engine, ["four", "5"], { pool: true, clientId: "d" });
    expect(driver.waitingForPool).toEqual([1, 2]);
    await Promise.all([first, second, third, fourth].map((r) => engine.whenSettled(r.id)));
    expect(driver.waitingForPool).toEqual([1, 2, 1, 0]);
  });

  it("refuses with quota errors past the queue and the per-client cap, changing nothing", async () => {
    const { engine } = await setup({ maxQueuedRuns: 1, maxActiveRunsPerClient: 2 });
    await launch(engine, ["one", "100"]);
    await launch(engine, ["two", "1"]);
    await expect(launch(engine, ["three", "1"])).rejects.toMatchObject({
      code: "quota:runs_per_client",
      status: 429,
    });
    await expect(launch(engine, ["four", "1"], { clientId: "other" })).rejects.toMatchObject({
      code: "quota:host_full",
    });
    expect(engine.listRuns()).toHaveLength(2);
  });

  it("names unknown runtimes, images and unavailable runtimes with their own codes", async () => {
    const { engine, driver } = await setup();
    await expect(
      engine.launchRun({
        runtime: "nope",
        image: "busybox",
        command: undefined,
        timeoutMs: undefined,
        clientId: "a",
      }),
    ).rejects.toMatchObject({ code: "not_found:runtime", status: 404 });
    await expect(launch(engine, ["x"], { image: "ubuntu" })).rejects.toMatchObject({
      code: "not_found:image",
    });
    await expect(launch(engine, ["x"], { timeoutMs: 999_999 })).rejects.toMatchObject({
      code: "bad_request:timeout",
      status: 400,
    });
    driver.available = false;
    await expect(launch(engine, ["x"])).rejects.toThrow(
      /not available on this host: not installed/,
    );
    expect(engine.listRuns()).toHaveLength(0);
  });

  it("stops a run on timeout with a clear error", async () => {
    const { engine } = await setup();
    const run = await launch(engine, ["slow", "10000"], { timeoutMs: 100 });
    await engine.whenSettled(run.id);
    expect(run.snapshot()).toMatchObject({ state: "failed", error: { code: "limit:timeout" } });
    expect(run.output.text()).toMatch(/time limit of 100 ms/);
  });

  it("stops a running run and a queued one on request", async () => {
    const { engine, driver } = await setup();
    const running = await launch(engine, ["slow", "10000"]);
    const queued = await launch(engine, ["later", "1"]);
    await engine.stopRun(queued.id);
    expect(queued.state).toBe("stopped");
    expect(driver.launched).not.toContain(queued.id);
    await engine.stopRun(running.id);
    expect(running.snapshot()).toMatchObject({ state: "stopped", error: { code: "stopped" } });
    await expect(engine.stopRun("missing")).rejects.toBeInstanceOf(PlaygroundError);
  });

  it("stops a sandbox that writes past its output limit", async () => {
    const { engine } = await setup({ outputBytes: 4 });
    const run = await launch(engine, ["chatterbox", "10000"]);
    await engine.whenSettled(run.id);
    expect(run.snapshot()).toMatchObject({
      state: "failed",
      outputTruncated: true,
      error: { code: "limit:output" },
    });
  });

  it("marks a run failed when the driver throws, without leaking the stack", async () => {
    const { engine } = await setup();
    const run = await launch(engine, ["explode"]);
    await engine.whenSettled(run.id);
    expect(run.snapshot()).toMatchObject({ state: "failed", error: { code: "runtime:launch" } });
    expect(run.output.text()).not.toMatch(/boom/);
  });

  it("tells the visitor the driver's own reason for a sandbox that failed to start", async () => {
    const { engine } = await setup();
    const run = await launch(engine, ["refuse"]);
    await engine.whenSettled(run.id);
    const message = "scripted could not start the sandbox: no such image";
    expect(run.snapshot()).toMatchObject({
      state: "failed",
      error: { code: "runtime:launch", message },
    });
    expect(run.output.text()).toContain(`[${message}]`);
  });

  it("says a sandbox that started and then went away crashed, with the driver's reason", async () => {
    const { engine } = await setup();
    const run = await launch(engine, ["vanish"]);
    await engine.whenSettled(run.id);
    expect(run.snapshot()).toMatchObject({
      state: "failed",
      error: { code: "runtime:crashed", message: "the guest rebooted itself" },
    });
    expect(run.output.text()).toBe("vanish\n[the guest rebooted itself]\n");
  });

  it("shutdown stops everything", async () => {
    const { engine } = await setup();
    const a = await launch(engine, ["slow", "10000"]);
    const b = await launch(engine, ["slow", "10000"]);
    await engine.shutdown();
    expect([a.state, b.state]).toEqual(["stopped", "stopped"]);
    await expect(launch(engine, ["x"])).rejects.toMatchObject({ code: "unavailable:host" });
  });
});
