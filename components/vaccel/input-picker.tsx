"use client";
// The op and the input: a line the workload renders from text (upright or upside down), or an uploaded image that
// the browser shrinks to fit the API before anything is sent.
import { useEffect, useState } from "react";
import type { InferOp } from "@/lib/api/vaccel";
import { isImageOp, isSizedOp, sizeLimits, vaccelLimits } from "@/lib/api/vaccel";
import { NumberField } from "@/components/ui/number-field";
import { RENDERABLE_CHARACTERS } from "@/lib/images/bitmap-font";
import { formatBytes } from "@/components/format/format-units";
import {
  ImageInputError,
  acceptedTypes,
  prepareUpload,
  renderLineImage,
  type PreparedImage,
} from "./image-input";
import type { InputKind } from "./lab-settings";

export interface InputPickerProps {
  op: InferOp;
  onOp: (op: InferOp) => void;
  inputKind: InputKind;
  onInputKind: (kind: InputKind) => void;
  text: string;
  onText: (text: string) => void;
  rotate180: boolean;
  onRotate180: (rotate: boolean) => void;
  upload: PreparedImage | null;
  onUpload: (image: PreparedImage | null) => void;
  /** sgemm's N, minmax's count, as typed. */
  size: string;
  onSize: (size: string) => void;
  errors: { text?: string; upload?: string; size?: string };
  disabled: boolean;
}

const ops: Array<{ value: InferOp; label: string; hint: string }> = [
  {
    value: "ocr",
    label: "Read the text (OCR)",
    hint: "vAccel Genop: PaddleOCR's detector finds the line, the orientation classifier turns it upright, the recognizer reads it.",
  },
  {
    value: "classify",
    label: "Text-line orientation",
    hint: "vAccel Genop IMAGE_CLASSIFY (libvaccel 0.8's layout): PaddleOCR's classifier says whether the line is upright (0°) or upside down (180°).",
  },
  {
    value: "detect",
    label: "Find the text (boxes)",
    hint: "vAccel Genop IMAGE_DETECT: PaddleOCR's detector answers where the words are, as boxes.",
  },
  {
    value: "sgemm",
    label: "Matrix multiply (SGEMM)",
    hint: "vAccel Genop BLAS_SGEMM: C = A·B of two N×N float matrices on onnxruntime's MatMul; the workload checks the product against a dot product of its own.",
  },
  {
    value: "minmax",
    label: "Min, max and clamp (MINMAX)",
    hint: "vAccel Genop MINMAX: the extremes of N doubles and the values clamped to [0, 4000], checked by the workload.",
  },
  {
    value: "noop",
    label: "Round trip only (NOOP)",
    hint: "vAccel Genop NOOP: nothing computed, nothing returned; what it measures is the way to the agent and back.",
  },
];

const sizeHints: Record<"sgemm" | "minmax", string> = {
  sgemm: `N of the N×N×N product, ${sizeLimits.sgemm.min} to ${sizeLimits.sgemm.max} (A, B and C travel in one 4 MiB message). 512 takes seconds on an emulated CPU.`,
  minmax: `How many doubles, ${sizeLimits.minmax.min} to ${sizeLimits.minmax.max}.`,
};

export function InputPicker(props: InputPickerProps) {
  const { op, onOp, errors, disabled } = props;
  return (
    <div className="flex flex-col gap-4">
      <fieldset disabled={disabled}>
        <legend className="text-base font-semibold text-ink">Operation</legend>
        <div className="mt-2 flex flex-col gap-2">
          {ops.map((option) => (
            <Choice
              key={option.value}
              name="vaccel-op"
              id={`vaccel-op-${option.value}`}
              checked={op === option.value}
              onChange={() => onOp(option.value)}
              label={option.label}
              hint={option.hint}
            />
          ))}
        </div>
      </fieldset>

      {isSizedOp(op) && (
        <fieldset disabled={disabled}>
          <NumberField
            id="vaccel-size"
            label={op === "sgemm" ? "Matrix size N" : "Values"}
            hint={sizeHints[op]}
            value={props.size}
            onChange={props.onSize}
            error={errors.size}
          />
        </fieldset>
      )}
      {op === "noop" && (
        <p className="text-sm text-muted">
          NOOP has no input and nothing to compute on a CPU: run it through vAccel (and natively, an
          empty call) to see what a call costs.
        </p>
      )}
      {isImageOp(op) && <ImageInputs {...props} />}
    </div>
  );
}

function ImageInputs(props: InputPickerProps) {
  const { inputKind, onInputKind, errors } = props;
  return (
    <>
      <fieldset disabled={props.disabled}>
        <legend className="text-base font-semibold text-ink">Input</legend>
        <div className="mt-2 flex flex-col gap-3">
          <Choice
            name="vaccel-input"
            id="vaccel-input-text"
            checked={inputKind === "text"}
            onChange={() => onInputKind("text")}
            label="A generated line of text"
            hint="Drawn with a built-in bitmap font, by the workload itself, so the right answer is known."
          />
          {inputKind === "text" && <TextInput {...props} />}
          <Choice
            name="vaccel-input"
            id="vaccel-input-upload"
            checked={inputKind === "upload"}
            onChange={() => onInputKind("upload")}
            label="An image of your own (PNG or JPEG)"
            hint={`Scaled down in your browser to at most ${vaccelLimits.maxImageBytes / 1000} kB, then handed to each sandbox as arguments.`}
          />
          {inputKind === "upload" && <UploadInput {...props} />}
        </div>
      </fieldset>
      {errors.upload && inputKind === "upload" && (
        <p role="alert" className="text-sm text-red-800 dark:text-red-300">
          {errors.upload}.
        </p>
      )}
    </>
  );
}

