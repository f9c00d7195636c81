// The sandbox engine: admits runs within quotas, queues them when the host is full, drives them, keeps them for a while.
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { EventEmitter } from "node:events";
import type { HostLimits } from "../config/env";
import { PlaygroundError } from "../errors/playground-error";
import type { Logger } from "../log/logger";
import type { ImageRef, ImageStore } from "../images/image-store";
import type { RuntimeInfo } from "../../lib/api/schemas";
import {
  SandboxLaunchError,
  type DriverSource,
  type SandboxDriver,
  type VaccelEndpoint,
  type VaccelEndpoints,
  resourcePrefix,
} from "./driver";
import { Run, type EndReason } from "./run";
import { RunQueue } from "./run-queue";
import { formatBytes } from "./output-log";
import { measureFootprint } from "./memory-footprint";
import type { RunLimitsRequest } from "../../lib/api/run-limits";
import { resolveRunLimits } from "./run-limits";

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
  vaccel?: { endpoints: VaccelEndpoints } | { unavailable: string };
  log: Logger;
}

export interface EngineEvents {
  run: [Run];
}

export const defaultCommand = ["sh", "-c", 'echo "Hello from $(hostname): $(uname -sr)"'];

const endMessages: Record<
  EndReason,
  { state: "failed" | "stopped"; code: string; message: (run: Run) => string }
> = {
  timeout: {
    state: "failed",
    code: "limit:timeout",
    message: (run) =>
      `The sandbox ran past its time limit of ${run.limits.timeoutMs} ms and was stopped.`,
  },
  "output-limit": {
    state: "failed",
    code: "limit:output",
    message: (run) =>
      `The sandbox wrote more than its output limit of ${run.limits.outputBytes} bytes and was stopped.`,
  },
  stopped: { state: "stopped", code: "stopped", message: () => "Stopped on request." },
  shutdown: {
    state: "stopped",
    code: "stopped:shutdown",
    message: () => "The host is shutting down.",
  },
};

