import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ReplayClock } from "./replay-clock";

describe("ReplayClock", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const start = (events: number[]) => {
    const seen: number[] = [];
    const ended = vi.fn();
    const clock = new ReplayClock({
      events,
      onAdvance: (at) => seen.push(at),
      onEnd: ended,
      now: () => Date.now(),
    });
    return { clock, seen, ended };
  };

  it("fires each event at its original time, not before", () => {
    const { clock, seen, ended } = start([0, 500, 100]);
    clock.play();
    expect(seen).toEqual([0]);
    vi.advanceTimersByTime(99);
    expect(seen).toEqual([0]);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual([0, 100]);
    vi.advanceTimersByTime(399);
    expect(seen).toHaveLength(2);
    expect(ended).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(seen).toEqual([0, 100, 500]);
    expect(ended).toHaveBeenCalledOnce();
    expect(clock.finished).toBe(true);
  });

  it("holds still while paused and resumes where it stopped", () => {
    const { clock, seen } = start([0, 1000]);
    clock.play();
    vi.advanceTimersByTime(400);
    clock.pause();
    expect(clock.positionMs).toBe(400);
    vi.advanceTimersByTime(5000);
    expect(seen).toEqual([0]);
    clock.play();
    vi.advanceTimersByTime(599);
    expect(seen).toEqual([0]);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual([0, 1000]);
  });

  it("plays faster or slower, from the position reached", () => {
    const { clock, seen } = start([0, 1000, 2000]);
    clock.play();
    vi.advanceTimersByTime(500);
    clock.setSpeed(2);
    vi.advanceTimersByTime(250);
    expect(seen).toEqual([0, 1000]);
    clock.setSpeed(0.5);
    vi.advanceTimersByTime(1999);
    expect(seen).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual([0, 1000, 2000]);
    expect(() => clock.setSpeed(0)).toThrow(RangeError);
  });

  it("stays silent once disposed", () => {
    const { clock, seen, ended } = start([0, 300]);
    clock.play();
    clock.dispose();
    vi.advanceTimersByTime(1000);
    expect(seen).toEqual([0]);
    expect(ended).not.toHaveBeenCalled();
    clock.play();
    expect(seen).toEqual([0]);
  });
});
