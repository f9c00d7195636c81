import { describe, expect, it } from "vitest";
import { describeCommand, formatCommand } from "./format-command";

describe("formatCommand", () => {
  it("quotes only what a shell would split or expand", () => {
    expect(formatCommand(["sh", "-c", 'echo "hi $(hostname)"; id'])).toBe(
      `sh -c 'echo "hi $(hostname)"; id'`,
    );
    expect(formatCommand(["echo", "it's"])).toBe(`echo 'it'\\''s'`);
  });
});

describe("describeCommand", () => {
  it("keeps a one-line command on one line", () => {
    expect(describeCommand(["sh", "-c", "id"])).toEqual({ line: "sh -c id", script: null });
  });

  it("shows a multi-line script as written", () => {
    expect(describeCommand(["sh", "-c", "uname -a\nid\n"])).toEqual({
      line: 'sh -c "$script"',
      script: "uname -a\nid",
    });
  });
});
