// Agent <-> guest client round trips over a unix socket and over TCP on loopback, with a test-double backend.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packArg, writeArg } from "../backends/genop-args";
import { VaccelClient } from "../client/vaccel-client";
import { decodeMessage, encodeMessage, lookupMessage } from "../proto-root";
import { formatRpcAddress, parseRpcAddress } from "../rpc-address";
import { TtrpcClient } from "../ttrpc/ttrpc-client";
import { StatusCode } from "../ttrpc/status-code";
import {
  AGENT_SERVICE,
  ArgType,
  ResourceType,
  VACCEL_ERROR_TYPE_URL,
  methodTypes,
} from "../vaccel-protocol";
import { type AccelBackend, AccelBackendError, type AgentSession } from "./accel-backend";
import { VaccelAgent } from "./vaccel-agent";

/** Labels an image by its first byte and echoes genop inputs, so replies prove what the agent passed along. */
function createRecordingBackend() {
  const sessionsSeen: AgentSession[] = [];
  const backend: AccelBackend = {
    async classifyImage(session, image) {
      sessionsSeen.push(session);
      if (image.length === 0) throw new AccelBackendError("empty image", 22);
      return { tag: `class-${image[0]} with ${session.resources.length} resource(s)` };
    },
    async genop(session, call) {
      sessionsSeen.push(session);
      return call.writeArgs.map((_, i) => Uint8Array.of(call.op ?? 255, i));
    },
  };
  return { backend, sessionsSeen };
}

const transports = [
  { name: "unix socket", address: (dir: string) => `unix://${path.join(dir, "agent.sock")}` },
  { name: "tcp on 127.0.0.1", address: () => "tcp://127.0.0.1:0" },
];

describe.each(transports)("VaccelAgent over $name", ({ address }) => {
  let dir: string;
  let agent: VaccelAgent;
  let target: string;
  const { backend, sessionsSeen } = createRecordingBackend();

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "vaccel-agent-"));
    agent = new VaccelAgent({ backend });
    target = formatRpcAddress(await agent.listen(address(dir)));
  });

  afterAll(async () => {
    await agent.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("creates a session, registers a model, classifies, runs genop, and cleans up", async () => {
    const client = await VaccelClient.connect(target);
    const session = await client.createSession(0);
    expect(session).toBeGreaterThan(0);
    const model = Uint8Array.from([1, 2, 3, 4]);
    const resource = await client.registerResource(session, ResourceType.MODEL, [
      { name: "model.onnx", data: model },
    ]);
    expect(resource).toBeGreaterThan(0);

    expect(await client.imageClassification(session, Uint8Array.of(42))).toBe(
      "class-42 with 1 resource(s)",
    );
    const seen = sessionsSeen.at(-1) as AgentSession;
    expect(seen.id).toBe(session);
    expect(seen.resources[0]).toMatchObject({ id: resource, type: ResourceType.MODEL });
    expect([...seen.resources[0].blobs[0].data]).toEqual([1, 2, 3, 4]);

    const outputs = await client.genop(
      session,
      [packArg.op(7), packArg.raw(Uint8Array.of(1))],
      [writeArg(ArgType.UCHAR_ARRAY, 4), writeArg(ArgType.UCHAR_ARRAY, 4)],
    );
    expect(outputs.map((o) => [...o])).toEqual([
      [7, 0],
      [7, 1],
    ]);

    await client.unregisterResource(session, resource);
    await client.destroySession(session);
    await expect(client.imageClassification(session, Uint8Array.of(1))).rejects.toMatchObject({
      code: StatusCode.NOT_FOUND,
      statusMessage: `Unknown session ${session}`,
    });
    await client.close();
  });

  it('answers an unknown session with NOT_FOUND "Unknown session N" as vaccel-rpc-agent does', async () => {
    const client = await VaccelClient.connect(target);
    await expect(client.genop(999, [], [])).rejects.toMatchObject({
      code: 5,
      statusMessage: "Unknown session 999",
    });
    await expect(
      client.registerResource(999, ResourceType.DATA, [{ name: "a", data: Uint8Array.of(1) }]),
    ).rejects.toMatchObject({
      code: StatusCode.NOT_FOUND,
    });
    await client.close();
  });

  it("keeps sandboxes apart: another connection cannot use or see a session", async () => {
    const first = await VaccelClient.connect(target);
    const second = await VaccelClient.connect(target);
    const session = await first.createSession();
    await expect(second.destroySession(session)).rejects.toMatchObject({
      code: StatusCode.NOT_FOUND,
    });
    await first.destroySession(session);
    await Promise.all([first.close(), second.close()]);
  });

  it("reports a backend failure as INTERNAL with a vaccel.VaccelError detail", async () => {
    const client = await VaccelClient.connect(target);
    const session = await client.createSession();
    const err = await client.imageClassification(session, new Uint8Array(0)).catch((e) => e);
    expect(err.code).toBe(StatusCode.INTERNAL);
    expect(err.statusMessage).toBe("empty image");
    expect(err.details[0].type_url).toBe(VACCEL_ERROR_TYPE_URL);
    expect(decodeMessage(lookupMessage("vaccel.VaccelError"), err.details[0].value)).toMatchObject({
      type: 0,
      ffi_error: 22,
    });
    await client.close();
  });

  it("refuses host paths and empty resources with INVALID_ARGUMENT", async () => {
    const client = await VaccelClient.connect(target);
    const session = await client.createSession();
    await expect(client.registerResource(session, ResourceType.MODEL, [])).rejects.toMatchObject({
      code: StatusCode.INVALID_ARGUMENT,
    });
    await client.close();
    // libvaccel may send host paths; VaccelClient never does, so speak ttrpc directly.
    const raw = await TtrpcClient.connect(parseRpcAddress(target));
    const types = methodTypes("CreateSession");
    const created = decodeMessage<{ session_id: number }>(
      types.response,
      await raw.call(AGENT_SERVICE, "CreateSession", encodeMessage(types.request, { flags: 0 })),
    );
    const register = encodeMessage(methodTypes("RegisterResource").request, {
      paths: ["/etc/shadow"],
      resource_type: ResourceType.MODEL,
      session_id: created.session_id,
    });
    await expect(raw.call(AGENT_SERVICE, "RegisterResource", register)).rejects.toMatchObject({
      code: StatusCode.INVALID_ARGUMENT,
      statusMessage: expect.stringContaining("host paths"),
    });
    await raw.close();
  });
});

