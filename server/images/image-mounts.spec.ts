import { describe, expect, it } from "vitest";
import { mountPoints, unescapeMountPath } from "./image-mounts";

describe("mount points", () => {
  it("unescapes mountinfo's octal escapes", () => {
    expect(unescapeMountPath("/run/a\\040b")).toBe("/run/a b");
    expect(unescapeMountPath("/plain")).toBe("/plain");
  });

  it("lists this namespace's mounts, root included", async () => {
    expect(await mountPoints()).toContain("/");
  });
});
