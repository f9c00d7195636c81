// Environment read and validated once; every limit the host enforces lives here as data.
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { describeIssue } from "../../lib/api/describe-issue";
import { DEFAULT_RPC_ADDRESS, rpcAddressSchema } from "../vaccel/rpc-address";
import { parseTrustedProxies } from "../http/client-address";
import { knownImages } from "../images/image-store";
import {
  clusterRuntimePrefixFor,
  parseClusterList,
  type KubernetesConfig,
} from "../runtimes/kubernetes/cluster-list";
import { clusterRuntimePrefix } from "../../lib/api/runtime-ids";

const int = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);

const mib = 1024 * 1024;

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: int(3000, 0),
  HOST: z.string().min(1).default("0.0.0.0"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Where built images live: an ignored folder that setup fills. */
  SBPG_CACHE_DIR: z.string().default(path.resolve(".cache")),
  /** Runtime state (bundles, runtime roots): a tmpfs, so a reboot forgets it too. */
  SBPG_STATE_DIR: z.string().default("/run/sandbox-playground"),
  /** What must outlive a restart (the workshop database); the state folder is wiped at shutdown, this is not. */
  SBPG_DATA_DIR: z.string().min(1).default(path.resolve(".data")),
  /** How often expired workshops are ended (their runs stopped). */
  SBPG_WORKSHOP_SWEEP_MS: int(30_000, 100),
  /** Workshops open at once on the host, per visitor that creates them, and per address (a backstop). */
  SBPG_MAX_OPEN_WORKSHOPS: int(50, 1),
  SBPG_MAX_OPEN_WORKSHOPS_PER_CLIENT: int(5, 1),
  SBPG_MAX_OPEN_WORKSHOPS_PER_ADDRESS: int(20, 1),
  /**
   * Reverse proxies in front of the playground (addresses and CIDRs, comma or space separated): from them,
   * X-Forwarded-For names the client. Empty: the TCP peer is the client and the header is ignored.
   */
  SBPG_TRUSTED_PROXIES: z
    .string()
    .default("")
    .transform((text, ctx) => {
      const parsed = parseTrustedProxies(text);
      if (parsed.ok) return parsed.proxies;
      ctx.addIssue({ code: "custom", message: parsed.error });
      return z.NEVER;
    }),
  SBPG_RUNC_PATH: z.string().default("runc"),
  SBPG_RUNSC_PATH: z.string().default("runsc"),
  /** gVisor platform: "auto" probes the candidates in order and keeps the first that runs a container. */
  SBPG_GVISOR_PLATFORM: z.enum(["auto", "systrap", "kvm", "ptrace"]).default("auto"),
  /** containerd and its CLI; the playground runs its own daemon under SBPG_STATE_DIR unless an address is given. */
  SBPG_CONTAINERD_PATH: z.string().default("containerd"),
  SBPG_CTR_PATH: z.string().default("ctr"),
  /** A running containerd's socket (e.g. /run/containerd/containerd.sock) to use instead of the playground's own. */
  SBPG_CONTAINERD_ADDRESS: z.string().default(""),
  SBPG_CONTAINERD_NAMESPACE: z.string().min(1).default("sandbox-playground"),
  /** "debug" makes shims log at debug: needed for the Kata guest console (vmconsole=) lines. */
  SBPG_CONTAINERD_LOG_LEVEL: z.enum(["info", "debug"]).default("info"),
  SBPG_QEMU_PATH: z.string().default("qemu-system-x86_64"),
  /** microVM acceleration: "auto" boots a probe VM with KVM and falls back to TCG (a paravirtual /dev/kvm hangs). */
  SBPG_MICROVM_ACCEL: z.enum(["auto", "kvm", "tcg"]).default("auto"),
  /** microVMs kept booted and waiting for a run (POST /api/runs with "pool": true); 0 keeps none. */
  SBPG_MICROVM_POOL_SIZE: int(1, 0),
  /** The most the pool grows to while runs ask for VMs faster than it holds them (a burst, a workshop starting). */
  SBPG_MICROVM_POOL_MAX: int(4, 0),
  /** What the pool's waiting VMs may cost together (guest RAM + QEMU each); it never holds more than fit. */
  SBPG_MICROVM_POOL_MEMORY_BYTES: int(1024 * mib, 0),
  /** "on": VMs start by restoring a snapshot saved once in .cache (cold boot when it is missing or broken). */
  SBPG_MICROVM_SNAPSHOT: z.enum(["on", "off"]).default("on"),
  /**
   * Terminal ports of the sessions' snapshot and the warm pool's VMs, so that microVM sessions start from the pool or
   * a restore instead of a cold boot: 0 to 2 (default). Runs restore from a second snapshot without them: each port's
   * buffers come out of the guest's RAM, and at 128 MiB the vAccel page's node-onnx workloads stalled or were
   * OOM-killed with them. 0: one snapshot, sessions boot cold.
   */
  SBPG_MICROVM_SNAPSHOT_TERMINALS: z.coerce.number().int().min(0).max(2).default(2),
  SBPG_MAX_CONCURRENT_RUNS: int(Math.max(2, os.cpus().length * 2), 1),
  SBPG_MAX_QUEUED_RUNS: int(200, 0),
  /** Runs one visitor (visitor cookie; a cookie-less client: its address) has running or queued. */
  SBPG_MAX_ACTIVE_RUNS_PER_CLIENT: int(6, 1),
  /** The backstop over every visitor behind one address (a conference NAT): a room of 200 browsers gets in. */
  SBPG_MAX_ACTIVE_RUNS_PER_ADDRESS: int(200, 1),
  SBPG_DEFAULT_TIMEOUT_MS: int(10_000, 100),
  SBPG_MAX_TIMEOUT_MS: int(120_000, 100),
  SBPG_MEMORY_LIMIT_BYTES: int(128 * mib, 8 * mib),
  SBPG_PIDS_LIMIT: int(64, 4),
  SBPG_CPU_SHARES: int(512, 2),
  /**
   * All sandboxes together, on their common parent cgroup: their CPU weight against the host's other
   * processes, the server among them (1024 per core: as much as one busy process per core, so they fill an
   * idle host but a busy one keeps its share), and a cap in cores (a CFS quota; 0: none). A sandbox's own
   * share only divides what the parent gets among sandboxes.
   */
  SBPG_SANDBOXES_CPU_SHARES: int(1024 * os.cpus().length, 2),
  SBPG_SANDBOXES_CPU_CORES: z.coerce.number().min(0).default(0),
  /**
   * All microVMs share one cgroup, a child of the hierarchy's root beside the sandboxes' parent. "on" makes
   * it SCHED_IDLE (cpu.idle) against the host's processes: a TCG guest that spins its vCPU takes a whole
   * core, yet VMs then run only on CPU the server, the runtimes' CLIs and the containers leave unused. "off"
   * (or a kernel without cpu.idle) weighs the group at SBPG_MICROVMS_CPU_SHARES instead.
   */
  SBPG_MICROVMS_CPU_IDLE: z.enum(["on", "off"]).default("on"),
  SBPG_MICROVMS_CPU_SHARES: int(64, 2),
  SBPG_OUTPUT_LIMIT_BYTES: int(1 * mib, 1024),
  SBPG_TMPFS_BYTES: int(16 * mib, mib),
  /** Backlog a late subscriber gets; older output is still counted, and kept in GET /logs up to the output limit. */
  SBPG_LOG_BACKLOG_BYTES: int(256 * 1024, 1024),
  /** How long finished runs stay queryable. */
  SBPG_RUN_RETENTION_MS: int(30 * 60_000, 0),
  SBPG_MAX_RETAINED_RUNS: int(1000, 1),
  SBPG_MAX_BODY_BYTES: int(64 * 1024, 1024),
  /** A lab step's check (and setup) runs at most this long in the visitor's session, unless the step asks for more. */
  SBPG_LAB_CHECK_TIMEOUT_MS: int(10_000, 1_000),
  /** Interactive sessions: one ends after this long without input or a command, and at its lifetime's end. */
  SBPG_SESSION_IDLE_MS: int(15 * 60_000, 1_000),
  SBPG_SESSION_LIFETIME_MS: int(2 * 60 * 60_000, 10_000),
  /** The longest a session can be extended to, counted from its start. */
  SBPG_SESSION_MAX_LIFETIME_MS: int(8 * 60 * 60_000, 10_000),
  /** Sessions alive at once on the host, and per visitor (cookie; a cookie-less client: its address). */
  SBPG_MAX_SESSIONS: int(Math.max(4, os.cpus().length * 8), 1),
  SBPG_MAX_SESSIONS_PER_CLIENT: int(2, 1),
  /** The session's writable home (/root), a tmpfs counted in its memory like /tmp. */
  SBPG_SESSION_HOME_BYTES: int(32 * mib, mib),
  SBPG_MAX_TERMINALS_PER_SESSION: int(4, 1),
  /** Output a reattaching terminal is replayed. */
  SBPG_TERMINAL_BACKLOG_BYTES: int(64 * 1024, 1024),
  /** What one terminal accepts from the keyboard (a paste included) per second. */
  SBPG_TERMINAL_INPUT_BYTES_PER_SEC: int(32 * 1024, 64),
  /**
   * A Kubernetes cluster whose RuntimeClasses become runtimes (k8s:<name>): a kubeconfig file, or "in-cluster"
   * for the service account of the pod the playground runs in. Empty: no cluster.
   */
  SBPG_KUBECONFIG: z.string().default(""),
  /** The namespace the playground's pods (and its deny-all NetworkPolicy) go in; it must exist. */
  SBPG_K8S_NAMESPACE: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, "a namespace is a DNS label")
    .default("sandbox-playground"),
  /** How pages name the cluster ("cluster <name>"); empty: the kubeconfig's current cluster. */
  SBPG_K8S_CLUSTER_NAME: z.string().max(63).default(""),
  /** Cluster runs at once, counted apart from the host's SBPG_MAX_CONCURRENT_RUNS (size it by docs/kubernetes.md). */
  SBPG_K8S_MAX_CONCURRENT_RUNS: int(50, 1),
  /** A JSON file naming which RuntimeClasses are Kata (Go or Rust), gVisor or runc; see docs/kubernetes.md. */
  SBPG_K8S_RUNTIME_MAP: z.string().default(""),
  /**
   * The registry references the cluster pulls the playground's images from, as name=reference pairs
   * (comma separated), e.g. "busybox=registry.example/sbpg/busybox:1"; no registry is assumed.
   */
  SBPG_K8S_IMAGES: z
    .string()
    .default("")
    .transform((text, ctx) => {
      const parsed = parseImageReferences(text);
      if (typeof parsed === "string") {
        ctx.addIssue({ code: "custom", message: parsed });
        return z.NEVER;
      }
      return parsed;
    }),
  /**
   * Several clusters side by side, instead of SBPG_KUBECONFIG: a JSON array of
   * {"name","kubeconfig","context"?,"namespace"?,"runtimeMap"?,"images"?,"maxConcurrentRuns"?}; each one's
   * runtimes are k8s:<name>/<class>, each with its own availability. See docs/kubernetes.md.
   */
  SBPG_K8S_CLUSTERS: z
    .string()
    .default("")
    .transform((text, ctx) => {
      const parsed = parseClusterList(text);
      if (typeof parsed === "string" || parsed instanceof z.ZodError) {
        ctx.addIssue({
          code: "custom",
          message: typeof parsed === "string" ? parsed : describeIssue(parsed),
        });
        return z.NEVER;
      }
      const clusters = [];
      for (const [index, entry] of parsed.entries()) {
        const images = parseImageReferences(entry.images);
        if (typeof images === "string") {
          ctx.addIssue({ code: "custom", message: `${index}.images: ${images}` });
          return z.NEVER;
        }
        clusters.push({ ...entry, images });
      }
      return clusters;
    }),
  /**
   * How the serverless page's requests reach a Knative Service on the cluster: "url", its status.url (the
   * playground runs where that cluster-local name resolves, e.g. in the cluster), or "api-proxy", through the
   * API server's service proxy to the revision (from outside the cluster). See docs/kubernetes.md.
   */
  SBPG_KNATIVE_INVOKE: z.enum(["url", "api-proxy"]).default("api-proxy"),
  /** The host's vAccel agent: "off" starts none, and runs that ask for it are refused. */
  SBPG_VACCEL: z.enum(["on", "off"]).default("on"),
  /**
   * Where the agent also listens for guests that dial it like vaccel-rpc-agent (unix://, tcp://); empty: only
   * the per-sandbox sockets. Test hosts leave it empty so parallel hosts do not compete for one port.
   */
  SBPG_VACCEL_ADDRESS: z
    .string()
    .default(DEFAULT_RPC_ADDRESS)
    .superRefine((text, ctx) => {
      if (text === "") return;
      const parsed = rpcAddressSchema.safeParse(text);
      if (!parsed.success) ctx.addIssue({ code: "custom", message: describeIssue(parsed.error) });
      else if (parsed.data.scheme === "vsock")
        ctx.addIssue({
          code: "custom",
          message: "the agent listens on unix:// or tcp://, not vsock://",
        });
    }),
  /**
   * A real vaccel-rpc-agent on this host, named as vAccel names it (VACCEL_RPC_ADDRESS, then VACCEL_RPC_ADDR):
   * runs may then choose it instead of the playground's agent; their sockets relay to it. Unset: none.
   */
  VACCEL_RPC_ADDRESS: hostAgentAddress(),
  VACCEL_RPC_ADDR: hostAgentAddress(),
});

