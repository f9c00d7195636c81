// The HTTP transport: /api through the router, then each raw handler (the function gateway), then the pages.
import http from "node:http";
import type { Logger } from "../log/logger";
import type { ApiRouter } from "./api-router";
import { ensureVisitorCookie } from "./visitor";

export type PageHandler = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
) => Promise<void> | void;

/** A handler that answers some requests itself (true) and leaves the rest to the next one (false). */
export type RawHandler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<boolean>;

export function createHttpServer(options: {
  api: ApiRouter;
  raw: RawHandler[];
  /** Next's page handler; null serves the API only. */
  pages: PageHandler | null;
  log: Logger;
}): http.Server {
  const { api, raw, pages, log } = options;
  return http.createServer((req, res) => {
    void (async () => {
      if (await api.handle(req, res)) return;
      for (const handler of raw) if (await handler(req, res)) return;
      if (pages) {
        ensureVisitorCookie(req, res);
        return pages(req, res);
      }
      res.statusCode = 404;
      res.setHeader("Content-Type", "text/plain; charset=utf-8");
      res.end("This server was started without pages (API only).\n");
    })().catch((err: unknown) => {
      log.error({ err, url: req.url }, "unhandled request error");
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
  });
}
