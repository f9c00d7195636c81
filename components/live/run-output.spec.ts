import { describe, expect, it } from "vitest";
import type { RunSnapshot } from "@/lib/api/schemas";
import { appendChunk, emptyOutput, newerSnapshot } from "./run-output";

describe("appendChunk", () => {
  it("appends consecutive chunks", () => {
    const a = appendChunk(emptyOutput, { offset: 0, data: "hello " });
    expect(appendChunk(a, { offset: 6, data: "world" })).toEqual({ text: "hello world", end: 11 });
  });

  it("drops what it already has when backlog and live output overlap", () => {
    const a = appendChunk(emptyOutput, { offset: 0, data: "abcdef" });
    expect(appendChunk(a, { offset: 3, data: "defgh" })).toEqual({ text: "abcdefgh", end: 8 });
    expect(appendChunk(a, { offset: 2, data: "cd" })).toBe(a);
  });

  it("notes output the server no longer kept", () => {
    const out = appendChunk(emptyOutput, { offset: 100, data: "tail" });
    expect(out.end).toBe(104);
    expect(out.text).toMatch(/^\[100 earlier characters .*\]\ntail$/);
  });
});

describe("newerSnapshot", () => {
  const snapshot = (state: RunSnapshot["state"], timings: Record<string, number>): RunSnapshot => ({
    id: "r1",
    runtime: "runc",
    image: "busybox",
    command: ["true"],
    state,
    exitCode: null,
    timings,
    error: null,
    queuePosition: null,
    limits: { timeoutMs: 1, memoryBytes: 1, pids: 1, cpuShares: 1, outputBytes: 1 },
    outputTruncated: false,
    memory: null,
    createdAt: "2025-01-01T00:00:00.000Z",
  });

  it("never goes back from a terminal state or to fewer timings", () => {
    const running = snapshot("running", { requested: 0, started: 5 });
    const exited = snapshot("exited", { requested: 0, started: 5, exited: 9 });
    expect(newerSnapshot(running, exited)).toBe(exited);
    expect(newerSnapshot(exited, running)).toBe(exited);
    expect(newerSnapshot(running, snapshot("preparing", { requested: 0 }))).toBe(running);
  });
});