function TextInput({ text, onText, rotate180, onRotate180, errors, disabled }: InputPickerProps) {
  const [preview, setPreview] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    if (errors.text) {
      setPreview(null);
      return;
    }
    renderLineImage(text, rotate180).then(
      (image) => !cancelled && setPreview(image.previewUrl),
      () => !cancelled && setPreview(null),
    );
    return () => {
      cancelled = true;
    };
  }, [text, rotate180, errors.text]);
  return (
    <div className="ml-8 flex flex-col gap-2">
      <label htmlFor="vaccel-text" className="font-semibold text-ink">
        Text to render
      </label>
      <input
        id="vaccel-text"
        data-testid="vaccel-text"
        type="text"
        value={text}
        disabled={disabled}
        maxLength={vaccelLimits.maxTextLength}
        onChange={(event) => onText(event.target.value.toUpperCase())}
        aria-invalid={errors.text ? true : undefined}
        aria-describedby="vaccel-text-hint vaccel-text-error"
        className="w-full max-w-md rounded-md border border-line bg-surface px-3 py-2 font-mono text-ink"
      />
      <p id="vaccel-text-hint" className="text-sm text-muted">
        Capitals, digits and <code className="font-mono">{RENDERABLE_CHARACTERS.slice(36)}</code>;
        up to {vaccelLimits.maxTextLength} characters.
      </p>
      <p id="vaccel-text-error" role="alert" className="text-sm text-red-800 dark:text-red-300">
        {errors.text ? `${errors.text}.` : ""}
      </p>
      <div className="flex items-center gap-3">
        <input
          id="vaccel-rotate"
          data-testid="vaccel-rotate"
          type="checkbox"
          className="size-5 accent-accent"
          checked={rotate180}
          disabled={disabled}
          onChange={(event) => onRotate180(event.target.checked)}
        />
        <label htmlFor="vaccel-rotate" className="text-ink">
          Upside down (rotated 180°, as a page fed in the wrong way)
        </label>
      </div>
      {preview && (
        <img
          src={preview}
          alt={`The generated line${rotate180 ? ", upside down" : ""}: ${text}`}
          className="max-w-full self-start rounded border border-line bg-white"
        />
      )}
    </div>
  );
}

function UploadInput({ upload, onUpload, disabled }: InputPickerProps) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const choose = async (file: File | undefined) => {
    setError(null);
    onUpload(null);
    if (!file) return;
    setBusy(true);
    try {
      onUpload(await prepareUpload(file));
    } catch (err) {
      setError(err instanceof ImageInputError ? err.message : "The image could not be read.");
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="ml-8 flex flex-col gap-2">
      <label htmlFor="vaccel-upload" className="font-semibold text-ink">
        Image file
      </label>
      <input
        id="vaccel-upload"
        data-testid="vaccel-upload"
        type="file"
        accept={acceptedTypes.join(",")}
        disabled={disabled || busy}
        onChange={(event) => void choose(event.target.files?.[0])}
        className="text-ink file:mr-3 file:rounded-md file:border file:border-line file:bg-surface-raised file:px-3 file:py-1.5 file:font-semibold"
      />
      <p role="status" className="text-sm text-muted">
        {busy
          ? "Shrinking the image…"
          : upload
            ? `Ready: ${upload.width}×${upload.height} ${upload.type === "image/png" ? "PNG" : "JPEG"}, ${formatBytes(upload.bytes)}.`
            : ""}
      </p>
      {error && (
        <p role="alert" className="text-sm text-red-800 dark:text-red-300">
          {error}
        </p>
      )}
      {upload && (
        <img
          src={upload.previewUrl}
          alt="The image as it will be sent"
          className="max-h-48 max-w-full self-start rounded border border-line bg-white"
        />
      )}
    </div>
  );
}

function Choice(props: {
  name: string;
  id: string;
  checked: boolean;
  onChange: () => void;
  label: string;
  hint: string;
}) {
  const { name, id, checked, onChange, label, hint } = props;
  return (
    <div className="flex items-start gap-3">
      <input
        id={id}
        data-testid={id}
        type="radio"
        name={name}
        className="mt-1 size-5 accent-accent"
        checked={checked}
        onChange={onChange}
        aria-describedby={`${id}-hint`}
      />
      <div>
        <label htmlFor={id} className="text-ink">
          {label}
        </label>
        <p id={`${id}-hint`} className="text-sm text-muted">
          {hint}
        </p>
      </div>
    </div>
  );
}
