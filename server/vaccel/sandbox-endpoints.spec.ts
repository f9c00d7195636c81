// Per-run sockets served by one agent: each connection its own sandbox, folders gone on close and on reap.
import { mkdir, mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VaccelAgent } from "./agent/vaccel-agent";
import { VaccelClient } from "./client/vaccel-client";
import { probeHostAgent } from "./host-agent";
import { parseRpcAddress } from "./rpc-address";
import { SandboxEndpoints } from "./sandbox-endpoints";

let dir: string;
let agent: VaccelAgent;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "sbpg-endpoints-"));
  agent = new VaccelAgent({
    backend: {
      classifyImage: async () => ({ tag: "x" }),
      genop: async () => [],
    },
  });
});
afterAll(async () => {
  await agent.close();
  await rm(dir, { recursive: true, force: true });
});

describe("SandboxEndpoints", () => {
  it("serves each run's socket from the one agent, with sessions apart per connection", async () => {
    const endpoints = new SandboxEndpoints(agent, path.join(dir, "vaccel"));
    const [a, b] = await Promise.all([endpoints.open("sbpg-a"), endpoints.open("sbpg-b")]);
    expect(a.hostSocketPath).toBe(path.join(dir, "vaccel", "sbpg-a", "agent.sock"));
    expect((await stat(a.hostSocketPath)).mode & 0o777).toBe(0o666);
    expect((await stat(path.dirname(a.hostSocketPath))).mode & 0o777).toBe(0o711);
    const clientA = await VaccelClient.connect(`unix://${a.hostSocketPath}`);
    const clientB = await VaccelClient.connect(`unix://${b.hostSocketPath}`);
    const session = await clientA.createSession();
    expect(agent.sessionCount).toBe(1);
    // B's connection is another sandbox: A's session is not B's to destroy.
    await expect(clientB.destroySession(session)).rejects.toThrow();
    await clientA.destroySession(session);
    await clientB.close();
    await a.close();
    await a.close();
    await b.close();
    await expect(clientA.createSession()).rejects.toThrow();
    expect(await readdir(path.join(dir, "vaccel"))).toEqual([]);
  });

  it("reaps folders a crashed process left, and only the playground's", async () => {
    const endpoints = new SandboxEndpoints(agent, path.join(dir, "reap"));
    await mkdir(path.join(dir, "reap", "sbpg-old"), { recursive: true });
    await mkdir(path.join(dir, "reap", "other"), { recursive: true });
    expect(await endpoints.reap()).toEqual(["vaccel socket sbpg-old"]);
    expect(await readdir(path.join(dir, "reap"))).toEqual(["other"]);
  });

  it("relays a run that chooses the host's agent to it, byte for byte, one upstream connection per sandbox connection", async () => {
    // A second agent stands in for a vaccel-rpc-agent of the host.
    const hostAgent = new VaccelAgent({
      backend: {
        classifyImage: async () => ({ tag: "from the host agent" }),
        genop: async () => [],
      },
    });
    const hostAddress = await hostAgent.listen(`unix://${path.join(dir, "host-agent.sock")}`);
    const endpoints = new SandboxEndpoints(agent, path.join(dir, "relay"), hostAddress);
    const endpoint = await endpoints.open("sbpg-relay", { agent: "host" });
    const client = await VaccelClient.connect(`unix://${endpoint.hostSocketPath}`);
    const session = await client.createSession();
    expect(await client.imageClassification(session, Uint8Array.of(1))).toBe("from the host agent");
    expect(hostAgent.sessionCount).toBe(1);
    expect(agent.sessionCount).toBe(0);
    await client.close();
    await endpoint.close();
    await expect(probeHostAgent(hostAddress)).resolves.toMatchObject({
      answers: true,
      error: null,
    });
    await hostAgent.close();
    await expect(
      probeHostAgent(parseRpcAddress(`unix://${path.join(dir, "host-agent.sock")}`), 200),
    ).resolves.toMatchObject({ answers: false });
  });

  it("refuses the host's agent when none is configured, with what to set", async () => {
    const endpoints = new SandboxEndpoints(agent, path.join(dir, "none"));
    await expect(endpoints.open("sbpg-x", { agent: "host" })).rejects.toThrow(/VACCEL_RPC_ADDRESS/);
  });
});
