// Sessions and terminals against real runc and runsc: a long-lived sandbox, commands and a shell inside it, its host view, its end.
import { readdir } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  SessionHostViewSchema,
  SessionSnapshotSchema,
  terminalEvents,
} from "../../lib/api/sessions";
import { cgroupParentFor } from "../instance/cgroup-parents";
import type { ContainerdDriver } from "../runtimes/containerd/containerd-driver";
import { runCommand } from "../runtimes/process-exit";
import { emitWithAck, openShell, screenOf } from "../testing/terminal-screen";
import {
  startTestHost,
  waitForEnd,
  waitForSession as waitForHostSession,
  type TestHost,
} from "../testing/test-host";

let host: TestHost;
const alice = { cookie: "sbpg_visitor=alice-aaaaaaaaaaaaaaaaaaaaaa" };
const bob = { cookie: "sbpg_visitor=bob-bbbbbbbbbbbbbbbbbbbbbbbbb" };

beforeAll(async () => {
  host = await startTestHost({
    SBPG_MEMORY_LIMIT_BYTES: String(96 * 1024 * 1024),
    SBPG_SESSION_IDLE_MS: "3000",
    SBPG_MAX_SESSIONS_PER_CLIENT: "2",
  });
});
afterAll(async () => host?.close());

async function waitForSession(id: string, state: string, headers = alice, timeoutMs = 30_000) {
  return SessionSnapshotSchema.parse(
    await waitForHostSession(host, id, state, { headers, timeoutMs }),
  );
}

async function startSession(runtime: string, headers = alice): Promise<string> {
  const created = await host.request("POST", "/api/sessions", { runtime }, headers);
  expect(created.status, created.text).toBe(201);
  await waitForSession(created.json.id, "ready", headers);
  return created.json.id as string;
}

async function exec(id: string, script: string, headers = alice) {
  const created = await host.request(
    "POST",
    `/api/sessions/${id}/exec`,
    { command: ["sh", "-c", script] },
    headers,
  );
  expect(created.status, created.text).toBe(201);
  const run = await waitForEnd(host, created.json.id);
  const logs = (await host.request("GET", `/api/runs/${created.json.id}/logs`)).text;
  return { run, logs };
}

type SessionRuntime = "runc" | "gvisor" | "containerd-runc";

/** The containers a runtime holds under the test host's state folder: its CLI's list, or containerd's. */
async function containersOf(runtime: SessionRuntime): Promise<string[]> {
  if (runtime === "containerd-runc") {
    const address = path.join(host.stateDir, "containerd", "containerd.sock");
    const listed = await runCommand("ctr", [
      ...["--address", address, "--namespace", "sandbox-playground"],
      ...["containers", "ls", "--quiet"],
    ]);
    return listed.stdout.split("\n").filter(Boolean);
  }
  const binary = runtime === "runc" ? "runc" : "runsc";
  const root = path.join(host.stateDir, runtime, "root");
  const listed = await runCommand(binary, ["--root", root, "list", "--format", "json"]);
  return ((JSON.parse(listed.stdout || "null") ?? []) as { id: string }[]).map((c) => c.id);
}

/** No container, bundle, shim or cgroup of a session may remain once it ended. */
async function expectNothingLeft(runtime: SessionRuntime, id: string) {
  const name = `sbpg-${id}`;
  expect(await containersOf(runtime)).not.toContain(name);
  const bundles =
    runtime === "containerd-runc"
      ? path.join(host.stateDir, "containerd", "bundles")
      : path.join(host.stateDir, runtime, "bundles");
  expect(await readdir(bundles).catch(() => [])).not.toContain(name);
  const shims = await runCommand("pgrep", ["-f", "--", `containerd-shim.* -id ${name} `]);
  expect(shims.stdout.trim()).toBe("");
  for (const controller of ["memory", "pids"]) {
    const children = await readdir(
      `/sys/fs/cgroup/${controller}${cgroupParentFor(host.stateDir)}`,
    ).catch(() => []);
    expect(children).not.toContain(name);
  }
}

