// A client written from the upstream protos (independent-client.ts: hand-made protobuf and ttrpc bytes, none of
// this project's vAccel code) against the playground's own host agent, the one the server runs.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../log/logger";
import { type HostAgent, startHostAgent } from "../host-agent";
import { renderTextLine } from "../../../lib/images/bitmap-font";
import { encodePng } from "../inference/image-codec";
import {
  RawTtrpcConnection,
  bytesField,
  firstBytes,
  firstUint,
  frame,
  genopArg,
  genopRequest,
  genopWrittenBufs,
  parseMessage,
  uintField,
  vaccelErrorCode,
} from "./independent-client";

// From the protos of vaccel-rust v0.5.0+vaccel.0.8.0 and include/vaccel/{op,arg,error}.h of vAccel 0.8.
const SERVICE = "vaccel.sync.agent.AgentService";
const op = { NOOP: 0, IMAGE_CLASSIFY: 3, BLAS_SGEMM: 17 };
const argType = { INT64: 7, UINT8: 9, FLOAT32: 17, FLOAT32_ARRAY: 18, UCHAR_ARRAY: 26, BUFFER: 28 };
const code = { OK: 0, INVALID_ARGUMENT: 3, NOT_FOUND: 5, INTERNAL: 13 };
const vaccelCode = { EINVAL: 22, ENOTSUP: 95 };

const opArg = (value: number) => genopArg(argType.UINT8, Uint8Array.of(value));
const int64Arg = (value: number) => {
  const buf = Buffer.alloc(8);
  buf.writeBigInt64LE(BigInt(value));
  return genopArg(argType.INT64, buf);
};
const float32s = (values: number[]) => {
  const buf = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => buf.writeFloatLE(v, i * 4));
  return buf;
};
const cString = (buf: Buffer) =>
  buf.toString("utf8", 0, buf.indexOf(0) < 0 ? buf.length : buf.indexOf(0));