describe("VaccelAgent limits and cleanup", () => {
  it("bounds sessions and resource bytes per sandbox, and frees them when the sandbox disconnects", async () => {
    const { backend, sessionsSeen } = createRecordingBackend();
    const agent = new VaccelAgent({
      backend,
      limits: { maxSessionsPerSandbox: 2, maxResourceBytesPerSandbox: 8 },
    });
    const target = formatRpcAddress(await agent.listen("tcp://127.0.0.1:0"));
    const client = await VaccelClient.connect(target);
    const a = await client.createSession();
    await client.createSession();
    await expect(client.createSession()).rejects.toMatchObject({
      code: StatusCode.RESOURCE_EXHAUSTED,
    });
    await client.registerResource(a, ResourceType.DATA, [{ name: "x", data: new Uint8Array(6) }]);
    await expect(
      client.registerResource(a, ResourceType.DATA, [{ name: "y", data: new Uint8Array(6) }]),
    ).rejects.toMatchObject({
      code: StatusCode.RESOURCE_EXHAUSTED,
    });
    await client.close();

    // A fresh connection is a fresh sandbox: the old one's quota was released with it.
    const next = await VaccelClient.connect(target);
    const b = await next.createSession();
    await next.registerResource(b, ResourceType.DATA, [{ name: "z", data: new Uint8Array(8) }]);
    await next.imageClassification(b, Uint8Array.of(1));
    expect(sessionsSeen.at(-1)?.resources).toHaveLength(1);
    await next.close();
    await agent.close();
  });

  it("rejects a RegisterResource whose frame is over the agent's limit, and keeps the connection", async () => {
    const { backend } = createRecordingBackend();
    const agent = new VaccelAgent({ backend, limits: { maxFrameBytes: 1024 } });
    const client = await VaccelClient.connect(
      formatRpcAddress(await agent.listen("tcp://127.0.0.1:0")),
    );
    const session = await client.createSession();
    await expect(
      client.registerResource(session, ResourceType.MODEL, [
        { name: "big", data: new Uint8Array(4096) },
      ]),
    ).rejects.toMatchObject({ code: StatusCode.RESOURCE_EXHAUSTED });
    await client.destroySession(session);
    await client.close();
    await agent.close();
  });
});
