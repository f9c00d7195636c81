// Runs and workshops: an attendee's launches go through the workshop's quotas, and only they and their facilitator see them.
import type { IncomingHttpHeaders } from "node:http";
import {
  noGrant,
  type AccessRole,
  type RunAccess,
  type RunGrant,
  type SessionGrant,
} from "../runs/run-access";
import { attendeeTokenOf, bearerTokenOf } from "./cookies";
import { parseOwner, type Attendee, type WorkshopService } from "./workshop-service";

export function workshopRunAccess(service: WorkshopService): RunAccess {
  const attendeeOf = (headers: IncomingHttpHeaders): Attendee | null => {
    const token = attendeeTokenOf(headers);
    return token ? service.attendeeByToken(token) : null;
  };
  return {
    admitLaunch(headers, launch): RunGrant {
      const attendee = attendeeOf(headers);
      // A stale or unknown cookie is an ordinary visitor: their runs are theirs by id, as for everyone.
      return attendee ? service.admitRun(attendee, launch) : noGrant;
    },
    admitSession(headers, launch): SessionGrant {
      const attendee = attendeeOf(headers);
      return attendee ? service.admitSession(attendee, launch) : noGrant;
    },
    mayAccess(owner, headers) {
      return owner === null || roleOf(owner, headers) !== null;
    },
    roleOf,
  };

  function roleOf(owner: string, headers: IncomingHttpHeaders): AccessRole {
    const parsed = parseOwner(owner);
    if (!parsed) return null;
    if (attendeeOf(headers)?.id === parsed.attendeeId) return "use";
    const facilitatorToken = bearerTokenOf(headers);
    // The facilitator helps: sees and ends an attendee's sandboxes, never types into them.
    return facilitatorToken !== null &&
      service.workshopOfFacilitatorToken(facilitatorToken) === parsed.workshopId
      ? "watch"
      : null;
  }
}
