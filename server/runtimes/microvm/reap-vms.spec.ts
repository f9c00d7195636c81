import { describe, expect, it } from "vitest";
import { markerIndex } from "./reap-vms";

describe("markerIndex", () => {
  const marker = "/run/x/microvm/sbpg-";

  it("finds the VM folder as a whole argument or as an option's value", () => {
    expect(markerIndex("/run/x/microvm/sbpg-1/control.sock", marker)).toBe(0);
    expect(markerIndex("socket,id=c0,path=/run/x/microvm/sbpg-1/control.sock", marker)).toBe(18);
  });

  it("ignores another state folder whose path ends the same", () => {
    expect(markerIndex("socket,id=c0,path=/srv/run/x/microvm/sbpg-1/c.sock", marker)).toBe(-1);
    expect(markerIndex("/tmp/run/x/microvm/sbpg-1", marker)).toBe(-1);
  });
});
