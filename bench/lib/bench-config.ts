// The config of a playground server a benchmark starts in-process: any free loopback port, its own
// state folder, the repository's image cache, quiet logs; `overrides` for what one bench needs.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig, type Config } from "../../server/config/env";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

export function benchServerConfig(
  stateDir: string,
  overrides: Record<string, string> = {},
): Config {
  return loadConfig({
    ...process.env,
    PORT: "0",
    HOST: "127.0.0.1",
    SBPG_STATE_DIR: stateDir,
    SBPG_CACHE_DIR: process.env.SBPG_CACHE_DIR ?? path.join(repoRoot, ".cache"),
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
    ...overrides,
  });
}
