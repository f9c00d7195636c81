// For integration tests: a real playground server (API only) on a random port with its own state folder.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { io, type Socket } from "socket.io-client";
import { loadConfig } from "../config/env";
import { createLogger } from "../log/logger";
import { startPlaygroundServer, type PlaygroundServer } from "../app";

export interface TestHost {
  server: PlaygroundServer;
  url: string;
  stateDir: string;
  /** Where the workshop database lives: a temporary folder removed at close, unless SBPG_DATA_DIR was given. */
  dataDir: string;
  request(
    method: string,
    route: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; json: any; text: string; headers: Headers }>;
  /** `headers` (cookies) ride on the handshake; `auth` is socket.io's handshake payload (a facilitator token). */
  socket(options?: { headers?: Record<string, string>; auth?: Record<string, string> }): Socket;
  close(): Promise<void>;
}

export async function startTestHost(env: Record<string, string> = {}): Promise<TestHost> {
  const stateDir = await mkdtemp(path.join("/run", "sbpg-test-"));
  // A test that restarts a host passes the same SBPG_DATA_DIR to both and removes it itself.
  const ownDataDir = env.SBPG_DATA_DIR
    ? null
    : await mkdtemp(path.join(os.tmpdir(), "sbpg-test-data-"));
  const dataDir = env.SBPG_DATA_DIR ?? ownDataDir!;
  const config = loadConfig({
    ...process.env,
    PORT: "0",
    HOST: "127.0.0.1",
    NODE_ENV: "test",
    SBPG_STATE_DIR: stateDir,
    // The agent serves per-run sockets only: parallel test hosts would compete for one shared port.
    SBPG_VACCEL_ADDRESS: "",
    SBPG_DATA_DIR: dataDir,
    // microVMs boot cold unless a test asks for the snapshot: every host would otherwise save one in the background.
    SBPG_MICROVM_SNAPSHOT: "off",
    ...env,
  });
  const server = await startPlaygroundServer(
    config,
    createLogger(process.env.TEST_LOG_LEVEL ?? "silent"),
    null,
  );
  const sockets: Socket[] = [];
  const url = server.url;
  return {
    server,
    url,
    stateDir,
    dataDir,
    async request(method, route, body, headers = {}) {
      const res = await fetch(`${url}${route}`, {
        method,
        headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
        body:
          body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
      return { status: res.status, json, text, headers: res.headers };
    },
    socket(options = {}) {
      const socket = io(url, {
        transports: ["websocket"],
        forceNew: true,
        extraHeaders: options.headers,
        auth: options.auth,
      });
      sockets.push(socket);
      return socket;
    },
    async close() {
      for (const s of sockets) s.close();
      await server.close();
      await rm(stateDir, { recursive: true, force: true });
      if (ownDataDir) await rm(ownDataDir, { recursive: true, force: true });
    },
  };
}

/** Polls a run until it reaches a final state. */
export async function waitForEnd(host: TestHost, id: string, timeoutMs = 30_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { json } = await host.request("GET", `/api/runs/${id}`);
    if (["exited", "failed", "stopped"].includes(json.state)) return json;
    if (Date.now() > deadline)
      throw new Error(`run ${id} still ${json.state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Polls a session until it reaches `state`; throws once it has ended or failed instead, or on the deadline. */
export async function waitForSession(
  host: TestHost,
  id: string,
  state: string,
  options: { headers?: Record<string, string>; timeoutMs?: number; pollMs?: number } = {},
): Promise<any> {
  const { headers, timeoutMs = 30_000, pollMs = 50 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { json } = await host.request("GET", `/api/sessions/${id}`, undefined, headers);
    if (json.state === state) return json;
    if (["ended", "failed"].includes(json.state) || Date.now() > deadline)
      throw new Error(`session ${id} is ${json.state}, not ${state}: ${JSON.stringify(json)}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** Creates a session (201 or it throws with the reply) and waits until it is ready; returns its id. */
export async function startSession(
  host: TestHost,
  runtime: string,
  headers?: Record<string, string>,
): Promise<string> {
  const created = await host.request("POST", "/api/sessions", { runtime }, headers);
  if (created.status !== 201)
    throw new Error(`POST /api/sessions answered ${created.status}: ${created.text}`);
  await waitForSession(host, created.json.id, "ready", { headers });
  return created.json.id as string;
}

/** Runs a command to its end and returns the snapshot and the output. */
export async function runToEnd(
  host: TestHost,
  body: Record<string, unknown>,
): Promise<{ run: any; logs: string }> {
  const created = await host.request("POST", "/api/runs", body);
  if (created.status !== 201) throw new Error(`POST /api/runs: ${created.status} ${created.text}`);
  const run = await waitForEnd(host, created.json.id);
  const logs = (await host.request("GET", `/api/runs/${created.json.id}/logs`)).text;
  return { run, logs };
}
