import { describe, expect, it } from "vitest";
import {
  describePosition,
  isValidPosition,
  nextPosition,
  outlineOf,
  previousPosition,
} from "./track-steps";

const outline = outlineOf([
  { slug: "first", title: "First", steps: [{}, {}] },
  { slug: "empty", title: "No steps", steps: [] },
  { slug: "last", title: "Last", steps: [{}, {}, {}] },
]);

describe("track steps", () => {
  it("counts a demo without steps as one step", () => {
    expect(outline.map((d) => d.stepCount)).toEqual([2, 1, 3]);
  });

  it("walks forward through every step, across demos, and stops at the end", () => {
    const visited = [];
    for (
      let p: ReturnType<typeof nextPosition> = { demo: "first", step: 0 };
      p;
      p = nextPosition(outline, p)
    )
      visited.push(`${p.demo}:${p.step}`);
    expect(visited).toEqual(["first:0", "first:1", "empty:0", "last:0", "last:1", "last:2"]);
  });

  it("walks back to the previous demo's last step and stops at the start", () => {
    expect(previousPosition(outline, { demo: "last", step: 0 })).toEqual({
      demo: "empty",
      step: 0,
    });
    expect(previousPosition(outline, { demo: "empty", step: 0 })).toEqual({
      demo: "first",
      step: 1,
    });
    expect(previousPosition(outline, { demo: "first", step: 0 })).toBeNull();
  });

  it("validates positions", () => {
    expect(isValidPosition(outline, { demo: "last", step: 2 })).toBe(true);
    expect(isValidPosition(outline, { demo: "last", step: 3 })).toBe(false);
    expect(isValidPosition(outline, { demo: "last", step: -1 })).toBe(false);
    expect(isValidPosition(outline, { demo: "last", step: 0.5 })).toBe(false);
    expect(isValidPosition(outline, { demo: "elsewhere", step: 0 })).toBe(false);
  });

  it("describes a position in its demo and track", () => {
    expect(describePosition(outline, { demo: "last", step: 1 })).toEqual({
      demoNumber: 3,
      demoCount: 3,
      stepNumber: 2,
      stepCount: 3,
    });
  });
});
