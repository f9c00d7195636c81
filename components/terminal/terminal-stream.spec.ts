import { describe, expect, it } from "vitest";
import { newPart } from "./terminal-stream";

describe("newPart", () => {
  it("passes a chunk that starts where the screen ends", () => {
    expect(newPart(5, { offset: 5, data: "abc" })).toBe("abc");
  });
  it("drops a replayed chunk already shown, and keeps only the new tail of an overlap", () => {
    expect(newPart(8, { offset: 5, data: "abc" })).toBe("");
    expect(newPart(6, { offset: 5, data: "abc" })).toBe("bc");
  });
  it("shows a chunk past a gap whole", () => {
    expect(newPart(2, { offset: 5, data: "abc" })).toBe("abc");
  });
});
