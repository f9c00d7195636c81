// Sessions and terminals on the wire: HTTP bodies and replies, terminal:* socket payloads. Server and browser parse with these.
import { z } from "zod";
import { RunLimitsRequestSchema } from "./run-limits";
import { clusterRuntimePrefix, RuntimeTokenSchema } from "./runtime-ids";
import { ApiErrorSchema } from "./schemas";

/**
 * Host runtimes whose driver opens sessions; the others' POST /api/sessions answers unavailable:session_runtime.
 * A cluster's runtimes (k8s:<class>) open them too, where one is configured. Kata's, where Kata is installed, go
 * through containerd as containerd-runc's do (untried on a real Kata: none could be installed where this was built).
 * Not kata-fc, which runs nothing yet (Firecracker needs a block-device snapshotter).
 */
export const sessionRuntimeIds = [
  "runc",
  "gvisor",
  "containerd-runc",
  "microvm",
  "kata",
  "kata-qemu",
  "kata-clh",
  "kata-rs",
  "kata-qemu-runtime-rs",
  "kata-clh-runtime-rs",
] as const;

/** Of a host's runtimes, those a session can be opened on now: available, and opening sessions. */
export const sessionRuntimesOf = <R extends { id: string; available: boolean }>(
  runtimes: R[],
): R[] => runtimes.filter((r) => r.available && opensSessions(r.id));

/** Whether a runtime opens sessions: one of sessionRuntimeIds, or a cluster's. */
export const opensSessions = (runtimeId: string): boolean =>
  (sessionRuntimeIds as readonly string[]).includes(runtimeId) ||
  runtimeId.startsWith(clusterRuntimePrefix);

export const sessionStates = [
  "queued",
  "preparing",
  "booting",
  "ready",
  "ended",
  "failed",
] as const;
export const SessionStateSchema = z.enum(sessionStates);
export type SessionState = z.infer<typeof SessionStateSchema>;
export const isFinalSessionState = (state: SessionState): boolean =>
  state === "ended" || state === "failed";

const TokenSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/, "lowercase letters, digits and dashes");

export const CreateSessionBodySchema = z
  .object({
    runtime: RuntimeTokenSchema,
    image: TokenSchema.default("busybox"),
    /** Memory and pids of the whole session, at most the host's; outputBytes bounds each exec's log. */
    limits: RunLimitsRequestSchema.optional(),
    /** How long the session may live before it is ended, at most the host's bound; extendable. */
    lifetimeMs: z.number().int().min(10_000).max(86_400_000).optional(),
    /** Ends the session after this long without input or a command; at most the host's idle timeout. */
    idleMs: z.number().int().min(1_000).max(86_400_000).optional(),
  })
  .strict();
export type CreateSessionBody = z.infer<typeof CreateSessionBodySchema>;

export const ExtendSessionBodySchema = z
  .object({ ms: z.number().int().min(1_000).max(86_400_000) })
  .strict();

export const SessionExecBodySchema = z
  .object({
    command: z
      .array(z.string().max(16_384, "a command argument is at most 16 KiB"))
      .min(1, "command needs at least one element")
      .max(256),
    timeoutMs: z.number().int().min(100).max(3_600_000).optional(),
  })
  .strict();
export type SessionExecBody = z.infer<typeof SessionExecBodySchema>;

/**
 * How a session's sandbox was made ready, where its runtime says: a microVM from the warm pool, restored from the
 * snapshot, or booted cold; `note` says it in words (with the time taken, or why it booted cold).
 */
export const SessionStartSchema = z.object({
  path: z.enum(["pooled", "restored", "cold"]),
  note: z.string(),
});
export type SessionStart = z.infer<typeof SessionStartSchema>;

