import { describe, expect, it } from "vitest";
import { CreateRunBodySchema } from "../../../lib/api/schemas";
import { buildPod, podNameFor, podOwnerFor, type PodSpecInput } from "./pod-spec";

const input: PodSpecInput = {
  runId: "0123456789abcdef01234567",
  resourceName: podNameFor("0123456789abcdef01234567"),
  namespace: "sbpg",
  runtimeClassName: "kata-qemu",
  imageReference: "registry.example/sbpg/busybox:1",
  command: ["sh", "-c", "echo $(id -u) > /tmp/x"],
  limits: {
    timeoutMs: 10_500,
    memoryBytes: 64 * 1024 * 1024,
    pids: 64,
    cpuShares: 256,
    outputBytes: 1024,
    tmpfsBytes: 1024 * 1024,
  },
  owner: podOwnerFor("/run/sbpg-k8s-x", "host-a"),
};

describe("buildPod", () => {
  it("names and labels the pod from the run id alone, and passes the command as arguments", () => {
    const pod = buildPod(input);
    expect(pod.metadata!.name).toBe("sbpg-0123456789abcdef01234567");
    expect(pod.spec!.containers[0]!.command).toEqual(input.command);
    expect(pod.spec!.containers[0]!.args).toBeUndefined();
    expect(pod.spec!.activeDeadlineSeconds).toBe(11 + 30);
    expect(pod.spec!.containers[0]!.resources!.limits).toEqual({ cpu: "250m", memory: "67108864" });
  });

  it("refuses a name that is not derived from a run id", () => {
    expect(() => buildPod({ ...input, resourceName: "sbpg-other" })).toThrow(/not derived/);
    expect(() => buildPod({ ...input, runId: "x; rm", resourceName: podNameFor("x; rm") })).toThrow(
      /not derived/,
    );
  });

  it("leaves runtimeClassName out for the cluster's default runtime", () => {
    expect(buildPod({ ...input, runtimeClassName: null }).spec).not.toHaveProperty(
      "runtimeClassName",
    );
  });

  it("gives each host and state folder its own owner, short enough for a label", () => {
    const a = podOwnerFor("/run/sbpg-k8s-x", "host-a");
    expect(a).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{16}$/),
      description: "host-a:/run/sbpg-k8s-x",
    });
    expect(podOwnerFor("/run/sbpg-k8s-x", "host-b").id).not.toBe(a.id);
    expect(podOwnerFor("/run/sbpg-k8s-y", "host-a").id).not.toBe(a.id);
  });
});

describe("runtime ids as a client sends them", () => {
  const runtime = (id: string) => CreateRunBodySchema.safeParse({ runtime: id }).success;

  it("takes a host runtime or k8s: and a RuntimeClass name, nothing else", () => {
    expect(runtime("runc")).toBe(true);
    expect(runtime("k8s:kata-qemu")).toBe(true);
    expect(runtime("k8s:kata.example-1")).toBe(true);
    expect(runtime("k8s:")).toBe(false);
    expect(runtime("k8s:Kata")).toBe(false);
    expect(runtime("k8s:../x")).toBe(false);
    expect(runtime("k8s:a b")).toBe(false);
    expect(runtime("kubernetes:x")).toBe(false);
  });
});
