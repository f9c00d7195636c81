// Browser benchmark for /sandbox in Debian's Chromium: click on "Start a shell" to the prompt drawn in xterm's
// rows, and key press to its echo drawn there (from outside, and on the page's own clock), per runtime. Needs the built site (`npm run build`) and root.
import { parseArgs } from "node:util";
import type { Page } from "playwright-core";
import { z } from "zod";
import { startSiteWithBrowser } from "./lib/site-with-browser";
import { summarize } from "../lib/stats";

const ArgsSchema = z.object({
  sessions: z.coerce.number().int().min(1).max(50).default(5),
  keys: z.coerce.number().int().min(1).max(200).default(40),
  /** Each key press waits a random pauseMs–2.5×pauseMs after the last echo: a typist's pace; 0 presses back to back. */
  pauseMs: z.coerce.number().int().min(0).max(2_000).default(100),
  runtimes: z
    .string()
    .default("runc,gvisor,microvm")
    .transform((list) => list.split(",")),
});
const { values } = parseArgs({
  options: {
    sessions: { type: "string" },
    keys: { type: "string" },
    runtimes: { type: "string" },
    "pause-ms": { type: "string" },
  },
});
const { sessions, keys, runtimes, pauseMs } = ArgsSchema.parse({
  ...values,
  pauseMs: values["pause-ms"],
});

const site = await startSiteWithBrowser("sbpg-bench-terminal", {
  SBPG_VACCEL_ADDRESS: "",
  SBPG_MAX_SESSIONS_PER_CLIENT: "50",
});
const { server, browser } = site;

/** Resolves, inside the page, once a rendered xterm row satisfies `pattern` (polled every frame). */
const rowMatches = (page: Page, pattern: string, timeout = 20_000) =>
  page.waitForFunction(
    (source) =>
      [...document.querySelectorAll('[data-testid="interactive-terminal"] .xterm-rows > div')].some(
        (row) => new RegExp(source).test((row.textContent ?? "").replace(/\u00a0/g, " ").trim()),
      ),
    pattern,
    { polling: "raf", timeout },
  );

/**
 * Times, inside the page, each key press from its keydown to the rows showing its echo, twice: when xterm changed
 * them (a MutationObserver: xterm writes its rows in an animation-frame callback, so that is the frame that paints
 * them) and at the first animation frame after (an upper bound: one frame later). The page's own clock, without
 * the CDP round trip and polling that floor the outside measure at ~50 ms.
 */
// A string, not a function: tsx's name helpers would not exist in the page.
const echoTimerScript = `(() => {
  window.echoMs = [];
  window.echoRowsMs = [];
  let typed = 0;
  const rowsShow = (text) =>
    [...document.querySelectorAll('[data-testid="interactive-terminal"] .xterm-rows > div')].some(
      (row) => (row.textContent ?? "").replace(/\\u00a0/g, " ").trim() === text,
    );
  window.clearTyped = () => (typed = 0);
  document.addEventListener("keydown", (event) => {
    if (event.key !== "x") return;
    typed += 1;
    const expected = "~ # " + "x".repeat(typed);
    const pressedAt = performance.now();
    const rowsOf = document.querySelector('[data-testid="interactive-terminal"] .xterm-rows');
    const observer = new MutationObserver(() => {
      if (!rowsShow(expected)) return;
      window.echoRowsMs.push(performance.now() - pressedAt);
      observer.disconnect();
    });
    if (rowsOf) observer.observe(rowsOf, { childList: true, subtree: true, characterData: true });
    const check = () => {
      if (rowsShow(expected)) window.echoMs.push(performance.now() - pressedAt);
      else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  }, { capture: true });
})()`;
const timeEchoesInPage = (page: Page) => page.evaluate(echoTimerScript);
/** Presses typed on one prompt line before it is cleared: well within the narrowest terminal's width. */
const keysPerLine = 40;

/**
 * Times, inside the page, the start button's click event to the first rows that show the prompt (a
 * MutationObserver, as for the echo): what a visitor waits, without Playwright's click (its actionability checks
 * and CDP round trips) and the polling of the outside measure.
 */
const promptTimerScript = `(() => {
  window.promptRowsMs = null;
  document.addEventListener("click", (event) => {
    if (!event.target.closest('[data-testid="start-session"]')) return;
    const clickedAt = performance.now();
    const observer = new MutationObserver(() => {
      const shown = [...document.querySelectorAll('[data-testid="interactive-terminal"] .xterm-rows > div')].some(
        (row) => (row.textContent ?? "").replace(/\u00a0/g, " ").trim() === "~ #",
      );
      if (!shown) return;
      window.promptRowsMs = performance.now() - clickedAt;
      observer.disconnect();
    });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  }, { capture: true, once: true });
})()`;