export const SessionSnapshotSchema = z.object({
  id: z.string(),
  runtime: z.string(),
  image: z.string(),
  state: SessionStateSchema,
  /** Milliseconds since the request, per state reached. */
  timings: z.partialRecord(SessionStateSchema, z.number()),
  createdAt: z.string(),
  /** When the lifetime ends (ISO); null once ended. */
  expiresAt: z.string().nullable(),
  /** When the session ends unless someone types or runs something (ISO); null once ended. */
  idleExpiresAt: z.string().nullable(),
  /** The latest the lifetime can be extended to (ISO). */
  maxExpiresAt: z.string(),
  limits: z.object({
    memoryBytes: z.number(),
    pids: z.number(),
    cpuShares: z.number(),
    tmpfsBytes: z.number(),
    homeBytes: z.number(),
  }),
  /** Why it ended or failed: idle, lifetime, deleted, shutdown, or the runtime's error. */
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  terminals: z.array(z.object({ id: z.string(), exitCode: z.number().nullable() })),
  /** Null until ready, and for runtimes with one way to start. */
  start: SessionStartSchema.nullable(),
});
export type SessionSnapshot = z.infer<typeof SessionSnapshotSchema>;

/** A session on a cluster: what the API server says of its pod (its node is another machine, no /proc of it here). */
export const SessionPodViewSchema = z.object({
  cluster: z.string(),
  namespace: z.string(),
  pod: z.string(),
  node: z.string().nullable(),
  phase: z.string(),
  containers: z.array(
    z.object({
      name: z.string(),
      ready: z.boolean(),
      restartCount: z.number(),
      /** "running since …", "waiting: <reason>", "terminated: <reason> (exit <code>)". */
      state: z.string(),
    }),
  ),
});
export type SessionPodView = z.infer<typeof SessionPodViewSchema>;

export const SessionHostViewSchema = z.object({
  /** Present for a session on a cluster: then processes, cgroup and mounts are empty, the host has none of it. */
  pod: SessionPodViewSchema.optional(),
  processes: z.array(z.object({ pid: z.number(), command: z.string() })),
  cgroup: z.object({
    memoryBytes: z.number().nullable(),
    memoryLimitBytes: z.number().nullable(),
    pids: z.number().nullable(),
    pidsLimit: z.number().nullable(),
    cpuUsageMs: z.number().nullable(),
  }),
  mounts: z.array(
    z.object({
      pid: z.number(),
      mountPoint: z.string(),
      fsType: z.string(),
      source: z.string(),
      options: z.string(),
    }),
  ),
});
export type SessionHostView = z.infer<typeof SessionHostViewSchema>;

export const terminalEvents = {
  open: "terminal:open",
  attach: "terminal:attach",
  input: "terminal:input",
  resize: "terminal:resize",
  close: "terminal:close",
  output: "terminal:output",
  exit: "terminal:exit",
} as const;

const TerminalIdSchema = z.string().min(1).max(64);
const ColsSchema = z.number().int().min(2).max(500);
const RowsSchema = z.number().int().min(1).max(200);
/**
 * How long terminal:open waits for a session still starting (queued, preparing, booting) before it answers: the page
 * opens its shell as soon as it has the session's id, and the prompt follows the sandbox's ready at once instead of
 * at the page's next poll. A client waits a little longer for the ack.
 */
export const terminalOpenWaitMs = 90_000;
/** One terminal:input message; the server also bounds the bytes per second. */
export const maxTerminalInputChars = 4096;

export const TerminalOpenSchema = z
  .object({ sessionId: z.string().min(1).max(64), cols: ColsSchema, rows: RowsSchema })
  .strict();
export const TerminalAttachSchema = z.object({ terminalId: TerminalIdSchema }).strict();
export const TerminalInputSchema = z
  .object({ terminalId: TerminalIdSchema, data: z.string().min(1).max(maxTerminalInputChars) })
  .strict();
export const TerminalResizeSchema = z
  .object({ terminalId: TerminalIdSchema, cols: ColsSchema, rows: RowsSchema })
  .strict();
export const TerminalCloseSchema = TerminalAttachSchema;

export const TerminalOutputSchema = z.object({
  terminalId: z.string(),
  /** Characters before this chunk in the terminal's whole output: a client drops what it already has. */
  offset: z.number(),
  data: z.string(),
});
export type TerminalOutput = z.infer<typeof TerminalOutputSchema>;
export const TerminalExitSchema = z.object({
  terminalId: z.string(),
  exitCode: z.number().nullable(),
});
export type TerminalExit = z.infer<typeof TerminalExitSchema>;

export const TerminalAckSchema = z.union([
  z.object({ ok: z.literal(true), terminalId: z.string() }),
  z.object({ ok: z.literal(false), error: ApiErrorSchema.shape.error }),
]);
export type TerminalAck = z.infer<typeof TerminalAckSchema>;
