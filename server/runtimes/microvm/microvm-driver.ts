// The built-in VM sandbox: QEMU's microvm machine, Debian's kernel, a busybox init, the image's rootfs over 9p.
import { probeOnce } from "../probe-once";
import { randomBytes } from "node:crypto";
import path from "node:path";
import {
  resourcePrefix,
  SandboxLaunchError,
  type LaunchResult,
  type LaunchSpec,
  type RuntimeAvailability,
  type SandboxDriver,
  type SessionSpec,
  type TerminalStream,
} from "../../engine/driver";
import type { ImageRef } from "../../images/image-store";
import { readMicrovmAssets, type MicrovmAssets } from "../../images/microvm/microvm-assets";
import type { Logger } from "../../log/logger";
import { cgroupPids, configureCgroupParent, reapCgroups } from "../cgroups";
import { runCommand } from "../process-exit";
import { bootVm, MicroVm, type MicrovmContext, type VmSink } from "./boot-vm";
import { describePool, MicrovmPool } from "./microvm-pool";
import { MicrovmSession } from "./microvm-session";
import { probeAccel, type AccelChoice } from "./probe-accel";
import { guestMemoryMiB, type Accel } from "./qemu-args";
import { reapVms } from "./reap-vms";

export interface MicrovmOptions {
  qemuBinary: string;
  stateDir: string;
  cacheDir: string;
  /**
   * The group every QEMU runs in (a child cgroup each), beside the containers' parent (see vmsCgroupFor): a
   * TCG guest spinning its vCPU takes a host core, so all VMs together are SCHED_IDLE against the host's
   * processes (`idle`), or weigh `cpuShares` where the kernel lacks cpu.idle or idle is off.
   */
  vmsCgroup: { path: string; cpuShares: number; idle: boolean };
  /** "auto" boots a probe VM with KVM and falls back to TCG; a named one is used as given. */
  accel: "auto" | "kvm" | "tcg";
  /** The image the acceleration probe boots. */
  probeImage: () => Promise<ImageRef | null>;
  /** VMs booted ahead of any run; a launch with fromPool takes one if it fits. Absent or size 0: none. */
  pool?: MicrovmPoolOptions;
  /** Interactive sessions: shells at once per session (one virtconsole port each). Absent: no sessions. */
  sessions?: { terminals: number; log: Logger };
}

export interface MicrovmPoolOptions {
  size: number;
  /** The pool's VMs: this image, with this much guest memory; a launch for another gets a cold boot. */
  image: () => Promise<ImageRef | null>;
  memoryBytes: number;
  /** The /tmp its VMs mount ahead; a run with another size remounts it. */
  tmpfsBytes: number;
  /** Their QEMU's CPU share, as a run's would have. */
  cpuShares: number;
  log: Logger;
}

/** Where a pooled VM's events go while no run has claimed it: its boot log is not any run's. */
const unclaimedSink: VmSink = {
  mark: () => undefined,
  enter: () => undefined,
  output: () => undefined,
  console: () => undefined,
};

const buildCommand = "node --import tsx server/images/microvm/build-microvm.ts";

export class MicrovmDriver implements SandboxDriver {
  readonly id = "microvm" as const;
  readonly name = "QEMU microVM, built in";
  readonly kind = "vm" as const;
  readonly vaccelTransport = "virtio-serial port, VACCEL_RPC_ADDRESS=serial:///dev/vaccel";
  private readonly options: MicrovmOptions;
  /** One folder per VM, named by its resource name. */
  private readonly vmsDir: string;
  /** The warm pool's VMs, apart: a run's folder is gone when its run is. */
  private readonly poolDir: string;
  private availability: Promise<RuntimeAvailability> | null = null;
  private accel: Promise<AccelChoice> | null = null;
  private pool: MicrovmPool<MicroVm> | null = null;
  /** Warm-pool VMs serving a run, by the run's resource name (their QEMU carries the pool's name). */
  private readonly claimed = new Map<string, MicroVm>();
  private closed = false;
  private vmsGroup: Promise<string> | null = null;
  /** Session VMs, by the session's resource name. */
  private readonly sessions = new Map<string, MicrovmSession>();

  constructor(options: MicrovmOptions) {
    this.options = options;
    this.vmsDir = path.join(options.stateDir, "microvm");
    this.poolDir = path.join(options.stateDir, "microvm-pool");
  }

  /** The host checks are cached; the warm pool's line is current on every call. */
  async probe(): Promise<RuntimeAvailability> {
    this.availability ??= probeOnce(() => this.detect());
    const availability = await this.availability;
    if (!availability.available) return availability;
    const warmPool = this.pool
      ? describePool(this.pool.status())
      : "off (SBPG_MICROVM_POOL_SIZE=0)";
    return { ...availability, details: { ...availability.details, warmPool } };
  }

