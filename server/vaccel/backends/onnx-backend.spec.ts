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
import { renderTextLine } from "../inference/bitmap-font";
import { decodeImage, encodePng } from "../inference/image-codec";
import { recognizeText } from "../inference/ocr-pipeline";
import { OcrModels } from "../inference/ocr-models";
import { classifyOrientation } from "../inference/orientation";
import { GENOP_IMAGE_CLASSIFY, GENOP_OCR, encodeGenopOp } from "./genop-ops";
import { OnnxBackend, VACCEL_EINVAL, VACCEL_ENOTSUP, formatOrientationTag } from "./onnx-backend";

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
  });

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
      [encodeGenopOp(GENOP_OCR), upright],
      [256, 4096],
    );
    expect(new TextDecoder().decode(text)).toBe("HELLO 2026");
    expect(new TextDecoder().decode(text)).toBe(nativeOcr.text);
    expect(JSON.parse(new TextDecoder().decode(linesJson))).toEqual(
      nativeOcr.lines.map(({ text, score, box }) => ({ text, score, box })),
    );

    const [tag, imageName] = await client.genop(
      session,
      [encodeGenopOp(GENOP_IMAGE_CLASSIFY), turned],
      [64, 64],
    );
    expect(new TextDecoder().decode(tag)).toBe(formatOrientationTag(native));
    expect(imageName).toHaveLength(0);

    await client.destroySession(session);
  });

  it("answers an unknown op, a bad image and a too-small buffer with vAccel error codes", async () => {
    const session = await client.createSession();
    const vaccelCode = async (call: Promise<unknown>) => {
      const err = await call.then(
        () => undefined,
        (e) => e,
      );
      expect(err?.code).toBe(StatusCode.INTERNAL);
      return decodeMessage<{ ffi_error: number }>(
        lookupMessage("vaccel.VaccelError"),
        err.details[0].value,
      ).ffi_error;
    };
    expect(await vaccelCode(client.genop(session, [encodeGenopOp(42)], [16]))).toBe(VACCEL_ENOTSUP);
    expect(
      await vaccelCode(client.imageClassification(session, new TextEncoder().encode("GIF89a"))),
    ).toBe(VACCEL_EINVAL);
    expect(await vaccelCode(client.genop(session, [encodeGenopOp(GENOP_OCR), upright], [4]))).toBe(
      VACCEL_EINVAL,
    );
    expect(await vaccelCode(client.genop(session, [encodeGenopOp(GENOP_OCR)], [64]))).toBe(
      VACCEL_EINVAL,
    );
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
