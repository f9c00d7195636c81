// The warm pool: VMs started ahead of any run to the point where they wait for one, refilled in the background,
// grown toward a bound while runs ask for VMs faster than it holds them, shrunk back when they stop.
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
  /** VMs kept ready when no one asks; 0 keeps none until runs do. */
  size: number;
  /** The most it grows to under demand; default size (a fixed pool). */
  max?: number;
  /** What one VM may cost the host (its cgroup's memory ceiling) and what all of the pool's together may. */
  vmMemoryBytes?: number;
  memoryBudgetBytes?: number;
  /** VMs started at once: 1 for cold boots (a burst of them slows the runs being served); restores are cheap. */
  concurrency?: () => number;
  /** Demand is the claims of this window: the pool aims at that many ready VMs, and falls back once it is quiet. */
  demandWindowMs?: number;
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
  max: number;
  /** What the pool aims at now: demand, between size and max, within the memory budget. */
  target: number;
  ready: number;
  booting: number;
  /** What its VMs (ready and booting) may cost, and the budget; null: no budget set. */
  memoryBytes: number;
  memoryBudgetBytes: number | null;
  lastFailure: string | null;
}

/** Each VM serves one run and is never reused. */
export class MicrovmPool<Vm extends PoolableVm> {
  private readonly options: MicrovmPoolOptions<Vm>;
  private readonly waiting: Vm[] = [];
  /** Boots in flight: each settles once its VM is ready, gone, or failed to start. */
  private readonly booting = new Set<Promise<void>>();
  private pending = 0;
  /** VMs spawned and not yet ready: close() stops them. */
  private readonly starting = new Set<Vm>();
  private readonly claims: number[] = [];
  /** Runs waiting in the engine's queue that will claim a VM when they start. */
  private queued = 0;
  private closed = false;
  private lastFailure: string | null = null;
  private failuresInRow = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private shrinkTimer: NodeJS.Timeout | undefined;

  constructor(options: MicrovmPoolOptions<Vm>) {
    this.options = options;
  }

  /** Starts VMs in the background up to the target, and stops surplus ready ones; a no-op once closed. */
  fill(): void {
    if (this.closed) return;
    this.shrink();
    const concurrency = Math.max(1, this.options.concurrency?.() ?? 1);
    while (
      !this.retryTimer &&
      this.pending < concurrency &&
      this.waiting.length + this.pending < this.target()
    ) {
      // Counted as booting until its VM is in the pool or gone, never both at once.
      this.pending += 1;
      const boot = this.bootOne().then(
        (vm) => {
          this.pending -= 1;
          if (vm) this.admit(vm);
        },
        (err: unknown) => {
          this.pending -= 1;
          this.options.log.error({ err }, "the microVM warm pool stopped a boot");
        },
      );
      this.booting.add(boot);
      void boot.finally(() => {
        this.booting.delete(boot);
        this.fill();
      });
    }
    this.scheduleShrink();
  }

  /**
   * The oldest ready VM that fits, taken out of the pool for good; null when none does. Each call is demand:
   * the pool grows toward it and refills behind.
   */
  claim(fits: (vm: Vm) => boolean = () => true): Vm | null {
    this.claims.push(Date.now());
    const index = this.waiting.findIndex(fits);
    const [vm] = index >= 0 ? this.waiting.splice(index, 1) : [null];
    this.fill();
    return vm;
  }

  /** Runs waiting upstream for a VM count as demand now, before they claim one. */
  expectQueued(count: number): void {
    this.queued = Math.max(0, count);
    this.fill();
  }

  status(): PoolStatus {
    return {
      size: this.options.size,
      max: this.max(),
      target: this.target(),
      ready: this.waiting.length,
      booting: this.pending,
      memoryBytes: (this.waiting.length + this.pending) * (this.options.vmMemoryBytes ?? 0),
      memoryBudgetBytes: this.options.memoryBudgetBytes ?? null,
      lastFailure: this.lastFailure,
    };
  }

