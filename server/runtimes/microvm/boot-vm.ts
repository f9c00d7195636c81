// One microVM from spawn to gone: QEMU, the control socket, the console split into boot log and workload output.
import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import type { LaunchContext, LaunchResult } from "../../engine/driver";
import { launchFileName } from "../../images/microvm/guest-protocol";
import type { MicrovmAssets } from "../../images/microvm/microvm-assets";
import { sleep, waitForExit } from "../process-exit";
import { ConsoleReader, LineSplitter, parseControlLine } from "./guest-streams";
import { buildQemuArgs, launchScript, type Accel } from "./qemu-args";

export interface BootVmInput {
  qemuBinary: string;
  accel: Accel;
  assets: MicrovmAssets;
  /** Everything of this VM lives here (socket, run share); removed when the VM is gone. */
  vmDir: string;
  /** The resource name: QEMU's -name, and part of vmDir, so reap can find the process. */
  name: string;
  rootfsPath: string;
  command: string[];
  memoryBytes: number;
  tmpfsBytes: number;
}

/** After the guest reported the workload's exit it powers off; one that has not by then is stuck, not busy. */
const powerOffGraceMs = 5_000;
/** sockaddr_un.sun_path holds 108 bytes with the NUL. */
const maxSocketPath = 107;

export async function bootVm(input: BootVmInput, ctx: LaunchContext): Promise<LaunchResult> {
  const runShare = path.join(input.vmDir, "run");
  const socketPath = path.join(input.vmDir, "ctl.sock");
  if (Buffer.byteLength(socketPath) > maxSocketPath)
    throw new Error(
      `the microVM's control socket path is too long (${socketPath}): use a shorter SBPG_STATE_DIR`,
    );
  await fs.rm(input.vmDir, { recursive: true, force: true });
  await fs.mkdir(runShare, { recursive: true, mode: 0o700 });
  const control = await listenForControl(socketPath);
  try {
    await fs.writeFile(
      path.join(runShare, launchFileName),
      launchScript(input.command, input.tmpfsBytes),
    );
    if (ctx.signal.aborted) return { exitCode: null, signal: null };
    return await runQemu(input, ctx, control, runShare, socketPath);
  } finally {
    control.server.close();
    await fs.rm(input.vmDir, { recursive: true, force: true });
  }
}

async function runQemu(
  input: BootVmInput,
  ctx: LaunchContext,
  control: ControlListener,
  runShare: string,
  socketPath: string,
): Promise<LaunchResult> {
  const args = buildQemuArgs({
    name: input.name,
    accel: input.accel,
    memoryBytes: input.memoryBytes,
    kernelPath: input.assets.kernelPath,
    initramfsPath: input.assets.initramfsPath,
    rootfsPath: input.rootfsPath,
    runSharePath: runShare,
    controlSocketPath: socketPath,
  });
  ctx.log.debug({ qemu: input.qemuBinary, args }, "starting microVM");
  ctx.enter("booting");
  // stdin stays an open pipe: -serial stdio would read an immediate EOF from /dev/null.
  const child = spawn(input.qemuBinary, args, { stdio: ["pipe", "pipe", "pipe"] });
  child.once("spawn", () => ctx.mark("vmmSpawned"));

  let exitCode: number | null = null;
  let guestError: string | null = null;
  let powerOffTimer: NodeJS.Timeout | undefined;
  control.onMessage = (message) => {
    if (message.type === "phase") ctx.mark(message.name);
    else if (message.type === "error") guestError = message.message;
    else {
      exitCode = message.code;
      ctx.mark("workloadExited");
      powerOffTimer = setTimeout(() => child.kill("SIGKILL"), powerOffGraceMs);
    }
  };

  const serial = new ConsoleReader();
  const bootTail: string[] = [];
  let sawOutput = false;
  child.stdout.on("data", (chunk: Buffer) => {
    if (!sawOutput) {
      sawOutput = true;
      ctx.mark("firstConsoleLine");
    }
    for (const event of serial.push(chunk)) {
      if (event.type === "boot") {
        if (bootTail.length < 200) bootTail.push(event.bytes.toString());
        ctx.console(event.bytes);
      } else if (event.type === "workload") {
        ctx.output(event.bytes);
      } else if (event.name === "init") {
        ctx.mark("guestInit");
      } else {
        bootTail.length = 0;
        ctx.mark("workloadStarted");
        ctx.enter("running");
      }
    }
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4096);
  });

  const onAbort = () => child.kill("SIGKILL");
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  if (ctx.signal.aborted) onAbort();
  const exit = await new Promise<Awaited<ReturnType<typeof waitForExit>>>((resolve, reject) => {
    child.once("error", reject);
    void waitForExit(child).then(resolve);
  }).finally(() => {
    ctx.signal.removeEventListener("abort", onAbort);
    clearTimeout(powerOffTimer);
  });
  // The control socket is another stream: its last line may still be unread when QEMU's exit is seen.
  if (control.connected) await Promise.race([control.closed, sleep(1_000)]);
  const rest = serial.end();
  if (rest.bytes.length) (rest.type === "boot" ? ctx.console : ctx.output)(rest.bytes);
  ctx.mark("vmGone");

  if (ctx.signal.aborted) return { exitCode: null, signal: "SIGKILL" };
  if (exitCode !== null) return { exitCode, signal: null };
  throw new Error(
    `the microVM stopped before the workload finished: ${crashReason(guestError, bootTail.join(""), stderr, exit)}`,
  );
}

function crashReason(
  guestError: string | null,
  bootLog: string,
  stderr: string,
  exit: { code: number | null; signal: string | null },
): string {
  if (guestError) return `the guest init said "${guestError}"`;
  const panic = /Kernel panic[^\n]*/.exec(bootLog);
  if (panic) return `the guest kernel panicked (${panic[0].trim()})`;
  const qemuError = stderr.trim().split("\n").at(-1);
  if (qemuError) return `QEMU said "${qemuError}"`;
  return `QEMU exited with ${exit.signal ?? `code ${exit.code}`} and the guest reported no exit code`;
}

interface ControlListener {
  server: net.Server;
  onMessage: (message: NonNullable<ReturnType<typeof parseControlLine>>) => void;
  connected: boolean;
  /** Settles when QEMU's connection closes. */
  closed: Promise<void>;
}

/** We listen and QEMU connects as it starts (a chardev without server=on). One connection per VM. */
async function listenForControl(socketPath: string): Promise<ControlListener> {
  let markClosed = () => undefined as void;
  const listener: ControlListener = {
    server: net.createServer(),
    onMessage: () => undefined,
    connected: false,
    closed: new Promise<void>((resolve) => (markClosed = resolve)),
  };
  listener.server.maxConnections = 1;
  listener.server.on("connection", (socket) => {
    listener.connected = true;
    const lines = new LineSplitter();
    socket.on("data", (chunk: Buffer) => {
      for (const line of lines.push(chunk)) {
        const message = parseControlLine(line.toString());
        if (message) listener.onMessage(message);
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