export class SandboxEngine extends EventEmitter<EngineEvents> {
  private readonly drivers: Map<string, SandboxDriver>;
  private readonly runs = new Map<string, Run>();
  private readonly queue = new RunQueue<Run>();
  private readonly active = new Set<Run>();
  private readonly settled = new Map<string, Promise<void>>();
  /** What launchRun resolved for a run, so starting it from the queue does not look it up again. */
  private readonly launches = new WeakMap<
    Run,
    {
      driver: SandboxDriver;
      image: ImageRef;
      fromPool: boolean;
      vaccel: boolean;
      session: { resourceName: string } | null;
      vaccelAgent: "playground" | "host";
    }
  >();
  private closing = false;
  /** Drivers whose runs count against their source's own concurrency limit. */
  private readonly capacityOf = new WeakMap<SandboxDriver, DriverSource>();

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
        for (const driver of drivers) this.capacityOf.set(driver, source);
    });
    return [...this.drivers.values(), ...found.flat()];
  }

  /** Whose slots a run takes: the host's, or its driver source's own (see DriverSource.maxConcurrentRuns). */
  private capacityFor(run: Run): { key: object; max: number } {
    const source = this.capacityOf.get(this.launches.get(run)!.driver);
    return source
      ? { key: source, max: source.maxConcurrentRuns! }
      : { key: this.options.limits, max: this.options.limits.maxConcurrentRuns };
  }

  private activeIn(key: object): number {
    return [...this.active].filter((r) => this.capacityFor(r).key === key).length;
  }

  private async findDriver(id: string): Promise<SandboxDriver | undefined> {
    return this.drivers.get(id) ?? (await this.allDrivers()).find((d) => d.id === id);
  }

  /** Validates against host state, then admits the run: it starts now or waits in the queue. */
  async launchRun(request: LaunchRequest): Promise<Run> {
    const requestedAt = request.requestedAt ?? performance.now();
    if (this.closing)
      throw new PlaygroundError(
        "unavailable",
        "host",
        "The host is shutting down; try again in a moment.",
      );
    const driver = await this.findDriver(request.runtime);
    if (!driver) {
      throw new PlaygroundError(
        "not_found",
        "runtime",
        `Unknown runtime "${request.runtime}". GET /api/runtimes lists them.`,
      );
    }
    if (!this.options.images.isKnown(request.image)) {
      throw new PlaygroundError("not_found", "image", `Unknown image "${request.image}".`);
    }
    const availability = await driver.probe();
    if (!availability.available) {
      throw new PlaygroundError(
        "unavailable",
        "runtime",
        `${driver.name} is not available on this host: ${availability.reason}`,
      );
    }
    if (request.vaccel) this.checkVaccel(driver);
    const image = await this.options.images.resolve(request.image);
    if (!image) {
      throw new PlaygroundError(
        "unavailable",
        "image",
        `The ${request.image} image is not built on this host: run \`npm run setup\`.`,
      );
    }
    const { limits } = this.options;
    const runLimits = resolveRunLimits(request, limits);
    const { timeoutMs } = runLimits;
    const mine = [...this.active, ...this.queue.items()].filter(
      (r) => r.clientId === request.clientId,
    ).length;
    if (mine >= limits.maxActiveRunsPerClient) {
      throw new PlaygroundError(
        "quota",
        "runs_per_client",
        `You already have ${mine} sandboxes running or queued (limit ${limits.maxActiveRunsPerClient}); wait for one to finish or stop one.`,
      );
    }
    const capacity = this.capacityOf.get(driver);
    const mustQueue = capacity
      ? this.activeIn(capacity) >= capacity.maxConcurrentRuns!
      : this.activeIn(limits) >= limits.maxConcurrentRuns;
    if (mustQueue && this.queue.size >= limits.maxQueuedRuns) {
      throw new PlaygroundError(
        "quota",
        "host_full",
        `The host is full (${this.queue.size} runs waiting); try again shortly.`,
      );
    }

    const run = new Run({
      // Letters and digits only: run ids name containers, and containerd refuses ids with "--" or a trailing "-".
      id: randomBytes(12).toString("hex"),
      runtime: driver.id,
      image: request.image,
      command: request.command ?? defaultCommand,
      limits: runLimits,
      clientId: request.clientId,
      owner: request.owner ?? null,
      backlogChars: limits.logBacklogBytes,
      requestedAt,
    });
    this.runs.set(run.id, run);
    this.launches.set(run, {
      driver,
      image,
      fromPool: request.pool ?? false,
      vaccel: request.vaccel ?? false,
      session: request.session ?? null,
      vaccelAgent: request.vaccelAgent ?? "playground",
    });
    this.prune();
    this.emit("run", run);
    // Queued runs can be stopped (and time out) before they start.
    const timer = setTimeout(() => run.abort("timeout"), timeoutMs);
    run.controller.signal.addEventListener("abort", () => {
      clearTimeout(timer);
      if (this.queue.remove(run)) this.end(run, run.endReason ?? "stopped");
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
    this.queue.push(run);
    this.pump();
    this.updateQueuePositions();
    return run;
  }

  /** The driver of a runtime, for features that drive it themselves (sessions). */
  getDriver(id: string): SandboxDriver | undefined {
    return this.drivers.get(id);
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

  private checkVaccel(driver: SandboxDriver): void {
    const { vaccel } = this.options;
    if (!vaccel || "unavailable" in vaccel) {
      throw new PlaygroundError(
        "unavailable",
        "vaccel",
        `This run asks for vAccel, but ${vaccel?.unavailable ?? "this host runs no vAccel agent"}.`,
      );
    }
    if (!driver.vaccelTransport) {
      throw new PlaygroundError(
        "unavailable",
        "vaccel",
        `${driver.name} cannot connect a sandbox to the vAccel agent yet; use runc, gVisor or the microVM.`,
      );
    }
  }

  /** The run's own agent socket, open before the launch; null when the run did not ask for one. */
  private async openVaccel(
    run: Run,
    wanted: boolean,
    agent: "playground" | "host",
  ): Promise<VaccelEndpoint | null> {
    const { vaccel } = this.options;
    if (!wanted || !vaccel || !("endpoints" in vaccel)) return null;
    const endpoint = await vaccel.endpoints.open(`${resourcePrefix}${run.id}`, { agent });
    run.mark("vaccelListening");
    return endpoint;
  }

  /** Starts queued runs in order while their capacity has room; a run waiting for the host's does not hold up a cluster's. */
  private pump(): void {
    for (const run of [...this.queue.items()]) {
      const { key, max } = this.capacityFor(run);
      if (this.activeIn(key) >= max) continue;
      this.queue.remove(run);
      this.active.add(run);
      void this.drive(run).finally(() => {
        this.active.delete(run);
        this.pump();
        this.updateQueuePositions();
      });
    }
  }

  /** A queued run's place among those waiting for the same capacity. */
  private updateQueuePositions(): void {
    const ahead = new Map<object, number>();
    for (const run of this.queue.items()) {
      const { key } = this.capacityFor(run);
      const position = (ahead.get(key) ?? 0) + 1;
      ahead.set(key, position);
      run.setQueuePosition(position);
    }
  }

  private async drive(run: Run): Promise<void> {
    const { driver, image, fromPool, vaccel, vaccelAgent, session } = this.launches.get(run)!;
    const log = this.options.log.child({ run: run.id, runtime: run.runtime });
    const resourceName = `${resourcePrefix}${run.id}`;
    const sampler = sampleFootprint(run, driver, resourceName);
    run.transition("preparing");
    let endpoint: VaccelEndpoint | null = null;
    try {
      endpoint = await this.openVaccel(run, vaccel, vaccelAgent);
      const result = await driver
        .launch(
          {
            runId: run.id,
            resourceName,
            image,
            command: run.command,
            limits: run.limits,
            fromPool,
            vaccel: endpoint && { hostSocketPath: endpoint.hostSocketPath },
            session,
          },
          {
            signal: run.controller.signal,
            mark: (phase, atEpochMs, clock) => run.mark(phase, atEpochMs, clock),
            enter: (state) => {
              if (run.state === state || run.finished) return;
              if (state === "running" && run.state === "preparing") run.transition("booting");
              run.transition(state);
            },
            output: (bytes) => {
              // Output means the workload is running, whatever the driver said so far.
              if (run.state === "preparing") run.transition("booting");
              if (run.state === "booting") run.transition("running");
              if (run.write(bytes).limitReached) run.abort("output-limit");
            },
            console: (bytes) => {
              if (run.write(bytes, "console").limitReached) run.abort("output-limit");
            },
            log,
          },
        )
        .finally(async () => {
          sampler.stop();
          await endpoint?.close();
        });
      run.mark("cleanedUp");
      const reason = run.endReason;
      if (reason) {
        this.end(run, reason);
      } else {
        if (result.exitCode === 137) {
          run.note(
            `\n[killed by SIGKILL: most likely the sandbox reached its memory limit of ${formatBytes(run.limits.memoryBytes)}]\n`,
          );
        }
        run.finish("exited", { exitCode: result.exitCode });
      }
      log.info(
        { state: run.state, exitCode: run.snapshot().exitCode, timings: run.snapshot().timings },
        "run ended",
      );
    } catch (err) {
      sampler.stop();
      await endpoint?.close();
      run.mark("cleanedUp");
      // A run that was being stopped (timeout, output limit, a visitor) ends for that reason; what the
      // runtime said while it was torn down is for the log.
      const reason = run.endReason;
      if (reason) {
        log.warn({ err, reason }, "runtime error while stopping a run");
        this.end(run, reason);
        return;
      }
      // A driver's SandboxLaunchError carries its own reason for the visitor; anything else is a host bug.
      const failure =
        err instanceof SandboxLaunchError
          ? { code: err.code, message: err.message }
          : {
              code: "runtime:launch",
              message: "The sandbox failed to start on the host; the host log has details.",
            };
      log.error({ err }, "run failed");
      run.note(`\n[${failure.message}]\n`);
      run.finish("failed", { error: failure });
    }
  }

  private end(run: Run, reason: EndReason): void {
    const end = endMessages[reason];
    const message = end.message(run);
    run.note(`\n[${message}]\n`);
    run.finish(end.state, { exitCode: null, error: { code: end.code, message } });
  }

  /** Finished runs stay queryable for a while, then go; the newest are kept when there are too many. */
  private prune(): void {
    const { ms, maxRuns } = this.options.retention;
    const now = Date.now();
    for (const [id, run] of this.runs) {
      const expired = run.finishedAt !== null && now - run.finishedAt > ms;
      if (expired || (this.runs.size > maxRuns && run.finished)) {
        this.runs.delete(id);
        this.settled.delete(id);
      }
    }
  }
}

/** How often a running sandbox's memory is sampled; the peak is kept. */
const footprintIntervalMs = 250;

/** Samples the sandbox's host processes as soon as it runs, then periodically, until stopped. */
function sampleFootprint(run: Run, driver: SandboxDriver, resourceName: string): { stop(): void } {
  const processes = driver.sandboxProcesses?.bind(driver);
  if (!processes) return { stop: () => undefined };
  let busy = false;
  const sample = async () => {
    if (busy || run.state !== "running") return;
    busy = true;
    try {
      const footprint = await measureFootprint(await processes(resourceName));
      if (footprint && !run.finished) run.recordFootprint(footprint);
    } catch {
      // A sandbox going away mid-sample is normal; the next sample (or none) tells the rest.
    } finally {
      busy = false;
    }
  };
  let wasRunning = false;
  const onChange = () => {
    if (run.state === "running" && !wasRunning) void sample();
    wasRunning = run.state === "running";
  };
  run.on("change", onChange);
  const timer = setInterval(() => void sample(), footprintIntervalMs);
  return {
    stop() {
      clearInterval(timer);
      run.off("change", onChange);
    },
  };
}
