import { describe, expect, it } from "vitest";
import type { WorkshopQuotas } from "../../lib/api/workshops";
import {
  PendingLaunches,
  assertRoomForWorkshop,
  assertRunRoom,
  runTimeoutMs,
  sessionLifetime,
} from "./workshop-quotas";

const quotas: WorkshopQuotas = {
  maxConcurrentRuns: 2,
  maxRunsPerAttendee: 5,
  allowedRuntimes: ["runc"],
  maxTimeoutMs: 30_000,
  maxConcurrentSessions: 1,
  maxSessionLifetimeMs: 3_600_000,
};

describe("workshop quotas", () => {
  it("counts a pending launch until its release, and releases it once", () => {
    const pending = new PendingLaunches();
    const release = pending.take("a");
    pending.take("a");
    expect(pending.of("a")).toBe(2);
    expect(release()).toBe(true);
    expect(release()).toBe(false);
    expect(pending.of("a")).toBe(1);
    expect(pending.of("b")).toBe(0);
  });

  it("gives a run the workshop's timeout, shortens it when asked, refuses a longer one", () => {
    expect(runTimeoutMs(quotas, 60_000, {})).toBe(30_000);
    expect(runTimeoutMs(quotas, 60_000, { timeoutMs: 90_000, shortenTimeout: true })).toBe(30_000);
    expect(() => runTimeoutMs(quotas, 60_000, { timeoutMs: 90_000 })).toThrow(/at most 30 s/);
  });

  it("refuses a run past the concurrent or the total bound, with the code workshop quotas use", () => {
    expect(() => assertRunRoom(quotas, { activeRuns: 1, totalRuns: 4 })).not.toThrow();
    expect(() => assertRunRoom(quotas, { activeRuns: 2, totalRuns: 2 })).toThrow(
      expect.objectContaining({ code: "quota:workshop" }),
    );
    expect(() => assertRunRoom(quotas, { activeRuns: 0, totalRuns: 5 })).toThrow(/5 runs/);
  });

  it("bounds a session's lifetime by the workshop's and the host's", () => {
    const host = { lifetimeMs: 900_000, maxLifetimeMs: 1_800_000 };
    expect(sessionLifetime(quotas, host, undefined)).toEqual({
      lifetimeMs: 900_000,
      maxLifetimeMs: 1_800_000,
    });
    expect(() => sessionLifetime(quotas, host, 2_000_000)).toThrow(/at most 1800 s/);
    expect(() => sessionLifetime({ ...quotas, maxConcurrentSessions: 0 }, host, undefined)).toThrow(
      /no interactive sessions/,
    );
  });

  it("names which bound a new workshop hits", () => {
    const limits = {
      maxOpenWorkshops: 3,
      maxOpenWorkshopsPerCreator: 1,
      maxOpenWorkshopsPerAddress: 2,
    };
    expect(() => assertRoomForWorkshop({ host: 3, creator: 0, address: 0 }, limits)).toThrow(
      /already runs 3/,
    );
    expect(() => assertRoomForWorkshop({ host: 1, creator: 0, address: 2 }, limits)).toThrow(
      expect.objectContaining({ code: "quota:workshops_per_address" }),
    );
  });
});
