// Page weight in Debian's Chromium against a running production server: the JavaScript each page ships (gzip),
// whether any of it is Monaco or xterm.js, and the time to interactive. Usage:
//   npm run bench:pages -- --url http://127.0.0.1:3000 [--iterations 5] [--pages /,/demos,/lab]
import { gzipSync } from "node:zlib";
import { parseArgs } from "node:util";
import { chromium, type Response } from "playwright-core";
import { z } from "zod";
import { chromiumLaunchOptions } from "../e2e/chromium-options";
import { percentile } from "../lib/stats";

const ArgsSchema = z.object({
  url: z.url().default("http://127.0.0.1:3000"),
  iterations: z.coerce.number().int().min(1).max(50).default(5),
  pages: z
    .string()
    .default("/,/demos,/lab")
    .transform((s) => s.split(",").filter(Boolean)),
});
const { values } = parseArgs({
  options: {
    url: { type: "string" },
    iterations: { type: "string" },
    pages: { type: "string" },
  },
});
const { url: base, iterations, pages } = ArgsSchema.parse(values);

/** Long tasks must be quiet this long after `load` before the page counts as settled (Lighthouse uses 5 s). */
const quietWindowMs = 2000;
const libraries = {
  // Strings only these libraries' code carries: Monaco's environment hook and editor class, xterm's DOM classes.
  monaco: /MonacoEnvironment|monaco-editor-background|vs\/editor\/common/,
  xterm: /xterm-helper-textarea|xterm-screen/,
};

interface Sample {
  scripts: number;
  rawBytes: number;
  gzipBytes: number;
  /** Of gzipBytes, what the page had loaded by its `load` event; the rest came later (lazy chunks, prefetches). */
  gzipAtLoadBytes: number;
  /** Bytes as they crossed the wire (what the server sent, compressed or not). */
  wireBytes: number;
  found: Record<keyof typeof libraries, boolean>;
  fcpMs: number;
  dclMs: number;
  loadMs: number;
  ttiMs: number;
}

// Collects long tasks from navigation start (the observer is installed before any page script runs).
const observeLongTasks = () => {
  const w = window as unknown as { __longTaskEnds: number[] };
  w.__longTaskEnds = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) w.__longTaskEnds.push(entry.startTime + entry.duration);
  }).observe({ type: "longtask", buffered: true });
};

async function measure(browser: Awaited<ReturnType<typeof chromium.launch>>, path: string) {
  // A fresh context each time: an empty cache, as a first visit.
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(observeLongTasks);
  const responses: Promise<{
    raw: number;
    gzip: number;
    wire: number;
    text: string;
    beforeLoad: boolean;
  } | null>[] = [];
  let loaded = false;
  page.once("load", () => (loaded = true));
  const onResponse = (response: Response) => {
    if (response.request().resourceType() !== "script") return;
    const beforeLoad = !loaded;
    responses.push(
      (async () => {
        const body = await response.body().catch(() => null);
        if (!body) return null;
        const sizes = await response.request().sizes();
        const encoded = (await response.headerValue("content-encoding")) ?? "";
        const gzip = encoded.includes("gzip") ? sizes.responseBodySize : gzipSync(body).length;
        return {
          raw: body.length,
          gzip,
          wire: sizes.responseBodySize,
          text: body.toString(),
          beforeLoad,
        };
      })(),
    );
  };
  page.on("response", onResponse);
  await page.goto(`${base}${path}`, { waitUntil: "load" });
  const timing = await page.evaluate(async (quiet) => {
    const w = window as unknown as { __longTaskEnds: number[] };
    const [nav] = performance.getEntriesByType("navigation") as PerformanceNavigationTiming[];
    // (No named helpers in here: tsx would wrap them in a `__name` call the page does not have.)
    // Settled: no long task for `quiet` ms, counted from load or the last long task, whichever is later.
    const deadline = performance.now() + 20_000;
    while (performance.now() - Math.max(nav.loadEventEnd, ...w.__longTaskEnds) < quiet) {
      if (performance.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const fcp = performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? 0;
    return {
      fcpMs: fcp,
      dclMs: nav.domContentLoadedEventEnd,
      loadMs: nav.loadEventEnd,
      ttiMs: Math.max(nav.domContentLoadedEventEnd, fcp, ...w.__longTaskEnds),
    };
  }, quietWindowMs);
  page.off("response", onResponse);
  const scripts = (await Promise.all(responses)).filter((r) => r !== null);
  await context.close();
  const sample: Sample = {
    scripts: scripts.length,
    rawBytes: scripts.reduce((sum, s) => sum + s.raw, 0),
    gzipBytes: scripts.reduce((sum, s) => sum + s.gzip, 0),
    gzipAtLoadBytes: scripts.filter((s) => s.beforeLoad).reduce((sum, s) => sum + s.gzip, 0),
    wireBytes: scripts.reduce((sum, s) => sum + s.wire, 0),
    found: {
      monaco: scripts.some((s) => libraries.monaco.test(s.text)),
      xterm: scripts.some((s) => libraries.xterm.test(s.text)),
    },
    ...timing,
  };
  return sample;
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const ms = (values: number[]) => `${Math.round(percentile(values, 50))} ms`;

const browser = await chromium.launch(chromiumLaunchOptions);
try {
  console.log(
    `page weight: ${base}, ${iterations} cold loads per page, Chromium ${browser.version()}; medians\n`,
  );
  const rows: string[][] = [
    [
      "page",
      "scripts",
      "JS raw",
      "JS gzip",
      "of which by load",
      "JS on the wire",
      "Monaco",
      "xterm.js",
      "FCP",
      "load",
      "TTI",
    ],
  ];
  for (const path of pages) {
    await measure(browser, path); // warm-up: the server's first render of the page
    const samples: Sample[] = [];
    for (let i = 0; i < iterations; i++) samples.push(await measure(browser, path));
    const pick = (key: "scripts" | "rawBytes" | "gzipBytes" | "gzipAtLoadBytes" | "wireBytes") =>
      percentile(
        samples.map((s) => s[key]),
        50,
      );
    rows.push([
      path,
      String(pick("scripts")),
      kib(pick("rawBytes")),
      kib(pick("gzipBytes")),
      kib(pick("gzipAtLoadBytes")),
      kib(pick("wireBytes")),
      samples.some((s) => s.found.monaco) ? "yes" : "no",
      samples.some((s) => s.found.xterm) ? "yes" : "no",
      ms(samples.map((s) => s.fcpMs)),
      ms(samples.map((s) => s.loadMs)),
      ms(samples.map((s) => s.ttiMs)),
    ]);
  }
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)));
  for (const row of rows) console.log(row.map((cell, col) => cell.padEnd(widths[col])).join("  "));
  console.log(
    `\nTTI: the later of DOMContentLoaded, first contentful paint and the end of the last long task (>50 ms` +
      ` on the main thread), once no long task has run for ${quietWindowMs} ms after load.` +
      `\nJS gzip: each script body gzipped here (zlib, level 6) unless the server already sent it gzipped.`,
  );
} finally {
  await browser.close();
}
