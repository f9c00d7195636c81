// The lab API against real sessions: progress per visitor, checks only in the caller's own sessions, the state machine over HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LabProgressSchema } from "../../lib/api/labs";
import {
  startTestHost,
  waitForEnd,
  type TestHost,
  startSession as startHostSession,
} from "../testing/test-host";

let host: TestHost;
const alice = { cookie: "sbpg_visitor=labs-alice-aaaaaaaaaaaaaaaaaa" };
const bob = { cookie: "sbpg_visitor=labs-bob-bbbbbbbbbbbbbbbbbbbbbb" };
// A real demo folder: its second step leaves a note in the home, its third records a refused write.
const lab = "/api/labs/a-shell-that-stays";

beforeAll(async () => {
  host = await startTestHost({ SBPG_MAX_SESSIONS_PER_CLIENT: "2" });
}, 60_000);
afterAll(async () => host?.close());

const startSession = (runtime: string, headers: Record<string, string>) =>
  startHostSession(host, runtime, headers);

async function exec(sessionId: string, script: string, headers: Record<string, string>) {
  const created = await host.request(
    "POST",
    `/api/sessions/${sessionId}/exec`,
    { command: ["sh", "-c", script] },
    headers,
  );
  expect(created.status, created.text).toBe(201);
  return waitForEnd(host, created.json.id);
}

async function progress(route: string, method = "GET", headers = alice, body?: unknown) {
  const reply = await host.request(method, route, body, headers);
  expect(reply.status, reply.text).toBe(200);
  return LabProgressSchema.parse(reply.json);
}

describe("the lab API", () => {
  let runc = "";
  let gvisor = "";
  beforeAll(async () => {
    [runc, gvisor] = await Promise.all([
      startSession("runc", alice),
      startSession("gvisor", alice),
    ]);
  }, 60_000);

  it("needs the visitor cookie, and answers 404 for a demo or step that does not exist", async () => {
    expect((await host.request("GET", lab)).status).toBe(401);
    expect((await host.request("GET", "/api/labs/no-such-demo", undefined, alice)).status).toBe(
      404,
    );
    const step = await host.request("POST", `${lab}/steps/99/check`, undefined, alice);
    expect(step.status).toBe(404);
  });

  it("starts with the first step open, the others locked, and refuses a locked step", async () => {
    const first = await progress(lab);
    expect(first.steps.map((s) => s.state)).toEqual(["open", "locked", "locked", "locked"]);
    const locked = await host.request("POST", `${lab}/steps/1/check`, undefined, alice);
    expect(locked.status).toBe(409);
    expect(locked.json.error.code).toBe("conflict:step_locked");
  });

  it("attaches only the caller's own sessions", async () => {
    const body = { sessions: [{ runtime: "runc", sessionId: runc }] };
    const stolen = await host.request("PUT", `${lab}/sessions`, body, bob);
    expect(stolen.status).toBe(404);
    expect(stolen.json.error.code).toBe("not_found:session");
    const wrong = await host.request(
      "PUT",
      `${lab}/sessions`,
      { sessions: [{ runtime: "gvisor", sessionId: runc }] },
      alice,
    );
    expect(wrong.status).toBe(400);
    const malformed = await host.request("PUT", `${lab}/sessions`, { sessions: "all" }, alice);
    expect(malformed.status).toBe(400);
    const attached = await progress(`${lab}/sessions`, "PUT", alice, {
      sessions: [
        { runtime: "runc", sessionId: runc },
        { runtime: "gvisor", sessionId: gvisor },
      ],
    });
    expect(attached.sessions).toEqual({ runc, gvisor });
  });

  it("fails a check with the script's last line as the hint, then passes once the fix is in both sessions", async () => {
    await progress(`${lab}/steps/0/complete`, "POST");
    const failed = await progress(`${lab}/steps/1/check`, "POST");
    const step = failed.steps[1]!;
    expect(step.state).toBe("failed");
    expect(step.failedChecks).toBe(1);
    expect(step.hint).toMatch(/^runc: No ~\/note\.txt yet/);
    expect(step.outcomes.map((o) => [o.runtime, o.passed])).toEqual([
      ["runc", false],
      ["gvisor", false],
    ]);

    // Fixed in one sandbox only: still failing, now in the other.
    expect((await exec(runc, "echo hi > ~/note.txt", alice)).exitCode).toBe(0);
    const half = await progress(`${lab}/steps/1/check`, "POST");
    expect(half.steps[1]).toMatchObject({ state: "failed", failedChecks: 2 });
    expect(half.steps[1]!.hint).toMatch(/^gvisor: /);

    // Left over from before: the next step's setup must clear it, or that step's check would judge it.
    expect((await exec(runc, "echo written > ~/etc-write", alice)).exitCode).toBe(0);
    expect((await exec(gvisor, "echo hi > ~/note.txt", alice)).exitCode).toBe(0);
    const done = await progress(`${lab}/steps/1/check`, "POST");
    expect(done.steps[1]).toMatchObject({ state: "done", hint: null, failedChecks: 2 });
    expect(done.steps[2]!.state).toBe("open");
    expect(done.current).toBe(2);
    expect(Date.parse(done.steps[1]!.marks.done!)).toBeGreaterThanOrEqual(
      Date.parse(done.steps[1]!.marks.failed!),
    );
  }, 60_000);

  it("keeps progress per visitor across requests (a reload), and bob's is his own", async () => {
    const again = await progress(lab);
    expect(again.current).toBe(2);
    const bobs = await progress(lab, "GET", bob);
    expect(bobs.current).toBe(0);
    expect(bobs.sessions).toEqual({});
  });

  it("ran the opened step's setup once in each session", async () => {
    // Step 3's setup removes ~/etc-write; a file left there beforehand would otherwise pass its check.
    const left = await exec(runc, "test -e ~/etc-write && echo there || echo gone", alice);
    expect(left.exitCode).toBe(0);
    const logs = (await host.request("GET", `/api/runs/${left.id}/logs`)).text;
    expect(logs.trim()).toBe("gone");
  });

  it("refuses a check when a step's session has ended, counting no failed check", async () => {
    await host.request("DELETE", `/api/sessions/${gvisor}`, undefined, alice);
    const after = await progress(`${lab}/steps/2/check`, "POST");
    expect(after.steps[2]).toMatchObject({ state: "open", failedChecks: 0 });
    expect(after.steps[2]!.hint).toMatch(/gvisor session is ended|No session/);
  });
});

describe("lab progress across a restart", () => {
  it("is where it was after the playground restarts on the same data folder, without the ended sessions", async () => {
    const before = await progress(lab);
    expect(before.current).toBe(2);
    // A second process on the first one's data folder (as a restart that overlaps the old process's exit).
    const restarted = await startTestHost({ SBPG_DATA_DIR: host.dataDir });
    try {
      const reply = await restarted.request("GET", lab, undefined, alice);
      expect(reply.status, reply.text).toBe(200);
      const after = LabProgressSchema.parse(reply.json);
      expect(after.current).toBe(2);
      expect(after.steps.map((s) => s.state)).toEqual(before.steps.map((s) => s.state));
      expect(after.steps[1]).toMatchObject({ failedChecks: 2, marks: before.steps[1]!.marks });
      expect(after.sessions).toEqual({});
    } finally {
      await restarted.close();
    }
  });
});
