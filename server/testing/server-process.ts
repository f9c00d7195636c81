// For integration tests: `server/main.ts --api-only` as a process of its own, as `npm start` runs it.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

export interface ServerProcess {
  child: ChildProcess;
  url: string;
}

export interface EndedProcess {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The server's environment: its own port and log level over what the test process has; `env` wins. */
function spawnServer(env: Record<string, string>, stderr: "inherit" | "pipe"): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", "server/main.ts", "--api-only"], {
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      NODE_ENV: "test",
      LOG_LEVEL: "info",
      // As test hosts: microVMs boot cold unless a test asks for the snapshot, which a server would otherwise
      // save in the background, into its state folder, while the test compares that folder's entries.
      SBPG_MICROVM_SNAPSHOT: "off",
      ...env,
    },
    stdio: ["ignore", "pipe", stderr],
  });
}

/** Starts a server and resolves with its URL once it listens; the caller stops `child`. */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawnServer(env, "inherit");
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

/** Starts a server that is expected not to start, and resolves with its exit code and output. */
export async function serverProcessOutcome(
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<EndedProcess> {
  const child = spawnServer(env, "pipe");
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  // One that started after all is stopped as an operator would (SIGTERM stops its sandboxes), not left running.
  const timers = [
    setTimeout(() => child.kill("SIGTERM"), timeoutMs),
    setTimeout(() => child.kill("SIGKILL"), timeoutMs + 20_000),
  ];
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  for (const timer of timers) clearTimeout(timer);
  return { code, stdout, stderr };
}
