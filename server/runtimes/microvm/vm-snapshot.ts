// The saved microVM every restored one starts from: its key, its files in the cache, how it is saved and checked.
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { resourcePrefix } from "../../engine/driver";
import type { MicrovmAssets } from "../../images/microvm/microvm-assets";
import type { Logger } from "../../log/logger";
import { MicroVm, type VmSink } from "./boot-vm";
import { buildQemuArgs, guestMemoryMiB, type Accel } from "./qemu-args";

export const SnapshotManifestSchema = z.object({
  key: z.string(),
  accel: z.enum(["kvm", "tcg"]),
  memoryMiB: z.number().int(),
  qemu: z.string(),
  ramBytes: z.number().int(),
  ramSha256: z.string(),
  stateBytes: z.number().int(),
  stateSha256: z.string(),
  /** Spawn → snapshot point, and the save itself: what one cold boot of the snapshot's VM cost. */
  bootMs: z.number(),
  saveMs: z.number(),
  savedAt: z.string(),
});

/** The saved VM's console up to its snapshot point: its kernel's boot log, which a restored VM never prints. */
const bootLogFile = "boot.log";
/** A boot log is ~40 KiB under loglevel=7; more than this is cut. */
const maxBootLogBytes = 256 * 1024;

export type SnapshotManifest = z.infer<typeof SnapshotManifestSchema>;

export interface Snapshot {
  dir: string;
  ramPath: string;
  statePath: string;
  manifest: SnapshotManifest;
  /** The files as they were when their digests were checked; a restore first compares them (two stat calls). */
  checked: { ramMtimeMs: number; stateMtimeMs: number };
  /** The saved VM's boot log, read once when the snapshot is opened; "" when it has none. */
  bootLog?: string;
}

/** What a snapshot is made for: a restored VM must match it in all of this (QEMU checks devices and RAM size). */
export interface SnapshotSpec {
  qemuBinary: string;
  /** `qemu --version`'s version: another QEMU may not load this one's stream. */
  qemuVersion: string;
  accel: Accel;
  assets: MicrovmAssets;
  memoryBytes: number;
  /** Virtconsole ports for sessions' shells: a session can start from a restored VM only if the saved one had them. */
  terminalPorts: number;
}

export class SnapshotUnusableError extends Error {}
export const noSnapshotYet = "no snapshot saved yet";

const ramFile = "ram";
const stateFile = "state";
const manifestFile = "manifest.json";

/**
 * The guest kernel and initramfs (their manifest names the package and the init's digest and changes with every
 * build), the QEMU, the accelerator, the RAM size and the shape of the command line. Not the image: the snapshot
 * is taken before the root is mounted, so one snapshot serves every image (each restored VM mounts its own).
 */
/** What a snapshot folder holds; a new layout (2: the boot log) makes older snapshots stale. */
const snapshotLayout = 2;

export function snapshotKey(spec: SnapshotSpec): string {
  const argsShape = buildQemuArgs({
    name: "vm",
    accel: spec.accel,
    memoryBytes: spec.memoryBytes,
    kernelPath: "kernel",
    initramfsPath: "initramfs",
    rootfsPath: "rootfs",
    launch: {
      snapshot: { ramPath: "ram", incoming: "incoming", terminalPorts: spec.terminalPorts },
    },
    controlSocketPath: "ctl",
    qmpSocketPath: "qmp",
  });
  return createHash("sha256")
    .update(
      JSON.stringify({
        layout: snapshotLayout,
        assets: spec.assets.manifest,
        qemu: [spec.qemuBinary, spec.qemuVersion],
        argsShape,
      }),
    )
    .digest("hex");
}

/**
 * One folder per accelerator, RAM size and number of terminal ports (a host with sessions on the snapshot and one
 * without share a cache); a new key for them replaces the old folder.
 */
export function snapshotDir(snapshotsDir: string, spec: SnapshotSpec): string {
  return path.join(
    snapshotsDir,
    `${spec.accel}-${guestMemoryMiB(spec.memoryBytes)}M-${spec.terminalPorts}t-${snapshotKey(spec).slice(0, 16)}`,
  );
}

