// The built-in VM sandbox: QEMU's microvm machine, Debian's kernel, a busybox init, the image's rootfs over 9p.
import path from "node:path";
import type {
  LaunchContext,
  LaunchResult,
  LaunchSpec,
  RuntimeAvailability,
  SandboxDriver,
} from "../../engine/driver";
import type { ImageRef } from "../../images/image-store";
import { readMicrovmAssets, type MicrovmAssets } from "../../images/microvm/microvm-assets";
import { runCommand } from "../process-exit";
import { bootVm } from "./boot-vm";
import { probeAccel, type AccelChoice } from "./probe-accel";
import { reapVms, findVmProcesses } from "./reap-vms";

export interface MicrovmOptions {
  qemuBinary: string;
  stateDir: string;
  cacheDir: string;
  /** "auto" boots a probe VM with KVM and falls back to TCG; a named one is used as given. */
  accel: "auto" | "kvm" | "tcg";
  /** The image the acceleration probe boots. */
  probeImage: () => Promise<ImageRef | null>;
}

const buildCommand = "node --import tsx server/images/microvm/build-microvm.ts";

export class MicrovmDriver implements SandboxDriver {
  readonly id = "microvm" as const;
  readonly name = "QEMU microVM, built in";
  readonly kind = "vm" as const;
  private readonly options: MicrovmOptions;
  /** One folder per VM, named by its resource name. */
  private readonly vmsDir: string;
  private availability: Promise<RuntimeAvailability> | null = null;
  private accel: Promise<AccelChoice> | null = null;

  constructor(options: MicrovmOptions) {
    this.options = options;
    this.vmsDir = path.join(options.stateDir, "microvm");
  }

  probe(): Promise<RuntimeAvailability> {
    this.availability ??= this.detect().catch((err: unknown) => ({
      available: false,
      version: null,
      reason: `probe failed: ${err instanceof Error ? err.message : String(err)}`,
      install: null,
      details: {},
    }));
    return this.availability;
  }

  async launch(spec: LaunchSpec, ctx: LaunchContext): Promise<LaunchResult> {
    const assets = await this.requireAssets();
    const { chosen } = await this.chooseAccel(assets);
    return bootVm(
      {
        qemuBinary: this.options.qemuBinary,
        accel: chosen ?? "tcg",
        assets,
        vmDir: path.join(this.vmsDir, spec.resourceName),
        name: spec.resourceName,
        rootfsPath: spec.image.rootfsPath,
        command: spec.command,
        memoryBytes: spec.limits.memoryBytes,
        tmpfsBytes: spec.limits.tmpfsBytes,
      },
      ctx,
    );
  }

  /** The VM's whole cost on the host is its QEMU process: guest memory, emulation, device backends. */
  async sandboxProcesses(resourceName: string): Promise<number[]> {
    return (await findVmProcesses(this.vmsDir))
      .filter((vm) => vm.name === resourceName)
      .map((vm) => vm.pid);
  }

  reap(): Promise<string[]> {
    return reapVms(this.vmsDir);
  }

  private async detect(): Promise<RuntimeAvailability> {
    const qemu = await this.qemuVersion();
    if (!qemu) {
      return {
        available: false,
        version: null,
        reason: `QEMU not found (${this.options.qemuBinary})`,
        install: "apt-get install qemu-system-x86 (Debian/Ubuntu), or set SBPG_QEMU_PATH",
        details: {},
      };
    }
    const assets = await readMicrovmAssets(this.options.cacheDir);
    if (!assets) {
      return {
        available: false,
        version: qemu,
        reason: "the guest kernel and initramfs are not built yet",
        install: `npm run setup (or ${buildCommand})`,
        details: {},
      };
    }
    const { chosen, tried } = await this.chooseAccel(assets);
    const { kernelVersion, kernelPackage, kernelFormat } = assets.manifest;
    if (!chosen) {
      return {
        available: false,
        version: qemu,
        reason: `the microVM does not boot on this host (${tried.join("; ")})`,
        install: `check the assets (${buildCommand} --force) and QEMU by hand`,
        details: {},
      };
    }
    return {
      available: true,
      version: qemu,
      reason: null,
      install: null,
      details: {
        binary: this.options.qemuBinary,
        qemu,
        accel: chosen,
        accelProbe: tried.join("; "),
        kernel: kernelVersion,
        kernelSource: `Debian ${kernelPackage} (${kernelFormat === "elf-pvh" ? "uncompressed vmlinux, PVH entry" : "bzImage"})`,
        machine: "microvm, 1 vCPU, no firmware",
        rootfs: "image rootfs over virtio-9p, read-only",
        network: "none (no network device)",
        stateDir: this.vmsDir,
      },
    };
  }

  private async qemuVersion(): Promise<string | null> {
    const result = await runCommand(this.options.qemuBinary, ["--version"], 5_000);
    if (result.code !== 0) return null;
    return /version (\S+)/.exec(result.stdout)?.[1] ?? (result.stdout.split("\n")[0] || null);
  }

  private async requireAssets(): Promise<MicrovmAssets> {
    const assets = await readMicrovmAssets(this.options.cacheDir);
    if (!assets)
      throw new Error(
        `the microVM's guest kernel and initramfs are not built: run ${buildCommand}`,
      );
    return assets;
  }

  private chooseAccel(assets: MicrovmAssets): Promise<AccelChoice> {
    this.accel ??= (async () => {
      if (this.options.accel !== "auto")
        return { chosen: this.options.accel, tried: ["set by SBPG_MICROVM_ACCEL"] };
      const image = await this.options.probeImage();
      if (!image)
        return { chosen: null, tried: ["the busybox image is not built: run `npm run setup`"] };
      const qemu = (await this.qemuVersion()) ?? "unknown";
      return probeAccel({
        qemuBinary: this.options.qemuBinary,
        qemuVersion: qemu,
        assets,
        rootfsPath: image.rootfsPath,
        vmsDir: this.vmsDir,
      });
    })();
    // A failed probe is not kept: the next launch or probe tries again.
    void this.accel.then((choice) => {
      if (!choice.chosen) this.accel = null;
    });
    return this.accel;
  }
}
