import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "../../log/logger";
import { describePool, MicrovmPool, type PoolableVm } from "./microvm-pool";

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

function poolOf(size: number) {
  const booted: FakeVm[] = [];
  const pool = new MicrovmPool<FakeVm>({
    size,
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
    expect(pool.status()).toEqual({ size: 2, ready: 0, booting: true, lastFailure: null });
    booted[0]!.becomeReady(true);
    await settle();
    expect(booted).toHaveLength(2);
    booted[1]!.becomeReady(true);
    await settle();
    expect(booted).toHaveLength(2);
    expect(pool.status()).toEqual({ size: 2, ready: 2, booting: false, lastFailure: null });
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
    expect(pool.status()).toMatchObject({ ready: 0, booting: true });
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
    expect(pool.status()).toEqual({ size: 1, ready: 1, booting: false, lastFailure: null });
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

describe("describePool", () => {
  it("reads ready/size first, as the host page and the benchmark parse it", () => {
    expect(describePool({ size: 2, ready: 2, booting: false, lastFailure: null })).toBe(
      "2/2 ready",
    );
    expect(describePool({ size: 1, ready: 0, booting: true, lastFailure: "QEMU said x" })).toBe(
      "0/1 ready, 1 booting; last boot failed: QEMU said x",
    );
  });
});
