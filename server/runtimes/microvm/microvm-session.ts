// A microVM session: one VM kept up, its shells on the guest's virtconsole ttys, its commands beside them over the control port.
import { StringDecoder } from "node:string_decoder";
import { SandboxLaunchError, type LaunchResult, type TerminalStream } from "../../engine/driver";
import { sessionReplies, sessionVerbs } from "../../images/microvm/guest-protocol";
import type { Logger } from "../../log/logger";
import { PlaygroundError } from "../../errors/playground-error";
import { MicroVm, type MicrovmContext, type VmInput, type VmSink } from "./boot-vm";
import { sessionCommandLine, sessionExecLine } from "./guest-launch";
import type { TerminalPort } from "./terminal-ports";

export interface MicrovmSessionInput {
  /** The VM's settings; `terminals` is the session's number of shells at once (one virtconsole port each). */
  vm: VmInput;
  tmpfsBytes: number;
  homeBytes: number;
  log: Logger;
}

/** A session's boot log is nobody's run: the VM keeps its tail for a failure's reason. */
const quietSink: VmSink = {
  mark: () => undefined,
  enter: () => undefined,
  output: () => undefined,
  console: () => undefined,
};
/** What a shell opened ahead may print before a terminal takes it (its banner and prompt are ~130 bytes). */
const maxAheadBytes = 64 * 1024;
/** The size a shell opened ahead starts at; the terminal that takes it sends its own at once. */
const aheadSize = { rows: 24, cols: 80 };

/** The longest the shell opened ahead is held back for its size (the guest acknowledges it in ~20 ms). */
const maxHoldMs = 1_000;

/** A killed command gets this long to report its end before it is taken as gone. */
const killGraceMs = 2_000;

interface RunningExec {
  output(bytes: Buffer): void;
  done(code: number): void;
}

export class MicrovmSession {
  private readonly execs = new Map<number, RunningExec>();
  private nextExec = 1;
  private gone = false;
  private readonly ports: TerminalPort[];
  /**
   * Port 0's shell, started with the session so that the first terminal finds its prompt there: starting `sh -i` in a
   * TCG guest takes ~100 ms even from a warm pool VM (POST → prompt 123 ms through the API, of which the claim is
   * ~20). Its output is kept until a terminal takes it; null once one has, or once it exited first.
   */
  private ahead: { chunks: Buffer[]; bytes: number; listen(chunk: Buffer): void } | null = null;

  private constructor(readonly vm: MicroVm) {
    this.ports = vm.terminalPorts;
    vm.onSessionLine((line) => this.onLine(line));
    void vm.exited.then(() => (this.gone = true));
    this.openAhead();
  }

  /** The session's first shell, on port 0, before anyone asks (see `ahead`). */
  private openAhead(): void {
    const socket = this.ports[0]?.socket;
    if (!socket) return;
    const ahead = {
      chunks: [] as Buffer[],
      bytes: 0,
      listen: (chunk: Buffer) => {
        if (ahead.bytes + chunk.length > maxAheadBytes) return;
        ahead.chunks.push(chunk);
        ahead.bytes += chunk.length;
      },
    };
    this.ahead = ahead;
    socket.on("data", ahead.listen);
    socket.resume();
    this.vm.sendControl(`${sessionVerbs.terminal} 0 ${aheadSize.rows} ${aheadSize.cols}\n`);
  }

  /** The shell opened ahead (on port 0), taken by a terminal on port n: what it printed so far. Null when none. */
  private takeAhead(n: number): Buffer | null {
    const ahead = this.ahead;
    if (!ahead || n !== 0) return null;
    this.ahead = null;
    this.ports[n].socket?.off("data", ahead.listen);
    return Buffer.concat(ahead.chunks);
  }

  /** Boots a VM for the session and resolves once its init serves it; an abort or a failed boot leaves nothing behind. */
  static async bootCold(input: MicrovmSessionInput, signal: AbortSignal): Promise<MicrovmSession> {
    const vm = await MicroVm.start(
      input.vm,
      { session: { tmpfsBytes: input.tmpfsBytes, homeBytes: input.homeBytes } },
      quietSink,
      input.log,
    );
    try {
      const ready = await readyUnlessAborted(vm, signal);
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
      return new MicrovmSession(vm);
    } catch (err) {
      await vm.discard();
      throw err;
    }
  }

