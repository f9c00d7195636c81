// One cluster runtime (a RuntimeClass, or the cluster's default) behind the engine's driver contract.
import type { RuntimeKind, RuntimeLocation } from "../../../lib/api/runtime-ids";
import type {
  LaunchResult,
  LaunchSpec,
  RuntimeAvailability,
  SandboxDriver,
} from "../../engine/driver";
import { SandboxLaunchError } from "../../engine/driver";
import { describeClusterError } from "./cluster-client";
import type { ClusterRuntime, KubernetesBackend } from "./kubernetes-backend";
import { runPod, type KubernetesContext } from "./pod-run";
import { buildPod } from "./pod-spec";
import { familyKinds } from "./runtime-map";

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
    if (spec.vaccel || spec.session) {
      throw new SandboxLaunchError(
        `${this.name} on cluster ${cluster.name} runs one-shot commands only (no vAccel, no sessions yet).`,
        { started: false },
      );
    }
    const imageReference = this.backend.imageReference(spec.image.name);
    if (!imageReference) {
      throw new SandboxLaunchError(
        `No registry reference for the ${spec.image.name} image on cluster ${cluster.name}: add it to SBPG_K8S_IMAGES.`,
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

  /** The backend reaps the cluster's pods once for all its runtimes. */
  async reap(): Promise<string[]> {
    return [];
  }
}