describe.each(["runc", "gvisor", "containerd-runc"] as const)("a %s session", (runtime) => {
  let id = "";
  beforeAll(async () => {
    id = await startSession(runtime);
  });

  it("reports its state machine and deadlines", async () => {
    const session = await waitForSession(id, "ready");
    expect(session.runtime).toBe(runtime);
    expect(Object.keys(session.timings)).toEqual(["queued", "preparing", "booting", "ready"]);
    expect(Date.parse(session.expiresAt!)).toBeGreaterThan(Date.now() + 60 * 60_000);
    expect(Date.parse(session.idleExpiresAt!)).toBeLessThanOrEqual(Date.now() + 3_000);
  });

  it("keeps files between commands: one exec writes, the next reads", async () => {
    const write = await exec(id, "echo kept-$((6*7)) > ~/note; echo in /tmp > /tmp/t; pwd");
    expect(write.run).toMatchObject({ state: "exited", exitCode: 0 });
    expect(write.logs.trim()).toBe("/root");
    const read = await exec(id, "cat /root/note /tmp/t");
    expect(read.logs).toBe("kept-42\nin /tmp\n");
  });

  it("keeps the hardening: read-only root, no network", async () => {
    const { logs } = await exec(id, "touch /etc/x 2>&1; ls /sys/class/net");
    // runc's kernel says EROFS; gVisor's Sentry refuses the write on its read-only gofer mount with EACCES.
    expect(logs).toMatch(runtime === "gvisor" ? /Permission denied/ : /Read-only file system/);
    expect(logs.trim().split(/\s+/).at(-1)).toBe("lo");
  });

  it("refuses a device node as a run does, in a command and in a terminal, whose close ends its shell", async () => {
    const { logs } = await exec(
      id,
      "mknod /tmp/disk b 8 0; echo mknod=$?; mknod /tmp/fifo p && echo fifo made; rm -f /tmp/fifo",
    );
    // containerd's ctr hands stderr over apart from stdout: their order is not kept.
    expect(logs).toMatch(/^mknod: \/tmp\/disk: Operation not permitted$/m);
    expect(logs).toMatch(/^mknod=1$/m);
    expect(logs).toMatch(/^fifo made$/m);

    const socket = host.socket({ headers: alice });
    const { terminalId, screen } = await openShell(socket, id);
    await emitWithAck(socket, terminalEvents.input, {
      terminalId,
      data: "mknod /tmp/disk c 1 3; echo mknod=$?; ls /tmp/disk\r",
    });
    await screen.waitFor(/Operation not permitted\r\nmknod=1\r\n.*No such file/);
    await emitWithAck(socket, terminalEvents.close, { terminalId });
    socket.disconnect();
    // Closing the terminal ended its shell: the one sh left is this command's own.
    await expect
      .poll(async () => (await exec(id, "ps -o comm > /tmp/ps; grep -c '^sh$' /tmp/ps")).logs, {
        timeout: 10_000,
      })
      .toBe("1\n");
  });

  it("shows the host's view: processes with command lines, cgroup usage, mounts", async () => {
    const { status, json } = await host.request(
      "GET",
      `/api/sessions/${id}/host`,
      undefined,
      alice,
    );
    expect(status).toBe(200);
    const view = SessionHostViewSchema.parse(json);
    const commands = view.processes.map((p) => p.command).join("\n");
    if (runtime === "gvisor") expect(commands).toMatch(/runsc-sandbox .*boot/);
    else expect(commands).toMatch(/^sleep 2147483647$/m);
    // containerd's side of it: the runc v2 shim that holds the container, outside its cgroup.
    if (runtime === "containerd-runc")
      expect(commands).toMatch(new RegExp(`containerd-shim-runc-v2 .*-id sbpg-${id} `));
    expect(view.cgroup.memoryBytes).toBeGreaterThan(0);
    expect(view.cgroup.memoryLimitBytes).toBe(96 * 1024 * 1024);
    expect(view.cgroup.pids).toBeGreaterThan(0);
    expect(view.mounts.length).toBeGreaterThan(0);
  });

  it("opens a shell on a PTY that answers, follows a resize, and replays on attach", async () => {
    const socket = host.socket({ headers: alice });
    let terminalId: string | null = null;
    const screen = screenOf(socket, () => terminalId);
    const opened = await emitWithAck(socket, terminalEvents.open, {
      sessionId: id,
      cols: 80,
      rows: 24,
    });
    expect(opened.ok).toBe(true);
    terminalId = opened.ok ? opened.terminalId : null;
    await emitWithAck(socket, terminalEvents.attach, { terminalId });
    await emitWithAck(socket, terminalEvents.input, {
      terminalId,
      data: "echo $((6*7)); cat ~/note\r",
    });
    await screen.waitFor(/\r\n42\r\nkept-42\r\n/);
    await emitWithAck(socket, terminalEvents.resize, { terminalId, cols: 101, rows: 33 });
    await emitWithAck(socket, terminalEvents.input, { terminalId, data: "stty size\r" });
    await screen.waitFor(/33 101/);

    // Another socket of the same browser (a reload) gets the screen back and types on.
    const again = host.socket({ headers: alice });
    const replay = screenOf(again, () => terminalId);
    expect((await emitWithAck(again, terminalEvents.attach, { terminalId })).ok).toBe(true);
    await replay.waitFor(/33 101/);
    await emitWithAck(again, terminalEvents.input, { terminalId, data: "exit 7\r" });
    const exit = await new Promise((resolve) => again.once(terminalEvents.exit, resolve));
    expect(exit).toEqual({ terminalId, exitCode: 7 });
  });

  it("is not found for another visitor, over HTTP and the socket", async () => {
    for (const [method, route] of [
      ["GET", `/api/sessions/${id}`],
      ["GET", `/api/sessions/${id}/host`],
      ["DELETE", `/api/sessions/${id}`],
    ]) {
      const reply = await host.request(method!, route!, undefined, bob);
      expect(reply.status, route).toBe(404);
      expect(reply.json.error.code).toBe("not_found:session");
    }
    const exec = await host.request("POST", `/api/sessions/${id}/exec`, { command: ["true"] }, bob);
    expect(exec.status).toBe(404);
    const socket = host.socket({ headers: bob });
    const refused = await emitWithAck(socket, terminalEvents.open, {
      sessionId: id,
      cols: 80,
      rows: 24,
    });
    expect(refused).toMatchObject({ ok: false, error: { code: "not_found:session" } });
  });

  it("ends on DELETE and frees everything", async () => {
    const { status, json } = await host.request("DELETE", `/api/sessions/${id}`, undefined, alice);
    expect(status).toBe(200);
    expect(json).toMatchObject({ state: "ended", error: { code: "ended:deleted" } });
    await expectNothingLeft(runtime, id);
  });
});

