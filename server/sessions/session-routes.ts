// /api/sessions: create, read, end, extend, run a command inside, and the host's view of one.
import type { IncomingHttpHeaders } from "node:http";
import {
  CreateSessionBodySchema,
  ExtendSessionBodySchema,
  SessionExecBodySchema,
} from "../../lib/api/sessions";
import { PlaygroundError } from "../errors/playground-error";
import { idPattern, type ApiRequest, type ApiRoute } from "../http/api-router";
import type { LaunchPolicy } from "../runs/launch-policy";
import { sessionRole } from "./session-access";
import type { SessionManager } from "./session-manager";

export function sessionRoutes(ctx: { sessions: SessionManager; policy: LaunchPolicy }): ApiRoute[] {
  const { sessions, policy } = ctx;
  // Someone else's session is "not found": the reply does not confirm it exists. A workshop's facilitator sees
  // and ends an attendee's session but does not act inside it.
  const visibleSession = (
    id: string | undefined,
    headers: IncomingHttpHeaders,
    needs: "see" | "use" = "see",
  ) => {
    const found = id ? sessions.get(id) : undefined;
    const role = found ? sessionRole(found, headers, policy.access) : null;
    if (!found || !role)
      throw new PlaygroundError("not_found", "session", `No session with id "${id}".`);
    if (needs === "use" && role !== "use")
      throw new PlaygroundError(
        "forbidden",
        "session_read_only",
        "You watch this session read-only; only the attendee who started it can act inside it.",
      );
    return found;
  };
  const caller = (request: ApiRequest) => ({
    headers: request.req.headers,
    requester: request.requester,
    requestedAt: request.requestedAt,
  });
  const one = new RegExp(`^/api/sessions/(?<id>${idPattern})$`);
  return [
    {
      method: "POST",
      pattern: /^\/api\/sessions$/,
      handler: async (request) => {
        const body = await request.body(CreateSessionBodySchema, "session request");
        const session = await policy.launchSession(caller(request), body);
        return { status: 201, body: { id: session.id } };
      },
    },
    {
      method: "GET",
      pattern: one,
      handler: async ({ params, req }) => ({
        status: 200,
        body: visibleSession(params.id, req.headers).snapshot(),
      }),
    },
    {
      method: "DELETE",
      pattern: one,
      handler: async ({ params, req }) => {
        const session = visibleSession(params.id, req.headers);
        await sessions.end(session, "deleted");
        return { status: 200, body: session.snapshot() };
      },
    },
    {
      method: "POST",
      pattern: new RegExp(`^/api/sessions/(?<id>${idPattern})/extend$`),
      handler: async (request) => {
        const session = visibleSession(request.params.id, request.req.headers, "use");
        const body = await request.body(ExtendSessionBodySchema, "extend request");
        sessions.extend(session, body.ms);
        return { status: 200, body: session.snapshot() };
      },
    },
    {
      method: "POST",
      pattern: new RegExp(`^/api/sessions/(?<id>${idPattern})/exec$`),
      handler: async (request) => {
        const session = visibleSession(request.params.id, request.req.headers, "use");
        const body = await request.body(SessionExecBodySchema, "exec request");
        const run = await sessions.exec(session, (inside) =>
          policy.launch(caller(request), {
            runtime: session.runtime,
            image: session.image,
            command: body.command,
            timeoutMs: body.timeoutMs,
            session: inside,
          }),
        );
        return { status: 201, body: { id: run.id } };
      },
    },
    {
      method: "GET",
      pattern: new RegExp(`^/api/sessions/(?<id>${idPattern})/host$`),
      handler: async ({ params, req }) => ({
        status: 200,
        body: await sessions.hostView(visibleSession(params.id, req.headers)),
      }),
    },
  ];
}
