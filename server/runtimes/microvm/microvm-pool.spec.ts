import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "../../log/logger";
import {
  describePool,
  describePoolLimits,
  MicrovmPool,
  type MicrovmPoolOptions,
  type PoolableVm,
  type PoolStatus,
} from "./microvm-pool";

/** A VM the test readies, fails or kills by hand. */
class FakeVm implements PoolableVm {
  readonly ready: Promise<boolean>;
  readonly exited: Promise<void>;
  discarded = false;
  becomeReady!: (ok: boolean) => void;
  exit!: () => void;

  constructor(readonly id: number) {
    this.ready = new Promise((resolve) => (this.becomeReady = resolve));
    this.exited = new Promise((resolve) => (this.exit = resolve));
    void this.exited.then(() => this.becomeReady(false));
  }

  async discard() {
    this.discarded = true;
    this.exit();
  }
}

function poolOf(size: number, more: Partial<MicrovmPoolOptions<FakeVm>> = {}) {
  const booted: FakeVm[] = [];
  const pool = new MicrovmPool<FakeVm>({
    size,
    ...more,
    boot: async () => {
      const vm = new FakeVm(booted.length + 1);
      booted.push(vm);
      return vm;
    },
    failureOf: async (vm) => `fake VM ${vm.id} stopped`,
    log: createLogger("silent"),
    retryDelayMs: 1_000,
  });
  return { pool, booted };
}

/** Lets the pool's promise chains run. */
const settle = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("MicrovmPool", () => {
  it("boots one VM at a time until it holds its size", async () => {
    const { pool, booted } = poolOf(2);
    pool.fill();
    await settle();
    expect(booted).toHaveLength(1);
    expect(pool.status()).toMatchObject({ size: 2, ready: 0, booting: 1, lastFailure: null });
    booted[0]!.becomeReady(true);
    await settle();
    expect(booted).toHaveLength(2);
    booted[1]!.becomeReady(true);
    await settle();
    expect(booted).toHaveLength(2);
    expect(pool.status()).toMatchObject({ size: 2, ready: 2, booting: 0, lastFailure: null });
    await pool.close();
  });

  it("hands out the oldest ready VM that fits, once, and refills behind it", async () => {
    const { pool, booted } = poolOf(2);
    pool.fill();
    await settle();
    booted[0]!.becomeReady(true);
    await settle();
    booted[1]!.becomeReady(true);
    await settle();
    expect(pool.claim((vm) => vm.id !== booted[0]!.id)).toBe(booted[1]);
    expect(pool.claim()).toBe(booted[0]);
    expect(pool.claim()).toBeNull();
    await settle();
    expect(booted).toHaveLength(3);
    expect(pool.status()).toMatchObject({ ready: 0, booting: 1 });
    await pool.close();
  });

  it("says why a boot failed, waits longer after each failure, and recovers", async () => {
    const { pool, booted } = poolOf(1);
    pool.fill();
    await settle();
    booted[0]!.exit();
    await settle();
    expect(pool.status()).toMatchObject({ ready: 0, lastFailure: "fake VM 1 stopped" });
    expect(booted[0]!.discarded).toBe(true);
    await vi.advanceTimersByTimeAsync(999);
    expect(booted).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(booted).toHaveLength(2);
    booted[1]!.exit();
    await vi.advanceTimersByTimeAsync(1_999);
    expect(booted).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(booted).toHaveLength(3);
    booted[2]!.becomeReady(true);
    await settle();
    expect(pool.status()).toMatchObject({ size: 1, ready: 1, booting: 0, lastFailure: null });
    await pool.close();
  });

  it("replaces a ready VM that stops while it waits", async () => {
    const { pool, booted } = poolOf(1);
    pool.fill();
    await settle();
    booted[0]!.becomeReady(true);
    await settle();
    booted[0]!.exit();
    await settle();
    expect(booted).toHaveLength(2);
    expect(pool.claim()).toBeNull();
    await pool.close();
  });

  it("stops the waiting and the booting VMs on close, and boots no more", async () => {
    const { pool, booted } = poolOf(2);
    pool.fill();
    await settle();
    booted[0]!.becomeReady(true);
    await settle();
    await pool.close();
    expect(booted.map((vm) => vm.discarded)).toEqual([true, true]);
    pool.fill();
    expect(pool.claim()).toBeNull();
    await settle();
    expect(booted).toHaveLength(2);
  });

  it("keeps nothing at size 0", async () => {
    const { pool, booted } = poolOf(0);
    pool.fill();
    await settle();
    expect(booted).toHaveLength(0);
    expect(pool.claim()).toBeNull();
  });
});

/** Readies every VM booted so far and lets the pool react. */
async function readyAll(booted: FakeVm[]) {
  for (const vm of booted) vm.becomeReady(true);
  await settle();
}

