// Restoring microVMs from one snapshot on real QEMU: each its own machine (RNG, files, memory), and a broken
// snapshot that falls back to a cold boot.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LaunchContext, LaunchSpec } from "../../engine/driver";
import { cgroupParentFor, vmsCgroupFor } from "../../instance/cgroup-parents";
import { ImageStore, type ImageRef } from "../../images/image-store";
import { buildMicrovmAssets } from "../../images/microvm/microvm-assets";
import { createLogger } from "../../log/logger";
import { testSandboxLimits } from "../../testing/sandbox-limits";
import { removeCgroupParent } from "../cgroups";
import { MicrovmDriver } from "./microvm-driver";
import { guestPortNamesScript } from "../../testing/guest-probes";

const cacheDir = path.resolve(".cache");
const memoryBytes = 128 << 20;
const limits = testSandboxLimits({ timeoutMs: 60_000, memoryBytes, pids: 64, tmpfsBytes: 8 << 20 });
let stateDir: string;
let snapshotsDir: string;
let driver: MicrovmDriver;
let busybox: ImageRef;
let nodeImage: ImageRef | null;

beforeAll(async () => {
  await buildMicrovmAssets(cacheDir);
  stateDir = await fs.mkdtemp(path.join(os.tmpdir(), "sbpg-snap-"));
  // Its own snapshot folder: the corruption below must not break the one other tests or the server use.
  snapshotsDir = path.join(stateDir, "snapshots");
  const images = new ImageStore(cacheDir);
  const found = await images.resolve("busybox");
  if (!found) throw new Error("the busybox image is not built: run npm run setup");
  busybox = found;
  nodeImage = await images.resolve("node-onnx");
  driver = new MicrovmDriver({
    qemuBinary: "qemu-system-x86_64",
    stateDir,
    cacheDir,
    // Not SCHED_IDLE: on a host others load, an idle-class snapshot boot waits minutes for a core.
    vmsCgroup: { path: vmsCgroupFor(stateDir), cpuShares: 512, idle: false },
    accel: "tcg",
    probeImage: async () => busybox,
    snapshot: { memoryBytes, dir: snapshotsDir, log: createLogger("silent") },
  });
  await driver.start();
  expect(await driver.snapshotReady()).toBe(true);
}, 180_000);

afterAll(async () => {
  await driver?.close();
  if (driver) await driver.reap();
  if (stateDir) {
    await removeCgroupParent(cgroupParentFor(stateDir));
    await removeCgroupParent(vmsCgroupFor(stateDir));
    await fs.rm(stateDir, { recursive: true, force: true });
  }
});

/** One run on `on` (the suite's driver by default), its phases, output and console collected. */
async function launch(
  command: string[],
  name: string,
  image = busybox,
  memory = memoryBytes,
  how: { on?: MicrovmDriver; fromPool?: boolean } = {},
) {
  const phases: string[] = [];
  const chunks: Buffer[] = [];
  const consoleChunks: Buffer[] = [];
  const ctx: LaunchContext = {
    signal: new AbortController().signal,
    mark: (phase) => phases.push(phase),
    enter: () => undefined,
    output: (bytes) => chunks.push(bytes),
    console: (bytes) => consoleChunks.push(bytes),
    log: createLogger("silent"),
  };
  const spec: LaunchSpec = {
    runId: name,
    resourceName: `sbpg-snaptest-${name}-${process.pid}`,
    image,
    command,
    limits: { ...limits, memoryBytes: memory },
    ...(how.fromPool ? { fromPool: true } : {}),
  };
  const result = await (how.on ?? driver).launch(spec, ctx);
  return {
    result,
    phases,
    output: Buffer.concat(chunks).toString(),
    console: Buffer.concat(consoleChunks).toString(),
  };
}

/** The runs' snapshot (no terminal ports); the pooled test below adds the sessions' beside it. */
const snapshotFolder = async () => {
  const [entry] = (await fs.readdir(snapshotsDir)).filter(
    (e) => !e.includes(".saving-") && /-0t-/.test(e),
  );
  return path.join(snapshotsDir, entry);
};

