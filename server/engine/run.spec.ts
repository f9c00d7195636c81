import { performance } from "node:perf_hooks";
import { describe, expect, it } from "vitest";
import { Run } from "./run";

const limits = {
  timeoutMs: 1000,
  memoryBytes: 1 << 26,
  pids: 32,
  cpuShares: 512,
  outputBytes: 64,
  tmpfsBytes: 1 << 20,
};
const newRun = () =>
  new Run({
    id: "r1",
    runtime: "runc",
    image: "busybox",
    command: ["true"],
    limits,
    clientId: "c",
    backlogChars: 64,
    requestedAt: performance.now(),
  });

describe("Run", () => {
  it("walks the state machine and timestamps every state, monotonically", () => {
    const run = newRun();
    for (const state of ["preparing", "booting", "running", "exited"] as const)
      run.transition(state);
    const { timings, state } = run.snapshot();
    expect(state).toBe("exited");
    const order = (
      ["requested", "queued", "preparing", "booting", "running", "exited"] as const
    ).map((p) => timings[p]);
    expect(order.every((t) => typeof t === "number")).toBe(true);
    expect([...order].sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(order);
  });

  it("keeps a phase's first mark, unless another machine's clock dates it earlier than it was seen", async () => {
    const run = newRun();
    await new Promise((resolve) => setTimeout(resolve, 20));
    run.mark("podScheduled");
    run.mark("containerStarted");
    const seen = run.snapshot().timings;
    const requestedAtEpoch = Date.now() - seen.podScheduled! - 5;
    run.mark("podScheduled", requestedAtEpoch + 3, "default-scheduler eventTime");
    run.mark("podScheduled", requestedAtEpoch + 1, "default-scheduler eventTime");
    run.mark("containerStarted");
    const { timings, clocks } = run.snapshot();
    expect(timings.podScheduled).toBeLessThan(seen.podScheduled!);
    expect(timings.containerStarted).toBe(seen.containerStarted);
    // The first stamp stays: one clock's moments are not mixed.
    expect(clocks).toEqual({ podScheduled: "default-scheduler eventTime" });
    run.mark("requested", Date.now() - 1000, "elsewhere");
    expect(run.snapshot().timings.requested).toBe(0);
  });

  it("refuses illegal transitions and leaves the state as it was", () => {
    const run = newRun();
    expect(() => run.transition("running")).toThrow(/illegal transition queued -> running/);
    run.finish("stopped", {});
    expect(() => run.transition("preparing")).toThrow();
    expect(run.state).toBe("stopped");
  });

  it("keeps the first time a phase was reached", () => {
    const run = newRun();
    run.mark("firstOutput");
    const first = run.snapshot().timings.firstOutput;
    run.mark("firstOutput");
    expect(run.snapshot().timings.firstOutput).toBe(first);
  });

  it("emits output with offsets and reports the output limit", () => {
    const run = newRun();
    const seen: Array<{ offset: number; data: string }> = [];
    run.on("output", (c) => seen.push(c));
    expect(run.write(Buffer.from("a".repeat(40))).limitReached).toBe(false);
    expect(run.write(Buffer.from("b".repeat(40))).limitReached).toBe(true);
    expect(seen[1]?.offset).toBe(40);
    expect(run.snapshot().outputTruncated).toBe(true);
  });

  it("aborts once, with the first reason", () => {
    const run = newRun();
    run.abort("timeout");
    run.abort("stopped");
    expect(run.endReason).toBe("timeout");
  });

  it("walks through booting when a driver reports running straight from preparing", () => {
    const run = newRun();
    run.transition("preparing");
    run.driverEntered("running");
    expect(run.state).toBe("running");
    expect(run.snapshot().timings.booting).toBeTypeOf("number");
  });

  it("takes workload output as the workload running, and stops it at the output limit", () => {
    const run = newRun();
    run.transition("preparing");
    run.workloadOutput(Buffer.from("hi"));
    expect(run.state).toBe("running");
    run.workloadOutput(Buffer.from("x".repeat(100)));
    expect(run.endReason).toBe("output-limit");
  });

  it("settles by its exit code, noting a SIGKILL", () => {
    const run = newRun();
    run.transition("preparing");
    const text: string[] = [];
    run.on("output", (c) => text.push(c.data));
    expect(run.settle({ exitCode: 137 })).toBeNull();
    expect(run.snapshot()).toMatchObject({ state: "exited", exitCode: 137 });
    expect(text.join("")).toContain("killed by SIGKILL");
  });

  it("settles a stopped run for its reason even when the driver threw while it was torn down", () => {
    const run = newRun();
    run.transition("preparing");
    run.abort("timeout");
    const error = new Error("runc: container not found");
    expect(run.settle({ error })).toEqual({ logError: error });
    expect(run.snapshot()).toMatchObject({
      state: "failed",
      error: { code: "limit:timeout" },
    });
  });

  it("settles a launch that threw as failed, hiding a host bug's message from the visitor", () => {
    const run = newRun();
    run.transition("preparing");
    run.settle({ error: new Error("ENOENT /run/secret/path") });
    expect(run.snapshot().error).toEqual({
      code: "runtime:launch",
      message: "The sandbox failed to start on the host; the host log has details.",
    });
  });

  it("settles once: a second outcome changes nothing", () => {
    const run = newRun();
    run.transition("preparing");
    run.settle({ exitCode: 0 });
    expect(run.settle({ error: new Error("late") })).toBeNull();
    expect(run.snapshot()).toMatchObject({ state: "exited", exitCode: 0, error: null });
  });
});
