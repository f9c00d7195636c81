// The sandbox engine: admits runs, queues them when the host is full, drives them, keeps them for a while.
// Admission (admission.ts), driving one run (drive-run.ts) and each run's lifecycle (run.ts) live beside it.
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { EventEmitter } from "node:events";
import type { HostLimits } from "../config/env";
import { PlaygroundError } from "../errors/playground-error";
import type { Logger } from "../log/logger";
import type { ImageStore } from "../images/image-store";
import type { RuntimeInfo } from "../../lib/api/schemas";
import type { DriverSource, SandboxDriver } from "./driver";
import { Run } from "./run";
import { RunQueue } from "./run-queue";
import type { RunLimitsRequest } from "../../lib/api/run-limits";
import { admitLaunch, type LaunchPlan, type VaccelOption } from "./admission";
import { driveRun } from "./drive-run";
import { runsToForget } from "./retention";

export interface LaunchRequest {
  runtime: string;
  image: string;
  command: string[] | undefined;
  timeoutMs: number | undefined;
  /** This run's memory, pids and output limits, within the host's; absent fields take the host's. */
  limits?: RunLimitsRequest;
  /** Ask for a sandbox from the driver's warm pool (see LaunchSpec.fromPool). */
  pool?: boolean;
  /** Connect the sandbox to the host's vAccel agent through a socket of its own. */
  vaccel?: boolean;
  /** Which agent answers that socket: the playground's (default) or the host's vaccel-rpc-agent. */
  vaccelAgent?: "playground" | "host";
  clientId: string;
  /** Run inside this running session (its sandbox, its files) rather than a fresh sandbox. */
  session?: { resourceName: string } | null;
  /** Who may see and stop the run (opaque to the engine, e.g. a workshop attendee); absent: anyone with its id. */
  owner?: string | null;
  /** performance.now() when the request arrived; timings count from here. */
  requestedAt?: number;
}

export interface EngineOptions {
  drivers: SandboxDriver[];
  /** Runtimes that come and go with a backend elsewhere (a Kubernetes cluster), after the host's own. */
  sources?: DriverSource[];
  images: ImageStore;
  limits: HostLimits;
  retention: { ms: number; maxRuns: number };
  /** The vAccel agent's per-run sockets, or why a run cannot have one; absent: no agent. */
  vaccel?: VaccelOption;
  log: Logger;
}

export interface EngineEvents {
  run: [Run];
}

export const defaultCommand = ["sh", "-c", 'echo "Hello from $(hostname): $(uname -sr)"'];

/** A run with what it was admitted to launch with. */
interface Admitted {
  run: Run;
  plan: LaunchPlan;
}

export class SandboxEngine extends EventEmitter<EngineEvents> {
  private readonly drivers: Map<string, SandboxDriver>;
  private readonly runs = new Map<string, Run>();
  private readonly queue = new RunQueue<Admitted>();
  /** What each driver was last told of the runs waiting for its pool. */
  private readonly waitingForPool = new Map<SandboxDriver, number>();
  private readonly active = new Set<Run>();
  private readonly settled = new Map<string, Promise<void>>();
  private closing = false;
  /** Drivers whose runs count against their source's own concurrency limit. */
  private readonly sourceOf = new WeakMap<SandboxDriver, DriverSource>();
  /** The sources' drivers as of their last listing, for getDriver. */
  private lastFound = new Map<string, SandboxDriver>();
  /** The driver of each active run. */
  private readonly drivingWith = new WeakMap<Run, SandboxDriver>();

  constructor(private readonly options: EngineOptions) {
    super();
    this.drivers = new Map(options.drivers.map((d) => [d.id, d]));
  }

  get limits(): HostLimits {
    return this.options.limits;
  }

  async runtimes(): Promise<RuntimeInfo[]> {
    return Promise.all(
      (await this.allDrivers()).map(async (driver) => ({
        id: driver.id,
        name: driver.name,
        kind: driver.kind,
        ...(await driver.probe()),
        ...(driver.location ? { location: driver.location } : {}),
      })),
    );
  }

  private async allDrivers(): Promise<SandboxDriver[]> {
    const sources = this.options.sources ?? [];
    const found = await Promise.all(sources.map((s) => s.drivers()));
    found.forEach((drivers, i) => {
      const source = sources[i]!;
      if (source.maxConcurrentRuns !== undefined)
        for (const driver of drivers) this.sourceOf.set(driver, source);
    });
    this.lastFound = new Map(found.flat().map((d) => [d.id, d]));
    return [...this.drivers.values(), ...found.flat()];
  }

  /** Whose slots a driver's runs take: the host's, or its driver source's own (DriverSource.maxConcurrentRuns). */
  private capacityOf(driver: SandboxDriver): { key: object; max: number } {
    const source = this.sourceOf.get(driver);
    return source
      ? { key: source, max: source.maxConcurrentRuns! }
      : { key: this.options.limits, max: this.options.limits.maxConcurrentRuns };
  }

  private activeIn(key: object): number {
    return [...this.active].filter((run) => this.capacityOf(this.drivingWith.get(run)!).key === key)
      .length;
  }

  private async findDriver(id: string): Promise<SandboxDriver | undefined> {
    return this.drivers.get(id) ?? (await this.allDrivers()).find((d) => d.id === id);
  }

