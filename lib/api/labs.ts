// Labs on the wire: a visitor's progress through a demo's steps, the bodies that attach sessions and ask for checks.
import { z } from "zod";

/** A step's life: locked until the one before is done, open, checking while a check runs, then done or failed. */
export const stepStates = ["locked", "open", "checking", "done", "failed"] as const;
export const StepStateSchema = z.enum(stepStates);
export type StepState = z.infer<typeof StepStateSchema>;

/** One check in one runtime's session: passed, or the hint (the last line it printed, or why it did not run). */
export const CheckOutcomeSchema = z.object({
  runtime: z.string(),
  passed: z.boolean(),
  hint: z.string().nullable(),
  /** ISO time the check finished. */
  at: z.string(),
  durationMs: z.number(),
});
export type CheckOutcome = z.infer<typeof CheckOutcomeSchema>;

export const StepProgressSchema = z.object({
  index: z.number().int().min(0),
  state: StepStateSchema,
  /** ISO time the step entered each state it reached (the latest time, for a state entered again). */
  marks: z.partialRecord(StepStateSchema, z.string()),
  /** When it entered its current state. */
  since: z.string(),
  failedChecks: z.number().int().min(0),
  /** The latest check, one outcome per runtime the step runs on; empty before the first. */
  outcomes: z.array(CheckOutcomeSchema),
  /** The first failing runtime's hint of the latest check; null once it passed. */
  hint: z.string().nullable(),
});
export type StepProgress = z.infer<typeof StepProgressSchema>;

export const LabProgressSchema = z.object({
  demo: z.string(),
  steps: z.array(StepProgressSchema),
  /** The first step not done; the step count when every step is done. */
  current: z.number().int().min(0),
  /** runtime → the session the visitor works in for this lab. */
  sessions: z.record(z.string(), z.string()),
});
export type LabProgress = z.infer<typeof LabProgressSchema>;

const SessionIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, "a session id");

/** The sessions a lab page opened, one per runtime; each must be the caller's own. */
export const AttachLabSessionsBodySchema = z
  .object({
    sessions: z
      .array(z.object({ runtime: z.string().min(1).max(96), sessionId: SessionIdSchema }).strict())
      .min(1)
      .max(4),
  })
  .strict();
export type AttachLabSessionsBody = z.infer<typeof AttachLabSessionsBodySchema>;

/** One attendee's place in a workshop's labs, as the facilitator's dashboard shows it live. */
export const LabBoardEntrySchema = z.object({
  attendeeId: z.string(),
  name: z.string(),
  demo: z.string(),
  demoTitle: z.string(),
  /** The step the attendee is on (zero-based); stepCount once every step is done. */
  step: z.number().int().min(0),
  stepTitle: z.string().nullable(),
  stepCount: z.number().int().min(0),
  state: StepStateSchema,
  /** When the attendee reached this step (ISO): the dashboard counts the time on it from here. */
  since: z.string(),
  failedChecks: z.number().int().min(0),
  /** The latest hint the step's check gave, so a facilitator sees what someone is stuck on. */
  hint: z.string().nullable(),
});
export type LabBoardEntry = z.infer<typeof LabBoardEntrySchema>;

/** A step whose solution the workshop's facilitator revealed to everyone. */
export const LabRevealSchema = z
  .object({ demo: z.string().min(1).max(100), step: z.number().int().min(0).max(999) })
  .strict();
export type LabReveal = z.infer<typeof LabRevealSchema>;

/** socket.io events of workshop labs: the facilitator watches the board and reveals; attendees follow reveals. */
export const labEvents = {
  /** Facilitator → server: {workshopId} (the facilitator token in the handshake); ack {entries, revealed}; then `entry` events. */
  watch: "lab:watch",
  entry: "lab:entry",
  /** Facilitator → server: {workshopId, demo, step}; every attendee of the workshop then gets `revealed`. */
  reveal: "lab:reveal",
  /** Attendee → server (the attendee cookie on the handshake): ack {revealed}; then `revealed` events. */
  follow: "lab:follow",
  revealed: "lab:revealed",
} as const;

export const LabWatchSchema = z.object({ workshopId: z.string().min(1).max(64) }).strict();
export const LabRevealRequestSchema = LabWatchSchema.extend(LabRevealSchema.shape).strict();
export const LabFollowSchema = z.object({}).strict();

export const LabWatchAckSchema = z.union([
  z.object({
    ok: z.literal(true),
    entries: z.array(LabBoardEntrySchema),
    revealed: z.array(LabRevealSchema),
  }),
  z.object({ ok: z.literal(false), error: z.object({ code: z.string(), message: z.string() }) }),
]);
export const LabFollowAckSchema = z.union([
  z.object({ ok: z.literal(true), revealed: z.array(LabRevealSchema) }),
  z.object({ ok: z.literal(false), error: z.object({ code: z.string(), message: z.string() }) }),
]);
export const LabRevealAckSchema = LabFollowAckSchema;
export const LabEntryEventSchema = z.object({ entry: LabBoardEntrySchema });
export const LabRevealedEventSchema = z.object({ reveal: LabRevealSchema });
