import { describe, expect, it } from "vitest";
import { vmPathOf } from "./vm-path";

describe("vmPathOf", () => {
  it("names the path from the phases a run reached", () => {
    expect(vmPathOf({ requested: 0, poolClaimed: 1, started: 2, workloadStarted: 5 })).toBe(
      "pooled",
    );
    expect(
      vmPathOf({ restoreStarted: 1, vmmSpawned: 2, restored: 60, seeded: 90, ready: 200 }),
    ).toBe("restored");
    expect(vmPathOf({ poolMiss: 0, vmmSpawned: 2, guestInit: 1900 })).toBe("cold boot");
    // A restore that failed and fell back: the VM that ran the workload was booted.
    expect(
      vmPathOf({
        restoreStarted: 1,
        restored: 50,
        snapshotUnusable: 80,
        vmmSpawned: 90,
        guestInit: 2000,
      }),
    ).toBe("cold boot");
    expect(vmPathOf({ requested: 0, started: 3, exited: 9 })).toBeNull();
  });
});