describe("a shell asked for with the session's id alone", () => {
  it("is opened once the session is ready, without the caller polling its state", async () => {
    const carol = { cookie: "sbpg_visitor=carol-ccccccccccccccccccccccc" };
    const created = await host.request("POST", "/api/sessions", { runtime: "runc" }, carol);
    expect(created.status, created.text).toBe(201);
    const id = created.json.id as string;
    const socket = host.socket({ headers: carol });
    try {
      let terminalId: string | null = null;
      const screen = screenOf(socket, () => terminalId);
      // Sent while the session is still queued or preparing: answered when it is ready, not refused.
      const state = SessionSnapshotSchema.parse(
        (await host.request("GET", `/api/sessions/${id}`, undefined, carol)).json,
      ).state;
      const opened = await emitWithAck(socket, terminalEvents.open, {
        sessionId: id,
        cols: 80,
        rows: 24,
      });
      expect(opened, `opened while ${state}`).toMatchObject({ ok: true });
      terminalId = opened.ok ? opened.terminalId : null;
      expect((await host.request("GET", `/api/sessions/${id}`, undefined, carol)).json.state).toBe(
        "ready",
      );
      await emitWithAck(socket, terminalEvents.attach, { terminalId });
      await emitWithAck(socket, terminalEvents.input, { terminalId, data: "echo $((6*7))\r" });
      await screen.waitFor(/\r\n42\r\n/);
    } finally {
      socket.close();
      await host.request("DELETE", `/api/sessions/${id}`, undefined, carol);
    }
    // An ended session's open is refused at once, with why.
    const late = host.socket({ headers: carol });
    try {
      await waitForSession(id, "ended", carol);
      const refused = await emitWithAck(late, terminalEvents.open, {
        sessionId: id,
        cols: 80,
        rows: 24,
      });
      expect(refused).toMatchObject({ ok: false, error: { code: "conflict:session_state" } });
    } finally {
      late.close();
    }
  });
});

