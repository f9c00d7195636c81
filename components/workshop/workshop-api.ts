// The browser's side of the workshop API. The attendee's cookie rides along by itself; host calls carry the host token.
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
const bearer = (hostToken: string) => ({ authorization: `Bearer ${hostToken}` });
const hostPath = (id: string, suffix = "") => `/api/workshops/${encodeURIComponent(id)}${suffix}`;

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

export function fetchDashboard(id: string, hostToken: string): Promise<Dashboard> {
  return requestJson(hostPath(id), DashboardSchema, { headers: bearer(hostToken) });
}

export function extendWorkshop(
  id: string,
  hostToken: string,
  minutes: number,
): Promise<WorkshopSummary> {
  return requestJson(
    hostPath(id, "/extend"),
    WorkshopSummarySchema,
    post({ minutes }, bearer(hostToken)),
  );
}

export function endWorkshop(
  id: string,
  hostToken: string,
): Promise<{ stoppedRuns: number; endedSessions: number }> {
  return requestJson(
    hostPath(id, "/end"),
    EndWorkshopReplySchema,
    post(undefined, bearer(hostToken)),
  );
}

export function endAttendeeSession(id: string, hostToken: string, sessionId: string) {
  return requestJson(
    hostPath(id, `/sessions/${encodeURIComponent(sessionId)}`),
    z.object({ ended: z.literal(true) }),
    { method: "DELETE", headers: bearer(hostToken) },
  );
}

export function stopAttendeeRun(
  id: string,
  hostToken: string,
  runId: string,
): Promise<AttendeeRun> {
  return requestJson(hostPath(id, `/runs/${encodeURIComponent(runId)}`), AttendeeRunSchema, {
    method: "DELETE",
    headers: bearer(hostToken),
  });
}
