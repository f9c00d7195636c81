// A run as a hardened Pod, the namespace's deny-all NetworkPolicy, and the labels that let a restart find its own pods.
import { createHash } from "node:crypto";
import os from "node:os";
import path from "node:path";
import type { V1NetworkPolicy, V1Pod } from "@kubernetes/client-node";
import type { SandboxLimits } from "../../engine/driver";
import { resourcePrefix } from "../../engine/driver";

export const labelKeys = {
  managedBy: "app.kubernetes.io/managed-by",
  /** Which playground process made the pod: a hash, since a label value holds 63 characters at most. */
  owner: "sandbox-playground/owner",
  run: "sandbox-playground/run",
} as const;
export const managedByValue = "sandbox-playground";
/** The owner in full (host and state folder), checked before a pod found by its owner label is reaped. */
export const ownerAnnotation = "sandbox-playground/owner";
export const containerName = "sandbox";
export const denyAllPolicyName = `${resourcePrefix}deny-all`;

/** Past the run's own timeout (which the playground enforces), the cluster ends a pod a crashed playground left. */
export const deadlineMarginSeconds = 30;

/** A pod asks the scheduler for this fraction of its CPU cap (docs/kubernetes.md plans nodes with it). */
export const cpuRequestDivisor = 4;

export interface PodOwner {
  /** The owner label's value. */
  id: string;
  /** The owner annotation's value. */
  description: string;
}

/** One playground process per host and state folder, as for its cgroups: restarts on the same folder reap its pods. */
export function podOwnerFor(stateDir: string, hostname = os.hostname()): PodOwner {
  const description = `${hostname}:${path.resolve(stateDir)}`;
  return { id: createHash("sha256").update(description).digest("hex").slice(0, 16), description };
}

export interface PodSpecInput {
  runId: string;
  resourceName: string;
  namespace: string;
  /** null: the cluster's default runtime (no runtimeClassName). */
  runtimeClassName: string | null;
  /** The registry reference the cluster pulls (SBPG_K8S_IMAGES). */
  imageReference: string;
  command: string[];
  limits: SandboxLimits;
  owner: PodOwner;
  /** A session's pod: it idles until deleted, with a writable home; the cluster ends it past the session's lifetime. */
  session?: { homeBytes: number; maxLifetimeMs: number };
}

/** A session's container idles; commands and terminals come in through pods/exec. */
export const sessionIdleCommand = [
  "/bin/sh",
  "-c",
  "trap 'exit 0' TERM; while :; do sleep 3600; done",
];

/**
 * Names and labels come from the run id alone (24 hex digits from the engine): nothing a visitor typed reaches a
 * name, a label or an annotation. The command goes in as the container's arguments, never through a shell.
 */
export function buildPod(input: PodSpecInput): V1Pod {
  if (!/^[0-9a-f]{1,40}$/.test(input.runId) || input.resourceName !== podNameFor(input.runId)) {
    throw new Error(`refusing a pod name not derived from a run id: ${input.resourceName}`);
  }
  const { limits } = input;
  const resources = podResources(limits);
  const seccompProfile = { type: "RuntimeDefault" };
  const { session } = input;
  const lifetimeMs = session ? session.maxLifetimeMs : limits.timeoutMs;
  // Like the local runtimes' /tmp (and a session's /root): a tmpfs of the run's size, counted in its memory.
  const volumes = [
    { name: "tmp", emptyDir: { medium: "Memory", sizeLimit: String(limits.tmpfsBytes) } },
    ...(session
      ? [{ name: "home", emptyDir: { medium: "Memory", sizeLimit: String(session.homeBytes) } }]
      : []),
  ];
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: input.resourceName,
      namespace: input.namespace,
      labels: {
        [labelKeys.managedBy]: managedByValue,
        [labelKeys.owner]: input.owner.id,
        [labelKeys.run]: input.runId,
      },
      annotations: { [ownerAnnotation]: input.owner.description },
    },
    spec: {
      ...(input.runtimeClassName ? { runtimeClassName: input.runtimeClassName } : {}),
      restartPolicy: "Never",
      activeDeadlineSeconds: Math.ceil(lifetimeMs / 1000) + deadlineMarginSeconds,
      automountServiceAccountToken: false,
      // No environment variables naming the namespace's services: the sandbox learns nothing of the cluster.
      enableServiceLinks: false,
      terminationGracePeriodSeconds: 1,
      hostname: "sandbox",
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 65534,
        runAsGroup: 65534,
        seccompProfile,
      },
      containers: [
        {
          name: containerName,
          image: input.imageReference,
          imagePullPolicy: "IfNotPresent",
          command: session ? sessionIdleCommand : input.command,
          env: [
            { name: "PATH", value: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" },
            { name: "HOME", value: "/root" },
            { name: "TERM", value: "xterm" },
          ],
          workingDir: "/",
          resources,
          securityContext: {
            allowPrivilegeEscalation: false,
            privileged: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
            seccompProfile,
          },
          volumeMounts: volumes.map((v) => ({
            name: v.name,
            mountPath: v.name === "home" ? "/root" : "/tmp",
          })),
        },
      ],
      volumes,
    },
  };
}

/**
 * One CPU is 1024 shares, as cgroup v1 counts them and the local runtimes apply them. Memory is asked for in
 * full (it cannot be given back once used); CPU a quarter of the cap: runs are short bursts, the cap holds each.
 */
export function podResources(limits: Pick<SandboxLimits, "memoryBytes" | "cpuShares">) {
  const milliCpu = Math.max(4, Math.round((limits.cpuShares / 1024) * 1000));
  const memory = String(limits.memoryBytes);
  return {
    limits: { cpu: `${milliCpu}m`, memory },
    requests: { cpu: `${Math.round(milliCpu / cpuRequestDivisor)}m`, memory },
  };
}

export const podNameFor = (runId: string) => `${resourcePrefix}${runId}`;

/** Selects every pod one playground process made. */
export function ownerSelector(owner: PodOwner): string {
  return `${labelKeys.managedBy}=${managedByValue},${labelKeys.owner}=${owner.id}`;
}

/** No traffic in or out of any playground pod (the API server and kubelet still reach it for logs and exec). */
export function buildDenyAllPolicy(namespace: string): V1NetworkPolicy {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: {
      name: denyAllPolicyName,
      namespace,
      labels: { [labelKeys.managedBy]: managedByValue },
    },
    spec: {
      podSelector: { matchLabels: { [labelKeys.managedBy]: managedByValue } },
      policyTypes: ["Ingress", "Egress"],
    },
  };
}
