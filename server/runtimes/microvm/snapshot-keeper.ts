// The driver's one snapshot: opened or saved in the background, checked before each restore, replaced when broken.
import fs from "node:fs/promises";
import type { Logger } from "../../log/logger";
import {
  noSnapshotYet,
  snapshotChanged,
  SnapshotUnusableError,
  type Snapshot,
} from "./vm-snapshot";

export interface SnapshotKeeperOptions {
  /** The snapshot in its folder, checked; throws SnapshotUnusableError when there is none or it is broken. */
  open(): Promise<Snapshot>;
  /** Boots and saves a new one. */
  save(): Promise<Snapshot>;
  /** The folder open() reads: removed before a broken snapshot is saved again. */
  dir: string;
  log: Logger;
  /** After a failed save, the next try waits this long. */
  retryDelayMs?: number;
}

export type SnapshotCheck = { snapshot: Snapshot } | { missing: string } | { unusable: string };

/** What the host page says of the snapshot. */
export interface SnapshotStatus {
  state: "saving" | "ready" | "failed";
  detail: string | null;
}

export class SnapshotKeeper {
  private readonly options: SnapshotKeeperOptions;
  private current: Snapshot | null = null;
  private preparing: Promise<void> | null = null;
  private lastProblem: string | null = null;
  private failedAt = 0;

  constructor(options: SnapshotKeeperOptions) {
    this.options = options;
  }

  /** Opens the saved snapshot, or saves one, in the background; a no-op while that runs or once one is ready. */
  prepare(): Promise<void> {
    if (this.current) return Promise.resolve();
    const retryDelay = this.options.retryDelayMs ?? 60_000;
    if (!this.preparing && this.failedAt && Date.now() - this.failedAt < retryDelay)
      return Promise.resolve();
    this.preparing ??= this.openOrSave().finally(() => {
      this.preparing = null;
    });
    return this.preparing;
  }

  /** The snapshot once prepare() has settled; null when there is none (status says why). */
  async ready(): Promise<Snapshot | null> {
    await this.prepare();
    return this.current;
  }

  /**
   * Before a restore: the snapshot if its files are as they were checked. While it is being saved the answer is
   * `missing` (that run boots cold rather than wait); a changed file makes it `unusable` and starts a new save.
   */
  async check(): Promise<SnapshotCheck> {
    const snapshot = this.current;
    if (!snapshot) {
      void this.prepare();
      return { missing: this.preparing ? "the snapshot is being saved" : this.describeMissing() };
    }
    const changed = await snapshotChanged(snapshot);
    if (!changed) return { snapshot };
    this.discard(snapshot, changed);
    return { unusable: changed };
  }

  /** A restore from this snapshot failed: it goes, and a new one is saved in the background. */
  discard(snapshot: Snapshot, reason: string): void {
    if (this.current !== snapshot) return;
    this.options.log.warn({ reason, dir: snapshot.dir }, "the microVM snapshot is unusable");
    this.current = null;
    this.lastProblem = `the last one was unusable (${reason})`;
    this.failedAt = 0;
    this.preparing ??= fs
      .rm(snapshot.dir, { recursive: true, force: true })
      .then(() => this.openOrSave())
      .finally(() => {
        this.preparing = null;
      });
  }

  /** Settles once a save or open under way has (close() waits for it: its VM lives in the state folder). */
  async settled(): Promise<void> {
    await this.preparing;
  }

  status(): SnapshotStatus {
    if (this.current)
      return {
        state: "ready",
        detail: `saved ${this.current.manifest.savedAt} (boot ${this.current.manifest.bootMs} ms, save ${this.current.manifest.saveMs} ms)`,
      };
    if (this.preparing) return { state: "saving", detail: this.lastProblem };
    return { state: "failed", detail: this.describeMissing() };
  }

  private describeMissing(): string {
    return this.lastProblem ?? "not saved yet";
  }

  private async openOrSave(): Promise<void> {
    try {
      this.current = await this.options.open();
      this.lastProblem = null;
      return;
    } catch (err) {
      // A broken or outdated folder is replaced, not kept beside the new one.
      if (!(err instanceof SnapshotUnusableError) || err.message !== noSnapshotYet) {
        this.options.log.info({ err }, "saving the microVM snapshot again");
        await fs.rm(this.options.dir, { recursive: true, force: true });
      }
    }
    try {
      this.current = await this.options.save();
      this.lastProblem = null;
    } catch (err) {
      this.lastProblem = `saving it failed: ${err instanceof Error ? err.message : String(err)}`;
      this.failedAt = Date.now();
      this.options.log.warn({ err }, "the microVM snapshot could not be saved");
    }
  }
}
