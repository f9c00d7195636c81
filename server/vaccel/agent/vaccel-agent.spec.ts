// Agent <-> guest client round trips over a unix socket and over TCP on loopback, with a test-double backend.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VaccelClient } from "../client/vaccel-client";
import { decodeMessage, encodeMessage, lookupMessage } from "../proto-root";
import { formatRpcAddress, parseRpcAddress } from "../rpc-address";
import { TtrpcClient } from "../ttrpc/ttrpc-client";
import { StatusCode } from "../ttrpc/status-code";
import {
  AGENT_SERVICE,
  ArgType,
  IMAGE_TAGS_BYTES,
  ResourceType,
  V04_AGENT_SERVICE,
  VACCEL_ERROR_MESSAGE,
  VACCEL_ERROR_TYPE_URL,
  genopOpArg,
  methodTypes,
} from "../vaccel-protocol";
import { type AccelBackend, AccelBackendError, type AgentSession } from "./accel-backend";
import { VaccelAgent, tagsBuffer } from "./vaccel-agent";

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
      if (call.op === 99) return [new Uint8Array(call.writeArgs[0].size + 1)];
      return call.writeArgs.map((_, i) => Uint8Array.of(call.op ?? 255, i));
    },
  };
  return { backend, sessionsSeen };
}