/** The snapshot in its folder, its digests checked; SnapshotUnusableError says why not. */
export async function openSnapshot(dir: string, spec: SnapshotSpec): Promise<Snapshot> {
  const text = await fs.readFile(path.join(dir, manifestFile), "utf8").catch(() => null);
  if (text === null) throw new SnapshotUnusableError(noSnapshotYet);
  const parsed = SnapshotManifestSchema.safeParse(parseJson(text));
  if (!parsed.success) throw new SnapshotUnusableError("its manifest does not parse");
  const manifest = parsed.data;
  if (manifest.key !== snapshotKey(spec))
    throw new SnapshotUnusableError("it was saved for another kernel, initramfs or QEMU");
  const snapshot: Snapshot = {
    dir,
    ramPath: path.join(dir, ramFile),
    statePath: path.join(dir, stateFile),
    manifest,
    checked: { ramMtimeMs: 0, stateMtimeMs: 0 },
  };
  const [ram, state] = await Promise.all([
    fileDigest(snapshot.ramPath),
    fileDigest(snapshot.statePath),
  ]);
  if (!ram || !state) throw new SnapshotUnusableError("a file of it is missing");
  if (ram.bytes !== manifest.ramBytes || ram.sha256 !== manifest.ramSha256)
    throw new SnapshotUnusableError("its RAM file does not match its digest");
  if (state.bytes !== manifest.stateBytes || state.sha256 !== manifest.stateSha256)
    throw new SnapshotUnusableError("its state file does not match its digest");
  snapshot.checked = { ramMtimeMs: ram.mtimeMs, stateMtimeMs: state.mtimeMs };
  snapshot.bootLog = await fs.readFile(path.join(dir, bootLogFile), "utf8").catch(() => "");
  return snapshot;
}

/** Null while the files are as they were checked; else what changed (a restore from them would be a gamble). */
export async function snapshotChanged(snapshot: Snapshot): Promise<string | null> {
  const [ram, state] = await Promise.all([
    fs.stat(snapshot.ramPath).catch(() => null),
    fs.stat(snapshot.statePath).catch(() => null),
  ]);
  if (!ram || !state) return "a file of it is gone";
  // Within a millisecond: what a file's mtime keeps through a copy, a backup or a restore of the cache.
  const same = (a: number, b: number) => Math.abs(a - b) < 1;
  if (ram.size !== snapshot.manifest.ramBytes || !same(ram.mtimeMs, snapshot.checked.ramMtimeMs))
    return "its RAM file changed after it was checked";
  if (
    state.size !== snapshot.manifest.stateBytes ||
    !same(state.mtimeMs, snapshot.checked.stateMtimeMs)
  )
    return "its state file changed after it was checked";
  return null;
}

export interface SaveSnapshotInput {
  spec: SnapshotSpec;
  snapshotsDir: string;
  /** The saved VM's sockets live here (short: a socket path holds 107 bytes). */
  workDir: string;
  /** Any image: the snapshot's VM never mounts it, but its 9p device must exist to be in the saved state. */
  rootfsPath: string;
  cgroup: { parent: string; cpuShares: number };
  log: Logger;
  /** Aborted: the snapshot's VM is killed (the playground is stopping). */
  signal?: AbortSignal;
}

/** How long the snapshot's VM may take to reach its snapshot point: a cold boot under TCG, on a loaded host. */
const snapshotBootTimeoutMs = 120_000;

/** The saved VM's sink: its console is kept (the boot log), the rest is not anyone's run. */
function bootLogSink(): { sink: VmSink; text(): string } {
  const chunks: Buffer[] = [];
  let bytes = 0;
  return {
    sink: {
      mark: () => undefined,
      enter: () => undefined,
      output: () => undefined,
      console: (chunk) => {
        if (bytes >= maxBootLogBytes) return;
        chunks.push(chunk.subarray(0, maxBootLogBytes - bytes));
        bytes += chunk.length;
      },
    },
    text: () => Buffer.concat(chunks).toString("utf8"),
  };
}

/**
 * Boots the snapshot's VM, saves it at its snapshot point and moves the files into place. Built in a staging
 * folder renamed at the end, so no process restores from half a snapshot; a folder another process renamed first
 * is kept. Older snapshots of the same accelerator and RAM size go.
 */
