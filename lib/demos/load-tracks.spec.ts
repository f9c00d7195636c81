import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadTracks } from "./load-tracks";

const realDemos = path.resolve(import.meta.dirname, "../../demos");

describe("loadTracks on the real demos folder", () => {
  it("keeps the order of demos/tracks.md and files each demo under its track", () => {
    const tracks = loadTracks(realDemos);
    expect(tracks.map((t) => t.title).slice(0, 4)).toEqual([
      "Containers and their kernel",
      "Containers vs VMs",
      "Limits and costs",
      "Accelerating sandboxed inference",
    ]);
    const kernel = tracks[0]!;
    expect(kernel.slug).toBe("containers-and-their-kernel");
    expect(kernel.demos.map((d) => d.slug).slice(0, 3)).toEqual([
      "hello-sandbox",
      "a-shell-that-stays",
      "what-the-sandbox-sees",
    ]);
    for (const track of tracks)
      for (const demo of track.demos) expect(demo.track).toBe(track.title);
  });
});

describe("loadTracks on malformed content", () => {
  let dir: string | null = null;
  afterEach(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = null;
  });

  const tracksFile = (entries: string) => `---\ntracks:\n${entries}---\n`;
  const track = (slug: string, title: string) =>
    `  - slug: ${slug}\n    title: ${title}\n    summary: About ${title}.\n`;
  const demo = (trackTitle: string, extraStep = "") =>
    [
      "---",
      "title: A demo",
      "summary: Says hello.",
      `track: ${trackTitle}`,
      "order: 1",
      "runtimes: [runc]",
      "steps:",
      "  - title: Run it",
      "    notice: [It prints hello.]",
      extraStep,
      "workload:",
      "  command: [echo, hello]",
      "---",
      "Body.",
    ].join("\n");

  function fixture(tracks: string | null, demos: Record<string, string>): string {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "demos-"));
    if (tracks !== null) fs.writeFileSync(path.join(dir, "tracks.md"), tracks);
    for (const [slug, source] of Object.entries(demos)) {
      fs.mkdirSync(path.join(dir, slug));
      fs.writeFileSync(path.join(dir, slug, "index.md"), source);
    }
    return dir;
  }

  it("loads a step's own notice", () => {
    const demosDir = fixture(tracksFile(track("basics", "Basics")), { hello: demo("Basics") });
    const [basics] = loadTracks(demosDir);
    expect(basics?.demos[0]?.steps[0]?.notice).toEqual(["It prints hello."]);
  });

  it("names the demo and field when a demo's track is not defined", () => {
    const demosDir = fixture(tracksFile(track("basics", "Basics")), { hello: demo("Advanced") });
    expect(() => loadTracks(demosDir)).toThrow(
      /hello\/index\.md: track: "Advanced" is not defined in .*tracks\.md \(defined: "Basics"\)/,
    );
  });

  it("names the field of a malformed track definition", () => {
    const demosDir = fixture(tracksFile(track("Not A Slug", "Basics")), { hello: demo("Basics") });
    expect(() => loadTracks(demosDir)).toThrow(/tracks\.md: tracks\[0\]\.slug: /);
  });

  it("rejects a track defined twice", () => {
    const demosDir = fixture(tracksFile(track("basics", "Basics") + track("basics", "Other")), {});
    expect(() => loadTracks(demosDir)).toThrow(/tracks\.md: tracks\[1\]\.slug: "basics" is used/);
  });

  it("names a step field of the wrong type", () => {
    const demosDir = fixture(tracksFile(track("basics", "Basics")), {
      hello: demo("Basics").replace("notice: [It prints hello.]", "notice: 3"),
    });
    expect(() => loadTracks(demosDir)).toThrow(/hello\/index\.md: steps\[0\]\.notice: /);
  });

  it("fails when demos/tracks.md is missing", () => {
    const demosDir = fixture(null, { hello: demo("Basics") });
    expect(() => loadTracks(demosDir)).toThrow(/tracks\.md: cannot be read/);
  });
});
