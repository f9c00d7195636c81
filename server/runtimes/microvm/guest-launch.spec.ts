import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { launchScript, runCommandLine } from "./guest-launch";

describe("launchScript", () => {
  it("single-quotes every word, quotes inside included", () => {
    expect(launchScript(["sh", "-c", "echo it's $HOME; `x`"], 1024)).toBe(
      "tmpfs_bytes=1024\nset -- 'sh' '-c' 'echo it'\\''s $HOME; `x`'\n",
    );
  });
});

describe("runCommandLine", () => {
  const awkward = [
    "sh",
    "-c",
    "echo it's $HOME; `x`",
    "a  b\tc",
    "two\nlines\n",
    "",
    "back\\slash",
  ];

  it("is one line: a newline inside a word is spelled $nl", () => {
    const line = runCommandLine(["printf", "a\nb"], 1024);
    expect(line).toBe(`run tmpfs_bytes=1024; set -- 'printf' 'a'"$nl"'b'\n`);
    expect(runCommandLine(awkward, 1).split("\n")).toHaveLength(2);
  });

  // The guest reads it as the init does, with the same busybox: the argv must arrive byte for byte.
  const shell = ["/bin/busybox", "/usr/bin/busybox"].find(existsSync);
  it.runIf(shell)("gives the guest's shell the argv as sent", async () => {
    const init = `nl='\n'\nread -r verb launch\neval "$launch"\nprintf '%s\\0' "$verb" "$tmpfs_bytes" "$@"`;
    const child = promisify(execFile)(shell as string, ["sh", "-c", init]);
    child.child.stdin?.end(runCommandLine(awkward, 4096));
    const { stdout } = await child;
    expect(stdout.split("\0").slice(0, -1)).toEqual(["run", "4096", ...awkward]);
  });
});
