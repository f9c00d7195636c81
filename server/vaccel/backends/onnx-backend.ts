// An AccelBackend that runs PaddleOCR's models in onnxruntime-node on the host CPU.
import {
  type AccelBackend,
  AccelBackendError,
  type AgentSession,
  type GenopCall,
  type ImageClassificationResult,
} from "../agent/accel-backend";
import { type ImageLimits, decodeImage, defaultImageLimits } from "../inference/image-codec";
import { InferenceInputError } from "../inference/inference-error";
import { recognizeText } from "../inference/ocr-pipeline";
import { type OcrModelName, OcrModels, type OnnxRuntimeInfo } from "../inference/ocr-models";
import { type OrientationResult, classifyOrientation } from "../inference/orientation";
import type { RgbImage } from "../inference/rgb-image";
import { GENOP_IMAGE_CLASSIFY, GENOP_OCR } from "./genop-ops";

/** vAccel's return codes are errno values (include/vaccel/error.h). */
export const VACCEL_EINVAL = 22;
export const VACCEL_ENOTSUP = 95;

export interface OnnxBackendOptions {
  models?: OcrModels;
  imageLimits?: ImageLimits;
}

export interface OnnxBackendDescription extends OnnxRuntimeInfo {
  /** Milliseconds each model took to open; a model not used yet is absent. */
  modelLoadMs: Partial<Record<OcrModelName, number>>;
}

/** The tag ImageClassification returns: the orientation in degrees and the classifier's probability. */
export function formatOrientationTag(result: Pick<OrientationResult, "label" | "score">): string {
  return `${result.label}° ${result.score.toFixed(4)}`;
}

/**
 * ImageClassification and genop IMAGE_CLASSIFY: is the text line upright or upside down?
 * Genop OCR: the text in the image. The models are built in; resources a session registers are not used.
 */
export class OnnxBackend implements AccelBackend {
  private readonly models: OcrModels;
  private readonly imageLimits: ImageLimits;

  constructor(options: OnnxBackendOptions = {}) {
    this.models = options.models ?? new OcrModels();
    this.imageLimits = options.imageLimits ?? defaultImageLimits;
  }

  /** Opens every model now, so the first guest call does not pay for it. */
  async warmUp(): Promise<Partial<Record<OcrModelName, number>>> {
    await Promise.all((["cls", "det", "rec"] as const).map((name) => this.models.load(name)));
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
    const decoded = this.decode(image);
    signal.throwIfAborted();
    return { tag: formatOrientationTag(await classifyOrientation(this.models, decoded)) };
  }

  async genop(session: AgentSession, call: GenopCall, signal: AbortSignal): Promise<Uint8Array[]> {
    if (call.op === GENOP_IMAGE_CLASSIFY) {
      requireArgCounts(call, "IMAGE_CLASSIFY", [2, 2], [2, 2]);
      const { tag } = await this.classifyImage(session, call.readArgs[1].buf, signal);
      // vAccel's image ops fill an output image name; classification writes none.
      return fitWriteArgs(call, [tag, ""]);
    }
    if (call.op === GENOP_OCR) {
      requireArgCounts(call, "OCR", [2, 2], [1, 2]);
      const result = await recognizeText(this.models, this.decode(call.readArgs[1].buf), {
        signal,
      });
      const lines = result.lines.map(({ text, score, box }) => ({ text, score, box }));
      return fitWriteArgs(
        call,
        [result.text, JSON.stringify(lines)].slice(0, call.writeArgs.length),
      );
    }
    throw new AccelBackendError(
      `genop op ${call.op ?? "(missing)"} is not supported here; this backend serves IMAGE_CLASSIFY (${GENOP_IMAGE_CLASSIFY}) and OCR (${GENOP_OCR})`,
      VACCEL_ENOTSUP,
    );
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

function requireArgCounts(
  call: GenopCall,
  op: string,
  [minRead, maxRead]: [number, number],
  [minWrite, maxWrite]: [number, number],
): void {
  const reads = call.readArgs.length;
  const writes = call.writeArgs.length;
  if (reads < minRead || reads > maxRead || writes < minWrite || writes > maxWrite) {
    const range = (min: number, max: number) => (min === max ? `${min}` : `${min}-${max}`);
    throw new AccelBackendError(
      `genop ${op} takes ${range(minRead, maxRead)} read args (op type first) and ${range(minWrite, maxWrite)} write args; got ${reads} and ${writes}`,
      VACCEL_EINVAL,
    );
  }
}

/** libvaccel copies each output into the guest's buffer of the write arg's size, so an output must fit. */
function fitWriteArgs(call: GenopCall, outputs: string[]): Uint8Array[] {
  return outputs.map((output, i) => {
    const bytes = new TextEncoder().encode(output);
    const room = call.writeArgs[i].size;
    if (bytes.length > room) {
      throw new AccelBackendError(
        `genop write arg ${i} holds ${room} bytes but the result is ${bytes.length}; pass a larger buffer`,
        VACCEL_EINVAL,
      );
    }
    return bytes;
  });
}
