// The containerd the drivers talk to: the host's (given its socket) or the playground's own, started lazily.
import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import type { Logger } from "../../log/logger";
import { runCommand, sleep, type CommandResult } from "../process-exit";
import {
  containerdPaths,
  renderContainerdConfig,
  type ContainerdLogLevel,
  type ContainerdPaths,
} from "./containerd-config";
import { ContainerdEventStream, pingLabel } from "./containerd-events";

export interface ContainerdDaemonOptions {
  containerdBinary: string;
  ctrBinary: string;
  /** The playground's state folder; the daemon's files go to `<stateDir>/containerd`. */
  stateDir: string;
  /** The host containerd's socket; null starts the playground's own daemon. */
  address: string | null;
  namespace: string;
  logLevel: ContainerdLogLevel;
  log?: Logger;
}

export interface ContainerdInfo {
  version: string;
  revision: string;
  address: string;
  /** "own": started by this process; "adopted": ours, left running by an earlier process; "host": the host's. */
  mode: "own" | "adopted" | "host";
  /** Whether the event stream is live (else the launch timings lack containerd's own moments). */
  events: boolean;
}

const startTimeoutMs = 15_000;
const stopTimeoutMs = 5_000;

export const defaultNamespace = "sandbox-playground";

export class ContainerdDaemon {
  readonly paths: ContainerdPaths;
  readonly address: string;
  readonly namespace: string;
  readonly events: ContainerdEventStream;
  private readonly options: ContainerdDaemonOptions;
  private starting: Promise<ContainerdInfo> | null = null;
  /** The daemon this process must stop on close (spawned or adopted); null for the host's. */
  private ownedPid: number | null = null;
  private closed = false;

  constructor(options: ContainerdDaemonOptions) {
    this.options = options;
    this.paths = containerdPaths(options.stateDir);
    this.address = options.address ?? this.paths.address;
    this.namespace = options.namespace;
    this.events = new ContainerdEventStream(options.ctrBinary, this.address, this.namespace);
  }

  get ctrBinary(): string {
    return this.options.ctrBinary;
  }

  /** Global ctr flags that select this daemon and the playground's namespace. */
  ctrArgs(): string[] {
    return ["--address", this.address, "--namespace", this.namespace];
  }

  ctr(args: string[], timeoutMs = 10_000): Promise<CommandResult> {
    return runCommand(this.options.ctrBinary, [...this.ctrArgs(), ...args], timeoutMs);
  }

  /** Starts (or finds) the daemon once; a failed start is retried by the next call. */
  ensure(): Promise<ContainerdInfo> {
    if (this.closed)
      return Promise.reject(new Error("containerd was stopped (server shutting down)"));
    this.starting ??= this.start().catch((err: unknown) => {
      this.starting = null;
      throw err;
    });
    return this.starting;
  }

  private async start(): Promise<ContainerdInfo> {
    let mode: ContainerdInfo["mode"] = "host";
    if (this.options.address === null) mode = await this.startOwn();
    const version = await this.version();
    if (!version) throw new Error(`containerd does not answer on ${this.address}`);
    await this.ctr(["namespaces", "create", this.namespace]);
    const events = await this.events.ready((token) =>
      this.ctr(["namespaces", "label", this.namespace, `${pingLabel}=${token}`], 3_000).then(
        () => undefined,
      ),
    );
    if (!events)
      this.options.log?.warn("containerd event stream not live; launch timings lack its moments");
    return { ...version, address: this.address, mode, events };
  }

  private async version(): Promise<{ version: string; revision: string } | null> {
    const result = await runCommand(
      this.options.ctrBinary,
      ["--address", this.address, "version"],
      3_000,
    );
    if (result.code !== 0) return null;
    const server = result.stdout.split("Server:")[1] ?? "";
    return {
      version: /Version:\s*(\S+)/.exec(server)?.[1] ?? "unknown",
      revision: /Revision:\s*(\S+)/.exec(server)?.[1] ?? "unknown",
    };
  }

