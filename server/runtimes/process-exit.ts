// Small helpers around child processes shared by the drivers.
import { execFile, type ChildProcess } from "node:child_process";

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion with a deadline; never throws for a non-zero exit. */
export function runCommand(
  file: string,
  args: string[],
  timeoutMs = 10_000,
): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: 4 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : null) : 0;
        resolve({
          code,
          stdout: String(stdout),
          stderr: String(stderr || (err && !stdout ? err.message : "")),
        });
      },
    );
  });
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export function waitForExit(child: ChildProcess): Promise<ExitInfo> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode });
      return;
    }
    child.once("close", (code, signal) => resolve({ code, signal }));
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
