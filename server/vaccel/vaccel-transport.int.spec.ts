// A sandbox reaches the host's vAccel agent through its own transport, and only its own: runc, gVisor and
// containerd over a bind-mounted unix socket, the microVM over a virtio-serial port. Never over a network.
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostReplySchema } from "../../lib/api/schemas";
import { createLogger } from "../log/logger";
import { runToEnd, startTestHost, waitForEnd, type TestHost } from "../testing/test-host";
import { VaccelClient } from "./client/vaccel-client";
import { type HostAgent, startHostAgent } from "./host-agent";
import { guestPortNamesScript } from "../testing/guest-probes";

let host: TestHost;

beforeAll(async () => {
  host = await startTestHost({ SBPG_MICROVM_POOL_SIZE: "0" });
});
afterAll(async () => host?.close());

const ping = "node /opt/guest/vaccel-ping.mjs";
const netDevices =
  "echo net=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort | tr '\\n' ,)";

const vaccelFolders = () => readdir(path.join(host.stateDir, "vaccel")).catch(() => [] as string[]);

describe("the host agent", () => {
  it("is described on GET /api/host: backend, no shared listener on a test host", async () => {
    const { status, json } = await host.request("GET", "/api/host");
    expect(status).toBe(200);
    const reply = HostReplySchema.parse(json);
    expect(reply.vaccel).toMatchObject({
      address: null,
      backend: { name: "onnxruntime-node", executionProvider: "cpu" },
      sessions: 0,
    });
    expect(reply.vaccel?.backend.version).toMatch(/^\d+\.\d+/);
    expect(typeof reply.vaccel?.backend.cudaProviderInstalled).toBe("boolean");
  });

  it("refuses a vAccel run where the agent is off, with the reason", async () => {
    const off = await startTestHost({ SBPG_VACCEL: "off", SBPG_MICROVM_POOL_SIZE: "0" });
    try {
      expect((await off.request("GET", "/api/host")).json.vaccel).toBeNull();
      const { status, json } = await off.request("POST", "/api/runs", {
        runtime: "runc",
        vaccel: true,
        command: ["true"],
      });
      expect(status).toBe(409);
      expect(json.error.code).toBe("unavailable:vaccel");
      expect(json.error.message).toMatch(/SBPG_VACCEL=off/);
    } finally {
      await off.close();
    }
  });

  it("rejects a non-boolean vaccel field", async () => {
    const { status } = await host.request("POST", "/api/runs", { runtime: "runc", vaccel: "yes" });
    expect(status).toBe(400);
  });
});

describe.each(["runc", "gvisor", "containerd-runc"] as const)("a vAccel run on %s", (runtime) => {
  it("opens and closes a session over its own socket, still with no network but loopback", async () => {
    const script = [
      ping,
      netDevices,
      "echo addr=$VACCEL_RPC_ADDRESS",
      "[ -S /run/vaccel/agent.sock ] && echo socket=yes",
    ];
    const { run, logs } = await runToEnd(host, {
      runtime,
      image: "node-onnx",
      vaccel: true,
      command: ["sh", "-c", script.join("; ")],
      timeoutMs: 30_000,
    });
    expect(logs).toMatch(/^session \d+$/m);
    expect(logs).toMatch(/^destroyed$/m);
    expect(logs).toMatch(/^net=lo,$/m);
    expect(logs).toMatch(/^addr=unix:\/\/\/run\/vaccel\/agent\.sock$/m);
    expect(logs).toMatch(/^socket=yes$/m);
    expect(run).toMatchObject({ state: "exited", exitCode: 0 });
    expect(run.timings).toHaveProperty("vaccelListening");
    expect(await vaccelFolders()).toEqual([]);
  });

  it("sees only its own socket while another vAccel run holds a session", async () => {
    const holder = await host.request("POST", "/api/runs", {
      runtime,
      vaccel: true,
      command: ["sleep", "3"],
      timeoutMs: 30_000,
    });
    expect(holder.status).toBe(201);
    // The run's folder is 0711 (its mapped root may reach the socket, not list the folder): count mounts instead.
    const script = [
      "ls -A /run",
      "grep -c ' /run/vaccel ' /proc/mounts",
      "[ -S /run/vaccel/agent.sock ] && echo socket=yes",
      "ls /run/vaccel/.. | wc -l",
    ];
    const { logs } = await runToEnd(host, {
      runtime,
      vaccel: true,
      command: ["sh", "-c", script.join("; ")],
      timeoutMs: 30_000,
    });
    // /run holds the image's own empty sbpg folder (where a gVisor session's seccomp helper is mounted) and
    // this run's vaccel folder: nothing of the other run.
    try {
      expect(logs).toBe("sbpg\nvaccel\n1\nsocket=yes\n2\n");
      expect((await vaccelFolders()).length).toBeGreaterThanOrEqual(1);
    } finally {
      await waitForEnd(host, holder.json.id);
    }
    expect(await vaccelFolders()).toEqual([]);
  });

  it("has no /run/vaccel and no address without vaccel", async () => {
    const { logs } = await runToEnd(host, {
      runtime,
      command: [
        "sh",
        "-c",
        "echo addr=$VACCEL_RPC_ADDRESS; ls /run/vaccel 2>&1 | head -c 0; echo done",
      ],
    });
    expect(logs).toBe("addr=\ndone\n");
  });
});

