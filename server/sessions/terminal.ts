// One terminal: a shell inside the session (a host-side PTY running the runtime's `exec`, or a tty of the VM's own), with a bounded backlog to replay.
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { spawn } from "@lydell/node-pty";
import type { TerminalCommand, TerminalStream } from "../engine/driver";
import { PlaygroundError } from "../errors/playground-error";

/** How long a hung-up shell gets before its exec is killed. */
const closeGraceMs = 2_000;

export interface TerminalEvents {
  output: [{ offset: number; data: string }];
  exit: [number | null];
}

/** The runtime's `exec` of a shell, spawned on a host-side PTY. */
export function spawnTerminalPty(
  command: TerminalCommand,
  size: { cols: number; rows: number },
): TerminalStream {
  const pty = spawn(command.file, command.args, {
    name: "xterm-256color",
    ...size,
    cwd: "/",
    env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin", TERM: "xterm-256color" },
  });
  const { hangUp } = command;
  if (!hangUp) return pty;
  let exited = false;
  pty.onExit(() => (exited = true));
  return {
    write: (data) => pty.write(data),
    resize: (cols, rows) => pty.resize(cols, rows),
    onData: (listener) => pty.onData(listener),
    onExit: (listener) => pty.onExit(listener),
    kill: (signal) => {
      if (!exited) void hangUp().catch(() => undefined);
      pty.kill(signal);
    },
  };
}

export interface TerminalOptions {
  sessionId: string;
  stream: TerminalStream;
  backlogChars: number;
  inputCharsPerSec: number;
  /** Called for every input accepted: the session is not idle. */
  onActivity: () => void;
}

export class Terminal extends EventEmitter<TerminalEvents> {
  readonly id = randomBytes(12).toString("hex");
  readonly sessionId: string;
  private readonly pty: TerminalStream;
  private readonly backlogChars: number;
  private chunks: { offset: number; data: string }[] = [];
  private backlogSize = 0;
  private total = 0;
  private exitCode: number | null | undefined = undefined;
  /** Token bucket: a paste of a few KiB passes at once, a flood is refused. */
  private tokens: number;
  private refilledAt = Date.now();

  constructor(private readonly options: TerminalOptions) {
    super();
    this.sessionId = options.sessionId;
    this.backlogChars = options.backlogChars;
    this.tokens = options.inputCharsPerSec;
    this.pty = options.stream;
    this.pty.onData((data) => this.append(data));
    this.pty.onExit(({ exitCode }) => {
      this.exitCode = exitCode;
      this.emit("exit", exitCode);
    });
  }

  get exited(): boolean {
    return this.exitCode !== undefined;
  }

  get code(): number | null | undefined {
    return this.exitCode;
  }

  /** The screen so far, as far as the backlog reaches: a reattaching client redraws from it. */
  backlog(): { offset: number; data: string }[] {
    return [...this.chunks];
  }

  write(data: string): void {
    if (this.exited) return;
    const now = Date.now();
    const rate = this.options.inputCharsPerSec;
    this.tokens = Math.min(rate, this.tokens + ((now - this.refilledAt) / 1000) * rate);
    this.refilledAt = now;
    if (data.length > this.tokens)
      throw new PlaygroundError(
        "quota",
        "terminal_input",
        `Typing faster than ${rate} characters a second; paste less at once.`,
      );
    this.tokens -= data.length;
    this.options.onActivity();
    this.pty.write(data);
  }

  resize(cols: number, rows: number): void {
    // A PTY that just exited has no descriptor left to resize.
    if (!this.exited) this.pty.resize(cols, rows);
  }

  /** Idempotent: hangs up the shell (the runtime's exec, or the guest, passes SIGHUP on to it); the session keeps running. */
  close(): void {
    const kill = (signal: string) => {
      if (this.exited) return;
      try {
        this.pty.kill(signal);
      } catch {
        // already gone
      }
    };
    kill("SIGHUP");
    setTimeout(() => kill("SIGKILL"), closeGraceMs).unref();
  }

  private append(data: string): void {
    const chunk = { offset: this.total, data };
    this.total += data.length;
    this.chunks.push(chunk);
    this.backlogSize += data.length;
    while (this.backlogSize > this.backlogChars && this.chunks.length > 1) {
      this.backlogSize -= this.chunks.shift()!.data.length;
    }
    this.emit("output", chunk);
  }
}
