import { describe, expect, it } from "vitest";
import { runtimeLocationLabel } from "./runtime-kind";

describe("runtimeLocationLabel", () => {
  it("says this host for the host's runtimes and names the cluster for a cluster's", () => {
    expect(runtimeLocationLabel(undefined)).toBe("this host");
    expect(runtimeLocationLabel({ backend: "host", name: null })).toBe("this host");
    expect(runtimeLocationLabel({ backend: "kubernetes", name: "lab" })).toBe("cluster lab");
  });
});
