import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const css = fs.readFileSync(path.join(import.meta.dirname, "globals.css"), "utf8");

describe("globals.css", () => {
  // A :has() whose subject is the root (or body) makes Chromium recalculate the whole page's style on every DOM
  // change; xterm measures each new character with a forced layout, so a terminal's first screen took ~200 ms.
  it("has no :has() on the page's root or body", () => {
    expect(css).not.toMatch(/(:root|html|body)\s*:has\(/);
  });

  it("themes the projector by a class on the root", () => {
    expect(css).toMatch(/:root\.projector\s*\{/);
  });
});
