import { describe, expect, it } from "vitest";
import { typedCommand } from "./typed-command";

describe("typedCommand", () => {
  it("presses Enter after every line, the last one included", () => {
    expect(typedCommand("echo hi")).toBe("echo hi\r");
    expect(typedCommand("cd /tmp\nls\r\npwd")).toBe("cd /tmp\rls\rpwd\r");
  });
});
