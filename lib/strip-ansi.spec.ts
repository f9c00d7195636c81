import { describe, expect, it } from "vitest";
import { stripAnsi } from "./strip-ansi";

describe("stripAnsi", () => {
  it("removes colours, cursor moves and titles and keeps the text", () => {
    expect(stripAnsi("\x1b[1;36m== kernel ==\x1b[0m\r\nLinux\x1b[?25l")).toBe(
      "== kernel ==\nLinux",
    );
    expect(stripAnsi("\x1b]0;title\x07done")).toBe("done");
  });
});
