// The recordings committed under public/recordings: each validates, and each still matches its demo's workload.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadDemo } from "../demos/load-demos";
import { parseRecording } from "./recording";
import { ShippedIndexSchema, maxShippedRecordingBytes } from "./shipped-index";
import { workloadKey } from "./workload-key";

const publicDir = path.resolve("public");
const index = ShippedIndexSchema.parse(
  JSON.parse(fs.readFileSync(path.join(publicDir, "recordings/index.json"), "utf8")),
);

describe("shipped recordings", () => {
  it.each(index.recordings)("$path is a valid, small recording of its demo", (entry) => {
    const text = fs.readFileSync(path.join(publicDir, entry.path), "utf8");
    expect(text.length).toBeLessThanOrEqual(maxShippedRecordingBytes);
    const parsed = parseRecording(text);
    if (!parsed.ok) throw new Error(`${entry.path}: ${parsed.message}`);
    expect(parsed.recording.runtime.id).toBe(entry.runtime);
    expect(workloadKey(parsed.recording.workload)).toBe(entry.workload);
    const demo = loadDemo(entry.slug);
    expect(demo, `demos/${entry.slug} is gone: remove its recordings`).not.toBeNull();
    expect(
      workloadKey(demo!.workload),
      `demos/${entry.slug} changed its workload: run \`node --import tsx scripts/record-demos.ts ${entry.slug}\``,
    ).toBe(entry.workload);
  });
});
