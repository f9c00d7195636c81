// Shared by runc and gVisor: both take an OCI bundle and the same run/kill/delete/list commands.
import { probeOnce } from "./probe-once";
import { spawn, type ChildProcessByStdio } from "node:child_process";
import { watch, type FSWatcher } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import type { PhaseOf } from "../../lib/api/phases";
import type { RuntimeId, RuntimeKind } from "../../lib/api/runtime-ids";
import type {
  LaunchContext,
  LaunchResult,
  LaunchSpec,
  RuntimeAvailability,
  SandboxDriver,
  SessionSpec,
  TerminalCommand,
} from "../engine/driver";
import { resourcePrefix, SandboxLaunchError } from "../engine/driver";
import { buildOciSpec, type OciMount } from "./oci-spec";
import { vaccelOciAdditions } from "./vaccel-mount";
import { runCommand, sleep, waitForExit } from "./process-exit";
import { cgroupPids, removeCgroups } from "./cgroups";
import { rawHostPty, sessionHome, sessionHomeMount, sessionInit } from "./session-sandbox";

/** runc and runsc mark only their own phases (lib/api/phases.ts). */
type OciCliContext = LaunchContext<PhaseOf<"ociCli">>;

export interface OciCliOptions {
  id: RuntimeId;
  name: string;
  kind: RuntimeKind;
  binary: string;
  /** The runtime's state folder and the bundles of its sandboxes live under here. */
  stateDir: string;
  /** Parent cgroup of every sandbox of the playground. */
  cgroupParent: string;
}

/** How long a runtime CLI gets to exit after its container was killed, before we kill the CLI itself. */
const killGraceMs = 3_000;

export abstract class OciCliDriver implements SandboxDriver {
  readonly id: RuntimeId;
  readonly name: string;
  readonly kind: RuntimeKind;
  readonly vaccelTransport = "unix socket bind-mounted at /run/vaccel";
  protected readonly binary: string;
  protected readonly root: string;
  protected readonly bundles: string;
  private readonly cgroupParent: string;
  private availability: Promise<RuntimeAvailability> | null = null;

  protected constructor(options: OciCliOptions) {
    this.id = options.id;
    this.name = options.name;
    this.kind = options.kind;
    this.binary = options.binary;
    this.root = path.join(options.stateDir, options.id, "root");
    this.bundles = path.join(options.stateDir, options.id, "bundles");
    this.cgroupParent = options.cgroupParent;
  }

  /** Global flags before the subcommand (root, platform...). */
  protected abstract globalArgs(): Promise<string[]>;
  /** Global flags for `run` of this launch only (gVisor: host socket access for a vAccel run). */
  protected runArgs(_spec: LaunchSpec): string[] {
    return [];
  }
  protected abstract detect(): Promise<RuntimeAvailability>;
  /** pidsOverhead: host processes/threads of the runtime itself that live in the sandbox's cgroup. */
  protected abstract specOptions(): {
    userNamespace: boolean;
    seccomp: boolean;
    pidsOverhead: number;
  };

  /**
   * What a session's sandbox mounts so that the processes exec'd into it keep a run's hardening, and the argv
   * every one of them starts with (its command follows). runc exec applies the container's seccomp profile
   * itself: by default nothing, and the command as is.
   */
  protected async sessionExec(
    _spec: SessionSpec,
  ): Promise<{ mounts: OciMount[]; argsPrefix: string[] }> {
    return { mounts: [], argsPrefix: [] };
  }

  /** The exact CLI, flags and hardening this driver uses, so a benchmark can run the bare runtime the same way. */
  async cliInvocation(): Promise<{
    binary: string;
    globalArgs: string[];
    hardening: ReturnType<OciCliDriver["specOptions"]>;
  }> {
    return {
      binary: this.binary,
      globalArgs: await this.globalArgs(),
      hardening: this.specOptions(),
    };
  }

  probe(): Promise<RuntimeAvailability> {
    this.availability ??= probeOnce(() => this.detect());
    return this.availability;
  }

