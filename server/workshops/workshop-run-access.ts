// Runs and workshops: an attendee's launches go through the workshop's quotas, and only they and their facilitator see them.
import type { IncomingHttpHeaders } from "node:http";
import type { AccessRole, LaunchGrant, RunAccess, SessionGrant } from "../runs/run-access";
import { attendeeTokenOf, bearerTokenOf } from "./cookies";
import { parseOwner, type Attendee, type WorkshopService } from "./workshop-service";

export function workshopRunAccess(service: WorkshopService): RunAccess {
  const attendeeOf = (headers: IncomingHttpHeaders): Attendee | null => {
    const token = attendeeTokenOf(headers);
    return token ? service.attendeeByToken(token) : null;
  };
  return {
    admitLaunch(headers, launch): LaunchGrant {
      const attendee = attendeeOf(headers);
      // A stale or unknown cookie is an ordinary visitor: their runs are theirs by id, as for everyone.
      if (!attendee) return { owner: null, launched: () => undefined, cancel: () => undefined };
      const admission = service.admitRun(attendee, launch);
      return {
        owner: admission.owner,
        timeoutMs: admission.timeoutMs,
        launched(run) {
          admission.launched(run.id);
          const onChange = () => {
            if (!run.finished) return;
            run.off("change", onChange);
            service.markRunEnded(run.id);
          };
          run.on("change", onChange);
          onChange();
        },
        cancel: admission.cancel,
      };
    },
    admitSession(headers, launch): SessionGrant {
      const attendee = attendeeOf(headers);
      if (!attendee) return { owner: null, launched: () => undefined, cancel: () => undefined };
      return service.admitSession(attendee, launch);
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
