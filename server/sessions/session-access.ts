// Who may see, use and end a session: the browser that started it; without a cookie, whoever holds its id.
import type { IncomingHttpHeaders } from "node:http";
import { visitorIdOf } from "../http/visitor";
import type { Session } from "./session";

export function mayUseSession(session: Session, headers: IncomingHttpHeaders): boolean {
  if (session.owner === null) return true;
  const visitor = visitorIdOf(headers);
  return visitor !== null && session.owner === `visitor:${visitor}`;
}