  /** Stops every VM of the pool, the booting ones included; the pool starts no more. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.shrinkTimer);
    const vms = [...this.waiting.splice(0), ...this.starting];
    await Promise.all([...vms.map((vm) => vm.discard()), ...this.booting]);
  }

  private max(): number {
    return Math.max(this.options.size, this.options.max ?? this.options.size);
  }

  /** Claims of the window and runs queued for a VM, between size and max; never more VMs than the memory budget holds. */
  private target(): number {
    const window = this.options.demandWindowMs ?? 30_000;
    const since = Date.now() - window;
    while (this.claims.length && (this.claims[0] as number) < since) this.claims.shift();
    const wanted = Math.min(
      this.max(),
      Math.max(this.options.size, this.claims.length + this.queued),
    );
    const { vmMemoryBytes, memoryBudgetBytes } = this.options;
    if (!vmMemoryBytes || memoryBudgetBytes === undefined) return wanted;
    return Math.min(wanted, Math.floor(memoryBudgetBytes / vmMemoryBytes));
  }

  /** Ready VMs beyond the target go, oldest first (a run takes the oldest anyway, and these are the same). */
  private shrink(): void {
    const target = this.target();
    while (this.waiting.length && this.waiting.length + this.pending > target) {
      const vm = this.waiting.shift() as Vm;
      this.options.log.info({ target }, "the microVM pool shrinks: demand fell");
      void vm.discard();
    }
  }

  /** While the pool holds more than its size, it looks again once the oldest claim of the window has aged out. */
  private scheduleShrink(): void {
    clearTimeout(this.shrinkTimer);
    if (this.closed || !this.claims.length) return;
    const window = this.options.demandWindowMs ?? 30_000;
    const delay = Math.max(0, (this.claims[0] as number) + window - Date.now()) + 1;
    this.shrinkTimer = setTimeout(() => this.fill(), delay);
    this.shrinkTimer.unref?.();
  }

  /** The VM once it is ready; null when it failed or the pool closed meanwhile. */
  private async bootOne(): Promise<Vm | null> {
    let vm: Vm;
    try {
      vm = await this.options.boot();
    } catch (err) {
      this.failed(err instanceof Error ? err.message : String(err));
      return null;
    }
    if (this.closed) {
      await vm.discard();
      return null;
    }
    this.starting.add(vm);
    const ready = await vm.ready;
    this.starting.delete(vm);
    if (this.closed) {
      await vm.discard();
      return null;
    }
    if (!ready) {
      this.failed(await this.options.failureOf(vm));
      await vm.discard();
      return null;
    }
    return vm;
  }

  private admit(vm: Vm): void {
    if (this.closed) {
      void vm.discard();
      return;
    }
    this.lastFailure = null;
    this.failuresInRow = 0;
    this.waiting.push(vm);
    void vm.exited.then(() => this.dropIfWaiting(vm));
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

  /** After a failed boot a broken setup must not boot VMs back to back: no boot starts until the wait is over. */
  private failed(reason: string): void {
    this.lastFailure = reason;
    this.failuresInRow += 1;
    this.options.log.warn({ reason }, "a warm-pool microVM did not boot");
    const first = this.options.retryDelayMs ?? 2_000;
    const delay = Math.min(
      first * 2 ** (this.failuresInRow - 1),
      this.options.maxRetryDelayMs ?? 60_000,
    );
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.fill();
    }, delay);
  }
}

/** The pool as the host page shows it: "2/2 ready", "1/4 ready, 2 booting", or why boots fail. */
export function describePool(status: PoolStatus): string {
  const parts = [`${status.ready}/${status.target} ready`];
  if (status.booting) parts.push(`${status.booting} booting`);
  const text = parts.join(", ");
  return status.lastFailure ? `${text}; last boot failed: ${status.lastFailure}` : text;
}

/** Its bounds and what it holds: "size 1, up to 4 on demand; 2 VMs, 352 MiB of a 1024 MiB budget". */
export function describePoolLimits(status: PoolStatus): string {
  const mib = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MiB`;
  const bounds =
    status.max > status.size
      ? `size ${status.size}, up to ${status.max} on demand`
      : `size ${status.size}`;
  const vms = status.ready + status.booting;
  const held = `${vms} VM${vms === 1 ? "" : "s"}, ${mib(status.memoryBytes)}`;
  const budget =
    status.memoryBudgetBytes === null
      ? "no budget"
      : `of a ${mib(status.memoryBudgetBytes)} budget`;
  return `${bounds}; ${held} ${budget}`;
}
