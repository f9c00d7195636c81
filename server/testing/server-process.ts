// For restart tests: the real server (`server/main.ts --api-only`) as a process of its own, killable with -9.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

/** Starts the server on a random port with `stateDir`, and resolves with its URL once it listens. */
export async function startServerProcess(
  stateDir: string,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts", "--api-only"], {
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      NODE_ENV: "test",
      LOG_LEVEL: "info",
      SBPG_STATE_DIR: stateDir,
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
    lines.on("line", (line) => {
      const entry = JSON.parse(line) as { msg?: string; url?: string };
      if (entry.msg === "Sandbox Playground is listening" && entry.url) resolve(entry.url);
    });
  });
  return { child, url };
}
