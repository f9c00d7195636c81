import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  acquireInstanceLock,
  lockFileName,
  processStartTime,
  readInstanceLock,
  startTimeFromStat,
  type InstanceLockRecord,
} from "./instance-lock";

let stateDir: string;
let lockFile: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  stateDir = await fs.mkdtemp(path.join(os.tmpdir(), "sbpg-b-lock-"));
  lockFile = path.join(stateDir, lockFileName);
});

afterEach(async () => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  await fs.rm(stateDir, { recursive: true, force: true });
});

/** A pid that ran and has exited (and was reaped), so no process answers to it. */
async function deadPid(): Promise<number> {
  const child = spawn("true");
  await new Promise((r) => child.once("exit", r));
  return child.pid!;
}

async function liveChild(): Promise<number> {
  const child = spawn("sleep", ["30"]);
  children.push(child);
  await new Promise((r) => child.once("spawn", r));
  return child.pid!;
}

async function writeLock(record: Partial<InstanceLockRecord>): Promise<void> {
  await fs.writeFile(
    lockFile,
    JSON.stringify({
      pid: process.pid,
      processStart: await processStartTime(process.pid),
      port: 3930,
      vaccelAddress: "tcp://127.0.0.1:65500",
      startedAt: "2026-12-01T12:00:00.000Z",
      ...record,
    }),
  );
}

describe("startTimeFromStat", () => {
  it("reads field 22 even when the command name holds spaces and parentheses", () => {
    const rest = "S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 987654 19 20";
    expect(startTimeFromStat(`4242 (a) b (c) ${rest}`)).toBe("987654");
    expect(startTimeFromStat(`4242 (node) ${rest}`)).toBe("987654");
    expect(startTimeFromStat("4242 (node) S 1 2")).toBeNull();
  });

  it("gives this process's start time, and none for a pid that is gone", async () => {
    const own = await fs.readFile("/proc/self/stat", "utf8");
    expect(await processStartTime(process.pid)).toBe(startTimeFromStat(own));
    expect(await processStartTime(await deadPid())).toBeNull();
  });
});

describe("acquireInstanceLock", () => {
  it("records pid, start time, port, vAccel address and start, and removes the file on release", async () => {
    const lock = await acquireInstanceLock({
      stateDir,
      port: 3930,
      vaccelAddress: "tcp://127.0.0.1:65500",
      now: () => new Date("2026-12-01T12:00:00Z"),
    });
    expect(await readInstanceLock(lockFile)).toEqual({
      pid: process.pid,
      processStart: await processStartTime(process.pid),
      port: 3930,
      vaccelAddress: "tcp://127.0.0.1:65500",
      startedAt: "2026-12-01T12:00:00.000Z",
    });
    expect(lock.tookOver).toBeNull();
    await lock.update({ port: 41234 });
    expect((await readInstanceLock(lockFile))?.port).toBe(41234);
    await lock.release();
    await lock.release();
    await expect(fs.access(lockFile)).rejects.toThrow();
    // Nothing but the lock was ever written into the folder (no temporary file left).
    expect(await fs.readdir(stateDir)).toEqual([]);
  });

  it("refuses while a live process holds the lock, naming it and how to run a second one, and leaves its file", async () => {
    const holder = await liveChild();
    await writeLock({ pid: holder, processStart: (await processStartTime(holder))! });
    const before = await fs.readFile(lockFile, "utf8");
    const refused = await acquireInstanceLock({ stateDir, port: 3931, vaccelAddress: null }).catch(
      (err: unknown) => err,
    );
    expect(refused).toMatchObject({ code: "conflict:state_dir" });
    const message = (refused as Error).message;
    expect(message).not.toContain("\n");
    for (const part of [
      stateDir,
      `process ${holder}`,
      "port 3930",
      "tcp://127.0.0.1:65500",
      "SBPG_STATE_DIR",
      "PORT",
      "SBPG_VACCEL_ADDRESS",
    ])
      expect(message).toContain(part);
    expect(await fs.readFile(lockFile, "utf8")).toBe(before);
  });

  it("takes over a lock whose process is gone, and says what it held", async () => {
    const dead = await deadPid();
    await writeLock({ pid: dead, processStart: "12345" });
    const lock = await acquireInstanceLock({ stateDir, port: 3931, vaccelAddress: null });
    expect(lock.tookOver).toMatchObject({ pid: dead, port: 3930 });
    expect(await readInstanceLock(lockFile)).toMatchObject({ pid: process.pid, port: 3931 });
    await lock.release();
  });

  it("takes over a lock whose pid now belongs to another process (pid reuse: the start time differs)", async () => {
    const other = await liveChild();
    await writeLock({ pid: other, processStart: "1" });
    const lock = await acquireInstanceLock({ stateDir, port: null, vaccelAddress: null });
    expect(lock.tookOver).toMatchObject({ pid: other });
    await lock.release();
  });

  it("takes over a lock file that does not parse", async () => {
    await fs.writeFile(lockFile, "{ half a reco");
    const lock = await acquireInstanceLock({ stateDir, port: null, vaccelAddress: null });
    expect(await readInstanceLock(lockFile)).toMatchObject({ pid: process.pid });
    await lock.release();
  });

  it("lets exactly one of two racing starts take over a stale lock", async () => {
    await writeLock({ pid: await deadPid(), processStart: "12345" });
    const other = await liveChild();
    const results = await Promise.allSettled([
      acquireInstanceLock({ stateDir, port: 1, vaccelAddress: null }),
      acquireInstanceLock({ stateDir, port: 2, vaccelAddress: null, pid: other }),
    ]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r) => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({ code: "conflict:state_dir" });
    const winner = (await readInstanceLock(lockFile))!;
    expect([process.pid, other]).toContain(winner.pid);
  });

  it("does not remove a lock that another process holds by the time it releases", async () => {
    const lock = await acquireInstanceLock({ stateDir, port: null, vaccelAddress: null });
    const other = await liveChild();
    await writeLock({ pid: other, processStart: (await processStartTime(other))! });
    await lock.release();
    expect(await readInstanceLock(lockFile)).toMatchObject({ pid: other });
  });
});
