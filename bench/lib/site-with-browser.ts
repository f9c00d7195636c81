// For the browser benchmarks: the built site and the API served in-process on a free loopback port, its own
// state folder, and Debian's Chromium; close() stops all three and removes the folder.
import fs from "node:fs/promises";
import next from "next";
import { chromium, type Browser } from "playwright-core";
import { startPlaygroundServer, type PlaygroundServer } from "../../server/app";
import { createLogger } from "../../server/log/logger";
import { chromiumLaunchOptions } from "../../e2e/chromium-options";
import { benchServerConfig } from "./bench-config";

export interface SiteWithBrowser {
  server: PlaygroundServer;
  browser: Browser;
  close(): Promise<void>;
}

/** Needs the built site (`npm run build`) and root. */
export async function startSiteWithBrowser(
  statePrefix: string,
  overrides: Record<string, string> = {},
): Promise<SiteWithBrowser> {
  const stateDir = await fs.mkdtemp(`/run/${statePrefix}-`);
  const config = benchServerConfig(stateDir, { NODE_ENV: "production", ...overrides });
  const app = next({ dev: false, dir: process.cwd() });
  await app.prepare();
  const handle = app.getRequestHandler();
  const server = await startPlaygroundServer(
    config,
    createLogger(process.env.LOG_LEVEL ?? "warn"),
    (req, res) => handle(req, res),
  );
  const removeState = () => fs.rm(stateDir, { recursive: true, force: true });
  // A browser that does not start (Chromium not installed) must not leave the server's sandboxes, mounts and
  // containerd behind: the state folder is this run's own, so no later start would reap it.
  const browser = await chromium.launch(chromiumLaunchOptions).catch(async (err: unknown) => {
    await server.close();
    await removeState();
    throw err;
  });
  return {
    server,
    browser,
    async close() {
      await browser.close();
      await server.close();
      await removeState();
    },
  };
}
