// A phase a driver's list declares but the driver never marks would leave its chart segment empty for good.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { phasesMarkedBy, type PhaseMarker } from "../../lib/api/phases";
import { controlPhases } from "../images/microvm/guest-protocol";

/** The sources of each driver family; the microVM also marks the phases its guest reports. */
const sources: Partial<Record<PhaseMarker, { files: string[]; reported?: readonly string[] }>> = {
  ociCli: { files: ["oci-cli-driver.ts"] },
  containerd: { files: ["containerd/containerd-driver.ts"] },
  kata: { files: ["containerd/kata.ts"] },
  microvm: {
    files: ["microvm/microvm-driver.ts", "microvm/boot-vm.ts"],
    reported: controlPhases,
  },
};

function phasesMarkedIn(files: string[]): Set<string> {
  const marked = new Set<string>();
  for (const file of files) {
    const source = fs.readFileSync(path.join(import.meta.dirname, file), "utf8");
    for (const [, phase] of source.matchAll(/\.mark\(\s*"(\w+)"/g)) marked.add(phase);
  }
  return marked;
}

describe("driver phases", () => {
  it.each(Object.entries(sources))("%s marks every phase its list declares", (marker, source) => {
    const marked = phasesMarkedIn(source!.files);
    for (const phase of source!.reported ?? []) marked.add(phase);
    expect(
      [...phasesMarkedBy[marker as PhaseMarker]].filter((phase) => !marked.has(phase)),
    ).toEqual([]);
  });

  it("knows the sources of every driver family", () => {
    const drivers = Object.keys(phasesMarkedBy).filter((m) => m !== "run" && m !== "engine");
    expect(Object.keys(sources).sort()).toEqual(drivers.sort());
  });
});
