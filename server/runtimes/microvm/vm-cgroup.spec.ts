import { describe, expect, it } from "vitest";
import { vmCgroupLimits, vmmMaxTasks, vmmOverheadBytes } from "./vm-cgroup";

const mib = 1024 * 1024;

describe("vmCgroupLimits", () => {
  it("sets the memory ceiling above the guest's RAM as QEMU boots it, floor included", () => {
    expect(vmCgroupLimits(256 * mib, 512).memoryBytes).toBe(256 * mib + vmmOverheadBytes);
    // A guest asked for 64 MiB boots with 128: the ceiling follows what QEMU really allocates.
    expect(vmCgroupLimits(64 * mib, 512).memoryBytes).toBe(128 * mib + vmmOverheadBytes);
  });

  it("keeps the run's CPU share and caps QEMU's own tasks", () => {
    expect(vmCgroupLimits(128 * mib, 300)).toMatchObject({ cpuShares: 300, pids: vmmMaxTasks });
  });
});