  async launch(spec: LaunchSpec, ctx: OciCliContext): Promise<LaunchResult> {
    if (spec.session) return this.execInSession(spec, spec.session.resourceName, ctx);
    const bundle = path.join(this.bundles, spec.resourceName);
    try {
      await fs.mkdir(bundle, { recursive: true, mode: 0o700 });
      const { userNamespace, seccomp, pidsOverhead } = this.specOptions();
      const vaccel = vaccelOciAdditions(spec.vaccel);
      const config = buildOciSpec({
        rootfsPath: spec.image.rootfsPath,
        command: spec.command,
        hostname: "sandbox",
        limits: { ...spec.limits, pids: spec.limits.pids + pidsOverhead },
        cgroupsPath: `${this.cgroupParent}/${spec.resourceName}`,
        userNamespace,
        seccomp,
        extraMounts: vaccel.mounts,
        extraEnv: vaccel.env,
      });
      await fs.writeFile(path.join(bundle, "config.json"), JSON.stringify(config));
      ctx.mark("bundleWritten");
      if (ctx.signal.aborted) return { exitCode: null, signal: null };
      return await this.runContainer(spec, bundle, ctx);
    } finally {
      await this.remove(spec.resourceName, bundle);
    }
  }

  private async runContainer(
    spec: LaunchSpec,
    bundle: string,
    ctx: OciCliContext,
  ): Promise<LaunchResult> {
    const global = await this.globalArgs();
    const runtimeLog = path.join(bundle, "runtime.log");
    ctx.enter("booting");
    // The runtime writes the pid file once the container exists, just before it starts the workload:
    // that is the moment "booting" ends, even for a workload that never prints.
    const pidFile = path.join(bundle, "pid");
    let created = false;
    const watcher = watch(bundle, (_event, filename) => {
      if (filename !== "pid") return;
      created = true;
      // inotify events can arrive after the workload already printed; the file's mtime is the true moment.
      void fs.stat(pidFile).then(
        (stat) => ctx.mark("containerCreated", stat.mtimeMs),
        () => ctx.mark("containerCreated"),
      );
      ctx.enter("running");
    });
    // stdout and stderr share one pipe (the shell's 2>&1 before exec), so the log keeps the order the sandbox wrote in.
    const child = spawn(
      "/bin/sh",
      [
        "-c",
        'exec "$0" "$@" 2>&1',
        this.binary,
        ...global,
        ...this.runArgs(spec),
        "--log",
        runtimeLog,
        "run",
        "--bundle",
        bundle,
        "--pid-file",
        pidFile,
        spec.resourceName,
      ],
      { stdio: ["ignore", "pipe", "ignore"] },
    );
    const exit = await followRuntimeCli(child, ctx, watcher, () =>
      this.kill(spec.resourceName, child),
    );

    if (exit.code !== 0 && !ctx.signal.aborted) {
      const failure = await this.runtimeFailure(runtimeLog);
      if (failure)
        throw new SandboxLaunchError(`${this.name} could not start the sandbox: ${failure}`, {
          started: created,
        });
    }
    return { exitCode: exit.code, signal: exit.signal };
  }

  /** The container may not exist yet when a stop arrives, so keep asking until the CLI is gone. */
  private async kill(name: string, child: ReturnType<typeof spawn>): Promise<void> {
    const global = await this.globalArgs();
    const deadline = Date.now() + killGraceMs;
    while (child.exitCode === null && child.signalCode === null && Date.now() < deadline) {
      await runCommand(this.binary, [...global, "kill", name, "KILL"], killGraceMs);
      await Promise.race([waitForExit(child), sleep(100)]);
    }
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }

  /**
   * create + start rather than run: the CLI returns once the sandbox runs, and the init (a sleep) keeps it
   * running until endSession. The init's stdio is /dev/null: a pipe would be held open by the sandbox.
   */
  async startSession(spec: SessionSpec, signal: AbortSignal): Promise<void> {
    const bundle = path.join(this.bundles, spec.resourceName);
    await fs.mkdir(bundle, { recursive: true, mode: 0o700 });
    const { userNamespace, seccomp, pidsOverhead } = this.specOptions();
    const exec = await this.sessionExec(spec);
    const config = buildOciSpec({
      rootfsPath: spec.image.rootfsPath,
      command: sessionInit,
      hostname: "sandbox",
      limits: { ...spec.limits, pids: spec.limits.pids + pidsOverhead },
      cgroupsPath: `${this.cgroupParent}/${spec.resourceName}`,
      userNamespace,
      seccomp,
      extraMounts: [sessionHomeMount(spec.homeBytes), ...exec.mounts],
    });
    await fs.writeFile(path.join(bundle, "config.json"), JSON.stringify(config));
    // Every command and terminal of the session runs with the init's hardening (user, capabilities, rlimits),
    // its args after the template's (sessionExec).
    await fs.writeFile(
      path.join(bundle, sessionProcessFile),
      JSON.stringify({ ...(config.process as object), cwd: sessionHome, args: exec.argsPrefix }),
    );
    const global = await this.globalArgs();
    const runtimeLog = path.join(bundle, "runtime.log");
    for (const step of [
      ["create", "--bundle", bundle, "--pid-file", path.join(bundle, "pid"), spec.resourceName],
      ["start", spec.resourceName],
    ]) {
      if (signal.aborted)
        throw new SandboxLaunchError("the session was ended while it started", { started: false });
      const child = spawn(this.binary, [...global, "--log", runtimeLog, ...step], {
        stdio: "ignore",
      });
      const exit = await new Promise<Awaited<ReturnType<typeof waitForExit>>>((resolve, reject) => {
        child.once("error", reject);
        void waitForExit(child).then(resolve);
      });
      if (exit.code !== 0) {
        const failure = (await this.runtimeFailure(runtimeLog)) ?? `${step[0]} exited ${exit.code}`;
        throw new SandboxLaunchError(`${this.name} could not start the session: ${failure}`, {
          started: false,
        });
      }
    }
  }