function hostAgentAddress() {
  return z
    .string()
    .optional()
    .superRefine((text, ctx) => {
      if (!text) return;
      const parsed = rpcAddressSchema.safeParse(text);
      if (!parsed.success) ctx.addIssue({ code: "custom", message: describeIssue(parsed.error) });
      else if (parsed.data.scheme !== "unix" && parsed.data.scheme !== "tcp")
        ctx.addIssue({
          code: "custom",
          message: "the server reaches the host's agent over unix:// or tcp://",
        });
    });
}

/** "busybox=ref,node-onnx=ref" to a map, or what is wrong with it. */
export function parseImageReferences(text: string): Record<string, string> | string {
  const references: Record<string, string> = {};
  for (const pair of text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^([a-z0-9][a-z0-9-]*)=([A-Za-z0-9][A-Za-z0-9._\/:@-]*)$/.exec(pair);
    if (!match) return `"${pair}" is not image=registry/reference`;
    const [, name, reference] = match;
    if (!(knownImages as readonly string[]).includes(name!))
      return `"${name}" is not an image the playground builds (${knownImages.join(", ")})`;
    references[name!] = reference!;
  }
  return references;
}

export type Config = ReturnType<typeof toConfig>;

function toConfig(env: z.infer<typeof EnvSchema>) {
  return {
    env: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    logLevel: env.LOG_LEVEL,
    cacheDir: path.resolve(env.SBPG_CACHE_DIR),
    stateDir: path.resolve(env.SBPG_STATE_DIR),
    dataDir: path.resolve(env.SBPG_DATA_DIR),
    workshopSweepMs: env.SBPG_WORKSHOP_SWEEP_MS,
    maxOpenWorkshops: env.SBPG_MAX_OPEN_WORKSHOPS,
    maxOpenWorkshopsPerClient: env.SBPG_MAX_OPEN_WORKSHOPS_PER_CLIENT,
    maxOpenWorkshopsPerAddress: env.SBPG_MAX_OPEN_WORKSHOPS_PER_ADDRESS,
    trustedProxies: env.SBPG_TRUSTED_PROXIES,
    /** Not the engine's: the launch policy counts it over every visitor behind one address. */
    maxActiveRunsPerAddress: env.SBPG_MAX_ACTIVE_RUNS_PER_ADDRESS,
    runcPath: env.SBPG_RUNC_PATH,
    runscPath: env.SBPG_RUNSC_PATH,
    gvisorPlatform: env.SBPG_GVISOR_PLATFORM,
    qemuPath: env.SBPG_QEMU_PATH,
    microvmAccel: env.SBPG_MICROVM_ACCEL,
    microvmPoolSize: env.SBPG_MICROVM_POOL_SIZE,
    microvmPoolMax: env.SBPG_MICROVM_POOL_MAX,
    microvmPoolMemoryBytes: env.SBPG_MICROVM_POOL_MEMORY_BYTES,
    microvmSnapshot: env.SBPG_MICROVM_SNAPSHOT === "on",
    microvmSnapshotTerminals: env.SBPG_MICROVM_SNAPSHOT_TERMINALS,
    microvmsCpu: {
      cpuShares: env.SBPG_MICROVMS_CPU_SHARES,
      idle: env.SBPG_MICROVMS_CPU_IDLE === "on",
    },
    containerd: {
      binary: env.SBPG_CONTAINERD_PATH,
      ctr: env.SBPG_CTR_PATH,
      address: env.SBPG_CONTAINERD_ADDRESS || null,
      namespace: env.SBPG_CONTAINERD_NAMESPACE,
      logLevel: env.SBPG_CONTAINERD_LOG_LEVEL,
    },
    sandboxesCpu: {
      cpuShares: env.SBPG_SANDBOXES_CPU_SHARES,
      cpuCores: env.SBPG_SANDBOXES_CPU_CORES > 0 ? env.SBPG_SANDBOXES_CPU_CORES : null,
    },
    maxBodyBytes: env.SBPG_MAX_BODY_BYTES,
    labs: { checkTimeoutMs: env.SBPG_LAB_CHECK_TIMEOUT_MS },
    vaccel: {
      enabled: env.SBPG_VACCEL === "on",
      /** null: no listener besides the per-sandbox sockets. */
      address: env.SBPG_VACCEL_ADDRESS || null,
      /** A vaccel-rpc-agent of the host that runs may choose; null: none. */
      hostAgentAddress: env.VACCEL_RPC_ADDRESS || env.VACCEL_RPC_ADDR || null,
    },
    sessions: {
      idleMs: env.SBPG_SESSION_IDLE_MS,
      lifetimeMs: Math.min(env.SBPG_SESSION_LIFETIME_MS, env.SBPG_SESSION_MAX_LIFETIME_MS),
      maxLifetimeMs: env.SBPG_SESSION_MAX_LIFETIME_MS,
      maxSessions: env.SBPG_MAX_SESSIONS,
      maxSessionsPerClient: env.SBPG_MAX_SESSIONS_PER_CLIENT,
      homeBytes: env.SBPG_SESSION_HOME_BYTES,
      maxTerminalsPerSession: env.SBPG_MAX_TERMINALS_PER_SESSION,
      terminalBacklogBytes: env.SBPG_TERMINAL_BACKLOG_BYTES,
      terminalInputBytesPerSec: env.SBPG_TERMINAL_INPUT_BYTES_PER_SEC,
    },
    /** The clusters the site fronts beside the host, in order; empty: none. */
    kubernetes: (env.SBPG_KUBECONFIG
      ? [
          {
            kubeconfig: env.SBPG_KUBECONFIG,
            context: null,
            namespace: env.SBPG_K8S_NAMESPACE,
            clusterName: env.SBPG_K8S_CLUSTER_NAME || null,
            runtimePrefix: clusterRuntimePrefix,
            runtimeMapFile: env.SBPG_K8S_RUNTIME_MAP || null,
            images: env.SBPG_K8S_IMAGES,
            maxConcurrentRuns: env.SBPG_K8S_MAX_CONCURRENT_RUNS,
            knativeInvoke: env.SBPG_KNATIVE_INVOKE,
          },
        ]
      : env.SBPG_K8S_CLUSTERS.map((cluster) => ({
          kubeconfig: cluster.kubeconfig,
          context: cluster.context ?? null,
          namespace: cluster.namespace,
          clusterName: cluster.name,
          runtimePrefix: clusterRuntimePrefixFor(cluster.name),
          runtimeMapFile: cluster.runtimeMap ?? null,
          images: cluster.images,
          maxConcurrentRuns: cluster.maxConcurrentRuns,
          knativeInvoke: env.SBPG_KNATIVE_INVOKE,
        }))) satisfies KubernetesConfig[],
    retention: { ms: env.SBPG_RUN_RETENTION_MS, maxRuns: env.SBPG_MAX_RETAINED_RUNS },
    limits: {
      maxConcurrentRuns: env.SBPG_MAX_CONCURRENT_RUNS,
      maxQueuedRuns: env.SBPG_MAX_QUEUED_RUNS,
      maxActiveRunsPerClient: env.SBPG_MAX_ACTIVE_RUNS_PER_CLIENT,
      defaultTimeoutMs: Math.min(env.SBPG_DEFAULT_TIMEOUT_MS, env.SBPG_MAX_TIMEOUT_MS),
      maxTimeoutMs: env.SBPG_MAX_TIMEOUT_MS,
      memoryBytes: env.SBPG_MEMORY_LIMIT_BYTES,
      pids: env.SBPG_PIDS_LIMIT,
      cpuShares: env.SBPG_CPU_SHARES,
      outputBytes: env.SBPG_OUTPUT_LIMIT_BYTES,
      tmpfsBytes: env.SBPG_TMPFS_BYTES,
      logBacklogBytes: env.SBPG_LOG_BACKLOG_BYTES,
    },
  };
}

export type HostLimits = Config["limits"];
export type { KubernetesConfig } from "../runtimes/kubernetes/cluster-list";
export type SessionLimits = Config["sessions"];

/** Parses the environment; a bad variable stops start-up with every problem named. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (parsed.success && parsed.data.SBPG_KUBECONFIG && parsed.data.SBPG_K8S_CLUSTERS.length > 0) {
    throw new Error(
      "Invalid environment:\n  SBPG_K8S_CLUSTERS: set it or SBPG_KUBECONFIG, not both (a list names every cluster)",
    );
  }
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${describeIssue(issue)}`).join("\n");
    throw new Error(`Invalid environment:\n${problems}`);
  }
  return toConfig(parsed.data);
}
