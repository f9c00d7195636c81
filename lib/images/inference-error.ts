// The one error the inference code throws for bad input, with a stable code callers map to their protocol.

export type InferenceErrorCode =
  "unsupported_image_format" | "corrupt_image" | "image_too_large" | "unsupported_text";

export class InferenceInputError extends Error {
  constructor(
    readonly code: InferenceErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "InferenceInputError";
  }
}
