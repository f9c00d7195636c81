// A microVM session: one VM kept up, its shells on the guest's virtconsole ttys, its commands beside them over the control port.
import fs from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { StringDecoder } from "node:string_decoder";
import { SandboxLaunchError, type LaunchResult, type TerminalStream } from "../../engine/driver";
import { sessionReplies, sessionVerbs } from "../../images/microvm/guest-protocol";
import type { Logger } from "../../log/logger";
import { PlaygroundError } from "../../errors/playground-error";
import { MicroVm, type MicrovmContext, type VmInput, type VmSink } from "./boot-vm";
import { sessionExecLine } from "./guest-launch";

export interface MicrovmSessionInput {
  vm: Omit<VmInput, "terminalSocketPaths">;
  tmpfsBytes: number;
  homeBytes: number;
  /** Virtconsole ports, so at most this many shells at once. */
  terminals: number;
  log: Logger;
}

/** A session's boot log is nobody's run: the VM keeps its tail for a failure's reason. */
const quietSink: VmSink = {
  mark: () => undefined,
  enter: () => undefined,
  output: () => undefined,
  console: () => undefined,
};
/** A killed command gets this long to report its end before it is taken as gone. */
const killGraceMs = 2_000;
const maxSocketPath = 107;

/** One virtconsole port: QEMU's connection to our socket, and the shell on it while there is one. */
interface TerminalPort {
  server: net.Server;
  socket: net.Socket | null;
  shell: { exit(event: { exitCode: number }): void } | null;
}

interface RunningExec {
  output(bytes: Buffer): void;
  done(code: number): void;
}

export class MicrovmSession {
  private readonly execs = new Map<number, RunningExec>();
  private nextExec = 1;
  private gone = false;

  private constructor(
    readonly vm: MicroVm,
    private readonly ports: TerminalPort[],
    private readonly ttyDir: string,
  ) {
    vm.onSessionLine((line) => this.onLine(line));
    void vm.exited.then(() => (this.gone = true));
  }

  /** Boots the VM and resolves once its init serves the session; an abort or a failed boot leaves nothing behind. */
  static async start(input: MicrovmSessionInput, signal: AbortSignal): Promise<MicrovmSession> {
    // The terminals' sockets live beside the VM's folder, which MicroVm.start makes afresh.
    const ttyDir = `${input.vm.vmDir}.tty`;
    const socketPaths = Array.from({ length: input.terminals }, (_, n) =>
      path.join(ttyDir, `t${n}.sock`),
    );
    if (socketPaths.some((p) => Buffer.byteLength(p) > maxSocketPath))
      throw new SandboxLaunchError(
        `the session's terminal socket paths are too long (${ttyDir}): use a shorter SBPG_STATE_DIR`,
        { started: false },
      );
    await fs.rm(ttyDir, { recursive: true, force: true });
    await fs.mkdir(ttyDir, { recursive: true, mode: 0o700 });
    const ports: TerminalPort[] = [];
    let vm: MicroVm | null = null;
    try {
      for (const socketPath of socketPaths) ports.push(await listenForTerminal(socketPath));
      vm = await MicroVm.start(
        { ...input.vm, terminalSocketPaths: socketPaths },
        { session: { tmpfsBytes: input.tmpfsBytes, homeBytes: input.homeBytes } },
        quietSink,
        input.log,
      );
      const booted = vm;
      const onAbort = () => booted.kill();
      signal.addEventListener("abort", onAbort, { once: true });
      if (signal.aborted) onAbort();
      const ready = await vm.ready.finally(() => signal.removeEventListener("abort", onAbort));
      if (!ready) {
        if (signal.aborted)
          throw new SandboxLaunchError("the session was ended while it started", {
            started: false,
          });
        throw new SandboxLaunchError(
          `the session's microVM did not boot: ${vm.failure(await vm.exited)}`,
          { started: false },
        );
      }
      return new MicrovmSession(vm, ports, ttyDir);
    } catch (err) {
      await vm?.discard();
      for (const port of ports) port.server.close();
      await fs.rm(ttyDir, { recursive: true, force: true });
      throw err;
    }
  }

  /** False once QEMU has exited (the guest's memory ran out, or it was killed under the session). */
  get alive(): boolean {
    return !this.gone;
  }

