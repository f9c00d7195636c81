// A runtime whose binary is missing shows as unavailable, with the reason and what to install.
import { describe, expect, it } from "vitest";
import { RuncDriver } from "./runc";
import { GvisorDriver } from "./gvisor";

describe("runtime availability", () => {
  it("reports a missing runc with its reason and the install hint", async () => {
    const driver = new RuncDriver({
      binary: "/nonexistent/runc",
      stateDir: "/tmp/sbpg-unit",
      cgroupParent: "/sandbox-playground/unit",
    });
    expect(await driver.probe()).toMatchObject({
      available: false,
      version: null,
      reason: "runc not found (/nonexistent/runc)",
      install: expect.stringContaining("apt-get install runc"),
    });
  });

  it("reports a missing runsc without probing platforms", async () => {
    let probedImage = false;
    const driver = new GvisorDriver({
      binary: "/nonexistent/runsc",
      stateDir: "/tmp/sbpg-unit",
      cgroupParent: "/sandbox-playground/unit",
      platform: "auto",
      probeImage: async () => {
        probedImage = true;
        return null;
      },
    });
    expect(await driver.probe()).toMatchObject({
      available: false,
      reason: "runsc not found (/nonexistent/runsc)",
    });
    expect(probedImage).toBe(false);
  });
});
