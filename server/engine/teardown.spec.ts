import { describe, expect, it, vi } from "vitest";
import { createLogger } from "../log/logger";
import { Teardown } from "./teardown";

const log = createLogger("silent");

describe("Teardown", () => {
  it("runs each step once, newest first, even when run() is called twice", async () => {
    const order: string[] = [];
    const teardown = new Teardown(log);
    teardown.add("socket", () => order.push("socket"));
    teardown.add("sampler", async () => {
      await new Promise((r) => setTimeout(r, 5));
      order.push("sampler");
    });
    await Promise.all([teardown.run(), teardown.run()]);
    await teardown.run();
    expect(order).toEqual(["sampler", "socket"]);
  });

  it("keeps going past a failing step and logs it", async () => {
    const warn = vi.spyOn(log, "warn");
    const ran: string[] = [];
    const teardown = new Teardown(log);
    teardown.add("first", () => ran.push("first"));
    teardown.add("broken", () => {
      throw new Error("boom");
    });
    await teardown.run();
    expect(ran).toEqual(["first"]);
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ step: "broken" }),
      expect.any(String),
    );
  });

  it("runs a step added after the teardown at once", async () => {
    const teardown = new Teardown(log);
    await teardown.run();
    const late = vi.fn();
    teardown.add("late", late);
    await teardown.run();
    await new Promise((r) => setImmediate(r));
    expect(late).toHaveBeenCalledOnce();
  });
});
