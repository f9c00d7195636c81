// One run as one pod: create it, follow its watch, events and log, end with its container's exit, delete it.
import { Writable } from "node:stream";
import type { LaunchContext, LaunchResult } from "../../engine/driver";
import { SandboxLaunchError } from "../../engine/driver";
import { describeClusterError, statusOf, type ClusterClient } from "./cluster-client";
import {
  readEvent,
  readPod,
  signalOf,
  WatchedEventSchema,
  WatchedPodSchema,
  type KubernetesPhase,
  type PodReading,
} from "./pod-phases";
import { containerName } from "./pod-spec";
import type { V1Pod } from "@kubernetes/client-node";

export type KubernetesContext = LaunchContext<KubernetesPhase>;

/** How long a deleted pod may take to be gone (the kubelet stops it, then the API server removes it). */
export const deletionWaitMs = 30_000;
/**
 * A watch the API server closes (its timeout, a restart) is opened again, after a growing pause; this many
 * times in a row without an event in between (about 4.5 s), and the run is lost.
 */
const maxRewatches = 8;
const rewatchPauseMs = (attempt: number) => Math.min(1_000, 50 * 2 ** attempt);
/** A log stream that ends before the container's exit is seen is reopened, this many times per run. */
const maxLogReopens = 10;
const logReopenPauseMs = 200;

export async function runPod(
  cluster: ClusterClient,
  pod: V1Pod,
  outputLimitBytes: number,
  ctx: KubernetesContext,
): Promise<LaunchResult> {
  const { namespace } = cluster;
  const name = pod.metadata!.name!;
  let created: V1Pod;
  try {
    created = await cluster.core.createNamespacedPod({ namespace, body: pod });
  } catch (err) {
    throw new SandboxLaunchError(
      `The cluster did not create the pod: ${describeClusterError(err, cluster.server)}`,
      { started: false, cause: err },
    );
  }
  ctx.mark("started");
  ctx.enter("booting");
  const follower = new PodFollower(cluster, name, created, outputLimitBytes, ctx);
  try {
    return await follower.outcome();
  } finally {
    await follower.remove();
  }
}

class PodFollower {
  private readonly uid: string | undefined;
  private readonly stops: Array<() => void> = [];
  private readonly settled: Promise<LaunchResult>;
  private resolveOutcome!: (result: LaunchResult) => void;
  private rejectOutcome!: (err: Error) => void;
  private readonly gone: Promise<void>;
  private markGone!: () => void;
  private terminated: PodReading["terminated"] = null;
  private logEnded = false;
  private logStarted = false;
  /** Log bytes handed to the run, so that a reopened stream skips them. */
  private delivered = 0;
  private logReopens = 0;
  private finished = false;
  private resourceVersion: string | undefined;
  private rewatches = 0;
  private closed = false;

  constructor(
    private readonly cluster: ClusterClient,
    private readonly name: string,
    created: V1Pod,
    private readonly outputLimitBytes: number,
    private readonly ctx: KubernetesContext,
  ) {
    this.uid = created.metadata?.uid;
    this.resourceVersion = created.metadata?.resourceVersion;
    this.settled = new Promise((resolve, reject) => {
      this.resolveOutcome = resolve;
      this.rejectOutcome = reject;
    });
    this.gone = new Promise((resolve) => (this.markGone = resolve));
    const onAbort = () => this.settle({ exitCode: null, signal: null });
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener("abort", onAbort, { once: true });
    this.stops.push(() => ctx.signal.removeEventListener("abort", onAbort));
    void this.watchPod();
    void this.watchEvents();
  }

  outcome(): Promise<LaunchResult> {
    return this.settled;
  }

