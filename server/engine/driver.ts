// The contract between the engine and a runtime driver (runc, gVisor, containerd, Kata, the microVM).
import type { RunEndCode } from "../../lib/api/errors";
import type { Phase } from "../../lib/api/phases";
import type {
  ClusterRuntimeId,
  RuntimeId,
  RuntimeKind,
  RuntimeLocation,
} from "../../lib/api/runtime-ids";
import type { SessionPodView, SessionStart } from "../../lib/api/sessions";

export type { SessionStart };
import type { Logger } from "../log/logger";
import type { ImageRef } from "../images/image-store";

export interface RuntimeAvailability {
  available: boolean;
  version: string | null;
  /** Why it is unavailable, in words a visitor understands. */
  reason: string | null;
  /** What an operator does to make it available. */
  install: string | null;
  details: Record<string, string>;
}

export interface SandboxLimits {
  timeoutMs: number;
  memoryBytes: number;
  pids: number;
  cpuShares: number;
  outputBytes: number;
  tmpfsBytes: number;
}

export interface LaunchSpec {
  runId: string;
  /** Every resource the launch creates carries this name, so a restart can find and reap it. */
  resourceName: string;
  image: ImageRef;
  command: string[];
  limits: SandboxLimits;
  /** Take a sandbox booted ahead of time if the driver keeps any (the microVM's warm pool); others ignore it. */
  fromPool?: boolean;
  /** The host's vAccel agent, reachable at this run's own unix socket; null when the run did not ask for it. */
  vaccel?: { hostSocketPath: string } | null;
  /** Run the command inside this running session (see SandboxDriver.startSession) instead of a sandbox of its own. */
  session?: { resourceName: string } | null;
}

/** A sandbox that idles (its init sleeps) until it is ended; commands and terminals run inside it. */
export interface SessionSpec {
  resourceName: string;
  image: ImageRef;
  /** timeoutMs and outputBytes do not apply: the session's lifetime is kept by the session manager. */
  limits: SandboxLimits;
  /** Size of the writable home (/root), a tmpfs like /tmp. */
  homeBytes: number;
  /** The session's longest lifetime: a driver whose backend can bound it itself (a pod's deadline) does. */
  maxLifetimeMs?: number;
}

/** The host command that opens a shell on a PTY inside a session: spawned on a host-side PTY. */
export interface TerminalCommand {
  file: string;
  args: string[];
  /** Ends the shell when its terminal closes, where hanging up the host command does not (ctr leaves it running). */
  hangUp?: () => Promise<unknown>;
}

/**
 * A terminal's stream where the driver opens the shell on a tty of the sandbox itself (the microVM's guest tty)
 * instead of a host-side PTY: the part of node-pty's IPty a Terminal uses.
 */
export interface TerminalStream {
  write(data: string): void;
  resize(cols: number, rows: number): void;
  /** "SIGHUP" hangs the shell up; "SIGKILL" ends it. */
  kill(signal?: string): void;
  onData(listener: (data: string) => void): unknown;
  onExit(listener: (event: { exitCode: number }) => void): unknown;
}

/** `P`: the phases a driver may mark, its list in lib/api/phases.ts; the engine hands every driver one context. */
export interface LaunchContext<P extends Phase = Phase> {
  signal: AbortSignal;
  /** Records a named moment of the driver's own (e.g. "bundleWritten"); every driver marks "started" (runtime spawned). */
  /** `atEpochMs` dates a moment the driver learnt of late (e.g. a file's mtime); default: now. */
  /** `clock` names whose clock `atEpochMs` is when another machine stamped it (shown with the timings). */
  mark(phase: P, atEpochMs?: number, clock?: string): void;
  /** The driver says the sandbox is booting (runtime invoked) or running (workload started). */
  enter(state: "booting" | "running"): void;
  /** Bytes the workload wrote (stdout and stderr interleaved as they arrive). */
  output(bytes: Buffer): void;
  /**
   * Lines from the sandbox itself rather than the workload (a guest kernel booting, a VM console): they go
   * to the same log, but mark neither the first output nor the workload as running.
   */
  console(bytes: Buffer): void;
  log: Logger;
}

export interface LaunchResult {
  exitCode: number | null;
  /** Signal that ended the workload, when known. */
  signal: string | null;
}

/** The run-end codes of a sandbox that failed: it never started, or it started and went away before its workload ended. */
export type SandboxFailureCode = Extract<RunEndCode, `runtime:${string}`>;

/**
 * What every driver throws when its sandbox fails: the message is the driver's own reason, in words a
 * visitor reads as is (a kernel panic, QEMU's words, the runtime's error line); the cause goes to the log.
 */
export class SandboxLaunchError extends Error {
  readonly code: SandboxFailureCode;
  /** The sandbox had started (its workload may have run) when it failed. */
  readonly started: boolean;

