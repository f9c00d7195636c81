// What a visitor asks of the vAccel demo, validated with messages that say what to change.
import { z } from "zod";
import {
  InferOpSchema,
  RenderableTextSchema,
  isImageOp,
  isSizedOp,
  sizeLimits,
  vaccelLimits,
  type InferOp,
} from "@/lib/api/vaccel";

export const defaultText = "HELLO 2026";
export const defaultIterations = 5;
/** One OCR on the emulated VM's CPU takes ~10 s: one inference by default, a handful at most. */
export const defaultVmIterations = 1;
export const maxVmIterations = 5;

export type InputKind = "text" | "upload";

export interface LabSettingsInput {
  op: InferOp;
  inputKind: InputKind;
  text: string;
  /** Base64 of the prepared upload; null until one is chosen. */
  upload: string | null;
  /** sgemm's N or minmax's count, as typed; ignored by the other ops. */
  size: string;
  iterations: string;
  vmIterations: string;
  modes: string[];
}

export interface LabSettings {
  op: InferOp;
  inputKind: InputKind;
  text: string;
  /** Set for sgemm and minmax only. */
  size?: number;
  iterations: number;
  vmIterations: number;
  modes: string[];
}

export type LabSettingsCheck =
  | { ok: true; settings: LabSettings }
  | { ok: false; errors: Partial<Record<keyof LabSettingsInput, string>> };

const whole = (what: string, max: number, min = 1) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `${what} is a whole number`)
    .transform(Number)
    .pipe(z.number().min(min, `${what} is at least ${min}`).max(max, `${what} is at most ${max}`));

const schema = z.object({
  op: InferOpSchema,
  inputKind: z.enum(["text", "upload"]),
  text: z.string(),
  upload: z.string().nullable(),
  size: z.string(),
  iterations: whole("Iterations", vaccelLimits.maxIterations),
  vmIterations: whole("Iterations on the VM's CPU", maxVmIterations),
  modes: z.array(z.string()).min(1, "Choose at least one mode"),
});

/** Every field's first problem at once, so the visitor sees all there is to change. */
export function checkLabSettings(input: LabSettingsInput): LabSettingsCheck {
  const errors: Partial<Record<keyof LabSettingsInput, string>> = {};
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as keyof LabSettingsInput;
      errors[field] ??= issue.message;
    }
  }
  const imageOp = parsed.success ? isImageOp(parsed.data.op) : true;
  if (imageOp && input.inputKind === "upload" && input.upload === null) {
    errors.upload = "Choose a PNG or JPEG image";
  }
  if (imageOp && input.inputKind === "text") {
    const text = RenderableTextSchema.safeParse(input.text);
    if (!text.success) errors.text = text.error.issues[0].message;
  }
  let size: number | undefined;
  if (isSizedOp(input.op)) {
    const { min, max } = sizeLimits[input.op];
    const checked = whole(input.op === "sgemm" ? "N" : "The count", max, min).safeParse(input.size);
    if (checked.success) size = checked.data;
    else errors.size = checked.error.issues[0].message;
  }
  if (!parsed.success || Object.keys(errors).length > 0) return { ok: false, errors };
  const { op, inputKind, text, iterations, vmIterations, modes } = parsed.data;
  return {
    ok: true,
    settings: {
      op,
      inputKind,
      text,
      ...(size === undefined ? {} : { size }),
      iterations,
      vmIterations,
      modes,
    },
  };
}
