import { describe, expect, it } from "vitest";
import { Session } from "./session";

const minute = 60_000;

function sessionAt(clock: { now: number }) {
  return new Session({
    id: "s1",
    runtime: "runc",
    image: "busybox",
    limits: { memoryBytes: 1, pids: 1, cpuShares: 1, tmpfsBytes: 1, homeBytes: 1 },
    clientId: "visitor:a",
    owner: "visitor:a",
    lifetimeMs: 120 * minute,
    maxLifetimeMs: 180 * minute,
    idleMs: 15 * minute,
    now: () => clock.now,
  });
}

describe("Session", () => {
  it("walks queued → preparing → booting → ready → ended, timing each state", () => {
    const clock = { now: 1_000 };
    const session = sessionAt(clock);
    for (const [state, at] of [
      ["preparing", 1_010],
      ["booting", 1_020],
      ["ready", 1_300],
    ] as const) {
      clock.now = at;
      session.transition(state);
    }
    clock.now = 5_000;
    session.finish("ended", { code: "ended:deleted", message: "Ended on request." });
    const snap = session.snapshot();
    expect(snap.timings).toEqual({
      queued: 0,
      preparing: 10,
      booting: 20,
      ready: 300,
      ended: 4000,
    });
    expect(snap).toMatchObject({ state: "ended", expiresAt: null, idleExpiresAt: null });
    expect(snap.error?.code).toBe("ended:deleted");
  });

  it("refuses a transition the machine does not have", () => {
    const session = sessionAt({ now: 0 });
    expect(() => session.transition("ready")).toThrow(/queued -> ready/);
    session.finish("failed", { code: "runtime:launch", message: "x" });
    expect(() => session.transition("preparing")).toThrow(/failed -> preparing/);
  });

  it("has the idle deadline first, pushed back by activity", () => {
    const clock = { now: 0 };
    const session = sessionAt(clock);
    expect(session.nextDeadline).toEqual({ at: 15 * minute, reason: "idle" });
    clock.now = 10 * minute;
    session.touch();
    expect(session.nextDeadline).toEqual({ at: 25 * minute, reason: "idle" });
  });

  it("has the lifetime deadline once it comes before the idle one", () => {
    const clock = { now: 0 };
    const session = sessionAt(clock);
    clock.now = 110 * minute;
    session.touch();
    expect(session.nextDeadline).toEqual({ at: 120 * minute, reason: "lifetime" });
  });

  it("extends the lifetime, never past the host's bound", () => {
    const session = sessionAt({ now: 0 });
    expect(session.extend(30 * minute)).toBe(150 * minute);
    expect(session.extend(300 * minute)).toBe(180 * minute);
    expect(session.snapshot().maxExpiresAt).toBe(new Date(180 * minute).toISOString());
  });

  it("ends once, keeping the first reason", () => {
    const session = sessionAt({ now: 0 });
    session.end("idle");
    session.end("deleted");
    expect(session.endReason).toBe("idle");
  });
});
