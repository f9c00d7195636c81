import { describe, expect, it } from "vitest";
import { findUrls } from "./terminal-links";

describe("findUrls", () => {
  it("finds web addresses with their columns, leaving a sentence's punctuation out", () => {
    expect(findUrls("see https://example.org/a?b=1. and (http://x.test/y)")).toEqual([
      { url: "https://example.org/a?b=1", start: 4, end: 29 },
      { url: "http://x.test/y", start: 36, end: 51 },
    ]);
  });

  it("finds nothing in a line without one", () => {
    expect(findUrls("~ # echo http: not a link")).toEqual([]);
  });
});
