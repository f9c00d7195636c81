// One microVM from spawn to gone: QEMU, the control socket, the console split into boot log and workload output.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { z } from "zod";
import type { PhaseOf } from "../../../lib/api/phases";
import { SandboxLaunchError, type LaunchContext, type LaunchResult } from "../../engine/driver";
import { launchFileName } from "../../images/microvm/guest-protocol";
import type { MicrovmAssets } from "../../images/microvm/microvm-assets";
import type { Logger } from "../../log/logger";
import { createSandboxCgroup, removeCgroups, setCgroupCpuShares } from "../cgroups";
import { sleep, waitForExit, type ExitInfo } from "../process-exit";
import { ConsoleReader, LineSplitter, parseControlLine } from "./guest-streams";
import { listenForQmp, type QmpListener } from "./qmp-events";
import { launchScript, resumeLine, runCommandLine, sessionLaunchScript } from "./guest-launch";
import { buildQemuArgs, type Accel, type QemuArgsInput } from "./qemu-args";
import { closeTerminals, listenForTerminals, type TerminalPort } from "./terminal-ports";
import { vmCgroupLimits } from "./vm-cgroup";

export interface VmInput {
  qemuBinary: string;
  accel: Accel;
  assets: MicrovmAssets;
  /** Everything of this VM lives here (socket, run share); removed when the VM is gone. */
  vmDir: string;
  /** The resource name: QEMU's -name, and part of vmDir, so reap can find the process. */
  name: string;
  rootfsPath: string;
  memoryBytes: number;
  /** The run's vAccel agent socket, for a second virtio-serial port (cold launches only). */
  vaccelSocketPath?: string | null;
  /**
   * Virtconsole ports whose host end is a socket of this VM's (terminalPorts), listening before QEMU starts: a
   * session VM's, or a warm-pool VM's that may become a session. A snapshot VM has more ports, leading nowhere.
   */
  terminals?: number;
  /** QEMU runs in a cgroup of this name under `parent`, with this CPU share; removed when the VM is gone. */
  cgroup: { parent: string; cpuShares: number };
}

export interface VmRun {
  command: string[];
  tmpfsBytes: number;
}

export type BootVmInput = VmInput & VmRun;

/**
 * A cold VM reads its run from the run share; a warm-pool VM boots with a /tmp this big and waits for sendRun;
 * a session VM reads its settings from the run share and then serves the session's control lines. The
 * snapshot's VM boots to the snapshot point and waits for saveSnapshot; a restored VM starts from the saved state
 * (its stream read from an open file, its RAM file mapped private), is reseeded, mounts its root and a /tmp this
 * big, and waits for sendRun like a warm-pool VM.
 */
export type VmLaunch =
  | { run: VmRun }
  | { poolTmpfsBytes: number }
  | { session: { tmpfsBytes: number; homeBytes: number } }
  | { saveSnapshot: { ramPath: string; terminalPorts: number } }
  | {
      restore: {
        ramPath: string;
        statePath: string;
        tmpfsBytes: number;
        terminalPorts: number;
        /** A warm-pool VM: it warms its caches before it reports ready (see resumeLine). */
        pooled: boolean;
      };
    };

/**
 * The restored VM reads the migration stream from this descriptor (migrate-incoming fd:N), inherited through the
 * wrapper. Measured against `exec:cat <file>` (QEMU 7.2, TCG, 6 restores each, load ~9 on 2 cores): spawn → RESUME
 * 102 vs 106 ms median, the same within noise; fd: spares a process per restore.
 */
const incomingFd = 3;
/** Bytes of fresh entropy each restored VM's RNG gets (RNDADDENTROPY, credited in full). */
const resumeSeedBytes = 64;

/** The microVM marks only its own phases (lib/api/phases.ts). */
export type MicrovmContext = LaunchContext<PhaseOf<"microvm">>;

/** Where a VM's events go: a run's LaunchContext, or nowhere while a warm-pool VM waits for a run. */
export type VmSink = Pick<MicrovmContext, "mark" | "enter" | "output" | "console">;

/** After the guest reported the workload's exit it powers off; one that has not by then is stuck, not busy. */
const powerOffGraceMs = 5_000;
/** sockaddr_un.sun_path holds 108 bytes with the NUL. */
const maxSocketPath = 107;
/** The boot log's last bytes, kept for the reason a VM died before its workload started: a kernel panic's line. */
const bootTailBytes = 16 * 1024;
/** The wrapper shell's exit status when QEMU could not join its cgroup (QEMU itself exits 1 on its errors). */
const cgroupJoinFailed = 125;
/**
 * Joins the cgroup.procs files given first, then becomes QEMU (exec keeps the pid and the pipes): QEMU is in
 * its cgroup from its first instruction, before it runs the guest.
 */