describe("session limits", () => {
  it("ends an idle session and frees everything", async () => {
    const id = await startSession("runc");
    await exec(id, "true");
    const ended = await waitForSession(id, "ended", alice, 10_000);
    expect(ended).toMatchObject({ state: "ended", error: { code: "ended:idle" } });
    await expectNothingLeft("runc", id);
  });

  it("takes a shorter idle timeout than the host's when asked, never a longer one", async () => {
    const created = await host.request(
      "POST",
      "/api/sessions",
      { runtime: "runc", idleMs: 1_500 },
      alice,
    );
    expect(created.status, created.text).toBe(201);
    const ready = await waitForSession(created.json.id, "ready");
    expect(Date.parse(ready.idleExpiresAt!) - Date.parse(ready.createdAt)).toBe(1_500);
    const ended = await waitForSession(created.json.id, "ended", alice, 10_000);
    expect(ended.error?.code).toBe("ended:idle");
    const longer = await host.request(
      "POST",
      "/api/sessions",
      { runtime: "runc", idleMs: 5_000 },
      alice,
    );
    expect(longer).toMatchObject({ status: 400, json: { error: { code: "bad_request:idle" } } });
    await expectNothingLeft("runc", created.json.id);
  });

  it.each(["runc", "containerd-runc"] as const)(
    "ends a %s session whose sandbox died under it, and frees everything",
    async (runtime) => {
      const id = await startSession(runtime);
      const view = SessionHostViewSchema.parse(
        (await host.request("GET", `/api/sessions/${id}/host`, undefined, alice)).json,
      );
      const init = view.processes.find((p) => p.command === "sleep 2147483647");
      // What Kata sessions ask instead of the cgroup (theirs may hold only vCPU threads): containerd's task status.
      const driver = host.server.engine.getDriver(runtime) as Partial<ContainerdDriver>;
      if (runtime === "containerd-runc") expect(await driver.taskRunning!(`sbpg-${id}`)).toBe(true);
      process.kill(init!.pid, "SIGKILL");
      if (runtime === "containerd-runc")
        await expect
          .poll(() => driver.taskRunning!(`sbpg-${id}`), { timeout: 5_000, interval: 600 })
          .toBe(false);
      const ended = await waitForSession(id, "ended", alice, 15_000);
      expect(ended.error?.code).toBe("ended:sandbox");
      await expectNothingLeft(runtime, id);
    },
  );

  it("extends the lifetime within the host's bound", async () => {
    const id = await startSession("runc");
    const before = SessionSnapshotSchema.parse(
      (await host.request("GET", `/api/sessions/${id}`, undefined, alice)).json,
    );
    const extended = await host.request(
      "POST",
      `/api/sessions/${id}/extend`,
      { ms: 3_600_000 },
      alice,
    );
    expect(extended.status).toBe(200);
    expect(Date.parse(extended.json.expiresAt)).toBe(Date.parse(before.expiresAt!) + 3_600_000);
    const capped = await host.request(
      "POST",
      `/api/sessions/${id}/extend`,
      { ms: 86_400_000 },
      alice,
    );
    expect(capped.json.expiresAt).toBe(before.maxExpiresAt);
    await host.request("DELETE", `/api/sessions/${id}`, undefined, alice);
  });

  it("refuses bad bodies, unknown runtimes and runtimes this host lacks", async () => {
    const bad = await host.request(
      "POST",
      "/api/sessions",
      { runtime: "runc", lifetimeMs: 5 },
      alice,
    );
    expect(bad).toMatchObject({ status: 400, json: { error: { code: "bad_request:session" } } });
    const unknown = await host.request("POST", "/api/sessions", { runtime: "nope" }, alice);
    expect(unknown).toMatchObject({ status: 404, json: { error: { code: "not_found:runtime" } } });
    // Kata has sessions where it is installed; here it is not, and the answer says what to install.
    const kata = await host.request("POST", "/api/sessions", { runtime: "kata-qemu" }, alice);
    expect(kata).toMatchObject({ status: 409, json: { error: { code: "unavailable:runtime" } } });
    expect(kata.json.error.message).toMatch(/not available on this host/);
  });

  it("counts sessions per visitor", async () => {
    const first = await startSession("runc", bob);
    const second = await startSession("runc", bob);
    const third = await host.request("POST", "/api/sessions", { runtime: "runc" }, bob);
    expect(third).toMatchObject({
      status: 429,
      json: { error: { code: "quota:sessions_per_client" } },
    });
    for (const id of [first, second])
      await host.request("DELETE", `/api/sessions/${id}`, undefined, bob);
  });

  it("rejects malformed terminal payloads without changing anything", async () => {
    const socket = host.socket({ headers: alice });
    for (const [event, payload] of [
      [terminalEvents.open, { sessionId: "x", cols: 0, rows: 24 }],
      [terminalEvents.input, { terminalId: "x", data: "a".repeat(5000) }],
      [terminalEvents.resize, "nope"],
      [terminalEvents.attach, { terminalId: "x", extra: 1 }],
    ] as const) {
      const ack = await emitWithAck(socket, event, payload);
      expect(ack.ok, event).toBe(false);
      if (!ack.ok) expect(ack.error.code).toMatch(/^bad_request:terminal_/);
    }
  });
});
