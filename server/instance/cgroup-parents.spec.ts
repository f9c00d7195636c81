import { describe, expect, it } from "vitest";
import { cgroupParentFor } from "./cgroup-parents";

describe("cgroupParentFor", () => {
  it("gives two state folders of the same name their own cgroup parents", () => {
    expect(cgroupParentFor("/run/a/x")).not.toBe(cgroupParentFor("/run/b/x"));
  });

  it("is the same for one folder however it is written, and keeps its name readable", () => {
    expect(cgroupParentFor("/run/a/x")).toBe(cgroupParentFor("/run/a/./x/"));
    expect(cgroupParentFor("/run/sandbox-playground")).toMatch(
      /^\/sandbox-playground\/sandbox-playground-[0-9a-f]{12}$/,
    );
  });
});
