// The browser's side of /api/labs: every reply parsed with the shared schema.
import { requestJson } from "@/components/live/api-client";
import { LabProgressSchema, type AttachLabSessionsBody, type LabProgress } from "@/lib/api/labs";

const labPath = (slug: string) => `/api/labs/${encodeURIComponent(slug)}`;
const post = (method: string, body?: unknown): RequestInit => ({
  method,
  headers: body === undefined ? undefined : { "content-type": "application/json" },
  body: body === undefined ? undefined : JSON.stringify(body),
});

export function fetchLabProgress(slug: string): Promise<LabProgress> {
  return requestJson(labPath(slug), LabProgressSchema);
}

export function attachLabSessions(slug: string, body: AttachLabSessionsBody): Promise<LabProgress> {
  return requestJson(`${labPath(slug)}/sessions`, LabProgressSchema, post("PUT", body));
}

export function checkLabStep(slug: string, index: number): Promise<LabProgress> {
  return requestJson(`${labPath(slug)}/steps/${index}/check`, LabProgressSchema, post("POST"));
}

export function completeLabStep(slug: string, index: number): Promise<LabProgress> {
  return requestJson(`${labPath(slug)}/steps/${index}/complete`, LabProgressSchema, post("POST"));
}

export function resetLab(slug: string): Promise<LabProgress> {
  return requestJson(labPath(slug), LabProgressSchema, post("DELETE"));
}
