// POST /api/vaccel/native: the vAccel demo's baseline, the same inference code a sandbox runs, here in the server
// process on the models the host's agent keeps open. One at a time (they share the host's cores with every
// sandbox), a short queue behind it.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import {
  NativeInferBodySchema,
  isSizedOp,
  sizeLimits,
  vaccelLimits,
  type NativeInferReply,
} from "../../lib/api/vaccel";
import { PlaygroundError } from "../errors/playground-error";
import type { ApiRoute } from "../http/api-router";
import { runInference } from "../../guest/vaccel/infer-main";
import type { InferOptions, InferResult } from "../../guest/vaccel/infer-options";
import { decodeImage } from "./inference/image-codec";
import { InferenceInputError } from "../../lib/images/inference-error";
import { OcrModels } from "./inference/ocr-models";
import { MatrixMultiplier } from "./inference/sgemm";

export interface VaccelRoutesContext {
  /**
   * The host agent's open models: native inference then runs exactly what an offloaded call runs, minus the RPC.
   * Without an agent, the routes open a set of their own on first use and keep it.
   */
  models?: OcrModels;
  /** The host agent's MatMul session, for sgemm, as `models`; without an agent, one of the routes' own. */
  multiplier?: MatrixMultiplier;
  /** How many inferences may wait behind the running one; more are refused with 429. */
  maxQueue?: number;
  /** The inference itself; tests may count or slow it. */
  infer?: (options: InferOptions) => Promise<InferResult>;
}

export function vaccelRoutes(context: VaccelRoutesContext = {}): ApiRoute[] {
  const queue = new SerialQueue(context.maxQueue ?? vaccelLimits.maxNativeQueue);
  const models = context.models ?? new OcrModels();
  const multiplier = context.multiplier ?? new MatrixMultiplier();
  // No process starts for native inference: startMs 0.
  const infer =
    context.infer ??
    ((options) => runInference(options, { log: () => {}, models, multiplier, startMs: 0 }));
  return [
    {
      method: "POST",
      pattern: /^\/api\/vaccel\/native$/,
      async handler(request) {
        const body = await request.body(NativeInferBodySchema, "vaccel request");
        const source =
          body.input === undefined
            ? undefined
            : body.input.kind === "image"
              ? { image: checkImage(Buffer.from(body.input.base64, "base64")) }
              : { text: body.input.text };
        const size = isSizedOp(body.op) ? (body.size ?? sizeLimits[body.op].default) : undefined;
        const queuedAt = performance.now();
        const result = await queue.run(async () => {
          const queuedMs = performance.now() - queuedAt;
          const options = {
            op: body.op,
            iterations: body.iterations,
            ...(size === undefined ? {} : { size }),
          };
          const result = await withInput(source, (input) =>
            infer(input === undefined ? options : { ...options, input }),
          );
          return { result, queuedMs: Math.round(queuedMs * 1000) / 1000 };
        });
        return { status: 200, body: result satisfies NativeInferReply };
      },
    },
  ];
}

/** Refuses what is not a PNG or JPEG within the decoder's limits before any model opens. */
function checkImage(bytes: Buffer): Buffer {
  try {
    decodeImage(bytes);
  } catch (err) {
    if (err instanceof InferenceInputError)
      throw new PlaygroundError("bad_request", "image", `Invalid image: ${err.message}`);
    throw err;
  }
  return bytes;
}

/** The workload reads an image from a file, as it does in a sandbox: one private file per request. */
async function withInput<T>(
  source: { text: string } | { image: Buffer } | undefined,
  use: (input: InferOptions["input"]) => Promise<T>,
): Promise<T> {
  if (source === undefined) return use(undefined);
  if ("text" in source) return mapInputErrors(() => use({ text: source.text }));
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "sbpg-vaccel-native-"));
  try {
    const imagePath = path.join(dir, "input");
    await fs.writeFile(imagePath, source.image, { mode: 0o600 });
    return await mapInputErrors(() => use({ imagePath }));
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function mapInputErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof InferenceInputError)
      throw new PlaygroundError("bad_request", "image", `Invalid input: ${err.message}`);
    throw err;
  }
}

/** Runs one task at a time in arrival order; refuses a task when `maxWaiting` are already waiting. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  /** The running task and those waiting behind it. */
  private pending = 0;

  constructor(private readonly maxWaiting: number) {}

  run<T>(task: () => Promise<T>): Promise<T> {
    if (this.pending > this.maxWaiting) {
      throw new PlaygroundError(
        "quota",
        "vaccel_native",
        "Native inference is busy with other visitors' runs; try again in a few seconds.",
      );
    }
    this.pending++;
    const result = this.tail.then(task).finally(() => this.pending--);
    // The next task waits for this one to settle, whether it succeeded or not.
    this.tail = result.catch(() => undefined);
    return result;
  }
}