export async function saveSnapshot(input: SaveSnapshotInput): Promise<Snapshot> {
  const { spec } = input;
  const dir = snapshotDir(input.snapshotsDir, spec);
  const staging = `${dir}.saving-${process.pid}-${randomBytes(3).toString("hex")}`;
  await fs.mkdir(staging, { recursive: true });
  const name = `${resourcePrefix}snap-${randomBytes(4).toString("hex")}`;
  try {
    const ramPath = path.join(staging, ramFile);
    const statePath = path.join(staging, stateFile);
    const started = Date.now();
    const bootLog = bootLogSink();
    const vm = await MicroVm.start(
      {
        qemuBinary: spec.qemuBinary,
        accel: spec.accel,
        assets: spec.assets,
        vmDir: path.join(input.workDir, name),
        name,
        rootfsPath: input.rootfsPath,
        memoryBytes: spec.memoryBytes,
        cgroup: input.cgroup,
      },
      { saveSnapshot: { ramPath, terminalPorts: spec.terminalPorts } },
      bootLog.sink,
      input.log,
    );
    let saveMs = 0;
    const onAbort = () => vm.kill();
    input.signal?.addEventListener("abort", onAbort, { once: true });
    if (input.signal?.aborted) onAbort();
    try {
      const timer = setTimeout(() => vm.kill(), snapshotBootTimeoutMs);
      const atPoint = await vm.ready;
      clearTimeout(timer);
      if (!atPoint)
        throw new Error(`the snapshot's VM did not boot: ${vm.failure(await vm.exited)}`);
      const saving = Date.now();
      await vm.saveSnapshot(statePath);
      saveMs = Date.now() - saving;
    } finally {
      input.signal?.removeEventListener("abort", onAbort);
      await vm.discard();
    }
    const bootMs = (vm.readyAt ?? started) - (vm.spawnedAt ?? started);
    const [ram, state] = await Promise.all([fileDigest(ramPath), fileDigest(statePath)]);
    if (!ram || !state) throw new Error("QEMU left no snapshot files");
    const manifest: SnapshotManifest = {
      key: snapshotKey(spec),
      accel: spec.accel,
      memoryMiB: guestMemoryMiB(spec.memoryBytes),
      qemu: spec.qemuVersion,
      ramBytes: ram.bytes,
      ramSha256: ram.sha256,
      stateBytes: state.bytes,
      stateSha256: state.sha256,
      bootMs,
      saveMs,
      savedAt: new Date().toISOString(),
    };
    await fs.writeFile(path.join(staging, bootLogFile), bootLog.text());
    await fs.writeFile(path.join(staging, manifestFile), JSON.stringify(manifest, null, 2));
    await fs.rename(staging, dir).catch(async (err: unknown) => {
      // Another process saved the same snapshot first: keep theirs.
      if (
        (err as NodeJS.ErrnoException).code !== "ENOTEMPTY" &&
        (err as NodeJS.ErrnoException).code !== "EEXIST"
      )
        throw err;
    });
    await removeSuperseded(input.snapshotsDir, dir);
    input.log.info({ dir, bootMs, saveMs, stateBytes: state.bytes }, "microVM snapshot saved");
    return await openSnapshot(dir, spec);
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

/** Snapshots of the same accelerator and RAM size with another key: a restored VM keeps its mapping of a removed file. */
async function removeSuperseded(snapshotsDir: string, current: string): Promise<void> {
  const base = path.basename(current);
  const prefix = base.slice(0, base.lastIndexOf("-") + 1);
  // Folders named before the terminal ports were part of the name: "<accel>-<MiB>M-<key>".
  const legacy = new RegExp(`^${prefix.replace(/-\d+t-$/, "")}-[0-9a-f]{16}$`);
  for (const entry of await fs.readdir(snapshotsDir).catch(() => [] as string[])) {
    const superseded = entry.startsWith(prefix) || legacy.test(entry);
    if (entry !== base && superseded && !entry.includes(".saving-"))
      await fs.rm(path.join(snapshotsDir, entry), { recursive: true, force: true });
  }
}

async function fileDigest(
  file: string,
): Promise<{ bytes: number; sha256: string; mtimeMs: number } | null> {
  const stat = await fs.stat(file).catch(() => null);
  if (!stat) return null;
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return { bytes: stat.size, sha256: hash.digest("hex"), mtimeMs: stat.mtimeMs };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
