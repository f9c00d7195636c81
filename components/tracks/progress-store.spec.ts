import { describe, expect, it } from "vitest";
import {
  describeProgress,
  doneCount,
  noProgress,
  parseProgress,
  resumeStep,
  withStepDone,
} from "./progress-store";

describe("progress", () => {
  it("records done steps once, in order", () => {
    let progress = withStepDone(noProgress, "hello-sandbox", 2);
    progress = withStepDone(progress, "hello-sandbox", 0);
    expect(withStepDone(progress, "hello-sandbox", 0)).toBe(progress);
    expect(progress["hello-sandbox"]?.done).toEqual([0, 2]);
    expect(doneCount(progress, "hello-sandbox", 4)).toBe(2);
    expect(describeProgress(2, 4)).toBe("2 of 4 steps");
  });

  it("resumes at the first step not done", () => {
    const progress = withStepDone(withStepDone(noProgress, "d", 0), "d", 1);
    expect(resumeStep(progress, "d", 4)).toBe(2);
    expect(resumeStep(progress, "d", 2)).toBe(1);
    expect(resumeStep(noProgress, "d", 3)).toBe(0);
  });

  it("ignores steps a demo no longer has", () => {
    const progress = withStepDone(withStepDone(noProgress, "d", 0), "d", 5);
    expect(doneCount(progress, "d", 3)).toBe(1);
    expect(describeProgress(3, 3)).toBe("Done: all 3 steps");
  });

  it("reads unreadable storage as no progress", () => {
    expect(parseProgress(null)).toEqual({});
    expect(parseProgress("{not json")).toEqual({});
    expect(parseProgress('{"d":{"done":["x"]}}')).toEqual({});
    expect(parseProgress('{"d":{"done":[1]}}')).toEqual({ d: { done: [1] } });
  });
});
