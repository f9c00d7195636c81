// The browser's side of /api/sessions: every reply parsed with the shared schemas.
import { z } from "zod";
import { requestJson } from "@/components/live/api-client";
import {
  SessionHostViewSchema,
  SessionSnapshotSchema,
  type CreateSessionBody,
  type SessionHostView,
  type SessionSnapshot,
} from "@/lib/api/sessions";

const sessionPath = (id: string) => `/api/sessions/${encodeURIComponent(id)}`;
const json = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

export async function createSession(body: CreateSessionBody): Promise<string> {
  return (await requestJson("/api/sessions", z.object({ id: z.string() }), json(body))).id;
}

export function fetchSession(id: string): Promise<SessionSnapshot> {
  return requestJson(sessionPath(id), SessionSnapshotSchema);
}

export function endSession(
  id: string,
  options: { keepalive?: boolean } = {},
): Promise<SessionSnapshot> {
  return requestJson(sessionPath(id), SessionSnapshotSchema, {
    method: "DELETE",
    keepalive: options.keepalive,
  });
}

export function extendSession(id: string, ms: number): Promise<SessionSnapshot> {
  return requestJson(`${sessionPath(id)}/extend`, SessionSnapshotSchema, json({ ms }));
}

export function fetchHostView(id: string): Promise<SessionHostView> {
  return requestJson(`${sessionPath(id)}/host`, SessionHostViewSchema);
}

/** Polls until the session is ready (or has ended, which throws its reason). */
export async function waitForSessionReady(id: string, pollMs = 100): Promise<SessionSnapshot> {
  for (;;) {
    const session = await fetchSession(id);
    if (session.state === "ready") return session;
    if (session.state === "ended" || session.state === "failed")
      throw new Error(session.error?.message ?? `The session ${session.state}.`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
