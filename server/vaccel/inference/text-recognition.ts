// Reads one text line with PaddleOCR's PP-OCRv4 recognizer and CTC greedy decoding.
import { textLineToTensor } from "./model-input";
import type { OcrModels } from "./ocr-models";
import type { RgbImage } from "../../../lib/images/rgb-image";

/** rec_image_shape 3,48,320: lines are scaled to 48 px high and padded to at least 320 wide. */
const REC_HEIGHT = 48;
const REC_MIN_WIDTH = 320;
/** Longer lines are squeezed to this width; it bounds the recognizer's work per line. */
const REC_MAX_WIDTH = 1600;

export interface RecognizedLine {
  text: string;
  /** Mean probability of the characters kept by CTC decoding; 0 for an empty line. */
  score: number;
  /** Milliseconds in the recognizer's session.run. */
  ms: number;
}

export async function recognizeLine(models: OcrModels, line: RgbImage): Promise<RecognizedLine> {
  const aspectWidth = Math.ceil((REC_HEIGHT * line.width) / line.height);
  const tensorWidth = Math.min(REC_MAX_WIDTH, Math.max(REC_MIN_WIDTH, aspectWidth));
  const input = textLineToTensor(line, REC_HEIGHT, tensorWidth);
  const [output, classes] = await Promise.all([
    models.run("rec", input.data, input.dims),
    models.dictionary(),
  ]);
  const [, steps, classCount] = output.dims;
  if (classCount !== classes.length) {
    throw new Error(
      `recognizer has ${classCount} classes but its dictionary gives ${classes.length}`,
    );
  }
  return { ...decodeCtc(output.data, steps, classCount, classes), ms: output.ms };
}

/** Greedy CTC: best class per time step, merge repeats, drop blanks (class 0). */
export function decodeCtc(
  probabilities: Float32Array,
  steps: number,
  classCount: number,
  classes: readonly string[],
): { text: string; score: number } {
  let text = "";
  let confidence = 0;
  let kept = 0;
  let previous = -1;
  for (let t = 0; t < steps; t++) {
    let best = 0;
    for (let c = 1; c < classCount; c++) {
      if (probabilities[t * classCount + c] > probabilities[t * classCount + best]) best = c;
    }
    if (best !== 0 && best !== previous) {
      text += classes[best];
      confidence += probabilities[t * classCount + best];
      kept++;
    }
    previous = best;
  }
  return { text, score: kept === 0 ? 0 : confidence / kept };
}
