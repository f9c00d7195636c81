import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { LaunchRequest, SandboxEngine } from "../engine/engine";
import { Run } from "../engine/run";
import { PlaygroundError } from "../errors/playground-error";
import { createLaunchPolicy, type LaunchCaller } from "./launch-policy";
import type { RunAccess } from "./run-access";
import { Session } from "../sessions/session";
import type { SessionLaunch, SessionManager } from "../sessions/session-manager";

/** Stands in for the engine: records what it was asked, and launches when the test says so. */
function scriptedEngine() {
  const asked: LaunchRequest[] = [];
  const pending: Array<{ resolve: (run: Run) => void; reject: (err: unknown) => void }> = [];
  const engine = {
    launchRun(request: LaunchRequest) {
      asked.push(request);
      return new Promise<Run>((resolve, reject) => pending.push({ resolve, reject }));
    },
  } as unknown as SandboxEngine;
  const runFor = (request: LaunchRequest) =>
    new Run({
      id: `run${asked.indexOf(request)}`,
      runtime: request.runtime,
      image: request.image,
      command: ["true"],
      limits: {
        timeoutMs: 1000,
        memoryBytes: 1,
        pids: 1,
        cpuShares: 2,
        outputBytes: 1024,
        tmpfsBytes: 1024,
      },
      clientId: request.clientId,
      owner: request.owner,
      backlogChars: 1024,
      requestedAt: 0,
    });
  return {
    engine,
    asked,
    /** Launches the oldest pending request. */
    launchNext(): Run {
      const next = pending.shift()!;
      const run = runFor(asked[asked.length - pending.length - 1]);
      next.resolve(run);
      return run;
    },
    failNext() {
      pending.shift()!.reject(new PlaygroundError("unavailable", "runtime", "not here"));
    },
  };
}

const caller = (visitorId: string | null, address = "192.0.2.1"): LaunchCaller => ({
  headers: {},
  requester: { visitorId, address },
  requestedAt: 5,
});
const request = { runtime: "runc", image: "busybox", command: undefined, timeoutMs: 2000 };

describe("createLaunchPolicy", () => {
  it("counts quotas per visitor, and a cookie-less client by its address", async () => {
    const scripted = scriptedEngine();
    const policy = createLaunchPolicy({ engine: scripted.engine, maxActiveRunsPerAddress: 10 });
    void policy.launch(caller("v1"), request);
    void policy.launch(caller(null), request);
    expect(scripted.asked.map((r) => [r.clientId, r.owner, r.requestedAt])).toEqual([
      ["visitor:v1", null, 5],
      ["address:192.0.2.1", null, 5],
    ]);
  });

  it("holds the address ceiling from admission, before the engine has answered", async () => {
    const scripted = scriptedEngine();
    const policy = createLaunchPolicy({ engine: scripted.engine, maxActiveRunsPerAddress: 2 });
    const first = policy.launch(caller("a"), request);
    const second = policy.launch(caller("b"), request);
    await expect(policy.launch(caller("c"), request)).rejects.toMatchObject({
      code: "quota:runs_per_address",
    });
    // Another address is not held back.
    void policy.launch(caller("c", "192.0.2.2"), request);
    expect(scripted.asked).toHaveLength(3);

    // A launch the engine refuses gives its place back; a run that ends gives its place back.
    scripted.failNext();
    await expect(first).rejects.toMatchObject({ code: "unavailable:runtime" });
    void policy.launch(caller("c"), request);
    const run = scripted.launchNext();
    expect(await second).toBe(run);
    await expect(policy.launch(caller("d"), request)).rejects.toMatchObject({
      code: "quota:runs_per_address",
    });
    run.finish("stopped", {});
    void policy.launch(caller("d"), request);
    expect(scripted.asked).toHaveLength(5);
  });

  it("lets the access rules refuse, name the owner and set the time limit; a failed launch cancels the grant", async () => {
    const scripted = scriptedEngine();
    const events: string[] = [];
    const access: RunAccess = {
      admitLaunch(_headers, launch) {
        if (launch.runtime !== "runc")
          throw new PlaygroundError("quota", "workshop", "not allowed");
        return {
          owner: "workshop:w:attendee:a",
          timeoutMs: 1500,
          launched: (run) => events.push(`launched ${run.id}`),
          cancel: () => events.push("cancelled"),
        };
      },
      admitSession: () => ({ owner: null, launched: () => 0, cancel: () => 0 }),
      mayAccess: () => true,
      roleOf: () => "use",
    };
    const policy = createLaunchPolicy({
      engine: scripted.engine,
      access,
      maxActiveRunsPerAddress: 1,
    });
    await expect(policy.launch(caller("v"), { ...request, runtime: "gvisor" })).rejects.toThrow(
      "not allowed",
    );
    // The refusal took no place under the ceiling.
    const launched = policy.launch(caller("v"), request);
    expect(scripted.asked[0]).toMatchObject({
      clientId: "workshop:w:attendee:a",
      owner: "workshop:w:attendee:a",
      timeoutMs: 1500,
    });
    const run = scripted.launchNext();
    await launched;
    run.finish("stopped", {});
    const failed = policy.launch(caller("v"), request);
    scripted.failNext();
    await expect(failed).rejects.toThrow("not here");
    expect(events).toEqual(["launched run0", "cancelled"]);
  });
});

