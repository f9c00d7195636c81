// Browser benchmark for /sandbox in Debian's Chromium: click on "Start a shell" to the prompt drawn in xterm's
// rows, and key press to its echo drawn there, per runtime. Needs the built site (`npm run build`) and root.
import fs from "node:fs/promises";
import { parseArgs } from "node:util";
import next from "next";
import { chromium, type Page } from "playwright-core";
import { z } from "zod";
import { loadConfig } from "../server/config/env";
import { startPlaygroundServer } from "../server/app";
import { createLogger } from "../server/log/logger";
import { summarize } from "../lib/stats";
import { chromiumLaunchOptions } from "../e2e/chromium-options";

const ArgsSchema = z.object({
  sessions: z.coerce.number().int().min(1).max(50).default(5),
  keys: z.coerce.number().int().min(1).max(200).default(40),
});
const { values } = parseArgs({
  options: { sessions: { type: "string" }, keys: { type: "string" } },
});
const { sessions, keys } = ArgsSchema.parse(values);

const stateDir = await fs.mkdtemp("/run/sbpg-bench-terminal-");
const config = loadConfig({
  ...process.env,
  NODE_ENV: "production",
  PORT: "0",
  HOST: "127.0.0.1",
  SBPG_STATE_DIR: stateDir,
  SBPG_VACCEL_ADDRESS: "",
  SBPG_MAX_SESSIONS_PER_CLIENT: "50",
});
const app = next({ dev: false, dir: process.cwd() });
await app.prepare();
const handle = app.getRequestHandler();
const server = await startPlaygroundServer(
  config,
  createLogger(process.env.LOG_LEVEL ?? "warn"),
  (req, res) => handle(req, res),
);
const browser = await chromium.launch(chromiumLaunchOptions);

/** Resolves, inside the page, once a rendered xterm row satisfies `pattern` (polled every frame). */
const rowMatches = (page: Page, pattern: string) =>
  page.waitForFunction(
    (source) =>
      [...document.querySelectorAll('[data-testid="interactive-terminal"] .xterm-rows > div')].some(
        (row) => new RegExp(source).test((row.textContent ?? "").replace(/\u00a0/g, " ").trim()),
      ),
    pattern,
    { polling: "raf", timeout: 20_000 },
  );

const rows: Array<{ runtime: string; promptMs: number[]; echoMs: number[] }> = [];
try {
  const page = await browser.newPage();
  for (const runtime of ["runc", "gvisor"]) {
    const row = { runtime, promptMs: [] as number[], echoMs: [] as number[] };
    rows.push(row);
    // One warm-up session per runtime: the page's chunks, the image's pages in the host's cache.
    for (let s = 0; s <= sessions; s++) {
      await page.goto(`${server.url}/sandbox`);
      await page.locator(`input[type=radio][value="${runtime}"]`).check();
      const started = Date.now();
      await page.getByTestId("start-session").click();
      await rowMatches(page, "^~ #$");
      if (s > 0) row.promptMs.push(Date.now() - started);
      if (s === sessions) {
        // Key press (through the browser's input pipeline) to the echoed character drawn in the rows.
        await page.getByTestId("interactive-terminal").click();
        for (let k = 1; k <= keys; k++) {
          const pressed = Date.now();
          await page.keyboard.press("x");
          await rowMatches(page, `^~ # x{${k}}$`);
          row.echoMs.push(Date.now() - pressed);
        }
      }
      await page.getByRole("button", { name: "End session" }).click();
      await page.getByTestId("start-session").waitFor();
    }
  }
} finally {
  await browser.close();
  await server.close();
  await fs.rm(stateDir, { recursive: true, force: true });
}

console.log(
  `/sandbox in Chromium: ${sessions} sessions per runtime after 1 warm-up, ${keys} key presses in the last`,
);
console.log(
  `${"runtime".padEnd(10)}${"click → prompt drawn (median / p95)".padStart(40)}${"key → echo drawn (median / p95)".padStart(36)}`,
);
for (const row of rows) {
  const prompt = summarize(row.promptMs);
  const echo = summarize(row.echoMs);
  console.log(
    `${row.runtime.padEnd(10)}${`${prompt.median.toFixed(0)} / ${prompt.p95.toFixed(0)} ms`.padStart(40)}${`${echo.median.toFixed(1)} / ${echo.p95.toFixed(1)} ms`.padStart(36)}`,
  );
}
