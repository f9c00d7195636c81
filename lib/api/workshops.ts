// Workshop mode on the wire: the facilitator's and the attendees' HTTP bodies and replies.
import { z } from "zod";
import { RuntimeTokenSchema } from "./runtime-ids";
import { RunStateSchema } from "./schemas";
import { SessionStateSchema } from "./sessions";

/** Join codes: no 0/O or 1/I, so a code read off a projector is typed right the first time. */
export const joinCodeAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
export const joinCodeLength = 6;

/** What a visitor types: case, spaces and dashes do not matter. */
export function normalizeJoinCode(text: string): string {
  return text.toUpperCase().replace(/[\s-]/g, "");
}

/** The attendee's token (httpOnly) and the workshop id (readable, so pages know they are in a workshop). */
export const attendeeCookie = "sbpg_attendee";
export const workshopCookie = "sbpg_workshop";

export const WorkshopQuotasSchema = z
  .object({
    /** Sandboxes one attendee may have running or queued at once. */
    maxConcurrentRuns: z.number().int().min(1).max(20),
    /** Runs one attendee may start over the whole workshop. */
    maxRunsPerAttendee: z.number().int().min(1).max(10_000),
    /** Runtime ids attendees may launch on. */
    allowedRuntimes: z.array(RuntimeTokenSchema).min(1, "allow at least one runtime").max(32),
    /** The longest a run may last; the host's own limit applies too. */
    maxTimeoutMs: z.number().int().min(1000).max(3_600_000),
    /** Interactive sessions one attendee may hold at once; 0 gives attendees none. */
    maxConcurrentSessions: z.number().int().min(0).max(20),
    /** The longest a session may live, extensions included; the host's own bound applies too. */
    maxSessionLifetimeMs: z.number().int().min(60_000).max(86_400_000),
  })
  .strict();
export type WorkshopQuotas = z.infer<typeof WorkshopQuotasSchema>;

/** What a facilitator asks for: the session quotas may be left out (one session, as long as the facilitator allows). */
export const WorkshopQuotasRequestSchema = WorkshopQuotasSchema.extend({
  maxConcurrentSessions: WorkshopQuotasSchema.shape.maxConcurrentSessions.optional(),
  maxSessionLifetimeMs: WorkshopQuotasSchema.shape.maxSessionLifetimeMs.optional(),
}).strict();

const NameSchema = (what: string, max: number) =>
  z
    .string()
    .trim()
    .min(1, `${what} cannot be empty`)
    .max(max, `${what} is at most ${max} characters`)
    // Control characters would let a name forge lines on the facilitator's dashboard.
    .regex(/^[^\p{Cc}]*$/u, `${what} cannot contain control characters`);

export const CreateWorkshopBodySchema = z
  .object({
    name: NameSchema("a workshop name", 80),
    capacity: z.number().int().min(1).max(1000),
    /** From now until attendees can no longer launch; the facilitator can extend it. */
    durationMinutes: z
      .number()
      .int()
      .min(5)
      .max(7 * 24 * 60),
    quotas: WorkshopQuotasRequestSchema,
  })
  .strict();
export type CreateWorkshopBody = z.infer<typeof CreateWorkshopBodySchema>;

export const CreateWorkshopReplySchema = z.object({
  id: z.string(),
  joinCode: z.string(),
  /** Shown once: only its hash is stored. */
  facilitatorToken: z.string(),
});
export type CreateWorkshopReply = z.infer<typeof CreateWorkshopReplySchema>;

export const JoinWorkshopBodySchema = z
  .object({
    code: z
      .string()
      .max(32)
      .transform(normalizeJoinCode)
      .pipe(
        z
          .string()
          .length(joinCodeLength, `a join code is ${joinCodeLength} letters and digits`)
          .regex(
            new RegExp(`^[${joinCodeAlphabet}]+$`),
            "a join code uses the letters A–Z and digits 2–9 (no 0, O, 1 or I)",
          ),
      ),
    name: NameSchema("your name", 40),
  })
  .strict();
export type JoinWorkshopBody = z.input<typeof JoinWorkshopBodySchema>;

export const JoinWorkshopReplySchema = z.object({
  workshopId: z.string(),
  attendeeId: z.string(),
  name: z.string(),
});

export const ProgressBodySchema = z
  .object({
    demo: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[a-z0-9][a-z0-9-]*$/, "a demo slug is lowercase letters, digits and dashes"),
    /** The step the visitor completed, numbered as the guided tracks number them (from 1). */
    step: z.number().int().min(0).max(1000),
  })
  .strict();
export type ProgressBody = z.infer<typeof ProgressBodySchema>;

export const ExtendWorkshopBodySchema = z
  .object({
    minutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60),
  })
  .strict();

export const WorkshopStatusSchema = z.enum(["open", "expired", "ended"]);
export type WorkshopStatus = z.infer<typeof WorkshopStatusSchema>;

export const WorkshopSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  capacity: z.number(),
  quotas: WorkshopQuotasSchema,
  createdAt: z.string(),
  expiresAt: z.string(),
  endedAt: z.string().nullable(),
  status: WorkshopStatusSchema,
});
export type WorkshopSummary = z.infer<typeof WorkshopSummarySchema>;

export const ProgressEntrySchema = z.object({ demo: z.string(), step: z.number(), at: z.string() });
export type ProgressEntry = z.infer<typeof ProgressEntrySchema>;

export const AttendeeRunSchema = z.object({
  id: z.string(),
  runtime: z.string(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  /** The engine's state while it still keeps the run; null once it forgot it (or the host restarted). */
  state: RunStateSchema.nullable(),
});
export type AttendeeRun = z.infer<typeof AttendeeRunSchema>;

export const UsageSchema = z.object({ activeRuns: z.number(), totalRuns: z.number() });

/** An attendee's session as their facilitator sees it: live ones only, with the time left before it ends. */
export const AttendeeSessionSchema = z.object({
  id: z.string(),
  runtime: z.string(),
  state: SessionStateSchema,
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  idleExpiresAt: z.string().nullable(),
  /** Until the earlier of the two deadlines, when the dashboard was read. */
  remainingMs: z.number().nullable(),
  /** Terminals still open: the facilitator can watch them read-only. */
  terminals: z.array(z.string()),
});
export type AttendeeSession = z.infer<typeof AttendeeSessionSchema>;

export const AttendeeViewSchema = z.object({
  workshop: WorkshopSummarySchema,
  attendee: z.object({ id: z.string(), name: z.string(), joinedAt: z.string() }),
  usage: UsageSchema,
  progress: z.array(ProgressEntrySchema),
  runs: z.array(AttendeeRunSchema),
});
export type AttendeeView = z.infer<typeof AttendeeViewSchema>;

export const DashboardSchema = z.object({
  workshop: WorkshopSummarySchema.extend({ joinCode: z.string() }),
  attendees: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      joinedAt: z.string(),
      usage: UsageSchema,
      progress: z.array(ProgressEntrySchema),
      /** Runs that have not ended. */
      activeRuns: z.array(AttendeeRunSchema),
      /** Sessions that have not ended. */
      activeSessions: z.array(AttendeeSessionSchema),
    }),
  ),
});
export type Dashboard = z.infer<typeof DashboardSchema>;

export const EndWorkshopReplySchema = z.object({
  stoppedRuns: z.number(),
  endedSessions: z.number(),
});
