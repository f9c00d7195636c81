// An AccelBackend that runs PaddleOCR's models in onnxruntime-node on the host CPU.
import {
  type AccelBackend,
  AccelBackendError,
  type AgentSession,
  type GenopCall,
  type ImageClassificationResult,
} from "../agent/accel-backend";
import type { GenopArg } from "../vaccel-protocol";
import { type ImageLimits, decodeImage, defaultImageLimits } from "../inference/image-codec";
import { InferenceInputError } from "../../../lib/images/inference-error";
import { recognizeText } from "../inference/ocr-pipeline";
import { type OcrModelName, OcrModels, type OnnxRuntimeInfo } from "../inference/ocr-models";
import { type OrientationResult, classifyOrientation } from "../inference/orientation";
import type { RgbImage } from "../../../lib/images/rgb-image";
import { MatrixMultiplier } from "../inference/sgemm";
import { detectTextBoxes } from "../inference/text-detection";
import { GenopArgReader } from "./genop-args";
import { GENOP_OCR, GENOP_OP_COUNT, GenopOp, genopOpName, hostCodeOps } from "./genop-ops";
import { runMinmax, runNoop, runSgemm } from "./host-ops";
import { VACCEL_EINVAL, VACCEL_ENOTSUP, VACCEL_EPERM } from "../vaccel-error-codes";

export interface OnnxBackendOptions {
  models?: OcrModels;
  multiplier?: MatrixMultiplier;
  imageLimits?: ImageLimits;
}

type GenopHandler = (call: GenopCall, signal: AbortSignal) => Promise<Uint8Array[]> | Uint8Array[];

export interface OnnxBackendDescription extends OnnxRuntimeInfo {
  /** Milliseconds each model took to open; a model not used yet is absent. */
  modelLoadMs: Partial<Record<OcrModelName, number>>;
}

/** The tag ImageClassification returns: the orientation in degrees and the classifier's probability. */
export function formatOrientationTag(result: Pick<OrientationResult, "label" | "score">): string {
  return `${result.label}° ${result.score.toFixed(4)}`;
}

/**
 * ImageClassification and genop IMAGE_CLASSIFY: is the text line upright or upside down? Genop IMAGE_DETECT: the
 * text detector's boxes. Genop OCR: the text in the image. Genop NOOP, BLAS_SGEMM and MINMAX: see host-ops.ts.
 * The models are built in; resources a session registers are not used.
 */
export class OnnxBackend implements AccelBackend {
  private readonly models: OcrModels;
  private readonly multiplier: MatrixMultiplier;
  private readonly imageLimits: ImageLimits;
  private readonly handlers: ReadonlyMap<number, GenopHandler>;

  constructor(options: OnnxBackendOptions = {}) {
    this.models = options.models ?? new OcrModels();
    this.multiplier = options.multiplier ?? new MatrixMultiplier();
    this.imageLimits = options.imageLimits ?? defaultImageLimits;
    this.handlers = new Map<number, GenopHandler>([
      [GenopOp.NOOP, runNoop],
      [GenopOp.BLAS_SGEMM, (call, signal) => runSgemm(call, this.multiplier, signal)],
      [GenopOp.MINMAX, runMinmax],
      [GenopOp.IMAGE_CLASSIFY, (call, signal) => this.classifyGenop(call, signal)],
      [GenopOp.IMAGE_DETECT, (call, signal) => this.detectGenop(call, signal)],
      [GENOP_OCR, (call, signal) => this.ocrGenop(call, signal)],
    ]);
  }

  /** The op types genop serves, by name, for the host page and the README. */
  get genopOps(): string[] {
    return [...this.handlers.keys()].map(genopOpName);
  }

  /** Opens every model and the MatMul session now, so the first guest call does not pay for it. */
  async warmUp(): Promise<Partial<Record<OcrModelName, number>>> {
    await Promise.all([
      ...(["cls", "det", "rec"] as const).map((name) => this.models.load(name)),
      this.multiplier.load(),
    ]);
    return this.models.loadTimes();
  }

  async describe(): Promise<OnnxBackendDescription> {
    return { ...(await this.models.runtimeInfo()), modelLoadMs: this.models.loadTimes() };
  }

  async classifyImage(
    _session: AgentSession,
    image: Uint8Array,
    signal: AbortSignal,
  ): Promise<ImageClassificationResult> {
    return { tag: await this.classify(image, signal) };
  }

  async genop(_session: AgentSession, call: GenopCall, signal: AbortSignal): Promise<Uint8Array[]> {
    const handler = call.op === undefined ? undefined : this.handlers.get(call.op);
    if (!handler) throw refusal(call.op, this.genopOps);
    return handler(call, signal);
  }