describe("an independent vAccel 0.8 client against the playground's host agent", () => {
  let dir: string;
  let agent: HostAgent;
  let socketPath: string;
  const image = encodePng(renderTextLine("HELLO 2026", { rotate180: true }));

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "vaccel-independent-"));
    socketPath = path.join(dir, "agent.sock");
    agent = await startHostAgent({
      address: `unix://${socketPath}`,
      stateDir: dir,
      log: createLogger("silent"),
    });
  });

  afterAll(async () => {
    await agent?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function createSession(raw: RawTtrpcConnection): Promise<number> {
    // session.CreateRequest{flags=0}: no bytes. CreateResponse{session_id=1}.
    const reply = await raw.call(SERVICE, "CreateSession", new Uint8Array(0));
    expect(reply.code).toBe(code.OK);
    return Number(firstUint(parseMessage(reply.payload), 1));
  }

  it("creates a session, classifies through ImageClassification and Genop, runs NOOP and BLAS_SGEMM, destroys it", async () => {
    const raw = await RawTtrpcConnection.connect({ path: socketPath });
    const session = await createSession(raw);
    expect(session).toBeGreaterThan(0);

    // image.Request{session_id=1, image=2}; image.Response{tags=1}: 1024 bytes, a C string.
    const classified = await raw.call(
      SERVICE,
      "ImageClassification",
      Buffer.concat([uintField(1, session), bytesField(2, image)]),
    );
    expect(classified.code).toBe(code.OK);
    const tags = firstBytes(parseMessage(classified.payload), 1);
    expect(tags.length).toBe(1024);
    const tag = cString(tags);
    expect(tag).toMatch(/°/);

    // classify_generic.c: read [op, image BUFFER], write [out_imagename, out_text] as 512-byte UCHAR_ARRAYs.
    const generic = await raw.call(
      SERVICE,
      "Genop",
      genopRequest(
        session,
        [opArg(op.IMAGE_CLASSIFY), genopArg(argType.BUFFER, image)],
        [
          genopArg(argType.UCHAR_ARRAY, new Uint8Array(512)),
          genopArg(argType.UCHAR_ARRAY, new Uint8Array(512)),
        ],
      ),
    );
    expect(generic).toMatchObject({ code: code.OK });
    const [outImageName, outText] = genopWrittenBufs(generic.payload);
    expect([outImageName.length, outText.length]).toEqual([512, 512]);
    expect(cString(outText)).toBe(tag);

    const noop = await raw.call(SERVICE, "Genop", genopRequest(session, [opArg(op.NOOP)], []));
    expect(noop).toMatchObject({ code: code.OK });
    expect(genopWrittenBufs(noop.payload)).toEqual([]);

    // sgemm_generic.c's layout, 48 x 40 times 40 x 32, row-major, C = 2·A·B + 0.5·C.
    const [m, n, k] = [48, 32, 40];
    const a = Array.from({ length: m * k }, (_, i) => ((i * 7) % 13) / 13 - 0.5);
    const b = Array.from({ length: k * n }, (_, i) => ((i * 5) % 11) / 11 - 0.5);
    const c = Array.from({ length: m * n }, (_, i) => (i % 3) - 1);
    const sgemm = await raw.call(
      SERVICE,
      "Genop",
      genopRequest(
        session,
        [
          opArg(op.BLAS_SGEMM),
          int64Arg(m),
          int64Arg(n),
          int64Arg(k),
          genopArg(argType.FLOAT32, float32s([2])),
          genopArg(argType.FLOAT32_ARRAY, float32s(a)),
          int64Arg(k),
          genopArg(argType.FLOAT32_ARRAY, float32s(b)),
          int64Arg(n),
          genopArg(argType.FLOAT32, float32s([0.5])),
          int64Arg(n),
        ],
        [genopArg(argType.FLOAT32_ARRAY, float32s(c))],
      ),
    );
    expect(sgemm).toMatchObject({ code: code.OK });
    const [written] = genopWrittenBufs(sgemm.payload);
    expect(written.length).toBe(m * n * 4);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) sum += a[i * k + p] * b[p * n + j];
        expect(written.readFloatLE((i * n + j) * 4)).toBeCloseTo(2 * sum + 0.5 * c[i * n + j], 3);
      }
    }

    // session.DestroyRequest{session_id=1}; then the session is gone, as vaccel-rpc-agent says it.
    expect(await raw.call(SERVICE, "DestroySession", uintField(1, session))).toMatchObject({
      code: code.OK,
    });
    expect(
      await raw.call(SERVICE, "Genop", genopRequest(session, [opArg(op.NOOP)], [])),
    ).toMatchObject({
      code: code.NOT_FOUND,
      message: `Unknown session ${session}`,
    });
    await raw.close();
  });

  it("answers unknown ops, garbage, oversized arguments and unknown methods with errors, and keeps serving", async () => {
    const raw = await RawTtrpcConnection.connect({ path: socketPath });
    const session = await createSession(raw);

    // Past vAccel 0.8's last op (VACCEL_OP_MAX is 24): EINVAL, as libvaccel's vaccel_genop answers it.
    const unknownOp = await raw.call(
      SERVICE,
      "Genop",
      genopRequest(session, [opArg(42)], [genopArg(argType.UCHAR_ARRAY, new Uint8Array(8))]),
    );
    expect(unknownOp.code).toBe(code.INTERNAL);
    expect(vaccelErrorCode(unknownOp)).toBe(vaccelCode.EINVAL);
    // A vAccel op this host has no backend for (TORCH_SGEMM, 16): ENOTSUP.
    const torch = await raw.call(SERVICE, "Genop", genopRequest(session, [opArg(16)], []));
    expect(torch.code).toBe(code.INTERNAL);
    expect(vaccelErrorCode(torch)).toBe(vaccelCode.ENOTSUP);

    // A Genop payload that is no genop.Request (a truncated length-delimited field).
    expect(await raw.call(SERVICE, "Genop", Buffer.from("12ff01", "hex"))).toMatchObject({
      code: code.INVALID_ARGUMENT,
    });
    // A frame whose body is no ttrpc.Request at all.
    const garbageStream = raw.takeStreamId();
    raw.write(frame(garbageStream, 1, Buffer.from("ffffffffff", "hex")));
    expect(await raw.reply(garbageStream)).toMatchObject({ code: code.INVALID_ARGUMENT });

    // An arg that claims more than it carries: upstream's Arg conversion refuses it (CONVERSION_FAILED, 6).
    const lying = Buffer.concat([
      bytesField(1, Uint8Array.of(1, 2, 3, 4)),
      uintField(2, 1 << 30),
      uintField(3, argType.BUFFER),
    ]);
    const refused = await raw.call(
      SERVICE,
      "Genop",
      genopRequest(session, [opArg(op.NOOP), lying], []),
    );
    expect(refused.code).toBe(code.INTERNAL);
    expect(firstUint(parseMessage(refused.details[0].value), 1)).toBe(6n);

    // An argument past the agent's frame limit (64 MiB): skipped unread, answered, and the next call served.
    const huge = await raw.call(
      SERVICE,
      "Genop",
      genopRequest(
        session,
        [opArg(op.IMAGE_CLASSIFY), genopArg(argType.BUFFER, new Uint8Array(65 << 20))],
        [],
      ),
    );
    expect(huge).toMatchObject({
      code: code.INVALID_ARGUMENT,
      message: expect.stringMatching(/^message length \d+ exceed maximum message size of \d+$/),
    });

    expect(await raw.call(SERVICE, "Frobnicate", new Uint8Array(0))).toMatchObject({
      code: code.INVALID_ARGUMENT,
      message: `/${SERVICE}/Frobnicate does not exist`,
    });

    expect(
      await raw.call(SERVICE, "Genop", genopRequest(session, [opArg(op.NOOP)], [])),
    ).toMatchObject({
      code: code.OK,
    });
    await raw.close();

    // And a new guest is served as the first was.
    const next = await RawTtrpcConnection.connect({ path: socketPath });
    expect(await createSession(next)).toBeGreaterThan(session);
    await next.close();
  });
});
