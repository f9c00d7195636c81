import { describe, expect, it } from "vitest";
import { formatAge, formatBytes, formatMs } from "./format-units";

describe("format-units", () => {
  it("formats durations", () => {
    expect(formatMs(0.46)).toBe("0.5 ms");
    expect(formatMs(140.4)).toBe("140 ms");
    expect(formatMs(2500)).toBe("2.50 s");
    expect(formatMs(12_345)).toBe("12.3 s");
  });

  it("formats sizes in binary units", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(256 * 1024 * 1024)).toBe("256 MiB");
  });

  it("formats ages", () => {
    expect(formatAge(4200)).toBe("4 s");
    expect(formatAge(125_000)).toBe("2 min 5 s");
  });
});
