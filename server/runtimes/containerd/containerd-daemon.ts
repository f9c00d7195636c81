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
    // After close() a late caller (a probe still in flight) must not start a client nobody will stop.
    if (this.closed)
      return Promise.resolve({
        code: null,
        stdout: "",
        stderr: "the playground's containerd client is closed",
      });
    return runCommand(this.options.ctrBinary, [...this.ctrArgs(), ...args], timeoutMs);
  }

  /** Whether the daemon is the host's, which other playgrounds (other state folders) may share. */
  get shared(): boolean {
    return this.options.address !== null;
  }

  /** Whether there may be sandboxes to reap: the host's daemon always, ours only once it has ever run here. */
  async hasState(): Promise<boolean> {
    if (this.options.address !== null) return true;
    return fs.access(this.paths.root).then(
      () => true,
      () => false,
    );
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
    await this.prepareFolders();
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

  /**
   * Sandbox roots are mounted under our bundles folder, and runc enters them as the sandbox's mapped root (uid
   * 100000), which must be able to traverse every folder above: add search permission (not read) where missing.
   */
  private async prepareFolders(): Promise<void> {
    await fs.mkdir(this.paths.bundles, { recursive: true, mode: 0o711 });
    await fs.mkdir(this.paths.fifoDir, { recursive: true, mode: 0o700 });
    await fs.mkdir(this.paths.images, { recursive: true, mode: 0o700 });
    for (const dir of [this.options.stateDir, this.paths.dir, this.paths.bundles]) {
      const { mode } = await fs.stat(dir);
      if ((mode & 0o011) !== 0o011) await fs.chmod(dir, (mode & 0o7777) | 0o011);
    }
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
    const config = renderContainerdConfig(paths, this.options.logLevel);
    const previousConfig = await fs.readFile(paths.configFile, "utf8").catch(() => null);
    const leftover = await this.leftoverPid();
    // The ctr clients of a crashed server (its event stream, an import) outlive it; this process starts its own.
    for (const client of await ctrClientsOf(this.address)) await stopProcess(client);
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
    if (this.options.address !== null) return;
    // A crashed predecessor's daemon and ctr clients are ours to stop too, even if this process never used them.
    for (const client of await ctrClientsOf(this.address)) await stopProcess(client);
    const pid = this.ownedPid ?? (await this.leftoverPid());
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

/** Processes whose command line matches, e.g. the shims or `ctr events` of the containerd at an address. */
async function processesWhere(matches: (args: string[]) => boolean): Promise<number[]> {
  const entries = await fs.readdir("/proc").catch(() => [] as string[]);
  const pids: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    if (matches(await readCmdline(Number(entry)))) pids.push(Number(entry));
  }
  return pids;
}

/** Shim processes (runc v2, Kata) that were started by the containerd at `address`. */
export function shimsOf(address: string): Promise<number[]> {
  return processesWhere((args) => {
    const at = args.indexOf("-address");
    return Boolean(args[0]?.includes("containerd-shim")) && at >= 0 && args[at + 1] === address;
  });
}

/** The shim that runs container `id` of `namespace` for the containerd at `address`; null when none does. */
export async function shimOf(
  address: string,
  namespace: string,
  id: string,
): Promise<number | null> {
  const [pid] = await processesWhere((args) => isShimCommand(args, address, namespace, id));
  return pid ?? null;
}

/** Whether `pid` still is that shim (a pid found earlier may have ended, or been reused). */
export async function isShimOf(
  pid: number,
  address: string,
  namespace: string,
  id: string,
): Promise<boolean> {
  return isShimCommand(await readCmdline(pid), address, namespace, id);
}

function isShimCommand(args: string[], address: string, namespace: string, id: string): boolean {
  const flag = (name: string) => {
    const at = args.indexOf(name);
    return at >= 0 ? args[at + 1] : undefined;
  };
  return (
    Boolean(args[0]?.includes("containerd-shim")) &&
    flag("-address") === address &&
    flag("-namespace") === namespace &&
    flag("-id") === id
  );
}

/** `ctr` clients of the containerd at `address` (event streams, imports), a crashed server's included. */
export function ctrClientsOf(address: string): Promise<number[]> {
  return processesWhere((args) => {
    const at = args.indexOf("--address");
    return at >= 0 && args[at + 1] === address && Boolean(args[0]?.endsWith("ctr"));
  });
}