const rows: Array<{
  runtime: string;
  promptMs: number[];
  promptInPageMs: number[];
  echoMs: number[];
  inPageMs: number[];
  inPageRowsMs: number[];
  /** How each measured microVM session's VM came (the session's `start`), with its in-page click → prompt. */
  paths: Record<string, number[]>;
}> = [];
const header = () => {
  console.log(
    `/sandbox in Chromium: ${sessions} sessions per runtime after 1 warm-up, ${keys} key presses in the last, ${pauseMs ? `each ${pauseMs}–${pauseMs * 2.5} ms (at random) after the last echo` : "back to back"}`,
  );
  console.log(
    `${"runtime".padEnd(10)}${"click → prompt drawn (median / p95)".padStart(40)}${"in the page: click → prompt rows".padStart(36)}${"key → echo drawn (median / p95)".padStart(36)}${"in the page: keydown → rows / next frame (median / p95)".padStart(60)}`,
  );
};
/** Printed as each runtime finishes: a later runtime that fails does not take the earlier figures with it. */
const report = (row: (typeof rows)[number]) => {
  const prompt = summarize(row.promptMs);
  const promptInPage = summarize(row.promptInPageMs);
  const echo = summarize(row.echoMs);
  const inPage = summarize(row.inPageMs);
  const inRows = summarize(row.inPageRowsMs);
  console.log(
    `${row.runtime.padEnd(10)}${`${prompt.median.toFixed(0)} / ${prompt.p95.toFixed(0)} ms`.padStart(40)}${`${promptInPage.median.toFixed(0)} / ${promptInPage.p95.toFixed(0)} ms`.padStart(36)}${`${echo.median.toFixed(1)} / ${echo.p95.toFixed(1)} ms`.padStart(36)}${`${inRows.median.toFixed(1)} / ${inRows.p95.toFixed(1)} ms; ${inPage.median.toFixed(1)} / ${inPage.p95.toFixed(1)} ms`.padStart(60)}`,
  );
  const paths = Object.entries(row.paths);
  if (paths.length)
    console.log(
      `${"".padEnd(10)}its VMs (in the page: click → prompt rows, median): ${paths
        .map(([p, ms]) => `${p} ${ms.length} (${summarize(ms).median.toFixed(0)} ms)`)
        .join(", ")}`,
    );
};

header();
try {
  const page = await browser.newPage();
  for (const runtime of runtimes) {
    const row = {
      runtime,
      promptMs: [] as number[],
      promptInPageMs: [] as number[],
      echoMs: [] as number[],
      inPageMs: [] as number[],
      inPageRowsMs: [] as number[],
      paths: {} as Record<string, number[]>,
    };
    rows.push(row);
    // One warm-up session per runtime: the page's chunks, the image's pages in the host's cache.
    for (let s = 0; s <= sessions; s++) {
      await page.goto(`${server.url}/sandbox`);
      await page.locator(`input[type=radio][value="${runtime}"]`).check();
      await page.evaluate(promptTimerScript);
      const started = Date.now();
      await page.getByTestId("start-session").click();
      // A microVM session takes a pool VM or a restored one; only without a snapshot does it boot cold (seconds).
      await rowMatches(page, "^~ #$", runtime === "microvm" ? 180_000 : 20_000);
      if (s > 0) row.promptMs.push(Date.now() - started);
      const inPagePrompt = await page.evaluate(
        () => (window as unknown as { promptRowsMs: number | null }).promptRowsMs,
      );
      if (s > 0 && inPagePrompt !== null) row.promptInPageMs.push(inPagePrompt);
      const start = page.getByTestId("session-start");
      if (s > 0 && (await start.count())) {
        const path = /^VM (from the warm pool|restored|booted cold)/.exec(await start.innerText());
        (row.paths[path?.[1] ?? "?"] ??= []).push(inPagePrompt ?? NaN);
      }
      if (s === sessions) {
        // Key press (through the browser's input pipeline) to the echoed character drawn in the rows.
        await page.getByTestId("interactive-terminal").click();
        await timeEchoesInPage(page);
        for (let k = 1; k <= keys; k++) {
          // A person's key presses fall at random points of the page's 60 Hz frame cycle. Pressed back to back, each
          // would land a fixed delay (a CDP round trip) after the frame that drew the last echo, and the figure would
          // be that one phase's, not the spread a visitor sees (measured: ~31 ms back to back, ~26 ms at random).
          if (pauseMs > 0) await page.waitForTimeout(pauseMs + Math.random() * pauseMs * 1.5);
          const pressed = Date.now();
          await page.keyboard.press("x");
          await rowMatches(page, `^~ # x{${((k - 1) % keysPerLine) + 1}}$`);
          row.echoMs.push(Date.now() - pressed);
          if (k % keysPerLine === 0 && k < keys) {
            // A line of x's before it wraps: Ctrl+U clears it (ash's kill-line), and the count starts again.
            await page.keyboard.press("Control+U");
            await rowMatches(page, "^~ #$");
            await page.evaluate("window.clearTyped()");
          }
        }
        const inPage = await page.evaluate(() => {
          const timed = window as unknown as { echoMs: number[]; echoRowsMs: number[] };
          return { frame: timed.echoMs, rows: timed.echoRowsMs };
        });
        row.inPageMs = inPage.frame;
        row.inPageRowsMs = inPage.rows;
      }
      await page.getByRole("button", { name: "End session" }).click();
      await page.getByTestId("start-session").waitFor();
    }
    report(row);
  }
} finally {
  await site.close();
}
