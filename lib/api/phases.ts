// Every moment a run's timings can name, grouped by who marks it: one list, so renaming a phase in a driver fails
// the type check instead of silently emptying a chart segment.
import { z } from "zod";

/** A run's states, in the order a run can pass them; RunStateSchema is built on these. */
export const runStates = [
  "queued",
  "preparing",
  "booting",
  "running",
  "exited",
  "failed",
  "stopped",
] as const;

/**
 * Who marks what. The run states ("queued" … "stopped") are stamped by every run as it enters them; the
 * engine marks its own moments around each launch; each driver family marks only the phases listed here
 * (its LaunchContext is typed by its list), and every driver marks "started" when its runtime is spawned.
 */
export const phasesMarkedBy = {
  run: runStates,
  engine: ["requested", "vaccelListening", "firstOutput", "cleanedUp"],
  /** runc and gVisor (runsc): one-shot runs, and commands inside a session. */
  ociCli: ["bundleWritten", "containerCreated", "started", "exited", "processWritten"],
  /** containerd's shims, with containerd's own event timestamps. */
  containerd: [
    "imageReady",
    "snapshotMounted",
    "specWritten",
    "containerCreated",
    "taskCreated",
    "taskStarted",
    "taskExited",
    "started",
    "exited",
  ],
  /** Kata's shims add the guest's first console line to containerd's phases. */
  kata: ["guestConsole"],
  /**
   * The QEMU microVM: the warm pool, the snapshot, the VMM, the guest's boot and its control-port phases. Which
   * path a run's VM took follows from them (lib/api/vm-path.ts): poolClaimed, restoreStarted, or a cold boot.
   */
  microvm: [
    "poolMiss",
    "poolSkippedForVaccel",
    "poolClaimed",
    "snapshotUnusable",
    "restoreStarted",
    "vmmSpawned",
    "started",
    "restored",
    "firstConsoleLine",
    "guestInit",
    "modulesLoaded",
    "snapshotPoint",
    "seeded",
    "rootMounted",
    "ready",
    "workloadStarted",
    "workloadExited",
    "vmGone",
  ],
  /**
   * A pod on a Kubernetes cluster: "started" when the API server accepted the pod, then what the pod's
   * conditions, container state and events say (scheduled, sandbox ready, image pulled, container created,
   * started, exited), and "podDeleted" once the API server has removed it.
   */
  kubernetes: [
    "started",
    "podScheduled",
    "podSandboxReady",
    "imagePulled",
    "containerCreated",
    "containerStarted",
    "containerExited",
    "exited",
    "podDeleted",
  ],
} as const;

export type PhaseMarker = keyof typeof phasesMarkedBy;
/** The phases one marker may stamp. */
export type PhaseOf<M extends PhaseMarker> = (typeof phasesMarkedBy)[M][number];
export type Phase = PhaseOf<PhaseMarker>;

export const phases: readonly Phase[] = [...new Set(Object.values(phasesMarkedBy).flat())];
export const PhaseSchema = z.enum(phases as [Phase, ...Phase[]]);

/** Milliseconds since the request at which each phase reached so far was first reached. */
export const TimingsSchema = z.partialRecord(PhaseSchema, z.number());
export type Timings = z.infer<typeof TimingsSchema>;

/**
 * Which clock dated a phase when it was not the playground's own (e.g. "default-scheduler eventTime"): a
 * moment another machine stamped can be off by that machine's clock skew.
 */
export const PhaseClocksSchema = z.partialRecord(PhaseSchema, z.string());
export type PhaseClocks = z.infer<typeof PhaseClocksSchema>;
