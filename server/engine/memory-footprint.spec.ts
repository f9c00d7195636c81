import { describe, expect, it } from "vitest";
import { measureFootprint, parseRollup } from "./memory-footprint";

describe("memory footprint", () => {
  it("parses smaps_rollup", () => {
    const text =
      "55d0c0a00000-7ffd [rollup]\nRss:                1400 kB\nPss:                 700 kB\nPss_Anon:  100 kB\n";
    expect(parseRollup(text)).toEqual({ rss: 1400 * 1024, pss: 700 * 1024 });
  });

  it("measures a live process and skips one that is gone", async () => {
    const footprint = await measureFootprint([process.pid, 2 ** 22 + 1]);
    expect(footprint?.processes).toBe(1);
    expect(footprint!.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(footprint!.pssBytes).toBeLessThanOrEqual(footprint!.rssBytes);
  });

  it("is null when no process is left", async () => {
    expect(await measureFootprint([])).toBeNull();
  });
});
