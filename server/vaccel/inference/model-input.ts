// Turns an RGB image into the NCHW float tensor PaddleOCR's models take.
import { type RgbImage, resizeImage } from "../../../lib/images/rgb-image";

/** PaddleOCR reads images with OpenCV, so its models were trained on B, G, R planes in that order. */
const BGR = [2, 1, 0] as const;

export interface ChannelNormalization {
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

/** (x/255 - 0.5) / 0.5, the classifier's and recognizer's normalization: pixels to [-1, 1]. */
export const SYMMETRIC_NORMALIZATION: ChannelNormalization = {
  mean: [0.5, 0.5, 0.5],
  std: [0.5, 0.5, 0.5],
};

/** ImageNet statistics, applied by the detector to the BGR planes in PaddleOCR's order. */
export const IMAGENET_NORMALIZATION: ChannelNormalization = {
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
};

export interface ModelTensor {
  data: Float32Array;
  dims: [1, 3, number, number];
}

/** Normalizes `image` into a 1x3xHxW tensor of width `tensorWidth`; columns past the image stay 0, as PaddleOCR pads. */
export function imageToTensor(
  image: RgbImage,
  normalization: ChannelNormalization,
  tensorWidth = image.width,
): ModelTensor {
  const { width, height } = image;
  const plane = height * tensorWidth;
  const data = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    const source = BGR[c];
    const mean = normalization.mean[c];
    const std = normalization.std[c];
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        data[c * plane + y * tensorWidth + x] =
          (image.data[(y * width + x) * 3 + source] / 255 - mean) / std;
      }
    }
  }
  return { data, dims: [1, 3, height, tensorWidth] };
}

/**
 * PaddleOCR's resize_norm_img: scale a text line to `height` keeping its aspect ratio, at most
 * `tensorWidth` wide, then pad on the right to `tensorWidth`.
 */
export function textLineToTensor(
  image: RgbImage,
  height: number,
  tensorWidth: number,
): ModelTensor {
  const resizedWidth = Math.min(tensorWidth, Math.ceil((height * image.width) / image.height));
  return imageToTensor(
    resizeImage(image, Math.max(1, resizedWidth), height),
    SYMMETRIC_NORMALIZATION,
    tensorWidth,
  );
}
