// Teardown steps collected as a sandbox acquires resources, run once, newest first, however the run ends.
import type { Logger } from "../log/logger";

export class Teardown {
  private readonly steps: Array<{ name: string; step: () => unknown }> = [];
  private done: Promise<void> | null = null;

  constructor(private readonly log: Logger) {}

  /** Registers what undoes something just acquired; a step added after run() runs at once. */
  add(name: string, step: () => unknown): void {
    if (this.done) {
      void this.done.then(() => this.runStep({ name, step }));
      return;
    }
    this.steps.push({ name, step });
  }

  /**
   * Runs every step once, newest first (what was acquired last is released first). A failing step is
   * logged and the rest still run. Idempotent: later calls wait for the first.
   */
  run(): Promise<void> {
    this.done ??= (async () => {
      for (const step of this.steps.reverse()) await this.runStep(step);
    })();
    return this.done;
  }

  private async runStep({ name, step }: { name: string; step: () => unknown }): Promise<void> {
    try {
      await step();
    } catch (err) {
      this.log.warn({ err, step: name }, "a teardown step failed; the others still ran");
    }
  }
}
