// A microVM session against real QEMU, on each path its VM can take (booted cold, restored from the snapshot, taken
// from the warm pool): a shell on the guest's own tty, its resize, commands beside it, the host's view, its end.
import { readdir } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  SessionHostViewSchema,
  SessionSnapshotSchema,
  terminalEvents,
} from "../../lib/api/sessions";
import { RuntimesReplySchema } from "../../lib/api/schemas";
import { vmsCgroupFor } from "../instance/cgroup-parents";
import { findVmProcesses } from "../runtimes/microvm/reap-vms";
import { emitWithAck, openShell, screenOf } from "../testing/terminal-screen";
import {
  startTestHost,
  waitForEnd,
  waitForSession as waitForHostSession,
  type TestHost,
} from "../testing/test-host";

let host: TestHost;
const alice = { cookie: "sbpg_visitor=alice-aaaaaaaaaaaaaaaaaaaaaa" };

async function waitForSession(id: string, state: string, timeoutMs = 60_000) {
  return SessionSnapshotSchema.parse(
    await waitForHostSession(host, id, state, { headers: alice, timeoutMs, pollMs: 100 }),
  );
}

async function exec(id: string, script: string) {
  const created = await host.request(
    "POST",
    `/api/sessions/${id}/exec`,
    { command: ["sh", "-c", script], timeoutMs: 30_000 },
    alice,
  );
  expect(created.status, created.text).toBe(201);
  const run = await waitForEnd(host, created.json.id, 60_000);
  const logs = (await host.request("GET", `/api/runs/${created.json.id}/logs`)).text;
  return { run, logs };
}