const joinCgroupThenExec =
  'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit ' +
  `${cgroupJoinFailed}; shift; n=$((n - 1)); done; exec "$@"`;

/** A cold launch: boots a VM whose run share holds the launch file, and resolves once it is gone. */
export async function bootVm(input: BootVmInput, ctx: MicrovmContext): Promise<LaunchResult> {
  if (ctx.signal.aborted) return { exitCode: null, signal: null };
  ctx.enter("booting");
  const vm = await MicroVm.start(
    input,
    { run: { command: input.command, tmpfsBytes: input.tmpfsBytes } },
    ctx,
    ctx.log,
  );
  return vm.finish(ctx.signal);
}

export class MicroVm {
  readonly input: VmInput;
  /** Epoch ms of QEMU's spawn, of a restored VM's RESUME, and of the guest's `phase ready` (a VM booted ahead). */
  spawnedAt: number | null = null;
  restoredAt: number | null = null;
  readyAt: number | null = null;
  /**
   * Resolves true when the guest reports it waits for a run (warm-pool and restored VMs) or, the snapshot's VM,
   * that it is at the snapshot point; false when QEMU exits first.
   */
  readonly ready: Promise<boolean>;
  /** Settles when QEMU has exited (or failed to start). */
  readonly exited: Promise<ExitInfo>;
  /** The host ends of the ports input.terminals asked for, /dev/hvc<n> in the guest. */
  readonly terminalPorts: TerminalPort[];

  private sink: VmSink;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly control: ControlListener;
  private readonly serial = new ConsoleReader();
  private readonly qmp: QmpListener;
  private bootTail = "";
  private workloadStarted = false;
  private stderr = "";
  private spawnError: Error | null = null;
  private exitCode: number | null = null;
  private guestError: string | null = null;
  private hostError: string | null = null;
  private powerOffTimer: NodeJS.Timeout | undefined;
  private cleaning: Promise<void> | null = null;

  /** Spawns QEMU; a warm-pool VM reports `ready` once it waits for sendRun. */
  static async start(
    input: VmInput,
    launch: VmLaunch,
    sink: VmSink,
    log: Logger,
  ): Promise<MicroVm> {
    const socketPath = path.join(input.vmDir, "ctl.sock");
    const qmpPath = path.join(input.vmDir, "qmp.sock");
    if (Buffer.byteLength(socketPath) > maxSocketPath)
      throw new SandboxLaunchError(
        `the microVM's control socket path is too long (${socketPath}): use a shorter SBPG_STATE_DIR`,
        { started: false },
      );
    const runShare = path.join(input.vmDir, "run");
    const shared = "run" in launch || "session" in launch;
    await fs.rm(input.vmDir, { recursive: true, force: true });
    await fs.mkdir(shared ? runShare : input.vmDir, { recursive: true, mode: 0o700 });
    let control: ControlListener | null = null;
    let qmp: QmpListener | null = null;
    let terminals: TerminalPort[] = [];
    let cgroupProcs: string[];
    try {
      control = await listenForControl(socketPath);
      qmp = await listenForQmp(qmpPath);
      terminals = await listenForTerminals(input.vmDir, input.terminals ?? 0);
      if ("run" in launch)
        await fs.writeFile(
          path.join(runShare, launchFileName),
          launchScript(launch.run.command, launch.run.tmpfsBytes, Boolean(input.vaccelSocketPath)),
        );
      if ("session" in launch)
        await fs.writeFile(
          path.join(runShare, launchFileName),
          sessionLaunchScript(launch.session.tmpfsBytes, launch.session.homeBytes),
        );
      cgroupProcs = await createSandboxCgroup(
        input.cgroup.parent,
        input.name,
        vmCgroupLimits(input.memoryBytes, input.cgroup.cpuShares),
      ).catch((err: unknown) => {
        throw new SandboxLaunchError(
          `the microVM's cgroup could not be created (${err instanceof Error ? err.message : String(err)})`,
          { started: false, cause: err },
        );
      });
    } catch (err) {
      control?.server.close();
      qmp?.server.close();
      closeTerminals(terminals);
      await removeCgroups(input.cgroup.parent, input.name);
      await fs.rm(input.vmDir, { recursive: true, force: true });
      throw err;
    }
    const args = buildQemuArgs({
      ...qemuLaunchOf(launch, runShare),
      name: input.name,
      accel: input.accel,
      memoryBytes: input.memoryBytes,
      kernelPath: input.assets.kernelPath,
      initramfsPath: input.assets.initramfsPath,
      rootfsPath: input.rootfsPath,
      controlSocketPath: socketPath,
      qmpSocketPath: qmpPath,
      vaccelSocketPath: input.vaccelSocketPath,
      terminalSocketPaths: terminals.map((port) => port.socketPath),
    });
    log.debug({ qemu: input.qemuBinary, args, cgroupProcs }, "starting microVM");
    // Opened before the spawn, closed once QEMU has its own copy.
    const incoming =
      "restore" in launch
        ? await fs.open(launch.restore.statePath, "r").catch(async (err: unknown) => {
            control?.server.close();
            qmp?.server.close();
            closeTerminals(terminals);
            await removeCgroups(input.cgroup.parent, input.name);
            await fs.rm(input.vmDir, { recursive: true, force: true });
            throw err;
          })
        : null;
    try {
      return new MicroVm(
        input,
        { args, cgroupProcs, incoming, launch },
        { control, qmp, terminals },
        sink,
      );
    } finally {
      await incoming?.close();
    }
  }

