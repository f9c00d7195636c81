// Who may see, use and end a session: the browser (or workshop attendee) that started it; without a cookie, whoever holds its id; read-only, a workshop's facilitator.
import type { IncomingHttpHeaders } from "node:http";
import type { AccessRole, RunAccess } from "../runs/run-access";
import { visitorIdOf } from "../http/visitor";
import type { Session } from "./session";

import type { SessionManager } from "./session-manager";

export const visitorOwner = (visitorId: string): string => `visitor:${visitorId}`;

export function sessionRole(
  session: Pick<Session, "owner">,
  headers: IncomingHttpHeaders,
  access: RunAccess,
): AccessRole {
  if (session.owner === null) return "use";
  if (session.owner.startsWith("visitor:")) {
    const visitor = visitorIdOf(headers);
    return visitor !== null && session.owner === visitorOwner(visitor) ? "use" : null;
  }
  return access.roleOf(session.owner, headers);
}

/** How the caller stands to a terminal, by its session; null for an unknown one. */
export function terminalRole(
  sessions: SessionManager,
  terminalId: string,
  headers: IncomingHttpHeaders,
  access: RunAccess,
): AccessRole {
  const found = sessions.getTerminal(terminalId);
  return found ? sessionRole(found.session, headers, access) : null;
}
