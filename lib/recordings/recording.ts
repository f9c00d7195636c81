// A recorded run as a file: what ran, where, its phases and its output with the time each piece was written.
import { z } from "zod";
import { describeIssue } from "../api/describe-issue";
import { RunSnapshotSchema } from "../api/schemas";

export const recordingFormat = "sbpg-recording";
export const recordingVersion = 1;
/** Larger files are refused before parsing: the output limit keeps real recordings far below this. */
export const maxRecordingBytes = 8 * 1024 * 1024;

export const RecordedHostSchema = z.object({
  hostname: z.string().min(1).max(255),
  kernel: z.string().max(255),
  cpus: z.number().int().min(0),
  memoryBytes: z.number().min(0),
});

export const RecordedChunkSchema = z.object({
  atMs: z.number().min(0),
  data: z.string(),
});
export type RecordedChunk = z.infer<typeof RecordedChunkSchema>;

export const RecordingSchema = z
  .object({
    format: z.literal(recordingFormat),
    version: z.literal(recordingVersion),
    recordedAt: z.iso.datetime({ offset: true }),
    host: RecordedHostSchema,
    run: RunSnapshotSchema,
    runtime: z.object({
      id: z.string().min(1).max(64),
      name: z.string().min(1).max(128),
      version: z.string().max(255).nullable(),
    }),
    workload: z.object({
      image: z.string().min(1).max(64),
      command: z.array(z.string()).min(1),
    }),
    output: z.array(RecordedChunkSchema).superRefine((chunks, ctx) => {
      chunks.forEach((chunk, i) => {
        if (i > 0 && chunk.atMs < chunks[i - 1].atMs)
          ctx.addIssue({
            code: "custom",
            path: [i, "atMs"],
            message: "output chunks must be in time order",
          });
      });
    }),
  })
  .superRefine((recording, ctx) => {
    if (!["exited", "failed", "stopped"].includes(recording.run.state))
      ctx.addIssue({
        code: "custom",
        path: ["run", "state"],
        message: `a recording holds a finished run, not one in state "${recording.run.state}"`,
      });
  });
export type Recording = z.infer<typeof RecordingSchema>;

export type ParsedRecording = { ok: true; recording: Recording } | { ok: false; message: string };

/** Reads a recording file's text; every way it can be wrong gets a sentence a visitor can act on. */
export function parseRecording(text: string): ParsedRecording {
  if (text.length > maxRecordingBytes)
    return {
      ok: false,
      message: `This file is too large for a recording (over ${maxRecordingBytes / (1024 * 1024)} MiB).`,
    };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, message: "This file is not a recording: it is not JSON." };
  }
  return checkRecording(raw);
}

export function checkRecording(raw: unknown): ParsedRecording {
  const envelope = z.object({ format: z.unknown(), version: z.unknown() }).safeParse(raw);
  if (!envelope.success || envelope.data.format !== recordingFormat)
    return {
      ok: false,
      message: `This file is not a Sandbox Playground recording (it has no "format": "${recordingFormat}").`,
    };
  if (envelope.data.version !== recordingVersion)
    return {
      ok: false,
      message: `This recording has version ${JSON.stringify(envelope.data.version)}; this playground reads version ${recordingVersion}.`,
    };
  const parsed = RecordingSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, message: `This recording is damaged: ${describeIssue(parsed.error)}.` };
  }
  return { ok: true, recording: parsed.data };
}

/** `runc-2026-11-27-054512.sbpg.json`: the runtime and the moment, in UTC. */
export function recordingFileName(recording: Pick<Recording, "recordedAt" | "runtime">): string {
  const stamp = recording.recordedAt
    .slice(0, 19)
    .replace("T", "-")
    .replace(/:(\d\d):(\d\d)$/, "$1$2");
  return `${recording.runtime.id}-${stamp}.sbpg.json`;
}

/** Text of the label every replayed column carries: which host, when, and that it is not live. */
export function describeRecording(recording: Pick<Recording, "recordedAt" | "host">): string {
  return `Recording — ${recording.host.hostname}, ${formatRecordedAt(recording.recordedAt)} (not live)`;
}

/** "2026-11-27 05:45 UTC": one unambiguous form for every audience. */
export function formatRecordedAt(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
