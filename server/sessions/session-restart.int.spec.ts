// Killing the server (kill -9) with sessions and a terminal open, then starting it again, leaves no sandbox, PTY or cgroup behind.
import type { ChildProcess } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { io } from "socket.io-client";
import { afterAll, expect, it } from "vitest";
import { TerminalAckSchema, terminalEvents } from "../../lib/api/sessions";
import { cgroupParentFor } from "../host/create-engine";
import { ImageMounts } from "../images/image-mounts";
import { runCommand } from "../runtimes/process-exit";
import { startServerProcess } from "../testing/server-process";

const children: ChildProcess[] = [];
let stateDir = "";

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  if (!stateDir) return;
  await new ImageMounts(path.join(stateDir, "images")).release();
  await rm(stateDir, { recursive: true, force: true });
});

async function startServer() {
  const started = await startServerProcess({ SBPG_STATE_DIR: stateDir, SBPG_VACCEL: "off" });
  children.push(started.child);
  return started;
}

async function readySession(url: string, runtime: string): Promise<string> {
  const created = await fetch(`${url}/api/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ runtime }),
  });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };
  for (let i = 0; i < 400; i++) {
    const session = (await (await fetch(`${url}/api/sessions/${id}`)).json()) as { state: string };
    if (session.state === "ready") return id;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`session ${id} never became ready`);
}

const containers = async (binary: string, runtime: string) => {
  const listed = await runCommand(binary, [
    "--root",
    path.join(stateDir, runtime, "root"),
    "list",
    "--format",
    "json",
  ]);
  return (JSON.parse(listed.stdout || "null") ?? []) as Array<{ id: string }>;
};
/** Host processes started for this state folder: the runtimes' exec clients behind terminals, the sandboxes. */
const processesOfStateDir = async () =>
  (await runCommand("pgrep", ["-f", "--", `--root ${stateDir}/`])).stdout.trim();

it("reaps a crashed server's sessions and their terminals on restart", async () => {
  stateDir = await mkdtemp("/run/sbpg-session-restart-");
  const first = await startServer();
  const ids = [await readySession(first.url, "runc"), await readySession(first.url, "gvisor")];
  const socket = io(first.url, { transports: ["websocket"], forceNew: true });
  for (const sessionId of ids) {
    const ack = TerminalAckSchema.parse(
      await socket
        .timeout(10_000)
        .emitWithAck(terminalEvents.open, { sessionId, cols: 80, rows: 24 }),
    );
    expect(ack.ok).toBe(true);
  }
  socket.close();

  first.child.kill("SIGKILL");
  await new Promise((r) => first.child.once("exit", r));
  // The sessions outlive the server: that is what a restart must clean up.
  expect(await containers("runc", "runc")).toHaveLength(1);
  expect(await containers("runsc", "gvisor")).toHaveLength(1);

  const second = await startServer();
  expect(await containers("runc", "runc")).toEqual([]);
  expect(await containers("runsc", "gvisor")).toEqual([]);
  expect(await readdir(path.join(stateDir, "runc", "bundles"))).toEqual([]);
  expect(await readdir(path.join(stateDir, "gvisor", "bundles"))).toEqual([]);
  const cgroups = await readdir(`/sys/fs/cgroup/pids${cgroupParentFor(stateDir)}`).catch(() => []);
  expect(cgroups.filter((c) => c.startsWith("sbpg-") && !c.startsWith("sbpg-probe"))).toEqual([]);
  for (let i = 0; i < 40 && (await processesOfStateDir()) !== ""; i++)
    await new Promise((r) => setTimeout(r, 50));
  expect(await processesOfStateDir()).toBe("");
  // The restarted server knows nothing of them: the page says the session is gone.
  const gone = await fetch(`${second.url}/api/sessions/${ids[0]}`);
  expect(gone.status).toBe(404);
  second.child.kill("SIGTERM");
  await new Promise((r) => second.child.once("exit", r));
}, 120_000);