describe("MicrovmPool under demand", () => {
  const vmBytes = 200 << 20;

  it("grows toward max while claims come faster than it holds VMs, several boots at once", async () => {
    const { pool, booted } = poolOf(1, { max: 4, concurrency: () => 2, demandWindowMs: 10_000 });
    pool.fill();
    await readyAll(booted);
    expect(pool.status()).toMatchObject({ target: 1, ready: 1 });
    // A burst of five requests: one served, the pool now aims at the demand, capped at max.
    for (let i = 0; i < 5; i++) pool.claim();
    await settle();
    expect(pool.status()).toMatchObject({ target: 4, booting: 2 });
    await readyAll(booted);
    await readyAll(booted);
    expect(pool.status()).toMatchObject({ target: 4, ready: 4, booting: 0 });
    expect(booted).toHaveLength(5);
    await pool.close();
  });

  it("grows for runs queued upstream before they claim, and falls back when they are gone", async () => {
    const { pool, booted } = poolOf(1, { max: 4, concurrency: () => 4, demandWindowMs: 10_000 });
    pool.fill();
    await readyAll(booted);
    pool.expectQueued(3);
    await readyAll(booted);
    expect(pool.status()).toMatchObject({ target: 3, ready: 3 });
    expect(booted).toHaveLength(3);
    // The queue emptied without claiming (its runs were stopped): no demand is left.
    pool.expectQueued(0);
    await settle();
    expect(pool.status()).toMatchObject({ target: 1, ready: 1 });
    await pool.close();
  });

  it("shrinks back to its size once the demand window is quiet", async () => {
    const { pool, booted } = poolOf(1, { max: 3, concurrency: () => 3, demandWindowMs: 10_000 });
    pool.fill();
    await readyAll(booted);
    pool.claim();
    pool.claim();
    pool.claim();
    await readyAll(booted);
    expect(pool.status()).toMatchObject({ target: 3, ready: 3 });
    await vi.advanceTimersByTimeAsync(9_000);
    expect(pool.status().ready).toBe(3);
    await vi.advanceTimersByTimeAsync(1_100);
    expect(pool.status()).toMatchObject({ target: 1, ready: 1, booting: 0 });
    // The surplus was stopped, oldest first; the newest stays ready.
    expect(booted.filter((vm) => vm.discarded)).toHaveLength(2);
    expect(booted.at(-1)!.discarded).toBe(false);
    await pool.close();
  });

  it("never holds more VMs than the memory budget, and shows what they cost", async () => {
    const { pool, booted } = poolOf(1, {
      max: 8,
      concurrency: () => 8,
      vmMemoryBytes: vmBytes,
      memoryBudgetBytes: 3 * vmBytes + 1,
    });
    pool.fill();
    for (let i = 0; i < 8; i++) pool.claim();
    await settle();
    expect(pool.status()).toMatchObject({
      target: 3,
      booting: 3,
      memoryBytes: 3 * vmBytes,
      memoryBudgetBytes: 3 * vmBytes + 1,
    });
    await readyAll(booted);
    expect(booted).toHaveLength(3);
    await pool.close();
  });

  it("starts one VM at a time unless told it may start more", async () => {
    const { pool, booted } = poolOf(3);
    pool.fill();
    await settle();
    expect(booted).toHaveLength(1);
    await pool.close();
  });
});

describe("describePool", () => {
  const status = (over: Partial<PoolStatus>): PoolStatus => ({
    size: 1,
    max: 1,
    target: 1,
    ready: 0,
    booting: 0,
    memoryBytes: 0,
    memoryBudgetBytes: null,
    lastFailure: null,
    ...over,
  });

  it("reads ready/target first, as the host page and the benchmark parse it", () => {
    expect(describePool(status({ size: 2, target: 2, max: 2, ready: 2 }))).toBe("2/2 ready");
    expect(describePool(status({ booting: 1, lastFailure: "QEMU said x" }))).toBe(
      "0/1 ready, 1 booting; last boot failed: QEMU said x",
    );
    expect(describePool(status({ max: 6, target: 4, ready: 1, booting: 2 }))).toBe(
      "1/4 ready, 2 booting",
    );
  });

  it("states its bounds and what its VMs cost against the budget", () => {
    expect(
      describePoolLimits(
        status({
          max: 4,
          ready: 1,
          booting: 1,
          memoryBytes: 352 << 20,
          memoryBudgetBytes: 1 << 30,
        }),
      ),
    ).toBe("size 1, up to 4 on demand; 2 VMs, 352 MiB of a 1024 MiB budget");
    expect(describePoolLimits(status({ ready: 1, memoryBytes: 176 << 20 }))).toBe(
      "size 1; 1 VM, 176 MiB no budget",
    );
  });
});
