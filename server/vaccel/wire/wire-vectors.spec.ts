// The vectors of wire-vectors.ts checked both ways: the agent decodes each request and answers the
// expected bytes; the client encodes each request byte for byte and decodes each reply.
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AccelBackend, AccelBackendError } from "../agent/accel-backend";
import { VaccelAgent } from "../agent/vaccel-agent";
import { VaccelClient } from "../client/vaccel-client";
import { decodeMessage } from "../proto-root";
import { ArgType, type GenopArg, ResourceType, genopOpArg, methodTypes } from "../vaccel-protocol";
import { RawTtrpcConnection } from "./independent-client";
import * as vectors from "./wire-vectors";
import { frameHex, requestBody } from "./wire-vectors";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
/** Byte fields as hex, so a decoded Buffer and a vector's Uint8Array compare by content. */
const comparable = (value: unknown): unknown =>
  value instanceof Uint8Array
    ? hex(value)
    : Array.isArray(value)
      ? value.map(comparable)
      : value && typeof value === "object"
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, comparable(v)]))
        : value;
const fromHex = (text: string) => Buffer.from(text, "hex");

/** ttrpc-rust's sync server on success: Response{status=1: Status{code OK} (an empty message, 0a 00), payload=2}. */
const okBody = (payloadHex: string) =>
  "0a00" + (payloadHex ? "12" + vectors.lenPrefixed(payloadHex) : "");

/** Reads the genop args as the agent hands them over and does what the op asks, in plain code. */
function vectorBackend(): AccelBackend {
  const f32 = (arg: GenopArg) =>
    Array.from({ length: arg.buf.length / 4 }, (_, i) => Buffer.from(arg.buf).readFloatLE(i * 4));
  const i64 = (arg: GenopArg) => Number(Buffer.from(arg.buf).readBigInt64LE(0));
  return {
    async classifyImage() {
      return { tag: "cat" };
    },
    async genop(_session, call) {
      if (call.op === 3) return [Buffer.from("out.png"), Buffer.from("cat")];
      if (call.op === 0) return [];
      if (call.op === 17) {
        const [, m, n, k, alpha, a, , b, , beta] = call.readArgs;
        const [M, N, K] = [i64(m), i64(n), i64(k)];
        const [A, B, C] = [f32(a), f32(b), f32(call.writeArgs[0])];
        const out = Buffer.alloc(M * N * 4);
        for (let i = 0; i < M; i++)
          for (let j = 0; j < N; j++) {
            let sum = 0;
            for (let p = 0; p < K; p++) sum += A[i * K + p] * B[p * N + j];
            out.writeFloatLE(f32(alpha)[0] * sum + f32(beta)[0] * C[i * N + j], (i * N + j) * 4);
          }
        return [out];
      }
      throw new AccelBackendError(`op ${call.op} is not served`, 95);
    },
  };
}

describe("wire vectors: the agent decodes them and answers byte for byte", () => {
  let dir: string;
  let agent: VaccelAgent;
  let socketPath: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "vaccel-vectors-"));
    socketPath = path.join(dir, "agent.sock");
    agent = new VaccelAgent({ backend: vectorBackend() });
    await agent.listen(`unix://${socketPath}`);
  });

  afterAll(async () => {
    await agent.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.each(vectors.sessionVectors)("decodes $name into the message the proto defines", (vector) => {
    const decoded = decodeMessage<Record<string, unknown>>(
      methodTypes(vector.method).request,
      fromHex(vector.request),
    );
    expect(comparable(decoded)).toMatchObject(comparable(vector.requestObject) as object);
  });

  it("serves one guest's whole sequence: each reply is the vector's bytes", async () => {
    const raw = await RawTtrpcConnection.connect({ path: socketPath });
    for (const vector of vectors.sessionVectors) {
      const reply = await raw.call(vectors.SERVICE, vector.method, fromHex(vector.request));
      expect({ name: vector.name, body: hex(reply.body) }).toEqual({
        name: vector.name,
        body: okBody(vector.reply),
      });
    }
    await raw.close();
  });

  it("answers an op with no backend and an unknown session with the error vectors", async () => {
    const raw = await RawTtrpcConnection.connect({ path: socketPath });
    await raw.call(vectors.SERVICE, "CreateSession", new Uint8Array(0));
    const session = await raw.call(vectors.SERVICE, "CreateSession", new Uint8Array(0));
    const sessionId = decodeMessage<{ session_id: number }>(
      methodTypes("CreateSession").response,
      session.payload,
    ).session_id;
    // The vector is for session 1; this connection's session has the next free id.
    const request = vectors.genopUnknownOp.request.replace(
      /^0801/,
      "08" + sessionId.toString(16).padStart(2, "0"),
    );
    const failed = await raw.call(vectors.SERVICE, "Genop", fromHex(request));
    expect(hex(failed.body)).toBe(vectors.genopUnknownOp.reply);
    const missing = await raw.call(
      vectors.SERVICE,
      "DestroySession",
      fromHex(vectors.destroyUnknownSession.request),
    );
    expect(hex(missing.body)).toBe(vectors.destroyUnknownSession.reply);
    await raw.close();
  });
});

