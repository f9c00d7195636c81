// A small valid recording for the unit tests beside it: runc printing two lines half a second apart.
import type { Recording } from "./recording";

export function sampleRecording(): Recording {
  return {
    format: "sbpg-recording",
    version: 1,
    recordedAt: "2026-11-27T05:45:12.345Z",
    host: { hostname: "demo-host", kernel: "Linux 6.1.0", cpus: 2, memoryBytes: 4e9 },
    run: {
      id: "abc",
      runtime: "runc",
      image: "busybox",
      command: ["sh", "-c", "echo first; sleep 0.5; echo second"],
      state: "exited",
      exitCode: 0,
      timings: {
        requested: 0,
        queued: 1,
        preparing: 2,
        booting: 20,
        running: 40,
        firstOutput: 45,
        exited: 560,
        cleanedUp: 600,
      },
      error: null,
      queuePosition: null,
      limits: {
        timeoutMs: 10_000,
        memoryBytes: 1 << 27,
        pids: 64,
        cpuShares: 512,
        outputBytes: 1 << 20,
      },
      outputTruncated: false,
      memory: { rssBytes: 1_400_000, pssBytes: 1_000_000, processes: 1 },
      createdAt: "2026-11-27T05:45:11.700Z",
    },
    runtime: { id: "runc", name: "runc", version: "1.1.5" },
    workload: { image: "busybox", command: ["sh", "-c", "echo first; sleep 0.5; echo second"] },
    output: [
      { atMs: 45, data: "first\n" },
      { atMs: 550, data: "second\n" },
    ],
  };
}
