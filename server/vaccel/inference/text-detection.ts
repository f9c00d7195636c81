// Finds text boxes with PaddleOCR's DB detector: probability map, threshold, connected components, unclip.
import { IMAGENET_NORMALIZATION, imageToTensor } from "./model-input";
import type { OcrModels } from "./ocr-models";
import { type RgbImage, resizeImage } from "../../../lib/images/rgb-image";

export interface TextBox {
  /** Axis-aligned, in the input image's pixels. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** Mean text probability inside the box before it was unclipped. */
  score: number;
}

/** PaddleOCR's DBPostProcess defaults and DetResizeForTest(limit_type=max, limit_side_len=960). */
export const DB_DEFAULTS = {
  limitSideLen: 960,
  threshold: 0.3,
  boxThreshold: 0.6,
  unclipRatio: 1.5,
  minSize: 3,
  maxCandidates: 1000,
};

export interface DetectionResult {
  boxes: TextBox[];
  /** Milliseconds in the detector's session.run. */
  ms: number;
  /** The detector's input size after resizing to multiples of 32. */
  inputWidth: number;
  inputHeight: number;
}

export async function detectTextBoxes(
  models: OcrModels,
  image: RgbImage,
): Promise<DetectionResult> {
  const { width, height } = detectorInputSize(image.width, image.height);
  const input = imageToTensor(resizeImage(image, width, height), IMAGENET_NORMALIZATION);
  const output = await models.run("det", input.data, input.dims);
  const boxes = boxesFromProbabilityMap(output.data, width, height).map((box) => ({
    ...box,
    ...scaleBox(box, image.width / width, image.height / height, image.width, image.height),
  }));
  return { boxes, ms: output.ms, inputWidth: width, inputHeight: height };
}

/** Longest side at most limitSideLen, both sides rounded to a multiple of 32 (the network downsamples 32x). */
export function detectorInputSize(
  width: number,
  height: number,
): { width: number; height: number } {
  const ratio = Math.min(1, DB_DEFAULTS.limitSideLen / Math.max(width, height));
  const round32 = (side: number) => Math.max(32, Math.round((side * ratio) / 32) * 32);
  return { width: round32(width), height: round32(height) };
}

type Rect = Omit<TextBox, "score">;

/**
 * DB post-processing on a width x height map. PaddleOCR fits a rotated rectangle to each contour;
 * this keeps boxes axis-aligned, which holds for horizontal text lines.
 */
export function boxesFromProbabilityMap(
  probabilities: Float32Array,
  width: number,
  height: number,
): TextBox[] {
  const boxes: TextBox[] = [];
  for (const rect of connectedComponentRects(probabilities, width, height)) {
    if (boxes.length >= DB_DEFAULTS.maxCandidates) break;
    if (Math.min(rect.width, rect.height) < DB_DEFAULTS.minSize) continue;
    const score = meanInside(probabilities, width, rect);
    if (score < DB_DEFAULTS.boxThreshold) continue;
    const grown = unclip(rect);
    if (Math.min(grown.width, grown.height) < DB_DEFAULTS.minSize + 2) continue;
    boxes.push({ ...clipRect(grown, width, height), score });
  }
  return boxes;
}

/** Bounding rectangles of the 8-connected regions where probability > threshold. */
function connectedComponentRects(
  probabilities: Float32Array,
  width: number,
  height: number,
): Rect[] {
  const seen = new Uint8Array(width * height);
  const stack: number[] = [];
  const rects: Rect[] = [];
  for (let start = 0; start < seen.length; start++) {
    if (seen[start] || probabilities[start] <= DB_DEFAULTS.threshold) continue;
    let [minX, minY, maxX, maxY] = [width, height, -1, -1];
    seen[start] = 1;
    stack.push(start);
    while (stack.length > 0) {
      const at = stack.pop() as number;
      const x = at % width;
      const y = (at - x) / width;
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
      for (let ny = Math.max(0, y - 1); ny <= Math.min(height - 1, y + 1); ny++) {
        for (let nx = Math.max(0, x - 1); nx <= Math.min(width - 1, x + 1); nx++) {
          const next = ny * width + nx;
          if (seen[next] || probabilities[next] <= DB_DEFAULTS.threshold) continue;
          seen[next] = 1;
          stack.push(next);
        }
      }
    }
    // Contour points run through pixel centres, so a region n pixels wide spans n - 1, as cv2.minAreaRect sees it.
    rects.push({ x: minX, y: minY, width: maxX - minX, height: maxY - minY });
  }
  return rects;
}

function meanInside(probabilities: Float32Array, width: number, rect: Rect): number {
  let sum = 0;
  for (let y = rect.y; y <= rect.y + rect.height; y++) {
    for (let x = rect.x; x <= rect.x + rect.width; x++) sum += probabilities[y * width + x];
  }
  return sum / ((rect.width + 1) * (rect.height + 1));
}

/** DB shrinks text regions in training; grow each side back by area * ratio / perimeter, as pyclipper's offset does. */
function unclip(rect: Rect): Rect {
  const distance =
    (rect.width * rect.height * DB_DEFAULTS.unclipRatio) / (2 * (rect.width + rect.height));
  return {
    x: rect.x - distance,
    y: rect.y - distance,
    width: rect.width + 2 * distance,
    height: rect.height + 2 * distance,
  };
}

function clipRect(rect: Rect, width: number, height: number): Rect {
  const x0 = Math.max(0, rect.x);
  const y0 = Math.max(0, rect.y);
  const x1 = Math.min(width, rect.x + rect.width);
  const y1 = Math.min(height, rect.y + rect.height);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

function scaleBox(rect: Rect, sx: number, sy: number, width: number, height: number): Rect {
  const scaled = clipRect(
    { x: rect.x * sx, y: rect.y * sy, width: rect.width * sx, height: rect.height * sy },
    width,
    height,
  );
  return {
    x: Math.round(scaled.x),
    y: Math.round(scaled.y),
    width: Math.round(scaled.width),
    height: Math.round(scaled.height),
  };
}