  /**
   * A VM booted ahead (from the warm pool, or restored from the snapshot), waiting for its run with the session's
   * terminal ports: the session line makes it one. What the init does next (mount /root) comes before any terminal
   * or command line sent after it, since the init reads the control port in order.
   */
  static fromWaitingVm(
    vm: MicroVm,
    settings: { tmpfsBytes: number; homeBytes: number },
  ): MicrovmSession {
    vm.attach(quietSink);
    vm.sendControl(sessionCommandLine(settings.tmpfsBytes, settings.homeBytes));
    return new MicrovmSession(vm);
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
    const printed = this.takeAhead(n);
    // The guest sizes a new shell's tty before it starts the shell: a size sent for the shell opened ahead before it
    // printed anything could come first and be undone, so it waits for the shell's first bytes.
    let started = !printed || printed.length > 0;
    let unsentSize: { rows: number; cols: number } | null = null;
    const sendSize = (rows: number, cols: number) => {
      if (started) this.vm.sendControl(`${sessionVerbs.size} ${n} ${rows} ${cols}\n`);
      else unsentSize = { rows, cols };
    };
    /** Output the terminal's listener has not had yet: the shell opened ahead's, and any held back (below). */
    let pending = printed ? decoder.write(printed) : "";
    /**
     * The shell opened ahead at another size shows nothing until the guest has applied this one: its prompt would
     * otherwise come first, and the visitor's first keys race the SIGWINCH, which makes the line editor redraw the
     * line being typed.
     */
    let sizing = Boolean(printed) && (size.rows !== aheadSize.rows || size.cols !== aheadSize.cols);
    const flush = () => {
      if (sizing || !pending || !data.length) return;
      const text = pending;
      pending = "";
      for (const listener of data) listener(text);
    };
    const sized = () => {
      if (!sizing) return;
      sizing = false;
      clearTimeout(sizingTimer);
      flush();
    };
    const sizingTimer = sizing ? setTimeout(sized, maxHoldMs) : undefined;
    sizingTimer?.unref();
    const onBytes = (chunk: Buffer) => {
      if (!started) {
        started = true;
        if (unsentSize) sendSize(unsentSize.rows, unsentSize.cols);
      }
      pending += decoder.write(chunk);
      flush();
    };
    socket.on("data", onBytes);
    socket.resume();
    port.shell = {
      exit: (event) => {
        if (exited) return;
        exited = true;
        sized();
        socket.off("data", onBytes);
        socket.pause();
        port.shell = null;
        for (const listener of exits) listener(event);
      },
      sized,
    };
    const shell = port.shell;
    // The VM going away ends its shells with it.
    void this.vm.exited.then(() => shell.exit({ exitCode: 129 }));
    // The shell opened ahead only gets its size; any other port gets a new shell.
    if (printed) sendSize(size.rows, size.cols);
    else this.vm.sendControl(`${sessionVerbs.terminal} ${n} ${size.rows} ${size.cols}\n`);
    return {
      write: (text) => {
        if (!exited) socket.write(text);
      },
      resize: (cols, rows) => {
        if (!exited) sendSize(rows, cols);
      },
      kill: (signalName) => {
        if (!exited)
          this.vm.sendControl(
            `${sessionVerbs.hangup} ${n} ${signalName === "SIGKILL" ? "KILL" : "HUP"}\n`,
          );
      },
      onData: (listener) => {
        data.push(listener);
        flush();
      },
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

  /** Idempotent: kills the VM and removes its folder (its terminal sockets with it). */
  async end(): Promise<void> {
    await this.vm.discard();
  }

  private onLine(line: string): void {
    const match = /^(\S+) (\d+) ?(.*)$/.exec(line.trim());
    if (!match) return;
    const [, verb, idText, rest] = match;
    const id = Number(idText);
    if (verb === sessionReplies.sized) {
      this.ports[id]?.shell?.sized();
    } else if (verb === sessionReplies.terminalExit) {
      // A shell opened ahead that exits before any terminal took it leaves its port free for a new one.
      this.takeAhead(id);
      this.ports[id]?.shell?.exit({ exitCode: Number(rest) || 0 });
    } else if (verb === sessionReplies.output) {
      this.execs.get(id)?.output(Buffer.from(rest, "base64"));
    } else if (verb === sessionReplies.done) {
      this.execs.get(id)?.done(Number(rest));
    }
  }
}

/** The VM's `ready`, or false once the signal aborts (the VM is then killed). */
export async function readyUnlessAborted(vm: MicroVm, signal: AbortSignal): Promise<boolean> {
  const onAbort = () => vm.kill();
  signal.addEventListener("abort", onAbort, { once: true });
  if (signal.aborted) onAbort();
  try {
    return await vm.ready;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}
