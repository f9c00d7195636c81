// Per-run limits through the API on real runc (and their cgroups on gVisor and containerd): a lowered limit applies to that run only, one above the host's launches nothing.
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cgroupParentFor } from "../instance/cgroup-parents";
import { runToEnd, startTestHost, waitForEnd, type TestHost } from "../testing/test-host";

const mib = 1024 * 1024;
let host: TestHost;

beforeAll(async () => {
  host = await startTestHost({
    SBPG_MEMORY_LIMIT_BYTES: String(128 * mib),
    SBPG_PIDS_LIMIT: "32",
    SBPG_OUTPUT_LIMIT_BYTES: String(64 * 1024),
  });
});
afterAll(async () => host?.close());

/** Resolves once the run's workload runs: its cgroup then holds the limits the runtime set. */
async function waitUntilRunning(runId: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const { json } = await host.request("GET", `/api/runs/${runId}`);
    if (json.state === "running") return;
    if (["exited", "failed", "stopped"].includes(json.state)) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`run ${runId} never ran`);
}

async function readCgroup(runId: string, controller: string, file: string): Promise<string> {
  const dir = path.join("/sys/fs/cgroup", controller, cgroupParentFor(host.stateDir));
  return (await readFile(path.join(dir, `sbpg-${runId}`, file), "utf8")).trim();
}

async function sandboxCgroups(): Promise<string[]> {
  const children = await readdir(
    path.join("/sys/fs/cgroup/memory", cgroupParentFor(host.stateDir)),
  ).catch(() => []);
  return children.filter((c) => c.startsWith("sbpg-") && !/^sbpg-(probe|pool-)/.test(c));
}

// 96 MiB of buffer fits the host's 128 MiB, not a run's 64 MiB.
const allocate96MiB = [
  "sh",
  "-c",
  "dd if=/dev/zero of=/dev/null bs=96M count=1 2>/dev/null; echo dd-exit=$?",
];

