// The HTTP API and socket.io against real runc and runsc: what a script, a clicker or the page sees.
import { readdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LogChunkSchema, StateEventSchema, SubscribeAckSchema } from "../../lib/api/schemas";
import { runCommand } from "../runtimes/process-exit";
import { cgroupParentFor } from "../instance/cgroup-parents";
import { containerdPaths } from "../runtimes/containerd/containerd-config";
import { runToEnd, startTestHost, waitForEnd, type TestHost } from "../testing/test-host";

let host: TestHost;

beforeAll(async () => {
  host = await startTestHost({
    SBPG_MAX_ACTIVE_RUNS_PER_CLIENT: "8",
    SBPG_MEMORY_LIMIT_BYTES: String(64 * 1024 * 1024),
    SBPG_PIDS_LIMIT: "32",
    SBPG_OUTPUT_LIMIT_BYTES: String(64 * 1024),
  });
});
afterAll(async () => host?.close());

type TestedRuntime = "runc" | "gvisor" | "containerd-runc";

/** Nothing of a finished run may remain: no container in the runtime's state, no bundle, no cgroup. */
async function expectNothingLeft(runtime: TestedRuntime) {
  if (runtime === "containerd-runc") {
    const ctr = [
      "--address",
      containerdPaths(host.stateDir).address,
      "--namespace",
      "sandbox-playground",
    ];
    expect((await runCommand("ctr", [...ctr, "containers", "list", "--quiet"])).stdout.trim()).toBe(
      "",
    );
    expect((await runCommand("ctr", [...ctr, "tasks", "list", "--quiet"])).stdout.trim()).toBe("");
  } else {
    const binary = runtime === "runc" ? "runc" : "runsc";
    const root = path.join(host.stateDir, runtime, "root");
    const listed = await runCommand(binary, ["--root", root, "list", "--format", "json"]);
    expect(JSON.parse(listed.stdout || "null") ?? []).toEqual([]);
    expect(await readdir(path.join(host.stateDir, runtime, "bundles")).catch(() => [])).toEqual([]);
  }
  for (const controller of ["memory", "pids", "cpu"]) {
    const children = await readdir(
      `/sys/fs/cgroup/${controller}${cgroupParentFor(host.stateDir)}`,
    ).catch(() => []);
    // The warm pool's VM lives on between runs, in a cgroup of its own; probes come and go on their own.
    expect(children.filter((c) => c.startsWith("sbpg-") && !/^sbpg-(probe|pool-)/.test(c))).toEqual(
      [],
    );
  }
}

describe("health and runtimes", () => {
  it("answers health", async () => {
    expect(await host.request("GET", "/api/health")).toMatchObject({
      status: 200,
      json: { ok: true },
    });
  });

  it("lists runc and gVisor as available, with versions", async () => {
    const { status, json } = await host.request("GET", "/api/runtimes");
    expect(status).toBe(200);
    const byId = Object.fromEntries(json.runtimes.map((r: any) => [r.id, r]));
    expect(byId.runc).toMatchObject({ kind: "container", available: true, reason: null });
    expect(byId.runc.version).toMatch(/\d+\.\d+/);
    expect(byId.gvisor).toMatchObject({ kind: "user-space-kernel", available: true, reason: null });
    expect(byId.gvisor.details.platform).toMatch(/systrap|kvm|ptrace/);
    expect(byId["containerd-runc"]).toMatchObject({ kind: "container", available: true });
    for (const kata of ["kata", "kata-qemu", "kata-clh", "kata-fc", "kata-rs"]) {
      expect(byId[kata]).toMatchObject({
        kind: "vm",
        available: false,
        reason: expect.any(String),
      });
      expect(byId[kata].install).toEqual(expect.any(String));
    }
  });
});