describe("a vAccel run on microvm", () => {
  it("opens and closes a session over its virtio-serial port", async () => {
    const script = [ping, netDevices, "echo addr=$VACCEL_RPC_ADDRESS"];
    const { run, logs } = await runToEnd(host, {
      runtime: "microvm",
      image: "node-onnx",
      vaccel: true,
      pool: true,
      command: ["sh", "-c", script.join("; ")],
      timeoutMs: 90_000,
    });
    expect(logs).toMatch(/^session \d+$/m);
    expect(logs).toMatch(/^destroyed$/m);
    expect(logs).toMatch(/^net=lo,$/m);
    expect(logs).toMatch(/^addr=serial:\/\/\/dev\/vaccel$/m);
    expect(run).toMatchObject({ state: "exited", exitCode: 0 });
    expect(run.timings).toHaveProperty("poolSkippedForVaccel");
    expect(await vaccelFolders()).toEqual([]);
  }, 120_000);
});

describe("a vAccel run on a microVM restored from the snapshot", () => {
  let restoring: TestHost;
  beforeAll(async () => {
    restoring = await startTestHost({
      SBPG_MICROVM_POOL_SIZE: "0",
      SBPG_MICROVM_SNAPSHOT: "on",
      SBPG_MICROVM_SNAPSHOT_TERMINALS: "2",
    });
  });
  afterAll(async () => restoring?.close());

  it("gets its own vAccel port, connected to its run's agent socket at the restore", async () => {
    const deadline = Date.now() + 150_000;
    let snapshot = "";
    while (!snapshot.startsWith("ready") && Date.now() < deadline) {
      const { json } = await restoring.request("GET", "/api/runtimes");
      snapshot =
        json.runtimes?.find((r: { id: string }) => r.id === "microvm")?.details.snapshot ?? "";
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(snapshot).toMatch(/^ready/);
    const { run, logs } = await runToEnd(restoring, {
      runtime: "microvm",
      image: "node-onnx",
      vaccel: true,
      command: [
        "sh",
        "-c",
        [ping, "echo addr=$VACCEL_RPC_ADDRESS", guestPortNamesScript].join("; "),
      ],
      timeoutMs: 90_000,
    });
    expect(logs).toMatch(/^session \d+$/m);
    expect(logs).toMatch(/^destroyed$/m);
    expect(logs).toMatch(/^addr=serial:\/\/\/dev\/vaccel$/m);
    expect(run).toMatchObject({ state: "exited", exitCode: 0 });
    expect(run.timings).toHaveProperty("restored");
    // Restored from the runs' snapshot: no session terminal ports (the sessions' snapshot has them), whose receive
    // buffers would come out of the guest RAM the vAccel workloads need.
    expect(logs).toMatch(/^ports=.*\bvaccel,/m);
    expect(logs).not.toMatch(/^ports=.*\bterm\d/m);
  }, 240_000);
});

describe("a vAccel run that chooses the host's vAccel agent (VACCEL_RPC_ADDRESS)", () => {
  // Another vAccel agent on this host, apart from the server: the playground's own agent code in this test
  // process, where a real vaccel-rpc-agent would be (none can be built here).
  let dir: string;
  let external: HostAgent;
  let socket: string;
  let relaying: TestHost;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "sbpg-host-agent-"));
    socket = path.join(dir, "agent.sock");
    external = await startHostAgent({
      address: `unix://${socket}`,
      stateDir: dir,
      log: createLogger("silent"),
    });
    relaying = await startTestHost({
      SBPG_MICROVM_POOL_SIZE: "0",
      VACCEL_RPC_ADDRESS: `unix://${socket}`,
    });
  });
  afterAll(async () => {
    await relaying?.close();
    await external?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("says on GET /api/host that it answers, and the run's session is that agent's", async () => {
    const { json } = await relaying.request("GET", "/api/host");
    expect(HostReplySchema.parse(json).vaccel?.hostAgent).toEqual({
      address: `unix://${socket}`,
      answers: true,
      error: null,
    });
    const { run, logs } = await runToEnd(relaying, {
      runtime: "runc",
      image: "node-onnx",
      vaccel: true,
      vaccelAgent: "host",
      command: ["sh", "-c", `${ping}; ${netDevices}`],
      timeoutMs: 30_000,
    });
    expect(run).toMatchObject({ state: "exited", exitCode: 0 });
    expect(logs).toMatch(/^net=lo,$/m);
    const session = Number(/^session (\d+)$/m.exec(logs)?.[1]);
    // The external agent numbers its sessions: the next one it gives out follows the run's.
    const client = await VaccelClient.connect(`unix://${socket}`);
    expect(await client.createSession()).toBe(session + 1);
    await client.close();
  });
});
