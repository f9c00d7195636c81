// What a visitor asks of the vAccel demo, validated with messages that say what to change.
import { z } from "zod";
import { InferOpSchema, RenderableTextSchema, vaccelLimits, type InferOp } from "@/lib/api/vaccel";

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
  iterations: string;
  vmIterations: string;
  modes: string[];
}

export interface LabSettings {
  op: InferOp;
  inputKind: InputKind;
  text: string;
  iterations: number;
  vmIterations: number;
  modes: string[];
}

export type LabSettingsCheck =
  | { ok: true; settings: LabSettings }
  | { ok: false; errors: Partial<Record<keyof LabSettingsInput, string>> };

const whole = (what: string, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `${what} is a whole number`)
    .transform(Number)
    .pipe(z.number().min(1, `${what} is at least 1`).max(max, `${what} is at most ${max}`));

const schema = z.object({
  op: InferOpSchema,
  inputKind: z.enum(["text", "upload"]),
  text: z.string(),
  upload: z.string().nullable(),
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
  if (input.inputKind === "upload" && input.upload === null) {
    errors.upload = "Choose a PNG or JPEG image";
  }
  if (input.inputKind === "text") {
    const text = RenderableTextSchema.safeParse(input.text);
    if (!text.success) errors.text = text.error.issues[0].message;
  }
  if (!parsed.success || Object.keys(errors).length > 0) return { ok: false, errors };
  const { op, inputKind, text, iterations, vmIterations, modes } = parsed.data;
  return { ok: true, settings: { op, inputKind, text, iterations, vmIterations, modes } };
}
