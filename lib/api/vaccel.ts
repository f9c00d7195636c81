// The vAccel demo's wire shapes: the inference workload's RESULT line (printed in every sandbox, parsed by the page),
// and POST /api/vaccel/native, the same inference in the server process.
import { z } from "zod";
import { MAX_RENDERED_CHARACTERS, RENDERABLE_CHARACTERS } from "../images/bitmap-font";

export const inferOps = ["ocr", "classify", "detect", "sgemm", "minmax", "noop"] as const;
export const InferOpSchema = z.enum(inferOps, { message: `must be one of ${inferOps.join(", ")}` });
export type InferOp = z.infer<typeof InferOpSchema>;

/** Ops that read an image; the others generate their data from --size (sgemm, minmax) or have none (noop). */
export const imageOps: readonly InferOp[] = ["ocr", "classify", "detect"];
export const isImageOp = (op: InferOp): boolean => imageOps.includes(op);

/**
 * --size per op: SGEMM multiplies two N×N matrices (its request, A and B and C, must fit one 4 MiB ttrpc frame, so
 * N is at most 512); MINMAX scans N doubles.
 */
export const sizeLimits = {
  sgemm: { min: 16, max: 512, default: 256 },
  minmax: { min: 1, max: 262_144, default: 65_536 },
} as const;
export type SizedOp = keyof typeof sizeLimits;
export const isSizedOp = (op: InferOp): op is SizedOp => op in sizeLimits;

export const RESULT_PREFIX = "RESULT ";

export const InferResultSchema = z.object({
  mode: z.enum(["cpu", "vaccel"]),
  op: InferOpSchema,
  /** process.version of the node that ran the workload. */
  node: z.string(),
  /** Process start to the workload's main (node's own start-up and module loading). */
  startMs: z.number(),
  /** CPU: opening the models; vaccel: connecting and creating the session. */
  loadMs: z.number(),
  iterations: z.number().int().positive(),
  /** sgemm: N of the N×N×N product; minmax: how many values. */
  size: z.number().int().positive().optional(),
  medianMs: z.number(),
  p95Ms: z.number(),
  /**
   * The recognized text (ocr), the orientation tag (classify), the boxes (detect), or for sgemm and minmax the
   * result's checksum and how the workload verified it.
   */
  result: z.string(),
  rpcAddress: z.string().optional(),
});
export type InferResult = z.infer<typeof InferResultSchema>;

/** The last RESULT line in a workload's output, validated; undefined when there is none. */
export function parseResultLine(output: string): InferResult | undefined {
  const line = output
    .split("\n")
    .map((l) => l.trim())
    .findLast((l) => l.startsWith(RESULT_PREFIX));
  if (line === undefined) return undefined;
  return InferResultSchema.parse(JSON.parse(line.slice(RESULT_PREFIX.length)));
}

/**
 * What the demo lets a visitor ask for. An image travels base64 in a JSON body (the API reads at most 64 KiB)
 * and as command arguments to a sandbox (16 KiB each), so the page shrinks uploads below maxImageBytes first.
 */
export const vaccelLimits = {
  maxIterations: 30,
  maxImageBytes: 40_000,
  maxTextLength: MAX_RENDERED_CHARACTERS,
  /** Native inferences waiting behind the one running; more get 429. */
  maxNativeQueue: 2,
} as const;

const renderable = new Set(RENDERABLE_CHARACTERS);

/** Text the built-in bitmap font draws: the guest renders the same line from the same font. */
export const RenderableTextSchema = z
  .string()
  .min(1, "type some text to render")
  .max(vaccelLimits.maxTextLength, `at most ${vaccelLimits.maxTextLength} characters`)
  .refine((text) => [...text].every((ch) => renderable.has(ch)), {
    message: `the built-in font draws only ${RENDERABLE_CHARACTERS.trim()} and spaces`,
  });

const base64Pattern = /^[A-Za-z0-9+/]+={0,2}$/;
const maxBase64Length = Math.ceil(vaccelLimits.maxImageBytes / 3) * 4;

export const ImageBase64Schema = z
  .string()
  .max(maxBase64Length, `an image is at most ${vaccelLimits.maxImageBytes} bytes`)
  .regex(base64Pattern, "not base64")
  .refine((text) => text.length % 4 === 0, "not base64 (length is not a multiple of 4)");

/** A line of text the workload renders itself, or PNG/JPEG bytes (an upload, or a line the page rendered rotated). */
export const InferInputSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("text"), text: RenderableTextSchema }).strict(),
  z.object({ kind: z.literal("image"), base64: ImageBase64Schema }).strict(),
]);
export type InferInput = z.infer<typeof InferInputSchema>;

export const NativeInferBodySchema = z
  .object({
    op: InferOpSchema,
    iterations: z.number().int().min(1).max(vaccelLimits.maxIterations),
    /** Required by the image ops, refused by the others. */
    input: InferInputSchema.optional(),
    /** sgemm and minmax only, within sizeLimits; absent: the op's default. */
    size: z.number().int().positive().optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (isImageOp(body.op) !== (body.input !== undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["input"],
        message: isImageOp(body.op) ? `${body.op} needs an input` : `${body.op} takes no input`,
      });
    }
    if (body.size === undefined) return;
    if (!isSizedOp(body.op)) {
      ctx.addIssue({ code: "custom", path: ["size"], message: `${body.op} takes no size` });
      return;
    }
    const { min, max } = sizeLimits[body.op];
    if (body.size < min || body.size > max) {
      ctx.addIssue({
        code: "custom",
        path: ["size"],
        message: `${body.op}'s size is ${min} to ${max}`,
      });
    }
  });
export type NativeInferBody = z.infer<typeof NativeInferBodySchema>;

export const NativeInferReplySchema = z.object({
  result: InferResultSchema,
  /** Time spent waiting behind other native inferences before this one started. */
  queuedMs: z.number(),
});
export type NativeInferReply = z.infer<typeof NativeInferReplySchema>;