  async endSession(resourceName: string): Promise<void> {
    const global = await this.globalArgs().catch(() => ["--root", this.root]);
    await runCommand(this.binary, [...global, "kill", resourceName, "KILL"], 5_000);
    await this.remove(resourceName, path.join(this.bundles, resourceName));
  }

  /** Cheap enough to ask every second: the pid the runtime wrote at create (runc: the init, runsc: the sandbox) still runs. */
  async sessionAlive(resourceName: string): Promise<boolean> {
    const pid = Number(
      await fs.readFile(path.join(this.bundles, resourceName, "pid"), "utf8").catch(() => ""),
    );
    if (!(pid > 0)) return false;
    const stat = await fs.readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
    // The state follows the command name in parentheses; Z is a process that ended, not yet reaped.
    return stat !== null && !/\)\s+Z/.test(stat);
  }

  async terminalCommand(resourceName: string): Promise<TerminalCommand> {
    const bundle = path.join(this.bundles, resourceName);
    const file = path.join(bundle, "terminal.json");
    const template = await readSessionProcess(bundle);
    await fs.writeFile(
      file,
      JSON.stringify({ ...template, terminal: true, args: [...template.args, "sh"] }),
    );
    const exec = [...(await this.globalArgs()), "exec", "--process", file, resourceName];
    return this.rawHostTerminal ? rawHostPty(this.binary, exec) : { file: this.binary, args: exec };
  }

  cgroupOf(resourceName: string): { parent: string; name: string } {
    return { parent: this.cgroupParent, name: resourceName };
  }

  /** A run inside a session: `exec` with the session's process template, followed like any run. */
  private async execInSession(
    spec: LaunchSpec,
    sessionName: string,
    ctx: OciCliContext,
  ): Promise<LaunchResult> {
    const bundle = path.join(this.bundles, sessionName);
    const base = path.join(bundle, `exec-${spec.runId}`);
    const files = { process: `${base}.json`, pid: `${base}.pid`, log: `${base}.log` };
    try {
      const template = await readSessionProcess(bundle);
      await fs.writeFile(
        files.process,
        JSON.stringify({ ...template, args: [...template.args, ...spec.command] }),
      );
      ctx.mark("processWritten");
      if (ctx.signal.aborted) return { exitCode: null, signal: null };
      const global = await this.globalArgs();
      ctx.enter("booting");
      const watcher = watch(bundle, (_event, filename) => {
        if (filename === path.basename(files.pid)) ctx.enter("running");
      });
      const child = spawn(
        "/bin/sh",
        [
          "-c",
          'exec "$0" "$@" 2>&1',
          this.binary,
          ...global,
          "--log",
          files.log,
          "exec",
          "--process",
          files.process,
          ...this.execPidArgs(files.pid),
          sessionName,
        ],
        { stdio: ["ignore", "pipe", "ignore"] },
      );
      const exit = await followRuntimeCli(child, ctx, watcher, () =>
        this.stopExec(sessionName, files.pid, child),
      );
      if (exit.code !== 0 && !ctx.signal.aborted) {
        const failure = await this.runtimeFailure(files.log);
        if (failure)
          throw new SandboxLaunchError(`${this.name} could not run the command: ${failure}`, {
            started: false,
          });
      }
      return { exitCode: exit.code, signal: exit.signal };
    } finally {
      await Promise.all(Object.values(files).map((f) => fs.rm(f, { force: true })));
    }
  }

  /** Whether the sandbox has a PTY of its own doing the line discipline (runc; see rawHostPty). */
  protected readonly rawHostTerminal: boolean = true;

  /** Where `exec` writes the pid stopExec needs (runc: the host pid). */
  protected execPidArgs(pidFile: string): string[] {
    return ["--pid-file", pidFile];
  }

  /** Ends one exec'd process, not the session: killing the CLI alone would leave it running. */
  protected async killExec(_sessionName: string, pid: number): Promise<void> {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }

  private async stopExec(
    sessionName: string,
    pidFile: string,
    child: ReturnType<typeof spawn>,
  ): Promise<void> {
    const deadline = Date.now() + killGraceMs;
    while (child.exitCode === null && child.signalCode === null && Date.now() < deadline) {
      const pid = Number(await fs.readFile(pidFile, "utf8").catch(() => ""));
      if (pid > 0) await this.killExec(sessionName, pid);
      await Promise.race([waitForExit(child), sleep(100)]);
    }
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }

  sandboxProcesses(resourceName: string): Promise<number[]> {
    return cgroupPids(this.cgroupParent, resourceName);
  }

  /** Idempotent: a sandbox that is already gone is fine. */
  private async remove(name: string, bundle: string): Promise<void> {
    const global = await this.globalArgs().catch(() => ["--root", this.root]);
    await runCommand(this.binary, [...global, "delete", "--force", name], 10_000);
    await removeCgroups(this.cgroupParent, name);
    await fs.rm(bundle, { recursive: true, force: true });
  }

  /** Runtime errors (as opposed to the workload's exit code) are in the runtime's own log. */
  protected async runtimeFailure(logFile: string): Promise<string | null> {
    const text = await fs.readFile(logFile, "utf8").catch(() => "");
    const errors = text
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        try {
          const entry = JSON.parse(line) as { level?: string; msg?: string };
          return entry.level === "error" || entry.level === "fatal" ? (entry.msg ?? null) : null;
        } catch {
          return null;
        }
      })
      .filter((m): m is string => Boolean(m));
    return errors.at(-1) ?? null;
  }

  async reap(): Promise<string[]> {
    const removed: string[] = [];
    const global = await this.globalArgs().catch(() => ["--root", this.root]);
    const listed = await runCommand(this.binary, [...global, "list", "--format", "json"], 10_000);
    let ids: string[] = [];
    try {
      const parsed = JSON.parse(listed.stdout || "[]") as Array<{ id: string }> | null;
      ids = (parsed ?? []).map((c) => c.id).filter((id) => id.startsWith(resourcePrefix));
    } catch {
      ids = [];
    }
    for (const id of ids) {
      await runCommand(this.binary, [...global, "kill", id, "KILL"], 5_000);
      await this.remove(id, path.join(this.bundles, id));
      removed.push(`${this.id} container ${id}`);
    }
    const leftovers = await fs.readdir(this.bundles).catch(() => [] as string[]);
    for (const entry of leftovers.filter((e) => e.startsWith(resourcePrefix))) {
      await this.remove(entry, path.join(this.bundles, entry));
      removed.push(`${this.id} bundle ${entry}`);
    }
    return removed;
  }
}

