// Presenter mode on the wire: creating a presentation over HTTP, following and driving it over socket.io.
import { z } from "zod";

const SlugSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "a slug is lowercase words joined by dashes");
const PresentationIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,32}$/, "not a presentation id");
/** Tokens are 32 random bytes in base64url; anything longer is not worth comparing. */
const TokenSchema = z.string().min(1).max(128);
const RunIdSchema = z.string().min(1).max(64);
const TerminalIdSchema = z.string().min(1).max(64);
export const maxAnnouncedRuns = 16;
export const maxMirroredTerminals = 4;

export const CreatePresentationBodySchema = z
  .object({
    track: SlugSchema,
    /** Shown to the audience: "Following <presenter>". */
    presenter: z.string().trim().min(1).max(60).optional(),
  })
  .strict();
export type CreatePresentationBody = z.infer<typeof CreatePresentationBodySchema>;

export const CreatePresentationReplySchema = z.object({
  id: PresentationIdSchema,
  presenterToken: TokenSchema,
  /** Path of the audience view, relative to the site (the token is never in it). */
  audienceUrl: z.string(),
});
export type CreatePresentationReply = z.infer<typeof CreatePresentationReplySchema>;

export const OutlineDemoSchema = z.object({
  slug: SlugSchema,
  title: z.string(),
  stepCount: z.number().int().min(1),
});

/** What everyone in the room sees; it never holds the token. */
export const PresentationStateSchema = z.object({
  id: PresentationIdSchema,
  track: z.object({ slug: SlugSchema, title: z.string() }),
  presenter: z.string(),
  outline: z.array(OutlineDemoSchema).min(1),
  demo: SlugSchema,
  step: z.number().int().min(0),
  /** Runs the presenter launched for the current demo, for the audience to follow read-only. */
  runs: z.array(RunIdSchema).max(maxAnnouncedRuns),
  /** The presenter's terminals, mirrored read-only to the audience (terminal:attach); kept across demos. */
  terminals: z.array(TerminalIdSchema).max(maxMirroredTerminals).default([]),
  /** Grows with every change, so a client can drop a state older than the one it shows. */
  version: z.number().int().min(0),
});
export type PresentationState = z.infer<typeof PresentationStateSchema>;

export const presenterEvents = {
  join: "presentation:join",
  leave: "presentation:leave",
  step: "presentation:step",
  runs: "presentation:runs",
  terminals: "presentation:terminals",
  /** Server → room: the new state after every change. */
  state: "presentation:state",
  /** Server → room: how many audience browsers follow, after each joins or leaves. */
  audience: "presentation:audience",
} as const;

/** `audience: true` counts the browser among those following (the presenter's own view does not). */
export const JoinPayloadSchema = z
  .object({ id: PresentationIdSchema, audience: z.boolean().optional() })
  .strict();

export const AudienceEventSchema = z.object({
  id: PresentationIdSchema,
  following: z.number().int().min(0),
});
export type AudienceEvent = z.infer<typeof AudienceEventSchema>;

export const StepPayloadSchema = z
  .object({
    id: PresentationIdSchema,
    token: TokenSchema,
    demo: SlugSchema,
    step: z.number().int().min(0).max(999),
  })
  .strict();
export type StepPayload = z.infer<typeof StepPayloadSchema>;

export const RunsPayloadSchema = z
  .object({
    id: PresentationIdSchema,
    token: TokenSchema,
    runIds: z.array(RunIdSchema).max(maxAnnouncedRuns),
  })
  .strict();
export type RunsPayload = z.infer<typeof RunsPayloadSchema>;

export const TerminalsPayloadSchema = z
  .object({
    id: PresentationIdSchema,
    token: TokenSchema,
    terminalIds: z.array(TerminalIdSchema).max(maxMirroredTerminals),
  })
  .strict();

/** Every presenter event is acknowledged with the state it led to, or why nothing changed. */
export const PresentationAckSchema = z.union([
  z.object({ ok: z.literal(true), state: PresentationStateSchema }),
  z.object({ ok: z.literal(false), error: z.object({ code: z.string(), message: z.string() }) }),
]);
export type PresentationAck = z.infer<typeof PresentationAckSchema>;

export const PresentationStateEventSchema = z.object({ state: PresentationStateSchema });
