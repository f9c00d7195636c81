import { describe, expect, it } from "vitest";
import {
  CreateSessionBodySchema,
  SessionExecBodySchema,
  TerminalInputSchema,
  TerminalOpenSchema,
  TerminalResizeSchema,
  maxTerminalInputChars,
  opensSessions,
  sessionRuntimesOf,
} from "./sessions";

describe("session and terminal payloads", () => {
  it("takes the issue's POST /api/sessions shape and defaults the image", () => {
    expect(
      CreateSessionBodySchema.parse({
        runtime: "runc",
        limits: { memoryBytes: 67108864 },
        lifetimeMs: 60_000,
      }),
    ).toEqual({
      runtime: "runc",
      image: "busybox",
      limits: { memoryBytes: 67108864 },
      lifetimeMs: 60_000,
    });
  });

  it("takes a cluster's runtime id (k8s: and a RuntimeClass name), which opens sessions", () => {
    expect(CreateSessionBodySchema.parse({ runtime: "k8s:kata-qemu" }).runtime).toBe(
      "k8s:kata-qemu",
    );
    expect(CreateSessionBodySchema.safeParse({ runtime: "K8S:x y" }).success).toBe(false);
    expect(opensSessions("k8s:gvisor")).toBe(true);
    expect(opensSessions("runc")).toBe(true);
    expect(opensSessions("containerd")).toBe(false);
  });

  it("refuses unknown fields, a too short lifetime and an empty command", () => {
    expect(CreateSessionBodySchema.safeParse({ runtime: "runc", shell: "bash" }).success).toBe(
      false,
    );
    expect(CreateSessionBodySchema.safeParse({ runtime: "runc", lifetimeMs: 5 }).success).toBe(
      false,
    );
    expect(SessionExecBodySchema.safeParse({ command: [] }).success).toBe(false);
  });

  it("bounds terminal sizes and one input message", () => {
    expect(TerminalOpenSchema.safeParse({ sessionId: "s", cols: 80, rows: 24 }).success).toBe(true);
    expect(TerminalOpenSchema.safeParse({ sessionId: "s", cols: 80.5, rows: 24 }).success).toBe(
      false,
    );
    expect(TerminalResizeSchema.safeParse({ terminalId: "t", cols: 80, rows: 0 }).success).toBe(
      false,
    );
    const input = (n: number) =>
      TerminalInputSchema.safeParse({ terminalId: "t", data: "a".repeat(n) });
    expect(input(maxTerminalInputChars).success).toBe(true);
    expect(input(maxTerminalInputChars + 1).success).toBe(false);
    expect(input(0).success).toBe(false);
  });
});

describe("sessionRuntimesOf", () => {
  it("keeps the runtimes that are available and open sessions, in order", () => {
    const runtimes = [
      { id: "gvisor", available: true },
      { id: "kata-qemu", available: false },
      { id: "kata-fc", available: true },
      { id: "k8s:gvisor", available: true },
      { id: "runc", available: true },
    ];
    expect(sessionRuntimesOf(runtimes).map((r) => r.id)).toEqual(["gvisor", "k8s:gvisor", "runc"]);
  });
});
