// Records each demo's workload on this host's real runtimes, for the site to replay when its server is unreachable.
// `node --import tsx scripts/record-demos.ts [slug...]` writes public/recordings/<slug>/<runtime>.sbpg.json and index.json.
import fs from "node:fs/promises";
import path from "node:path";
import { format } from "prettier";
import { loadConfig } from "../server/config/env";
import { createLogger } from "../server/log/logger";
import { startPlaygroundServer } from "../server/app";
import { loadDemos } from "../lib/demos/load-demos";
import { RuntimesReplySchema, RunSnapshotSchema, isTerminalState } from "../lib/api/schemas";
import { checkRecording } from "../lib/recordings/recording";
import {
  ShippedIndexSchema,
  maxShippedRecordingBytes,
  type ShippedIndex,
} from "../lib/recordings/shipped-index";
import { workloadKey } from "../lib/recordings/workload-key";

const outDir = path.resolve("public/recordings");

const only = process.argv.slice(2);
const config = loadConfig({
  ...process.env,
  NODE_ENV: "production",
  PORT: "0",
  HOST: "127.0.0.1",
  SBPG_STATE_DIR: "/run/sandbox-playground-record",
  SBPG_MICROVM_POOL_SIZE: "0",
  SBPG_VACCEL: "off",
});
const server = await startPlaygroundServer(config, createLogger("warn"), null);

const api = async (route: string, init?: RequestInit): Promise<unknown> => {
  const response = await fetch(`${server.url}${route}`, init);
  const body: unknown = await response.json();
  if (!response.ok) throw new Error(`${route}: ${response.status} ${JSON.stringify(body)}`);
  return body;
};

try {
  const { runtimes } = RuntimesReplySchema.parse(await api("/api/runtimes"));
  const index: ShippedIndex = await readIndex();
  for (const demo of loadDemos()) {
    if (only.length > 0 && !only.includes(demo.slug)) continue;
    index.recordings = index.recordings.filter((entry) => entry.slug !== demo.slug);
    for (const runtime of demo.runtimes) {
      if (!runtimes.some((r) => r.id === runtime && r.available)) {
        console.log(`${demo.slug}/${runtime}: not available on this host, skipped`);
        continue;
      }
      const { id } = (await api("/api/runs", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          runtime,
          image: demo.workload.image,
          command: demo.workload.command,
          timeoutMs: demo.workload.timeoutMs,
        }),
      })) as { id: string };
      const run = await waitForEnd(id);
      const checked = checkRecording(await api(`/api/runs/${id}/recording`));
      if (!checked.ok) throw new Error(`${demo.slug}/${runtime}: ${checked.message}`);
      // Formatted as the repository's format check expects, so committing them needs no extra step.
      const text = await format(JSON.stringify(checked.recording), { parser: "json" });
      if (run.state !== "exited" || text.length > maxShippedRecordingBytes) {
        console.log(
          `${demo.slug}/${runtime}: ${run.state}, ${text.length} bytes: not shipped (only clean runs under ${maxShippedRecordingBytes} bytes are)`,
        );
        continue;
      }
      const file = path.join(outDir, demo.slug, `${runtime}.sbpg.json`);
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, text);
      index.recordings.push({
        slug: demo.slug,
        runtime,
        workload: workloadKey(demo.workload),
        path: `/recordings/${demo.slug}/${runtime}.sbpg.json`,
      });
      console.log(`${demo.slug}/${runtime}: ${text.length} bytes -> ${path.relative(".", file)}`);
    }
  }
  index.recordings.sort((a, b) => a.path.localeCompare(b.path));
  await fs.writeFile(
    path.join(outDir, "index.json"),
    await format(JSON.stringify(index), { parser: "json" }),
  );
} finally {
  await server.close();
  await fs.rm(config.stateDir, { recursive: true, force: true });
}

async function readIndex(): Promise<ShippedIndex> {
  try {
    return ShippedIndexSchema.parse(
      JSON.parse(await fs.readFile(path.join(outDir, "index.json"), "utf8")),
    );
  } catch {
    return { recordings: [] };
  }
}

async function waitForEnd(id: string) {
  for (;;) {
    const run = RunSnapshotSchema.parse(await api(`/api/runs/${id}`));
    if (isTerminalState(run.state)) return run;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
