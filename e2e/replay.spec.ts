// The conference Wi-Fi must never end a talk: a run recorded live replays, paced and labelled, with the server stopped.
import { spawn, type ChildProcess } from "node:child_process";
import { writeFile } from "node:fs/promises";
import os from "node:os";
import { expect, test } from "@playwright/test";
import { checkRecording, formatRecordedAt, type Recording } from "../lib/recordings/recording";
import { ReplayPage } from "./pages/replay-page";

// This spec stops its server for real, so it starts its own rather than the shared one.
const port = Number(process.env.E2E_REPLAY_PORT ?? 3115);
const baseURL = `http://127.0.0.1:${port}`;
const pacedCommand = ["sh", "-c", "echo first; sleep 0.5; echo second"];

test.use({ baseURL });
test.describe.configure({ mode: "serial" });

let server: ChildProcess | null = null;

async function startServer(): Promise<void> {
  if (server && server.exitCode === null && server.signalCode === null) return;
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      SBPG_STATE_DIR: "/run/sandbox-playground-e2e-replay",
      LOG_LEVEL: "warn",
      NEXT_TELEMETRY_DISABLED: "1",
      ORT_DISABLE_TELEMETRY: "1",
      SBPG_MICROVM_POOL_SIZE: "0",
      SBPG_VACCEL: "off",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  server = child;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    if (await isUp()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error("the server did not answer /api/health within 60 s");
}

/** SIGTERM, then wait: the server stops its sandboxes and releases its mounts before it exits. */
async function stopServer(): Promise<void> {
  const child = server;
  server = null;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  await exited;
  clearTimeout(killer);
}

async function isUp(): Promise<boolean> {
  try {
    return (await fetch(`${baseURL}/api/health`)).ok;
  } catch {
    return false;
  }
}

/** Runs a command on runc through the API and returns its recording, as the browser would download it. */
async function recordThroughApi(command: string[]): Promise<Recording> {
  const created = await fetch(`${baseURL}/api/runs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ runtime: "runc", command }),
  });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };
  await expect
    .poll(async () => ((await (await fetch(`${baseURL}/api/runs/${id}`)).json()) as any).state)
    .toBe("exited");
  const checked = checkRecording(await (await fetch(`${baseURL}/api/runs/${id}/recording`)).json());
  if (!checked.ok) throw new Error(checked.message);
  return checked.recording;
}

test.beforeAll(startServer);
test.afterAll(stopServer);

test("a recorded run replays, labelled and paced, once the server is stopped", async ({
  page,
}, testInfo) => {
  test.setTimeout(120_000);
  const demo = new ReplayPage(page);
  await demo.open("hello-sandbox");
  await demo.selectOnly(["runc"]);
  await demo.run();
  await expect(demo.column("runc")).toHaveAttribute("data-state", "exited");
  await demo.log("runc").expectShows("Hello from sandbox");
  const liveText = (await demo.logText("runc").textContent()) ?? "";

  const saved = await demo.saveRecording("runc");
  expect(saved.name).toMatch(/^runc-\d{4}-\d\d-\d\d-\d{6}\.sbpg\.json$/);
  const checked = checkRecording(JSON.parse(saved.text));
  if (!checked.ok) throw new Error(checked.message);
  const recording = checked.recording;
  expect(recording.output.map((c) => c.data).join("")).toBe(liveText);

  const paced = await recordThroughApi(pacedCommand);
  const pacedFile = testInfo.outputPath("paced.sbpg.json");
  await writeFile(pacedFile, JSON.stringify(paced));

  await stopServer();
  expect(await isUp()).toBe(false);

  // Run with the server gone: the saved recording plays in place of the live run.
  await demo.run();
  await expect(demo.banner()).toContainText("cannot be reached");
  const label = demo.recordingLabel("runc");
  await expect(label).toContainText(
    `Recording — ${os.hostname()}, ${formatRecordedAt(recording.recordedAt)} (not live)`,
  );
  await expect(label).toHaveAttribute("role", "status");
  await expect(demo.column("runc")).toHaveAttribute("data-state", "exited");
  await expect(demo.logText("runc")).toHaveText(liveText);
  await expect(demo.timingChart().locator("canvas")).toBeVisible();
  await demo.log("runc").expectShows("Hello from sandbox");
  await page.screenshot({ path: testInfo.outputPath("replay.png"), fullPage: true });

  // A recording loaded from a file replays at the pace it was written.
  await demo.loadRecording(pacedFile);
  const shownAt = await demo.watchLogFor("runc", ["first", "second"]);
  await demo.run();
  const [firstAt, secondAt] = await shownAt();
  expect(secondAt - firstAt).toBeGreaterThanOrEqual(400);
  expect(secondAt - firstAt).toBeLessThan(2000);
  await expect(demo.recordingLabel("runc")).toContainText("Recorded with another command");
  await expect(demo.column("runc")).toHaveAttribute("data-state", "exited");
  testInfo.annotations.push({
    type: "replayed-gap-ms",
    description: `${Math.round(secondAt - firstAt)} (recorded ${Math.round(
      paced.output.find((c) => c.data.includes("second"))!.atMs -
        paced.output.find((c) => c.data.includes("first"))!.atMs,
    )})`,
  });
});

test("a file that is not a recording is refused with a clear message", async ({ page }, info) => {
  await startServer();
  const demo = new ReplayPage(page);
  await demo.open("hello-sandbox");
  const bad = info.outputPath("bad.sbpg.json");
  await writeFile(bad, JSON.stringify({ format: "sbpg-recording", version: 1, output: "nope" }));
  await page.getByTestId("load-recording").setInputFiles(bad);
  await expect(page.getByTestId("load-recording-status")).toContainText(
    "bad.sbpg.json: This recording is damaged",
  );
});
