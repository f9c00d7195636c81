// The node-onnx image in real sandboxes: node and onnxruntime load on a read-only root with no network, classify the
// same synthetic text line on every runtime, and show what each sandbox costs them.
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { loadConfig } from "../config/env";
import { findVmProcesses } from "../runtimes/microvm/reap-vms";
import { startTestHost, waitForEnd, type TestHost } from "../testing/test-host";
import { buildImage } from "./image-builder";
import { ImageStore } from "./image-store";
import { nodeOnnxRecipe } from "./node-onnx-image";

const mib = 1024 * 1024;
/**
 * Measured least that works (warm host page cache): runc and containerd-runc 24 MiB, gVisor 40 MiB (its Sentry
 * is charged too), the microVM its 128 MiB guest floor. 256 MiB leaves every one room.
 */
const memoryLimitBytes = 256 * mib;
/** Under TCG the microVM boots (~2.5 s), then node and onnxruntime load over 9p (~5 s) and the runs emulate. */
const runTimeoutMs = 120_000;

const runtimes = ["runc", "gvisor", "containerd-runc", "microvm"] as const;
type Runtime = (typeof runtimes)[number];

/** The image carries onnxruntime's linux-x64 binaries only: elsewhere there is nothing to build it from. */
const unsupportedHost =
  process.platform === "linux" && process.arch === "x64"
    ? null
    : `the node-onnx image is linux-x64 only (this host: ${process.platform}-${process.arch})`;
if (unsupportedHost) console.warn(`node-onnx integration tests skipped: ${unsupportedHost}`);

const smokeCommand = ["sh", "-c", "ORT_DISABLE_TELEMETRY=1 exec node /opt/guest/ort-smoke.mjs 20"];

interface SmokeReport {
  node: string;
  ort: string;
  startMs: number;
  loadMs: number;
  runs: number;
  medianMs: number;
  p95Ms: number;
  label: string;
  score: number;
}

let host: TestHost;
let available: Record<string, { available: boolean; reason: string | null; details: any }>;
const reports = new Map<Runtime, { smoke: SmokeReport; timings: Record<string, number> }>();

describe.skipIf(unsupportedHost !== null)("the node-onnx image", () => {
  beforeAll(async () => {
    const store = new ImageStore(loadConfig().cacheDir);
    if (!(await store.manifest("node-onnx"))) {
      await buildImage(await nodeOnnxRecipe(), store.dir("node-onnx"));
    }
    host = await startTestHost({
      SBPG_MEMORY_LIMIT_BYTES: String(memoryLimitBytes),
      SBPG_MAX_TIMEOUT_MS: String(runTimeoutMs),
      // No warm pool: its busybox VMs would only compete for the CPU with the runs measured here.
      SBPG_MICROVM_POOL_SIZE: "0",
    });
    const { json } = await host.request("GET", "/api/runtimes");
    available = Object.fromEntries(json.runtimes.map((r: any) => [r.id, r]));
  });

  afterAll(async () => {
    if (reports.size > 0) console.log(formatReport());
    await host?.close();
  });

  describe.each(runtimes)("on %s", (runtime) => {
    it("runs the image's node, under the kernel the sandbox gives it", async (test) => {
      requireRuntime(test, runtime);
      const { run, logs } = await runInImage(runtime, [
        "node",
        "-e",
        "console.log(`kernel=${require('os').release()} node=${process.version}`)",
      ]);
      expect(run).toMatchObject({ image: "node-onnx", state: "exited", exitCode: 0 });
      const [, kernel, version] = /^kernel=(\S+) node=(\S+)$/m.exec(logs) ?? [];
      expect(version).toBe(process.version);
      if (runtime === "runc" || runtime === "containerd-runc") expect(kernel).toBe(os.release());
      else expect(kernel).not.toBe(os.release());
      if (runtime === "microvm") expect(kernel).toBe(available.microvm.details.kernel);
    });

    it(
      "loads onnxruntime and classifies a synthetic text line",
      async (test) => {
        requireRuntime(test, runtime);
        const { run, logs } = await runInImage(runtime, smokeCommand);
        expect(run, logs).toMatchObject({ state: "exited", exitCode: 0, error: null });
        const line = logs.split("\n").find((l) => l.startsWith('{"node"'));
        expect(line, logs).toBeDefined();
        const smoke = JSON.parse(line!) as SmokeReport;
        expect(smoke).toMatchObject({ node: process.version, ort: "1.30.0", runs: 20 });
        expect(smoke.label).toMatch(/^(0|180)$/);
        expect(smoke.score).toBeGreaterThan(0.9);
        reports.set(runtime, { smoke, timings: run.timings });
        if (runtime === "microvm") {
          expect(await findVmProcesses(path.join(host.stateDir, "microvm"))).toEqual([]);
        }
      },
      runTimeoutMs + 30_000,
    );
  });

  it("gives the same label on every runtime", () => {
    const labels = new Set([...reports.values()].map((r) => r.smoke.label));
    expect(reports.size).toBeGreaterThan(0);
    expect([...labels]).toHaveLength(1);
  });
});

function requireRuntime(test: TestContext, runtime: Runtime): void {
  const status = available[runtime];
  // The microVM needs built guest assets and a QEMU that boots here; the others are part of setup.
  if (runtime === "microvm" && !status?.available) {
    console.warn(`node-onnx on microvm skipped: ${status?.reason ?? "not listed"}`);
    test.skip();
  }
  expect(status, runtime).toMatchObject({ available: true });
}

/** runToEnd's wait is too short for a TCG microVM loading onnxruntime. */
async function runInImage(runtime: Runtime, command: string[]) {
  const created = await host.request("POST", "/api/runs", {
    runtime,
    image: "node-onnx",
    command,
    timeoutMs: runTimeoutMs,
  });
  if (created.status !== 201) throw new Error(`POST /api/runs: ${created.status} ${created.text}`);
  const run = await waitForEnd(host, created.json.id, runTimeoutMs + 15_000);
  const logs = (await host.request("GET", `/api/runs/${created.json.id}/logs`)).text;
  return { run, logs };
}

function formatReport(): string {
  const ms = (n: number | undefined) => (n === undefined ? "-" : `${Math.round(n)} ms`);
  const rows = [...reports].map(([runtime, { smoke, timings: t }]) =>
    [
      runtime.padEnd(16),
      ms((t.workloadStarted ?? t.started) - t.requested).padStart(9),
      ms(t.firstOutput - t.requested).padStart(9),
      ms(smoke.loadMs).padStart(9),
      `${smoke.medianMs.toFixed(2)} ms`.padStart(10),
      ms(t.exited - t.requested).padStart(9),
      `${smoke.label} (${smoke.score})`,
    ].join("  "),
  );
  return [
    `node-onnx smoke (${memoryLimitBytes / mib} MiB limit): runtime, request→workload start, →first output, node+ort load, median cls, total, label`,
    ...rows,
  ].join("\n");
}
