import { describe, expect, it } from "vitest";
import {
  describeRecording,
  parseRecording,
  recordingFileName,
  maxRecordingBytes,
} from "./recording";
import { sampleRecording } from "./recording-fixture";

const text = (value: unknown) => JSON.stringify(value);

describe("parseRecording", () => {
  it("accepts a well-formed recording", () => {
    const parsed = parseRecording(text(sampleRecording()));
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.recording.output).toHaveLength(2);
  });

  it("names what is wrong with a bad file", () => {
    const cases: Array<[string, RegExp]> = [
      ["not json {", /not JSON/],
      [text({ hello: 1 }), /not a Sandbox Playground recording/],
      [text({ ...sampleRecording(), version: 2 }), /version 2; this playground reads version 1/],
      [
        text({ ...sampleRecording(), output: [{ atMs: -1, data: "x" }] }),
        /damaged: output\.0\.atMs/,
      ],
      [
        text({
          ...sampleRecording(),
          output: [
            { atMs: 10, data: "a" },
            { atMs: 5, data: "b" },
          ],
        }),
        /output\.1\.atMs: output chunks must be in time order/,
      ],
      [
        text({ ...sampleRecording(), run: { ...sampleRecording().run, state: "running" } }),
        /run\.state: a recording holds a finished run/,
      ],
      [text({ ...sampleRecording(), recordedAt: "yesterday" }), /damaged: recordedAt/],
      [text({ ...sampleRecording(), host: { hostname: "" } }), /damaged: host/],
      ["x".repeat(maxRecordingBytes + 1), /too large/],
    ];
    for (const [input, message] of cases) {
      const parsed = parseRecording(input);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.message).toMatch(message);
    }
  });
});

describe("naming", () => {
  it("names the file after the runtime and the moment, in UTC", () => {
    expect(recordingFileName(sampleRecording())).toBe("runc-2026-11-27-054512.sbpg.json");
  });

  it("labels a replay with host and date, and says it is not live", () => {
    expect(describeRecording(sampleRecording())).toBe(
      "Recording — demo-host, 2026-11-27 05:45 UTC (not live)",
    );
  });
});
