// Workshop API: facilitators create and run workshops (Bearer facilitator token), attendees join and see their own state (cookie).
import type { IncomingHttpHeaders } from "node:http";
import {
  CreateWorkshopBodySchema,
  ExtendWorkshopBodySchema,
  JoinWorkshopBodySchema,
  ProgressBodySchema,
} from "../../lib/api/workshops";
import type { SandboxEngine } from "../engine/engine";
import { PlaygroundError } from "../errors/playground-error";
import { idPattern, type ApiRequest, type ApiRoute } from "../http/api-router";
import { attendeeTokenOf, bearerTokenOf, joinCookies, leaveCookies } from "./cookies";
import { quotaKeyOf } from "../http/requester";
import type { Attendee, WorkshopService } from "./workshop-service";

export interface WorkshopRoutesContext {
  service: WorkshopService;
  engine: SandboxEngine;
}

const facilitatorRoute = (suffix = "") =>
  new RegExp(`^/api/workshops/(?<id>${idPattern})${suffix}$`);

export function workshopRoutes({ service, engine }: WorkshopRoutesContext): ApiRoute[] {
  const attendeeOf = (headers: IncomingHttpHeaders): Attendee => {
    const token = attendeeTokenOf(headers);
    const attendee = token ? service.attendeeByToken(token) : null;
    if (!attendee) {
      throw new PlaygroundError(
        "unauthorized",
        "attendee",
        "You have not joined a workshop in this browser; join with the code your facilitator gave you.",
      );
    }
    return attendee;
  };
  const asFacilitator = ({ req, params }: ApiRequest): string => {
    service.authorizeFacilitator(params.id, bearerTokenOf(req.headers));
    return params.id;
  };

  // The fixed paths come before /api/workshops/:id, which would match "me" and "join" too.
  return [
    {
      method: "POST",
      pattern: /^\/api\/workshops$/,
      handler: async (request) => {
        const body = await request.body(CreateWorkshopBodySchema, "workshop request");
        const runtimes = (await engine.runtimes()).map((r) => r.id);
        return {
          status: 201,
          body: service.create(body, runtimes, {
            visitor: quotaKeyOf(request.requester),
            address: request.requester.address,
          }),
        };
      },
    },
    {
      method: "POST",
      pattern: /^\/api\/workshops\/join$/,
      handler: async (request) => {
        const body = await request.body(JoinWorkshopBodySchema, "join request");
        const joined = service.join(body);
        request.setHeader("Set-Cookie", joinCookies(joined.token, joined.workshopId));
        return {
          status: 200,
          body: { workshopId: joined.workshopId, attendeeId: joined.attendeeId, name: joined.name },
        };
      },
    },
    {
      method: "GET",
      pattern: /^\/api\/workshops\/me$/,
      handler: async ({ req }) => ({
        status: 200,
        body: service.attendeeView(attendeeOf(req.headers)),
      }),
    },
    {
      method: "POST",
      pattern: /^\/api\/workshops\/me\/progress$/,
      handler: async (request) => {
        const attendee = attendeeOf(request.req.headers);
        const body = await request.body(ProgressBodySchema, "progress report");
        return { status: 200, body: { progress: service.recordProgress(attendee, body) } };
      },
    },
    {
      method: "POST",
      pattern: /^\/api\/workshops\/me\/leave$/,
      handler: async (request) => {
        // Leaving forgets the browser's seat; the attendee stays on the facilitator's dashboard.
        request.setHeader("Set-Cookie", leaveCookies());
        return { status: 200, body: { ok: true } };
      },
    },
    {
      method: "GET",
      pattern: facilitatorRoute(),
      handler: async (request) => ({
        status: 200,
        body: service.dashboard(asFacilitator(request)),
      }),
    },
    {
      method: "POST",
      pattern: facilitatorRoute("/extend"),
      handler: async (request) => {
        const id = asFacilitator(request);
        const body = await request.body(ExtendWorkshopBodySchema, "extend request");
        return { status: 200, body: service.extend(id, body.minutes) };
      },
    },
    {
      method: "POST",
      pattern: facilitatorRoute("/end"),
      handler: async (request) => ({
        status: 200,
        body: await service.end(asFacilitator(request)),
      }),
    },
    {
      method: "DELETE",
      pattern: facilitatorRoute(`/runs/(?<runId>${idPattern})`),
      handler: async (request) => {
        const id = asFacilitator(request);
        return { status: 200, body: await service.stopAttendeeRun(id, request.params.runId) };
      },
    },
    {
      method: "DELETE",
      pattern: facilitatorRoute(`/sessions/(?<sessionId>${idPattern})`),
      handler: async (request) => {
        const id = asFacilitator(request);
        return {
          status: 200,
          body: await service.endAttendeeSession(id, request.params.sessionId),
        };
      },
    },
  ];
}
