// A microVM session against real QEMU: a shell on the guest's own tty, its resize, commands beside it, the host's view, its end.
import { readdir } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  SessionHostViewSchema,
  SessionSnapshotSchema,
  terminalEvents,
} from "../../lib/api/sessions";
import { vmsCgroupFor } from "../instance/cgroup-parents";
import { findVmProcesses } from "../runtimes/microvm/reap-vms";
import { emitWithAck, screenOf } from "../testing/terminal-screen";
import {
  startTestHost,
  waitForEnd,
  waitForSession as waitForHostSession,
  type TestHost,
} from "../testing/test-host";

let host: TestHost;
const alice = { cookie: "sbpg_visitor=alice-aaaaaaaaaaaaaaaaaaaaaa" };

beforeAll(async () => {
  host = await startTestHost({ SBPG_MICROVM_POOL_SIZE: "0", SBPG_MICROVM_ACCEL: "tcg" });
});
afterAll(async () => host?.close());

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

describe("a microVM session", () => {
  let id = "";
  beforeAll(async () => {
    const created = await host.request("POST", "/api/sessions", { runtime: "microvm" }, alice);
    expect(created.status, created.text).toBe(201);
    id = created.json.id;
    await waitForSession(id, "ready");
  }, 90_000);

  it("opens a shell on the guest's tty that answers and follows a resize", async () => {
    const socket = host.socket({ headers: alice });
    let terminalId: string | null = null;
    const screen = screenOf(socket, () => terminalId);
    const opened = await emitWithAck(socket, terminalEvents.open, {
      sessionId: id,
      cols: 80,
      rows: 24,
    });
    terminalId = opened.ok ? opened.terminalId : null;
    expect(terminalId, JSON.stringify(opened)).not.toBeNull();
    await emitWithAck(socket, terminalEvents.attach, { terminalId });
    // busybox's line editor asks the terminal where its cursor is (ESC [6n) after each prompt.
    await screen.waitFor(/~ # (\x1b\[6n)?$/, 30_000);
    // The guest's line discipline echoes what is typed, as a real terminal does.
    await emitWithAck(socket, terminalEvents.input, {
      terminalId,
      data: "echo $((6*7)); tty; stty size\r",
    });
    await screen.waitFor(
      /echo \$\(\(6\*7\)\); tty; stty size\r\n42\r\n\/dev\/hvc0\r\n24 80\r\n/,
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
      /^\S*qemu-system-x86_64 -name sbpg-\S+ -M microvm .*virtconsole/,
    );
    expect(view.cgroup.memoryBytes).toBeGreaterThan(0);
    expect(view.mounts).toEqual([]);
  });

  it("ends on DELETE and frees everything: QEMU, its folders, its cgroup", async () => {
    const ended = await host.request("DELETE", `/api/sessions/${id}`, undefined, alice);
    expect(ended.status).toBe(200);
    expect(ended.json.state).toBe("ended");
    const vmsDir = path.join(host.stateDir, "microvm");
    expect((await findVmProcesses(vmsDir)).map((p) => p.name)).not.toContain(`sbpg-${id}`);
    expect((await readdir(vmsDir).catch(() => [])).filter((e) => e.includes(id))).toEqual([]);
    for (const controller of ["memory", "cpu"]) {
      const children = await readdir(
        `/sys/fs/cgroup/${controller}${vmsCgroupFor(host.stateDir)}`,
      ).catch(() => []);
      expect(children).not.toContain(`sbpg-${id}`);
    }
  });
});
