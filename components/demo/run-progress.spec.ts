import { describe, expect, it } from "vitest";
import { describePhase, latestPhase } from "./run-progress";

describe("latestPhase", () => {
  it("picks the phase reached last, whatever the key order", () => {
    expect(
      latestPhase({
        requested: 0,
        preparing: 2,
        firstConsoleLine: 250,
        booting: 5,
        guestInit: 1500,
      }),
    ).toEqual({ phase: "guestInit", atMs: 1500 });
  });

  it("is null while only the request is timed", () => {
    expect(latestPhase({ requested: 0 })).toBeNull();
    expect(latestPhase({})).toBeNull();
  });
});

describe("describePhase", () => {
  it("spells camelCase phases as words", () => {
    expect(describePhase("guestInit")).toBe("guest init");
    expect(describePhase("firstConsoleLine")).toBe("first console line");
    expect(describePhase("vmmSpawned")).toBe("vmm spawned");
    expect(describePhase("running")).toBe("running");
  });
});
