// /api/labs/:slug: a visitor's progress through a demo's steps, the sessions it runs in, checks and completions.
import type { IncomingHttpHeaders } from "node:http";
import { AttachLabSessionsBodySchema } from "../../lib/api/labs";
import { DemoSlugSchema } from "../../lib/demos/schema";
import { PlaygroundError } from "../errors/playground-error";
import type { ApiRequest, ApiRoute } from "../http/api-router";
import { visitorOwner } from "../sessions/session-access";
import type { BoardAttendee } from "./lab-board";
import type { LabCaller, LabService } from "./lab-service";

export interface LabRoutesContext {
  labs: LabService;
  /** The workshop attendee a request comes from, with the owner their sessions carry; null for anyone else. */
  attendeeOf(headers: IncomingHttpHeaders): (BoardAttendee & { owner: string }) | null;
}

const slugPattern = "[a-z0-9]+(?:-[a-z0-9]+)*";

export function labRoutes(ctx: LabRoutesContext): ApiRoute[] {
  const { labs } = ctx;
  const callerOf = (request: ApiRequest) => labCallerOf(request, ctx);
  const lab = new RegExp(`^/api/labs/(?<slug>${slugPattern})$`);
  const stepAction = (action: string) =>
    new RegExp(`^/api/labs/(?<slug>${slugPattern})/steps/(?<index>\\d{1,3})/${action}$`);
  return [
    {
      method: "GET",
      pattern: lab,
      handler: async (request) => ({
        status: 200,
        body: labs.progress(callerOf(request), slugOf(request)),
      }),
    },
    {
      method: "DELETE",
      pattern: lab,
      handler: async (request) => ({
        status: 200,
        body: labs.reset(callerOf(request), slugOf(request)),
      }),
    },
    {
      method: "PUT",
      pattern: new RegExp(`^/api/labs/(?<slug>${slugPattern})/sessions$`),
      handler: async (request) => {
        const caller = callerOf(request);
        const body = await request.body(AttachLabSessionsBodySchema, "lab sessions");
        return { status: 200, body: await labs.attach(caller, slugOf(request), body) };
      },
    },
    {
      method: "POST",
      pattern: stepAction("check"),
      handler: async (request) => ({
        status: 200,
        body: await labs.check(callerOf(request), slugOf(request), indexOf(request)),
      }),
    },
    {
      method: "POST",
      pattern: stepAction("complete"),
      handler: async (request) => ({
        status: 200,
        body: await labs.complete(callerOf(request), slugOf(request), indexOf(request)),
      }),
    },
  ];
}

/** Progress is kept per attendee in a workshop, otherwise per browser (the visitor cookie every page hands out). */
function labCallerOf(request: ApiRequest, ctx: LabRoutesContext): LabCaller {
  const launch = {
    headers: request.req.headers,
    requester: request.requester,
    requestedAt: request.requestedAt,
  };
  const attendee = ctx.attendeeOf(request.req.headers);
  if (attendee) {
    const { owner, ...who } = attendee;
    return { ...launch, owner, attendee: who };
  }
  const { visitorId } = request.requester;
  if (!visitorId)
    throw new PlaygroundError(
      "unauthorized",
      "visitor",
      "Labs keep each visitor's progress by the site's visitor cookie; open the lab's page in a browser.",
    );
  return { ...launch, owner: visitorOwner(visitorId), attendee: null };
}

function slugOf(request: ApiRequest): string {
  return DemoSlugSchema.parse(request.params.slug);
}

function indexOf(request: ApiRequest): number {
  return Number(request.params.index);
}
