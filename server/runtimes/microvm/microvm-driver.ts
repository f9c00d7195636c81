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
  type SessionStart,
  type TerminalStream,
} from "../../engine/driver";
import type { ImageRef } from "../../images/image-store";
import { readMicrovmAssets, type MicrovmAssets } from "../../images/microvm/microvm-assets";
import type { Logger } from "../../log/logger";
import { cgroupPids, configureCgroupParent, reapCgroups } from "../cgroups";
import { runCommand } from "../process-exit";
import { bootVm, MicroVm, type MicrovmContext, type VmInput, type VmSink } from "./boot-vm";
import { describePool, describePoolLimits, MicrovmPool, type PoolStatus } from "./microvm-pool";
import { MicrovmSession, readyUnlessAborted } from "./microvm-session";
import { probeAccel, type AccelChoice } from "./probe-accel";
import { guestMemoryMiB, type Accel } from "./qemu-args";
import { reapVms } from "./reap-vms";
import { pooledVmBytes } from "./vm-cgroup";
import { SnapshotKeeper } from "./snapshot-keeper";
import {
  openSnapshot,
  saveSnapshot,
  snapshotDir,
  type Snapshot,
  type SnapshotSpec,
} from "./vm-snapshot";

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
  /**
   * The saved VMs that launches restore from instead of booting a kernel: one without terminal ports for runs, one
   * with them for sessions and the pool's VMs (which may become sessions). Absent: every VM boots cold. A run of
   * another memory size boots cold too: a restored VM has the saved one's RAM size.
   */
  snapshot?: MicrovmSnapshotOptions;
}

export interface MicrovmSnapshotOptions {
  memoryBytes: number;
  /**
   * Terminal ports of the sessions' snapshot and the pool's VMs (at most maxMicrovmTerminalPorts), so that sessions
   * start from the pool or a restore; 0: no sessions' snapshot, sessions boot cold and the pool restores the runs'.
   * Their buffers come out of each such VM's guest RAM, which is why runs restore from a snapshot without them.
   */
  terminalPorts?: number;
  /** Where snapshots live; default `<cacheDir>/microvm-snapshots` (ignored by git, rebuilt when stale). */
  dir?: string;
  log: Logger;
}

export interface MicrovmPoolOptions {
  /** VMs kept ready when no one asks. */
  size: number;
  /** The most it grows to under demand (default size), within memoryBudgetBytes (default: no budget). */
  max?: number;
  memoryBudgetBytes?: number;
  /** The pool's VMs: this image, with this much guest memory; a launch for another gets a cold boot. */
  image: () => Promise<ImageRef | null>;
  memoryBytes: number;
  /** The /tmp its VMs mount ahead; a run with another size remounts it. */
  tmpfsBytes: number;
  log: Logger;
}

/** Where a pooled VM's events go while no run has claimed it: its boot log is not any run's. */
const unclaimedSink: VmSink = {
  mark: () => undefined,
  enter: () => undefined,
  output: () => undefined,
  console: () => undefined,
};

/**
 * The most virtconsole ports a snapshot VM carries, whatever SBPG_MAX_TERMINALS_PER_SESSION allows: each port's
 * receive buffers come out of the guest's RAM, in every restored VM. The page shows two terminals a session; a third
 * on a microVM is refused as "all in use".
 */
export const maxMicrovmTerminalPorts = 2;

/** A session VM's events: its boot log is nobody's run (a failure's reason comes from the VM's own tail). */
const quietSink = unclaimedSink;

const buildCommand = "node --import tsx server/images/microvm/build-microvm.ts";

/**
 * A warm-pool VM's CPU share until a run or a session claims it and it gets theirs: a refill that starts as a
 * claim is served (restoring or booting a VM beside the claimed one) then takes the CPU the claimed VM leaves.
 * Measured with `SBPG_MICROVMS_CPU_IDLE=off npm run bench:session-prompt` (a pooled microVM session, POST → prompt, 7
 * sessions × 3 runs, quiet host): median 291–359 ms at this share, 353–492 ms with the pool at a run's 1024.
 */
const poolVmCpuShares = 2;

/** A restored VM reports ready in well under a second; one that has not after this is stuck, and the run boots cold. */
const restoreTimeoutMs = 15_000;

