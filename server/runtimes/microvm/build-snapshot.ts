// `node --import tsx server/runtimes/microvm/build-snapshot.ts`: saves the microVM snapshots at setup (the runs', and
// the sessions' and warm pool's with terminal ports), so that the first visitor's VM is restored rather than booted
// (the server would otherwise save them in the background).
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../../config/env";
import { cgroupParentFor, vmsCgroupFor } from "../../instance/cgroup-parents";
import { ImageStore } from "../../images/image-store";
import { createLogger } from "../../log/logger";
import { removeCgroupParent } from "../cgroups";
import { maxMicrovmTerminalPorts, MicrovmDriver } from "./microvm-driver";

const config = loadConfig();
const images = new ImageStore(config.cacheDir);
// Its own state folder: a running server's VMs are not this script's.
const stateDir = await fs.mkdtemp(path.join(os.tmpdir(), "sbpg-snapshot-"));
const log = createLogger("info");
const driver = new MicrovmDriver({
  qemuBinary: config.qemuPath,
  stateDir,
  cacheDir: config.cacheDir,
  vmsCgroup: { path: vmsCgroupFor(stateDir), ...config.microvmsCpu },
  accel: config.microvmAccel,
  probeImage: () => images.resolve("busybox"),
  snapshot: {
    memoryBytes: config.limits.memoryBytes,
    terminalPorts: config.microvmSnapshotTerminals,
    log,
  },
  // The server's sessions' snapshot has their terminal ports (part of the snapshot's key): so must this one.
  sessions: {
    terminals: Math.min(config.sessions.maxTerminalsPerSession, maxMicrovmTerminalPorts),
    log,
  },
});
try {
  const availability = await driver.probe();
  if (!availability.available) {
    console.log(`microvm snapshot: skipped, the microVM is unavailable (${availability.reason})`);
  } else {
    await driver.start();
    const ready = await driver.snapshotReady();
    const { details } = await driver.probe();
    console.log(`microvm snapshot (runs): ${details.snapshot}`);
    console.log(`microvm snapshot (sessions, warm pool): ${details.sessionSnapshot}`);
    if (!ready) process.exitCode = 1;
  }
} finally {
  await driver.close();
  await driver.reap();
  await removeCgroupParent(cgroupParentFor(stateDir));
  await removeCgroupParent(vmsCgroupFor(stateDir));
  await fs.rm(stateDir, { recursive: true, force: true });
}