  /** Idempotent: deletes the pod and waits (bounded) until the API server has removed it. */
  async remove(): Promise<void> {
    this.finished = true;
    try {
      await this.cluster.core.deleteNamespacedPod({
        namespace: this.cluster.namespace,
        name: this.name,
        gracePeriodSeconds: 1,
      });
    } catch (err) {
      if (statusOf(err) !== 404) {
        // Nothing to wait for: a restart's reaper, or the pod's activeDeadlineSeconds, ends it.
        this.ctx.log.warn({ err, pod: this.name }, "deleting the pod failed");
        this.close();
        return;
      }
      this.markGone();
    }
    // The watch sees the pod go; reading it too covers a watch the API server closed meanwhile.
    const poll = setInterval(() => {
      this.cluster.core
        .readNamespacedPod({ namespace: this.cluster.namespace, name: this.name })
        .catch((err: unknown) => statusOf(err) === 404 && this.markGone());
    }, 1_000);
    let timer: NodeJS.Timeout | undefined;
    const gone = await Promise.race([
      this.gone.then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), deletionWaitMs))),
    ]);
    clearTimeout(timer);
    clearInterval(poll);
    if (gone) this.ctx.mark("podDeleted");
    else this.ctx.log.warn({ pod: this.name }, "the pod was not gone in time; a restart reaps it");
    this.close();
  }

  /** Ends the watches and the log stream, those still being opened included. */
  private close(): void {
    this.closed = true;
    for (const stop of this.stops.splice(0)) stop();
  }

  private keep(controller: AbortController): void {
    if (this.closed) controller.abort();
    else this.stops.push(() => controller.abort());
  }

  private settle(result: LaunchResult | Error): void {
    if (this.finished) return;
    this.finished = true;
    if (result instanceof Error) this.rejectOutcome(result);
    else this.resolveOutcome(result);
  }

  private async watchPod(): Promise<void> {
    const ended = (err: unknown) => this.onWatchEnd("pod", err, () => this.watchPod());
    await this.cluster.watch
      .watch(
        `/api/v1/namespaces/${this.cluster.namespace}/pods`,
        { fieldSelector: `metadata.name=${this.name}`, resourceVersion: this.resourceVersion },
        (type, object) => this.onPod(type, object),
        ended,
      )
      .then((controller) => this.keep(controller), ended);
  }

  private async watchEvents(): Promise<void> {
    // Events only add to the timeline: a closed event watch is not worth failing a run for.
    const ended = (err: unknown) =>
      this.ctx.log.debug({ err, pod: this.name }, "event watch ended");
    await this.cluster.watch
      .watch(
        `/api/v1/namespaces/${this.cluster.namespace}/events`,
        { fieldSelector: `involvedObject.name=${this.name}` },
        (_type, object) => this.onEvent(object),
        ended,
      )
      .then((controller) => this.keep(controller), ended);
  }

  private onWatchEnd(what: string, err: unknown, again: () => Promise<void>): void {
    if (this.finished) return;
    if (this.rewatches < maxRewatches) {
      this.ctx.log.debug({ err, pod: this.name }, `${what} watch ended; watching again`);
      const timer = setTimeout(() => void again(), rewatchPauseMs(this.rewatches++));
      this.stops.push(() => clearTimeout(timer));
      return;
    }
    this.settle(
      new SandboxLaunchError(
        `Lost the cluster's watch on the pod: ${err ? describeClusterError(err, this.cluster.server) : "closed"}`,
        { started: this.logStarted, cause: err },
      ),
    );
  }

  private onPod(type: string, object: unknown): void {
    // 410 Gone: the version watched from is compacted away; the next watch starts from the pod as it is now.
    if (type === "ERROR") this.resourceVersion = undefined;
    if (type === "DELETED") this.markGone();
    const parsed = WatchedPodSchema.safeParse(object);
    if (!parsed.success || (this.uid && parsed.data.metadata.uid !== this.uid)) return;
    this.rewatches = 0;
    this.resourceVersion = parsed.data.metadata.resourceVersion ?? this.resourceVersion;
    if (this.finished) return;
    const reading = readPod(parsed.data, containerName);
    for (const phase of reading.phases) this.ctx.mark(phase);
    if (reading.started) {
      this.ctx.enter("running");
      this.followLog();
    }
    if (reading.terminated) {
      this.ctx.mark("exited");
      this.terminated = reading.terminated;
      this.finishIfDone();
    } else if (reading.failure) {
      this.settle(new SandboxLaunchError(reading.failure, { started: reading.started }));
    } else if (type === "DELETED") {
      this.settle(
        new SandboxLaunchError("The pod was deleted on the cluster before its workload ended.", {
          started: reading.started,
        }),
      );
    }
  }

  private onEvent(object: unknown): void {
    const parsed = WatchedEventSchema.safeParse(object);
    if (!parsed.success || this.finished) return;
    const { uid } = parsed.data.involvedObject;
    if (uid && this.uid && uid !== this.uid) return;
    const reading = readEvent(parsed.data);
    this.ctx.console(Buffer.from(`${reading.line}\n`));
    if (reading.phase) this.ctx.mark(reading.phase, reading.atEpochMs, reading.clock);
  }

  /**
   * Once the container has started: the log API refuses a container that is still being created. A stream that
   * ends before the container is seen to exit (a kubelet or API server restart, a proxy's timeout) is opened
   * again and the bytes already delivered skipped: a container's log only grows.
   */
  private followLog(): void {
    if (this.logStarted) return;
    this.logStarted = true;
    this.openLog();
  }

  private openLog(): void {
    let skip = this.delivered;
    const sink = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        const fresh = skip >= chunk.length ? null : chunk.subarray(skip);
        skip = Math.max(0, skip - chunk.length);
        if (fresh && !this.finished) {
          this.delivered += fresh.length;
          this.ctx.output(fresh);
        }
        done();
      },
    });
    sink.on("finish", () => {
      if (!this.terminated && !this.finished && this.logReopens < maxLogReopens) {
        this.logReopens++;
        const timer = setTimeout(() => this.openLog(), logReopenPauseMs);
        this.stops.push(() => clearTimeout(timer));
        return;
      }
      this.logEnded = true;
      this.finishIfDone();
    });
    this.cluster.log
      .log(this.cluster.namespace, this.name, containerName, sink, {
        follow: true,
        // One byte past the limit is enough for the engine to see it was reached.
        limitBytes: this.outputLimitBytes + 1,
      })
      .then((controller) => this.keep(controller))
      .catch((err: unknown) => {
        this.ctx.console(
          Buffer.from(
            `[the pod's log could not be read: ${describeClusterError(err, this.cluster.server)}]\n`,
          ),
        );
        this.logEnded = true;
        this.finishIfDone();
      });
  }

  private finishIfDone(): void {
    if (!this.terminated || !this.logEnded) return;
    const { exitCode, reason } = this.terminated;
    if (reason === "OOMKilled") this.ctx.console(Buffer.from("[the container was OOMKilled]\n"));
    this.settle({ exitCode, signal: signalOf(this.terminated) });
  }
}