describe("per-run limits on runc", () => {
  // gVisor's Sentry and gofer share the sandbox's cgroup: its pids cap leaves them 128 more.
  it.each([
    ["runc", 12],
    ["gvisor", 12 + 128],
    ["containerd-runc", 12],
  ])("sets the run's own memory and pids limits on its %s cgroup", async (runtime, pidsMax) => {
    const created = await host.request("POST", "/api/runs", {
      runtime,
      command: ["sleep", "3"],
      limits: { memoryBytes: 64 * mib, pids: 12 },
    });
    expect(created.status).toBe(201);
    const id: string = created.json.id;
    await waitUntilRunning(id);
    expect(await readCgroup(id, "memory", "memory.limit_in_bytes")).toBe(String(64 * mib));
    expect(await readCgroup(id, "pids", "pids.max")).toBe(String(pidsMax));
    const run = await waitForEnd(host, id);
    expect(run).toMatchObject({
      state: "exited",
      exitCode: 0,
      limits: { memoryBytes: 64 * mib, pids: 12, outputBytes: 64 * 1024 },
    });
  });

  it("stops at a lowered memory limit what the host's limit lets through", async () => {
    const roomy = await runToEnd(host, { runtime: "runc", command: allocate96MiB });
    expect(roomy.logs).toMatch(/^dd-exit=0$/m);

    const tight = await runToEnd(host, {
      runtime: "runc",
      command: allocate96MiB,
      limits: { memoryBytes: 64 * mib },
    });
    const ddExit = /^dd-exit=(\d+)$/m.exec(tight.logs)?.[1];
    if (ddExit === undefined) expect(tight.run.exitCode).not.toBe(0);
    else expect(ddExit).not.toBe("0");
  });

  it("stops at a lowered pids limit the forks the host's limit lets through", async () => {
    // 20 background sleeps fit the host's 32 pids, not a run's 10.
    const fork20 = {
      runtime: "runc",
      command: [
        "sh",
        "-c",
        "i=0; while [ $i -lt 20 ]; do sleep 5 & i=$((i+1)); done; echo procs=$(ls /proc | grep -c '^[0-9]')",
      ],
      timeoutMs: 20_000,
    };
    const roomy = await runToEnd(host, fork20);
    expect(Number(/^procs=(\d+)$/m.exec(roomy.logs)?.[1])).toBeGreaterThanOrEqual(21);

    const tight = await runToEnd(host, { ...fork20, limits: { pids: 10 } });
    const procs = /^procs=(\d+)$/m.exec(tight.logs)?.[1];
    if (procs === undefined) expect(tight.logs).toMatch(/can't fork/);
    else expect(Number(procs)).toBeLessThanOrEqual(10);
  });

  it("cuts the output at a lowered output limit", async () => {
    const { run } = await runToEnd(host, {
      runtime: "runc",
      command: ["yes"],
      limits: { outputBytes: 2048 },
    });
    expect(run).toMatchObject({ state: "failed", error: { code: "limit:output" } });
  });

  it.each([
    [{ memoryBytes: 256 * mib }, "limits.memoryBytes: at most 128 MiB on this host"],
    [{ pids: 33 }, "limits.pids: at most 32 on this host"],
    [{ outputBytes: 128 * 1024 }, "limits.outputBytes: at most 64 KiB on this host"],
  ])("refuses %o above the host's bound with 400, launching nothing", async (limits, message) => {
    const before = host.server.engine.listRuns().length;
    const reply = await host.request("POST", "/api/runs", {
      runtime: "runc",
      command: ["echo", "never"],
      limits,
    });
    expect(reply.status).toBe(400);
    expect(reply.json.error.code).toBe("bad_request:limits");
    expect(reply.json.error.message).toContain(message);
    expect(host.server.engine.listRuns().length).toBe(before);
    expect(await sandboxCgroups()).toEqual([]);
  });

  it.each([
    [{ memoryBytes: mib }, "limits.memoryBytes: at least 64 MiB"],
    [{ pids: 1 }, "limits.pids: at least 8"],
    [{ swapBytes: 0 }, "limits"],
  ])("refuses %o below the minimum or unknown with 400", async (limits, message) => {
    const reply = await host.request("POST", "/api/runs", { runtime: "runc", limits });
    expect(reply.status).toBe(400);
    expect(reply.json.error).toMatchObject({ code: "bad_request:run" });
    expect(reply.json.error.message).toContain(message);
  });
});

// The microVM's guest memory is the run's memory limit (at least 128 MiB): MemTotal inside follows it.
describe("per-run memory on the microVM", () => {
  let vmHost: TestHost;
  beforeAll(async () => {
    vmHost = await startTestHost({
      SBPG_MEMORY_LIMIT_BYTES: String(256 * mib),
      SBPG_MICROVM_POOL_SIZE: "0",
    });
  });
  afterAll(async () => vmHost?.close());

  it("boots the guest with the run's memory, not the host's", async () => {
    const { json } = await vmHost.request("GET", "/api/runtimes");
    const microvm = json.runtimes.find((r: { id: string }) => r.id === "microvm");
    expect(microvm?.available, microvm?.reason).toBe(true);
    const memTotalKiB = async (limits?: { memoryBytes: number }) => {
      const { run, logs } = await runToEnd(vmHost, {
        runtime: "microvm",
        command: ["sh", "-c", "grep MemTotal /proc/meminfo"],
        timeoutMs: 60_000,
        ...(limits ? { limits } : {}),
      });
      expect(run.state).toBe("exited");
      return Number(/MemTotal:\s+(\d+) kB/.exec(logs)?.[1]);
    };
    const hostDefault = await memTotalKiB();
    const lowered = await memTotalKiB({ memoryBytes: 160 * mib });
    expect(lowered).toBeLessThanOrEqual(160 * 1024);
    expect(hostDefault).toBeGreaterThan(200 * 1024);
    expect(hostDefault).toBeLessThanOrEqual(256 * 1024);
  }, 150_000);
});
