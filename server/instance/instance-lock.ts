// One playground instance owns a state folder: a lock file names the process, its port and its vAccel address.
import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { PlaygroundError } from "../errors/playground-error";

export const lockFileName = "instance.lock";

const lockSchema = z.object({
  pid: z.number().int().positive(),
  /** /proc/<pid>/stat's starttime (clock ticks since boot): a pid reused by another process does not match. */
  processStart: z.string().min(1),
  /** The HTTP port the holder serves on; null until it has bound one. */
  port: z.number().int().min(0).max(65535).nullable(),
  vaccelAddress: z.string().nullable(),
  startedAt: z.string().datetime(),
});

export type InstanceLockRecord = z.infer<typeof lockSchema>;

export interface InstanceLock {
  readonly file: string;
  /** What a stale lock said, when this one took its place (its leftovers are the caller's to reap). */
  readonly tookOver: InstanceLockRecord | null;
  /** Records the port actually bound (PORT=0 picks one). */
  update(details: Partial<Pick<InstanceLockRecord, "port" | "vaccelAddress">>): Promise<void>;
  /** Removes the lock if it is still ours; idempotent. */
  release(): Promise<void>;
}

/** The process's start time as /proc/<pid>/stat gives it (field 22); null when no such process runs. */
export async function processStartTime(pid: number): Promise<string | null> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  return stat === null ? null : startTimeFromStat(stat);
}

/** Field 22 of a /proc/<pid>/stat line. */
export function startTimeFromStat(stat: string): string | null {
  // The command name (field 2) is in parentheses and may hold spaces or parentheses: count after the last one.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return /^\d+$/.test(fields[19] ?? "") ? fields[19] : null;
}

/** Whether the process that wrote the record still runs (same pid, same start time). */
export async function isHolderAlive(record: InstanceLockRecord): Promise<boolean> {
  return (await processStartTime(record.pid)) === record.processStart;
}

/** Reads a lock file; a file that does not parse (torn, foreign) counts as no holder. */
export async function readInstanceLock(file: string): Promise<InstanceLockRecord | null> {
  const text = await fs.readFile(file, "utf8").catch(() => null);
  if (text === null) return null;
  try {
    const parsed = lockSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The one line a refused second start prints: who holds the folder, and how to run another instance. */
export function describeHeldLock(stateDir: string, holder: InstanceLockRecord): string {
  const where = [
    holder.port === null ? "still starting" : `serving port ${holder.port}`,
    holder.vaccelAddress ? `vAccel ${holder.vaccelAddress}` : "no vAccel listener",
  ].join(", ");
  return (
    `The state folder ${stateDir} belongs to another playground: process ${holder.pid} (${where}, ` +
    `since ${holder.startedAt}). To run a second one, give it its own SBPG_STATE_DIR, PORT and ` +
    `SBPG_VACCEL_ADDRESS (or SBPG_VACCEL_ADDRESS="" for none); to take this one over, stop process ${holder.pid}.`
  );
}

export interface AcquireOptions {
  stateDir: string;
  port: number | null;
  vaccelAddress: string | null;
  pid?: number;
  now?: () => Date;
}

/**
 * Takes the state folder's lock, or throws conflict:state_dir naming the live holder. A lock whose process is
 * gone is taken over. The file appears whole or not at all: written aside, then hard-linked into place (link
 * fails when the name exists, like O_EXCL).
 */
export async function acquireInstanceLock(options: AcquireOptions): Promise<InstanceLock> {
  const pid = options.pid ?? process.pid;
  const processStart = await processStartTime(pid);
  if (processStart === null) throw new Error(`no /proc/${pid}/stat: cannot lock the state folder`);
  const file = path.join(options.stateDir, lockFileName);
  let record: InstanceLockRecord = {
    pid,
    processStart,
    port: options.port,
    vaccelAddress: options.vaccelAddress,
    startedAt: (options.now ?? (() => new Date()))().toISOString(),
  };
  let tookOver: InstanceLockRecord | null = null;
  for (let attempt = 0; ; attempt++) {
    if (await linkNew(file, record)) break;
    const holder = await readInstanceLock(file);
    if (holder && (await isHolderAlive(holder)))
      throw new PlaygroundError(
        "conflict",
        "state_dir",
        describeHeldLock(options.stateDir, holder),
      );
    // Bounded: each round removes a stale lock, and a live taker that won the race makes the next round throw.
    if (attempt >= 5) throw new Error(`could not take over the stale lock ${file}`);
    if (await removeIfUnchanged(file, holder)) tookOver = holder ?? tookOver;
  }

  let released = false;
  const write = async () => {
    const aside = `${file}.${pid}.tmp`;
    await fs.writeFile(aside, JSON.stringify(record));
    await fs.rename(aside, file);
  };
  return {
    file,
    tookOver,
    async update(details) {
      if (released) return;
      record = { ...record, ...details };
      await write();
    },
    async release() {
      if (released) return;
      released = true;
      const current = await readInstanceLock(file);
      if (current?.pid === pid && current.processStart === processStart)
        await fs.rm(file, { force: true });
    },
  };
}

/** Creates the lock file with the record, only if no lock file exists. */
async function linkNew(file: string, record: InstanceLockRecord): Promise<boolean> {
  const aside = `${file}.${record.pid}.tmp`;
  await fs.writeFile(aside, JSON.stringify(record));
  try {
    await fs.link(aside, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  } finally {
    await fs.rm(aside, { force: true });
  }
}

/**
 * Removes a stale lock, unless another taker replaced it meanwhile: it is renamed to a name of our own first,
 * and put back (by link, which never overwrites) if what was renamed turns out to be a live lock.
 */
async function removeIfUnchanged(file: string, stale: InstanceLockRecord | null): Promise<boolean> {
  const aside = `${file}.${process.pid}.stale`;
  try {
    await fs.rename(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw err;
  }
  const moved = await readInstanceLock(aside);
  const same =
    moved === null
      ? stale === null
      : stale !== null && moved.pid === stale.pid && moved.processStart === stale.processStart;
  if (!same) await fs.link(aside, file).catch(() => undefined);
  await fs.rm(aside, { force: true });
  return same;
}
