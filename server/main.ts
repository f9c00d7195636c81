// Entry point: `npm start` (production) and `npm run dev`. Serves pages, API and socket.io on one port.
import next from "next";
import { loadConfig } from "./config/env";
import { PlaygroundError } from "./errors/playground-error";
import { createLogger } from "./log/logger";
import { startPlaygroundServer, type PageHandler } from "./app";

const config = loadConfig();
const log = createLogger(config.logLevel);
const apiOnly = process.argv.includes("--api-only");

let pages: PageHandler | null = null;
if (!apiOnly) {
  const app = next({
    dev: config.env === "development",
    dir: process.cwd(),
    hostname: config.host,
    port: config.port,
  });
  await app.prepare();
  const handle = app.getRequestHandler();
  pages = (req, res) => handle(req, res);
}

// A folder or port another process holds is the operator's to resolve: one line saying how, no stack trace.
const server = await startPlaygroundServer(config, log, pages).catch((err: unknown) => {
  if (!(err instanceof PlaygroundError) || !err.code.startsWith("conflict:")) throw err;
  process.stderr.write(`Sandbox Playground did not start: ${err.message}\n`);
  process.exit(1);
});
log.info(
  { url: server.url, host: config.host, port: config.port, pages: !apiOnly },
  "Sandbox Playground is listening",
);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping every sandbox, then exiting");
    void server.close().then(() => process.exit(0));
    setTimeout(() => process.exit(1), 15_000).unref();
  });
}