const transports = [
  { name: "unix socket", address: (dir: string) => `unix://${path.join(dir, "agent.sock")}` },
  { name: "tcp on 127.0.0.1", address: () => "tcp://127.0.0.1:0" },
  // vaccel-rpc-client resolves tcp host names (ToSocketAddrs); the agent listens on one as well.
  { name: "tcp on localhost", address: () => "tcp://localhost:0" },
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

    // The op as libvaccel packs it (1-byte UINT8); each write arg comes back at its own size, zero-filled.
    const outputs = await client.genop(session, [genopOpArg(7), Uint8Array.of(1)], [4, 3]);
    expect(outputs.map((o) => [...o])).toEqual([
      [7, 0, 0, 0],
      [7, 1, 0],
    ]);
    // The old 4-byte op is no op type at all: the backend sees undefined.
    const [legacy] = await client.genop(session, [Uint8Array.of(7, 0, 0, 0)], [2]);
    expect([...legacy]).toEqual([255, 0]);

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

  it("reports a backend failure as INTERNAL with a vaccel.Error detail (type URL vaccel.ProtoError)", async () => {
    const client = await VaccelClient.connect(target);
    const session = await client.createSession();
    const err = await client.imageClassification(session, new Uint8Array(0)).catch((e) => e);
    expect(err.code).toBe(StatusCode.INTERNAL);
    expect(err.statusMessage).toBe("Vaccel error: FFI error: 22 [empty image]");
    expect(err.details[0].type_url).toBe(VACCEL_ERROR_TYPE_URL);
    expect(decodeMessage(lookupMessage(VACCEL_ERROR_MESSAGE), err.details[0].value)).toMatchObject({
      type: 0,
      ffi_error: 22,
    });
    await client.close();
  });

  it("returns ImageClassification tags in a 1024-byte buffer, as the real agent does", async () => {
    const raw = await TtrpcClient.connect(parseRpcAddress(target));
    const create = methodTypes("CreateSession");
    const { session_id } = decodeMessage<{ session_id: number }>(
      create.response,
      await raw.call(AGENT_SERVICE, "CreateSession", encodeMessage(create.request, {})),
    );
    const image = methodTypes("ImageClassification");
    const reply = decodeMessage<{ tags: Uint8Array }>(
      image.response,
      await raw.call(
        AGENT_SERVICE,
        "ImageClassification",
        encodeMessage(image.request, { session_id, image: Uint8Array.of(5) }),
      ),
    );
    expect(reply.tags.length).toBe(IMAGE_TAGS_BYTES);
    expect(Buffer.from(reply.tags).toString("utf8", 0, reply.tags.indexOf(0))).toBe(
      "class-5 with 0 resource(s)",
    );
    await raw.close();
  });

  it("refuses genop args whose size is not their length, and outputs that overrun a write arg", async () => {
    const raw = await TtrpcClient.connect(parseRpcAddress(target));
    const create = methodTypes("CreateSession");
    const { session_id } = decodeMessage<{ session_id: number }>(
      create.response,
      await raw.call(AGENT_SERVICE, "CreateSession", encodeMessage(create.request, {})),
    );
    // An empty write buf with size 16: what this project's client sent before; upstream refuses it.
    const genop = encodeMessage(methodTypes("Genop").request, {
      session_id,
      read_args: [{ buf: Uint8Array.of(0), size: 1, arg_type: ArgType.UINT8 }],
      write_args: [{ buf: new Uint8Array(0), size: 16, arg_type: ArgType.UCHAR_ARRAY }],
    });
    const err = await raw.call(AGENT_SERVICE, "Genop", genop).catch((e) => e);
    expect(err).toMatchObject({
      code: StatusCode.INTERNAL,
      statusMessage:
        "Vaccel error: Conversion failed: Could not convert proto `Arg` to `Arg`: Incorrect size; expected 0 got 16",
    });
    expect(decodeMessage(lookupMessage(VACCEL_ERROR_MESSAGE), err.details[0].value)).toMatchObject({
      type: 6,
    });
    await raw.close();

    const client = await VaccelClient.connect(target);
    const session = await client.createSession();
    await expect(client.genop(session, [genopOpArg(99)], [4])).rejects.toMatchObject({
      code: StatusCode.INTERNAL,
      statusMessage: expect.stringContaining("FFI error: 34"),
    });
    await client.close();
  });

  it("answers under v0.4's service name too, and unknown methods as ttrpc-rust's sync server does", async () => {
    const raw = await TtrpcClient.connect(parseRpcAddress(target));
    const create = methodTypes("CreateSession");
    const reply = await raw.call(V04_AGENT_SERVICE, "CreateSession", new Uint8Array(0));
    expect(
      decodeMessage<{ session_id: number }>(create.response, reply).session_id,
    ).toBeGreaterThan(0);
    await expect(raw.call(AGENT_SERVICE, "Frobnicate", new Uint8Array(0))).rejects.toMatchObject({
      code: StatusCode.INVALID_ARGUMENT,
      statusMessage: `/${AGENT_SERVICE}/Frobnicate does not exist`,
    });
    // A method the proto defines but this host has no backend for: a vAccel ENOTSUP, not a missing method.
    const torch = await raw.call(AGENT_SERVICE, "TorchModelRun", new Uint8Array(0)).catch((e) => e);
    expect(torch.code).toBe(StatusCode.INTERNAL);
    expect(
      decodeMessage(lookupMessage(VACCEL_ERROR_MESSAGE), torch.details[0].value),
    ).toMatchObject({ type: 0, ffi_error: 95 });
    await raw.close();
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

  it("gets a reply over ttrpc's usual 4 MiB to the client, which reads up to the vAccel fork's 1 GiB", async () => {
    const { backend } = createRecordingBackend();
    const agent = new VaccelAgent({ backend });
    const client = await VaccelClient.connect(
      formatRpcAddress(await agent.listen("tcp://127.0.0.1:0")),
    );
    const session = await client.createSession();
    const [big] = await client.genop(session, [genopOpArg(1)], [5 << 20]);
    expect(big.length).toBe(5 << 20);
    expect([...big.subarray(0, 3)]).toEqual([1, 0, 0]);
    await client.close();
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
    ).rejects.toMatchObject({
      code: StatusCode.INVALID_ARGUMENT,
      statusMessage: expect.stringMatching(
        /^message length \d+ exceed maximum message size of 1024$/,
      ),
    });
    await client.destroySession(session);
    await client.close();
    await agent.close();
  });
});

describe("tagsBuffer", () => {
  it("NUL-terminates inside 1024 bytes and never cuts a UTF-8 character", () => {
    const tags = tagsBuffer(`${"a".repeat(1022)}°`);
    expect(tags.length).toBe(IMAGE_TAGS_BYTES);
    expect(tags[1022]).toBe(0);
    expect(tags[1023]).toBe(0);
    expect(Buffer.from(tagsBuffer("90° cat")).toString("utf8", 0, 8)).toBe("90° cat");
  });
});
