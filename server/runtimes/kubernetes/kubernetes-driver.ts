// One cluster runtime (a RuntimeClass, or the cluster's default) behind the engine's driver contract.
import type { RuntimeKind, RuntimeLocation } from "../../../lib/api/runtime-ids";
import type { SessionPodView } from "../../../lib/api/sessions";
import type {
  LaunchResult,
  LaunchSpec,
  RuntimeAvailability,
  SandboxDriver,
  SessionSpec,
  TerminalStream,
} from "../../engine/driver";
import { SandboxLaunchError } from "../../engine/driver";
import { PlaygroundError } from "../../errors/playground-error";
import { describeClusterError } from "./cluster-client";
import type { ClusterRuntime, KubernetesBackend } from "./kubernetes-backend";
import { execInPod, openPodTerminal, PodExecError } from "./pod-exec";
import { runPod, type KubernetesContext } from "./pod-run";
import { buildPod, podNameFor } from "./pod-spec";
import { familyKinds } from "./runtime-map";
import {
  deleteSessionPod,
  readSessionPodView,
  sessionPodAlive,
  startSessionPod,
} from "./session-pod";

export class KubernetesDriver implements SandboxDriver {
  readonly id: ClusterRuntime["id"];
  readonly name: string;
  readonly kind: RuntimeKind;
  readonly location: RuntimeLocation;

  constructor(
    private readonly backend: KubernetesBackend,
    private readonly runtime: ClusterRuntime,
  ) {
    this.id = runtime.id;
    this.name = runtime.name;
    this.kind = familyKinds[runtime.family];
    this.location = { backend: "kubernetes", name: backend.cluster.name };
  }

  /** As of the backend's last listing of the cluster (the engine asks the backend for it before each use). */
  async probe(): Promise<RuntimeAvailability> {
    return this.backend.availabilityOf(this.runtime);
  }

  async launch(spec: LaunchSpec, ctx: KubernetesContext): Promise<LaunchResult> {
    const { cluster } = this.backend;
    if (spec.vaccel) {
      throw new SandboxLaunchError(
        `${this.name} on cluster ${cluster.name} cannot connect vAccel yet.`,
        { started: false },
      );
    }
    if (spec.session) return this.execInSession(spec.session.resourceName, spec.command, ctx);
    const imageReference = await this.prepare(spec.image.name);
    const pod = buildPod({
      runId: spec.runId,
      resourceName: spec.resourceName,
      namespace: cluster.namespace,
      runtimeClassName: this.runtime.className,
      imageReference,
      command: spec.command,
      limits: spec.limits,
      owner: this.backend.owner,
    });
    return runPod(cluster, pod, spec.limits.outputBytes, ctx);
  }

  /** A long-lived pod of the same hardening as a run's, with a writable home; the cluster ends it past the lifetime. */
  async startSession(spec: SessionSpec, signal: AbortSignal): Promise<void> {
    const { cluster } = this.backend;
    const imageReference = await this.prepare(spec.image.name);
    const sessionId = spec.resourceName.slice(podNameFor("").length);
    const pod = buildPod({
      runId: sessionId,
      resourceName: spec.resourceName,
      namespace: cluster.namespace,
      runtimeClassName: this.runtime.className,
      imageReference,
      command: [],
      limits: { ...spec.limits, timeoutMs: 0, outputBytes: 0 },
      owner: this.backend.owner,
      session: {
        homeBytes: spec.homeBytes,
        // Without a bound of its own the pod outlives a crashed playground by a day at most.
        maxLifetimeMs: spec.maxLifetimeMs ?? 86_400_000,
      },
    });
    await startSessionPod(cluster, pod, signal);
  }

  async endSession(resourceName: string): Promise<void> {
    await deleteSessionPod(this.backend.cluster, resourceName);
  }

  async sessionAlive(resourceName: string): Promise<boolean> {
    return sessionPodAlive(this.backend.cluster, resourceName);
  }

  /** A shell over the exec websocket: the cluster's pod has no host-side process to put on a PTY. */
  async openTerminal(
    resourceName: string,
    size: { cols: number; rows: number },
  ): Promise<TerminalStream> {
    try {
      return await openPodTerminal(this.backend.cluster, resourceName, size);
    } catch (err) {
      if (err instanceof PodExecError)
        throw new PlaygroundError("unavailable", "session_runtime", `No terminal: ${err.message}`, {
          cause: err,
        });
      throw err;
    }
  }

  /** The session's cgroup and processes are on a node of the cluster, not on this host: the API server's view instead. */
  cgroupOf(): null {
    return null;
  }

  async podViewOf(resourceName: string): Promise<SessionPodView> {
    return readSessionPodView(this.backend.cluster, resourceName);
  }

  /** The backend reaps the cluster's pods once for all its runtimes. */
  async reap(): Promise<string[]> {
    return [];
  }

  private async execInSession(
    podName: string,
    command: string[],
    ctx: KubernetesContext,
  ): Promise<LaunchResult> {
    ctx.mark("started");
    ctx.enter("running");
    try {
      const exitCode = await execInPod(
        this.backend.cluster,
        podName,
        command,
        (bytes) => ctx.output(bytes),
        ctx.signal,
      );
      if (ctx.signal.aborted) return { exitCode: null, signal: "SIGKILL" };
      if (exitCode === null)
        throw new SandboxLaunchError(
          "The exec ended without an exit status (the API server or the kubelet dropped it).",
          { started: true },
        );
      return { exitCode, signal: null };
    } catch (err) {
      if (err instanceof PodExecError)
        throw new SandboxLaunchError(`The command could not start: ${err.message}`, {
          started: false,
          cause: err,
        });
      throw err;
    }
  }

  /** The image's registry reference, and the deny-all policy in place, before any pod is made. */
  private async prepare(imageName: string): Promise<string> {
    const { cluster } = this.backend;
    const imageReference = this.backend.imageReference(imageName);
    if (!imageReference) {
      throw new SandboxLaunchError(
        `No registry reference for the ${imageName} image on cluster ${cluster.name}: add it to SBPG_K8S_IMAGES.`,
        { started: false },
      );
    }
    try {
      await this.backend.ensureDenyAllPolicy();
    } catch (err) {
      // Without it the pod would have the cluster's network: no run rather than an open one.
      throw new SandboxLaunchError(
        `The deny-all NetworkPolicy could not be made sure of: ${describeClusterError(err, cluster.server)}`,
        { started: false, cause: err },
      );
    }
    return imageReference;
  }
}
