// PNG and JPEG bytes to RGB and back, refusing other formats and images over the size limits before decoding them.
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { InferenceInputError } from "../../../lib/images/inference-error";
import type { RgbImage } from "../../../lib/images/rgb-image";

export interface ImageLimits {
  maxBytes: number;
  maxSide: number;
  maxPixels: number;
}

/** An OCR input needs no more; a guest cannot make the host decode a 100-megapixel bomb. */
export const defaultImageLimits: ImageLimits = {
  maxBytes: 16 << 20,
  maxSide: 4096,
  maxPixels: 8_388_608,
};

export type ImageFormat = "png" | "jpeg";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return "png";
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  return undefined;
}

export function decodeImage(bytes: Uint8Array, limits: ImageLimits = defaultImageLimits): RgbImage {
  if (bytes.length > limits.maxBytes) {
    throw new InferenceInputError(
      "image_too_large",
      `image is ${bytes.length} bytes; the limit is ${limits.maxBytes}`,
    );
  }
  const format = sniffImageFormat(bytes);
  if (!format) {
    throw new InferenceInputError(
      "unsupported_image_format",
      "not a PNG or JPEG image (only those two formats are decoded)",
    );
  }
  const size = format === "png" ? readPngSize(bytes) : readJpegSize(bytes);
  checkDimensions(size, limits);
  try {
    return format === "png" ? decodePng(bytes) : decodeJpeg(bytes, limits);
  } catch (err) {
    throw new InferenceInputError(
      "corrupt_image",
      `could not decode the ${format.toUpperCase()} image: ${(err as Error).message}`,
    );
  }
}

export function encodePng(image: RgbImage): Buffer {
  const png = new PNG({ width: image.width, height: image.height });
  for (let i = 0, n = image.width * image.height; i < n; i++) {
    png.data[i * 4] = image.data[i * 3];
    png.data[i * 4 + 1] = image.data[i * 3 + 1];
    png.data[i * 4 + 2] = image.data[i * 3 + 2];
    png.data[i * 4 + 3] = 255;
  }
  return PNG.sync.write(png, { colorType: 2 });
}

interface Size {
  width: number;
  height: number;
}

function checkDimensions({ width, height }: Size, limits: ImageLimits): void {
  if (width === 0 || height === 0) {
    throw new InferenceInputError("corrupt_image", `image header says ${width}x${height}`);
  }
  if (width > limits.maxSide || height > limits.maxSide || width * height > limits.maxPixels) {
    throw new InferenceInputError(
      "image_too_large",
      `image is ${width}x${height}; the limit is ${limits.maxSide} pixels a side and ${limits.maxPixels} pixels in all`,
    );
  }
}

/** Width and height from the IHDR chunk, which PNG requires to come first. */
function readPngSize(bytes: Uint8Array): Size {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ihdr = String.fromCharCode(...bytes.subarray(12, 16));
  if (bytes.length < 24 || ihdr !== "IHDR") {
    throw new InferenceInputError("corrupt_image", "PNG without an IHDR chunk");
  }
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** Width and height from the first start-of-frame marker. */
function readJpegSize(bytes: Uint8Array): Size {
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) break;
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at++;
      continue;
    }
    const length = (bytes[at + 2] << 8) | bytes[at + 3];
    const isStartOfFrame =
      marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isStartOfFrame) {
      return {
        height: (bytes[at + 5] << 8) | bytes[at + 6],
        width: (bytes[at + 7] << 8) | bytes[at + 8],
      };
    }
    at += 2 + length;
  }
  throw new InferenceInputError("corrupt_image", "JPEG without a start-of-frame marker");
}

/** Transparent pixels are composited over white: text images often come as dark glyphs on nothing. */
function decodePng(bytes: Uint8Array): RgbImage {
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const data = new Uint8Array(png.width * png.height * 3);
  for (let i = 0, n = png.width * png.height; i < n; i++) {
    const alpha = png.data[i * 4 + 3] / 255;
    for (let c = 0; c < 3; c++) {
      data[i * 3 + c] = Math.round(png.data[i * 4 + c] * alpha + 255 * (1 - alpha));
    }
  }
  return { width: png.width, height: png.height, data };
}

function decodeJpeg(bytes: Uint8Array, limits: ImageLimits): RgbImage {
  const decoded = jpeg.decode(bytes, {
    useTArray: true,
    formatAsRGBA: false,
    maxResolutionInMP: limits.maxPixels / 1_000_000,
    maxMemoryUsageInMB: Math.ceil((limits.maxPixels * 8) / 1_000_000) + 64,
  });
  return { width: decoded.width, height: decoded.height, data: decoded.data };
}
