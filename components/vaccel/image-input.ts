// Turns the visitor's input into image bytes small enough for the API: an uploaded photo is validated, scaled
// down and re-encoded in the browser; a generated line is drawn with the same bitmap font the workload uses.
import { vaccelLimits } from "@/lib/api/vaccel";
import { renderTextLine } from "@/lib/images/bitmap-font";
import { type RgbImage, rotateImage180 } from "@/lib/images/rgb-image";

export const acceptedTypes = ["image/png", "image/jpeg"] as const;
/** Larger files are refused before the browser decodes them. */
export const maxUploadBytes = 20 * 1024 * 1024;
/** OCR's detector works on at most 960 pixels a side; more only costs bytes. */
export const maxSide = 960;

export interface PreparedImage {
  base64: string;
  bytes: number;
  width: number;
  height: number;
  type: "image/png" | "image/jpeg";
  /** A data: URL of the bytes sent, for the preview. */
  previewUrl: string;
}

export class ImageInputError extends Error {}

/** The size to draw at: within `limit` pixels a side, aspect kept, never enlarged. */
export function fitWithin(width: number, height: number, limit: number) {
  const scale = Math.min(1, limit / Math.max(width, height));
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

/** Lossless PNG if it fits; else JPEG at falling quality; else smaller, until the bytes fit the limit. */
export async function prepareUpload(file: File): Promise<PreparedImage> {
  if (!(acceptedTypes as readonly string[]).includes(file.type)) {
    throw new ImageInputError(`${file.name} is not a PNG or JPEG image.`);
  }
  if (file.size > maxUploadBytes) {
    throw new ImageInputError(`${file.name} is over ${maxUploadBytes / 2 ** 20} MiB.`);
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new ImageInputError(`${file.name} could not be decoded as an image.`);
  }
  try {
    for (let limit = maxSide; limit >= 64; limit = Math.floor(limit * 0.75)) {
      const size = fitWithin(bitmap.width, bitmap.height, limit);
      const canvas = drawOnWhite(bitmap, size);
      for (const [type, quality] of encodings) {
        const blob = await toBlob(canvas, type, quality);
        if (blob.size <= vaccelLimits.maxImageBytes) return await describe(blob, type, size);
      }
    }
  } finally {
    bitmap.close();
  }
  throw new ImageInputError(
    `${file.name} does not shrink below ${vaccelLimits.maxImageBytes} bytes.`,
  );
}

const encodings: Array<[PreparedImage["type"], number | undefined]> = [
  ["image/png", undefined],
  ["image/jpeg", 0.92],
  ["image/jpeg", 0.8],
  ["image/jpeg", 0.65],
];

/** The workload's own renderer, turned upside down: PNG is lossless, so the sandbox decodes these exact pixels. */
export async function renderLineImage(text: string, rotate180: boolean): Promise<PreparedImage> {
  const line = renderTextLine(text);
  const image = rotate180 ? rotateImage180(line) : line;
  const canvas = rgbToCanvas(image);
  const blob = await toBlob(canvas, "image/png", undefined);
  return describe(blob, "image/png", image);
}

function drawOnWhite(
  source: CanvasImageSource,
  size: { width: number; height: number },
): HTMLCanvasElement {
  const canvas = document.createElement("canvas");
  canvas.width = size.width;
  canvas.height = size.height;
  const context = canvas.getContext("2d");
  if (!context) throw new ImageInputError("This browser cannot draw on a canvas.");
  // Transparent pixels become white, as the decoder on the host treats them.
  context.fillStyle = "#ffffff";
  context.fillRect(0, 0, size.width, size.height);
  context.drawImage(source, 0, 0, size.width, size.height);
  return canvas;
}

function rgbToCanvas(image: RgbImage): HTMLCanvasElement {
  const canvas = document.createElement("canvas");
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext("2d");
  if (!context) throw new ImageInputError("This browser cannot draw on a canvas.");
  const pixels = context.createImageData(image.width, image.height);
  for (let i = 0, n = image.width * image.height; i < n; i++) {
    pixels.data.set(image.data.subarray(i * 3, i * 3 + 3), i * 4);
    pixels.data[i * 4 + 3] = 255;
  }
  context.putImageData(pixels, 0, 0);
  return canvas;
}

function toBlob(
  canvas: HTMLCanvasElement,
  type: string,
  quality: number | undefined,
): Promise<Blob> {
  return new Promise((resolve, reject) =>
    canvas.toBlob(
      (blob) => (blob ? resolve(blob) : reject(new ImageInputError("Encoding the image failed."))),
      type,
      quality,
    ),
  );
}

async function describe(
  blob: Blob,
  type: PreparedImage["type"],
  size: { width: number; height: number },
): Promise<PreparedImage> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  const base64 = bytesToBase64(bytes);
  return {
    base64,
    bytes: bytes.length,
    width: size.width,
    height: size.height,
    type,
    previewUrl: `data:${type};base64,${base64}`,
  };
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let at = 0; at < bytes.length; at += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  }
  return btoa(binary);
}
