// Two playgrounds on one host: a second start on the same state folder, or on a taken port, refuses and harms nothing.
import type { ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { mountPoints } from "../images/image-mounts";
import { runCommand } from "../runtimes/process-exit";
import {
  serverProcessOutcome,
  startServerProcess,
  type EndedProcess,
  type ServerProcess,
} from "../testing/server-process";
import { lockFileName, readInstanceLock } from "./instance-lock";

const children: ChildProcess[] = [];
const folders: string[] = [];
const listeners: net.Server[] = [];

afterAll(async () => {
  const running = children.filter((c) => c.exitCode === null && c.signalCode === null);
  for (const child of running) child.kill("SIGTERM");
  await Promise.all(running.map((c) => new Promise((r) => c.once("exit", r))));
  for (const listener of listeners) listener.close();
  for (const folder of folders) await fs.rm(folder, { recursive: true, force: true });
});

async function stateFolder(): Promise<string> {
  const dir = await fs.mkdtemp("/run/sbpg-b-");
  folders.push(dir);
  return dir;
}

/** Each server of a test gets its own data folder too (the workshop database). */
async function env(stateDir: string, extra: Record<string, string> = {}) {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "sbpg-b-data-"));
  folders.push(dataDir);
  return { SBPG_STATE_DIR: stateDir, SBPG_DATA_DIR: dataDir, SBPG_VACCEL_ADDRESS: "", ...extra };
}

async function startServer(vars: Record<string, string>): Promise<ServerProcess> {
  const server = await startServerProcess(vars);
  children.push(server.child);
  return server;
}

