// Killing the server (kill -9) with sessions (runc, gVisor, containerd) and a terminal open, then starting it again, leaves no sandbox, PTY or cgroup behind.
import { readdir } from "node:fs/promises";
import path from "node:path";
import { io } from "socket.io-client";
import { TerminalAckSchema, terminalEvents } from "../../lib/api/sessions";
import { expect, it } from "vitest";
import { runCommand } from "../runtimes/process-exit";
import { crashedServerHost } from "../testing/crashed-server";

const host = crashedServerHost("sbpg-session-restart");
const { containers } = host;

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

/** Host processes started for this state folder: the runtimes' exec clients behind terminals, the sandboxes. */
const processesOfStateDir = async () =>
  (await runCommand("pgrep", ["-f", "--", `--root ${host.stateDir}/`])).stdout.trim();

/** containerd's containers and the shims that run them: its own daemon lives in the state folder. */
async function containerdSandboxes(): Promise<string> {
  const address = path.join(host.stateDir, "containerd", "containerd.sock");
  const listed = await runCommand("ctr", [
    ...["--address", address, "--namespace", "sandbox-playground", "containers", "ls", "-q"],
  ]);
  const shims = await runCommand("pgrep", [
    "-f",
    "--",
    `containerd-shim.* -id sbpg-.* -address ${address}`,
  ]);
  return `${listed.stdout}${shims.stdout}`.trim();
}

it("reaps a crashed server's sessions and their terminals on restart", async () => {
  const first = await host.start({ SBPG_MAX_SESSIONS_PER_CLIENT: "3" });
  const ids = [
    await readySession(first.url, "runc"),
    await readySession(first.url, "gvisor"),
    await readySession(first.url, "containerd-runc"),
  ];
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
  expect(await containerdSandboxes()).toContain(`sbpg-${ids[2]}`);

  const second = await host.start();
  expect(await containers("runc", "runc")).toEqual([]);
  expect(await containers("runsc", "gvisor")).toEqual([]);
  expect(await readdir(path.join(host.stateDir, "runc", "bundles"))).toEqual([]);
  expect(await readdir(path.join(host.stateDir, "gvisor", "bundles"))).toEqual([]);
  expect(await containerdSandboxes()).toBe("");
  expect(await readdir(path.join(host.stateDir, "containerd", "bundles"))).toEqual([]);
  expect(await host.sandboxCgroups()).toEqual([]);
  for (let i = 0; i < 40 && (await processesOfStateDir()) !== ""; i++)
    await new Promise((r) => setTimeout(r, 50));
  expect(await processesOfStateDir()).toBe("");
  // The restarted server knows nothing of them: the page says the session is gone.
  const gone = await fetch(`${second.url}/api/sessions/${ids[0]}`);
  expect(gone.status).toBe(404);
  second.child.kill("SIGTERM");
  await new Promise((r) => second.child.once("exit", r));
}, 120_000);