  /** Validates against host state, then admits the run: it starts now or waits in the queue. */
  async launchRun(request: LaunchRequest): Promise<Run> {
    const requestedAt = request.requestedAt ?? performance.now();
    const { images, limits, vaccel } = this.options;
    const plan = await admitLaunch(request, {
      closing: this.closing,
      driverOf: (id) => this.findDriver(id),
      images,
      limits,
      vaccel,
      runsOf: (clientId) =>
        [...this.active, ...this.queue.items().map((q) => q.run)].filter(
          (r) => r.clientId === clientId,
        ).length,
      capacity: (driver) => {
        const { key, max } = this.capacityOf(driver);
        return { running: this.activeIn(key), max };
      },
      queued: () => this.queue.size,
    });
    const run = new Run({
      // Letters and digits only: run ids name containers, and containerd refuses ids with "--" or a trailing "-".
      id: randomBytes(12).toString("hex"),
      runtime: plan.driver.id,
      image: request.image,
      command: request.command ?? defaultCommand,
      limits: plan.limits,
      clientId: request.clientId,
      owner: request.owner ?? null,
      backlogChars: limits.logBacklogBytes,
      requestedAt,
    });
    const admitted: Admitted = { run, plan };
    this.runs.set(run.id, run);
    this.forgetOldRuns();
    this.emit("run", run);
    // Queued runs can be stopped (and time out) before they start.
    const timer = setTimeout(() => run.abort("timeout"), plan.limits.timeoutMs);
    run.controller.signal.addEventListener("abort", () => {
      clearTimeout(timer);
      if (this.queue.remove(admitted)) run.endEarly();
      this.updateQueuePositions();
    });
    this.settled.set(
      run.id,
      new Promise((resolve) => {
        const onChange = () => {
          if (run.finished) {
            clearTimeout(timer);
            run.off("change", onChange);
            resolve();
          }
        };
        run.on("change", onChange);
      }),
    );
    this.queue.push(admitted);
    this.pump();
    this.updateQueuePositions();
    return run;
  }

  /**
   * The driver of a runtime, for features that drive it themselves (sessions): the host's, or a source's as of
   * its last listing (resolveDriver asks the sources anew).
   */
  getDriver(id: string): SandboxDriver | undefined {
    return this.drivers.get(id) ?? this.lastFound.get(id);
  }

  /** As getDriver, asking the driver sources anew for one not on this host. */
  async resolveDriver(id: string): Promise<SandboxDriver | undefined> {
    return this.findDriver(id);
  }

  getRun(id: string): Run | undefined {
    return this.runs.get(id);
  }

  listRuns(): Run[] {
    return [...this.runs.values()];
  }

  /** Stops a run and resolves when its sandbox is gone. */
  async stopRun(id: string): Promise<Run> {
    const run = this.runs.get(id);
    if (!run) throw new PlaygroundError("not_found", "run", `No run with id "${id}".`);
    run.abort("stopped");
    await this.settled.get(id);
    return run;
  }

  /** Resolves when the run reached a final state and its resources are gone. */
  whenSettled(id: string): Promise<void> {
    return this.settled.get(id) ?? Promise.resolve();
  }

  /** Reaps what an earlier process left behind (crash, kill -9). Call before serving. */
  async reapLeftovers(): Promise<string[]> {
    const removed: string[] = [];
    for (const driver of this.drivers.values()) {
      removed.push(...(await driver.reap()));
    }
    for (const source of this.options.sources ?? []) removed.push(...(await source.reap()));
    const { vaccel } = this.options;
    if (vaccel && "endpoints" in vaccel) removed.push(...(await vaccel.endpoints.reap()));
    return removed;
  }

  /** Starts what each driver keeps ready ahead of visitors (warm pools, snapshots); after reapLeftovers. */
  async startDrivers(): Promise<void> {
    await Promise.all([...this.drivers.values()].map((driver) => driver.start?.()));
  }

  /** Stops every run and waits for their sandboxes to be gone, and for what the drivers keep running. */
  async shutdown(): Promise<void> {
    this.closing = true;
    for (const run of this.runs.values()) run.abort("shutdown");
    await Promise.all([
      ...this.settled.values(),
      ...[...this.drivers.values()].map((driver) => driver.close?.()),
      ...(this.options.sources ?? []).map((source) => source.close?.()),
    ]);
  }

  /** Starts queued runs in order while their capacity has room; a run waiting for the host's does not hold up a cluster's. */
  private pump(): void {
    for (const next of [...this.queue.items()]) {
      const { run, plan } = next;
      const { key, max } = this.capacityOf(plan.driver);
      if (this.activeIn(key) >= max) continue;
      this.queue.remove(next);
      this.drivingWith.set(run, plan.driver);
      this.active.add(run);
      void driveRun(run, plan, this.options).finally(() => {
        this.active.delete(run);
        this.pump();
        this.updateQueuePositions();
      });
    }
  }

  /** A queued run's place among those waiting for the same capacity; each driver hears how many wait for its pool. */
  private updateQueuePositions(): void {
    const ahead = new Map<object, number>();
    const forPool = new Map<SandboxDriver, number>();
    for (const { run, plan } of this.queue.items()) {
      const { key } = this.capacityOf(plan.driver);
      const position = (ahead.get(key) ?? 0) + 1;
      ahead.set(key, position);
      run.setQueuePosition(position);
      if (plan.fromPool) forPool.set(plan.driver, (forPool.get(plan.driver) ?? 0) + 1);
    }
    for (const driver of new Set([...this.waitingForPool.keys(), ...forPool.keys()])) {
      const count = forPool.get(driver) ?? 0;
      if (count === (this.waitingForPool.get(driver) ?? 0)) continue;
      if (count) this.waitingForPool.set(driver, count);
      else this.waitingForPool.delete(driver);
      driver.queueChanged?.(count);
    }
  }

  /** Finished runs stay queryable for a while, then go; the newest are kept when there are too many. */
  private forgetOldRuns(): void {
    for (const id of runsToForget(this.runs, this.options.retention, Date.now())) {
      this.runs.delete(id);
      this.settled.delete(id);
    }
  }
}
