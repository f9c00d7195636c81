// /api/labs/:slug: a visitor's progress through a demo's steps, the sessions it runs in, checks and completions.
import { AttachLabSessionsBodySchema } from "../../lib/api/labs";
import { DemoSlugSchema } from "../../lib/demos/schema";
import { PlaygroundError } from "../errors/playground-error";
import type { ApiRequest, ApiRoute } from "../http/api-router";
import type { LabCaller, LabService } from "./lab-service";

const slugPattern = "[a-z0-9]+(?:-[a-z0-9]+)*";

export function labRoutes(ctx: { labs: LabService }): ApiRoute[] {
  const { labs } = ctx;
  const lab = new RegExp(`^/api/labs/(?<slug>${slugPattern})$`);
  const stepAction = (action: string) =>
    new RegExp(`^/api/labs/(?<slug>${slugPattern})/steps/(?<index>\\d{1,3})/${action}$`);
  return [
    {
      method: "GET",
      pattern: lab,
      handler: async (request) => ({
        status: 200,
        body: labs.progress(callerOf(request).owner, slugOf(request)),
      }),
    },
    {
      method: "DELETE",
      pattern: lab,
      handler: async (request) => ({
        status: 200,
        body: labs.reset(callerOf(request).owner, slugOf(request)),
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

/** Progress is kept per browser, so a lab needs the visitor cookie every page hands out. */
function callerOf(request: ApiRequest): LabCaller {
  const { visitorId } = request.requester;
  if (!visitorId)
    throw new PlaygroundError(
      "unauthorized",
      "visitor",
      "Labs keep each visitor's progress by the site's visitor cookie; open the lab's page in a browser.",
    );
  return {
    owner: `visitor:${visitorId}`,
    headers: request.req.headers,
    requester: request.requester,
    requestedAt: request.requestedAt,
  };
}

function slugOf(request: ApiRequest): string {
  return DemoSlugSchema.parse(request.params.slug);
}

function indexOf(request: ApiRequest): number {
  return Number(request.params.index);
}
