// Which accelerator boots the guest here: KVM if /dev/kvm runs it, else TCG; probed by booting, cached per host boot.
import fs from "node:fs/promises";
import path from "node:path";
import type { MicrovmAssets } from "../../images/microvm/microvm-assets";
import { bootVm, type MicrovmContext } from "./boot-vm";
import type { Accel } from "./qemu-args";

export interface AccelChoice {
  chosen: Accel | null;
  tried: string[];
}

/** /run is a tmpfs: the answer is a fact of this boot of the host, its /dev/kvm, this QEMU and this kernel. */
const cacheFile = "/run/sbpg-microvm-accel.json";
/**
 * A paravirtual /dev/kvm (as on this machine kind) opens fine, then stock guest kernels crash or hang in it:
 * only a boot that finishes proves KVM. A KVM boot takes well under a second where it works.
 */
const probeTimeoutMs: Record<Accel, number> = { kvm: 5_000, tcg: 30_000 };

export interface ProbeAccelInput {
  qemuBinary: string;
  qemuVersion: string;
  assets: MicrovmAssets;
  rootfsPath: string;
  vmsDir: string;
  /** The probe's QEMU runs in a cgroup like any VM's. */
  cgroupParent: string;
}

export async function probeAccel(input: ProbeAccelInput): Promise<AccelChoice> {
  const kvmUsable = await fs.access("/dev/kvm", fs.constants.R_OK | fs.constants.W_OK).then(
    () => true,
    () => false,
  );
  const key = {
    qemuBinary: input.qemuBinary,
    qemuVersion: input.qemuVersion,
    kernel: input.assets.manifest.kernelVersion,
    builtAt: input.assets.manifest.builtAt,
    kvmUsable,
  };
  const cached = await fs
    .readFile(cacheFile, "utf8")
    .then((t) => JSON.parse(t) as { key: typeof key; choice: AccelChoice })
    .catch(() => null);
  if (cached?.choice.chosen && JSON.stringify(cached.key) === JSON.stringify(key))
    return cached.choice;

  const tried: string[] = [];
  const candidates: Accel[] = kvmUsable ? ["kvm", "tcg"] : ["tcg"];
  if (!kvmUsable) tried.push("kvm: no usable /dev/kvm");
  let chosen: Accel | null = null;
  for (const accel of candidates) {
    const outcome = await bootOnce(accel, input);
    tried.push(`${accel}: ${outcome}`);
    if (outcome.startsWith("works")) {
      chosen = accel;
      break;
    }
  }
  const choice = { chosen, tried };
  if (chosen) await fs.writeFile(cacheFile, JSON.stringify({ key, choice })).catch(() => undefined);
  return choice;
}

async function bootOnce(accel: Accel, input: ProbeAccelInput): Promise<string> {
  const name = `sbpg-probe-microvm-${accel}-${process.pid}`;
  const signal = AbortSignal.timeout(probeTimeoutMs[accel]);
  const started = Date.now();
  let workloadStarted = false;
  const ctx: MicrovmContext = {
    signal,
    mark: (phase) => {
      if (phase === "workloadStarted") workloadStarted = true;
    },
    enter: () => undefined,
    output: () => undefined,
    console: () => undefined,
    log: silentLogger,
  };
  try {
    const result = await bootVm(
      {
        qemuBinary: input.qemuBinary,
        accel,
        assets: input.assets,
        vmDir: path.join(input.vmsDir, name),
        name,
        rootfsPath: input.rootfsPath,
        command: ["true"],
        memoryBytes: 0,
        tmpfsBytes: 1 << 20,
        cgroup: { parent: input.cgroupParent, cpuShares: 1024 },
      },
      ctx,
    );
    const ms = Date.now() - started;
    if (signal.aborted)
      return `no answer in ${probeTimeoutMs[accel]} ms${workloadStarted ? " (workload started)" : ""}`;
    return result.exitCode === 0 ? `works (${ms} ms)` : `workload exit ${result.exitCode}`;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

const noop = () => undefined;
/** The probe's VM writes nothing worth keeping; a logger-shaped object that drops it. */
const silentLogger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  trace: noop,
  fatal: noop,
  child: () => silentLogger,
} as unknown as MicrovmContext["log"];
