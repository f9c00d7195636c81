// Pod and event objects in the shapes the API server sends on a watch (trimmed from real ones).
import { describe, expect, it } from "vitest";
import { readEvent, readPod, signalOf, WatchedEventSchema, WatchedPodSchema } from "./pod-phases";

const pod = (status: object) =>
  WatchedPodSchema.parse({ metadata: { name: "sbpg-a", uid: "u1", resourceVersion: "7" }, status });

describe("readPod", () => {
  it("reads scheduling, the sandbox, the container's start and its exit", () => {
    const reading = readPod(
      pod({
        phase: "Failed",
        conditions: [
          { type: "PodReadyToStartContainers", status: "True" },
          { type: "Initialized", status: "True" },
          { type: "Ready", status: "False", reason: "PodFailed" },
          { type: "PodScheduled", status: "True" },
        ],
        containerStatuses: [
          {
            name: "sandbox",
            state: {
              terminated: {
                exitCode: 137,
                reason: "OOMKilled",
                startedAt: "2026-12-01T15:00:01Z",
                finishedAt: "2026-12-01T15:00:02Z",
              },
            },
          },
        ],
      }),
      "sandbox",
    );
    expect(reading).toEqual({
      phases: ["podScheduled", "podSandboxReady", "containerStarted", "containerExited"],
      started: true,
      terminated: { exitCode: 137, signal: null, reason: "OOMKilled" },
      failure: null,
    });
    expect(signalOf(reading.terminated!)).toBe("SIGKILL");
  });

  it("says which waits the kubelet will not get out of, and which it will", () => {
    const waiting = (reason: string) =>
      readPod(
        pod({
          phase: "Pending",
          containerStatuses: [
            { name: "sandbox", state: { waiting: { reason, message: "back-off pulling image" } } },
          ],
        }),
        "sandbox",
      ).failure;
    expect(waiting("ImagePullBackOff")).toBe("ImagePullBackOff: back-off pulling image");
    expect(waiting("ContainerCreating")).toBeNull();
  });

  it("fails a pod the cluster ended before its container ran", () => {
    const reading = readPod(
      pod({
        phase: "Failed",
        reason: "DeadlineExceeded",
        message: "Pod was active on the node longer than the specified deadline",
      }),
      "sandbox",
    );
    expect(reading.failure).toBe(
      "the pod failed (DeadlineExceeded): Pod was active on the node longer than the specified deadline",
    );
  });
});

describe("readEvent", () => {
  it("dates a phase by the reporter's clock only when it stamped finer than a second", () => {
    const scheduled = readEvent(
      WatchedEventSchema.parse({
        involvedObject: { kind: "Pod", name: "sbpg-a", uid: "u1" },
        reason: "Scheduled",
        message: "Successfully assigned sbpg/sbpg-a to node-1",
        type: "Normal",
        eventTime: "2026-12-01T15:00:00.123456Z",
        firstTimestamp: null,
        reportingComponent: "default-scheduler",
        source: {},
      }),
    );
    expect(scheduled).toEqual({
      phase: "podScheduled",
      atEpochMs: Date.parse("2026-12-01T15:00:00.123Z"),
      clock: "default-scheduler eventTime",
      line: "[default-scheduler] Scheduled: Successfully assigned sbpg/sbpg-a to node-1",
    });
    const pulled = readEvent(
      WatchedEventSchema.parse({
        involvedObject: { name: "sbpg-a" },
        reason: "Pulled",
        message: 'Container image "r/busybox:1" already present on machine',
        type: "Normal",
        eventTime: null,
        firstTimestamp: "2026-12-01T15:00:01Z",
        reportingComponent: "",
        source: { component: "kubelet", host: "node-1" },
      }),
    );
    expect(pulled).toEqual({
      phase: "imagePulled",
      line: '[kubelet] Pulled: Container image "r/busybox:1" already present on machine',
    });
    expect(
      readEvent(
        WatchedEventSchema.parse({
          involvedObject: { name: "sbpg-a" },
          reason: "FailedCreatePodSandBox",
          message: 'no runtime for "kata-qemu" is configured',
          type: "Warning",
          source: { component: "kubelet" },
        }),
      ),
    ).toEqual({
      phase: null,
      line: '[kubelet] warning: FailedCreatePodSandBox: no runtime for "kata-qemu" is configured',
    });
  });
});