/** The microVM's details on /api/runtimes, polled until `ok` says they are what the path needs. */
async function waitForMicrovm(ok: (details: Record<string, string>) => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { json } = await host.request("GET", "/api/runtimes");
    const microvm = RuntimesReplySchema.parse(json).runtimes.find((r) => r.id === "microvm");
    if (microvm && ok(microvm.details)) return;
    if (Date.now() > deadline)
      throw new Error(`the microVM never got there: ${JSON.stringify(microvm?.details)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const paths = [
  { path: "cold", env: { SBPG_MICROVM_POOL_SIZE: "0" } },
  // The snapshot is the one in the cache (npm run setup saves it; a stale one is saved again here).
  {
    path: "restored",
    env: {
      SBPG_MICROVM_POOL_SIZE: "0",
      SBPG_MICROVM_SNAPSHOT: "on",
    },
  },
  {
    path: "pooled",
    env: {
      SBPG_MICROVM_POOL_SIZE: "1",
      SBPG_MICROVM_SNAPSHOT: "on",
    },
  },
] as const;

describe.each(paths)("a microVM session, its VM $path", ({ path: vmPath, env }) => {
  let id = "";
  /** The QEMU's name and folder: a pooled VM keeps the pool's. */
  let vm = { name: "", dir: "" };
  beforeAll(async () => {
    host = await startTestHost({ ...env, SBPG_MICROVM_ACCEL: "tcg" });
    if (vmPath !== "cold")
      await waitForMicrovm(
        (d) =>
          d.sessionSnapshot?.startsWith("ready") === true &&
          (vmPath !== "pooled" || d.warmPool?.startsWith("1/") === true),
        180_000,
      );
    const created = await host.request("POST", "/api/sessions", { runtime: "microvm" }, alice);
    expect(created.status, created.text).toBe(201);
    id = created.json.id;
    const ready = await waitForSession(id, "ready");
    expect(ready.start, JSON.stringify(ready.start)).toMatchObject({ path: vmPath });
    // The session's QEMU, as its host view names it (the pool may be booting another beside it).
    const view = SessionHostViewSchema.parse(
      (await host.request("GET", `/api/sessions/${id}/host`, undefined, alice)).json,
    );
    const running = (
      await Promise.all(
        ["microvm", "microvm-pool"].map((d) => findVmProcesses(path.join(host.stateDir, d))),
      )
    ).flat();
    const qemu = running.find((p) => p.pid === view.processes[0]?.pid);
    expect(qemu?.name).toEqual(
      vmPath === "pooled" ? expect.stringMatching(/^sbpg-pool-/) : `sbpg-${id}`,
    );
    vm = { name: qemu!.name, dir: vmPath === "pooled" ? "microvm-pool" : "microvm" };
  }, 240_000);
  afterAll(async () => host?.close());

  it("opens a shell on the guest's tty that answers and follows a resize", async () => {
    const socket = host.socket({ headers: alice });
    // Not the 80×24 the session's first shell starts at (it is opened with the session): the open sizes it.
    const { terminalId, screen } = await openShell(socket, id, { cols: 85, rows: 23 });
    // busybox's line editor asks the terminal where its cursor is (ESC [6n) after each prompt, and redraws its
    // line (CR, prompt, clear to the end) when its tty is resized, as the open does.
    await screen.waitFor(/~ # (\x1b\[6n)?(\r~ # \x1b\[J)*$/, 30_000);
    await screen.settled();
    // The guest's line discipline echoes what is typed, as a real terminal does.
    await emitWithAck(socket, terminalEvents.input, {
      terminalId,
      data: "echo $((6*7)); tty; stty size\r",
    });
    await screen.waitFor(
      /echo \$\(\(6\*7\)\); tty; stty size\r\n42\r\n\/dev\/hvc0\r\n23 85\r\n/,
      30_000,
    );
    await emitWithAck(socket, terminalEvents.resize, { terminalId, cols: 101, rows: 33 });
    await emitWithAck(socket, terminalEvents.input, { terminalId, data: "stty size; uname -r\r" });
    await screen.waitFor(/\r\n33 101\r\n/, 30_000);
    // A file written in the terminal is there for a command run beside it.
    await emitWithAck(socket, terminalEvents.input, {
      terminalId,
      data: "echo typed-$((2*3)) > ~/note\r",
    });
    await screen.waitFor(/> ~\/note\r\n~ # (\x1b\[6n)?$/, 30_000);
    const read = await exec(id, "cat ~/note; pwd; echo err >&2; exit 3");
    expect(read.run).toMatchObject({ state: "exited", exitCode: 3 });
    expect(read.logs).toBe("typed-6\n/root\nerr\n");

    // A second shell on the next port, while the first one lives.
    let secondId: string | null = null;
    const second = screenOf(socket, () => secondId);
    const again = await emitWithAck(socket, terminalEvents.open, {
      sessionId: id,
      cols: 90,
      rows: 20,
    });
    secondId = again.ok ? again.terminalId : null;
    await emitWithAck(socket, terminalEvents.attach, { terminalId: secondId });
    await emitWithAck(socket, terminalEvents.input, {
      terminalId: secondId,
      data: "tty; cat ~/note\r",
    });
    await second.waitFor(/\/dev\/hvc1\r\ntyped-6\r\n/, 30_000);
    await emitWithAck(socket, terminalEvents.input, { terminalId: secondId, data: "exit 5\r" });
    const exit = await new Promise((resolve) => socket.once(terminalEvents.exit, resolve));
    expect(exit).toEqual({ terminalId: secondId, exitCode: 5 });
  });

  it("stops a command at its time limit, and keeps the session", async () => {
    const created = await host.request(
      "POST",
      `/api/sessions/${id}/exec`,
      { command: ["sleep", "30"], timeoutMs: 1_000 },
      alice,
    );
    expect(created.status, created.text).toBe(201);
    const run = await waitForEnd(host, created.json.id, 30_000);
    expect(run.state).toBe("failed");
    const after = await exec(id, "ps -o args | grep -c '^sleep 30$'; echo ok");
    // The killed command's process group is gone.
    expect(after.logs).toBe("0\nok\n");
  });

  it("shows the host's view: QEMU's command line and its cgroup, not the host's mounts", async () => {
    const { status, json } = await host.request(
      "GET",
      `/api/sessions/${id}/host`,
      undefined,
      alice,
    );
    expect(status).toBe(200);
    const view = SessionHostViewSchema.parse(json);
    expect(view.processes).toHaveLength(1);
    expect(view.processes[0].command).toMatch(
      /^\S*qemu-system-x86_64 -name sbpg-\S+ -M microvm\S* .*virtconsole/,
    );
    expect(view.cgroup.memoryBytes).toBeGreaterThan(0);
    expect(view.mounts).toEqual([]);
  });

  it("ends on DELETE and frees everything: QEMU, its folders, its cgroup", async () => {
    const ended = await host.request("DELETE", `/api/sessions/${id}`, undefined, alice);
    expect(ended.status).toBe(200);
    expect(ended.json.state).toBe("ended");
    const vmsDir = path.join(host.stateDir, vm.dir);
    expect((await findVmProcesses(vmsDir)).map((p) => p.name)).not.toContain(vm.name);
    expect(await readdir(vmsDir).catch(() => [])).not.toContain(vm.name);
    for (const controller of ["memory", "cpu"]) {
      const children = await readdir(
        `/sys/fs/cgroup/${controller}${vmsCgroupFor(host.stateDir)}`,
      ).catch(() => []);
      expect(children).not.toContain(vm.name);
    }
  });
});
