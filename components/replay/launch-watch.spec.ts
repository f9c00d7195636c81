import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiRequestError } from "@/components/live/api-client";
import { BackendUnreachableError } from "./backend-verdict";
import { watchLaunches } from "./launch-watch";

/** A launch request the test settles by hand. */
function deferred() {
  let resolve!: (id: string) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<string>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("watchLaunches", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const setup = (socketConnected = false) => {
    const onUnreachable = vi.fn();
    const abandon = vi.fn();
    const watch = watchLaunches({
      runtimes: ["runc", "gvisor"],
      socketConnected: () => socketConnected,
      onUnreachable,
      abandon,
      now: () => Date.now(),
    });
    return { watch, onUnreachable, abandon };
  };

  it("replays every runtime as soon as a request fails on the network", async () => {
    const { watch, onUnreachable } = setup(true);
    const runc = deferred();
    const gvisor = deferred();
    const a = watch.guard("runc", runc.promise);
    const b = watch.guard("gvisor", gvisor.promise);
    runc.reject(new ApiRequestError("down", 0, "network"));
    await expect(a).rejects.toThrow("down");
    await expect(b).rejects.toBeInstanceOf(BackendUnreachableError);
    expect(onUnreachable).toHaveBeenCalledWith(["runc", "gvisor"]);
  });

  it("gives up on a silent network after the grace period, and stops a run that turns up late", async () => {
    const { watch, onUnreachable, abandon } = setup(false);
    const runc = deferred();
    const guarded = watch.guard("runc", runc.promise);
    const rejected = expect(guarded).rejects.toBeInstanceOf(BackendUnreachableError);
    await vi.advanceTimersByTimeAsync(1999);
    expect(onUnreachable).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await rejected;
    expect(onUnreachable).toHaveBeenCalledWith(["runc", "gvisor"]);
    runc.resolve("late-run");
    await vi.runAllTimersAsync();
    expect(abandon).toHaveBeenCalledWith("late-run");
  });

  it("stays live when the server answers, refusals included", async () => {
    const { watch, onUnreachable } = setup(false);
    const runc = deferred();
    const gvisor = deferred();
    const a = watch.guard("runc", runc.promise);
    const b = watch.guard("gvisor", gvisor.promise);
    runc.resolve("run-1");
    gvisor.reject(new ApiRequestError("host full", 429, "quota:host_full"));
    await expect(a).resolves.toBe("run-1");
    await expect(b).rejects.toThrow("host full");
    await vi.advanceTimersByTimeAsync(10_000);
    expect(onUnreachable).not.toHaveBeenCalled();
  });

  it("replays only the runtimes that got no run when the network drops midway", async () => {
    const { watch, onUnreachable } = setup(true);
    const runc = deferred();
    const gvisor = deferred();
    const a = watch.guard("runc", runc.promise);
    const b = watch.guard("gvisor", gvisor.promise);
    runc.resolve("run-1");
    await expect(a).resolves.toBe("run-1");
    gvisor.reject(new ApiRequestError("down", 0, "network"));
    await expect(b).rejects.toThrow("down");
    expect(onUnreachable).toHaveBeenCalledWith(["gvisor"]);
  });

  it("waits for a slow answer while the live connection is up", async () => {
    const { watch, onUnreachable } = setup(true);
    const runc = deferred();
    const guarded = watch.guard("runc", runc.promise);
    await vi.advanceTimersByTimeAsync(5000);
    runc.resolve("slow-run");
    await expect(guarded).resolves.toBe("slow-run");
    expect(onUnreachable).not.toHaveBeenCalled();
  });

  it("judges nothing once a newer press of Run closed it", async () => {
    const { watch, onUnreachable } = setup(false);
    void watch.guard("runc", deferred().promise);
    watch.close();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(onUnreachable).not.toHaveBeenCalled();
  });
});
