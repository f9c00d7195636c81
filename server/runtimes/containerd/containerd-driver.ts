// Shared by every containerd runtime (runc v2 shim, Kata shims): ctr run of our hardened OCI spec on an image snapshot.
import { probeOnce } from "../probe-once";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import type { PhaseOf } from "../../../lib/api/phases";
import type { RuntimeId, RuntimeKind } from "../../../lib/api/runtime-ids";
import type {
  LaunchContext,
  LaunchResult,
  LaunchSpec,
  RuntimeAvailability,
  SandboxDriver,
  SessionSpec,
  TerminalCommand,
} from "../../engine/driver";
import { resourcePrefix, SandboxLaunchError } from "../../engine/driver";
import { cgroupPids, removeCgroups } from "../cgroups";
import { buildOciSpec } from "../oci-spec";
import { vaccelOciAdditions } from "../vaccel-mount";
import { sleep, waitForExit } from "../process-exit";
import { rawHostPty, sessionHome, sessionHomeMount, sessionInit } from "../session-sandbox";
import { isShimOf, shimOf, type ContainerdDaemon } from "./containerd-daemon";
import { parseRfc3339Ms, type ContainerdEvent } from "./containerd-events";
import type { ContainerdImageImporter } from "./containerd-images";
import { mountSnapshotView, removeSnapshotView } from "./containerd-snapshots";

/** containerd's shims mark only their own phases (lib/api/phases.ts). */
type ContainerdContext = LaunchContext<PhaseOf<"containerd">>;
/** A shim's follower (Kata's console log) may add its own phases to containerd's. */
export type ShimFollowerContext = LaunchContext<PhaseOf<"containerd" | "kata">>;

export interface ContainerdDriverOptions {
  id: RuntimeId;
  name: string;
  kind: RuntimeKind;
  daemon: ContainerdDaemon;
  images: ContainerdImageImporter;
  /** The shim v2 runtime containerd starts, e.g. "io.containerd.runc.v2". */
  runtimeType: string;
  cgroupParent: string;
}

export interface ContainerdSpecOptions {
  userNamespace: boolean;
  seccomp: boolean;
  /** Host processes of the runtime itself that live in the sandbox's cgroup. */
  pidsOverhead: number;
}

/** How long ctr gets to exit after its task was killed, before we kill ctr itself. */
const killGraceMs = 3_000;
/** containerd publishes events asynchronously: after ctr exits, its last events may still be on the way. */
const eventLagMs = 50;

interface LaunchState {
  started: boolean;
  exitStatus: number | null;
  containerDeleted: boolean;
  /** When containerd published /tasks/start (epoch ms): for a workload that exits at once, after its exit. */
  taskStartedAtMs: number | null;
  /** stderr before the task started is ctr's own (an error) until the task proves otherwise. */
  heldStderr: Buffer[];
}

export abstract class ContainerdDriver implements SandboxDriver {
  readonly id: RuntimeId;
  readonly name: string;
  readonly kind: RuntimeKind;
  readonly runtimeType: string;
  protected readonly daemon: ContainerdDaemon;
  protected readonly images: ContainerdImageImporter;
  protected readonly cgroupParent: string;
  private availability: Promise<RuntimeAvailability> | null = null;
  /** Each session's shim, once found: the host view asks every few seconds. */
  private readonly shims = new Map<string, number>();
  /** The last `ctr tasks ls`, answering taskRunning for taskListingMs. */
  private taskListing: { at: number; statuses: Promise<Map<string, string>> } | null = null;

  protected constructor(options: ContainerdDriverOptions) {
    this.id = options.id;
    this.name = options.name;
    this.kind = options.kind;
    this.runtimeType = options.runtimeType;
    this.daemon = options.daemon;
    this.images = options.images;
    this.cgroupParent = options.cgroupParent;
  }

  protected abstract detect(): Promise<RuntimeAvailability>;
  protected abstract specOptions(): ContainerdSpecOptions;
  /** Extra `ctr run` flags of this runtime (e.g. where runc keeps its state). */
  protected runtimeArgs(): string[] {
    return [];
  }
  /** Follows what the runtime reports besides the workload's output (Kata: the guest console); returns a stop. */
  protected followRuntime(_spec: LaunchSpec, _ctx: ShimFollowerContext): () => Promise<void> {
    return async () => undefined;
  }

  probe(): Promise<RuntimeAvailability> {
    this.availability ??= probeOnce(() => this.detect());
    return this.availability;
  }