/** A stand-in agent that records each request frame and answers with the next scripted reply payload. */
async function scriptedAgent(replies: string[]) {
  const frames: string[] = [];
  const server = net.createServer((socket) => {
    let buffered = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 10 && buffered.length >= 10 + buffered.readUInt32BE(0)) {
        const length = buffered.readUInt32BE(0);
        const streamId = buffered.readUInt32BE(4);
        frames.push(hex(buffered.subarray(0, 10 + length)));
        buffered = buffered.subarray(10 + length);
        socket.write(fromHex(frameHex(streamId, 2, okBody(replies.shift() ?? ""))));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    address: `tcp://127.0.0.1:${port}`,
    frames,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("wire vectors: the client encodes them byte for byte and decodes the replies", () => {
  it("writes CreateSession as the first frame a vAccel 0.8 guest writes", async () => {
    const agent = await scriptedAgent([vectors.createSession.reply]);
    const client = await VaccelClient.connect(agent.address);
    expect(await client.createSession(0)).toBe(1);
    expect(agent.frames[0]).toBe(vectors.createSessionFrame);
    await client.close();
    await agent.close();
  });

  it("sends every request of a guest's sequence as its vector", async () => {
    const agent = await scriptedAgent(vectors.sessionVectors.map((v) => v.reply));
    const client = await VaccelClient.connect(agent.address);
    const f32 = (values: number[]) => {
      const buf = Buffer.alloc(values.length * 4);
      values.forEach((v, i) => buf.writeFloatLE(v, i * 4));
      return buf;
    };
    const i64 = (value: number) => {
      const buf = Buffer.alloc(8);
      buf.writeBigInt64LE(BigInt(value));
      return { arg_type: ArgType.INT64, buf };
    };
    const scalar = (value: number) => ({ arg_type: ArgType.FLOAT32, buf: f32([value]) });

    expect(await client.createSession(0)).toBe(1);
    await client.updateSession(1, 2);
    expect(
      await client.registerResource(1, ResourceType.MODEL, [
        { name: "model.onnx", data: Uint8Array.of(1, 2, 3, 4) },
      ]),
    ).toBe(1);
    const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47);
    expect(await client.imageClassification(1, png)).toBe("cat");
    const [imageName, text] = await client.genop(1, [genopOpArg(3), png], [512, 512]);
    expect(Buffer.from(imageName).toString("utf8", 0, 7)).toBe("out.png");
    expect(Buffer.from(text).toString("utf8", 0, 3)).toBe("cat");
    expect(await client.genop(1, [genopOpArg(0)], [])).toEqual([]);
    const [c] = await client.genop(
      1,
      [
        genopOpArg(17),
        i64(2),
        i64(2),
        i64(2),
        scalar(1),
        { arg_type: ArgType.FLOAT32_ARRAY, buf: f32([1, 2, 3, 4]) },
        i64(2),
        { arg_type: ArgType.FLOAT32_ARRAY, buf: f32([5, 6, 7, 8]) },
        i64(2),
        scalar(0),
        i64(2),
      ],
      [{ arg_type: ArgType.FLOAT32_ARRAY, size: 16 }],
    );
    expect([0, 1, 2, 3].map((i) => Buffer.from(c).readFloatLE(i * 4))).toEqual([19, 22, 43, 50]);
    await client.unregisterResource(1, 1);
    await client.destroySession(1);

    expect(agent.frames).toEqual(
      vectors.sessionVectors.map((vector, i) =>
        frameHex(2 * i + 1, 1, requestBody(vector.method, vector.request)),
      ),
    );
    await client.close();
    await agent.close();
  });
});
