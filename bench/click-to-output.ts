// Browser benchmark: a visitor's click on Run to the first output line in the page, per runtime, in Debian's Chromium.
// Needs the built site (`npm run build`) and root. Prints medians next to the server's own request -> firstOutput.
import { parseArgs } from "node:util";
import { z } from "zod";
import { startSiteWithBrowser } from "./lib/site-with-browser";
import { summarize } from "../lib/stats";

const ArgsSchema = z.object({ iterations: z.coerce.number().int().min(1).max(200).default(10) });
const { values } = parseArgs({ options: { iterations: { type: "string" } } });
const { iterations } = ArgsSchema.parse(values);

const site = await startSiteWithBrowser("sbpg-bench-browser");
const { server, browser } = site;

const rows: Array<{ runtime: string; clickMs: number[]; serverMs: number[] }> = [];
try {
  const page = await browser.newPage();
  await page.goto(`${server.url}/demos/hello-sandbox`);
  for (const runtime of ["runc", "gvisor"]) {
    const row = { runtime, clickMs: [] as number[], serverMs: [] as number[] };
    rows.push(row);
    for (const toggle of await page.locator('[data-testid^="runtime-toggle-"]').all()) {
      if (await toggle.isDisabled()) continue;
      await toggle.setChecked(
        (await toggle.getAttribute("data-testid")) === `runtime-toggle-${runtime}`,
      );
    }
    for (let i = 0; i <= iterations; i++) {
      const button = page.getByTestId("run-button");
      await button.waitFor({ state: "visible" });
      await page.waitForFunction(
        () => !(document.querySelector('[data-testid="run-button"]') as HTMLButtonElement).disabled,
      );
      // Timed inside the page: from the click event to the first output text in the column.
      const clickMs = await page.evaluate(async (id) => {
        const button = document.querySelector('[data-testid="run-button"]') as HTMLButtonElement;
        const started = performance.now();
        button.click();
        const deadline = started + 20_000;
        // The previous run's column stays until the new one replaces it: first see the new run, then its output.
        let fresh = false;
        for (;;) {
          const state = document
            .querySelector(`[data-testid="run-column-${id}"]`)
            ?.getAttribute("data-state");
          const text = document.querySelector(`[data-testid="log-text-${id}"]`)?.textContent ?? "";
          fresh ||= state !== undefined && state !== null && state !== "exited";
          if (fresh && text.includes("Hello from")) return performance.now() - started;
          if (performance.now() > deadline) throw new Error("no output within 20 s");
          await new Promise((r) => requestAnimationFrame(r));
        }
      }, runtime);
      await page.waitForSelector(`[data-testid="run-column-${runtime}"][data-state="exited"]`);
      const latest = server.engine.listRuns().at(-1)?.snapshot();
      if (i === 0) continue; // warm-up: first compile of the page's chunks and the runtime's caches
      row.clickMs.push(clickMs);
      if (latest?.timings.firstOutput !== undefined) row.serverMs.push(latest.timings.firstOutput);
    }
  }
} finally {
  await site.close();
}

console.log(
  `Click-to-first-output in Chromium, "Hello, sandbox", ${iterations} runs per runtime after 1 warm-up`,
);
console.log(
  `${"runtime".padEnd(10)}${"click → output in page (median / p95)".padStart(40)}${"server request → firstOutput (median)".padStart(40)}`,
);
for (const row of rows) {
  const click = summarize(row.clickMs);
  const srv = summarize(row.serverMs);
  console.log(
    `${row.runtime.padEnd(10)}${`${click.median.toFixed(1)} / ${click.p95.toFixed(1)} ms`.padStart(40)}${`${srv.median.toFixed(1)} ms`.padStart(40)}`,
  );
}