  async launch(spec: LaunchSpec, ctx: ContainerdContext): Promise<LaunchResult> {
    if (spec.session) return this.execInSession(spec, spec.session.resourceName, ctx);
    const name = spec.resourceName;
    const bundle = path.join(this.daemon.paths.bundles, name);
    const rootfs = path.join(bundle, "rootfs");
    const state: LaunchState = {
      started: false,
      exitStatus: null,
      containerDeleted: false,
      taskStartedAtMs: null,
      heldStderr: [],
    };
    const unsubscribe = this.daemon.events.subscribe(name, (event) =>
      this.onEvent(event, ctx, state),
    );
    try {
      await preparing(this.name, this.daemon.ensure());
      const image = await preparing(this.name, this.images.ensure(spec.image));
      ctx.mark("imageReady");
      if (ctx.signal.aborted) return { exitCode: null, signal: null };
      // 0711: the sandbox's root (a mapped uid) must traverse the bundle to reach its rootfs.
      await fs.mkdir(rootfs, { recursive: true, mode: 0o711 });
      await fs.chmod(bundle, 0o711);
      await preparing(this.name, mountSnapshotView(this.daemon, name, image.chainId, rootfs));
      ctx.mark("snapshotMounted");
      const { userNamespace, seccomp, pidsOverhead } = this.specOptions();
      const vaccel = vaccelOciAdditions(spec.vaccel);
      const config = buildOciSpec({
        rootfsPath: rootfs,
        command: spec.command,
        hostname: "sandbox",
        limits: { ...spec.limits, pids: spec.limits.pids + pidsOverhead },
        cgroupsPath: `${this.cgroupParent}/${name}`,
        userNamespace,
        seccomp,
        extraMounts: vaccel.mounts,
        extraEnv: vaccel.env,
      });
      const specFile = path.join(bundle, "config.json");
      await fs.writeFile(specFile, JSON.stringify(config));
      ctx.mark("specWritten");
      if (ctx.signal.aborted) return { exitCode: null, signal: null };
      const stopFollowing = this.followRuntime(spec, ctx);
      try {
        ctx.enter("booting");
        return await this.runTask(
          [
            "run",
            "--rm",
            "--runtime",
            this.runtimeType,
            "--fifo-dir",
            this.daemon.paths.fifoDir,
            ...this.runtimeArgs(),
            "--config",
            specFile,
            name,
          ],
          ["tasks", "kill", "--signal", "SIGKILL", name],
          ctx,
          state,
        );
      } finally {
        await stopFollowing();
      }
    } finally {
      unsubscribe();
      await this.remove(name, bundle, state.containerDeleted);
    }
  }

  /** `execId`: the events of one process exec'd into a session, whose container's other processes come and go. */
  private onEvent(
    event: ContainerdEvent,
    ctx: ContainerdContext,
    state: LaunchState,
    execId: string | null = null,
  ): void {
    if (execId !== null) {
      const about =
        event.topic === "/tasks/exec-started" ? event.payload.exec_id : event.payload.id;
      if (about !== execId) return;
    }
    switch (event.topic) {
      case "/containers/create":
        ctx.mark("containerCreated", event.atMs);
        break;
      case "/tasks/create":
        ctx.mark("taskCreated", event.atMs);
        break;
      case "/tasks/start":
      case "/tasks/exec-started":
        state.taskStartedAtMs = event.atMs;
        ctx.mark("taskStarted", event.atMs);
        this.taskStarted(ctx, state);
        break;
      case "/tasks/exit":
        state.exitStatus =
          typeof event.payload.exit_status === "number" ? event.payload.exit_status : 0;
        // exited_at is the shim's own moment, /tasks/start's stamp the moment containerd published it, which
        // for a workload that exits at once comes later: the timeline keeps its order, exit after start.
        ctx.mark(
          "taskExited",
          Math.max(
            parseRfc3339Ms(event.payload.exited_at) ?? event.atMs,
            state.taskStartedAtMs ?? -Infinity,
          ),
        );
        break;
      case "/containers/delete":
        state.containerDeleted = true;
        break;
    }
  }

  private taskStarted(ctx: ContainerdContext, state: LaunchState): void {
    if (state.started) return;
    state.started = true;
    ctx.enter("running");
    for (const chunk of state.heldStderr.splice(0)) ctx.output(chunk);
  }

