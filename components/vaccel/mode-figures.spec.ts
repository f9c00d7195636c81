import { describe, expect, it } from "vitest";
import type { InferResult } from "@/lib/api/vaccel";
import {
  answerOf,
  compareAnswers,
  describeAgreement,
  lastIteration,
  offloadSpeedups,
  rpcOverheadMs,
  sandboxStartMs,
  type ModeOutcome,
} from "./mode-figures";
import { modeById } from "./vaccel-modes";

const result = (answer: string, medianMs = 50): InferResult => ({
  mode: "cpu",
  op: "ocr",
  node: "v20",
  startMs: 80,
  loadMs: 300,
  iterations: 3,
  medianMs,
  p95Ms: medianMs + 5,
  result: answer,
});

const outcome = (id: string, answer: string | null, medianMs = 50): ModeOutcome => ({
  mode: modeById(id)!,
  state: answer === null ? "failed" : "done",
  progress: null,
  startedAt: null,
  timings: null,
  result: answer === null ? null : result(answer, medianMs),
  error: answer === null ? "boom" : null,
});

describe("sandboxStartMs", () => {
  it("takes the VM's workload start, else the container's running state", () => {
    expect(sandboxStartMs({ running: 2435, workloadStarted: 2401 })).toBe(2401);
    expect(sandboxStartMs({ started: 6, running: 42 })).toBe(42);
    expect(sandboxStartMs({ requested: 0 })).toBeNull();
    expect(sandboxStartMs(null)).toBeNull();
  });
});

describe("rpcOverheadMs", () => {
  it("is an offloaded median minus the native one, for offloaded modes only", () => {
    const native = result("HELLO", 51.1);
    expect(rpcOverheadMs(outcome("microvm-vaccel", "HELLO", 101.6), native)).toBeCloseTo(50.5);
    expect(rpcOverheadMs(outcome("runc-cpu", "HELLO", 55), native)).toBeNull();
    expect(rpcOverheadMs(outcome("runc-vaccel", "HELLO", 55), null)).toBeNull();
    expect(rpcOverheadMs(outcome("runc-vaccel", null), native)).toBeNull();
  });
});

describe("compareAnswers", () => {
  it("agrees when every mode with a result read the same, ignoring failed ones", () => {
    const agreement = compareAnswers("ocr", [
      outcome("native", "HELLO 2026"),
      outcome("runc-cpu", "HELLO 2026"),
      outcome("microvm-vaccel", "HELLO 2026"),
      outcome("microvm-cpu", null),
    ]);
    expect(agreement).toEqual({ kind: "agree", answer: "HELLO 2026", modes: 3 });
    expect(describeAgreement(agreement)).toBe('All modes agree: "HELLO 2026" (3 modes).');
  });

  it("names who said what when they disagree", () => {
    const agreement = compareAnswers("ocr", [
      outcome("native", "HELLO 2026"),
      outcome("runc-cpu", "HELL0 2026"),
      outcome("runc-vaccel", "HELLO 2026"),
    ]);
    expect(describeAgreement(agreement)).toBe(
      'Modes disagree: "HELLO 2026" from Native (server process), runc through vAccel; "HELL0 2026" from runc on its CPU.',
    );
  });

  it("compares orientations by label, not by the probability's last digit", () => {
    expect(answerOf("classify", "180° 0.9999")).toBe("180°");
    const agreement = compareAnswers("classify", [
      outcome("native", "0° 1.0000"),
      outcome("microvm-cpu", "0° 0.9999"),
    ]);
    expect(agreement).toMatchObject({ kind: "agree", answer: "0°", modes: 2 });
  });

  it("has nothing to say before any result", () => {
    expect(compareAnswers("ocr", [outcome("native", null)])).toEqual({ kind: "none" });
  });
});

describe("lastIteration", () => {
  it("reads the workload's latest progress line among the VM's console lines", () => {
    const output =
      "[    0.4] virtio_console\r\nmodels loaded in 4773 ms (/opt/models)\r\niteration 1/3: 9800.0 ms\r\niteration 2/3: 9700.1 ms\r\n";
    expect(lastIteration(output)).toEqual({ done: 2, total: 3 });
    expect(lastIteration("models loaded in 4 ms\n")).toBeNull();
  });
});

describe("offloadSpeedups", () => {
  it("pairs each runtime's CPU and offloaded medians, skipping runtimes that ran one way", () => {
    const speedups = offloadSpeedups([
      outcome("native", "A", 50),
      outcome("runc-cpu", "A", 55),
      outcome("runc-vaccel", "A", 56),
      outcome("gvisor-cpu", "A", 40),
      outcome("microvm-vaccel", "A", 100),
      outcome("microvm-cpu", "A", 9700),
    ]);
    expect(speedups.map((s) => [s.runtime, s.cpuMs, s.offloadedMs])).toEqual([
      ["runc", 55, 56],
      ["microvm", 9700, 100],
    ]);
    expect(speedups[1].factor).toBe(97);
  });
});