  /** Read [op, image (BUFFER)]; write [out_imgname, out_text] (UCHAR_ARRAY), as vAccel 0.8's image ops. */
  private async classifyGenop(call: GenopCall, signal: AbortSignal): Promise<Uint8Array[]> {
    const { image, writes } = imageOpArgs("IMAGE_CLASSIFY", call, 2);
    // vAccel's image ops may name an output image; classification writes none.
    return fitWriteArgs(writes, ["", await this.classify(image, signal)]);
  }

  /** Read [op, image (BUFFER)]; write [out_imgname (UCHAR_ARRAY)]: here the boxes as JSON, [{x, y, width, height, score}]. */
  private async detectGenop(call: GenopCall, signal: AbortSignal): Promise<Uint8Array[]> {
    const { image, writes } = imageOpArgs("IMAGE_DETECT", call, 1);
    const decoded = this.decode(image);
    signal.throwIfAborted();
    const { boxes } = await detectTextBoxes(this.models, decoded);
    const rounded = boxes.map(({ x, y, width, height, score }) => ({
      x,
      y,
      width,
      height,
      score: Math.round(score * 1e4) / 1e4,
    }));
    return fitWriteArgs(writes, [JSON.stringify(rounded)]);
  }

  /** Read [op, image (BUFFER)]; write [text] or [text, lines as JSON] (UCHAR_ARRAY). */
  private async ocrGenop(call: GenopCall, signal: AbortSignal): Promise<Uint8Array[]> {
    const writeCount = call.writeArgs.length === 2 ? 2 : 1;
    const { image, writes } = imageOpArgs("OCR", call, writeCount);
    const result = await recognizeText(this.models, this.decode(image), { signal });
    const lines = result.lines.map(({ text, score, box }) => ({ text, score, box }));
    return fitWriteArgs(writes, [result.text, JSON.stringify(lines)].slice(0, writeCount));
  }

  private async classify(image: Uint8Array, signal: AbortSignal): Promise<string> {
    const decoded = this.decode(image);
    signal.throwIfAborted();
    return formatOrientationTag(await classifyOrientation(this.models, decoded));
  }

  private decode(image: Uint8Array): RgbImage {
    try {
      return decodeImage(image, this.imageLimits);
    } catch (err) {
      if (err instanceof InferenceInputError)
        throw new AccelBackendError(err.message, VACCEL_EINVAL);
      throw err;
    }
  }
}

/** The image op args as vaccel_image_op_unpack reads them: one BUFFER, then `writes` UCHAR_ARRAYs. */
function imageOpArgs(
  op: string,
  call: GenopCall,
  writes: number,
): { image: Uint8Array; writes: GenopArg[] } {
  const reads = call.readArgs.length - 1;
  if (reads !== 1 || call.writeArgs.length !== writes) {
    throw new AccelBackendError(
      `genop ${op} takes 1 read arg after the op type (the image) and ${writes} write args; got ${reads} and ${call.writeArgs.length}`,
      VACCEL_EINVAL,
    );
  }
  const read = new GenopArgReader(op, "read", call.readArgs.slice(1));
  const write = new GenopArgReader(op, "write", call.writeArgs);
  const image = read.buffer("image");
  const names = writes === 2 ? ["out_imgname", "out_text"] : ["out_imgname"];
  return { image, writes: names.map((name) => write.ucharArray(name)) };
}

/** Why an op is not served: host code is never run, an op with no backend here is not supported, others are invalid. */
function refusal(op: number | undefined, served: string[]): AccelBackendError {
  const name = genopOpName(op);
  if (op !== undefined && hostCodeOps.has(op)) {
    return new AccelBackendError(
      `genop ${name} (${op}) would run a guest-chosen library on the host; this agent never does`,
      VACCEL_EPERM,
    );
  }
  if (op !== undefined && op < GENOP_OP_COUNT) {
    return new AccelBackendError(
      `genop ${name} (${op}): this host has no backend for it; it serves ${served.join(", ")}`,
      VACCEL_ENOTSUP,
    );
  }
  return new AccelBackendError(
    `genop ${name}: not an operation type of vAccel 0.8 (the first read arg must be one UINT8 byte below ${GENOP_OP_COUNT}, or ${GENOP_OCR} for OCR)`,
    VACCEL_EINVAL,
  );
}

/**
 * Each output in a buffer of its write arg's size, zero-padded: the real agent returns the guest's whole buffer,
 * and libvaccel's RPC plugin copies `size` bytes of it back.
 */
function fitWriteArgs(writes: readonly GenopArg[], outputs: string[]): Uint8Array[] {
  return outputs.map((output, i) => {
    const bytes = new TextEncoder().encode(output);
    const room = writes[i].buf.length;
    // One byte stays for the C string's NUL.
    if (bytes.length >= room) {
      throw new AccelBackendError(
        `genop write arg ${i} holds ${room} bytes but the result needs ${bytes.length + 1}; pass a larger buffer`,
        VACCEL_EINVAL,
      );
    }
    const padded = new Uint8Array(room);
    padded.set(bytes);
    return padded;
  });
}