  /** Follows ctr as it runs a process (`run` a container's init, `tasks exec` one more); `kill` stops that process. */
  private async runTask(
    ctrArgs: string[],
    kill: string[],
    ctx: ContainerdContext,
    state: LaunchState,
    failing = "start the sandbox",
  ): Promise<LaunchResult> {
    const child = spawn(this.daemon.ctrBinary, [...this.daemon.ctrArgs(), ...ctrArgs], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.once("spawn", () => ctx.mark("started"));
    child.stdout!.on("data", (chunk: Buffer) => {
      // Output proves the task runs, even if the event stream is late or down.
      this.taskStarted(ctx, state);
      ctx.output(chunk);
    });
    child.stderr!.on("data", (chunk: Buffer) => {
      if (state.started) ctx.output(chunk);
      else state.heldStderr.push(chunk);
    });

    const onAbort = () => void this.kill(kill, child);
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    if (ctx.signal.aborted) onAbort();
    const exit = await new Promise<Awaited<ReturnType<typeof waitForExit>>>((resolve, reject) => {
      child.once("error", reject);
      void waitForExit(child).then(resolve);
    }).finally(() => ctx.signal.removeEventListener("abort", onAbort));
    ctx.mark("exited");
    if (!state.started || state.exitStatus === null) await sleep(eventLagMs);

    const held = Buffer.concat(state.heldStderr.splice(0)).toString("utf8");
    if (!state.started && !ctx.signal.aborted) {
      const failure = ctrFailure(held);
      if (failure)
        throw new SandboxLaunchError(`${this.name} could not ${failing}: ${failure}`, {
          started: false,
        });
    }
    if (held) ctx.output(Buffer.from(held));
    // The task's own exit status (from containerd) is truer than ctr's, which is 1 for its own errors too.
    return { exitCode: state.exitStatus ?? exit.code, signal: exit.signal };
  }

  /** The task may not exist yet when a stop arrives, so keep asking until ctr is gone. */
  private async kill(kill: string[], child: ChildProcess): Promise<void> {
    const deadline = Date.now() + killGraceMs;
    while (child.exitCode === null && child.signalCode === null && Date.now() < deadline) {
      await this.daemon.ctr(kill, killGraceMs);
      await Promise.race([waitForExit(child), sleep(100)]);
    }
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }

  /**
   * A session: `ctr run --detach` of the init (a sleep) on a snapshot of its own, with a run's spec plus the
   * writable home; each command and terminal is a `ctr tasks exec` into it, which takes the init's process spec
   * (user, capabilities, rlimits, env), and runc applies the container's seccomp profile to it. Every containerd
   * runtime has them: containerd-runc's run on the real containerd in the tests, Kata's are untried on a real Kata.
   */
  async startSession(spec: SessionSpec, signal: AbortSignal): Promise<void> {
    const name = spec.resourceName;
    const bundle = path.join(this.daemon.paths.bundles, name);
    const rootfs = path.join(bundle, "rootfs");
    await preparing(this.name, this.daemon.ensure());
    const image = await preparing(this.name, this.images.ensure(spec.image));
    await fs.mkdir(rootfs, { recursive: true, mode: 0o711 });
    await fs.chmod(bundle, 0o711);
    await preparing(this.name, mountSnapshotView(this.daemon, name, image.chainId, rootfs));
    const { userNamespace, seccomp, pidsOverhead } = this.specOptions();
    const config = buildOciSpec({
      rootfsPath: rootfs,
      command: sessionInit,
      hostname: "sandbox",
      limits: { ...spec.limits, pids: spec.limits.pids + pidsOverhead },
      cgroupsPath: `${this.cgroupParent}/${name}`,
      userNamespace,
      seccomp,
      extraMounts: [sessionHomeMount(spec.homeBytes)],
    });
    const specFile = path.join(bundle, "config.json");
    await fs.writeFile(specFile, JSON.stringify(config));
    if (signal.aborted)
      throw new SandboxLaunchError("the session was ended while it started", { started: false });
    // --null-io: the init never reads or writes, and nothing would drain its fifos once ctr returned.
    const started = await this.daemon.ctr(
      [
        "run",
        "--detach",
        "--null-io",
        "--runtime",
        this.runtimeType,
        ...this.runtimeArgs(),
        "--config",
        specFile,
        name,
      ],
      30_000,
    );
    if (started.code !== 0)
      throw new SandboxLaunchError(
        `${this.name} could not start the session: ${ctrFailure(started.stderr) ?? `ctr run exited ${started.code}`}`,
        { started: false },
      );
  }

  async endSession(name: string): Promise<void> {
    this.shims.delete(name);
    await this.remove(name, path.join(this.daemon.paths.bundles, name), false);
  }

  /** Every process of the sandbox dies with its init (the first of its pid namespace): an empty cgroup is a dead session. */
  async sessionAlive(name: string): Promise<boolean> {
    return (await cgroupPids(this.cgroupParent, name)).length > 0;
  }

  /**
   * Whether containerd says the container's task is running (its init alive): for a VM runtime, whose host cgroup
   * may hold only the VMM's vCPU threads, or nothing (Kata's sandbox_cgroup_only = false, its default), so that an
   * empty cgroup tells nothing. One `ctr tasks ls` serves the calls within taskListingMs (the session sweep asks
   * once a second for each session). Rejects when ctr fails.
   */
  async taskRunning(name: string): Promise<boolean> {
    const now = Date.now();
    if (!this.taskListing || now - this.taskListing.at > taskListingMs)
      this.taskListing = { at: now, statuses: this.listTasks() };
    return (await this.taskListing.statuses).get(name) === "RUNNING";
  }

  /** Our namespace's tasks and their status ("TASK PID STATUS" lines). */
  private async listTasks(): Promise<Map<string, string>> {
    const listed = await this.daemon.ctr(["tasks", "ls"], shimAnswerMs);
    if (listed.code !== 0)
      throw new Error(`ctr tasks ls failed: ${ctrFailure(listed.stderr) ?? `exit ${listed.code}`}`);
    const statuses = new Map<string, string>();
    for (const line of listed.stdout.split("\n").slice(1)) {
      const [task, , status] = line.trim().split(/\s+/);
      if (task && status) statuses.set(task, status);
    }
    return statuses;
  }

  async terminalCommand(name: string): Promise<TerminalCommand> {
    const execId = `terminal-${randomBytes(8).toString("hex")}`;
    const ctr = [
      ...this.daemon.ctrArgs(),
      ...["tasks", "exec", "--tty", "--exec-id", execId, "--cwd", sessionHome],
      ...["--fifo-dir", this.daemon.paths.fifoDir, name, "sh"],
    ];
    return {
      ...rawHostPty(this.daemon.ctrBinary, ctr, "sandbox"),
      // ctr neither passes a hangup on to a tty process nor ends it when it dies itself.
      hangUp: () =>
        this.daemon.ctr(["tasks", "kill", "--exec-id", execId, "--signal", "SIGKILL", name]),
    };
  }

  /** A session's host side outside its cgroup: the shim that runs its container. */
  runtimeProcesses(name: string): Promise<number[]> {
    return this.sessionShim(name);
  }

  cgroupOf(name: string): { parent: string; name: string } {
    return { parent: this.cgroupParent, name };
  }

  /** The shim that runs the session's container: its host side, outside the sandbox's cgroup. */
  protected async sessionShim(name: string): Promise<number[]> {
    const known = this.shims.get(name);
    const { address, namespace } = this.daemon;
    if (known !== undefined && (await isShimOf(known, address, namespace, name))) return [known];
    const pid = await shimOf(address, namespace, name);
    if (pid === null) return [];
    this.shims.set(name, pid);
    return [pid];
  }

  /** A run inside a session: `ctr tasks exec`, followed like a run; ctr exits with the process's status. */
  private async execInSession(
    spec: LaunchSpec,
    sessionName: string,
    ctx: ContainerdContext,
  ): Promise<LaunchResult> {
    const execId = `run-${spec.runId}`;
    const state: LaunchState = {
      started: false,
      exitStatus: null,
      containerDeleted: false,
      taskStartedAtMs: null,
      heldStderr: [],
    };
    const unsubscribe = this.daemon.events.subscribe(sessionName, (event) =>
      this.onEvent(event, ctx, state, execId),
    );
    try {
      if (ctx.signal.aborted) return { exitCode: null, signal: null };
      ctx.enter("booting");
      return await this.runTask(
        [
          "tasks",
          "exec",
          "--exec-id",
          execId,
          "--cwd",
          sessionHome,
          "--fifo-dir",
          this.daemon.paths.fifoDir,
          sessionName,
          ...spec.command,
        ],
        ["tasks", "kill", "--exec-id", execId, "--signal", "SIGKILL", sessionName],
        ctx,
        state,
        "run the command",
      );
    } finally {
      unsubscribe();
    }
  }

  /** Idempotent: what is already gone is fine. `ctr run --rm` usually deleted the container already. */
  private async remove(name: string, bundle: string, containerDeleted: boolean): Promise<void> {
    if (!containerDeleted) {
      const deleted = await this.daemon.ctr(["tasks", "delete", "--force", name], shimAnswerMs);
      // A shim that does not answer is killed with all it runs; containerd then cleans up after the dead shim.
      // (One blocks for good when a `tasks exec` client dies before opening its fifos: a terminal at a crash.)
      if (deleted.code === null) {
        const { address, namespace } = this.daemon;
        const shim = await shimOf(address, namespace, name);
        for (const pid of [...(await cgroupPids(this.cgroupParent, name)), shim ?? 0]) {
          if (pid > 0) killQuietly(pid);
        }
        await this.daemon.ctr(["tasks", "delete", "--force", name]);
      }
      await this.daemon.ctr(["containers", "delete", name]);
    }
    await removeSnapshotView(this.daemon, name, path.join(bundle, "rootfs"));
    await removeCgroups(this.cgroupParent, name);
    await fs.rm(bundle, { recursive: true, force: true });
  }

  /**
   * Removes this runtime's containers (and their tasks) that a crashed process left, and any sandbox
   * snapshot or bundle no other runtime's container still uses. Starts our own daemon only if it has state.
   */
  /** The shim places the task in the cgroup the spec names; the shim itself stays outside, as with runc. */
  sandboxProcesses(resourceName: string): Promise<number[]> {
    return cgroupPids(this.cgroupParent, resourceName);
  }

  async reap(): Promise<string[]> {
    if (!(await this.daemon.hasState())) return [];
    // A containerd that cannot start has nothing we could reap; probe() reports why.
    if (
      !(await this.daemon.ensure().then(
        () => true,
        () => false,
      ))
    )
      return [];
    const removed: string[] = [];
    const containers = await this.listContainers();
    for (const [name, runtime] of containers) {
      if (runtime !== this.runtimeType || !(await this.createdHere(name))) continue;
      await this.daemon.ctr(["tasks", "kill", "--signal", "SIGKILL", name], 5_000);
      await this.remove(name, path.join(this.daemon.paths.bundles, name), false);
      removed.push(`${this.id} container ${name}`);
    }
    const others = new Set(
      [...containers].filter(([, r]) => r !== this.runtimeType).map(([n]) => n),
    );
    const snapshots = await this.daemon.ctr(["snapshots", "ls"]);
    const keys = snapshots.stdout
      .split("\n")
      .map((line) => line.split(/\s+/)[0] ?? "")
      .filter((key) => key.startsWith(resourcePrefix) && !others.has(key) && !containers.has(key));
    const bundles = (
      await fs.readdir(this.daemon.paths.bundles).catch(() => [] as string[])
    ).filter(
      (entry) => entry.startsWith(resourcePrefix) && !others.has(entry) && !containers.has(entry),
    );
    for (const name of new Set([...(await this.filterCreatedHere(keys)), ...bundles])) {
      await this.remove(name, path.join(this.daemon.paths.bundles, name), true);
      removed.push(`${this.id} snapshot ${name}`);
    }
    return removed;
  }

  /**
   * Whether this state folder launched the sandbox: its bundle folder, made before the snapshot and the
   * container, is ours. Everything in our own daemon is; a host's daemon may hold another playground's.
   */
  private async createdHere(name: string): Promise<boolean> {
    if (!this.daemon.shared) return true;
    return fs.access(path.join(this.daemon.paths.bundles, name)).then(
      () => true,
      () => false,
    );
  }

  private async filterCreatedHere(names: string[]): Promise<string[]> {
    const here: string[] = [];
    for (const name of names) if (await this.createdHere(name)) here.push(name);
    return here;
  }

  /** Our namespace's sandbox containers, by name, with the runtime each was created for. */
  private async listContainers(): Promise<Map<string, string>> {
    const listed = await this.daemon.ctr(["containers", "ls"]);
    const containers = new Map<string, string>();
    for (const line of listed.stdout.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      const name = fields[0] ?? "";
      if (name.startsWith(resourcePrefix)) containers.set(name, fields.at(-1) ?? "");
    }
    return containers;
  }
}

/** How long a shim gets to answer a delete before it counts as stuck. */
const shimAnswerMs = 5_000;
/** How long one `ctr tasks ls` answers taskRunning for. */
const taskListingMs = 500;

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** ctr's own error line ("ctr: …"), as opposed to what the sandbox wrote. */
function ctrFailure(stderr: string): string | null {
  return /^ctr: (.*)$/m.exec(stderr)?.[1] ?? null;
}

/** A step before the task exists (the daemon, the image, the snapshot): its error is the visitor's reason. */
function preparing<T>(driverName: string, step: Promise<T>): Promise<T> {
  return step.catch((err: unknown) => {
    throw new SandboxLaunchError(
      `${driverName} could not prepare the sandbox: ${err instanceof Error ? err.message : String(err)}`,
      { started: false, cause: err },
    );
  });
}
