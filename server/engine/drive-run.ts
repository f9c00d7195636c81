// Drives one admitted run: opens what it needs, hands it to its driver, tears everything down once, settles it.
import type { Logger } from "../log/logger";
import type { LaunchPlan, VaccelOption } from "./admission";
import { resourcePrefix } from "./driver";
import { sampleFootprint } from "./footprint-sampler";
import type { LaunchOutcome, Run } from "./run";
import { Teardown } from "./teardown";

export async function driveRun(
  run: Run,
  plan: LaunchPlan,
  deps: { vaccel?: VaccelOption; log: Logger },
): Promise<void> {
  const { driver } = plan;
  const log = deps.log.child({ run: run.id, runtime: run.runtime });
  const resourceName = `${resourcePrefix}${run.id}`;
  const teardown = new Teardown(log);
  const sampler = sampleFootprint(run, driver, resourceName);
  teardown.add("footprint sampler", () => sampler.stop());
  run.transition("preparing");
  let outcome: LaunchOutcome;
  try {
    const vaccel = deps.vaccel;
    let hostSocketPath: string | null = null;
    if (plan.vaccel && vaccel && "endpoints" in vaccel) {
      const endpoint = await vaccel.endpoints.open(resourceName, { agent: plan.vaccelAgent });
      teardown.add("vAccel socket", () => endpoint.close());
      run.mark("vaccelListening");
      hostSocketPath = endpoint.hostSocketPath;
    }
    const result = await driver.launch(
      {
        runId: run.id,
        resourceName,
        image: plan.image,
        command: run.command,
        limits: run.limits,
        fromPool: plan.fromPool,
        vaccel: hostSocketPath === null ? null : { hostSocketPath },
        session: plan.session,
      },
      {
        signal: run.controller.signal,
        mark: (phase, atEpochMs, clock) => run.mark(phase, atEpochMs, clock),
        enter: (state) => run.driverEntered(state),
        output: (bytes) => run.workloadOutput(bytes),
        console: (bytes) => run.consoleOutput(bytes),
        log,
      },
    );
    outcome = { exitCode: result.exitCode };
  } catch (error) {
    outcome = { error };
  }
  await teardown.run();
  run.mark("cleanedUp");
  const stopping = run.endReason;
  const failed = run.settle(outcome);
  if (failed && stopping)
    log.warn({ err: failed.logError, reason: stopping }, "runtime error while stopping a run");
  else if (failed) log.error({ err: failed.logError }, "run failed");
  log.info(
    { state: run.state, exitCode: run.snapshot().exitCode, timings: run.snapshot().timings },
    "run ended",
  );
}
