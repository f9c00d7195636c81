// The OCR pipeline PaddleOCR's TextSystem runs: detect boxes, crop, fix upside-down lines, recognize.
import { classifyOrientation } from "./orientation";
import type { OcrModels } from "./ocr-models";
import {
  type RgbImage,
  cropImage,
  rotateImage180,
  rotateImage90,
} from "../../../lib/images/rgb-image";
import { type TextBox, detectTextBoxes } from "./text-detection";
import { recognizeLine } from "./text-recognition";

export interface OcrLine {
  text: string;
  score: number;
  box: TextBox;
  /** Whether the classifier judged the crop upside down and it was turned before recognition. */
  rotated180: boolean;
}

export interface OcrTimings {
  detMs: number;
  clsMs: number;
  recMs: number;
  totalMs: number;
}

export interface OcrResult {
  lines: OcrLine[];
  /** Lines in reading order: boxes on one row joined by a space, rows by a newline. */
  text: string;
  timings: OcrTimings;
}

export interface RecognizeTextOptions {
  /** Run the orientation classifier on each crop and turn it when it reads "180" (PaddleOCR's use_angle_cls). */
  fixOrientation?: boolean;
  signal?: AbortSignal;
}

/** PaddleOCR's cls_thresh and drop_score. */
const ROTATE_ABOVE = 0.9;
const DROP_BELOW = 0.5;

export async function recognizeText(
  models: OcrModels,
  image: RgbImage,
  options: RecognizeTextOptions = {},
): Promise<OcrResult> {
  const { fixOrientation = true, signal } = options;
  const started = performance.now();
  const timings: OcrTimings = { detMs: 0, clsMs: 0, recMs: 0, totalMs: 0 };
  signal?.throwIfAborted();
  const detection = await detectTextBoxes(models, image);
  timings.detMs = detection.ms;
  const lines: OcrLine[] = [];
  for (const box of sortInReadingOrder(detection.boxes)) {
    signal?.throwIfAborted();
    let crop = cropImage(image, box);
    // PaddleOCR takes a crop at least 1.5x taller than wide for vertical text and turns it to lie flat.
    if (crop.height >= crop.width * 1.5) crop = rotateImage90(crop);
    let rotated180 = false;
    if (fixOrientation) {
      const orientation = await classifyOrientation(models, crop);
      timings.clsMs += orientation.ms;
      if (orientation.label === "180" && orientation.score > ROTATE_ABOVE) {
        crop = rotateImage180(crop);
        rotated180 = true;
      }
    }
    const recognized = await recognizeLine(models, crop);
    timings.recMs += recognized.ms;
    if (recognized.score < DROP_BELOW) continue;
    lines.push({ text: recognized.text, score: recognized.score, box, rotated180 });
  }
  // Every line upside down means the whole image is: its reading order runs backwards too.
  if (lines.length > 0 && lines.every((line) => line.rotated180)) lines.reverse();
  timings.totalMs = performance.now() - started;
  return { lines, text: joinLines(lines), timings };
}

function sortInReadingOrder(boxes: TextBox[]): TextBox[] {
  return [...boxes].sort((a, b) => (sameRow(a, b) ? a.x - b.x : a.y - b.y));
}

/** Two boxes share a row when their vertical centres are closer than half the shorter one's height. */
function sameRow(a: TextBox, b: TextBox): boolean {
  const centre = (box: TextBox) => box.y + box.height / 2;
  return Math.abs(centre(a) - centre(b)) < Math.min(a.height, b.height) / 2;
}

function joinLines(lines: OcrLine[]): string {
  const rows: OcrLine[][] = [];
  for (const line of lines) {
    const row = rows.at(-1);
    if (row && sameRow(row[0].box, line.box)) row.push(line);
    else rows.push([line]);
  }
  return rows.map((row) => row.map((line) => line.text).join(" ")).join("\n");
}
