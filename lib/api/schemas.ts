// Shapes that cross the wire: HTTP bodies and replies, socket.io payloads. Server and browser both parse with these.
import { z } from "zod";
import { requestErrorCodes, runEndCodes } from "./errors";
import { RuntimeKindSchema, RuntimeLocationSchema, RuntimeTokenSchema } from "./runtime-ids";
import { RunLimitsRequestSchema } from "./run-limits";
import { PhaseClocksSchema, runStates, TimingsSchema } from "./phases";

export const RunStateSchema = z.enum(runStates);
export type RunState = z.infer<typeof RunStateSchema>;
export const terminalStates: readonly RunState[] = ["exited", "failed", "stopped"];
export const isTerminalState = (state: RunState): boolean => terminalStates.includes(state);

/** A refused request's reply; the code is one of lib/api/errors.ts. */
export const ApiErrorSchema = z.object({
  error: z.object({ code: z.enum(requestErrorCodes), message: z.string() }),
});
export type ApiErrorBody = z.infer<typeof ApiErrorSchema>;

/** An image name as sent by a client: a short token, so an unknown one gets 404 rather than 400. */
const ImageTokenSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/, "an image name is lowercase letters, digits and dashes");

export const CreateRunBodySchema = z
  .object({
    runtime: RuntimeTokenSchema,
    image: ImageTokenSchema.default("busybox"),
    command: z
      .array(z.string().max(16_384, "a command argument is at most 16 KiB"))
      .min(1, "command needs at least one element")
      .max(256)
      .optional(),
    timeoutMs: z.number().int().min(100).max(3_600_000).optional(),
    /** This run's own memory, pids and output limits, at most the host's (GET /api/host); absent: the host's. */
    limits: RunLimitsRequestSchema.optional(),
    /** Take a VM booted ahead of time from the runtime's warm pool (microvm); other runtimes ignore it. */
    pool: z.boolean().optional(),
    /** Connect the sandbox to the host's vAccel agent (VACCEL_RPC_ADDRESS in its environment). */
    vaccel: z.boolean().optional(),
    /**
     * Which agent answers the sandbox's vAccel socket: the playground's own (default), or the host's
     * vaccel-rpc-agent named by the server's VACCEL_RPC_ADDRESS (GET /api/host says whether it answers).
     */
    vaccelAgent: z.enum(["playground", "host"]).optional(),
  })
  .strict();
export type CreateRunBody = z.infer<typeof CreateRunBodySchema>;

export const CreateRunReplySchema = z.object({ id: z.string() });

/** Milliseconds since the request, per phase reached (requested, queued, started, firstOutput, exited, and the driver's own). */

export const RunLimitsSchema = z.object({
  timeoutMs: z.number(),
  memoryBytes: z.number(),
  pids: z.number(),
  cpuShares: z.number(),
  outputBytes: z.number(),
});
export type RunLimits = z.infer<typeof RunLimitsSchema>;

/** The sandbox's host processes at their peak PSS while it ran (null: not measured, or too short to catch). */
export const MemoryFootprintSchema = z.object({
  rssBytes: z.number(),
  pssBytes: z.number(),
  processes: z.number(),
});
export type MemoryFootprint = z.infer<typeof MemoryFootprintSchema>;

export const RunSnapshotSchema = z.object({
  id: z.string(),
  runtime: z.string(),
  image: z.string(),
  command: z.array(z.string()),
  state: RunStateSchema,
  exitCode: z.number().nullable(),
  timings: TimingsSchema,
  /** Phases dated by another machine's clock (a cluster's scheduler), and whose; absent: all the playground's. */
  clocks: PhaseClocksSchema.optional(),
  /** Why a run did not simply exit (stopped, a limit, the runtime); null when it exited or still runs. */
  error: z.object({ code: z.enum(runEndCodes), message: z.string() }).nullable(),
  /** 1-based place in the host's queue while state is "queued", else null. */
  queuePosition: z.number().nullable(),
  limits: RunLimitsSchema,
  outputTruncated: z.boolean(),
  memory: MemoryFootprintSchema.nullable(),
  createdAt: z.string(),
});
export type RunSnapshot = z.infer<typeof RunSnapshotSchema>;

