import { describe, expect, it } from "vitest";
import { checkSettings } from "./load-settings";

const input = { runtimes: ["runc"], requests: "20", concurrency: "4", mode: "cold" as const };

describe("checkSettings", () => {
  it("accepts whole numbers within the limits", () => {
    expect(checkSettings(input, 6)).toEqual({
      ok: true,
      settings: { runtimes: ["runc"], knative: [], requests: 20, concurrency: 4, mode: "cold" },
    });
  });

  it("takes Knative targets alone as a choice of runtime", () => {
    expect(checkSettings({ ...input, runtimes: [], knative: ["k8s:gvisor"] }, 6)).toMatchObject({
      ok: true,
      settings: { runtimes: [], knative: ["k8s:gvisor"] },
    });
  });

  it("says what to change", () => {
    const check = checkSettings(
      { runtimes: [], requests: "2.5", concurrency: "7", mode: "cold" },
      6,
    );
    expect(check).toEqual({
      ok: false,
      errors: {
        runtimes: "Choose at least one runtime",
        requests: "The number of requests is a whole number",
        concurrency:
          "Concurrency is at most 6, this host's limit on one visitor's sandboxes at once",
      },
    });
    expect(checkSettings({ ...input, requests: "101" }, 6)).toMatchObject({
      errors: { requests: "The number of requests is at most 100" },
    });
    expect(checkSettings({ ...input, concurrency: "0" }, 6)).toMatchObject({
      errors: { concurrency: "Concurrency is at least 1" },
    });
  });
});