const sessionProcessFile = "session-process.json";

/** The OCI process every exec into the session starts from; the driver wrote it at startSession. */
async function readSessionProcess(
  bundle: string,
): Promise<Record<string, unknown> & { args: string[] }> {
  return JSON.parse(await fs.readFile(path.join(bundle, sessionProcessFile), "utf8")) as Record<
    string,
    unknown
  > & { args: string[] };
}

/**
 * Follows the runtime's CLI as it runs the workload: started when it spawns, its stdout is the workload's
 * output, an abort stops it with `stop`; exited once it is gone. The pid-file watcher closes with it.
 */
async function followRuntimeCli(
  child: ChildProcessByStdio<null, Readable, null>,
  ctx: OciCliContext,
  watcher: FSWatcher,
  stop: () => Promise<unknown>,
): Promise<Awaited<ReturnType<typeof waitForExit>>> {
  child.once("spawn", () => ctx.mark("started"));
  child.stdout.on("data", (chunk: Buffer) => ctx.output(chunk));
  const onAbort = () => void stop();
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  if (ctx.signal.aborted) onAbort();
  const exit = await new Promise<Awaited<ReturnType<typeof waitForExit>>>((resolve, reject) => {
    child.once("error", reject);
    void waitForExit(child).then(resolve);
  }).finally(() => {
    ctx.signal.removeEventListener("abort", onAbort);
    watcher.close();
  });
  ctx.mark("exited");
  return exit;
}
