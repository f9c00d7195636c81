// A microVM's host cgroup: QEMU joins it before it runs the guest, so the VMM has a CPU share, pids and memory ceiling.
import type { CgroupLimits } from "../cgroups";
import { guestMemoryMiB, tcgCodeBufferMiB } from "./qemu-args";

/**
 * QEMU's own memory beyond the guest's RAM: TCG's translated code (bounded by tcgCodeBufferMiB, charged as
 * it fills), and its heap, thread stacks, device state, the 9p server's buffers and its mapped binary and
 * libraries. A 128 MiB guest that filled its RAM peaked at 194 MiB charged (174 MiB for a plain boot), but
 * a 256 MiB guest running an SGEMM in Node and onnxruntime reached 391 MiB anonymous + 84 MiB file-backed
 * with QEMU's default 1 GiB code buffer and was OOM-killed at a 256 MiB margin. With the buffer bounded,
 * the margin is the buffer plus 256 MiB for the rest, so that a ceiling that is hit means a QEMU gone
 * wrong, and only that QEMU is OOM-killed.
 */
export const vmmOverheadBytes = (tcgCodeBufferMiB + 256) * 1024 * 1024;

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

/**
 * What one waiting VM costs the host, for the pool's memory budget: its guest RAM (the most it can dirty, private
 * after a restore) and QEMU's own resident memory before any workload ran (~40 MiB measured, see
 * bench/microvm-snapshot.ts), not the cgroup's ceiling, which leaves room for a workload's TCG code.
 */
export const pooledVmBytes = (memoryBytes: number) =>
  (guestMemoryMiB(memoryBytes) + 48) * 1024 * 1024;
