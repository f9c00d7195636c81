// The warm pool: VMs booted ahead of any run to the point where they wait for one, refilled in the background.
import type { Logger } from "../../log/logger";

/** What the pool needs of a VM; MicroVm in production, a fake in unit tests. */
export interface PoolableVm {
  /** True once the guest waits for its run; false when it stopped first. */
  readonly ready: Promise<boolean>;
  /** Settles when the VM has stopped, for whatever reason. */
  readonly exited: Promise<unknown>;
  /** Kills the VM and removes what it left; idempotent. */
  discard(): Promise<void>;
}

export interface MicrovmPoolOptions<Vm extends PoolableVm> {
  /** VMs kept ready; 0 keeps none. */
  size: number;
  /** Starts one VM; it reports ready on its own. */
  boot(): Promise<Vm>;
  /** Why a VM that stopped before it was ready did so. */
  failureOf(vm: Vm): Promise<string>;
  log: Logger;
  /** The wait after the first failed boot; it doubles per failure in a row, up to maxRetryDelayMs. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
}

export interface PoolStatus {
  size: number;
  ready: number;
  booting: boolean;
  lastFailure: string | null;
}

/**
 * Each VM serves one run and is never reused. One boot at a time: on a small host a burst of parallel
 * boots would slow the runs that are being served.
 */
export class MicrovmPool<Vm extends PoolableVm> {
  private readonly options: MicrovmPoolOptions<Vm>;
  private readonly waiting: Vm[] = [];
  /** From the boot's start until the VM is ready or gone; the VM itself once it has spawned. */
  private booting: Vm | "starting" | null = null;
  private filling: Promise<void> | null = null;
  private closed = false;
  private lastFailure: string | null = null;
  private failuresInRow = 0;
  private wakeUp: (() => void) | null = null;

  constructor(options: MicrovmPoolOptions<Vm>) {
    this.options = options;
  }

  /** Starts filling the pool in the background, unless it is full, filling already, or closed. */
  fill(): void {
    if (this.closed || this.filling || this.waiting.length >= this.options.size) return;
    this.filling = this.fillUp()
      .catch((err: unknown) =>
        this.options.log.error({ err }, "the microVM warm pool stopped filling"),
      )
      .finally(() => {
        this.filling = null;
        // A VM that left while the loop was finishing (claimed, or died) is replaced.
        this.fill();
      });
  }

  /** The oldest ready VM that fits, taken out of the pool for good; null when none does. Refills behind it. */
  claim(fits: (vm: Vm) => boolean = () => true): Vm | null {
    const index = this.waiting.findIndex(fits);
    const [vm] = index >= 0 ? this.waiting.splice(index, 1) : [null];
    this.fill();
    return vm;
  }

  status(): PoolStatus {
    return {
      size: this.options.size,
      ready: this.waiting.length,
      booting: this.booting !== null,
      lastFailure: this.lastFailure,
    };
  }

  /** Stops every VM of the pool, the one booting included; the pool boots no more. */
  async close(): Promise<void> {
    this.closed = true;
    this.wakeUp?.();
    const vms = this.waiting.splice(0);
    const booting = this.booting === "starting" ? null : this.booting;
    await Promise.all([...vms.map((vm) => vm.discard()), booting?.discard(), this.filling]);
  }

  private async fillUp(): Promise<void> {
    while (!this.closed && this.waiting.length < this.options.size) {
      this.booting = "starting";
      const vm = await this.options.boot().catch((err: unknown) => {
        this.failed(err instanceof Error ? err.message : String(err));
        return null;
      });
      this.booting = vm;
      if (!vm) {
        await this.pause();
        continue;
      }
      if (this.closed) {
        await vm.discard();
        return;
      }
      const ready = await vm.ready;
      this.booting = null;
      if (this.closed) {
        await vm.discard();
        return;
      }
      if (!ready) {
        this.failed(await this.options.failureOf(vm));
        await vm.discard();
        await this.pause();
        continue;
      }
      this.lastFailure = null;
      this.failuresInRow = 0;
      this.waiting.push(vm);
      void vm.exited.then(() => this.dropIfWaiting(vm));
    }
  }

  /** A ready VM that stopped before any run claimed it (killed from outside, or crashed) is replaced. */
  private dropIfWaiting(vm: Vm): void {
    const index = this.waiting.indexOf(vm);
    if (index < 0) return;
    this.waiting.splice(index, 1);
    this.options.log.warn("a warm-pool microVM stopped while it waited for a run");
    void vm.discard();
    this.fill();
  }

  private failed(reason: string): void {
    this.lastFailure = reason;
    this.failuresInRow += 1;
    this.options.log.warn({ reason }, "a warm-pool microVM did not boot");
  }

  /** After a failed boot: a broken setup must not boot VMs back to back. close() cuts the wait short. */
  private pause(): Promise<void> {
    const first = this.options.retryDelayMs ?? 2_000;
    const delay = Math.min(
      first * 2 ** (this.failuresInRow - 1),
      this.options.maxRetryDelayMs ?? 60_000,
    );
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wakeUp?.(), delay);
      this.wakeUp = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
    });
  }
}

/** The pool as the host page shows it: "2/2 ready", "0/1 ready, 1 booting", or why boots fail. */
export function describePool(status: PoolStatus): string {
  const parts = [`${status.ready}/${status.size} ready`];
  if (status.booting) parts.push("1 booting");
  const text = parts.join(", ");
  return status.lastFailure ? `${text}; last boot failed: ${status.lastFailure}` : text;
}