describe.each(["runc", "gvisor", "containerd-runc"] as const)("a run on %s", (runtime) => {
  it("prints its output, exits 0 and times every phase", async () => {
    const { run, logs } = await runToEnd(host, {
      runtime,
      command: ["sh", "-c", "echo hello from $(hostname)"],
    });
    expect(run).toMatchObject({
      runtime,
      image: "busybox",
      state: "exited",
      exitCode: 0,
      error: null,
    });
    expect(logs).toBe("hello from sandbox\n");
    const t = run.timings;
    for (const phase of [
      "requested",
      "queued",
      "preparing",
      "booting",
      "started",
      "firstOutput",
      "exited",
      "cleanedUp",
    ]) {
      expect(t, phase).toHaveProperty(phase);
    }
    expect(t.requested).toBeLessThanOrEqual(t.started);
    expect(t.started).toBeLessThanOrEqual(t.firstOutput);
    expect(t.firstOutput).toBeLessThanOrEqual(t.exited);
    await expectNothingLeft(runtime);
  });

  it("measures the sandbox's memory footprint on the host while it runs", async () => {
    const { run } = await runToEnd(host, { runtime, command: ["sleep", "0.6"] });
    expect(run.memory).toMatchObject({ processes: expect.any(Number) });
    expect(run.memory.rssBytes).toBeGreaterThan(100 * 1024);
    expect(run.memory.pssBytes).toBeLessThanOrEqual(run.memory.rssBytes);
    // gVisor's Sentry and gofer live in the sandbox's cgroup: far more than runc's single process.
    if (runtime === "gvisor") expect(run.memory.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
  });

  it("reports the workload's exit code", async () => {
    const { run } = await runToEnd(host, { runtime, command: ["sh", "-c", "exit 7"] });
    expect(run).toMatchObject({ state: "exited", exitCode: 7 });
  });

  it("is hardened: no network but loopback, read-only root, no capabilities, root mapped away", async () => {
    const script = [
      "echo net=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort | tr '\\n' ,)",
      "touch /probe 2>/dev/null && echo root=writable || echo root=readonly",
      "echo tmp=$(echo ok > /tmp/t && cat /tmp/t)",
      "echo capeff=$(grep CapEff /proc/self/status | cut -f2)",
      "echo kernel=$(uname -r)",
    ].join("; ");
    const { logs } = await runToEnd(host, { runtime, command: ["sh", "-c", script] });
    expect(logs).toMatch(/^net=lo,$/m);
    expect(logs).toMatch(/^root=readonly$/m);
    expect(logs).toMatch(/^tmp=ok$/m);
    expect(logs).toMatch(/^capeff=0000000000000000$/m);
    const kernel = /^kernel=(.*)$/m.exec(logs)?.[1];
    if (runtime === "gvisor") expect(kernel).not.toBe(os.release());
    else expect(kernel).toBe(os.release());
  });

  // runc enforces limits per process; gVisor's whole sandbox (Sentry included) lives in the cgroup, so there
  // reaching a limit may end the sandbox itself. Either way the workload does not get past the limit.
  it("cannot fork past its pids limit", async () => {
    const { run, logs } = await runToEnd(host, {
      runtime,
      command: [
        "sh",
        "-c",
        "i=0; while [ $i -lt 200 ]; do sleep 5 2>/dev/null & i=$((i+1)); done; echo procs=$(ls /proc | grep -c '^[0-9]')",
      ],
      timeoutMs: 20_000,
    });
    const procs = /^procs=(\d+)$/m.exec(logs)?.[1];
    if (procs === undefined) expect(run.exitCode).not.toBe(0);
    else expect(Number(procs)).toBeLessThanOrEqual(32);
  });

  it("is stopped at its memory limit", async () => {
    const { run, logs } = await runToEnd(host, {
      runtime,
      command: [
        "sh",
        "-c",
        "dd if=/dev/zero of=/dev/null bs=200M count=1 2>/dev/null; echo dd-exit=$?",
      ],
      timeoutMs: 20_000,
    });
    const ddExit = /^dd-exit=(\d+)$/m.exec(logs)?.[1];
    if (ddExit === undefined) expect(run.exitCode).not.toBe(0);
    else expect(ddExit).not.toBe("0");
  });

  it("ends at its time limit, and leaves nothing behind", async () => {
    const started = Date.now();
    const { run, logs } = await runToEnd(host, {
      runtime,
      command: ["sleep", "30"],
      timeoutMs: 800,
    });
    expect(run).toMatchObject({ state: "failed", error: { code: "limit:timeout" } });
    expect(logs).toMatch(/time limit of 800 ms/);
    expect(Date.now() - started).toBeLessThan(10_000);
    await expectNothingLeft(runtime);
  });

  it("is cut off at its output limit with a marker", async () => {
    const { run, logs } = await runToEnd(host, { runtime, command: ["yes"], timeoutMs: 20_000 });
    expect(run).toMatchObject({
      state: "failed",
      outputTruncated: true,
      error: { code: "limit:output" },
    });
    expect(logs).toMatch(
      /\[output truncated: the sandbox wrote more than 64 KiB; it was stopped\]/,
    );
    await expectNothingLeft(runtime);
  });

  it("stops on DELETE and its resources are gone", async () => {
    const created = await host.request("POST", "/api/runs", {
      runtime,
      command: ["sh", "-c", "echo up; sleep 30"],
      timeoutMs: 60_000,
    });
    expect(created.status).toBe(201);
    const id = created.json.id;
    for (
      let i = 0;
      i < 100 && (await host.request("GET", `/api/runs/${id}`)).json.state !== "running";
      i++
    ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const stopped = await host.request("DELETE", `/api/runs/${id}`);
    expect(stopped.status).toBe(200);
    expect(stopped.json).toMatchObject({ state: "stopped", error: { code: "stopped" } });
    await expectNothingLeft(runtime);
  });
});

// The built-in VM: its own kernel, booted per run (TCG here, ~2 s), limits enforced by the VM boundary.
describe("a run on microvm", () => {
  it("is listed with its acceleration mode", async () => {
    const { json } = await host.request("GET", "/api/runtimes");
    const microvm = json.runtimes.find((r: any) => r.id === "microvm");
    expect(microvm).toMatchObject({ kind: "vm", available: true, name: "QEMU microVM, built in" });
    expect(microvm.details.accel).toMatch(/^(kvm|tcg)$/);
  });

  it("prints the guest's kernel, not the host's, with every VM phase timed", async () => {
    const { run, logs } = await runToEnd(host, {
      runtime: "microvm",
      command: ["sh", "-c", "uname -r; sleep 0.5"],
      timeoutMs: 60_000,
    });
    expect(run).toMatchObject({ state: "exited", exitCode: 0 });
    const kernel = logs.trim().split("\n").at(-1);
    expect(kernel).toMatch(/^\d+\.\d+\.\d+/);
    expect(kernel).not.toBe(os.release());
    const t = run.timings;
    const phases = [
      "preparing",
      "vmmSpawned",
      "started",
      "firstConsoleLine",
      "guestInit",
      "workloadStarted",
      "firstOutput",
      "workloadExited",
      "vmGone",
      "cleanedUp",
    ];
    for (const phase of phases) expect(t, phase).toHaveProperty(phase);
    for (let i = 1; i < phases.length; i++)
      expect(t[phases[i - 1]!]).toBeLessThanOrEqual(t[phases[i]!]);
    // The VM's cost on the host is its QEMU process, guest memory included.
    expect(run.memory.rssBytes).toBeGreaterThan(50 * 1024 * 1024);
  });

  it("reports the workload's exit code and ends at its time limit", async () => {
    expect(
      (
        await runToEnd(host, {
          runtime: "microvm",
          command: ["sh", "-c", "exit 3"],
          timeoutMs: 60_000,
        })
      ).run,
    ).toMatchObject({
      state: "exited",
      exitCode: 3,
    });
    const { run } = await runToEnd(host, {
      runtime: "microvm",
      command: ["sleep", "60"],
      timeoutMs: 4_000,
    });
    expect(run).toMatchObject({ state: "failed", error: { code: "limit:timeout" } });
    expect(await readdir(path.join(host.stateDir, "microvm")).catch(() => [])).toEqual([]);
  });

  it("takes a VM from the warm pool when asked, and shows the pool on the runtimes list", async () => {
    const deadline = Date.now() + 60_000;
    let warmPool = "";
    while (!warmPool.startsWith("1/") && Date.now() < deadline) {
      const { json } = await host.request("GET", "/api/runtimes");
      warmPool = json.runtimes.find((r: any) => r.id === "microvm").details.warmPool;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(warmPool).toBe("1/1 ready");
    const { run, logs } = await runToEnd(host, {
      runtime: "microvm",
      pool: true,
      command: ["sh", "-c", "uname -r; sleep 0.5"],
      timeoutMs: 60_000,
    });
    expect(run).toMatchObject({ state: "exited", exitCode: 0 });
    expect(logs).toMatch(/^\[from the warm pool: booted .*\]\n/);
    expect(logs).toMatch(/\n\d+\.\d+\.\d+\S*\n$/);
    const t = run.timings;
    expect(t).not.toHaveProperty("poolMiss");
    const phases = [
      "poolClaimed",
      "started",
      "workloadStarted",
      "firstOutput",
      "workloadExited",
      "vmGone",
    ];
    for (let i = 1; i < phases.length; i++)
      expect(t[phases[i - 1]!], phases[i]).toBeLessThanOrEqual(t[phases[i]!]);
    expect(t.firstOutput).toBeLessThan(1_000);
    expect(run.memory.rssBytes).toBeGreaterThan(50 * 1024 * 1024);
  });

  it("tells the visitor a guest rebooted itself, not that it failed to start", async () => {
    const created = await host.request("POST", "/api/runs", {
      runtime: "microvm",
      command: ["sh", "-c", "echo up; echo b > /proc/sysrq-trigger; sleep 30"],
      timeoutMs: 60_000,
    });
    // A TCG boot on a loaded two-core host can take longer than runToEnd's 30 s.
    const run = await waitForEnd(host, created.json.id, 60_000);
    const logs = (await host.request("GET", `/api/runs/${run.id}/logs`)).text;
    const message = expect.stringMatching(/: the guest rebooted itself/);
    expect(run).toMatchObject({ state: "failed", error: { code: "runtime:crashed", message } });
    expect(run.timings).toHaveProperty("started");
    expect(logs).toContain("\nup\n");
    expect(logs).toContain(`[${run.error.message}]`);
  });

  it("ignores pool on a runtime without one", async () => {
    const { run } = await runToEnd(host, { runtime: "runc", pool: true, command: ["true"] });
    expect(run).toMatchObject({ state: "exited", exitCode: 0 });
  });
});

describe("bad input gets its error code and changes nothing", () => {
  const count = async () => host.server.engine.listRuns().length;
  const cases: Array<[string, unknown, number, string, Record<string, string>?]> = [
    ["malformed JSON", "{not json", 400, "bad_request:json"],
    ["no runtime", { image: "busybox" }, 400, "bad_request:run"],
    ["extra fields", { runtime: "runc", privileged: true }, 400, "bad_request:run"],
    ["pool not a boolean", { runtime: "microvm", pool: "yes" }, 400, "bad_request:run"],
    ["empty command", { runtime: "runc", command: [] }, 400, "bad_request:run"],
    ["timeout too small", { runtime: "runc", timeoutMs: 1 }, 400, "bad_request:run"],
    [
      "timeout above the host's maximum",
      { runtime: "runc", timeoutMs: 3_000_000 },
      400,
      "bad_request:timeout",
    ],
    ["unknown runtime", { runtime: "firecracker" }, 404, "not_found:runtime"],
    ["unknown image", { runtime: "runc", image: "ubuntu" }, 404, "not_found:image"],
    [
      "oversized body",
      { runtime: "runc", command: ["echo", "x".repeat(100_000)] },
      413,
      "too_large:body",
    ],
    [
      "not JSON content type",
      "runtime=runc",
      400,
      "bad_request:content_type",
      { "content-type": "text/plain" },
    ],
  ];
  it.each(cases)("%s", async (_name, body, status, code, headers) => {
    const before = await count();
    const reply = await host.request("POST", "/api/runs", body, headers);
    expect(reply.status).toBe(status);
    expect(reply.json).toEqual({ error: { code, message: expect.any(String) } });
    expect(await count()).toBe(before);
  });

  it("unknown runs and routes are 404, wrong methods 405", async () => {
    expect((await host.request("GET", "/api/runs/doesnotexist")).status).toBe(404);
    expect((await host.request("GET", "/api/runs/doesnotexist/logs")).status).toBe(404);
    expect((await host.request("DELETE", "/api/runs/doesnotexist")).status).toBe(404);
    expect((await host.request("GET", "/api/runs/..%2f..%2fetc")).status).toBe(404);
    expect((await host.request("GET", "/api/nope")).json.error.code).toBe("not_found:route");
    expect((await host.request("PUT", "/api/runs")).status).toBe(405);
  });

  it("a client past its quota gets 429 with the reason", async () => {
    const ids: string[] = [];
    let reply;
    for (let i = 0; i < 9; i++) {
      reply = await host.request("POST", "/api/runs", {
        runtime: "runc",
        command: ["sleep", "20"],
        timeoutMs: 30_000,
      });
      if (reply.status === 201) ids.push(reply.json.id);
    }
    expect(reply?.status).toBe(429);
    expect(reply?.json.error.code).toBe("quota:runs_per_client");
    expect(ids).toHaveLength(8);
    await Promise.all(ids.map((id) => host.request("DELETE", `/api/runs/${id}`)));
    await expectNothingLeft("runc");
  });
});

describe("socket.io", () => {
  it("streams backlog, live output and states to a subscriber", async () => {
    const created = await host.request("POST", "/api/runs", {
      runtime: "runc",
      command: ["sh", "-c", "echo one; sleep 0.3; echo two"],
    });
    const socket = host.socket();
    let text = "";
    const states: string[] = [];
    const ended = new Promise<void>((resolve) => {
      socket.on("run:log", (payload: unknown) => {
        const chunk = LogChunkSchema.parse(payload);
        if (chunk.offset + chunk.data.length > text.length)
          text += chunk.data.slice(text.length - chunk.offset);
      });
      socket.on("run:state", (payload: unknown) => {
        const { run } = StateEventSchema.parse(payload);
        states.push(run.state);
        if (["exited", "failed", "stopped"].includes(run.state)) resolve();
      });
    });
    const ack = SubscribeAckSchema.parse(
      await socket.emitWithAck("run:subscribe", { runId: created.json.id }),
    );
    expect(ack.ok).toBe(true);
    await ended;
    await new Promise((r) => setTimeout(r, 50));
    expect(text).toBe("one\ntwo\n");
    expect(states.at(-1)).toBe("exited");
  });

  it("answers bad and unknown subscriptions with an error, not a crash", async () => {
    const socket = host.socket();
    expect(await socket.emitWithAck("run:subscribe", { runId: 42 })).toMatchObject({
      ok: false,
      error: { code: "bad_request:subscribe" },
    });
    expect(await socket.emitWithAck("run:subscribe", "garbage")).toMatchObject({ ok: false });
    expect(await socket.emitWithAck("run:subscribe", { runId: "nope" })).toMatchObject({
      ok: false,
      error: { code: "not_found:run" },
    });
    expect((await host.request("GET", "/api/health")).status).toBe(200);
  });

  it("a late subscriber gets the whole backlog of a finished run", async () => {
    const { run } = await runToEnd(host, { runtime: "runc", command: ["sh", "-c", "seq 1 5"] });
    const socket = host.socket();
    const chunks: string[] = [];
    socket.on("run:log", (payload: unknown) => chunks.push(LogChunkSchema.parse(payload).data));
    const ack = await socket.emitWithAck("run:subscribe", { runId: run.id });
    expect(ack).toMatchObject({ ok: true, run: { state: "exited" } });
    await new Promise((r) => setTimeout(r, 100));
    expect(chunks.join("")).toBe("1\n2\n3\n4\n5\n");
  });
});

describe("capacity", () => {
  it("queues runs past the host's capacity and shows their place", async () => {
    const small = await startTestHost({
      SBPG_MAX_CONCURRENT_RUNS: "1",
      SBPG_MAX_ACTIVE_RUNS_PER_CLIENT: "4",
    });
    try {
      const first = await small.request("POST", "/api/runs", {
        runtime: "runc",
        command: ["sleep", "1"],
      });
      const second = await small.request("POST", "/api/runs", {
        runtime: "runc",
        command: ["echo", "second"],
      });
      expect((await small.request("GET", `/api/runs/${second.json.id}`)).json).toMatchObject({
        state: "queued",
        queuePosition: 1,
      });
      const states = (await small.request("GET", "/api/host")).json.runs.map((r: any) => r.state);
      expect(states).toHaveLength(2);
      expect(states.filter((s: string) => s === "queued")).toHaveLength(1);
      expect(await waitForEnd(small, second.json.id)).toMatchObject({
        state: "exited",
        exitCode: 0,
      });
      expect((await small.request("GET", `/api/runs/${first.json.id}`)).json.state).toBe("exited");
    } finally {
      await small.close();
    }
  });
});