export const RuntimeInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: RuntimeKindSchema,
  available: z.boolean(),
  version: z.string().nullable(),
  reason: z.string().nullable(),
  /** What to do to make it available, shown when it is not. */
  install: z.string().nullable(),
  details: z.record(z.string(), z.string()),
  /** Where its sandboxes run; absent: this host. */
  location: RuntimeLocationSchema.optional(),
});
export type RuntimeInfo = z.infer<typeof RuntimeInfoSchema>;
export const RuntimesReplySchema = z.object({ runtimes: z.array(RuntimeInfoSchema) });

export const HostReplySchema = z.object({
  hostname: z.string(),
  kernel: z.string(),
  cpus: z.number(),
  memoryBytes: z.number(),
  limits: z.object({
    maxConcurrentRuns: z.number(),
    maxQueuedRuns: z.number(),
    maxActiveRunsPerClient: z.number(),
    defaultTimeoutMs: z.number(),
    maxTimeoutMs: z.number(),
    memoryBytes: z.number(),
    pids: z.number(),
    cpuShares: z.number(),
    outputBytes: z.number(),
  }),
  /** How the host tells visitors apart (visitor cookie, address) and what one address holds at most. */
  visitors: z.object({
    maxActiveRunsPerAddress: z.number(),
    maxOpenWorkshopsPerVisitor: z.number(),
    maxOpenWorkshopsPerAddress: z.number(),
    maxPresentationsPerVisitor: z.number(),
    maxPresentationsPerAddress: z.number(),
    /** SBPG_TRUSTED_PROXIES: whose X-Forwarded-For names the client; empty: the TCP peer is the client. */
    trustedProxies: z.array(z.string()),
  }),
  images: z.array(
    z.object({
      name: z.string(),
      available: z.boolean(),
      sizeBytes: z.number().nullable(),
      reason: z.string().nullable(),
    }),
  ),
  /** The host's vAccel agent; null when it is off (SBPG_VACCEL=off). */
  vaccel: z
    .object({
      /** Its shared listener, as vaccel-rpc-agent's --address; null when only per-run sockets serve. */
      address: z.string().nullable(),
      backend: z.object({
        name: z.string(),
        version: z.string(),
        executionProvider: z.string(),
        cudaProviderInstalled: z.boolean(),
        /** Milliseconds each model took to open; absent while it loads. */
        modelLoadMs: z.record(z.string(), z.number()),
      }),
      /** Sessions open across every connected sandbox. */
      sessions: z.number().optional(),
      /** A real vaccel-rpc-agent of the host (the server's VACCEL_RPC_ADDRESS); null or absent: none configured. */
      hostAgent: z
        .object({ address: z.string(), answers: z.boolean(), error: z.string().nullable() })
        .nullable()
        .optional(),
    })
    .nullable()
    .optional(),
  /** Runs on the host, without their ids: an id is the capability to watch or stop a run, so only its creator has it. */
  runs: z.array(
    z.object({
      label: z.string(),
      runtime: z.string(),
      image: z.string(),
      state: RunStateSchema,
      ageMs: z.number(),
      queuePosition: z.number().nullable(),
    }),
  ),
});
export type HostReply = z.infer<typeof HostReplySchema>;

// socket.io: the browser subscribes to runs it knows the id of and receives their live side.
export const socketEvents = {
  subscribe: "run:subscribe",
  unsubscribe: "run:unsubscribe",
  log: "run:log",
  state: "run:state",
} as const;

export const SubscribePayloadSchema = z.object({ runId: z.string().min(1).max(64) }).strict();
export type SubscribePayload = z.infer<typeof SubscribePayloadSchema>;

/** Reply to run:subscribe through the ack callback. */
export const SubscribeAckSchema = z.union([
  z.object({ ok: z.literal(true), run: RunSnapshotSchema }),
  z.object({
    ok: z.literal(false),
    error: z.object({ code: z.enum(requestErrorCodes), message: z.string() }),
  }),
]);
export type SubscribeAck = z.infer<typeof SubscribeAckSchema>;

/** A batch of output; `offset` counts the characters of output before this chunk, so a client can drop what it has already seen. */
export const LogChunkSchema = z.object({ runId: z.string(), offset: z.number(), data: z.string() });
export type LogChunk = z.infer<typeof LogChunkSchema>;

export const StateEventSchema = z.object({ runId: z.string(), run: RunSnapshotSchema });
export type StateEvent = z.infer<typeof StateEventSchema>;
