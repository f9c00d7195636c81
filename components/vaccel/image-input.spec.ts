import { describe, expect, it } from "vitest";
import { bytesToBase64, fitWithin } from "./image-input";

describe("fitWithin", () => {
  it("shrinks the longer side to the limit and keeps the aspect", () => {
    expect(fitWithin(4000, 1000, 960)).toEqual({ width: 960, height: 240 });
    expect(fitWithin(300, 3000, 960)).toEqual({ width: 96, height: 960 });
  });

  it("never enlarges, and keeps at least a pixel", () => {
    expect(fitWithin(201, 45, 960)).toEqual({ width: 201, height: 45 });
    expect(fitWithin(10_000, 1, 960)).toEqual({ width: 960, height: 1 });
  });
});

describe("bytesToBase64", () => {
  it("matches Node's encoder, across its 32 KiB chunks", () => {
    const bytes = new Uint8Array(70_000).map((_, i) => (i * 31) % 256);
    expect(bytesToBase64(bytes)).toBe(Buffer.from(bytes).toString("base64"));
  });
});
