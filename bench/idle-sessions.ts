// Idle sessions benchmark: /api/health latency with no session, then with 50 idle runc sessions and 10 idle gVisor
// sessions held at once, and what each idle session costs the host (its cgroup's memory, MemAvailable's drop).
import fs from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { z } from "zod";
import { SessionHostViewSchema, SessionSnapshotSchema } from "../lib/api/sessions";
import { startPlaygroundServer, type PlaygroundServer } from "../server/app";
import { createLogger } from "../server/log/logger";
import { sleep } from "../server/runtimes/process-exit";
import { benchServerConfig } from "./lib/bench-config";
import { writableRunDir } from "./lib/run-dir";
import { summarize } from "../lib/stats";

const ArgsSchema = z.object({
  runc: z.coerce.number().int().min(0).max(200).default(50),
  gvisor: z.coerce.number().int().min(0).max(100).default(10),
  /** /api/health requests per phase, one every `healthGapMs`. */
  healthRequests: z.coerce.number().int().min(5).max(10_000).default(200),
  healthGapMs: z.coerce.number().int().min(0).max(1_000).default(20),
});

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runc: { type: "string" },
      gvisor: { type: "string" },
      "health-requests": { type: "string" },
      "health-gap-ms": { type: "string" },
    },
    strict: true,
  });
  const args = ArgsSchema.parse({
    runc: values.runc,
    gvisor: values.gvisor,
    healthRequests: values["health-requests"],
    healthGapMs: values["health-gap-ms"],
  });
  const total = args.runc + args.gvisor;
  const stateDir = await fs.mkdtemp(path.join(await writableRunDir(), "sbpg-bench-idle-"));
  const config = benchServerConfig(stateDir, {
    SBPG_VACCEL_ADDRESS: "",
    SBPG_MICROVM_POOL_SIZE: "0",
    SBPG_MAX_SESSIONS: String(total + 1),
    SBPG_MAX_SESSIONS_PER_CLIENT: String(total + 1),
    SBPG_MAX_ACTIVE_RUNS_PER_ADDRESS: String(total + 10),
  });
  let server: PlaygroundServer | null = null;
  const ids: string[] = [];
  try {
    server = await startPlaygroundServer(config, createLogger(config.logLevel), null);
    const url = server.url;
    const health = async () => {
      const samples: number[] = [];
      for (let i = 0; i < args.healthRequests; i++) {
        const at = performance.now();
        const reply = await fetch(`${url}/api/health`);
        await reply.arrayBuffer();
        if (reply.status !== 200) throw new Error(`/api/health answered ${reply.status}`);
        samples.push(performance.now() - at);
        await sleep(args.healthGapMs);
      }
      return summarize(samples);
    };

    const idle = await health();
    const availableBefore = await memAvailableBytes();
    const started = performance.now();
    const runtimes = [
      ...Array<string>(args.runc).fill("runc"),
      ...Array<string>(args.gvisor).fill("gvisor"),
    ];
    // A few at a time, as visitors arrive; the server starts each in the background.
    for (const runtime of runtimes) {
      const reply = await fetch(`${url}/api/sessions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ runtime }),
      });
      if (reply.status !== 201) throw new Error(`POST /api/sessions: ${await reply.text()}`);
      ids.push(((await reply.json()) as { id: string }).id);
    }
    for (const id of ids) await waitReady(url, id);
    const readyMs = performance.now() - started;
    // Let page cache and the runtimes' lazy work settle before the session costs are read.
    await sleep(3_000);
    const availableHeld = await memAvailableBytes();
    const perRuntime = new Map<string, number[]>();
    for (const [index, id] of ids.entries()) {
      const view = SessionHostViewSchema.parse(
        await (await fetch(`${url}/api/sessions/${id}/host`)).json(),
      );
      const list = perRuntime.get(runtimes[index]) ?? [];
      list.push(view.cgroup.memoryBytes ?? Number.NaN);
      perRuntime.set(runtimes[index], list);
    }
    const held = await health();

    const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
    console.log(
      `${args.runc} runc + ${args.gvisor} gVisor idle sessions, ready in ${(readyMs / 1000).toFixed(1)} s; /api/health ${args.healthRequests} requests per phase, one every ${args.healthGapMs} ms`,
    );
    console.log(
      `/api/health median / p95: no session ${idle.median.toFixed(1)} / ${idle.p95.toFixed(1)} ms; sessions held ${held.median.toFixed(1)} / ${held.p95.toFixed(1)} ms (p95 ratio ${(held.p95 / idle.p95).toFixed(2)})`,
    );
    for (const [runtime, bytes] of perRuntime) {
      const s = summarize(bytes);
      console.log(
        `${runtime}: an idle session's cgroup holds ${mib(s.median)} (median; min ${mib(s.min)}, p95 ${mib(s.p95)})`,
      );
    }
    console.log(
      `MemAvailable dropped ${mib(availableBefore - availableHeld)} for ${total} sessions: ${mib((availableBefore - availableHeld) / Math.max(1, total))} each (other processes on the host move it too)`,
    );
  } finally {
    if (server) {
      await Promise.all(
        ids.map((id) =>
          fetch(`${server!.url}/api/sessions/${id}`, { method: "DELETE" }).catch(() => undefined),
        ),
      );
      await server.close();
    }
    await fs.rm(stateDir, { recursive: true, force: true });
  }
}

async function waitReady(url: string, id: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const session = SessionSnapshotSchema.parse(
      await (await fetch(`${url}/api/sessions/${id}`)).json(),
    );
    if (session.state === "ready") return;
    if (session.state === "ended" || session.state === "failed" || Date.now() > deadline)
      throw new Error(`session ${id} is ${session.state}: ${session.error?.message ?? ""}`);
    await sleep(100);
  }
}

async function memAvailableBytes(): Promise<number> {
  const text = await fs.readFile("/proc/meminfo", "utf8");
  return Number(/^MemAvailable:\s+(\d+) kB$/m.exec(text)?.[1] ?? Number.NaN) * 1024;
}

await main();
