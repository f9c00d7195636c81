// What a watched pod and its events say about a run: phases reached, the exit, and states it will not leave.
import os from "node:os";
import { z } from "zod";
import type { PhaseOf } from "../../../lib/api/phases";

export type KubernetesPhase = PhaseOf<"kubernetes">;

/** The part of a pod the playground reads; a watch event that does not parse is skipped, not trusted. */
export const WatchedPodSchema = z.object({
  metadata: z.object({
    name: z.string(),
    uid: z.string().optional(),
    resourceVersion: z.string().optional(),
  }),
  status: z
    .object({
      phase: z.string().optional(),
      reason: z.string().optional(),
      message: z.string().optional(),
      conditions: z
        .array(
          z.object({
            type: z.string(),
            status: z.string(),
            reason: z.string().nullish(),
            message: z.string().nullish(),
          }),
        )
        .optional(),
      containerStatuses: z
        .array(
          z.object({
            name: z.string(),
            state: z
              .object({
                waiting: z
                  .object({ reason: z.string().nullish(), message: z.string().nullish() })
                  .optional(),
                running: z.object({ startedAt: z.string().nullish() }).optional(),
                terminated: z
                  .object({
                    exitCode: z.number().int(),
                    signal: z.number().int().nullish(),
                    reason: z.string().nullish(),
                    message: z.string().nullish(),
                  })
                  .optional(),
              })
              .optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});
export type WatchedPod = z.infer<typeof WatchedPodSchema>;

export const WatchedEventSchema = z.object({
  involvedObject: z.object({ name: z.string().optional(), uid: z.string().optional() }),
  reason: z.string().nullish(),
  message: z.string().nullish(),
  type: z.string().nullish(),
  /** A MicroTime (microseconds) where the reporter used the events.k8s.io API, as the scheduler does. */
  eventTime: z.string().nullish(),
  reportingComponent: z.string().nullish(),
  source: z.object({ component: z.string().nullish() }).nullish(),
});
export type WatchedEvent = z.infer<typeof WatchedEventSchema>;

export interface PodReading {
  phases: KubernetesPhase[];
  /** The workload's container has started (it may have ended since). */
  started: boolean;
  terminated: { exitCode: number; signal: number | null; reason: string | null } | null;
  /** Why the pod will never run its workload (an image that cannot be pulled, a pod the cluster failed); else null. */
  failure: string | null;
}

/** Waiting reasons the kubelet does not get out of by itself within a run's lifetime. */
const hopelessWaits = new Set([
  "ErrImagePull",
  "ImagePullBackOff",
  "InvalidImageName",
  "ErrImageNeverPull",
  "CreateContainerConfigError",
  "CreateContainerError",
  "RunContainerError",
]);

export function readPod(pod: WatchedPod, container: string): PodReading {
  const status = pod.status ?? {};
  const phases: KubernetesPhase[] = [];
  const condition = (type: string) =>
    status.conditions?.find((c) => c.type === type && c.status === "True");
  if (condition("PodScheduled")) phases.push("podScheduled");
  // Kubernetes 1.29+: the pod's sandbox (with Kata, the VM) is up and its network set.
  if (condition("PodReadyToStartContainers")) phases.push("podSandboxReady");
  const state = status.containerStatuses?.find((c) => c.name === container)?.state;
  const terminated = state?.terminated ?? null;
  const started = Boolean(state?.running || terminated);
  if (started) phases.push("containerStarted");
  if (terminated) phases.push("containerExited");
  let failure: string | null = null;
  const waiting = state?.waiting;
  if (waiting?.reason && hopelessWaits.has(waiting.reason)) {
    failure = `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ""}`;
  } else if (status.phase === "Failed" && !terminated) {
    failure = `the pod failed (${status.reason ?? "no reason given"})${status.message ? `: ${status.message}` : ""}`;
  }
  return {
    phases,
    started,
    terminated: terminated && {
      exitCode: terminated.exitCode,
      signal: terminated.signal ?? null,
      reason: terminated.reason ?? null,
    },
    failure,
  };
}

const eventPhases: Record<string, KubernetesPhase> = {
  Scheduled: "podScheduled",
  Pulled: "imagePulled",
  Created: "containerCreated",
  Started: "containerStarted",
};

export interface EventReading {
  phase: KubernetesPhase | null;
  /** Set only when the reporter stamped it finer than a second: a 1 s stamp would misplace it on the chart. */
  atEpochMs?: number;
  clock?: string;
  /** The event as the run's console shows it. */
  line: string;
}

export function readEvent(event: WatchedEvent): EventReading {
  const reason = event.reason ?? "Event";
  const reporter = event.reportingComponent || event.source?.component || "cluster";
  const phase = eventPhases[reason] ?? null;
  const line = `[${reporter}] ${event.type === "Warning" ? "warning: " : ""}${reason}: ${event.message ?? ""}`;
  const fine =
    event.eventTime && /\.\d{3,}/.test(event.eventTime) ? Date.parse(event.eventTime) : NaN;
  return Number.isFinite(fine)
    ? { phase, atEpochMs: fine, clock: `${reporter} eventTime`, line }
    : { phase, line };
}

/** The signal that ended the container, by its name: its terminated state's, else an exit code past 128. */
export function signalOf(terminated: { exitCode: number; signal: number | null }): string | null {
  const number =
    terminated.signal ?? (terminated.exitCode > 128 ? terminated.exitCode - 128 : null);
  if (!number) return null;
  const named = Object.entries(os.constants.signals).find(([, n]) => n === number);
  return named ? named[0] : `signal ${number}`;
}