/** What a VM is made for: a run's has no terminal ports, a session's (and a pooled one's) has the sessions'. */
type VmShape = "run" | "session";

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
  /** What detect() found that start() needs: the accelerator that boots, the assets, QEMU's version. */
  private found: { accel: Accel; assets: MicrovmAssets; qemuVersion: string } | null = null;
  private accel: Promise<AccelChoice> | null = null;
  private pool: MicrovmPool<MicroVm> | null = null;
  /** Warm-pool VMs serving a run, by the run's resource name (their QEMU carries the pool's name). */
  private readonly claimed = new Map<string, MicroVm>();
  private closed = false;
  private vmsGroup: Promise<string> | null = null;
  /** Session VMs, by the session's resource name. */
  private readonly sessions = new Map<string, MicrovmSession>();
  /** The snapshot's VM is saved from here. */
  private readonly snapshotWorkDir: string;
  /**
   * The runs' snapshot (no terminal ports) and the sessions' (with them; null when sessions have none). Measured
   * 2026-12-01 on 128 MiB guests, when one snapshot served both: restored with four terminal ports, the vAccel page's
   * OCR request never answered in 90 s (8.5 s booted cold, 8.7 and 9.6 s with one and two ports), and with two its
   * 512³ SGEMM offload was OOM-killed in the guest: the ports' receive buffers come out of the guest's RAM.
   */
  private snapshots: { run: SnapshotKeeper; session: SnapshotKeeper | null } | null = null;
  /** Aborted by close(): a snapshot being saved stops with the playground. */
  private readonly closing = new AbortController();

  constructor(options: MicrovmOptions) {
    this.options = options;
    this.vmsDir = path.join(options.stateDir, "microvm");
    this.poolDir = path.join(options.stateDir, "microvm-pool");
    this.snapshotWorkDir = path.join(options.stateDir, "microvm-snapshot");
  }

  /** Saves (or checks) the snapshot and fills the warm pool, where this host runs microVMs. Idempotent. */
  async start(): Promise<void> {
    if (!(await this.probe()).available || !this.found) return;
    const { accel, assets, qemuVersion } = this.found;
    this.startSnapshots(accel, assets, qemuVersion);
    this.startPool(accel);
  }

  /** The host checks are cached; the warm pool's line is current on every call. Starts nothing (see start). */
  async probe(): Promise<RuntimeAvailability> {
    this.availability ??= probeOnce(() => this.detect());
    const availability = await this.availability;
    if (!availability.available) return availability;
    const poolWanted = (this.options.pool?.size ?? 0) > 0;
    const warmPool = this.pool
      ? describePool(this.pool.status())
      : poolWanted
        ? "starting (the server starts it once it has reaped)"
        : "off (SBPG_MICROVM_POOL_SIZE=0)";
    const snapshot = this.snapshots
      ? describeSnapshot(this.snapshots.run)
      : "off (SBPG_MICROVM_SNAPSHOT=off)";
    const sessionSnapshot = this.snapshots?.session
      ? `${describeSnapshot(this.snapshots.session)} (${this.sessionPorts()} terminal ports; sessions and the warm pool)`
      : this.snapshots
        ? "none: sessions boot cold (SBPG_MICROVM_SNAPSHOT_TERMINALS=0)"
        : "off (SBPG_MICROVM_SNAPSHOT=off)";
    const status = this.pool?.status();
    const poolLimits = status ? describePoolLimits(status) : "no pool";
    return {
      ...availability,
      details: { ...availability.details, warmPool, poolLimits, snapshot, sessionSnapshot },
    };
  }

  /** Runs queued by the engine (the host is full) grow the pool before they arrive. */
  queueChanged(waitingForPool: number): void {
    this.pool?.expectQueued(waitingForPool);
  }

  /** The pool's numbers for /api/host; null when there is no pool. */
  poolStatus(): PoolStatus | null {
    return this.pool?.status() ?? null;
  }

  /** Waits until the snapshots are open or saved (or could not be): tests and benches that measure restores. */
  async snapshotReady(): Promise<boolean> {
    await this.probe();
    const snapshots = this.snapshots;
    if (!snapshots) return false;
    const [run, session] = await Promise.all([snapshots.run.ready(), snapshots.session?.ready()]);
    return Boolean(run) && (!snapshots.session || Boolean(session));
  }

  async launch(spec: LaunchSpec, ctx: MicrovmContext): Promise<LaunchResult> {
    if (spec.session) return this.requireSession(spec.session.resourceName).exec(spec.command, ctx);
    // A pooled VM's serial ports exist from its boot, before any run's agent socket does: vAccel runs are restored
    // (from the runs' snapshot, with a port of their own) or boot cold.
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
    const input: VmInput = {
      qemuBinary: this.options.qemuBinary,
      accel: chosen ?? "tcg",
      assets,
      vmDir: path.join(this.vmsDir, spec.resourceName),
      name: spec.resourceName,
      rootfsPath: spec.image.rootfsPath,
      memoryBytes: spec.limits.memoryBytes,
      vaccelSocketPath: spec.vaccel?.hostSocketPath ?? null,
      cgroup: { parent: cgroupParent, cpuShares: spec.limits.cpuShares },
    };
    const restored = await this.launchRestored(input, spec, ctx);
    if (restored) return restored;
    return bootVm({ ...input, command: spec.command, tmpfsBytes: spec.limits.tmpfsBytes }, ctx);
  }

  /**
   * A VM restored from the snapshot, handed its run once it has reseeded and mounted its root; null when the run
   * boots cold instead (no snapshot for it yet, or a broken one: then the run's console says so).
   */
  private async launchRestored(
    input: VmInput,
    spec: LaunchSpec,
    ctx: MicrovmContext,
  ): Promise<LaunchResult | null> {
    const note = (text: string) => ctx.console(Buffer.from(`[${text}]\n`));
    const restored = await this.restoreVm(input, spec.limits.tmpfsBytes, ctx, ctx.signal, {
      shape: "run",
      log: ctx.log,
      // The kernel booted once, when the snapshot was saved: its log is shown, said to be that one.
      starting: (snapshot) => {
        const bootLog = snapshot.bootLog ?? "";
        if (bootLog)
          ctx.console(
            Buffer.from(
              `[the kernel's boot log from when this snapshot was saved (${snapshot.manifest.savedAt}); this VM is restored from it, it does not boot]\n${bootLog}${bootLog.endsWith("\n") ? "" : "\n"}`,
            ),
          );
        ctx.mark("restoreStarted");
        ctx.enter("booting");
      },
    });
    if ("cold" in restored) {
      if (restored.unusable) ctx.mark("snapshotUnusable");
      if (restored.cold) note(restored.cold);
      return null;
    }
    const { vm } = restored;
    if (!ctx.signal.aborted)
      vm.sendRun(
        { command: spec.command, tmpfsBytes: spec.limits.tmpfsBytes },
        Boolean(spec.vaccel),
      );
    return vm.finish(ctx.signal);
  }

  /**
   * A VM restored from the snapshot of its shape (a run's or a session's) and waiting for its run (or killed by the
   * signal, for the caller to finish), or why the caller boots cold instead: `cold` is the note to show (null: no
   * snapshot configured), `unusable` when the snapshot failed and goes.
   */
  private async restoreVm(
    input: VmInput,
    tmpfsBytes: number,
    sink: VmSink,
    signal: AbortSignal,
    how: { shape: VmShape; log: Logger; starting?: (snapshot: Snapshot) => void },
  ): Promise<{ vm: MicroVm } | { cold: string | null; unusable: boolean }> {
    const snapshots = this.snapshotOf(how.shape);
    const snapshotMiB = this.options.snapshot && guestMemoryMiB(this.options.snapshot.memoryBytes);
    if (!snapshots || !snapshotMiB) return { cold: null, unusable: false };
    if (!this.fitsSnapshot(input.memoryBytes))
      return {
        cold: `no snapshot for ${guestMemoryMiB(input.memoryBytes)} MiB guests (it is saved for ${snapshotMiB} MiB): cold boot`,
        unusable: false,
      };
    const found = await snapshots.check();
    if ("missing" in found) return { cold: `${found.missing}: cold boot`, unusable: false };
    if ("unusable" in found)
      return { cold: `snapshot unusable: ${found.unusable}; cold boot`, unusable: true };
    const { snapshot } = found;
    how.starting?.(snapshot);
    const vm = await MicroVm.start(
      input,
      {
        restore: {
          ramPath: snapshot.ramPath,
          statePath: snapshot.statePath,
          tmpfsBytes,
          terminalPorts: this.portsOf(how.shape),
          pooled: false,
        },
      },
      sink,
      how.log,
    );
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      vm.kill();
    }, restoreTimeoutMs);
    const ready = await readyUnlessAborted(vm, signal);
    clearTimeout(timer);
    if (ready || signal.aborted) return { vm };
    const reason = vm.failure(await vm.exited);
    await vm.discard();
    // A restore slowed past the limit (a host under load) says nothing against the snapshot: it stays.
    if (timedOut)
      return {
        cold: `the restore took over ${restoreTimeoutMs / 1000} s: cold boot`,
        unusable: false,
      };
    snapshots.discard(snapshot, reason);
    return { cold: `snapshot unusable: ${reason}; cold boot`, unusable: true };
  }

  /** Terminal ports of the sessions' snapshot and the pool's VMs (so that a restored or pooled one can become a session). */
  private sessionPorts(): number {
    if (!this.options.sessions) return 0;
    return Math.min(this.options.snapshot?.terminalPorts ?? 0, maxMicrovmTerminalPorts);
  }

  private portsOf(shape: VmShape): number {
    return shape === "session" ? this.sessionPorts() : 0;
  }

  /** The snapshot a VM of this shape restores from: null for sessions when they have no ports (they boot cold). */
  private snapshotOf(shape: VmShape): SnapshotKeeper | null {
    if (!this.snapshots) return null;
    return shape === "session" ? this.snapshots.session : this.snapshots.run;
  }

  /** The pool's VMs may become sessions: they have the sessions' ports where sessions have any. */
  private poolShape(): VmShape {
    return this.sessionPorts() > 0 ? "session" : "run";
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

  /**
   * A session is one VM kept up; its shells are on the guest's own ttys, its commands go over the control port.
   * Its VM comes from the warm pool when one fits, else is restored from the snapshot, else boots cold.
   */
  async startSession(spec: SessionSpec, signal: AbortSignal): Promise<SessionStart> {
    const sessions = this.options.sessions;
    if (!sessions)
      throw new SandboxLaunchError("this host runs no microVM sessions", { started: false });
    const settings = { tmpfsBytes: spec.limits.tmpfsBytes, homeBytes: spec.homeBytes };
    const adopt = (vm: MicroVm, start: SessionStart): SessionStart => {
      this.sessions.set(spec.resourceName, MicrovmSession.fromWaitingVm(vm, settings));
      return start;
    };
    const pooled = this.pool?.claim(
      (vm) =>
        vm.terminalPorts.length > 0 && this.fits(vm, { image: spec.image, limits: spec.limits }),
    );
    if (pooled) {
      await this.raiseShare(pooled, spec.limits.cpuShares, sessions.log);
      return adopt(pooled, { path: "pooled", note: poolNote(pooled) });
    }
    const assets = await this.requireAssets();
    const { chosen } = await this.chooseAccel(assets);
    const cgroupParent = await this.vmsCgroup();
    const input: VmInput = {
      qemuBinary: this.options.qemuBinary,
      accel: chosen ?? "tcg",
      assets,
      vmDir: path.join(this.vmsDir, spec.resourceName),
      name: spec.resourceName,
      rootfsPath: spec.image.rootfsPath,
      memoryBytes: spec.limits.memoryBytes,
      terminals: this.sessionPorts(),
      cgroup: { parent: cgroupParent, cpuShares: spec.limits.cpuShares },
    };
    const requested = Date.now();
    const restored = await this.restoreVm(input, spec.limits.tmpfsBytes, quietSink, signal, {
      shape: "session",
      log: sessions.log,
    });
    if ("vm" in restored) {
      if (signal.aborted) {
        await restored.vm.discard();
        throw new SandboxLaunchError("the session was ended while it started", { started: false });
      }
      return adopt(restored.vm, {
        path: "restored",
        note: `[restored from the snapshot in ${seconds(Date.now() - requested)}]`,
      });
    }
    const session = await MicrovmSession.bootCold(
      { vm: { ...input, terminals: sessions.terminals }, ...settings, log: sessions.log },
      signal,
    );
    this.sessions.set(spec.resourceName, session);
    return {
      path: "cold",
      note: `[booted cold in ${seconds(Date.now() - requested)}${restored.cold ? `: ${restored.cold.replace(/: cold boot$|; cold boot$/, "")}` : ""}]`,
    };
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

  /** A session on a warm-pool VM keeps that VM's cgroup (named as the VM was when it booted). */
  cgroupOf(resourceName: string): { parent: string; name: string } {
    const vm = this.sessions.get(resourceName)?.vm;
    return { parent: this.vmsCgroupPath(), name: vm?.input.name ?? resourceName };
  }

  /** Warm-pool VMs included, and every VM cgroup left in the VMs' group. */
  async reap(): Promise<string[]> {
    return [
      ...(await reapVms(this.vmsDir)),
      ...(await reapVms(this.poolDir)),
      ...(await reapVms(this.snapshotWorkDir)),
      ...(await reapCgroups(this.vmsCgroupPath(), () => false)),
    ];
  }

  /** Stops the warm pool's VMs; runs on claimed ones end with their runs. */
  async close(): Promise<void> {
    this.closed = true;
    this.closing.abort();
    await this.pool?.close();
    // A snapshot being saved has its VM in the state folder.
    await Promise.all(
      [this.snapshots?.run, this.snapshots?.session].map((keeper) =>
        keeper?.settled().catch(() => undefined),
      ),
    );
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
      await this.raiseShare(vm, spec.limits.cpuShares, ctx.log);
      vm.attach(ctx);
      vm.sendRun({ command: spec.command, tmpfsBytes: spec.limits.tmpfsBytes });
      // Its QEMU was spawned before the run; the run starts when the VM is handed it.
      ctx.mark("started");
      return await vm.finish(ctx.signal);
    } finally {
      this.claimed.delete(spec.resourceName);
    }
  }

  /** A claimed pool VM gets the share of what claimed it; one whose cgroup refuses keeps the low share, and says so. */
  private async raiseShare(vm: MicroVm, cpuShares: number, log: Logger): Promise<void> {
    await vm.setCpuShares(cpuShares).catch((err: unknown) => {
      log.warn({ err, vm: vm.input.name }, "a claimed pool VM keeps the pool's low CPU share");
    });
  }

  private requireSession(resourceName: string): MicrovmSession {
    const session = this.sessions.get(resourceName);
    if (!session)
      throw new SandboxLaunchError("the session's microVM is not running", { started: false });
    return session;
  }

  /** A restored VM has the saved one's RAM size. */
  private fitsSnapshot(memoryBytes: number): boolean {
    const snapshot = this.options.snapshot;
    return (
      Boolean(snapshot) &&
      guestMemoryMiB(memoryBytes) === guestMemoryMiB(snapshot?.memoryBytes ?? 0)
    );
  }

  private fits(vm: MicroVm, spec: Pick<LaunchSpec, "image" | "limits">): boolean {
    return (
      vm.input.rootfsPath === spec.image.rootfsPath &&
      guestMemoryMiB(vm.input.memoryBytes) === guestMemoryMiB(spec.limits.memoryBytes)
    );
  }

  /**
   * Once the host checks pass: the snapshots are opened, or saved in the background, for the chosen accelerator. The
   * sessions' (which the pool refills from) is saved first; the runs' waits for it, so that two saves (a cold boot
   * each) do not share the CPU.
   */
  private startSnapshots(accel: Accel, assets: MicrovmAssets, qemuVersion: string): void {
    const options = this.options.snapshot;
    if (this.closed || this.snapshots || !options) return;
    const snapshotsDir = options.dir ?? path.join(this.options.cacheDir, "microvm-snapshots");
    const keeper = (terminalPorts: number, after: SnapshotKeeper | null): SnapshotKeeper => {
      const spec: SnapshotSpec = {
        qemuBinary: this.options.qemuBinary,
        qemuVersion,
        accel,
        assets,
        memoryBytes: options.memoryBytes,
        terminalPorts,
      };
      const dir = snapshotDir(snapshotsDir, spec);
      return new SnapshotKeeper({
        dir,
        log: options.log.child({ terminalPorts }),
        open: () => openSnapshot(dir, spec),
        save: async () => {
          await after?.settled().catch(() => undefined);
          const image = await this.options.probeImage();
          if (!image) throw new Error("the busybox image is not built: run `npm run setup`");
          return saveSnapshot({
            spec,
            snapshotsDir,
            workDir: this.snapshotWorkDir,
            rootfsPath: image.rootfsPath,
            cgroup: { parent: await this.vmsCgroup(), cpuShares: this.options.vmsCgroup.cpuShares },
            log: options.log,
            signal: this.closing.signal,
          });
        },
      });
    };
    const session = this.sessionPorts() > 0 ? keeper(this.sessionPorts(), null) : null;
    this.snapshots = { session, run: keeper(0, session) };
    void session?.prepare();
    void this.snapshots.run.prepare();
  }

  /** Once the host checks pass; the pool boots with the accelerator they chose. */
  private startPool(accel: Accel): void {
    const options = this.options.pool;
    if (this.closed || this.pool || !options || options.size <= 0) return;
    this.pool = new MicrovmPool<MicroVm>({
      size: options.size,
      max: options.max,
      vmMemoryBytes: pooledVmBytes(options.memoryBytes),
      memoryBudgetBytes: options.memoryBudgetBytes,
      // Restores are a fraction of a boot's CPU: two at once refill a burst; cold boots go one by one.
      concurrency: () => (this.snapshotOf(this.poolShape())?.status().state === "ready" ? 2 : 1),
      demandWindowMs: 30_000,
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
        const input: VmInput = {
          qemuBinary: this.options.qemuBinary,
          accel,
          assets,
          vmDir: path.join(this.poolDir, name),
          name,
          rootfsPath: image.rootfsPath,
          memoryBytes: options.memoryBytes,
          // Host ends for its terminal ports: a pooled VM may become a session.
          terminals: this.portsOf(this.poolShape()),
          // Booted ahead at a low share: a refill yields to the VMs that serve visitors (the one just claimed).
          cgroup: { parent: cgroupParent, cpuShares: poolVmCpuShares },
        };
        // Refilled from the snapshot when there is one for its memory size; a broken one goes (and is saved
        // again) when the restored VM fails to get ready, and the next refill boots cold.
        // The snapshot being saved is waited for: a cold boot beside the snapshot's own would slow both.
        const snapshots = this.fitsSnapshot(options.memoryBytes)
          ? this.snapshotOf(this.poolShape())
          : null;
        await snapshots?.prepare();
        const found = await snapshots?.check();
        if (found && "snapshot" in found) {
          const { snapshot } = found;
          const vm = await MicroVm.start(
            input,
            {
              restore: {
                ramPath: snapshot.ramPath,
                statePath: snapshot.statePath,
                tmpfsBytes: options.tmpfsBytes,
                terminalPorts: this.portsOf(this.poolShape()),
                pooled: true,
              },
            },
            unclaimedSink,
            options.log,
          );
          void vm.ready.then(async (ready) => {
            // A VM the closing pool killed says nothing about the snapshot.
            if (!ready && !this.closed) snapshots?.discard(snapshot, vm.failure(await vm.exited));
          });
          return vm;
        }
        return MicroVm.start(
          input,
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
    this.found = { accel: chosen, assets, qemuVersion: qemu };
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
        vaccel:
          "virtio-serial port to the run's agent socket (cold and restored VMs; not the warm pool)",
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

function describeSnapshot(keeper: SnapshotKeeper): string {
  const { state, detail } = keeper.status();
  return detail ? `${state}: ${detail}` : state;
}

/** What a pooled run shows instead of a boot log it did not wait for. */
function poolNote(vm: MicroVm): string {
  const { spawnedAt, restoredAt, readyAt } = vm;
  if (spawnedAt === null || readyAt === null) return "[from the warm pool]";
  const how = restoredAt === null ? "booted" : "restored from the snapshot";
  return `[from the warm pool: ${how} ${seconds(Date.now() - readyAt)} ago in ${seconds(readyAt - spawnedAt)}]`;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
