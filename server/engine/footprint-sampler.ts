// Samples a running sandbox's host processes for its memory footprint; the run keeps the peak.
import type { SandboxDriver } from "./driver";
import { measureFootprint } from "./memory-footprint";
import type { Run } from "./run";

/** How often a running sandbox's memory is sampled. */
const footprintIntervalMs = 250;

/** Samples as soon as the run is running, then periodically, until stopped. */
export function sampleFootprint(
  run: Run,
  driver: SandboxDriver,
  resourceName: string,
): { stop(): void } {
  const processes = driver.sandboxProcesses?.bind(driver);
  if (!processes) return { stop: () => undefined };
  let busy = false;
  const sample = async () => {
    if (busy || run.state !== "running") return;
    busy = true;
    try {
      const footprint = await measureFootprint(await processes(resourceName));
      if (footprint && !run.finished) run.recordFootprint(footprint);
    } catch {
      // A sandbox going away mid-sample is normal; the next sample (or none) tells the rest.
    } finally {
      busy = false;
    }
  };
  let wasRunning = false;
  const onChange = () => {
    if (run.state === "running" && !wasRunning) void sample();
    wasRunning = run.state === "running";
  };
  run.on("change", onChange);
  const timer = setInterval(() => void sample(), footprintIntervalMs);
  return {
    stop() {
      clearInterval(timer);
      run.off("change", onChange);
    },
  };
}
