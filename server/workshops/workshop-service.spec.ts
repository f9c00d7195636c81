import { EventEmitter } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunState } from "../../lib/api/schemas";
import type { SessionSnapshot } from "../../lib/api/sessions";
import type { CreateWorkshopBody } from "../../lib/api/workshops";
import { PlaygroundError } from "../errors/playground-error";
import { hashToken } from "./tokens";
import Database from "better-sqlite3";
import { openWorkshopDb, workshopDbFile, workshopMigrations, type WorkshopDb } from "./workshop-db";
import {
  WorkshopService,
  parseOwner,
  type RunControl,
  type SessionControl,
} from "./workshop-service";

/** The engine's side, as data: states by run id, and the runs it was asked to stop. */
class FakeRuns implements RunControl {
  states = new Map<string, RunState>();
  stopped: string[] = [];
  stateOf(id: string) {
    return this.states.get(id) ?? null;
  }
  async stop(id: string) {
    this.stopped.push(id);
    if (this.states.has(id)) this.states.set(id, "stopped");
  }
}

/** A run or session as a grant sees it once launched: an id, and a change event when it finishes. */
class FakeSandbox extends EventEmitter<{ change: [] }> {
  finished = false;
  constructor(readonly id: string) {
    super();
  }
  finish() {
    this.finished = true;
    this.emit("change");
  }
}

/** The session manager's side, as data: live sessions by id with their owner, and those it was asked to end. */
class FakeSessions implements SessionControl {
  live = new Map<string, { owner: string; snapshot: SessionSnapshot }>();
  ended: string[] = [];
  hold(id: string, owner: string, expiresAt: string, idleExpiresAt: string) {
    this.live.set(id, {
      owner,
      snapshot: {
        id,
        runtime: "runc",
        image: "busybox",
        state: "ready",
        timings: { queued: 0 },
        start: null,
        createdAt: "2026-05-01T09:00:00.000Z",
        expiresAt,
        idleExpiresAt,
        maxExpiresAt: expiresAt,
        limits: { memoryBytes: 1, pids: 1, cpuShares: 1, tmpfsBytes: 1, homeBytes: 1 },
        error: null,
        terminals: [
          { id: "t-open", exitCode: null },
          { id: "t-done", exitCode: 0 },
        ],
      },
    });
  }
  liveOwnedBy(owner: string) {
    return [...this.live.values()].filter((s) => s.owner === owner).map((s) => s.snapshot);
  }
  ownerOf(id: string) {
    return this.live.get(id)?.owner ?? null;
  }
  async end(id: string) {
    this.ended.push(id);
    this.live.delete(id);
  }
}

/** One address for every workshop these tests create; the per-creator cap has its own test. */
const creator = { visitor: "visitor:facilitator", address: "203.0.113.1" };

const body = (overrides: Partial<CreateWorkshopBody> = {}): CreateWorkshopBody => ({
  name: "Sandboxes 101",
  capacity: 3,
  durationMinutes: 60,
  quotas: {
    maxConcurrentRuns: 1,
    maxRunsPerAttendee: 2,
    allowedRuntimes: ["runc"],
    maxTimeoutMs: 10_000,
  },
  ...overrides,
});

function codeOf(error: unknown): string {
  return error instanceof PlaygroundError ? error.code : String(error);
}

function expectError(action: () => unknown, code: string, message?: string | RegExp): void {
  let thrown: unknown = null;
  try {
    action();
  } catch (err) {
    thrown = err;
  }
  expect(codeOf(thrown)).toBe(code);
  if (message) expect((thrown as Error).message).toMatch(message);
}

