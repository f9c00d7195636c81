// A session's long-lived pod: created, waited for until its container runs, asked whether it still does, deleted.
import type { V1ContainerState, V1Pod } from "@kubernetes/client-node";
import type { SessionPodView } from "../../../lib/api/sessions";
import { SandboxLaunchError } from "../../engine/driver";
import { describeClusterError, statusOf, type ClusterClient } from "./cluster-client";
import { deletionWaitMs } from "./pod-run";

/** A session waits for its pod once: reading it on a short beat is simpler than a watch and survives a dropped one. */
const pollMs = 100;

/** Waiting reasons the kubelet does not recover from by itself: the session fails with the kubelet's words. */
const hopelessReasons = new Set([
  "ErrImagePull",
  "ImagePullBackOff",
  "InvalidImageName",
  "CreateContainerConfigError",
  "CreateContainerError",
  "RunContainerError",
]);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Creates the pod and resolves once its container runs; rejects with the cluster's reason when it cannot. */
export async function startSessionPod(
  cluster: ClusterClient,
  pod: V1Pod,
  signal: AbortSignal,
): Promise<void> {
  const { namespace } = cluster;
  const name = pod.metadata!.name!;
  try {
    await cluster.core.createNamespacedPod({ namespace, body: pod });
  } catch (err) {
    throw new SandboxLaunchError(
      `The cluster did not create the session's pod: ${describeClusterError(err, cluster.server)}`,
      { started: false, cause: err },
    );
  }
  while (!signal.aborted) {
    const current = await cluster.core.readNamespacedPod({ namespace, name });
    const phase = current.status?.phase;
    const container = current.status?.containerStatuses?.[0];
    if (phase === "Running" && container?.state?.running) return;
    const waiting = container?.state?.waiting;
    if (waiting?.reason && hopelessReasons.has(waiting.reason))
      throw new SandboxLaunchError(
        `The session's pod cannot start: ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ""}`,
        { started: false },
      );
    if (phase === "Succeeded" || phase === "Failed")
      throw new SandboxLaunchError(
        `The session's pod ended before it was ready (${phase}${current.status?.reason ? `, ${current.status.reason}` : ""}).`,
        { started: false },
      );
    await pause(pollMs);
  }
}

/** Whether the pod's container still runs: a deleted pod, or one past its deadline, has nothing to exec into. */
export async function sessionPodAlive(cluster: ClusterClient, name: string): Promise<boolean> {
  try {
    const pod = await cluster.core.readNamespacedPod({ namespace: cluster.namespace, name });
    return (
      pod.status?.phase === "Running" &&
      Boolean(pod.status.containerStatuses?.[0]?.state?.running) &&
      !pod.metadata?.deletionTimestamp
    );
  } catch (err) {
    if (statusOf(err) === 404) return false;
    throw err;
  }
}

/** Idempotent: deletes the pod and waits (bounded) until the API server has removed it; a restart's reaper, or its deadline, ends one left. */
export async function deleteSessionPod(cluster: ClusterClient, name: string): Promise<void> {
  const { namespace } = cluster;
  try {
    await cluster.core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 1 });
  } catch (err) {
    if (statusOf(err) === 404) return;
    throw err;
  }
  const giveUpAt = Date.now() + deletionWaitMs;
  while (Date.now() < giveUpAt) {
    try {
      await cluster.core.readNamespacedPod({ namespace, name });
    } catch (err) {
      if (statusOf(err) === 404) return;
    }
    await pause(pollMs);
  }
}

/** The pod as the API server has it: its node, phase and containers' states. */
export async function readSessionPodView(
  cluster: ClusterClient,
  name: string,
): Promise<SessionPodView> {
  const pod = await cluster.core.readNamespacedPod({ namespace: cluster.namespace, name });
  return {
    cluster: cluster.name,
    namespace: cluster.namespace,
    pod: name,
    node: pod.spec?.nodeName ?? null,
    phase: pod.status?.phase ?? "Unknown",
    containers: (pod.status?.containerStatuses ?? []).map((c) => ({
      name: c.name,
      ready: c.ready,
      restartCount: c.restartCount,
      state: describeContainerState(c.state),
    })),
  };
}

function describeContainerState(state: V1ContainerState | undefined): string {
  if (state?.running) return `running since ${state.running.startedAt?.toISOString() ?? "?"}`;
  if (state?.waiting) return `waiting: ${state.waiting.reason ?? "?"}`;
  if (state?.terminated)
    return `terminated: ${state.terminated.reason ?? "?"} (exit ${state.terminated.exitCode})`;
  return "unknown";
}
