// The ways the demo runs one inference: natively in the server, and in each sandbox on its own CPU or through vAccel.
import type { InferOp } from "@/lib/api/vaccel";
import type { HostReply, RuntimeInfo } from "@/lib/api/schemas";
import { describeAgent, type VaccelAgentChoice } from "./agent-choice";

export const sandboxRuntimes = ["runc", "gvisor", "containerd-runc", "microvm"] as const;
export type SandboxRuntime = (typeof sandboxRuntimes)[number];

/** Where the model runs: on the CPU of whoever runs the workload, or on the host's agent through vAccel. */
export type Placement = "cpu" | "vaccel";

export interface ModeSpec {
  id: string;
  /** "host": the server process itself, no sandbox. */
  runtime: "host" | SandboxRuntime;
  placement: Placement;
  label: string;
}

export const runtimeNames: Record<SandboxRuntime, string> = {
  runc: "runc",
  gvisor: "gVisor",
  "containerd-runc": "containerd-runc",
  microvm: "microVM",
};

/** In the order they run: the native baseline first, the slow emulated VM CPU last. */
export const allModes: readonly ModeSpec[] = [
  { id: "native", runtime: "host", placement: "cpu", label: "Native (server process)" },
  ...(["runc", "gvisor", "containerd-runc", "microvm"] as const).flatMap((runtime) => {
    const name = runtimeNames[runtime];
    const vaccel: ModeSpec = {
      id: `${runtime}-vaccel`,
      runtime,
      placement: "vaccel",
      label: `${name} through vAccel`,
    };
    const cpu: ModeSpec = {
      id: `${runtime}-cpu`,
      runtime,
      placement: "cpu",
      label: `${name} on its CPU`,
    };
    return runtime === "microvm" ? [vaccel, cpu] : [cpu, vaccel];
  }),
];

export const defaultModeIds = [
  "native",
  "runc-cpu",
  "runc-vaccel",
  "microvm-vaccel",
  "microvm-cpu",
];

export const modeById = (id: string): ModeSpec | undefined => allModes.find((m) => m.id === id);

/** The emulated VM runs onnxruntime ~100x slower than the host: its CPU mode gets its own, small iteration count. */
export const isSlowMode = (mode: ModeSpec): boolean =>
  mode.runtime === "microvm" && mode.placement === "cpu";

/**
 * Measured: OCR's three models in a microVM's guest need more than 128 MiB (the kernel kills node); 256 MiB runs.
 * A container is charged only its process, which fits the default 128 MiB.
 */
export const vmOcrMemoryBytes = 256 * 1024 * 1024;

export interface ModeAvailability {
  available: boolean;
  /** Why not, and what to change; null when available. */
  reason: string | null;
}

export function modeAvailability(
  mode: ModeSpec,
  op: InferOp,
  runtimes: readonly RuntimeInfo[],
  host: HostReply,
): ModeAvailability {
  const no = (reason: string): ModeAvailability => ({ available: false, reason });
  if (mode.runtime === "host") return { available: true, reason: null };
  const runtime = runtimes.find((r) => r.id === mode.runtime);
  if (!runtime?.available) return no(runtime?.reason ?? `this host has no ${mode.runtime}`);
  const image = host.images.find((i) => i.name === "node-onnx");
  if (!image?.available) {
    return no(
      `the node-onnx image is missing (${image?.reason ?? "not built"}); build it with \`node --import tsx server/images/build-images.ts\``,
    );
  }
  if (op === "noop" && mode.placement === "cpu") {
    return no(
      "NOOP computes nothing: on a sandbox's CPU there is nothing to time; run it through vAccel",
    );
  }
  if (mode.placement === "vaccel" && !host.vaccel) {
    return no("the host's vAccel agent is off (SBPG_VACCEL=off)");
  }
  if (op === "ocr" && isSlowMode(mode) && host.limits.memoryBytes < vmOcrMemoryBytes) {
    return no(
      `OCR's models need a ${vmOcrMemoryBytes / 2 ** 20} MiB guest; this host gives sandboxes ${Math.round(host.limits.memoryBytes / 2 ** 20)} MiB (SBPG_MEMORY_LIMIT_BYTES). Orientation fits.`,
    );
  }
  return { available: true, reason: null };
}

/**
 * Which backend and acceleration produced a mode's numbers, in words: the engine, the processor, the transport,
 * and for an offloaded mode the agent that answered its calls.
 */
export function describeBackend(
  mode: ModeSpec,
  runtimes: readonly RuntimeInfo[],
  host: HostReply,
  agent: VaccelAgentChoice = "playground",
): string {
  const backend = host.vaccel?.backend;
  const engine = `onnxruntime-node${backend ? ` ${backend.version}` : ""}`;
  const processor = (backend?.executionProvider ?? "cpu").toUpperCase();
  if (mode.runtime === "host") return `${engine} · host ${processor} · in the server process`;
  const details = runtimes.find((r) => r.id === mode.runtime)?.details ?? {};
  const accel = details.accel;
  const guest =
    mode.runtime === "microvm"
      ? `guest vCPU under ${accel === "kvm" ? "KVM" : `QEMU ${accel ?? "?"} (emulated)`}`
      : mode.runtime === "gvisor"
        ? `host CPU under gVisor (${details.platform ?? "?"} platform)`
        : "host CPU, host kernel";
  if (mode.placement === "cpu") return `${engine} in the sandbox · ${guest}`;
  const transport =
    mode.runtime === "microvm" ? "virtio-serial port" : "unix socket bind-mounted at /run/vaccel";
  return `answered by ${describeAgent(agent, host)} · over a ${transport} (workload: ${guest})`;
}
