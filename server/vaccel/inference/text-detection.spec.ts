// DB post-processing and CTC decoding on hand-made model outputs, no model needed.
import { describe, expect, it } from "vitest";
import { boxesFromProbabilityMap, detectorInputSize } from "./text-detection";
import { decodeCtc } from "./text-recognition";

describe("boxesFromProbabilityMap", () => {
  it("turns each confident region into one unclipped box and drops faint ones", () => {
    const width = 64;
    const height = 32;
    const map = new Float32Array(width * height);
    const fill = (x0: number, y0: number, x1: number, y1: number, p: number) => {
      for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) map[y * width + x] = p;
    };
    fill(4, 10, 23, 15, 0.9);
    fill(40, 10, 50, 15, 0.4); // above the pixel threshold, below the box threshold
    const boxes = boxesFromProbabilityMap(map, width, height);
    expect(boxes).toHaveLength(1);
    // 19 x 5 as cv2 measures it; unclip grows each side by 19*5*1.5 / (2*24) ≈ 2.97.
    expect(boxes[0].x).toBeCloseTo(4 - 2.97, 1);
    expect(boxes[0].width).toBeCloseTo(19 + 2 * 2.97, 1);
    expect(boxes[0].score).toBeCloseTo(0.9);
  });

  it("sizes the detector input in multiples of 32, longest side at most 960", () => {
    expect(detectorInputSize(268, 60)).toEqual({ width: 256, height: 64 });
    expect(detectorInputSize(3000, 1000)).toEqual({ width: 960, height: 320 });
  });
});

describe("decodeCtc", () => {
  it("merges repeats, drops blanks, and averages the kept probabilities", () => {
    const classes = ["", "A", "B", " "];
    const best = [1, 1, 0, 1, 2, 3, 0];
    const probabilities = new Float32Array(best.length * classes.length).fill(0.1);
    best.forEach((c, t) => (probabilities[t * classes.length + c] = 0.8));
    expect(decodeCtc(probabilities, best.length, classes.length, classes)).toEqual({
      text: "AAB ",
      score: expect.closeTo(0.8, 5),
    });
  });
});
