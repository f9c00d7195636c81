// Session start to the shell's prompt through the API and socket.io alone (no page): POST /api/sessions, poll until
// ready, terminal:open, attach, the prompt's bytes. For the microVM it waits for the warm pool first and says which
// way each session's VM came. `npm run bench:session-prompt -- --runtime microvm --sessions 7`.
import { parseArgs } from "node:util";
import { z } from "zod";
import { SessionSnapshotSchema } from "../lib/api/sessions";
import { RuntimesReplySchema } from "../lib/api/schemas";
import { openShell } from "../server/testing/terminal-screen";
import { startTestHost } from "../server/testing/test-host";
import { summarize } from "../lib/stats";

const ArgsSchema = z.object({
  runtime: z.string().default("microvm"),
  sessions: z.coerce.number().int().min(1).max(50).default(7),
  /** Between sessions, so the pool has refilled (a restore takes ~0.4 s). */
  gapMs: z.coerce.number().int().min(0).default(2_500),
});
const { values } = parseArgs({
  options: { runtime: { type: "string" }, sessions: { type: "string" }, gapMs: { type: "string" } },
});
const { runtime, sessions, gapMs } = ArgsSchema.parse(values);

const host = await startTestHost({
  SBPG_MICROVM_POOL_SIZE: "1",
  SBPG_MICROVM_SNAPSHOT: "on",
  SBPG_MICROVM_SNAPSHOT_TERMINALS: process.env.SBPG_MICROVM_SNAPSHOT_TERMINALS ?? "2",
  SBPG_MAX_SESSIONS_PER_CLIENT: "50",
});
const visitor = { cookie: "sbpg_visitor=bench-session-prompt-aaaaaaaaaa" };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
try {
  if (runtime === "microvm")
    for (let waited = 0; ; waited += 200) {
      const { json } = await host.request("GET", "/api/runtimes");
      const d = RuntimesReplySchema.parse(json).runtimes.find((r) => r.id === "microvm")?.details;
      if (d?.snapshot?.startsWith("ready") && d.warmPool?.startsWith("1/")) break;
      if (waited > 180_000)
        throw new Error(`the microVM pool never got ready: ${JSON.stringify(d)}`);
      await sleep(200);
    }
  const ready: number[] = [];
  const prompt: number[] = [];
  const paths = new Map<string, number>();
  for (let i = 0; i < sessions; i++) {
    await sleep(gapMs);
    const started = performance.now();
    const created = await host.request("POST", "/api/sessions", { runtime }, visitor);
    if (created.status !== 201) throw new Error(`POST /api/sessions: ${created.text}`);
    const id: string = created.json.id;
    let session = SessionSnapshotSchema.parse(
      (await host.request("GET", `/api/sessions/${id}`, undefined, visitor)).json,
    );
    while (session.state !== "ready") {
      if (session.state === "failed" || session.state === "ended")
        throw new Error(`the session ${session.state}: ${session.error?.message}`);
      await sleep(5);
      session = SessionSnapshotSchema.parse(
        (await host.request("GET", `/api/sessions/${id}`, undefined, visitor)).json,
      );
    }
    ready.push(performance.now() - started);
    const socket = host.socket({ headers: visitor });
    const { screen } = await openShell(socket, id);
    await screen.waitFor(/~ # /, 30_000);
    prompt.push(performance.now() - started);
    const path = session.start?.path ?? "-";
    paths.set(path, (paths.get(path) ?? 0) + 1);
    socket.close();
    await host.request("DELETE", `/api/sessions/${id}`, undefined, visitor);
  }
  const line = (label: string, ms: number[]) => {
    const { median, p95 } = summarize(ms);
    return `${label} ${median.toFixed(0)} / ${p95.toFixed(0)} ms`;
  };
  console.log(`${runtime}: ${sessions} sessions, ${gapMs} ms apart (median / p95)`);
  console.log(`  ${line("POST → ready:", ready)}; ${line("POST → prompt:", prompt)}`);
  console.log(`  VMs: ${[...paths].map(([p, n]) => `${p} ${n}`).join(", ")}`);
} finally {
  await host.close();
}
