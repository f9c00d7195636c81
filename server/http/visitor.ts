// Which browser started a run: pages hand every browser an opaque visitor id, and a run started with one
// can be stopped only from that browser. Watching stays open to whoever holds the run id (an audience).
import { randomBytes } from "node:crypto";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { parseCookies } from "./cookies";

export const visitorCookie = "sbpg_visitor";
const visitorIdPattern = /^[A-Za-z0-9_-]{22,64}$/;
const maxAgeSeconds = 365 * 24 * 60 * 60;

/** The caller's visitor id, or null when it sent none (an API client, or a page not yet loaded). */
export function visitorIdOf(headers: IncomingHttpHeaders): string | null {
  const id = parseCookies(headers.cookie).get(visitorCookie);
  return id && visitorIdPattern.test(id) ? id : null;
}

/** Gives a browser its visitor id with the first page it loads; httpOnly, so page scripts never see it. */
export function ensureVisitorCookie(req: IncomingMessage, res: ServerResponse): void {
  if (visitorIdOf(req.headers)) return;
  const id = randomBytes(18).toString("base64url");
  res.appendHeader(
    "Set-Cookie",
    `${visitorCookie}=${id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}`,
  );
}
