import { describe, expect, it } from "vitest";
import { phasesMarkedBy } from "@/lib/api/phases";
import { deriveSegments, segmentKinds, totalMs } from "./timing-segments";

const vmOnly = ["restore", "resume", "vmmStart", "kernelBoot", "guestInit", "vmShutdown"];
/** Segment lengths by key; the VM-only segments are left out where a container run has none. */
const msByKey = (timings: Record<string, number>) =>
  Object.fromEntries(
    deriveSegments(timings)
      .filter((s) => s.ms > 0 || !vmOnly.includes(s.key))
      .map((s) => [s.key, s.ms]),
  );

describe("deriveSegments", () => {
  it("shows a restored microVM's restore and resume where a cold one boots its kernel", () => {
    const restored = {
      requested: 0,
      preparing: 1,
      restoreStarted: 2,
      booting: 2,
      vmmSpawned: 5,
      started: 5,
      restored: 60,
      firstConsoleLine: 170,
      seeded: 190,
      rootMounted: 310,
      ready: 325,
      workloadStarted: 345,
      running: 345,
      firstOutput: 365,
      workloadExited: 385,
      vmGone: 410,
      cleanedUp: 420,
    };
    expect(msByKey(restored)).toEqual({
      queue: 1,
      prepare: 1,
      restore: 58,
      resume: 265,
      guestInit: 20,
      firstOutput: 20,
      workload: 20,
      vmShutdown: 25,
      teardown: 10,
    });
    expect(deriveSegments(restored).reduce((sum, s) => sum + s.ms, 0)).toBe(totalMs(restored));
  });

  it("splits a complete run into consecutive segments", () => {
    const timings = {
      requested: 0,
      queued: 0.2,
      preparing: 1,
      bundleWritten: 5,
      started: 20,
      firstOutput: 25,
      exited: 30,
      cleanedUp: 40,
    };
    expect(msByKey(timings)).toEqual({
      queue: 1,
      prepare: 19,
      firstOutput: 5,
      workload: 5,
      teardown: 10,
    });
    expect(deriveSegments(timings).reduce((sum, s) => sum + s.ms, 0)).toBe(totalMs(timings));
  });

  it("gives a run without output its whole run time as workload", () => {
    expect(msByKey({ requested: 0, preparing: 1, started: 10, exited: 15, cleanedUp: 16 })).toEqual(
      {
        queue: 1,
        prepare: 9,
        firstOutput: 0,
        workload: 5,
        teardown: 1,
      },
    );
  });

  it("never yields negative time when teardown was stamped before the failure", () => {
    const segments = msByKey({ requested: 0, preparing: 1, cleanedUp: 8, failed: 9 });
    expect(segments).toEqual({ queue: 1, prepare: 0, firstOutput: 0, workload: 8, teardown: 0 });
  });

  it("covers a run that is still going", () => {
    expect(msByKey({ requested: 0, preparing: 2, booting: 3 })).toMatchObject({
      queue: 2,
      prepare: 1,
      workload: 0,
    });
  });

  it("splits a VM run at its boot phases", () => {
    const timings = {
      requested: 0,
      preparing: 1,
      booting: 10,
      vmmSpawned: 15,
      firstConsoleLine: 700,
      guestInit: 1600,
      workloadStarted: 1900,
      running: 1900,
      firstOutput: 1910,
      workloadExited: 2700,
      vmGone: 2750,
      cleanedUp: 2760,
      exited: 2761,
    };
    expect(msByKey(timings)).toEqual({
      queue: 1,
      prepare: 9,
      vmmStart: 690,
      kernelBoot: 900,
      guestInit: 300,
      firstOutput: 10,
      workload: 790,
      vmShutdown: 50,
      teardown: 10,
    });
  });
});

describe("segmentKinds", () => {
  it("ends every segment only at phases that the engine or some driver marks", () => {
    const marked = new Set<string>(Object.values(phasesMarkedBy).flat());
    const unreachable = segmentKinds.flatMap(({ key, endsAt }) =>
      endsAt.filter((phase) => !marked.has(phase)).map((phase) => `${key}: ${phase}`),
    );
    expect(unreachable).toEqual([]);
  });
});
