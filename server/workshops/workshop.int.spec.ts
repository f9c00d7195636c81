// Workshop mode against a real server and real runc: joining, quotas, attendee isolation, facilitator control, restarts.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SubscribeAckSchema, type SubscribeAck } from "../../lib/api/schemas";
import { startTestHost, type TestHost } from "../testing/test-host";
import { workshopDbFile } from "./workshop-db";

let dataDir: string;
let host: TestHost;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "sbpg-workshop-int-"));
  host = await startWorkshopHost();
});
afterAll(async () => {
  await host?.close();
  await rm(dataDir, { recursive: true, force: true });
});

function startWorkshopHost(): Promise<TestHost> {
  return startTestHost({
    SBPG_DATA_DIR: dataDir,
    SBPG_WORKSHOP_SWEEP_MS: "200",
    SBPG_MAX_ACTIVE_RUNS_PER_CLIENT: "20",
    // Every workshop here is created from 127.0.0.1, by one cookie-less client.
    SBPG_MAX_OPEN_WORKSHOPS_PER_CLIENT: "50",
    SBPG_MAX_OPEN_WORKSHOPS_PER_ADDRESS: "50",
  });
}

interface Workshop {
  id: string;
  joinCode: string;
  facilitatorToken: string;
}

const quotas = {
  maxConcurrentRuns: 1,
  maxRunsPerAttendee: 2,
  allowedRuntimes: ["runc"],
  maxTimeoutMs: 30_000,
};

async function createWorkshop(overrides: Record<string, unknown> = {}): Promise<Workshop> {
  const created = await host.request("POST", "/api/workshops", {
    name: "Sandboxes 101",
    capacity: 5,
    durationMinutes: 60,
    quotas,
    ...overrides,
  });
  expect(created.status, created.text).toBe(201);
  return created.json;
}

/** Joins and returns the Cookie header the browser would send from then on. */
async function join(code: string, name: string): Promise<{ cookie: string; attendeeId: string }> {
  const joined = await host.request("POST", "/api/workshops/join", { code, name });
  expect(joined.status, joined.text).toBe(200);
  const setCookies = joined.headers.getSetCookie();
  expect(setCookies.find((c) => c.startsWith("sbpg_attendee="))).toMatch(
    /HttpOnly; SameSite=Strict/,
  );
  const cookie = setCookies.map((c) => c.split(";")[0]).join("; ");
  return { cookie, attendeeId: joined.json.attendeeId };
}

const asCookie = (cookie: string) => ({ cookie });
const asFacilitator = (w: Workshop) => ({ authorization: `Bearer ${w.facilitatorToken}` });

async function launch(cookie: string, command: string[], timeoutMs?: number) {
  return host.request(
    "POST",
    "/api/runs",
    { runtime: "runc", command, ...(timeoutMs ? { timeoutMs } : {}) },
    asCookie(cookie),
  );
}