  constructor(reason: string, options: { started: boolean; cause?: unknown }) {
    super(reason, { cause: options.cause });
    this.name = "SandboxLaunchError";
    this.started = options.started;
    this.code = options.started ? "runtime:crashed" : "runtime:launch";
  }
}

export interface SandboxDriver {
  readonly id: RuntimeId | ClusterRuntimeId;
  readonly name: string;
  readonly kind: RuntimeKind;
  /** Where its sandboxes run; absent: this host. */
  readonly location?: RuntimeLocation;
  /** How a workload reaches the vAccel agent (shown to the visitor); absent: this driver cannot connect one yet. */
  readonly vaccelTransport?: string;
  /** What the host offers for this runtime; drivers probe once and keep the answer (probe-once.ts). */
  probe(): Promise<RuntimeAvailability>;
  /**
   * Runs the command and resolves once the sandbox and everything it created are gone; a sandbox that
   * fails rejects with a SandboxLaunchError.
   */
  launch(spec: LaunchSpec, ctx: LaunchContext): Promise<LaunchResult>;
  /** Host processes that make up the running sandbox (for its memory footprint); [] when none. */
  sandboxProcesses?(resourceName: string): Promise<number[]>;
  /**
   * How many runs that asked for a sandbox booted ahead (fromPool) wait in the engine's queue for this driver, each
   * time the number changes: a driver that keeps sandboxes ready (the microVM's warm pool) grows for them before
   * they reach it.
   */
  queueChanged?(waitingForPool: number): void;
  /**
   * Host processes of the runtime that serve the sandbox from outside its cgroup (containerd's shim): a session's
   * host view lists them beside sandboxProcesses; a footprint does not count them.
   */
  runtimeProcesses?(resourceName: string): Promise<number[]>;
  /** Starts a session's sandbox and resolves once it runs; absent: this driver has no sessions yet. */
  startSession?(spec: SessionSpec, signal: AbortSignal): Promise<SessionStart | void>;
  /** Idempotent: kills the session's sandbox (and everything running in it) and removes its resources. */
  endSession?(resourceName: string): Promise<void>;
  /** Whether the session's sandbox still runs (its init may have been killed, e.g. at the memory limit). */
  sessionAlive?(resourceName: string): Promise<boolean>;
  /** How to open an interactive shell inside the session: a host command spawned on a host-side PTY. */
  terminalCommand?(resourceName: string): Promise<TerminalCommand>;
  /** Or the shell on a tty of the sandbox's own, its bytes streamed as they are (a VM's console port). */
  openTerminal?(
    resourceName: string,
    size: { cols: number; rows: number },
  ): Promise<TerminalStream>;
  /** For the host view of a session on another machine (a cluster's pod): what its backend says of it. */
  podViewOf?(resourceName: string): Promise<SessionPodView>;
  /** The session's cgroup, for the host view; null when the driver has none of its own. */
  cgroupOf?(resourceName: string): { parent: string; name: string } | null;
  /** Removes what a crashed earlier process left behind; returns what it removed. */
  reap(): Promise<string[]>;
  /**
   * Starts what the driver keeps ready ahead of visitors (the microVM's snapshot and warm pool), once the host
   * has reaped an earlier process's leftovers; a runtime this host lacks starts nothing. Probing never does.
   */
  start?(): Promise<void>;
  /** Stops what the driver keeps running between launches (a warm pool); called once, at shutdown. */
  close?(): Promise<void>;
}

/**
 * Runtimes found at run time elsewhere (a cluster's RuntimeClasses), asked anew each time the runtimes are
 * listed or one is launched; it caches what it found itself.
 */
export interface DriverSource {
  /**
   * Runs on its drivers at once: they count against this instead of the host's maxConcurrentRuns (a
   * cluster's sandboxes do not load the playground's host). Absent: they share the host's.
   */
  readonly maxConcurrentRuns?: number;
  /** Never rejects: a source that cannot reach its backend returns the drivers it expects, unavailable, with why. */
  drivers(): Promise<SandboxDriver[]>;
  /** Removes what a crashed earlier process left behind; never rejects (a backend that is down reaps nothing). */
  reap(): Promise<string[]>;
  close?(): Promise<void>;
}

/** One run's socket to the host's vAccel agent, served while the run lives. */
export interface VaccelEndpoint {
  hostSocketPath: string;
  /** Idempotent: stops serving and removes the socket and its folder. */
  close(): Promise<void>;
}

export interface VaccelEndpointOptions {
  /** Which agent answers the run's socket: the playground's own (default) or a vaccel-rpc-agent of the host. */
  agent?: "playground" | "host";
}

/** Opens a run's agent socket before its launch; reaps sockets a crashed process left. */
export interface VaccelEndpoints {
  open(resourceName: string, options?: VaccelEndpointOptions): Promise<VaccelEndpoint>;
  reap(): Promise<string[]>;
}

/** All resources of the playground carry this prefix. */
export const resourcePrefix = "sbpg-";
