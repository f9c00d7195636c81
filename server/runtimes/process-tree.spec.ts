// processTree on this host's real /proc: a shell with two children and a grandchild.
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { processTree } from "./process-tree";

describe("processTree", () => {
  let stop = () => {};
  afterEach(() => stop());

  it("finds a process's children and their children, root first", async () => {
    // sh starts `sleep` and a subshell that starts its own `sleep`; `wait` keeps sh the parent of both.
    const sh = spawn("sh", ["-c", "sleep 30 & (sleep 30 & wait) & wait"], { stdio: "ignore" });
    const seen: number[] = [];
    stop = () => {
      for (const pid of [...seen].reverse()) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // gone
        }
      }
    };
    await expect
      .poll(async () => {
        seen.splice(0, seen.length, ...(await processTree(sh.pid!)));
        return seen.length;
      })
      .toBe(4);
    expect(seen[0]).toBe(sh.pid);
    const names = await Promise.all(
      seen.map(async (pid) => (await readFile(`/proc/${pid}/comm`, "utf8")).trim()),
    );
    expect(names.sort()).toEqual(["sh", "sh", "sleep", "sleep"]);
    expect(await processTree(process.pid)).not.toContain(process.ppid);
  });

  it("is empty for a process that is gone", async () => {
    const child = spawn("true");
    await new Promise((r) => child.once("exit", r));
    expect(await processTree(child.pid!)).toEqual([]);
  });
});
