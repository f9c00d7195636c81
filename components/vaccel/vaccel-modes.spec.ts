import { describe, expect, it } from "vitest";
import type { HostReply, RuntimeInfo } from "@/lib/api/schemas";
import { allModes, describeBackend, modeAvailability, modeById } from "./vaccel-modes";

const runtime = (id: string, available: boolean, details: Record<string, string> = {}) =>
  ({
    id,
    name: id,
    kind: id === "microvm" ? "vm" : "container",
    available,
    version: "1",
    reason: available ? null : `${id} is not installed`,
    install: null,
    details,
  }) satisfies RuntimeInfo;

const runtimes = [
  runtime("runc", true),
  runtime("gvisor", true, { platform: "ptrace" }),
  runtime("containerd-runc", false),
  runtime("microvm", true, { accel: "tcg" }),
];

const host = {
  limits: { memoryBytes: 128 * 2 ** 20 },
  images: [{ name: "node-onnx", available: true, sizeBytes: 1, reason: null }],
  vaccel: {
    address: null,
    backend: {
      name: "onnxruntime-node",
      version: "1.30.0",
      executionProvider: "cpu",
      cudaProviderInstalled: false,
      modelLoadMs: {},
    },
  },
} as unknown as HostReply;

describe("the modes", () => {
  it("run the native baseline first and the emulated VM's CPU last", () => {
    expect(allModes[0].id).toBe("native");
    expect(allModes.at(-1)?.id).toBe("microvm-cpu");
    expect(new Set(allModes.map((m) => m.id)).size).toBe(allModes.length);
  });
});

describe("modeAvailability", () => {
  const available = (id: string, op: "ocr" | "classify" = "ocr", h = host) =>
    modeAvailability(modeById(id)!, op, runtimes, h);

  it("passes on a missing runtime's reason", () => {
    expect(available("native")).toEqual({ available: true, reason: null });
    expect(available("containerd-runc-vaccel")).toEqual({
      available: false,
      reason: "containerd-runc is not installed",
    });
  });

  it("refuses OCR on the VM's CPU where the guest would get too little memory, not orientation", () => {
    expect(available("microvm-cpu").reason).toMatch(
      /256 MiB guest; this host gives sandboxes 128 MiB/,
    );
    expect(available("microvm-cpu", "classify").available).toBe(true);
    const roomy = { ...host, limits: { ...host.limits, memoryBytes: 256 * 2 ** 20 } };
    expect(available("microvm-cpu", "ocr", roomy).available).toBe(true);
  });

  it("needs the agent for offloaded modes and the image for any sandbox", () => {
    const noAgent = { ...host, vaccel: null };
    expect(available("runc-vaccel", "ocr", noAgent).reason).toMatch(/SBPG_VACCEL=off/);
    expect(available("runc-cpu", "ocr", noAgent).available).toBe(true);
    const noImage = { ...host, images: [] };
    expect(available("runc-cpu", "ocr", noImage).reason).toMatch(/node-onnx image is missing/);
  });
});

describe("describeBackend", () => {
  it("says which engine, processor and acceleration produced each number", () => {
    const describe = (id: string) => describeBackend(modeById(id)!, runtimes, host);
    expect(describe("native")).toBe("onnxruntime-node 1.30.0 · host CPU · in the server process");
    expect(describe("microvm-cpu")).toBe(
      "onnxruntime-node 1.30.0 in the sandbox · guest vCPU under QEMU tcg (emulated)",
    );
    expect(describe("microvm-vaccel")).toMatch(
      /^answered by the playground's agent: onnxruntime-node 1.30.0 · host CPU · over a virtio-serial port/,
    );
    expect(describe("gvisor-cpu")).toMatch(/gVisor \(ptrace platform\)/);
  });

  it("names the host's vaccel-rpc-agent when offloaded modes went to it", () => {
    const withAgent = {
      ...host,
      vaccel: {
        ...host.vaccel!,
        hostAgent: { address: "unix:///run/vaccel.sock", answers: true, error: null },
      },
    };
    const describe = (id: string) => describeBackend(modeById(id)!, runtimes, withAgent, "host");
    expect(describe("runc-vaccel")).toBe(
      "answered by the host's vaccel-rpc-agent at unix:///run/vaccel.sock · over a unix socket bind-mounted at /run/vaccel (workload: host CPU, host kernel)",
    );
    expect(describe("native")).toBe("onnxruntime-node 1.30.0 · host CPU · in the server process");
    expect(describe("runc-cpu")).toBe(
      "onnxruntime-node 1.30.0 in the sandbox · host CPU, host kernel",
    );
  });
});
