// Plays a timeline at its original pace: fires each event when its time comes, with pause, resume and speed.

export interface ReplayClockOptions {
  /** Event times in milliseconds from the start, in any order. */
  events: readonly number[];
  /** Called with the time reached when play first starts and whenever events come due. */
  onAdvance: (positionMs: number) => void;
  /** Called once when the last event has fired. */
  onEnd?: () => void;
  /** A monotonic clock in milliseconds; tests pass a fake one. */
  now?: () => number;
}

export class ReplayClock {
  private readonly events: number[];
  private readonly onAdvance: (positionMs: number) => void;
  private readonly onEnd: () => void;
  private readonly now: () => number;
  /** Position when the clock last started or changed speed, and the wall time of that moment. */
  private anchorPosition = 0;
  private anchorTime = 0;
  private rate = 1;
  private running = false;
  private done = false;
  private started = false;
  private next = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(options: ReplayClockOptions) {
    this.events = [...options.events].sort((a, b) => a - b);
    this.onAdvance = options.onAdvance;
    this.onEnd = options.onEnd ?? (() => undefined);
    this.now = options.now ?? (() => performance.now());
  }

  get playing(): boolean {
    return this.running;
  }

  get finished(): boolean {
    return this.done;
  }

  get speed(): number {
    return this.rate;
  }

  /** Where the replay stands, in milliseconds of the original run. */
  get positionMs(): number {
    if (!this.running) return this.anchorPosition;
    return this.anchorPosition + (this.now() - this.anchorTime) * this.rate;
  }

  play(): void {
    if (this.running || this.done) return;
    this.anchorTime = this.now();
    this.running = true;
    this.tick();
  }

  pause(): void {
    if (!this.running) return;
    this.anchorPosition = this.positionMs;
    this.running = false;
    this.clearTimer();
  }

  setSpeed(speed: number): void {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError("speed must be above 0");
    this.anchorPosition = this.positionMs;
    this.anchorTime = this.now();
    this.rate = speed;
    if (this.running) {
      this.clearTimer();
      this.schedule();
    }
  }

  /** Stops for good; no callback fires after this. */
  dispose(): void {
    this.pause();
    this.done = true;
  }

  private tick(): void {
    const position = this.positionMs;
    const before = this.next;
    while (this.next < this.events.length && this.events[this.next] <= position) this.next += 1;
    if (this.next > before || !this.started) this.onAdvance(Math.min(position, this.lastEvent()));
    this.started = true;
    if (this.next >= this.events.length) {
      this.running = false;
      this.anchorPosition = this.lastEvent();
      this.done = true;
      this.onEnd();
      return;
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.next >= this.events.length) return;
    const wait = Math.max(0, (this.events[this.next] - this.positionMs) / this.rate);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.tick();
    }, wait);
  }

  private lastEvent(): number {
    return this.events.length ? this.events[this.events.length - 1] : 0;
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
