// The OnnxBackend behind the real agent: a guest's calls over a unix socket give the same answers as native calls.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VaccelAgent } from "../agent/vaccel-agent";
import { VaccelClient } from "../client/vaccel-client";
import { decodeMessage, lookupMessage } from "../proto-root";
import { formatRpcAddress } from "../rpc-address";
import { StatusCode } from "../ttrpc/status-code";
import { renderTextLine } from "../../../lib/images/bitmap-font";
import { decodeImage, encodePng } from "../inference/image-codec";
import { recognizeText } from "../inference/ocr-pipeline";
import { OcrModels } from "../inference/ocr-models";
import { classifyOrientation } from "../inference/orientation";
import { sgemmElement } from "../inference/sgemm";
import { detectTextBoxes } from "../inference/text-detection";
import {
  genopClassify,
  genopDetect,
  genopMinmax,
  genopNoop,
  genopSgemm,
} from "../../../guest/vaccel/genop-calls";
import { sgemmWorkload } from "../../../guest/vaccel/sgemm-workload";
import { ArgType } from "../vaccel-protocol";
import { packArg, readCString, writeArg } from "./genop-args";
import { GENOP_OCR, GenopOp } from "./genop-ops";
import { OnnxBackend, formatOrientationTag } from "./onnx-backend";
import { VACCEL_EINVAL, VACCEL_ENOTSUP, VACCEL_EPERM } from "../vaccel-error-codes";

/** The vAccel error a failed call carried: its ffi_error and the status message. */
async function vaccelError(call: Promise<unknown>): Promise<{ code: number; message: string }> {
  const err = await call.then(
    () => undefined,
    (e) => e,
  );
  expect(err?.code).toBe(StatusCode.INTERNAL);
  const detail = decodeMessage<{ ffi_error: number }>(
    lookupMessage("vaccel.Error"),
    err.details[0].value,
  );
  return { code: detail.ffi_error, message: err.statusMessage };
}