  private async startOwn(): Promise<"own" | "adopted"> {
    const { paths } = this;
    await fs.mkdir(paths.dir, { recursive: true, mode: 0o711 });
    const config = renderContainerdConfig(paths, this.options.logLevel);
    const previousConfig = await fs.readFile(paths.configFile, "utf8").catch(() => null);
    const leftover = await this.leftoverPid();
    if (leftover !== null) {
      // A daemon an earlier server left running (crash, kill -9) is reused when it runs our current config.
      if (previousConfig === config && (await this.version())) {
        this.ownedPid = leftover;
        this.options.log?.info({ pid: leftover }, "reusing the playground's containerd");
        return "adopted";
      }
      await stopProcess(leftover);
    }
    await fs.writeFile(paths.configFile, config);
    const logFile = await fs.open(paths.logFile, "a");
    // detached: a crash of the server leaves the daemon (and its sandboxes' state) for the next start to adopt.
    const child = spawn(this.options.containerdBinary, ["--config", paths.configFile], {
      detached: true,
      stdio: ["ignore", logFile.fd, logFile.fd],
    });
    await logFile.close();
    const spawnError = new Promise<Error>((resolve) => child.once("error", resolve));
    const exited = new Promise<number | null>((resolve) =>
      child.once("exit", (code) => resolve(code)),
    );
    child.unref();
    if (child.pid === undefined) throw await spawnError;
    this.ownedPid = child.pid;
    await fs.writeFile(paths.pidFile, `${child.pid}\n`);
    const deadline = Date.now() + startTimeoutMs;
    for (;;) {
      if (await this.version()) return "own";
      const early = await Promise.race([exited, sleep(25).then(() => undefined)]);
      if (early !== undefined || Date.now() > deadline) {
        this.ownedPid = null;
        if (early === undefined) await stopProcess(child.pid);
        const tail = (await fs.readFile(paths.logFile, "utf8").catch(() => ""))
          .trim()
          .split("\n")
          .slice(-3);
        throw new Error(
          `containerd did not start (${early !== undefined ? `exit ${early}` : "no answer in time"}): ${tail.join(" | ")}`,
        );
      }
    }
  }

  /** The pid in our pid file, if that process is still a containerd running our config. */
  private async leftoverPid(): Promise<number | null> {
    const pid = Number((await fs.readFile(this.paths.pidFile, "utf8").catch(() => "")).trim());
    if (!Number.isInteger(pid) || pid <= 0 || !(await isAlive(pid))) return null;
    const cmdline = await readCmdline(pid);
    return cmdline.includes(this.paths.configFile) && cmdline.some((a) => a.endsWith("containerd"))
      ? pid
      : null;
  }

  /** Stops our daemon and the shims it started; the host's containerd is left alone. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    this.events.close();
    await this.starting?.catch(() => undefined);
    const pid = this.ownedPid;
    this.ownedPid = null;
    if (pid === null) return;
    await stopProcess(pid);
    // A shim outlives containerd by design (so a daemon restart keeps containers); ours must not.
    for (const shim of await shimsOf(this.address)) await stopProcess(shim);
    await fs.rm(this.paths.pidFile, { force: true });
  }
}

async function readCmdline(pid: number): Promise<string[]> {
  const raw = await fs.readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
  return raw.split("\0").filter(Boolean);
}

/** A zombie counts as gone: it no longer runs, only waits for its parent to collect it. */
async function isAlive(pid: number): Promise<boolean> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  if (stat === null) return false;
  return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
}

async function stopProcess(pid: number): Promise<void> {
  for (const signal of ["SIGTERM", "SIGKILL"] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    const deadline = Date.now() + stopTimeoutMs;
    while (Date.now() < deadline) {
      if (!(await isAlive(pid))) return;
      await sleep(20);
    }
  }
}

/** Shim processes (runc v2, Kata) that were started by the containerd at `address`. */
export async function shimsOf(address: string): Promise<number[]> {
  const entries = await fs.readdir("/proc").catch(() => [] as string[]);
  const pids: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const args = await readCmdline(Number(entry));
    if (!args[0]?.includes("containerd-shim")) continue;
    const at = args.indexOf("-address");
    if (at >= 0 && args[at + 1] === address) pids.push(Number(entry));
  }
  return pids;
}