  async launch(spec: LaunchSpec, ctx: MicrovmContext): Promise<LaunchResult> {
    if (spec.session) return this.requireSession(spec.session.resourceName).exec(spec.command, ctx);
    // A pooled VM's serial ports exist from its boot, before any run's agent socket does: vAccel runs boot cold.
    if (spec.fromPool && !spec.vaccel) {
      const vm = this.pool?.claim((candidate) => this.fits(candidate, spec));
      if (vm) return this.launchPooled(vm, spec, ctx);
      ctx.mark("poolMiss");
    } else if (spec.fromPool) {
      ctx.mark("poolSkippedForVaccel");
    }
    const assets = await this.requireAssets();
    const { chosen } = await this.chooseAccel(assets);
    const cgroupParent = await this.vmsCgroup();
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
        vaccelSocketPath: spec.vaccel?.hostSocketPath ?? null,
        cgroup: { parent: cgroupParent, cpuShares: spec.limits.cpuShares },
      },
      ctx,
    );
  }

  /**
   * The VM's whole cost on the host is its QEMU process: guest memory, emulation, device backends. Its
   * cgroup names it in one read; a scan of /proc for every sample of every VM would load the server.
   */
  async sandboxProcesses(resourceName: string): Promise<number[]> {
    const pooled = (this.claimed.get(resourceName) ?? this.sessions.get(resourceName)?.vm)?.pid;
    if (pooled !== undefined) return [pooled];
    return cgroupPids(this.vmsCgroupPath(), resourceName);
  }

  /** A session is one VM kept up; its shells are on the guest's own ttys, its commands go over the control port. */
  async startSession(spec: SessionSpec, signal: AbortSignal): Promise<void> {
    const sessions = this.options.sessions;
    if (!sessions)
      throw new SandboxLaunchError("this host runs no microVM sessions", { started: false });
    const assets = await this.requireAssets();
    const { chosen } = await this.chooseAccel(assets);
    const cgroupParent = await this.vmsCgroup();
    const session = await MicrovmSession.start(
      {
        vm: {
          qemuBinary: this.options.qemuBinary,
          accel: chosen ?? "tcg",
          assets,
          vmDir: path.join(this.vmsDir, spec.resourceName),
          name: spec.resourceName,
          rootfsPath: spec.image.rootfsPath,
          memoryBytes: spec.limits.memoryBytes,
          cgroup: { parent: cgroupParent, cpuShares: spec.limits.cpuShares },
        },
        tmpfsBytes: spec.limits.tmpfsBytes,
        homeBytes: spec.homeBytes,
        terminals: sessions.terminals,
        log: sessions.log,
      },
      signal,
    );
    this.sessions.set(spec.resourceName, session);
  }

  async endSession(resourceName: string): Promise<void> {
    const session = this.sessions.get(resourceName);
    this.sessions.delete(resourceName);
    await session?.end();
  }

  async sessionAlive(resourceName: string): Promise<boolean> {
    return this.sessions.get(resourceName)?.alive ?? false;
  }

  async openTerminal(
    resourceName: string,
    size: { cols: number; rows: number },
  ): Promise<TerminalStream> {
    return this.requireSession(resourceName).openTerminal(size);
  }

  cgroupOf(resourceName: string): { parent: string; name: string } {
    return { parent: this.vmsCgroupPath(), name: resourceName };
  }

  /** Warm-pool VMs included, and every VM cgroup left in the VMs' group. */
  async reap(): Promise<string[]> {
    return [
      ...(await reapVms(this.vmsDir)),
      ...(await reapVms(this.poolDir)),
      ...(await reapCgroups(this.vmsCgroupPath(), () => false)),
    ];
  }

  /** Stops the warm pool's VMs; runs on claimed ones end with their runs. */
  async close(): Promise<void> {
    this.closed = true;
    await this.pool?.close();
    // A first-boot accel probe still running would recreate its folder under a state folder being removed.
    await this.accel?.catch(() => undefined);
  }

  /** A claimed VM: the run goes to it as one line on the control port, and the VM is the run's from here. */
  private async launchPooled(
    vm: MicroVm,
    spec: LaunchSpec,
    ctx: MicrovmContext,
  ): Promise<LaunchResult> {
    ctx.mark("poolClaimed");
    ctx.console(Buffer.from(`${poolNote(vm)}\n`));
    ctx.enter("booting");
    this.claimed.set(spec.resourceName, vm);
    try {
      vm.attach(ctx);
      vm.sendRun({ command: spec.command, tmpfsBytes: spec.limits.tmpfsBytes });
      // Its QEMU was spawned before the run; the run starts when the VM is handed it.
      ctx.mark("started");
      return await vm.finish(ctx.signal);
    } finally {
      this.claimed.delete(spec.resourceName);
    }
  }

  private requireSession(resourceName: string): MicrovmSession {
    const session = this.sessions.get(resourceName);
    if (!session)
      throw new SandboxLaunchError("the session's microVM is not running", { started: false });
    return session;
  }

  private fits(vm: MicroVm, spec: LaunchSpec): boolean {
    return (
      vm.input.rootfsPath === spec.image.rootfsPath &&
      guestMemoryMiB(vm.input.memoryBytes) === guestMemoryMiB(spec.limits.memoryBytes)
    );
  }

  /** Once the host checks pass; the pool boots with the accelerator they chose. */
  private startPool(accel: Accel): void {
    const options = this.options.pool;
    if (this.closed || this.pool || !options || options.size <= 0) return;
    this.pool = new MicrovmPool<MicroVm>({
      size: options.size,
      log: options.log,
      failureOf: async (vm) => vm.failure(await vm.exited),
      boot: async () => {
        const [assets, image, cgroupParent] = await Promise.all([
          this.requireAssets(),
          options.image(),
          this.vmsCgroup(),
        ]);
        if (!image) throw new Error("the busybox image is not built: run `npm run setup`");
        // Short: the control socket's path must fit in 107 bytes.
        const name = `${resourcePrefix}pool-${randomBytes(4).toString("hex")}`;
        return MicroVm.start(
          {
            qemuBinary: this.options.qemuBinary,
            accel,
            assets,
            vmDir: path.join(this.poolDir, name),
            name,
            rootfsPath: image.rootfsPath,
            memoryBytes: options.memoryBytes,
            cgroup: { parent: cgroupParent, cpuShares: options.cpuShares },
          },
          { poolTmpfsBytes: options.tmpfsBytes },
          unclaimedSink,
          options.log,
        );
      },
    });
    this.pool.fill();
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
    this.startPool(chosen);
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
        vaccel: "virtio-serial port to the run's agent socket (cold boots only; not the warm pool)",
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
      throw new SandboxLaunchError(
        `the microVM's guest kernel and initramfs are not built: run ${buildCommand}`,
        { started: false },
      );
    return assets;
  }

  private vmsCgroupPath(): string {
    return this.options.vmsCgroup.path;
  }

  /** The VMs' group with its share, written once before the first QEMU joins a child of it. */
  private vmsCgroup(): Promise<string> {
    this.vmsGroup ??= configureCgroupParent(this.vmsCgroupPath(), {
      cpuShares: this.options.vmsCgroup.cpuShares,
      cpuCores: null,
      idle: this.options.vmsCgroup.idle,
    }).then(
      () => this.vmsCgroupPath(),
      (err: unknown) => {
        this.vmsGroup = null;
        throw new SandboxLaunchError(
          `the microVMs' cgroup could not be set up (${err instanceof Error ? err.message : String(err)})`,
          { started: false, cause: err },
        );
      },
    );
    return this.vmsGroup;
  }

  private chooseAccel(assets: MicrovmAssets): Promise<AccelChoice> {
    // A probe started once close() has begun would boot a VM (and make its folder) in a state folder
    // being removed; close() waits only for a probe that had already started.
    if (this.closed)
      return Promise.resolve({ chosen: null, tried: ["the playground is stopping"] });
    this.accel ??= (async () => {
      if (this.options.accel !== "auto")
        return { chosen: this.options.accel, tried: ["set by SBPG_MICROVM_ACCEL"] };
      const image = await this.options.probeImage();
      if (!image)
        return { chosen: null, tried: ["the busybox image is not built: run `npm run setup`"] };
      const qemu = (await this.qemuVersion()) ?? "unknown";
      const cgroupParent = await this.vmsCgroup();
      return probeAccel({
        qemuBinary: this.options.qemuBinary,
        qemuVersion: qemu,
        assets,
        rootfsPath: image.rootfsPath,
        vmsDir: this.vmsDir,
        cgroupParent,
      });
    })();
    // A failed probe is not kept: the next launch or probe tries again.
    void this.accel.then(
      (choice) => {
        if (!choice.chosen) this.accel = null;
      },
      () => {
        this.accel = null;
      },
    );
    return this.accel;
  }
}

/** What a pooled run shows instead of a boot log it did not wait for. */
function poolNote(vm: MicroVm): string {
  const { spawnedAt, readyAt } = vm;
  if (spawnedAt === null || readyAt === null) return "[from the warm pool]";
  const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `[from the warm pool: booted ${seconds(Date.now() - readyAt)} ago in ${seconds(readyAt - spawnedAt)}]`;
}