  private constructor(
    input: VmInput,
    qemu: {
      args: string[];
      cgroupProcs: string[];
      incoming: fs.FileHandle | null;
      launch: VmLaunch;
    },
    sockets: { control: ControlListener; qmp: QmpListener; terminals: TerminalPort[] },
    sink: VmSink,
  ) {
    this.input = input;
    const { control, qmp } = sockets;
    this.terminalPorts = sockets.terminals;
    this.control = control;
    this.qmp = qmp;
    this.sink = sink;
    const { args, cgroupProcs, incoming, launch } = qemu;
    // The saved VM is ready to be saved at its snapshot point; every other one once it waits for a run.
    const readyPhase = "saveSnapshot" in launch ? "snapshotPoint" : "ready";
    if ("restore" in launch) {
      const { tmpfsBytes, pooled } = launch.restore;
      // QEMU runs the guest (RESUME) once the whole state is loaded; the guest waits in its read of the line.
      qmp.onEvent = (event) => {
        if (event !== "RESUME" || this.restoredAt !== null) return;
        this.restoredAt = Date.now();
        this.sink.mark("restored");
        control.socket?.write(
          resumeLine(randomBytes(resumeSeedBytes), Date.now(), tmpfsBytes, pooled),
        );
      };
      void qmp
        .execute("migrate-set-capabilities", ignoreSharedRam)
        .then(() => qmp.execute("migrate-incoming", { uri: `fd:${incomingFd}` }))
        .catch((err: unknown) => {
          this.hostError = `QEMU did not take the snapshot's state (${err instanceof Error ? err.message : String(err)})`;
          this.kill();
        });
    }
    // stdin stays an open pipe: -serial stdio would read an immediate EOF from /dev/null.
    this.child = spawn(
      "/bin/sh",
      [
        "-c",
        joinCgroupThenExec,
        "sh",
        String(cgroupProcs.length),
        ...cgroupProcs,
        input.qemuBinary,
        ...args,
      ],
      {
        stdio: incoming
          ? ["pipe", "pipe", "pipe", ...Array<"ignore">(incomingFd - 3), incoming.fd]
          : ["pipe", "pipe", "pipe"],
      },
    ) as ChildProcessWithoutNullStreams;
    this.child.once("spawn", () => {
      this.spawnedAt = Date.now();
      this.sink.mark("vmmSpawned");
      this.sink.mark("started");
    });
    this.exited = new Promise<ExitInfo>((resolve) => {
      this.child.once("error", (err) => {
        this.spawnError = err;
        resolve({ code: null, signal: null });
      });
      void waitForExit(this.child).then(resolve);
    });
    let becameReady = (_: boolean) => undefined as void;
    this.ready = new Promise<boolean>((resolve) => (becameReady = resolve));
    void this.exited.then(() => {
      clearTimeout(this.powerOffTimer);
      becameReady(false);
    });

    control.onMessage = (message) => {
      if (message.type === "phase") {
        if (message.name === readyPhase) {
          this.readyAt = Date.now();
          becameReady(true);
        }
        this.sink.mark(message.name);
      } else if (message.type === "error") {
        this.guestError = message.message;
      } else {
        this.exitCode = message.code;
        this.sink.mark("workloadExited");
        this.powerOffTimer = setTimeout(() => this.kill(), powerOffGraceMs);
      }
    };

    let sawOutput = false;
    this.child.stdout.on("data", (chunk: Buffer) => {
      if (!sawOutput) {
        sawOutput = true;
        this.sink.mark("firstConsoleLine");
      }
      for (const event of this.serial.push(chunk)) {
        if (event.type === "boot") {
          this.bootTail = (this.bootTail + event.bytes.toString("latin1")).slice(-bootTailBytes);
          this.sink.console(event.bytes);
        } else if (event.type === "workload") {
          this.sink.output(event.bytes);
        } else if (event.name === "init") {
          this.sink.mark("guestInit");
        } else {
          this.workloadStarted = true;
          this.sink.mark("workloadStarted");
          this.sink.enter("running");
        }
      }
    });
    this.child.stderr.on("data", (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4096);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Control lines the run protocol does not know: a session's replies (guest-protocol.ts). */
  onSessionLine(listener: (line: string) => void): void {
    this.control.onOther = listener;
  }

  /** One line to a session VM's init. */
  sendControl(line: string): void {
    const socket = this.control.socket;
    if (!socket)
      throw new SandboxLaunchError("the microVM has no control connection", { started: false });
    socket.write(line);
  }

  /** From now on the VM's events go to this sink (a run that claimed a warm-pool VM). */
  attach(sink: VmSink): void {
    this.sink = sink;
  }

  /** Hands a waiting VM its one run; vAccel only where the VM's vAccel port leads to the run's agent. */
  sendRun(run: VmRun, vaccel = false): void {
    const socket = this.control.socket;
    if (!socket)
      throw new SandboxLaunchError("the waiting microVM has no control connection", {
        started: false,
      });
    socket.write(runCommandLine(run.command, run.tmpfsBytes, vaccel));
  }

  /**
   * The snapshot's VM, at its snapshot point: its device state written to statePath (its RAM is already in the
   * shared RAM file, which x-ignore-shared leaves out of the stream). Not paused first: the migration stops the
   * vCPU itself before the last device state, and a stream saved running makes each restored VM start running
   * (one saved paused would wait for a `cont`). QEMU 7.2 has no file: URI; exec: hands the stream to a shell's
   * redirection. The caller kills the VM afterwards.
   */
  async saveSnapshot(statePath: string): Promise<void> {
    await this.qmp.execute("migrate-set-capabilities", ignoreSharedRam);
    // QEMU calls the migration complete once the stream is in the pipe, before cat has written it all: the
    // rename marks the file whole.
    const quote = (file: string) => `'${file.replace(/'/g, `'\\''`)}'`;
    const partial = `${statePath}.part`;
    await this.qmp.execute("migrate", {
      uri: `exec:cat > ${quote(partial)} && mv ${quote(partial)} ${quote(statePath)}`,
    });
    for (;;) {
      const status = MigrationStatusSchema.parse(await this.qmp.execute("query-migrate"));
      if (status.status === "failed" || status.status === "cancelled")
        throw new Error(`QEMU could not save the VM (${status["error-desc"] ?? status.status})`);
      if (status.status === "completed") break;
      await sleep(10);
    }
    for (let waited = 0; !(await fileExists(statePath)); waited += 10) {
      if (waited > 10_000) throw new Error("the saved state was not written out");
      await sleep(10);
    }
  }

  /** The VM's CPU share from now on (a warm-pool VM, booted at a low one, claimed by a run or a session). */
  async setCpuShares(cpuShares: number): Promise<void> {
    await setCgroupCpuShares(this.input.cgroup.parent, this.input.name, cpuShares);
  }

  kill(): void {
    this.child.kill("SIGKILL");
  }

  /** Why the VM stopped before its workload finished, in words. */
  failure(exit: ExitInfo): string {
    if (this.spawnError) return this.spawnError.message;
    const lastStderr = this.stderr.trim().split("\n").at(-1);
    if (exit.code === cgroupJoinFailed)
      return `QEMU could not join its cgroup (${lastStderr ?? "no message"})`;
    if (this.hostError) return this.hostError;
    if (this.guestError) return `the guest init said "${this.guestError}"`;
    // panic=-1 resets the guest after a panic: the panic line, when the boot log shows one, is the truer reason.
    const panic = /Kernel panic[^\n]*/.exec(this.bootTail);
    if (panic) return `the guest kernel panicked (${panic[0].trim()})`;
    const shutdown = this.qmp.shutdownReason;
    if (shutdown === "guest-reset")
      return this.workloadStarted
        ? // The init silences kernel messages for the workload: a panic then shows only as the reset.
          "the guest rebooted itself (a reboot, or a kernel panic while the workload ran)"
        : "the guest rebooted itself";
    if (shutdown === "guest-shutdown") return "the guest powered itself off";
    if (lastStderr) return `QEMU said "${lastStderr}"`;
    return `QEMU exited with ${exit.signal ?? `code ${exit.code}`} and the guest reported no exit code`;
  }

  /** Waits for the VM to be gone (killing it on abort), removes its folder and says how the workload ended. */
  async finish(signal: AbortSignal): Promise<LaunchResult> {
    const onAbort = () => this.kill();
    signal.addEventListener("abort", onAbort, { once: true });
    if (signal.aborted) onAbort();
    try {
      const exit = await this.exited;
      if (this.spawnError)
        throw new SandboxLaunchError(`QEMU did not start: ${this.spawnError.message}`, {
          started: false,
          cause: this.spawnError,
        });
      // The sockets are other streams: their last lines may still be unread when QEMU's exit is seen.
      const connected = [this.control, this.qmp].filter((listener) => listener.socket);
      await Promise.race([Promise.all(connected.map((listener) => listener.closed)), sleep(1_000)]);
      const rest = this.serial.end();
      if (rest.bytes.length)
        (rest.type === "boot" ? this.sink.console : this.sink.output)(rest.bytes);
      this.sink.mark("vmGone");

      if (signal.aborted) return { exitCode: null, signal: "SIGKILL" };
      if (this.exitCode !== null) return { exitCode: this.exitCode, signal: null };
      throw new SandboxLaunchError(
        `the microVM stopped before the workload finished: ${this.failure(exit)}`,
        { started: this.workloadStarted },
      );
    } finally {
      signal.removeEventListener("abort", onAbort);
      await this.cleanUp();
    }
  }

  /** Stops a VM no run will use (a warm pool closing, or one that never got ready). Idempotent. */
  async discard(): Promise<void> {
    this.kill();
    await this.exited;
    await this.cleanUp();
  }

  private cleanUp(): Promise<void> {
    this.cleaning ??= (async () => {
      this.control.server.close();
      this.qmp.server.close();
      closeTerminals(this.terminalPorts);
      await removeCgroups(this.input.cgroup.parent, this.input.name);
      await fs.rm(this.input.vmDir, { recursive: true, force: true });
    })();
    return this.cleaning;
  }
}

/** The RAM is a shared file: x-ignore-shared leaves its pages out of the stream, on both sides (QEMU checks). */
const ignoreSharedRam = { capabilities: [{ capability: "x-ignore-shared", state: true }] };

const MigrationStatusSchema = z.object({
  status: z.string().default("none"),
  "error-desc": z.string().optional(),
});

const fileExists = (file: string) =>
  fs.access(file).then(
    () => true,
    () => false,
  );

/** The QEMU-side shape of each launch: which shares, which kernel parameter, which RAM file. */
function qemuLaunchOf(launch: VmLaunch, runShare: string): Pick<QemuArgsInput, "launch"> {
  if ("run" in launch || "session" in launch) return { launch: { runSharePath: runShare } };
  if ("saveSnapshot" in launch)
    return { launch: { snapshot: { ...launch.saveSnapshot, incoming: null } } };
  if ("restore" in launch) {
    const { ramPath, terminalPorts } = launch.restore;
    return { launch: { snapshot: { ramPath, terminalPorts, incoming: `fd:${incomingFd}` } } };
  }
  return { launch };
}

interface ControlListener {
  server: net.Server;
  onMessage: (message: NonNullable<ReturnType<typeof parseControlLine>>) => void;
  onOther: (line: string) => void;
  /** QEMU's connection, once made; a warm-pool VM's run command goes back over it. */
  socket: net.Socket | null;
  /** Settles when QEMU's connection closes. */
  closed: Promise<void>;
}

/** We listen and QEMU connects as it starts (a chardev without server=on). One connection per VM. */
async function listenForControl(socketPath: string): Promise<ControlListener> {
  let markClosed = () => undefined as void;
  const listener: ControlListener = {
    server: net.createServer(),
    onMessage: () => undefined,
    onOther: () => undefined,
    socket: null,
    closed: new Promise<void>((resolve) => (markClosed = resolve)),
  };
  listener.server.maxConnections = 1;
  listener.server.on("connection", (socket) => {
    listener.socket = socket;
    const lines = new LineSplitter();
    socket.on("data", (chunk: Buffer) => {
      for (const line of lines.push(chunk)) {
        const message = parseControlLine(line.toString());
        if (message) listener.onMessage(message);
        else listener.onOther(line.toString());
      }
    });
    socket.on("error", () => undefined);
    socket.once("close", () => markClosed());
  });
  await new Promise<void>((resolve, reject) => {
    listener.server.once("error", reject);
    listener.server.listen(socketPath, () => resolve());
  });
  return listener;
}
