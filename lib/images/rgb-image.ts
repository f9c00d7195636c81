// An 8-bit RGB raster and the few geometric operations the OCR pipeline needs (crop, rotate, bilinear resize).

export interface RgbImage {
  width: number;
  height: number;
  /** Row-major, 3 bytes per pixel (R, G, B). */
  data: Uint8Array;
}

export function createRgbImage(width: number, height: number, fill = 255): RgbImage {
  return { width, height, data: new Uint8Array(width * height * 3).fill(fill) };
}

/** Copies the pixels inside the rectangle, clipped to the image. */
export function cropImage(
  image: RgbImage,
  rect: { x: number; y: number; width: number; height: number },
): RgbImage {
  const x0 = Math.max(0, Math.floor(rect.x));
  const y0 = Math.max(0, Math.floor(rect.y));
  const x1 = Math.min(image.width, Math.ceil(rect.x + rect.width));
  const y1 = Math.min(image.height, Math.ceil(rect.y + rect.height));
  const out = createRgbImage(Math.max(1, x1 - x0), Math.max(1, y1 - y0));
  for (let y = y0; y < y1; y++) {
    const from = (y * image.width + x0) * 3;
    out.data.set(image.data.subarray(from, from + (x1 - x0) * 3), (y - y0) * out.width * 3);
  }
  return out;
}

export function rotateImage180(image: RgbImage): RgbImage {
  const out = createRgbImage(image.width, image.height);
  const pixels = image.width * image.height;
  for (let i = 0; i < pixels; i++) {
    const j = (pixels - 1 - i) * 3;
    out.data[i * 3] = image.data[j];
    out.data[i * 3 + 1] = image.data[j + 1];
    out.data[i * 3 + 2] = image.data[j + 2];
  }
  return out;
}

/** Rotates 90° counter-clockwise, as numpy's rot90 does for PaddleOCR's tall crops. */
export function rotateImage90(image: RgbImage): RgbImage {
  const out = createRgbImage(image.height, image.width);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const to = ((image.width - 1 - x) * out.width + y) * 3;
      const from = (y * image.width + x) * 3;
      out.data[to] = image.data[from];
      out.data[to + 1] = image.data[from + 1];
      out.data[to + 2] = image.data[from + 2];
    }
  }
  return out;
}

/** Bilinear resize with OpenCV's half-pixel sampling (cv2.INTER_LINEAR), which the models were trained with. */
export function resizeImage(image: RgbImage, width: number, height: number): RgbImage {
  const out = createRgbImage(width, height);
  const scaleX = image.width / width;
  const scaleY = image.height / height;
  for (let y = 0; y < height; y++) {
    const sy = Math.min(Math.max((y + 0.5) * scaleY - 0.5, 0), image.height - 1);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, image.height - 1);
    const fy = sy - y0;
    for (let x = 0; x < width; x++) {
      const sx = Math.min(Math.max((x + 0.5) * scaleX - 0.5, 0), image.width - 1);
      const x0 = Math.floor(sx);
      const x1 = Math.min(x0 + 1, image.width - 1);
      const fx = sx - x0;
      for (let c = 0; c < 3; c++) {
        const top =
          image.data[(y0 * image.width + x0) * 3 + c] * (1 - fx) +
          image.data[(y0 * image.width + x1) * 3 + c] * fx;
        const bottom =
          image.data[(y1 * image.width + x0) * 3 + c] * (1 - fx) +
          image.data[(y1 * image.width + x1) * 3 + c] * fx;
        out.data[(y * width + x) * 3 + c] = Math.round(top * (1 - fy) + bottom * fy);
      }
    }
  }
  return out;
}