async function api(url: string, method: string, route: string, body?: unknown): Promise<any> {
  const res = await fetch(`${url}${route}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return route.endsWith("/logs") ? res.text() : res.json();
}

async function waitForRun(url: string, id: string, states: string[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await api(url, "GET", `/api/runs/${id}`);
    if (states.includes(run.state)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} still ${run.state}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const runcContainers = async (stateDir: string) => {
  const listed = await runCommand("runc", [
    "--root",
    path.join(stateDir, "runc", "root"),
    "list",
    "--format",
    "json",
  ]);
  return ((JSON.parse(listed.stdout || "null") ?? []) as Array<{ id: string; status: string }>).map(
    (c) => `${c.id} ${c.status}`,
  );
};

/** A refused start: non-zero, one line on stderr that says the part given, no stack trace. */
function expectOneLineRefusal(outcome: EndedProcess, ...parts: string[]): void {
  expect(outcome.code).not.toBe(0);
  expect(outcome.code).not.toBeNull();
  const lines = outcome.stderr.trim().split("\n");
  expect(lines, outcome.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^Sandbox Playground did not start: /);
  expect(outcome.stderr).not.toMatch(/^\s+at /m);
  for (const part of parts) expect(lines[0]).toContain(part);
}

it("refuses a second start on the same state folder, which leaves the first one's sandbox running", async () => {
  const stateDir = await stateFolder();
  const first = await startServer(await env(stateDir));
  const firstPort = new URL(first.url).port;
  const created = await api(first.url, "POST", "/api/runs", {
    runtime: "runc",
    // Long enough to outlast the second start on a loaded machine; it must then end on its own.
    command: ["sh", "-c", "echo started; sleep 30; echo slept"],
    timeoutMs: 60_000,
  });
  await waitForRun(first.url, created.id, ["running"], 30_000);
  const lockBefore = await fs.readFile(path.join(stateDir, lockFileName), "utf8");
  const containersBefore = await runcContainers(stateDir);
  const mountsBefore = (await mountPoints()).filter((p) => p.startsWith(`${stateDir}/`));
  const entriesBefore = (await fs.readdir(stateDir)).sort();
  expect(containersBefore).toEqual([`sbpg-${created.id} running`]);

  // As the issue saw it: `npm start` on another port, vAccel off, the same (default) state folder.
  const second = await serverProcessOutcome(await env(stateDir, { PORT: "0", SBPG_VACCEL: "off" }));
  expectOneLineRefusal(
    second,
    stateDir,
    `process ${first.child.pid}`,
    `port ${firstPort}`,
    "SBPG_STATE_DIR",
    "PORT",
    "SBPG_VACCEL_ADDRESS",
  );
  // Nothing was touched: the lock, the container, the image mount, the folder's entries.
  expect(await fs.readFile(path.join(stateDir, lockFileName), "utf8")).toBe(lockBefore);
  expect(await runcContainers(stateDir)).toEqual(containersBefore);
  expect(await api(first.url, "GET", `/api/runs/${created.id}`)).toMatchObject({
    state: "running",
  });
  expect((await mountPoints()).filter((p) => p.startsWith(`${stateDir}/`))).toEqual(mountsBefore);
  expect((await fs.readdir(stateDir)).sort()).toEqual(entriesBefore);

  const ended = await waitForRun(first.url, created.id, ["exited", "failed", "stopped"], 45_000);
  expect(ended).toMatchObject({ state: "exited", exitCode: 0 });
  expect(await api(first.url, "GET", `/api/runs/${created.id}/logs`)).toContain("slept");
}, 180_000);

it("takes over the lock of a server that was killed, and reaps its sandbox", async () => {
  const stateDir = await stateFolder();
  const vars = await env(stateDir);
  const crashed = await startServer(vars);
  const created = await api(crashed.url, "POST", "/api/runs", {
    runtime: "runc",
    command: ["sh", "-c", "echo up; exec sleep 120"],
    timeoutMs: 60_000,
  });
  await waitForRun(crashed.url, created.id, ["running"], 30_000);
  crashed.child.kill("SIGKILL");
  await new Promise((r) => crashed.child.once("exit", r));
  expect(await readInstanceLock(path.join(stateDir, lockFileName))).toMatchObject({
    pid: crashed.child.pid,
  });
  expect(await runcContainers(stateDir)).toHaveLength(1);

  const next = await startServer(vars);
  expect(await readInstanceLock(path.join(stateDir, lockFileName))).toMatchObject({
    pid: next.child.pid,
    port: Number(new URL(next.url).port),
  });
  expect(await runcContainers(stateDir)).toEqual([]);
  next.child.kill("SIGTERM");
  await new Promise((r) => next.child.once("exit", r));
  // A clean stop gives the folder back.
  await expect(fs.access(path.join(stateDir, lockFileName))).rejects.toThrow();
}, 120_000);

/** A failed start gave everything back: no lock, no mount, no process (QEMU, containerd) naming the folder. */
async function expectReleased(stateDir: string): Promise<void> {
  await expect(fs.access(path.join(stateDir, lockFileName))).rejects.toThrow();
  expect((await mountPoints()).filter((p) => p.startsWith(`${stateDir}/`))).toEqual([]);
  expect((await runCommand("pgrep", ["-af", stateDir])).stdout.trim()).toBe("");
}

/** Holds a TCP port on 127.0.0.1 as another program would. */
async function occupy(port: number): Promise<void> {
  const listener = net.createServer();
  listeners.push(listener);
  await new Promise<void>((resolve, reject) => {
    listener.once("error", reject);
    listener.listen(port, "127.0.0.1", () => resolve());
  });
}

it("names a taken HTTP port in one line, and gives the state folder back", async () => {
  const stateDir = await stateFolder();
  await occupy(3212);
  const outcome = await serverProcessOutcome(
    await env(stateDir, { PORT: "3212", SBPG_VACCEL: "off" }),
    40_000,
  );
  expectOneLineRefusal(outcome, "127.0.0.1:3212", "PORT");
  await expectReleased(stateDir);
}, 90_000);

it("names a taken vAccel port in one line, and gives the state folder back", async () => {
  const stateDir = await stateFolder();
  await occupy(65512);
  const outcome = await serverProcessOutcome(
    await env(stateDir, { SBPG_VACCEL: "on", SBPG_VACCEL_ADDRESS: "tcp://127.0.0.1:65512" }),
    40_000,
  );
  expectOneLineRefusal(outcome, "tcp://127.0.0.1:65512", "SBPG_VACCEL_ADDRESS");
  await expectReleased(stateDir);
}, 90_000);

it("leaves a vAccel unix socket that another agent serves, and names it in one line", async () => {
  const stateDir = await stateFolder();
  const socketPath = path.join(await stateFolder(), "agent.sock");
  const listener = net.createServer();
  listeners.push(listener);
  await new Promise<void>((resolve) => listener.listen(socketPath, resolve));
  const outcome = await serverProcessOutcome(
    await env(stateDir, { SBPG_VACCEL: "on", SBPG_VACCEL_ADDRESS: `unix://${socketPath}` }),
    40_000,
  );
  expectOneLineRefusal(outcome, socketPath, "SBPG_VACCEL_ADDRESS");
  await expectReleased(stateDir);
  // Still the other agent's: its socket file is there and answers.
  await new Promise<void>((resolve, reject) =>
    net
      .connect(socketPath)
      .once("connect", function (this: net.Socket) {
        this.destroy();
        resolve();
      })
      .once("error", reject),
  );
}, 90_000);
