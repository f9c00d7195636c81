import { describe, expect, it } from "vitest";
import { scriptOf } from "./workload-script";

describe("scriptOf", () => {
  it("opens an sh -c command as its script", () => {
    expect(scriptOf(["sh", "-c", "echo hi\nuname -r\n"])).toBe("echo hi\nuname -r");
  });

  it("opens any other command as one shell line", () => {
    expect(scriptOf(["cat", "/proc/self/status", "it's"])).toBe("cat /proc/self/status 'it'\\''s'");
  });
});
