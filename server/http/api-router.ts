// The HTTP API's dispatcher: feature modules contribute route tables; this matches, parses and replies JSON.
import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import type { z } from "zod";
import {
  PlaygroundError,
  asPlaygroundError,
  badRequest,
  toErrorBody,
  type ErrorSubject,
} from "../errors/playground-error";
import type { Logger } from "../log/logger";
import { readJsonBody } from "./read-body";
import { noTrustedProxies, type TrustedProxies } from "./client-address";
import { requesterOf, type Requester } from "./requester";

/** A request body's name in errors, e.g. "run request"; its first word is a bad_request subject. */
export type BodyName = `${ErrorSubject<"bad_request">} ${string}`;

export interface ApiRequest {
  req: IncomingMessage;
  /** Named groups of the route's pattern. */
  params: Record<string, string>;
  /** The query string. */
  query: URLSearchParams;
  /** performance.now() when the request arrived. */
  requestedAt: number;
  /** Who asks, as quotas count them: visitor cookie and address. */
  requester: Requester;
  /** Reads and parses the JSON body with a schema; a mismatch is a 400 (code bad_request:<first word of what>) naming the field. */
  /** `what` names the body in the error, its first word the code's subject: "run request" → bad_request:run. */
  body<T extends z.ZodType>(schema: T, what: BodyName): Promise<z.infer<T>>;
  /** Sets a response header (cookies, Location). */
  setHeader(name: string, value: string | string[]): void;
}

export type ApiReply =
  { status: number; body: unknown; text?: never } | { status: number; text: string; body?: never };

export interface ApiRoute {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  pattern: RegExp;
  handler: (request: ApiRequest) => Promise<ApiReply>;
}

/** Ids in URLs: what run ids, workshop ids and tokens look like. */
export const idPattern = "[A-Za-z0-9_-]{1,64}";

export interface ApiRouter {
  /** Answers /api/* requests; returns false for anything else so the page handler can take it. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

export function createApiRouter(options: {
  routes: ApiRoute[];
  log: Logger;
  maxBodyBytes: number;
  /** Whose X-Forwarded-For names the client (SBPG_TRUSTED_PROXIES); default: nobody's. */
  trustedProxies?: TrustedProxies;
}): ApiRouter {
  const { routes, log, maxBodyBytes, trustedProxies = noTrustedProxies } = options;
  return {
    async handle(req, res) {
      const url = new URL(req.url ?? "/", "http://localhost");
      if (!url.pathname.startsWith("/api/") && url.pathname !== "/api") return false;
      const requestedAt = performance.now();
      let reply: ApiReply;
      try {
        const matching = routes.filter((r) => r.pattern.test(url.pathname));
        const route = matching.find((r) => r.method === req.method);
        if (!route) {
          if (matching.length > 0) {
            res.setHeader("Allow", matching.map((r) => r.method).join(", "));
            throw new PlaygroundError(
              "method",
              "not_allowed",
              `${req.method} is not allowed on ${url.pathname}.`,
            );
          }
          throw new PlaygroundError(
            "not_found",
            "route",
            `No API route ${req.method} ${url.pathname}.`,
          );
        }
        const params = (url.pathname.match(route.pattern)?.groups ?? {}) as Record<string, string>;
        reply = await route.handler({
          req,
          params,
          query: url.searchParams,
          requestedAt,
          requester: requesterOf(req, trustedProxies),
          async body(schema, what) {
            const raw = await readJsonBody(req, maxBodyBytes);
            const parsed = schema.safeParse(raw);
            if (!parsed.success) {
              const subject = what.split(" ")[0] as ErrorSubject<"bad_request">;
              throw badRequest(parsed.error, what, subject);
            }
            return parsed.data;
          },
          setHeader: (name, value) => res.setHeader(name, value),
        });
      } catch (err) {
        const error = asPlaygroundError(err);
        if (error.status >= 500) log.error({ err, url: req.url }, "request failed");
        reply = { status: error.status, body: toErrorBody(error) };
        // Drain what the client is still sending, so it reads the reply rather than a reset connection.
        req.resume();
      }
      res.statusCode = reply.status;
      res.setHeader("Cache-Control", "no-store");
      if (reply.text !== undefined) {
        res.setHeader("Content-Type", "text/plain; charset=utf-8");
        res.end(reply.text);
      } else {
        res.setHeader("Content-Type", "application/json; charset=utf-8");
        res.end(JSON.stringify(reply.body));
      }
      return true;
    },
  };
}
