// The browser's side of the HTTP API: every reply is parsed with the shared schemas before the UI sees it.
import type { z } from "zod";
import {
  ApiErrorSchema,
  CreateRunReplySchema,
  HostReplySchema,
  RunSnapshotSchema,
  RuntimesReplySchema,
  type CreateRunBody,
  type HostReply,
  type RunSnapshot,
  type RuntimeInfo,
} from "@/lib/api/schemas";

/** A failed request, carrying the message the server wrote for the visitor. */
export class ApiRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
    this.name = "ApiRequestError";
  }
}

/** Fetches JSON and parses it with `schema`; a failure is an ApiRequestError with the server's message. */
export async function requestJson<T extends z.ZodType>(
  path: string,
  schema: T,
  init?: RequestInit,
): Promise<z.infer<T>> {
  let response: Response;
  try {
    response = await fetch(path, {
      ...init,
      cache: "no-store",
      headers: { accept: "application/json", ...init?.headers },
    });
  } catch {
    throw new ApiRequestError(
      "The playground server cannot be reached. Is it running, and is the network up?",
      0,
      "network",
    );
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = ApiErrorSchema.safeParse(body);
    if (error.success)
      throw new ApiRequestError(error.data.error.message, response.status, error.data.error.code);
    throw new ApiRequestError(
      `The server answered ${response.status} ${response.statusText}.`,
      response.status,
      "http",
    );
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new ApiRequestError(
      `The server's reply to ${path} has an unexpected shape.`,
      response.status,
      "bad_reply",
    );
  }
  return parsed.data;
}

export async function fetchRuntimes(): Promise<RuntimeInfo[]> {
  return (await requestJson("/api/runtimes", RuntimesReplySchema)).runtimes;
}

export function fetchHost(): Promise<HostReply> {
  return requestJson("/api/host", HostReplySchema);
}

export function fetchRun(runId: string): Promise<RunSnapshot> {
  return requestJson(`/api/runs/${encodeURIComponent(runId)}`, RunSnapshotSchema);
}

export async function createRun(body: CreateRunBody): Promise<string> {
  const reply = await requestJson("/api/runs", CreateRunReplySchema, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return reply.id;
}

/** `keepalive` lets the request outlive the page, so closing a tab still tears its sandboxes down. */
export function stopRun(
  runId: string,
  options: { keepalive?: boolean } = {},
): Promise<RunSnapshot> {
  return requestJson(`/api/runs/${encodeURIComponent(runId)}`, RunSnapshotSchema, {
    method: "DELETE",
    keepalive: options.keepalive,
  });
}

export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
