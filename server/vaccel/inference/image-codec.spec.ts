import jpeg from "jpeg-js";
import { describe, expect, it } from "vitest";
import { RENDERABLE_CHARACTERS, renderTextLine } from "../../../lib/images/bitmap-font";
import { decodeImage, defaultImageLimits, encodePng } from "./image-codec";
import { InferenceInputError } from "../../../lib/images/inference-error";

const sample = renderTextLine("OK");

function errorCode(run: () => unknown): string | undefined {
  try {
    run();
  } catch (err) {
    if (err instanceof InferenceInputError) return err.code;
    throw err;
  }
  return undefined;
}

describe("decodeImage", () => {
  it("round-trips a PNG to the same RGB pixels", () => {
    const decoded = decodeImage(encodePng(sample));
    expect(decoded.width).toBe(sample.width);
    expect(decoded.height).toBe(sample.height);
    expect(Buffer.from(decoded.data).equals(Buffer.from(sample.data))).toBe(true);
  });

  it("decodes a JPEG to RGB of the same size", () => {
    const rgba = Buffer.alloc(sample.width * sample.height * 4, 255);
    const bytes = jpeg.encode({ width: sample.width, height: sample.height, data: rgba }, 90).data;
    const decoded = decodeImage(bytes);
    expect([decoded.width, decoded.height]).toEqual([sample.width, sample.height]);
    expect(decoded.data.length).toBe(sample.width * sample.height * 3);
    expect(decoded.data[0]).toBeGreaterThan(250);
  });

  it("refuses formats other than PNG and JPEG", () => {
    const gif = new TextEncoder().encode("GIF89a\x01\x00\x01\x00");
    expect(errorCode(() => decodeImage(gif))).toBe("unsupported_image_format");
    expect(errorCode(() => decodeImage(new Uint8Array(0)))).toBe("unsupported_image_format");
  });

  it("refuses an image over the byte limit before looking at it", () => {
    const limits = { ...defaultImageLimits, maxBytes: 100 };
    expect(errorCode(() => decodeImage(encodePng(sample), limits))).toBe("image_too_large");
  });

  it("refuses oversized dimensions from the header, before decoding", () => {
    const png = encodePng(sample);
    // A 100000 x 100000 header: never decoded, so its broken CRC does not matter.
    new DataView(png.buffer, png.byteOffset).setUint32(16, 100_000);
    new DataView(png.buffer, png.byteOffset).setUint32(20, 100_000);
    expect(errorCode(() => decodeImage(png))).toBe("image_too_large");
    const small = { ...defaultImageLimits, maxSide: 16 };
    expect(errorCode(() => decodeImage(encodePng(sample), small))).toBe("image_too_large");
  });

  it("reports a truncated PNG or JPEG as corrupt", () => {
    const png = encodePng(sample);
    expect(errorCode(() => decodeImage(png.subarray(0, png.length - 40)))).toBe("corrupt_image");
    expect(errorCode(() => decodeImage(Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0, 4)))).toBe(
      "corrupt_image",
    );
  });
});

describe("renderTextLine", () => {
  it("draws dark ink on white, and refuses characters the font lacks", () => {
    const image = renderTextLine(RENDERABLE_CHARACTERS.slice(0, 40));
    expect(Math.min(...image.data)).toBe(0);
    expect(image.data[0]).toBe(255);
    expect(errorCode(() => renderTextLine("hello"))).toBe("unsupported_text");
    expect(errorCode(() => renderTextLine(""))).toBe("unsupported_text");
  });
});
