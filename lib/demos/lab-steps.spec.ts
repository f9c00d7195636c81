import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadDemo } from "./load-demos";
import type { RuntimeInfo } from "../api/schemas";
import { isLab, labRuntimeStates, labRuntimesOf, labStepsOf } from "./lab-steps";

const realDemos = path.resolve(import.meta.dirname, "../../demos");

describe("labStepsOf on a real lab", () => {
  const demo = loadDemo("a-shell-that-stays", realDemos)!;

  it("gives each step its run blocks, whether it is checked, its solution and where it runs", () => {
    expect(isLab(demo)).toBe(true);
    const steps = labStepsOf(demo);
    expect(steps[0]).toMatchObject({ title: "Start your sessions", checked: false, runtimes: [] });
    expect(steps[1]).toMatchObject({
      checked: true,
      run: ['echo "hello from $(hostname)" > ~/note.txt'],
      // No solve of its own: the run blocks are the solution.
      solution: 'echo "hello from $(hostname)" > ~/note.txt',
      runtimes: ["runc", "gvisor"],
    });
    expect(steps[1]!.body.length).toBeGreaterThan(0);
    expect(labRuntimesOf(steps)).toEqual(["runc", "gvisor"]);
  });

  it("names a step's own runtimes before the demo's", () => {
    const vm = loadDemo("what-a-vm-guest-sees", realDemos)!;
    const steps = labStepsOf(vm);
    expect(vm.runtimes).toEqual(["microvm", "runc", "gvisor"]);
    expect(steps[1]!.runtimes).toEqual(["microvm", "runc"]);
    expect(labRuntimesOf(steps)).toEqual(["microvm", "runc"]);
  });

  it("finds no lab in a demo whose steps only explain", () => {
    expect(isLab(loadDemo("kata-go-vs-rust", realDemos)!)).toBe(false);
  });
});

describe("labRuntimeStates", () => {
  const runtime = (
    id: string,
    available: boolean,
    more: Partial<RuntimeInfo> = {},
  ): RuntimeInfo => ({
    id,
    name: id,
    kind: "container",
    available,
    version: null,
    reason: available ? null : `${id} is missing`,
    install: available ? null : `install ${id}`,
    details: {},
    ...more,
  });
  const lab = ["runc", "k8s:kata-qemu"];

  it("shows a cluster runtime unavailable, with why, on a host with no cluster", () => {
    expect(labRuntimeStates(lab, [runtime("runc", true), runtime("gvisor", true)])).toEqual([
      { id: "runc", available: true, reason: null, install: null },
      {
        id: "k8s:kata-qemu",
        available: false,
        reason: "no Kubernetes cluster is configured on this host",
        install:
          "Set SBPG_KUBECONFIG to a cluster that has this RuntimeClass (docs/kubernetes.md).",
      },
    ]);
  });

  it("takes the host's own reason for a runtime it lists, and names the cluster that lacks a class", () => {
    const location = { backend: "kubernetes" as const, name: "lab" };
    const down = runtime("k8s:kata-qemu", false, {
      location,
      reason: "cluster lab: the API server at https://k8s does not answer (ECONNREFUSED)",
    });
    expect(labRuntimeStates(lab, [runtime("runc", true), down])[1]).toMatchObject({
      available: false,
      reason: "cluster lab: the API server at https://k8s does not answer (ECONNREFUSED)",
    });
    const other = runtime("k8s:gvisor", true, { location });
    expect(labRuntimeStates(lab, [runtime("runc", false), other])).toEqual([
      { id: "runc", available: false, reason: "runc is missing", install: "install runc" },
      {
        id: "k8s:kata-qemu",
        available: false,
        reason: "cluster lab has no RuntimeClass kata-qemu",
        install: "Create the RuntimeClass on the cluster (docs/kubernetes.md).",
      },
    ]);
    expect(labRuntimeStates(["k8s:gvisor"], [other])).toEqual([
      { id: "k8s:gvisor", available: true, reason: null, install: null },
    ]);
  });

  it("names the cluster of a k8s:<cluster>/<class> runtime among several", () => {
    const east = runtime("k8s:east/gvisor", true, {
      location: { backend: "kubernetes", name: "east" },
    });
    expect(labRuntimeStates(["k8s:west/gvisor", "k8s:east/kata-qemu"], [east])).toEqual([
      {
        id: "k8s:west/gvisor",
        available: false,
        reason: "no cluster west is configured on this host",
        install: "Name cluster west in SBPG_K8S_CLUSTERS (docs/kubernetes.md).",
      },
      {
        id: "k8s:east/kata-qemu",
        available: false,
        reason: "cluster east has no RuntimeClass kata-qemu",
        install: "Create the RuntimeClass on the cluster (docs/kubernetes.md).",
      },
    ]);
  });
});
