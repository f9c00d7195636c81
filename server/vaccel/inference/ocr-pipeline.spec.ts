// Real models on generated text lines: the recognizer must read back exactly what was drawn.
import { afterAll, describe, expect, it } from "vitest";
import { renderTextLine } from "../../../lib/images/bitmap-font";
import { decodeImage, encodePng } from "./image-codec";
import { recognizeText } from "./ocr-pipeline";
import { OcrModels } from "./ocr-models";
import { classifyOrientation } from "./orientation";

const models = new OcrModels();
afterAll(() => models.release());

/** Through PNG bytes, as a guest would send the image. */
const generated = (text: string, rotate180 = false) =>
  decodeImage(encodePng(renderTextLine(text, { rotate180 })));

describe("classifyOrientation", () => {
  it("tells an upright line from one turned 180°", async () => {
    const upright = await classifyOrientation(models, generated("HELLO 2026"));
    const turned = await classifyOrientation(models, generated("HELLO 2026", true));
    expect(upright.label).toBe("0");
    expect(turned.label).toBe("180");
    expect(turned.score).toBeGreaterThan(0.9);
    expect(turned.ms).toBeGreaterThan(0);
  });
});

describe("recognizeText", () => {
  it('reads "HELLO 2026" exactly, boxes inside the image', async () => {
    const image = generated("HELLO 2026");
    const result = await recognizeText(models, image);
    expect(result.text).toBe("HELLO 2026");
    for (const line of result.lines) {
      expect(line.score).toBeGreaterThan(0.5);
      expect(line.box.x + line.box.width).toBeLessThanOrEqual(image.width);
      expect(line.box.y + line.box.height).toBeLessThanOrEqual(image.height);
    }
    expect(result.timings.detMs).toBeGreaterThan(0);
    expect(result.timings.recMs).toBeGreaterThan(0);
  });

  it("turns an upside-down line the right way before reading it", async () => {
    const result = await recognizeText(models, generated("HELLO 2026", true));
    expect(result.text).toBe("HELLO 2026");
    expect(result.lines.every((line) => line.rotated180)).toBe(true);
  });

  it.each(["THE QUICK BROWN FOX", "VACCEL: 42%", "JUMPS OVER 13 DOGS"])(
    "reads %j",
    async (text) => {
      expect((await recognizeText(models, generated(text))).text).toBe(text);
    },
  );

  it("finds no text on a blank image", async () => {
    const blank = { width: 200, height: 60, data: new Uint8Array(200 * 60 * 3).fill(255) };
    expect((await recognizeText(models, blank)).lines).toEqual([]);
  });

  it("stops when its signal is aborted", async () => {
    await expect(
      recognizeText(models, generated("HELLO"), { signal: AbortSignal.abort() }),
    ).rejects.toThrow();
  });

  it("loads each model once", async () => {
    const loads = models.loadTimes();
    await recognizeText(models, generated("AGAIN"));
    expect(models.loadTimes()).toEqual(loads);
    expect(Object.keys(loads).sort()).toEqual(["cls", "det", "rec"]);
  });
});
