import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../../log/logger";
import { SnapshotKeeper } from "./snapshot-keeper";
import { noSnapshotYet, SnapshotUnusableError, type Snapshot } from "./vm-snapshot";

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "sbpg-keeper-"));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** A snapshot whose two files exist in dir, as snapshotChanged reads them. */
async function fakeSnapshot(name: string): Promise<Snapshot> {
  const folder = path.join(dir, name);
  await fs.mkdir(folder, { recursive: true });
  const ramPath = path.join(folder, "ram");
  const statePath = path.join(folder, "state");
  await fs.writeFile(ramPath, "ram");
  await fs.writeFile(statePath, "state");
  const [ram, state] = await Promise.all([fs.stat(ramPath), fs.stat(statePath)]);
  return {
    dir: folder,
    ramPath,
    statePath,
    manifest: {
      key: name,
      accel: "tcg",
      memoryMiB: 128,
      qemu: "7.2",
      ramBytes: 3,
      ramSha256: "",
      stateBytes: 5,
      stateSha256: "",
      bootMs: 1,
      saveMs: 1,
      savedAt: "now",
    },
    checked: { ramMtimeMs: ram.mtimeMs, stateMtimeMs: state.mtimeMs },
  };
}

function keeper(open: () => Promise<Snapshot>, save: () => Promise<Snapshot>) {
  const calls = { open: 0, save: 0 };
  const kept = new SnapshotKeeper({
    dir: path.join(dir, "current"),
    log: createLogger("silent"),
    open: () => (calls.open++, open()),
    save: () => (calls.save++, save()),
    retryDelayMs: 60_000,
  });
  return { kept, calls };
}

describe("SnapshotKeeper", () => {
  it("opens the saved snapshot without saving a new one", async () => {
    const snapshot = await fakeSnapshot("current");
    const { kept, calls } = keeper(
      async () => snapshot,
      async () => snapshot,
    );
    expect(await kept.ready()).toBe(snapshot);
    expect(calls).toEqual({ open: 1, save: 0 });
    expect(await kept.check()).toEqual({ snapshot });
    expect(kept.status().state).toBe("ready");
  });

  it("saves one when there is none, and says so while it saves", async () => {
    const snapshot = await fakeSnapshot("current");
    let finish = () => undefined as void;
    const saved = new Promise<void>((resolve) => (finish = resolve));
    const { kept, calls } = keeper(
      async () => {
        throw new SnapshotUnusableError(noSnapshotYet);
      },
      async () => {
        await saved;
        return snapshot;
      },
    );
    void kept.prepare();
    expect(await kept.check()).toEqual({ missing: "the snapshot is being saved" });
    expect(kept.status().state).toBe("saving");
    finish();
    expect(await kept.ready()).toBe(snapshot);
    expect(calls).toEqual({ open: 1, save: 1 });
  });

  it("replaces a broken one: its folder goes before the new save", async () => {
    const broken = await fakeSnapshot("current");
    const { kept } = keeper(
      async () => {
        throw new SnapshotUnusableError("its state file does not match its digest");
      },
      async () => {
        // The broken folder was removed before this save began.
        await expect(fs.access(broken.dir)).rejects.toThrow();
        return fakeSnapshot("current");
      },
    );
    expect((await kept.ready())?.manifest.key).toBe("current");
  });

  it("drops a snapshot whose file changed, and saves a new one", async () => {
    const first = await fakeSnapshot("first");
    const second = await fakeSnapshot("second");
    let opened = false;
    const { kept, calls } = keeper(
      async () => {
        if (opened) throw new SnapshotUnusableError(noSnapshotYet);
        opened = true;
        return first;
      },
      async () => second,
    );
    await kept.ready();
    await fs.appendFile(first.statePath, "garbage");
    expect(await kept.check()).toEqual({
      unusable: "its state file changed after it was checked",
    });
    expect(await kept.ready()).toBe(second);
    expect(calls.save).toBe(1);
  });

  it("says why a save failed and does not try again at once", async () => {
    const { kept, calls } = keeper(
      async () => {
        throw new SnapshotUnusableError(noSnapshotYet);
      },
      async () => {
        throw new Error("QEMU said no");
      },
    );
    expect(await kept.ready()).toBeNull();
    expect(kept.status()).toEqual({ state: "failed", detail: "saving it failed: QEMU said no" });
    expect(await kept.check()).toEqual({ missing: "saving it failed: QEMU said no" });
    expect(calls.save).toBe(1);
  });
});
