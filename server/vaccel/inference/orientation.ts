// Text-line orientation (0° or 180°) with PaddleOCR's mobile classifier.
import { textLineToTensor } from "./model-input";
import type { OcrModels } from "./ocr-models";
import type { RgbImage } from "../../../lib/images/rgb-image";

/** The classifier's input, fixed by PaddleOCR's cls_image_shape 3,48,192. */
const CLS_HEIGHT = 48;
const CLS_WIDTH = 192;
const LABELS = ["0", "180"] as const;

export type OrientationLabel = (typeof LABELS)[number];

export interface OrientationResult {
  label: OrientationLabel;
  /** Softmax probability of `label`. */
  score: number;
  /** Milliseconds in the classifier's session.run. */
  ms: number;
}

export async function classifyOrientation(
  models: OcrModels,
  image: RgbImage,
): Promise<OrientationResult> {
  const input = textLineToTensor(image, CLS_HEIGHT, CLS_WIDTH);
  const output = await models.run("cls", input.data, input.dims);
  const best = output.data[1] > output.data[0] ? 1 : 0;
  return { label: LABELS[best], score: output.data[best], ms: output.ms };
}
