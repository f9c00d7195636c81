// One error type with a stable code from the closed table in lib/api/errors.ts, which also gives its HTTP status.
import type { z } from "zod";
import { describeIssue } from "../../lib/api/describe-issue";
import {
  type ErrorKind,
  type ErrorSubject,
  type RequestErrorCode,
  requestErrorStatus,
} from "../../lib/api/errors";

export type { ErrorKind, ErrorSubject, RequestErrorCode } from "../../lib/api/errors";

/** Codes read "<kind>:<subject>", e.g. "not_found:runtime"; the pair must be one of lib/api/errors.ts. */
export class PlaygroundError<K extends ErrorKind = ErrorKind> extends Error {
  readonly code: RequestErrorCode;
  readonly status: number;

  constructor(kind: K, subject: ErrorSubject<K>, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PlaygroundError";
    this.code = `${kind}:${subject}` as RequestErrorCode;
    this.status = requestErrorStatus[this.code];
  }
}

/** A payload that failed its schema (an HTTP body, a socket event): "Invalid <what>: field: message". */
export function badRequest(
  error: z.ZodError,
  what: string,
  subject: ErrorSubject<"bad_request">,
): PlaygroundError {
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