describe("OnnxBackend behind VaccelAgent on a unix socket", () => {
  let dir: string;
  let agent: VaccelAgent;
  let client: VaccelClient;
  const models = new OcrModels();
  const backend = new OnnxBackend({ models });
  const upright = encodePng(renderTextLine("HELLO 2026"));
  const turned = encodePng(renderTextLine("HELLO 2026", { rotate180: true }));

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "vaccel-onnx-"));
    agent = new VaccelAgent({ backend });
    const address = await agent.listen(`unix://${path.join(dir, "agent.sock")}`);
    client = await VaccelClient.connect(formatRpcAddress(address));
    // Opening the three models takes seconds on a loaded host; no test should pay for it.
    await backend.warmUp();
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await agent?.close();
    await models.release();
    await rm(dir, { recursive: true, force: true });
  });

  it("classifies orientation and reads text the same as native calls", async () => {
    const session = await client.createSession();

    const native = await classifyOrientation(models, decodeImage(turned));
    expect(native.label).toBe("180");
    expect(await client.imageClassification(session, turned)).toBe(formatOrientationTag(native));
    expect(await client.imageClassification(session, upright)).toMatch(/^0° /);

    const nativeOcr = await recognizeText(models, decodeImage(upright));
    const [text, linesJson] = await client.genop(
      session,
      [packArg.op(GENOP_OCR), packArg.buffer(upright)],
      [writeArg(ArgType.UCHAR_ARRAY, 256), writeArg(ArgType.UCHAR_ARRAY, 4096)],
    );
    expect(text).toHaveLength(256);
    expect(readCString(text)).toBe("HELLO 2026");
    expect(readCString(text)).toBe(nativeOcr.text);
    expect(JSON.parse(readCString(linesJson))).toEqual(
      nativeOcr.lines.map(({ text, score, box }) => ({ text, score, box })),
    );

    // vAccel 0.8's layout: write [out_imgname, out_text].
    const [imageName, tag] = await client.genop(
      session,
      [packArg.op(GenopOp.IMAGE_CLASSIFY), packArg.buffer(turned)],
      [writeArg(ArgType.UCHAR_ARRAY, 64), writeArg(ArgType.UCHAR_ARRAY, 64)],
    );
    expect(readCString(tag)).toBe(formatOrientationTag(native));
    expect(readCString(imageName)).toBe("");
    expect(await genopClassify(client, session, upright)).toMatch(/^0° /);

    await client.destroySession(session);
  });

  it("IMAGE_DETECT answers the text detector's boxes", async () => {
    const session = await client.createSession();
    const native = await detectTextBoxes(models, decodeImage(upright));
    expect(native.boxes.length).toBeGreaterThan(0);
    const boxes = await genopDetect(client, session, upright);
    expect(boxes).toHaveLength(native.boxes.length);
    expect(boxes[0]).toMatchObject({
      x: native.boxes[0].x,
      y: native.boxes[0].y,
      width: native.boxes[0].width,
      height: native.boxes[0].height,
    });
    expect(boxes[0].score).toBeCloseTo(native.boxes[0].score, 3);
    await client.destroySession(session);
  });

  it("NOOP is a round trip with nothing in it, and takes no other args", async () => {
    const session = await client.createSession();
    await genopNoop(client, session);
    expect(await client.genop(session, [packArg.op(GenopOp.NOOP)], [])).toEqual([]);
    expect(
      await vaccelError(client.genop(session, [packArg.op(GenopOp.NOOP), packArg.int64(1)], [])),
    ).toMatchObject({ code: VACCEL_EINVAL, message: expect.stringContaining("NOOP") });
    await client.destroySession(session);
  });

  it("BLAS_SGEMM computes alpha·A·B + beta·C row-major with leading dimensions past the sizes", async () => {
    const session = await client.createSession();
    // A is 2x3 in rows of 4, B 3x2 in rows of 3, C 2x2 in rows of 3; the padding (9) must stay untouched.
    const a = Float32Array.of(1, 2, 3, 9, 4, 5, 6, 9);
    const b = Float32Array.of(1, 0, 9, 0, 1, 9, 1, 1, 9);
    const c = Float32Array.of(10, 20, 9, 30, 40, 9);
    const result = await genopSgemm(client, session, {
      m: 2,
      n: 2,
      k: 3,
      alpha: 2,
      a,
      lda: 4,
      b,
      ldb: 3,
      beta: 0.5,
      c,
      ldc: 3,
    });
    // A·B = [[4, 5], [10, 11]]; 2·A·B + 0.5·C
    expect([...result]).toEqual([13, 20, 9, 35, 42, 9]);
    await client.destroySession(session);
  });

  it("BLAS_SGEMM of a 256-cube agrees with a double-precision reference", async () => {
    const session = await client.createSession();
    const size = 256;
    const call = sgemmWorkload(size);
    const c = await genopSgemm(client, session, call);
    for (const [i, j] of [
      [0, 0],
      [17, 200],
      [255, 255],
      [128, 3],
    ]) {
      const expected = sgemmElement(call, call.c, i, j);
      expect(Math.abs(c[i * size + j] - expected)).toBeLessThan(
        1e-3 * Math.max(1, Math.abs(expected)),
      );
    }
    await client.destroySession(session);
  });

  it("BLAS_SGEMM refuses a call past the work bound, mistyped args and buffers too small for m, n, k", async () => {
    const session = await client.createSession();
    const sgemmArgs = (m: number, n: number, k: number, a = new Float32Array(4)) => [
      packArg.op(GenopOp.BLAS_SGEMM),
      packArg.int64(m),
      packArg.int64(n),
      packArg.int64(k),
      packArg.float32(1),
      packArg.float32Array(a),
      packArg.int64(k),
      packArg.float32Array(new Float32Array(4)),
      packArg.int64(n),
      packArg.float32(0),
      packArg.int64(n),
    ];
    const c = [packArg.float32Array(new Float32Array(4))];
    expect(await vaccelError(client.genop(session, sgemmArgs(2048, 2048, 2048), c))).toMatchObject({
      code: VACCEL_EINVAL,
      message: expect.stringContaining("past this host's bound"),
    });
    expect(await vaccelError(client.genop(session, sgemmArgs(2, 2, 4), c))).toMatchObject({
      code: VACCEL_EINVAL,
      message: expect.stringContaining("A holds 4 floats"),
    });
    const mistyped = sgemmArgs(2, 2, 1);
    mistyped[1] = packArg.int32(2);
    expect(await vaccelError(client.genop(session, mistyped, c))).toMatchObject({
      code: VACCEL_EINVAL,
      message: "Vaccel error: FFI error: 22 [genop BLAS_SGEMM: m must be INT64; got INT32]",
    });
    expect(
      await vaccelError(client.genop(session, sgemmArgs(2, 2, 1).slice(0, 5), c)),
    ).toMatchObject({
      code: VACCEL_EINVAL,
      message: expect.stringContaining("takes 10 read args"),
    });
    await client.destroySession(session);
  });

  it("MINMAX returns the input clamped to the thresholds and its extremes", async () => {
    const session = await client.createSession();
    const result = await genopMinmax(client, session, Float64Array.of(-5, 0.5, 4000.5, 12), 0, 100);
    expect([...result.clamped]).toEqual([0, 0.5, 100, 12]);
    expect(result).toMatchObject({ min: -5, max: 4000.5 });
    await client.destroySession(session);
  });

  it("refuses host code, ops with no backend here and unknown op types with errors naming them, and keeps serving", async () => {
    const session = await client.createSession();
    const op = (type: number) => client.genop(session, [packArg.op(type)], []);
    expect(await vaccelError(op(GenopOp.EXEC))).toMatchObject({
      code: VACCEL_EPERM,
      message: expect.stringContaining("genop EXEC (1) would run a guest-chosen library"),
    });
    expect(await vaccelError(op(GenopOp.EXEC_WITH_RESOURCE))).toMatchObject({
      code: VACCEL_EPERM,
      message: expect.stringContaining("EXEC_WITH_RESOURCE"),
    });
    for (const [type, name] of [
      [GenopOp.TORCH_MODEL_RUN, "TORCH_MODEL_RUN (15)"],
      [GenopOp.TF_MODEL_RUN, "TF_MODEL_RUN (10)"],
      [GenopOp.FPGA_MMULT, "FPGA_MMULT (19)"],
    ] as const) {
      expect(await vaccelError(op(type))).toMatchObject({
        code: VACCEL_ENOTSUP,
        message: expect.stringContaining(`genop ${name}: this host has no backend for it`),
      });
    }
    expect(await vaccelError(op(42))).toMatchObject({
      code: VACCEL_EINVAL,
      message: expect.stringContaining("genop op 42: not an operation type"),
    });
    // The op type as 4 bytes (vAccel before 0.7) is not libvaccel 0.8's UINT8.
    expect(
      await vaccelError(client.genop(session, [packArg.raw(Uint8Array.of(17, 0, 0, 0))], [])),
    ).toMatchObject({ code: VACCEL_EINVAL, message: expect.stringContaining("missing op type") });
    await genopNoop(client, session);
    await client.destroySession(session);
  });

  it("answers a bad image and a too-small buffer with vAccel error codes", async () => {
    const session = await client.createSession();
    expect(
      await vaccelError(client.imageClassification(session, new TextEncoder().encode("GIF89a"))),
    ).toMatchObject({ code: VACCEL_EINVAL });
    expect(
      await vaccelError(
        client.genop(
          session,
          [packArg.op(GENOP_OCR), packArg.buffer(upright)],
          [writeArg(ArgType.UCHAR_ARRAY, 4)],
        ),
      ),
    ).toMatchObject({ code: VACCEL_EINVAL, message: expect.stringContaining("larger buffer") });
    expect(
      await vaccelError(
        client.genop(session, [packArg.op(GENOP_OCR)], [writeArg(ArgType.UCHAR_ARRAY, 64)]),
      ),
    ).toMatchObject({ code: VACCEL_EINVAL });
    expect(
      await vaccelError(
        client.genop(
          session,
          [packArg.op(GENOP_OCR), packArg.raw(upright)],
          [writeArg(ArgType.UCHAR_ARRAY, 64)],
        ),
      ),
    ).toMatchObject({
      code: VACCEL_EINVAL,
      message: "Vaccel error: FFI error: 22 [genop OCR: image must be BUFFER; got RAW]",
    });
    await client.destroySession(session);
  });

  it("describes itself as onnxruntime-node on the CPU, with model load times", async () => {
    const description = await backend.describe();
    expect(description).toMatchObject({
      name: "onnxruntime-node",
      version: "1.30.0",
      executionProvider: "cpu",
      cudaProviderInstalled: expect.any(Boolean),
    });
    expect(description.modelLoadMs.rec).toBeGreaterThan(0);
  });
});
