// One error type with a stable code; one table maps codes to HTTP statuses for every reply.
import type { z } from "zod";
import { describeIssue } from "../../lib/api/describe-issue";

export const errorStatus = {
  bad_request: 400,
  /** No credentials where some are needed (an attendee cookie, a host token). */
  unauthorized: 401,
  /** Credentials that do not grant this (another workshop's host token, an ended workshop). */
  forbidden: 403,
  not_found: 404,
  method: 405,
  unavailable: 409,
  conflict: 409,
  too_large: 413,
  quota: 429,
  internal: 500,
  /** A sandboxed function that gave no valid reply: the upstream failed, not the playground. */
  bad_gateway: 502,
} as const;

export type ErrorKind = keyof typeof errorStatus;

/** Codes read "<kind>:<subject>", e.g. "not_found:runtime", so a client can branch on the kind. */
export class PlaygroundError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(kind: ErrorKind, subject: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PlaygroundError";
    this.code = `${kind}:${subject}`;
    this.status = errorStatus[kind];
  }
}

/** A payload that failed its schema (an HTTP body, a socket event): "Invalid <what>: field: message". */
export function badRequest(error: z.ZodError, what: string, subject: string): PlaygroundError {
  return new PlaygroundError("bad_request", subject, `Invalid ${what}: ${describeIssue(error)}`);
}

export function toErrorBody(err: PlaygroundError): { error: { code: string; message: string } } {
  return { error: { code: err.code, message: err.message } };
}

/** Anything else becomes an opaque internal error: the stack goes to the log, not to the visitor. */
export function asPlaygroundError(err: unknown): PlaygroundError {
  if (err instanceof PlaygroundError) return err;
  return new PlaygroundError(
    "internal",
    "server",
    "Something went wrong on the host; the log has details.",
    {
      cause: err,
    },
  );
}
