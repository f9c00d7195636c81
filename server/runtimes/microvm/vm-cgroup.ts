// A microVM's host cgroup: QEMU joins it before it runs the guest, so the VMM has a CPU share, pids and memory ceiling.
import type { CgroupLimits } from "../cgroups";
import { guestMemoryMiB } from "./qemu-args";

/**
 * QEMU's own memory beyond the guest's RAM: its heap, thread stacks, device state, the 9p server's
 * buffers and, under TCG, the translated code (QEMU's default code buffer, charged as it fills). A 128 MiB
 * guest that filled its RAM peaked at 194 MiB charged (memory.max_usage_in_bytes, page cache included;
 * 174 MiB for a plain boot): 66 MiB over. Four times that leaves room for a guest that runs much more
 * code, so that a ceiling that is hit means a QEMU gone wrong, and only that QEMU is OOM-killed.
 */
export const vmmOverheadBytes = 256 * 1024 * 1024;

/**
 * Tasks of one QEMU: the main loop, the vCPU and RCU threads (4 in all for a spinning guest), and the
 * thread pool the 9p server's blocking file calls run on (64 workers at most). The guest's own processes
 * are not host tasks.
 */
export const vmmMaxTasks = 128;

export function vmCgroupLimits(memoryBytes: number, cpuShares: number): CgroupLimits {
  return {
    cpuShares,
    pids: vmmMaxTasks,
    memoryBytes: guestMemoryMiB(memoryBytes) * 1024 * 1024 + vmmOverheadBytes,
  };
}
