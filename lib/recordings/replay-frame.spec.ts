import { describe, expect, it } from "vitest";
import { buildTimeline, frameAt } from "./replay-frame";
import { sampleRecording } from "./recording-fixture";

describe("frameAt", () => {
  const timeline = buildTimeline(sampleRecording());

  it("lists every moment something changes, once, in order", () => {
    expect(timeline.events).toEqual([0, 1, 2, 20, 40, 45, 550, 560, 600]);
  });

  it("shows the run as it stood at each moment", () => {
    const start = frameAt(timeline, 0);
    expect(start.run.state).toBe("queued");
    expect(start.output.text).toBe("");
    expect(start.run.exitCode).toBeNull();

    const running = frameAt(timeline, 100);
    expect(running.run.state).toBe("running");
    expect(running.output.text).toBe("first\n");
    expect(Object.keys(running.run.timings)).not.toContain("exited");
    expect(running.run.memory).toBeNull();

    expect(frameAt(timeline, 555).output.text).toBe("first\nsecond\n");
    expect(frameAt(timeline, 555).run.state).toBe("running");

    const end = frameAt(timeline, 600);
    expect(end.finished).toBe(true);
    expect(end.run.state).toBe("exited");
    expect(end.run.exitCode).toBe(0);
    expect(end.run.timings).toEqual(sampleRecording().run.timings);
    expect(end.run.memory).not.toBeNull();
  });
});
