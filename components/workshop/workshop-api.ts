// The browser's side of the workshop API. The attendee's cookie rides along by itself; facilitator calls carry the facilitator token.
import { z } from "zod";
import { requestJson } from "@/components/live/api-client";
import {
  AttendeeRunSchema,
  AttendeeViewSchema,
  CreateWorkshopReplySchema,
  DashboardSchema,
  EndWorkshopReplySchema,
  JoinWorkshopReplySchema,
  WorkshopSummarySchema,
  type AttendeeRun,
  type AttendeeView,
  type CreateWorkshopBody,
  type CreateWorkshopReply,
  type Dashboard,
  type JoinWorkshopBody,
  type WorkshopSummary,
} from "@/lib/api/workshops";

const post = (body?: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
  body: body === undefined ? undefined : JSON.stringify(body),
});
const bearer = (facilitatorToken: string) => ({ authorization: `Bearer ${facilitatorToken}` });
const facilitatorPath = (id: string, suffix = "") =>
  `/api/workshops/${encodeURIComponent(id)}${suffix}`;

export function createWorkshop(body: CreateWorkshopBody): Promise<CreateWorkshopReply> {
  return requestJson("/api/workshops", CreateWorkshopReplySchema, post(body));
}

export function joinWorkshop(body: JoinWorkshopBody) {
  return requestJson("/api/workshops/join", JoinWorkshopReplySchema, post(body));
}

export function fetchMyWorkshop(): Promise<AttendeeView> {
  return requestJson("/api/workshops/me", AttendeeViewSchema);
}

export async function leaveWorkshop(): Promise<void> {
  await requestJson("/api/workshops/me/leave", z.object({ ok: z.literal(true) }), post());
}

export function fetchDashboard(id: string, facilitatorToken: string): Promise<Dashboard> {
  return requestJson(facilitatorPath(id), DashboardSchema, { headers: bearer(facilitatorToken) });
}

export function extendWorkshop(
  id: string,
  facilitatorToken: string,
  minutes: number,
): Promise<WorkshopSummary> {
  return requestJson(
    facilitatorPath(id, "/extend"),
    WorkshopSummarySchema,
    post({ minutes }, bearer(facilitatorToken)),
  );
}

export function endWorkshop(
  id: string,
  facilitatorToken: string,
): Promise<{ stoppedRuns: number; endedSessions: number }> {
  return requestJson(
    facilitatorPath(id, "/end"),
    EndWorkshopReplySchema,
    post(undefined, bearer(facilitatorToken)),
  );
}

export function endAttendeeSession(id: string, facilitatorToken: string, sessionId: string) {
  return requestJson(
    facilitatorPath(id, `/sessions/${encodeURIComponent(sessionId)}`),
    z.object({ ended: z.literal(true) }),
    { method: "DELETE", headers: bearer(facilitatorToken) },
  );
}

export function stopAttendeeRun(
  id: string,
  facilitatorToken: string,
  runId: string,
): Promise<AttendeeRun> {
  return requestJson(facilitatorPath(id, `/runs/${encodeURIComponent(runId)}`), AttendeeRunSchema, {
    method: "DELETE",
    headers: bearer(facilitatorToken),
  });
}