describe("microVMs restored from a snapshot", () => {
  it("are each their own machine: a reseeded RNG, the wall clock, no kernel boot", async () => {
    const read = [
      "sh",
      "-c",
      "cat /proc/sys/kernel/random/uuid; date +%s; cat /proc/sys/kernel/random/boot_id",
    ];
    const [a, b] = await Promise.all([launch(read, "rng-a"), launch(read, "rng-b")]);
    for (const run of [a, b]) {
      expect(run.result).toEqual({ exitCode: 0, signal: null });
      expect(run.phases).toEqual(
        expect.arrayContaining(["restoreStarted", "restored", "seeded", "rootMounted", "ready"]),
      );
      // Restored, not booted: the kernel's and the init's early phases are the snapshot's past.
      expect(run.phases).not.toContain("guestInit");
      expect(run.phases).not.toContain("modulesLoaded");
      expect(run.phases).not.toContain("snapshotUnusable");
      // The kernel's boot log is the saved VM's, shown as such on the console, before the workload's output.
      expect(run.console).toMatch(/the kernel's boot log from when this snapshot was saved/);
      expect(run.console).toContain("Linux version");
      expect(run.output).not.toContain("Linux version");
    }
    const [uuidA, clockA, bootA] = a.output.trim().split("\n");
    const [uuidB, clockB, bootB] = b.output.trim().split("\n");
    // The kernel makes its boot id on the first read, which comes after the reseed: each VM has its own.
    expect(bootA).toMatch(/^[0-9a-f-]{36}$/);
    expect(bootA).not.toBe(bootB);
    expect(uuidA).toMatch(/^[0-9a-f-]{36}$/);
    expect(uuidB).toMatch(/^[0-9a-f-]{36}$/);
    expect(uuidA).not.toBe(uuidB);
    // The snapshot's clock was minutes old; each VM's was stepped to the host's.
    for (const clock of [clockA, clockB])
      expect(Math.abs(Number(clock) - Date.now() / 1000)).toBeLessThan(5);
  }, 60_000);

  it("see only their own image and files, and none of an earlier run's writes", async () => {
    const writer = await launch(
      [
        "sh",
        "-c",
        "echo secret > /tmp/marker; head -c 4194304 /dev/zero | tr '\\0' x > /tmp/fill; ls /tmp; cat /etc/hostname 2>/dev/null; ls /",
      ],
      "writer",
    );
    expect(writer.result).toEqual({ exitCode: 0, signal: null });
    expect(writer.output).toContain("marker");
    expect(writer.phases).toContain("restored");
    const reader = await launch(
      ["sh", "-c", "test -x /usr/local/bin/node && echo node-here; ls -A /tmp; echo end"],
      "reader",
    );
    expect(reader.result).toEqual({ exitCode: 0, signal: null });
    expect(reader.output).toBe("end\n");
    expect(reader.phases).toContain("restored");
    if (nodeImage) {
      // Another image from the same snapshot: its own root (node is in it, not in busybox's).
      const probe = [
        "sh",
        "-c",
        "test -x /usr/local/bin/node && echo node-here; ls -A /tmp; echo end",
      ];
      const other = await launch(probe, "node-image", nodeImage);
      expect(other.result).toEqual({ exitCode: 0, signal: null });
      expect(other.output).toBe("node-here\nend\n");
      expect(other.phases).toContain("restored");
    }
    // No restored VM wrote the snapshot: its RAM file still matches the digest taken when it was saved.
    const dir = await snapshotFolder();
    const manifest = JSON.parse(await fs.readFile(path.join(dir, "manifest.json"), "utf8")) as {
      ramSha256: string;
    };
    const { createHash } = await import("node:crypto");
    const digest = createHash("sha256")
      .update(await fs.readFile(path.join(dir, "ram")))
      .digest("hex");
    expect(digest).toBe(manifest.ramSha256);
  }, 90_000);

  it("boots a run of another memory size cold, and says why", async () => {
    const run = await launch(["echo", "cold"], "other-size", busybox, 192 << 20);
    expect(run.result).toEqual({ exitCode: 0, signal: null });
    expect(run.output).toBe("cold\n");
    expect(run.console).toContain("no snapshot for 192 MiB guests");
    expect(run.phases).toContain("guestInit");
    expect(run.phases).not.toContain("restoreStarted");
  }, 90_000);

  it("refill the warm pool from the sessions' snapshot (terminal ports), runs from the runs' (none)", async () => {
    const poolDriver = new MicrovmDriver({
      qemuBinary: "qemu-system-x86_64",
      stateDir: path.join(stateDir, "pooled"),
      cacheDir,
      vmsCgroup: { path: vmsCgroupFor(stateDir), cpuShares: 512, idle: false },
      accel: "tcg",
      probeImage: async () => busybox,
      snapshot: {
        memoryBytes,
        terminalPorts: 2,
        dir: snapshotsDir,
        log: createLogger("silent"),
      },
      sessions: { terminals: 2, log: createLogger("silent") },
      pool: {
        size: 1,
        max: 2,
        image: async () => busybox,
        memoryBytes,
        tmpfsBytes: limits.tmpfsBytes,
        log: createLogger("silent"),
      },
    });
    try {
      await poolDriver.start();
      expect(await poolDriver.snapshotReady()).toBe(true);
      const deadline = Date.now() + 60_000;
      while ((poolDriver.poolStatus()?.ready ?? 0) < 1 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 100));
      const pooled = await launch(
        ["sh", "-c", `cat /proc/sys/kernel/random/uuid; ${guestPortNamesScript}`],
        "pooled",
        busybox,
        memoryBytes,
        { on: poolDriver, fromPool: true },
      );
      expect(pooled.result).toEqual({ exitCode: 0, signal: null });
      expect(pooled.output).toMatch(/^[0-9a-f-]{36}\nports=ctl,term0,term1,vaccel,\n$/);
      expect(pooled.phases).toContain("poolClaimed");
      expect(pooled.console).toContain("restored from the snapshot");
      // One claim in the window is no more than its size: the pool aims at 1 and refills to it.
      expect(poolDriver.poolStatus()).toMatchObject({ size: 1, max: 2, target: 1 });
      const details = (await poolDriver.probe()).details;
      expect(details.poolLimits).toMatch(/^size 1, up to 2 on demand; \d VMs?, \d+ MiB no budget$/);
      expect(details.snapshot).toMatch(/^ready/);
      expect(details.sessionSnapshot).toMatch(
        /^ready: .*\(2 terminal ports; sessions and the warm pool\)$/,
      );
      expect((await fs.readdir(snapshotsDir)).filter((e) => /-[02]t-/.test(e))).toHaveLength(2);

      // A run that does not take the pool is restored from the runs' snapshot: no terminal ports in its guest.
      const restored = await launch(
        ["sh", "-c", guestPortNamesScript],
        "restored",
        busybox,
        memoryBytes,
        {
          on: poolDriver,
        },
      );
      expect(restored.result).toEqual({ exitCode: 0, signal: null });
      expect(restored.phases).toContain("restored");
      expect(restored.output).toBe("ports=ctl,vaccel,\n");
    } finally {
      await poolDriver.close();
      await poolDriver.reap();
    }
  }, 120_000);

  it("falls back to a cold boot with a message when the snapshot is corrupt, then saves a new one", async () => {
    const dir = await snapshotFolder();
    const statePath = path.join(dir, "state");
    // Garbage in the middle of the stream, same size and mtime: only QEMU's load can tell.
    const { mtimeMs, atimeMs, size } = await fs.stat(statePath);
    const file = await fs.open(statePath, "r+");
    await file.write(Buffer.alloc(4096, 0xa5), 0, 4096, Math.floor(size / 3));
    await file.close();
    await fs.utimes(statePath, atimeMs / 1000, mtimeMs / 1000);

    const run = await launch(["echo", "still works"], "corrupt");
    expect(run.result).toEqual({ exitCode: 0, signal: null });
    expect(run.output).toBe("still works\n");
    expect(run.console).toMatch(/\[snapshot unusable: .+; cold boot\]/);
    expect(run.phases).toEqual(
      expect.arrayContaining(["restoreStarted", "snapshotUnusable", "guestInit"]),
    );

    expect(await driver.snapshotReady()).toBe(true);
    const next = await launch(["echo", "restored again"], "after-rebuild");
    expect(next.result).toEqual({ exitCode: 0, signal: null });
    expect(next.output).toBe("restored again\n");
    expect(next.phases).toContain("restored");
    expect(next.phases).not.toContain("snapshotUnusable");
  }, 240_000);
});