async function waitForState(
  id: string,
  headers: Record<string, string>,
  states: string[],
): Promise<any> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { status, json } = await host.request("GET", `/api/runs/${id}`, undefined, headers);
    expect(status).toBe(200);
    if (states.includes(json.state)) return json;
    if (Date.now() > deadline) throw new Error(`run ${id} still ${json.state}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function subscribe(options: Parameters<TestHost["socket"]>[0], runId: string) {
  const socket = host.socket(options);
  return new Promise<SubscribeAck>((resolve) =>
    socket.emit("run:subscribe", { runId }, (ack: unknown) =>
      resolve(SubscribeAckSchema.parse(ack)),
    ),
  );
}

function setExpiry(workshopId: string, expiresAt: number) {
  const db = new Database(path.join(dataDir, workshopDbFile));
  try {
    db.prepare("UPDATE workshops SET expires_at = ? WHERE id = ?").run(expiresAt, workshopId);
  } finally {
    db.close();
  }
}

describe("joining", () => {
  it("refuses a wrong code, a full workshop and an expired one with a clear reason", async () => {
    const wrong = await host.request("POST", "/api/workshops/join", {
      code: "ZZZ-ZZZ",
      name: "Ann",
    });
    expect(wrong.status).toBe(404);
    expect(wrong.json.error).toMatchObject({ code: "not_found:workshop" });
    expect(wrong.json.error.message).toContain("ZZZZZZ");
    expect(wrong.headers.getSetCookie()).toEqual([]);

    const malformed = await host.request("POST", "/api/workshops/join", {
      code: "O0I1AB",
      name: "Ann",
    });
    expect(malformed.status).toBe(400);
    expect(malformed.json.error.message).toContain("no 0, O, 1 or I");

    const small = await createWorkshop({ capacity: 1 });
    await join(small.joinCode, "Ann");
    const full = await host.request("POST", "/api/workshops/join", {
      code: small.joinCode,
      name: "Bob",
    });
    expect(full.status).toBe(409);
    expect(full.json.error).toMatchObject({ code: "conflict:workshop_full" });
    expect(full.json.error.message).toContain("all 1 places are taken");

    const expiring = await createWorkshop();
    setExpiry(expiring.id, Date.now() - 1000);
    const expired = await host.request("POST", "/api/workshops/join", {
      code: expiring.joinCode,
      name: "Cy",
    });
    expect(expired.status).toBe(409);
    expect(expired.json.error.code).toMatch(/^conflict:workshop_(expired|ended)$/);

    const dashboard = await host.request(
      "GET",
      `/api/workshops/${small.id}`,
      undefined,
      asFacilitator(small),
    );
    expect(dashboard.json.attendees.map((a: any) => a.name)).toEqual(["Ann"]);
  });

  it("answers 401 to attendee and facilitator endpoints without credentials", async () => {
    const me = await host.request("GET", "/api/workshops/me");
    expect(me.status).toBe(401);
    expect(me.json.error.code).toBe("unauthorized:attendee");
    const progress = await host.request("POST", "/api/workshops/me/progress", {
      demo: "hello-sandbox",
      step: 0,
    });
    expect(progress.status).toBe(401);
    const workshop = await createWorkshop();
    expect((await host.request("GET", `/api/workshops/${workshop.id}`)).status).toBe(401);
    const other = await createWorkshop();
    const forged = await host.request(
      "POST",
      `/api/workshops/${workshop.id}/end`,
      undefined,
      asFacilitator(other),
    );
    expect(forged.status).toBe(403);
    expect(
      (
        await host.request(
          "GET",
          `/api/workshops/${workshop.id}`,
          undefined,
          asFacilitator(workshop),
        )
      ).json.workshop.status,
    ).toBe("open");
  });
});

describe("an attendee's runs", () => {
  it("count against the quotas, and the refusal says which quota and the numbers", async () => {
    const workshop = await createWorkshop();
    const { cookie } = await join(workshop.joinCode, "Ann");

    const gvisor = await host.request("POST", "/api/runs", { runtime: "gvisor" }, asCookie(cookie));
    expect(gvisor.status).toBe(429);
    expect(gvisor.json.error.message).toContain('"gvisor" is not one of them');
    const tooLong = await launch(cookie, ["true"], 60_000);
    expect(tooLong.status).toBe(429);
    expect(tooLong.json.error.message).toContain("at most 30 s");

    const first = await launch(cookie, ["sleep", "30"]);
    expect(first.status, first.text).toBe(201);
    const concurrent = await launch(cookie, ["true"]);
    expect(concurrent.status).toBe(429);
    expect(concurrent.json.error).toEqual({
      code: "quota:workshop",
      message:
        "Workshop quota: at most 1 sandbox running at a time per attendee; you have 1 running. Wait for one to finish or stop it.",
    });
    expect(
      (await host.request("DELETE", `/api/runs/${first.json.id}`, undefined, asCookie(cookie)))
        .status,
    ).toBe(200);

    const second = await launch(cookie, ["echo", "hi"]);
    expect(second.status, second.text).toBe(201);
    await waitForState(second.json.id, asCookie(cookie), ["exited"]);
    const third = await launch(cookie, ["echo", "hi"]);
    expect(third.status).toBe(429);
    expect(third.json.error.message).toBe(
      "Workshop quota: at most 2 runs per attendee; you have used 2.",
    );

    const me = await host.request("GET", "/api/workshops/me", undefined, asCookie(cookie));
    expect(me.json.usage).toEqual({ activeRuns: 0, totalRuns: 2 });
    expect(me.json.runs.map((r: any) => r.id)).toEqual([second.json.id, first.json.id]);
    // A visitor outside the workshop is not bound by its quotas.
    expect(
      (await host.request("POST", "/api/runs", { runtime: "gvisor", command: ["true"] })).status,
    ).toBe(201);
  });

  it("meet the same quotas and allowed runtimes on /fn: the gateway launches through the same policy", async () => {
    // Its longest run is shorter than a function's 30 s: the function's run is shortened, not refused.
    const workshop = await createWorkshop({ quotas: { ...quotas, maxTimeoutMs: 10_000 } });
    const { cookie } = await join(workshop.joinCode, "Fay");
    const callFunction = (runtime: string, headers: Record<string, string> = asCookie(cookie)) =>
      fetch(`${host.url}/fn/hello?runtime=${runtime}`, { headers });

    const gvisor = await callFunction("gvisor");
    expect(gvisor.status).toBe(429);
    expect((await gvisor.json()).error).toMatchObject({
      code: "quota:workshop",
      message: expect.stringContaining('"gvisor" is not one of them'),
    });
    for (let i = 0; i < 2; i++) {
      const answered = await callFunction("runc");
      expect(answered.status, await answered.text()).toBe(200);
      const run = await host.request(
        "GET",
        `/api/runs/${answered.headers.get("x-sandbox-run-id")}`,
        undefined,
        asCookie(cookie),
      );
      expect(run.json.limits.timeoutMs).toBe(10_000);
    }
    const exhausted = await callFunction("runc");
    expect(exhausted.status).toBe(429);
    expect(await exhausted.json()).toEqual({
      error: {
        code: "quota:workshop",
        message: "Workshop quota: at most 2 runs per attendee; you have used 2.",
      },
    });
    const me = await host.request("GET", "/api/workshops/me", undefined, asCookie(cookie));
    expect(me.json.usage).toEqual({ activeRuns: 0, totalRuns: 2 });
    // Outside the workshop the same function answers on a runtime the workshop does not allow.
    const outside = await callFunction("gvisor", {});
    expect(outside.status, await outside.text()).toBe(200);
  });

  it("are invisible to other attendees and anonymous visitors, over HTTP and socket.io", async () => {
    const workshop = await createWorkshop();
    const ann = await join(workshop.joinCode, "Ann");
    const bob = await join(workshop.joinCode, "Bob");
    const run = await launch(ann.cookie, ["sleep", "30"]);
    expect(run.status).toBe(201);
    const id = run.json.id;
    await waitForState(id, asCookie(ann.cookie), ["running"]);

    for (const headers of [asCookie(bob.cookie), {}, asCookie("sbpg_attendee=forged")]) {
      for (const [method, route] of [
        ["GET", `/api/runs/${id}`],
        ["GET", `/api/runs/${id}/logs`],
        ["DELETE", `/api/runs/${id}`],
      ]) {
        const reply = await host.request(method, route, undefined, headers);
        expect(reply.status, `${method} ${route} as ${JSON.stringify(headers)}`).toBe(404);
        expect(reply.json?.error.code ?? "not_found:run").toBe("not_found:run");
      }
    }
    // Another workshop's facilitator is nobody here either.
    const other = await createWorkshop();
    expect(
      (await host.request("GET", `/api/runs/${id}`, undefined, asFacilitator(other))).status,
    ).toBe(404);
    expect(await subscribe({ headers: asCookie(bob.cookie) }, id)).toMatchObject({
      ok: false,
      error: { code: "not_found:run" },
    });
    expect(await subscribe({}, id)).toMatchObject({ ok: false });
    expect(
      await subscribe({ auth: { facilitatorToken: other.facilitatorToken } }, id),
    ).toMatchObject({
      ok: false,
    });

    // Its attendee and its workshop's facilitator see it.
    expect(await subscribe({ headers: asCookie(ann.cookie) }, id)).toMatchObject({ ok: true });
    expect(
      await subscribe({ auth: { facilitatorToken: workshop.facilitatorToken } }, id),
    ).toMatchObject({
      ok: true,
    });
    expect(
      (await host.request("GET", `/api/runs/${id}`, undefined, asFacilitator(workshop))).json.state,
    ).toBe("running");

    // The facilitator stops it from the dashboard.
    const missing = await host.request(
      "DELETE",
      `/api/workshops/${workshop.id}/runs/${id}`,
      undefined,
      asFacilitator(other),
    );
    expect(missing.status).toBe(403);
    const stopped = await host.request(
      "DELETE",
      `/api/workshops/${workshop.id}/runs/${id}`,
      undefined,
      asFacilitator(workshop),
    );
    expect(stopped.status, stopped.text).toBe(200);
    expect(stopped.json).toMatchObject({ id, state: "stopped" });
    expect(stopped.json.endedAt).not.toBeNull();
    expect((await waitForState(id, asCookie(ann.cookie), ["stopped"])).state).toBe("stopped");
  });
});

describe("the facilitator", () => {
  it("sees attendees, progress and running sandboxes; ending stops every run and every launch", async () => {
    const workshop = await createWorkshop({
      quotas: { ...quotas, maxConcurrentRuns: 2, maxRunsPerAttendee: 5 },
    });
    const ann = await join(workshop.joinCode, "Ann");
    const bob = await join(workshop.joinCode, "Bob");
    const progress = await host.request(
      "POST",
      "/api/workshops/me/progress",
      { demo: "hello-sandbox", step: 1 },
      asCookie(ann.cookie),
    );
    expect(progress.status, progress.text).toBe(200);
    const bad = await host.request(
      "POST",
      "/api/workshops/me/progress",
      { demo: "../x", step: -1 },
      asCookie(ann.cookie),
    );
    expect(bad.status).toBe(400);

    const runs = [
      (await launch(ann.cookie, ["sleep", "30"])).json.id,
      (await launch(ann.cookie, ["sleep", "30"])).json.id,
      (await launch(bob.cookie, ["sleep", "30"])).json.id,
    ];
    for (const id of runs) await waitForState(id, asFacilitator(workshop), ["running"]);

    const dashboard = (
      await host.request("GET", `/api/workshops/${workshop.id}`, undefined, asFacilitator(workshop))
    ).json;
    expect(dashboard.workshop.joinCode).toBe(workshop.joinCode);
    const byName = Object.fromEntries(dashboard.attendees.map((a: any) => [a.name, a]));
    expect(byName.Ann.progress).toMatchObject([{ demo: "hello-sandbox", step: 1 }]);
    expect(byName.Ann.activeRuns.map((r: any) => r.state)).toEqual(["running", "running"]);
    expect(byName.Bob.activeRuns).toHaveLength(1);

    const extended = await host.request(
      "POST",
      `/api/workshops/${workshop.id}/extend`,
      { minutes: 30 },
      asFacilitator(workshop),
    );
    expect(Date.parse(extended.json.expiresAt)).toBeGreaterThan(
      Date.parse(dashboard.workshop.expiresAt),
    );

    const ended = await host.request(
      "POST",
      `/api/workshops/${workshop.id}/end`,
      undefined,
      asFacilitator(workshop),
    );
    expect(ended.json).toEqual({ stoppedRuns: 3, endedSessions: 0 });
    for (const id of runs) {
      expect(
        (await host.request("GET", `/api/runs/${id}`, undefined, asFacilitator(workshop))).json
          .state,
      ).toBe("stopped");
    }
    const refused = await launch(ann.cookie, ["true"]);
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe("forbidden:workshop_ended");
    const me = (await host.request("GET", "/api/workshops/me", undefined, asCookie(bob.cookie)))
      .json;
    expect(me.workshop.status).toBe("ended");
    expect(me.usage.activeRuns).toBe(0);
  });

  it("has expired workshops ended by the sweep, their runs stopped", async () => {
    const workshop = await createWorkshop();
    const ann = await join(workshop.joinCode, "Ann");
    const run = (await launch(ann.cookie, ["sleep", "30"])).json.id;
    await waitForState(run, asCookie(ann.cookie), ["running"]);
    setExpiry(workshop.id, Date.now() - 1);
    // Expired is refused at once, before the sweep comes by.
    expect((await launch(ann.cookie, ["true"])).json.error?.code).toMatch(
      /^forbidden:workshop_(expired|ended)$/,
    );
    expect((await waitForState(run, asCookie(ann.cookie), ["stopped"])).state).toBe("stopped");
    const me = (await host.request("GET", "/api/workshops/me", undefined, asCookie(ann.cookie)))
      .json;
    expect(me.workshop.status).toBe("ended");
  });
});

describe("a restart", () => {
  it("keeps workshops, attendees and progress; runs that were live are recorded as ended", async () => {
    const workshop = await createWorkshop({ quotas: { ...quotas, maxRunsPerAttendee: 5 } });
    const ann = await join(workshop.joinCode, "Ann");
    await host.request(
      "POST",
      "/api/workshops/me/progress",
      { demo: "hello-sandbox", step: 2 },
      asCookie(ann.cookie),
    );
    const run = (await launch(ann.cookie, ["sleep", "30"])).json.id;
    await waitForState(run, asCookie(ann.cookie), ["running"]);

    await host.close();
    host = await startWorkshopHost();

    const me = await host.request("GET", "/api/workshops/me", undefined, asCookie(ann.cookie));
    expect(me.status, me.text).toBe(200);
    expect(me.json.attendee.name).toBe("Ann");
    expect(me.json.progress).toMatchObject([{ demo: "hello-sandbox", step: 2 }]);
    expect(me.json.runs).toMatchObject([{ id: run, state: null }]);
    expect(me.json.runs[0].endedAt).not.toBeNull();
    expect(me.json.usage).toEqual({ activeRuns: 0, totalRuns: 1 });
    const dashboard = await host.request(
      "GET",
      `/api/workshops/${workshop.id}`,
      undefined,
      asFacilitator(workshop),
    );
    expect(dashboard.status).toBe(200);
    expect(dashboard.json.attendees.map((a: any) => a.name)).toEqual(["Ann"]);
    // The attendee carries on where they were, within the same quotas.
    expect((await launch(ann.cookie, ["true"])).status).toBe(201);
  });
});
