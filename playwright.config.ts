import { rmSync } from "node:fs";
import { defineConfig } from "@playwright/test";
import { chromiumLaunchOptions } from "./e2e/chromium-options";

const port = Number(process.env.E2E_PORT ?? 3100);
export const baseURL = `http://127.0.0.1:${port}`;
// Workshops and presentations persist in the data folder; each test run starts its server on an empty
// one. Only the runner process clears it (workers load this file too, while the server runs).
const dataDir = `/tmp/sandbox-playground-e2e-data-${port}`;
if (process.env.TEST_WORKER_INDEX === undefined) rmSync(dataDir, { recursive: true, force: true });

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  timeout: 60_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [["list"]],
  use: {
    baseURL,
    launchOptions: chromiumLaunchOptions,
    viewport: { width: 1400, height: 1000 },
  },
  webServer: {
    command: "node --import tsx server/main.ts",
    url: `${baseURL}/api/health`,
    reuseExistingServer: false,
    // SIGTERM lets the server stop its sandboxes and release its image mounts; the default is SIGKILL.
    gracefulShutdown: { signal: "SIGTERM", timeout: 15_000 },
    timeout: 60_000,
    env: {
      NODE_ENV: "production",
      ...(process.env.SBPG_NEXT_DIST ? { SBPG_NEXT_DIST: process.env.SBPG_NEXT_DIST } : {}),
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      SBPG_STATE_DIR:
        port === 3100 ? "/run/sandbox-playground-e2e" : `/run/sandbox-playground-e2e-${port}`,
      // Workshops persist across server restarts; the tests keep theirs apart from a real playground's.
      SBPG_DATA_DIR: dataDir,
      NEXT_TELEMETRY_DISABLED: "1",
      // onnxruntime-node uploads telemetry unless told not to; the playground makes no outbound connection.
      ORT_DISABLE_TELEMETRY: "1",
      // A second test server beside the default one serves vAccel on per-run sockets only: the shared
      // listener's port (tcp://127.0.0.1:65500) belongs to the first.
      ...(port === 3100 ? {} : { SBPG_VACCEL_ADDRESS: "" }),
    },
  },
});
