// The attendee's cookies: read from request headers (HTTP and the socket.io handshake), written on join and leave.
import type { IncomingHttpHeaders } from "node:http";
import { attendeeCookie, workshopCookie } from "../../lib/api/workshops";
import { parseCookies } from "../http/cookies";

export function attendeeTokenOf(headers: IncomingHttpHeaders): string | null {
  return parseCookies(headers.cookie).get(attendeeCookie) || null;
}

/** `Authorization: Bearer <token>` → the token. */
export function bearerTokenOf(headers: IncomingHttpHeaders): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? "");
  return match ? match[1] : null;
}

/** Long enough for any workshop; the token is what is checked, not the cookie's age. */
const maxAgeSeconds = 30 * 24 * 60 * 60;

/** The token stays out of page scripts (httpOnly); the workshop id is readable so pages know they are in one. */
export function joinCookies(token: string, workshopId: string): string[] {
  return [
    `${attendeeCookie}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}`,
    `${workshopCookie}=${encodeURIComponent(workshopId)}; Path=/; SameSite=Strict; Max-Age=${maxAgeSeconds}`,
  ];
}

export function leaveCookies(): string[] {
  return [
    `${attendeeCookie}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`,
    `${workshopCookie}=; Path=/; SameSite=Strict; Max-Age=0`,
  ];
}