describe("WorkshopService", () => {
  let db: WorkshopDb;
  let runs: FakeRuns;
  let sessions: FakeSessions;
  let now: number;
  let service: WorkshopService;
  let ended: string[];

  beforeEach(() => {
    ended = [];
    db = openWorkshopDb(":memory:");
    runs = new FakeRuns();
    sessions = new FakeSessions();
    now = Date.parse("2026-05-01T09:00:00Z");
    service = new WorkshopService(db, {
      runs,
      sessions: { control: sessions, lifetimeMs: 40 * 60_000, maxLifetimeMs: 90 * 60_000 },
      hostLimits: { defaultTimeoutMs: 8000, maxTimeoutMs: 60_000 },
      maxOpenWorkshops: 100,
      maxOpenWorkshopsPerCreator: 100,
      maxOpenWorkshopsPerAddress: 100,
      ended: (id) => ended.push(id),
      now: () => now,
    });
  });
  afterEach(() => db.close());

  const count = (table: string) =>
    (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

  const launch = (attendee: ReturnType<typeof join>, runId: string, runtime = "runc") => {
    const admission = service.admitRun(service.attendeeByToken(attendee.token)!, { runtime });
    const run = new FakeSandbox(runId);
    admission.launched(run);
    runs.states.set(runId, "running");
    return run;
  };
  const join = (code: string, name: string) => service.join({ code, name });

  it("creates a workshop, storing only the hash of the facilitator token", () => {
    const created = service.create(body(), ["runc", "gvisor"], creator);
    expect(created.joinCode).toMatch(/^[2-9A-HJ-NP-Z]{6}$/);
    expect(created.facilitatorToken.length).toBeGreaterThanOrEqual(43);
    const row = db.prepare("SELECT * FROM workshops").get() as Record<string, unknown>;
    expect(row.facilitator_token_hash).toBe(hashToken(created.facilitatorToken));
    expect(JSON.stringify(row)).not.toContain(created.facilitatorToken);
    expect(() => service.authorizeFacilitator(created.id, created.facilitatorToken)).not.toThrow();
    expectError(() => service.authorizeFacilitator(created.id, null), "unauthorized:facilitator");
    expectError(() => service.authorizeFacilitator(created.id, "forged"), "forbidden:facilitator");
    const other = service.create(body(), ["runc"], creator);
    expectError(
      () => service.authorizeFacilitator(created.id, other.facilitatorToken),
      "forbidden:facilitator",
    );
  });

  it("refuses quotas outside the host's runtimes and limits, creating nothing", () => {
    const unknownRuntime = body({
      quotas: { ...body().quotas, allowedRuntimes: ["runc", "kata"] },
    });
    expectError(
      () => service.create(unknownRuntime, ["runc"], creator),
      "bad_request:workshop",
      /"kata"/,
    );
    const tooLong = body({ quotas: { ...body().quotas, maxTimeoutMs: 120_000 } });
    expectError(() => service.create(tooLong, ["runc"], creator), "bad_request:workshop", /60000/);
    expect(count("workshops")).toBe(0);
  });

  it("caps open workshops per visitor, per address and per host; ended and expired ones free their place", async () => {
    const capped = new WorkshopService(db, {
      runs,
      hostLimits: { defaultTimeoutMs: 8000, maxTimeoutMs: 60_000 },
      maxOpenWorkshops: 4,
      maxOpenWorkshopsPerCreator: 2,
      maxOpenWorkshopsPerAddress: 3,
      now: () => now,
    });
    const nat = "198.51.100.7";
    const first = capped.create(body(), ["runc"], { visitor: "visitor:a", address: nat });
    capped.create(body({ durationMinutes: 5 }), ["runc"], { visitor: "visitor:a", address: nat });
    expectError(
      () => capped.create(body(), ["runc"], { visitor: "visitor:a", address: nat }),
      "quota:workshops",
      /at most 2 per visitor/,
    );
    // Another visitor behind the same address has their own quota, up to the address's ceiling.
    capped.create(body(), ["runc"], { visitor: "visitor:b", address: nat });
    expectError(
      () => capped.create(body(), ["runc"], { visitor: "visitor:c", address: nat }),
      "quota:workshops_per_address",
      /at most 3 per address/,
    );
    capped.create(body(), ["runc"], { visitor: "visitor:d", address: "198.51.100.8" });
    expectError(
      () => capped.create(body(), ["runc"], { visitor: "visitor:e", address: "198.51.100.9" }),
      "quota:workshops",
      /already runs 4 open workshops/,
    );
    expect(count("workshops")).toBe(4);
    await capped.end(first.id);
    capped.create(body(), ["runc"], { visitor: "visitor:e", address: "198.51.100.9" });
    now += 6 * 60_000;
    capped.create(body(), ["runc"], { visitor: "visitor:a", address: nat });
    expect(count("workshops")).toBe(6);
  });

  it("keeps join codes unique among workshops that have not ended", async () => {
    const codes = ["AAAAAA", "AAAAAA", "BBBBBB", "AAAAAA"];
    const fixed = new WorkshopService(db, {
      runs,
      hostLimits: { defaultTimeoutMs: 8000, maxTimeoutMs: 60_000 },
      maxOpenWorkshops: 100,
      maxOpenWorkshopsPerCreator: 100,
      maxOpenWorkshopsPerAddress: 100,
      now: () => now,
      joinCode: () => codes.shift()!,
    });
    const first = fixed.create(body(), ["runc"], creator);
    const second = fixed.create(body(), ["runc"], creator);
    expect([first.joinCode, second.joinCode]).toEqual(["AAAAAA", "BBBBBB"]);
    await fixed.end(first.id);
    codes.push("AAAAAA");
    const third = fixed.create(body(), ["runc"], creator);
    // Once the first ended its code is free again, and joining with it reaches the new workshop.
    expect(third.joinCode).toBe("AAAAAA");
    expect(fixed.join({ code: "AAAAAA", name: "Ann" }).workshopId).toBe(third.id);
  });

  it("joins with a name and gives a token only the attendee holds", () => {
    const { id, joinCode } = service.create(body(), ["runc"], creator);
    const ann = join(joinCode, "Ann");
    expect(ann.workshopId).toBe(id);
    expect(service.attendeeByToken(ann.token)?.name).toBe("Ann");
    expect(service.attendeeByToken("forged")).toBeNull();
    const stored = db.prepare("SELECT token_hash FROM attendees").get() as { token_hash: string };
    expect(stored.token_hash).toBe(hashToken(ann.token));
  });

  it("refuses a wrong code, a full, an expired or an ended workshop, and a taken name, changing nothing", async () => {
    const { id, joinCode } = service.create(body({ capacity: 2 }), ["runc"], creator);
    expectError(() => join("ZZZZZZ", "Ann"), "not_found:workshop", /ZZZZZZ/);
    join(joinCode, "Ann");
    expectError(() => join(joinCode, "ann"), "conflict:attendee_name", /already goes by/);
    join(joinCode, "Bob");
    expectError(() => join(joinCode, "Cy"), "conflict:workshop_full", /all 2 places are taken/);
    expect(count("attendees")).toBe(2);

    const later = service.create(body({ durationMinutes: 5 }), ["runc"], creator);
    now += 5 * 60_000;
    expectError(() => join(later.joinCode, "Di"), "conflict:workshop_expired", /expired at/);
    await service.end(id);
    expectError(() => join(joinCode, "Ed"), "conflict:workshop_ended", /has ended/);
    expect(count("attendees")).toBe(2);
  });

  it("counts runs against the quotas and says which quota was hit, with the numbers", () => {
    const { joinCode } = service.create(body(), ["runc", "gvisor"], creator);
    const ann = join(joinCode, "Ann");
    const attendee = service.attendeeByToken(ann.token)!;

    expectError(
      () => service.admitRun(attendee, { runtime: "gvisor" }),
      "quota:workshop",
      /allows runc; "gvisor" is not one of them/,
    );
    expectError(
      () => service.admitRun(attendee, { runtime: "runc", timeoutMs: 20_000 }),
      "quota:workshop",
      /at most 10 s; this one asks for 20 s/,
    );
    // A launcher that needs at most so long (a function) is shortened to the workshop's longest run.
    const shortened = service.admitRun(attendee, {
      runtime: "runc",
      timeoutMs: 20_000,
      shortenTimeout: true,
    });
    expect(shortened.timeoutMs).toBe(10_000);
    shortened.cancel();
    const first = service.admitRun(attendee, { runtime: "runc" });
    expect(first.timeoutMs).toBe(8000);
    expect(parseOwner(first.owner)).toEqual({
      workshopId: ann.workshopId,
      attendeeId: ann.attendeeId,
    });
    // Admitted but not yet launched counts too: two quick clicks cannot both pass.
    expectError(
      () => service.admitRun(attendee, { runtime: "runc" }),
      "quota:workshop",
      "Workshop quota: at most 1 sandbox running at a time per attendee; you have 1 running. Wait for one to finish or stop it.",
    );
    first.launched(new FakeSandbox("run-1"));
    runs.states.set("run-1", "running");
    expectError(
      () => service.admitRun(attendee, { runtime: "runc" }),
      "quota:workshop",
      /1 running/,
    );

    runs.states.set("run-1", "exited");
    launch(ann, "run-2");
    runs.states.set("run-2", "exited");
    expectError(
      () => service.admitRun(attendee, { runtime: "runc" }),
      "quota:workshop",
      "Workshop quota: at most 2 runs per attendee; you have used 2.",
    );
    expect(service.attendeeView(attendee).usage).toEqual({ activeRuns: 0, totalRuns: 2 });
  });

  it("records a run's end when the run finishes, at that time", () => {
    const { joinCode } = service.create(body(), ["runc"], creator);
    const ann = join(joinCode, "Ann");
    const run = launch(ann, "run-1");
    now += 1000;
    runs.states.set("run-1", "exited");
    run.finish();
    now += 60_000;
    const view = service.attendeeView(service.attendeeByToken(ann.token)!);
    expect(view.runs).toMatchObject([{ id: "run-1", endedAt: "2026-05-01T09:00:01.000Z" }]);
    expect(view.usage).toEqual({ activeRuns: 0, totalRuns: 1 });
  });

  it("frees the place of a launch the engine refused", () => {
    const { joinCode } = service.create(body(), ["runc"], creator);
    const ann = join(joinCode, "Ann");
    const attendee = service.attendeeByToken(ann.token)!;
    service.admitRun(attendee, { runtime: "runc" }).cancel();
    expect(() => service.admitRun(attendee, { runtime: "runc" })).not.toThrow();
    expect(count("attendee_runs")).toBe(0);
  });

  it("lists attendees with progress and running sandboxes for the facilitator", () => {
    const { id, joinCode } = service.create(body(), ["runc"], creator);
    const ann = join(joinCode, "Ann");
    const bob = join(joinCode, "Bob");
    const annAttendee = service.attendeeByToken(ann.token)!;
    service.recordProgress(annAttendee, { demo: "hello-sandbox", step: 0 });
    service.recordProgress(annAttendee, { demo: "hello-sandbox", step: 1 });
    service.recordProgress(annAttendee, { demo: "hello-sandbox", step: 1 });
    launch(bob, "run-b");

    const dashboard = service.dashboard(id);
    expect(dashboard.workshop.joinCode).toBe(joinCode);
    expect(dashboard.workshop.status).toBe("open");
    expect(dashboard.attendees.map((a) => a.name)).toEqual(["Ann", "Bob"]);
    expect(dashboard.attendees[0].progress.map((p) => p.step)).toEqual([0, 1]);
    expect(dashboard.attendees[1].activeRuns).toMatchObject([
      { id: "run-b", runtime: "runc", state: "running", endedAt: null },
    ]);
    expect(dashboard.attendees[1].usage).toEqual({ activeRuns: 1, totalRuns: 1 });
  });

  it("lets the facilitator stop an attendee's run, but not a run outside the workshop", async () => {
    const { id, joinCode } = service.create(body(), ["runc"], creator);
    const other = service.create(body(), ["runc"], creator);
    const ann = join(joinCode, "Ann");
    const zed = join(other.joinCode, "Zed");
    launch(ann, "run-a");
    launch(zed, "run-z");
    await expect(service.stopAttendeeRun(id, "run-z")).rejects.toMatchObject({
      code: "not_found:run",
    });
    expect(runs.stopped).toEqual([]);
    const stopped = await service.stopAttendeeRun(id, "run-a");
    expect(stopped.endedAt).not.toBeNull();
    expect(runs.stopped).toEqual(["run-a"]);
  });

  it("admits sessions within the workshop's quotas: runtimes, sessions at once, lifetime bound", () => {
    const { id, joinCode } = service.create(
      body({
        quotas: { ...body().quotas, maxConcurrentSessions: 2, maxSessionLifetimeMs: 30 * 60_000 },
      }),
      ["runc", "gvisor"],
      creator,
    );
    const ann = service.attendeeByToken(join(joinCode, "Ann").token)!;
    expectError(
      () => service.admitSession(ann, { runtime: "gvisor" }),
      "quota:workshop",
      /allows runc/,
    );
    expectError(
      () => service.admitSession(ann, { runtime: "runc", lifetimeMs: 31 * 60_000 }),
      "quota:workshop",
      /at most 1800 s/,
    );
    const first = service.admitSession(ann, { runtime: "runc" });
    // The workshop's bound is below the host's default lifetime: it is the default too.
    expect(first).toMatchObject({
      owner: `workshop:${id}:attendee:${ann.id}`,
      lifetimeMs: 30 * 60_000,
      maxLifetimeMs: 30 * 60_000,
    });
    // Admitted but not yet held counts, so launches racing in cannot slip past the quota.
    const second = service.admitSession(ann, { runtime: "runc", lifetimeMs: 60_000 });
    expectError(
      () => service.admitSession(ann, { runtime: "runc" }),
      "quota:workshop",
      /at most 2 sessions/,
    );
    first.cancel();
    first.cancel();
    second.launched(new FakeSandbox("s1"));
    sessions.hold("s1", second.owner, "2026-05-01T09:20:00.000Z", "2026-05-01T09:15:00.000Z");
    service.admitSession(ann, { runtime: "runc" }).launched(new FakeSandbox("s2"));
    sessions.hold("s2", second.owner, "2026-05-01T09:20:00.000Z", "2026-05-01T09:15:00.000Z");
    expectError(
      () => service.admitSession(ann, { runtime: "runc" }),
      "quota:workshop",
      /you have 2/,
    );
  });

  it("gives no sessions when the quota is 0, and refuses a lifetime bound beyond the host's", () => {
    const { joinCode } = service.create(
      body({ quotas: { ...body().quotas, maxConcurrentSessions: 0 } }),
      ["runc"],
      creator,
    );
    const ann = service.attendeeByToken(join(joinCode, "Ann").token)!;
    expectError(
      () => service.admitSession(ann, { runtime: "runc" }),
      "quota:workshop",
      /no interactive sessions/,
    );
    const tooLong = body({ quotas: { ...body().quotas, maxSessionLifetimeMs: 91 * 60_000 } });
    expectError(
      () => service.create(tooLong, ["runc"], creator),
      "bad_request:workshop",
      /5400000/,
    );
  });

  it("shows attendees' sessions on the dashboard with the time left; the facilitator ends one, ending the workshop ends the rest", async () => {
    const { id, joinCode } = service.create(body(), ["runc"], creator);
    const other = service.create(body(), ["runc"], creator);
    const ann = service.attendeeByToken(join(joinCode, "Ann").token)!;
    const stranger = service.attendeeByToken(join(other.joinCode, "Cy").token)!;
    expect(service.dashboard(id).workshop.quotas).toMatchObject({
      maxConcurrentSessions: 1,
      maxSessionLifetimeMs: 40 * 60_000,
    });
    sessions.hold(
      "s1",
      `workshop:${id}:attendee:${ann.id}`,
      "2026-05-01T09:20:00.000Z",
      "2026-05-01T09:15:00.000Z",
    );
    sessions.hold(
      "s9",
      `workshop:${other.id}:attendee:${stranger.id}`,
      "2026-05-01T09:20:00.000Z",
      "2026-05-01T09:15:00.000Z",
    );
    now += 5 * 60_000;
    expect(service.dashboard(id).attendees[0].activeSessions).toEqual([
      {
        id: "s1",
        runtime: "runc",
        state: "ready",
        createdAt: "2026-05-01T09:00:00.000Z",
        expiresAt: "2026-05-01T09:20:00.000Z",
        idleExpiresAt: "2026-05-01T09:15:00.000Z",
        remainingMs: 10 * 60_000,
        terminals: ["t-open"],
      },
    ]);
    await expect(service.endAttendeeSession(id, "s9")).rejects.toMatchObject({
      code: "not_found:session",
    });
    await expect(service.endAttendeeSession(id, "nope")).rejects.toMatchObject({
      code: "not_found:session",
    });
    expect(await service.endAttendeeSession(id, "s1")).toEqual({ ended: true });
    expect(service.dashboard(id).attendees[0].activeSessions).toEqual([]);
    sessions.hold(
      "s2",
      `workshop:${id}:attendee:${ann.id}`,
      "2026-05-01T09:20:00.000Z",
      "2026-05-01T09:15:00.000Z",
    );
    expect(await service.end(id)).toEqual({ stoppedRuns: 0, endedSessions: 1 });
    expect(sessions.ended).toEqual(["s1", "s2"]);
    expect(sessions.live.has("s9")).toBe(true);
  });

  it("extends a workshop, from now when it had expired", () => {
    const { id, joinCode } = service.create(body({ durationMinutes: 30 }), ["runc"], creator);
    const start = now;
    expect(service.extend(id, 15).expiresAt).toBe(new Date(start + 45 * 60_000).toISOString());
    now = start + 60 * 60_000;
    expect(service.dashboard(id).workshop.status).toBe("expired");
    expect(service.extend(id, 10).expiresAt).toBe(new Date(now + 10 * 60_000).toISOString());
    expect(join(joinCode, "Ann").workshopId).toBe(id);
  });

  it("ends a workshop: every run stopped, no more launches or extensions", async () => {
    const { id, joinCode } = service.create(
      body({ quotas: { ...body().quotas, maxConcurrentRuns: 2 } }),
      ["runc"],
      creator,
    );
    const ann = join(joinCode, "Ann");
    const bob = join(joinCode, "Bob");
    launch(ann, "run-a1");
    launch(ann, "run-a2");
    launch(bob, "run-b1");
    runs.states.set("run-a2", "exited");

    expect(await service.end(id)).toEqual({ stoppedRuns: 2, endedSessions: 0 });
    expect(runs.stopped.sort()).toEqual(["run-a1", "run-b1"]);
    expect(service.dashboard(id).attendees.every((a) => a.activeRuns.length === 0)).toBe(true);
    expect(service.dashboard(id).workshop.status).toBe("ended");
    expectError(
      () => service.admitRun(service.attendeeByToken(ann.token)!, { runtime: "runc" }),
      "forbidden:workshop_ended",
      /can no longer start sandboxes/,
    );
    expectError(() => service.extend(id, 10), "conflict:workshop_ended");
    expect(await service.end(id)).toEqual({ stoppedRuns: 0, endedSessions: 0 });
  });

  it("ends expired workshops in the sweep, and only those", async () => {
    const short = service.create(body({ durationMinutes: 5 }), ["runc"], creator);
    const long = service.create(body({ durationMinutes: 120 }), ["runc"], creator);
    const ann = join(short.joinCode, "Ann");
    launch(ann, "run-a");
    now += 10 * 60_000;
    expect(await service.endExpired()).toBe(1);
    expect(runs.stopped).toEqual(["run-a"]);
    expect(service.dashboard(short.id).workshop.status).toBe("ended");
    expect(service.dashboard(long.id).workshop.status).toBe("open");
    // Features that keep rows per workshop (the lab board) hear of it once its sandboxes stopped.
    expect(ended).toEqual([short.id]);
    expect(await service.endExpired()).toBe(0);
  });

  it("records as ended the runs the engine no longer knows (a restart)", () => {
    const { joinCode } = service.create(
      body({ quotas: { ...body().quotas, maxConcurrentRuns: 2 } }),
      ["runc"],
      creator,
    );
    const ann = join(joinCode, "Ann");
    launch(ann, "run-a");
    expect(service.endStaleRuns()).toBe(1);
    runs.states.clear();
    const view = service.attendeeView(service.attendeeByToken(ann.token)!);
    expect(view.runs).toMatchObject([{ id: "run-a", state: null }]);
    expect(view.runs[0].endedAt).not.toBeNull();
    expect(view.usage).toEqual({ activeRuns: 0, totalRuns: 1 });
  });
});

describe("the workshop database", () => {
  it("keeps workshops, attendees and progress across a reopen, and migrates once", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sbpg-workshop-db-"));
    try {
      const options = {
        runs: new FakeRuns(),
        hostLimits: { defaultTimeoutMs: 8000, maxTimeoutMs: 60_000 },
        maxOpenWorkshops: 100,
        maxOpenWorkshopsPerCreator: 100,
        maxOpenWorkshopsPerAddress: 100,
      };
      const first = openWorkshopDb(dir);
      const service = new WorkshopService(first, options);
      const created = service.create(body(), ["runc"], creator);
      const ann = service.join({ code: created.joinCode, name: "Ann" });
      service.recordProgress(service.attendeeByToken(ann.token)!, {
        demo: "hello-sandbox",
        step: 2,
      });
      expect(first.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(first.pragma("foreign_keys", { simple: true })).toBe(1);
      first.close();

      const second = openWorkshopDb(dir);
      const reopened = new WorkshopService(second, options);
      const attendee = reopened.attendeeByToken(ann.token)!;
      expect(attendee.name).toBe("Ann");
      expect(reopened.attendeeView(attendee).progress).toMatchObject([
        { demo: "hello-sandbox", step: 2 },
      ]);
      expect(() =>
        reopened.authorizeFacilitator(created.id, created.facilitatorToken),
      ).not.toThrow();
      expect(second.pragma("user_version", { simple: true })).toBe(workshopMigrations.length);
      second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("carries a database from before the facilitator rename: its token still steers its workshop", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sbpg-workshop-db-"));
    try {
      // The schema as version 4 left it, with the token's hash in host_token_hash.
      const old = new Database(path.join(dir, workshopDbFile));
      for (const migration of workshopMigrations.slice(0, 4)) old.exec(migration);
      old.pragma("user_version = 4");
      old
        .prepare(
          `INSERT INTO workshops (id, name, join_code, host_token_hash, capacity, max_concurrent_runs,
             max_runs_per_attendee, allowed_runtimes, max_timeout_ms, created_at, expires_at)
           VALUES ('w-old', 'Before', 'ABC234', ?, 3, 1, 2, '["runc"]', 10000, 0, ?)`,
        )
        .run(hashToken("old-token"), Date.now() + 3_600_000);
      old.close();

      const db = openWorkshopDb(dir);
      const service = new WorkshopService(db, {
        runs: new FakeRuns(),
        hostLimits: { defaultTimeoutMs: 8000, maxTimeoutMs: 60_000 },
        maxOpenWorkshops: 100,
        maxOpenWorkshopsPerCreator: 100,
        maxOpenWorkshopsPerAddress: 100,
      });
      expect(service.workshopOfFacilitatorToken("old-token")).toBe("w-old");
      expect(() => service.authorizeFacilitator("w-old", "old-token")).not.toThrow();
      const columns = db.prepare("SELECT name FROM pragma_table_info('workshops')").all();
      expect(columns).toContainEqual({ name: "facilitator_token_hash" });
      expect(columns).not.toContainEqual({ name: "host_token_hash" });
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses an attendee of a workshop that does not exist (foreign keys are on)", () => {
    const db = openWorkshopDb(":memory:");
    expect(() =>
      db
        .prepare(
          "INSERT INTO attendees (id, workshop_id, name, token_hash, joined_at) VALUES (?, ?, ?, ?, ?)",
        )
        .run("a", "missing", "Ann", "h", 0),
    ).toThrow(/FOREIGN KEY/);
    db.close();
  });
});
