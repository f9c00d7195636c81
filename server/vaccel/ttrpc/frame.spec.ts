import { describe, expect, it } from "vitest";
import { type Frame, FrameDecoder, FrameType, encodeFrame, isOversized } from "./frame";

const frame = (streamId: number, payload: number[]): Frame => ({
  streamId,
  type: FrameType.request,
  flags: 0,
  payload: Uint8Array.from(payload),
});

describe("FrameDecoder", () => {
  it("reassembles frames fed one byte at a time", () => {
    const bytes = Buffer.concat([encodeFrame(frame(1, [1, 2, 3])), encodeFrame(frame(3, [4]))]);
    const decoder = new FrameDecoder();
    const out = [];
    for (const byte of bytes) out.push(...decoder.push(Uint8Array.of(byte)));
    expect(out).toHaveLength(2);
    expect(out[0]).toMatchObject({ streamId: 1, type: 1, flags: 0 });
    expect([...(out[0] as Frame).payload]).toEqual([1, 2, 3]);
    expect([...(out[1] as Frame).payload]).toEqual([4]);
    expect(decoder.pendingBytes).toBe(0);
  });

  it("returns several frames from one chunk, including empty ones, and keeps a partial tail", () => {
    const whole = Buffer.concat([
      encodeFrame(frame(1, [])),
      encodeFrame(frame(3, [9, 9])),
      encodeFrame(frame(5, [7, 7, 7])),
    ]);
    const decoder = new FrameDecoder();
    const first = decoder.push(whole.subarray(0, whole.length - 2));
    expect(first.map((f) => f.streamId)).toEqual([1, 3]);
    expect(decoder.pendingBytes).toBe(11);
    const rest = decoder.push(whole.subarray(whole.length - 2));
    expect(rest.map((f) => f.streamId)).toEqual([5]);
  });

  it("reports an oversized frame once, skips its data without buffering, and resumes after it", () => {
    const decoder = new FrameDecoder({ maxFrameBytes: 8 });
    const big = encodeFrame(
      frame(
        1,
        Array.from({ length: 20 }, (_, i) => i),
      ),
    );
    const next = encodeFrame(frame(3, [1]));
    const out = [
      ...decoder.push(big.subarray(0, 12)),
      ...decoder.push(big.subarray(12, 25)),
      ...decoder.push(Buffer.concat([big.subarray(25), next])),
    ];
    expect(out).toHaveLength(2);
    expect(isOversized(out[0])).toBe(true);
    expect(out[0]).toMatchObject({ streamId: 1, length: 20 });
    expect(out[1]).toMatchObject({ streamId: 3 });
    expect(decoder.pendingBytes).toBe(0);
  });

  it("never allocates for a declared 4 GiB frame", () => {
    const decoder = new FrameDecoder();
    const header = Buffer.from("ffffffff0000000101" + "00", "hex");
    const out = decoder.push(header);
    expect(out).toEqual([{ length: 0xffffffff, streamId: 1, type: 1, flags: 0, oversized: true }]);
    expect(decoder.push(Buffer.alloc(1024))).toEqual([]);
  });
});
