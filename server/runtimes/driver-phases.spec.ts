// A phase a driver's list declares but the driver never marks would leave its chart segment empty for good.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { phasesMarkedBy, type PhaseMarker } from "../../lib/api/phases";
import { controlPhases } from "../images/microvm/guest-protocol";

/** The sources of each driver family; the microVM also marks the phases its guest reports. */
const sources: Partial<
  Record<PhaseMarker, { files: string[]; reported?: readonly string[]; readers?: string[] }>
> = {
  ociCli: { files: ["oci-cli-driver.ts"] },
  containerd: { files: ["containerd/containerd-driver.ts"] },
  kata: { files: ["containerd/kata.ts"] },
  microvm: {
    files: ["microvm/microvm-driver.ts", "microvm/boot-vm.ts"],
    reported: controlPhases,
  },
  // The pod's watch and events are read into phases in pod-phases.ts; pod-run.ts marks what they return.
  kubernetes: { files: ["kubernetes/pod-run.ts"], readers: ["kubernetes/pod-phases.ts"] },
};

function phasesMarkedIn(files: string[], readers: string[] = []): Set<string> {
  const marked = new Set<string>();
  const read = (file: string) => fs.readFileSync(path.join(import.meta.dirname, file), "utf8");
  for (const file of files) {
    for (const [, phase] of read(file).matchAll(/\.mark\(\s*"(\w+)"/g)) marked.add(phase);
  }
  // A reader returns phases for its driver to mark: pushed onto a list, or the values of a table.
  for (const file of readers) {
    for (const [, phase] of read(file).matchAll(/(?:push\(|: )"(\w+)"/g)) marked.add(phase);
  }
  return marked;
}

describe("driver phases", () => {
  it.each(Object.entries(sources))("%s marks every phase its list declares", (marker, source) => {
    const marked = phasesMarkedIn(source!.files, source!.readers);
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