describe("the one door", () => {
  it("is the only caller of engine.launchRun outside the engine", () => {
    const serverDir = path.resolve(import.meta.dirname, "..");
    const callers = listSources(serverDir)
      .filter((file) => !file.includes(`${path.sep}engine${path.sep}`))
      .filter((file) => /\.launchRun\(/.test(readFileSync(file, "utf8")))
      .map((file) => path.relative(serverDir, file));
    expect(callers).toEqual([path.join("runs", "launch-policy.ts")]);
  });
});

function listSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return listSources(full);
    return /\.tsx?$/.test(entry.name) && !/\.spec\.ts$/.test(entry.name) ? [full] : [];
  });
}

describe("launchSession", () => {
  /** Stands in for the session manager: records what it was asked, hands back sessions the test ends. */
  function scriptedSessions() {
    const asked: SessionLaunch[] = [];
    const sessions = {
      async create(launch: SessionLaunch) {
        asked.push(launch);
        return new Session({
          id: `s${asked.length}`,
          runtime: launch.runtime,
          image: launch.image,
          limits: { memoryBytes: 1, pids: 1, cpuShares: 1, tmpfsBytes: 1, homeBytes: 1 },
          clientId: launch.clientId,
          owner: launch.owner,
          lifetimeMs: 60_000,
          maxLifetimeMs: 60_000,
          idleMs: 60_000,
        });
      },
    } as unknown as SessionManager;
    return { sessions, asked };
  }
  const body = { runtime: "runc", image: "busybox" };

  it("gives a browser's session to its visitor and a cookie-less client's to whoever holds the id", async () => {
    const scripted = scriptedSessions();
    const policy = createLaunchPolicy({
      engine: scriptedEngine().engine,
      maxActiveRunsPerAddress: 10,
      sessions: scripted.sessions,
    });
    await policy.launchSession(caller("v1"), body);
    await policy.launchSession(caller(null), body);
    expect(scripted.asked.map((s) => [s.clientId, s.owner])).toEqual([
      ["visitor:v1", "visitor:v1"],
      ["address:192.0.2.1", null],
    ]);
  });

  it("counts sessions under the address ceiling until they end", async () => {
    const policy = createLaunchPolicy({
      engine: scriptedEngine().engine,
      maxActiveRunsPerAddress: 1,
      sessions: scriptedSessions().sessions,
    });
    const session = await policy.launchSession(caller("a"), body);
    await expect(policy.launchSession(caller("b"), body)).rejects.toMatchObject({
      code: "quota:runs_per_address",
    });
    await expect(policy.launch(caller("b"), request)).rejects.toMatchObject({
      code: "quota:runs_per_address",
    });
    session.finish("ended");
    await policy.launchSession(caller("b"), body);
  });

  it("gives a workshop attendee's session the grant's owner, quota and lifetime; a refusal or a failed create frees its place", async () => {
    const events: string[] = [];
    let refuse = true;
    const access: RunAccess = {
      admitLaunch: () => ({ owner: null, launched: () => 0, cancel: () => 0 }),
      admitSession: () => {
        if (refuse) throw new PlaygroundError("quota", "workshop", "one at a time");
        return {
          owner: "workshop:w:attendee:a",
          lifetimeMs: 120_000,
          maxLifetimeMs: 300_000,
          launched: () => events.push("launched"),
          cancel: () => events.push("cancelled"),
        };
      },
      mayAccess: () => true,
      roleOf: () => "use",
    };
    const scripted = scriptedSessions();
    const failing = { create: async () => Promise.reject(new Error("no image")) };
    const policy = (sessions: SessionManager) =>
      createLaunchPolicy({
        engine: scriptedEngine().engine,
        access,
        maxActiveRunsPerAddress: 1,
        sessions,
      });
    const working = policy(scripted.sessions);
    await expect(working.launchSession(caller("v"), body)).rejects.toMatchObject({
      code: "quota:workshop",
    });
    refuse = false;
    const broken = policy(failing as unknown as SessionManager);
    await expect(broken.launchSession(caller("v"), body)).rejects.toThrow("no image");
    expect(events).toEqual(["cancelled"]);
    // Neither refusal took a place under the ceiling.
    await working.launchSession(caller("v"), { ...body, lifetimeMs: 60_000 });
    await expect(broken.launchSession(caller("v"), body)).rejects.toThrow("no image");
    expect(events).toEqual(["cancelled", "launched", "cancelled"]);
    expect(scripted.asked).toEqual([
      expect.objectContaining({
        clientId: "workshop:w:attendee:a",
        owner: "workshop:w:attendee:a",
        lifetimeMs: 120_000,
        maxLifetimeMs: 300_000,
      }),
    ]);
  });

  it("is the only caller of the session manager's create", () => {
    const serverDir = path.resolve(import.meta.dirname, "..");
    const callers = listSources(serverDir)
      .filter((file) => /\bsessions\.create\(/.test(readFileSync(file, "utf8")))
      .map((file) => path.relative(serverDir, file));
    expect(callers).toEqual([path.join("runs", "launch-policy.ts")]);
  });
});
