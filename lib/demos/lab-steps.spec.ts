import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadDemo } from "./load-demos";
import { isLab, labRuntimesOf, labStepsOf } from "./lab-steps";

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
