// Every demo folder's checks against real sandboxes: in a fresh session per demo and runtime, each checked step's
// check fails before its solution runs (with a hint) and passes after, on each runtime the step names that this host has.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RuntimesReplySchema } from "../../lib/api/schemas";
import { sessionRuntimeIds } from "../../lib/api/sessions";
import { loadDemos } from "../../lib/demos/load-demos";
import { solutionOf, stepRuntimesOf, type Demo } from "../../lib/demos/schema";
import { startTestHost, waitForEnd, type TestHost } from "../testing/test-host";
import { lastLineOf } from "./run-step-script";

let host: TestHost;
let runtimes: string[] = [];
const visitor = { cookie: "sbpg_visitor=labs-checks-aaaaaaaaaaaaaaaaaa" };
const labs = loadDemos().filter((demo) => demo.steps.some((step) => step.check !== undefined));

beforeAll(async () => {
  host = await startTestHost({ SBPG_MAX_SESSIONS_PER_CLIENT: "2" });
  const listed = await host.request("GET", "/api/runtimes");
  runtimes = RuntimesReplySchema.parse(listed.json)
    .runtimes.filter((r) => r.available && (sessionRuntimeIds as readonly string[]).includes(r.id))
    .map((r) => r.id);
}, 60_000);
afterAll(async () => host?.close());

async function startSession(runtime: string): Promise<string> {
  const created = await host.request("POST", "/api/sessions", { runtime }, visitor);
  expect(created.status, created.text).toBe(201);
  // A microVM boots its kernel under TCG here: seconds alone, far more while other suites load the host.
  const deadline = Date.now() + 90_000;
  for (;;) {
    const { json } = await host.request(
      "GET",
      `/api/sessions/${created.json.id}`,
      undefined,
      visitor,
    );
    if (json.state === "ready") return created.json.id as string;
    if (json.state === "failed" || Date.now() > deadline)
      throw new Error(`session ${created.json.id}: ${JSON.stringify(json)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One script in the session, as a lab check runs it: sh -c, exit code and output. */
async function exec(sessionId: string, script: string, timeoutMs: number) {
  const created = await host.request(
    "POST",
    `/api/sessions/${sessionId}/exec`,
    { command: ["sh", "-c", script], timeoutMs },
    visitor,
  );
  expect(created.status, created.text).toBe(201);
  const run = await waitForEnd(host, created.json.id, timeoutMs + 15_000);
  const logs = (await host.request("GET", `/api/runs/${created.json.id}/logs`)).text;
  return { exitCode: run.state === "exited" ? (run.exitCode as number) : null, logs };
}

/** Walks a demo's steps in order in one session, as a visitor would. */
async function walkLab(demo: Demo, runtime: string): Promise<number> {
  const sessionId = await startSession(runtime);
  let checked = 0;
  try {
    for (const [index, step] of demo.steps.entries()) {
      if (!stepRuntimesOf(demo, step).includes(runtime as never)) continue;
      const timeoutMs = step.timeoutMs ?? 10_000;
      const where = `${demo.slug} step ${index + 1} (${step.title}) on ${runtime}`;
      if (step.setup) {
        const setup = await exec(sessionId, step.setup, timeoutMs);
        expect(setup.exitCode, `${where}: setup\n${setup.logs}`).toBe(0);
      }
      if (step.check) {
        const before = await exec(sessionId, step.check, timeoutMs);
        expect(before.exitCode, `${where}: passes before its solution\n${before.logs}`).not.toBe(0);
        expect(lastLineOf(before.logs), `${where}: fails without a hint`).toBeTruthy();
      }
      const solution = solutionOf(step);
      if (solution) {
        const solved = await exec(sessionId, solution, 60_000);
        expect(solved.exitCode, `${where}: solution\n${solved.logs}`).not.toBeNull();
      }
      if (step.check) {
        const after = await exec(sessionId, step.check, timeoutMs);
        expect(after.exitCode, `${where}: fails after its solution\n${after.logs}`).toBe(0);
        checked += 1;
      }
    }
  } finally {
    await host.request("DELETE", `/api/sessions/${sessionId}`, undefined, visitor);
  }
  return checked;
}

describe("every demo folder's checks", () => {
  it("has labs with checks to exercise", () => {
    expect(labs.length).toBeGreaterThan(0);
  });

  describe.each(labs.map((demo) => [demo.slug, demo] as const))("%s", (_slug, demo) => {
    const named = [
      ...new Set(
        demo.steps.filter((s) => s.check !== undefined).flatMap((s) => stepRuntimesOf(demo, s)),
      ),
    ];
    it.each(named)(
      "fail before and pass after their solution on %s",
      async (runtime) => {
        if (!runtimes.includes(runtime)) {
          console.warn(
            `${demo.slug}: ${runtime} is not available on this host; its checks did not run`,
          );
          return;
        }
        expect(await walkLab(demo, runtime)).toBeGreaterThan(0);
      },
      180_000,
    );
  });
});