  /** A shell on a free virtconsole port, sized before it starts. */
  openTerminal(size: { cols: number; rows: number }): TerminalStream {
    const n = this.ports.findIndex((p) => p.socket && !p.shell);
    if (n < 0)
      throw new PlaygroundError(
        "quota",
        "terminals_per_session",
        `This session's VM has ${this.ports.length} terminal ports, all in use; close a terminal first.`,
      );
    const port = this.ports[n];
    const socket = port.socket!;
    const decoder = new StringDecoder("utf8");
    const data: Array<(data: string) => void> = [];
    const exits: Array<(event: { exitCode: number }) => void> = [];
    let exited = false;
    const onBytes = (chunk: Buffer) => {
      const text = decoder.write(chunk);
      if (text) for (const listener of data) listener(text);
    };
    socket.on("data", onBytes);
    port.shell = {
      exit: (event) => {
        if (exited) return;
        exited = true;
        socket.off("data", onBytes);
        port.shell = null;
        for (const listener of exits) listener(event);
      },
    };
    const shell = port.shell;
    // The VM going away ends its shells with it.
    void this.vm.exited.then(() => shell.exit({ exitCode: 129 }));
    this.vm.sendControl(`${sessionVerbs.terminal} ${n} ${size.rows} ${size.cols}\n`);
    return {
      write: (text) => {
        if (!exited) socket.write(text);
      },
      resize: (cols, rows) => {
        if (!exited) this.vm.sendControl(`${sessionVerbs.size} ${n} ${rows} ${cols}\n`);
      },
      kill: (signalName) => {
        if (!exited)
          this.vm.sendControl(
            `${sessionVerbs.hangup} ${n} ${signalName === "SIGKILL" ? "KILL" : "HUP"}\n`,
          );
      },
      onData: (listener) => data.push(listener),
      onExit: (listener) => exits.push(listener),
    };
  }

  /** A command beside the shells, its output streamed to the run; an abort kills its process group. */
  async exec(command: string[], ctx: MicrovmContext): Promise<LaunchResult> {
    if (ctx.signal.aborted) return { exitCode: null, signal: null };
    const id = this.nextExec++;
    let settle = (_code: number | null) => undefined as void;
    const ended = new Promise<number | null>((resolve) => (settle = resolve));
    this.execs.set(id, { output: (bytes) => ctx.output(bytes), done: (code) => settle(code) });
    const onAbort = () => {
      this.vm.sendControl(`${sessionVerbs.kill} ${id}\n`);
      setTimeout(() => settle(null), killGraceMs).unref();
    };
    try {
      ctx.enter("booting");
      this.vm.sendControl(sessionExecLine(id, command));
      ctx.mark("started");
      ctx.enter("running");
      ctx.signal.addEventListener("abort", onAbort, { once: true });
      const code = await Promise.race([ended, this.vm.exited.then(() => "gone" as const)]);
      if (code === "gone")
        throw new SandboxLaunchError("the session's microVM stopped while the command ran", {
          started: true,
        });
      ctx.mark("workloadExited");
      if (ctx.signal.aborted) return { exitCode: null, signal: "SIGKILL" };
      return { exitCode: code, signal: null };
    } finally {
      ctx.signal.removeEventListener("abort", onAbort);
      this.execs.delete(id);
    }
  }

  /** Idempotent: kills the VM and removes its folders. */
  async end(): Promise<void> {
    await this.vm.discard();
    for (const port of this.ports) {
      port.socket?.destroy();
      port.server.close();
    }
    await fs.rm(this.ttyDir, { recursive: true, force: true });
  }

  private onLine(line: string): void {
    const match = /^(\S+) (\d+) ?(.*)$/.exec(line.trim());
    if (!match) return;
    const [, verb, idText, rest] = match;
    const id = Number(idText);
    if (verb === sessionReplies.terminalExit) {
      this.ports[id]?.shell?.exit({ exitCode: Number(rest) || 0 });
    } else if (verb === sessionReplies.output) {
      this.execs.get(id)?.output(Buffer.from(rest, "base64"));
    } else if (verb === sessionReplies.done) {
      this.execs.get(id)?.done(Number(rest));
    }
  }
}

/** We listen and QEMU connects as it starts, as for the control port. */
async function listenForTerminal(socketPath: string): Promise<TerminalPort> {
  const port: TerminalPort = { server: net.createServer(), socket: null, shell: null };
  port.server.maxConnections = 1;
  port.server.on("connection", (socket) => {
    port.socket = socket;
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    port.server.once("error", reject);
    port.server.listen(socketPath, () => resolve());
  });
  return port;
}
