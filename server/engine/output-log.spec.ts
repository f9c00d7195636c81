import { describe, expect, it } from "vitest";
import { OutputLog, formatBytes } from "./output-log";

describe("OutputLog", () => {
  it("keeps all output under the limit and numbers chunks by offset", () => {
    const log = new OutputLog(1024, 1024);
    log.append(Buffer.from("hello "));
    log.append(Buffer.from("world\n"));
    expect(log.text()).toBe("hello world\n");
    expect(log.backlog()).toEqual([
      { offset: 0, data: "hello " },
      { offset: 6, data: "world\n" },
    ]);
    expect(log.truncated).toBe(false);
  });

  it("cuts at the limit, marks the cut once, and ignores what follows", () => {
    const log = new OutputLog(8, 1024);
    const first = log.append(Buffer.from("12345"));
    const second = log.append(Buffer.from("67890"));
    const third = log.append(Buffer.from("more"));
    expect(first.limitReached).toBe(false);
    expect(second.limitReached).toBe(true);
    expect(third).toEqual({ accepted: "", limitReached: false });
    expect(log.text()).toMatch(
      /^12345678\n\[output truncated: the sandbox wrote more than 8 bytes; it was stopped\]\n$/,
    );
    expect(log.truncated).toBe(true);
  });

  it("does not split a multi-byte character across chunks", () => {
    const log = new OutputLog(1024, 1024);
    const euro = Buffer.from("€");
    log.append(euro.subarray(0, 1));
    log.append(euro.subarray(1));
    expect(log.text()).toBe("€");
  });

  it("keeps only a bounded tail as backlog but the whole text for /logs", () => {
    const log = new OutputLog(10_000, 10);
    for (let i = 0; i < 5; i++) log.append(Buffer.from(`line ${i}\n`));
    const backlog = log.backlog();
    expect(backlog.map((c) => c.data).join("")).toBe("line 4\n");
    expect(backlog[0]?.offset).toBe(28);
    expect(log.text().split("\n")).toHaveLength(6);
  });

  it("times each chunk since the run was requested", () => {
    let now = 0;
    const log = new OutputLog(1024, 1024, { elapsedMs: () => now });
    now = 12.345;
    log.append(Buffer.from("first\n"));
    now = 512;
    log.append(Buffer.from("second\n"));
    now = 600;
    log.note("[stopped]\n");
    expect(log.timed()).toEqual([
      { atMs: 12.35, data: "first\n" },
      { atMs: 512, data: "second\n" },
      { atMs: 600, data: "[stopped]\n" },
    ]);
  });

  it("keeps timed chunks bounded by merging neighbours, never losing text or going back in time", () => {
    let now = 0;
    const log = new OutputLog(1 << 20, 1024, { elapsedMs: () => now, maxTimedChunks: 8 });
    for (let i = 0; i < 1000; i++) {
      now = i * 3;
      log.append(Buffer.from(`${i}\n`));
    }
    const timed = log.timed();
    expect(timed.length).toBeLessThanOrEqual(8);
    expect(timed.map((c) => c.data).join("")).toBe(log.text());
    expect(timed[0]?.atMs).toBe(0);
    const times = timed.map((c) => c.atMs);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    // Merged chunks still spread over the run rather than collapsing to its start.
    expect(times.at(-1)).toBeGreaterThan(1500);
  });

  it("times nothing past the output limit but the note that says so", () => {
    let now = 5;
    const log = new OutputLog(4, 1024, { elapsedMs: () => now });
    log.append(Buffer.from("12345"));
    now = 9;
    log.append(Buffer.from("ignored"));
    expect(log.timed()).toHaveLength(1);
    expect(log.timed()[0]?.atMs).toBe(5);
    expect(log.timed()[0]?.data).toMatch(/^1234\n\[output truncated/);
  });

  it("formats sizes for people", () => {
    expect(formatBytes(512)).toBe("512 bytes");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(1024 * 1024)).toBe("1 MiB");
  });
});
