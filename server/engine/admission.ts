// Admission: checks a launch request against the host (runtime, image, vAccel, limits, quotas) before a run exists.
import type { HostLimits } from "../config/env";
import { PlaygroundError } from "../errors/playground-error";
import type { ImageRef, ImageStore } from "../images/image-store";
import type { SandboxDriver, SandboxLimits, VaccelEndpoints } from "./driver";
import type { LaunchRequest } from "./engine";
import { resolveRunLimits } from "./run-limits";

/** What an admitted run will launch with; it travels with the run through the queue to the driver. */
export interface LaunchPlan {
  driver: SandboxDriver;
  image: ImageRef;
  limits: SandboxLimits;
  fromPool: boolean;
  vaccel: boolean;
  vaccelAgent: "playground" | "host";
  session: { resourceName: string } | null;
}

export type VaccelOption = { endpoints: VaccelEndpoints } | { unavailable: string } | undefined;

/** The host as admission sees it; counts are read after the awaits, when they are current. */
export interface AdmissionHost {
  closing: boolean;
  /** The host's drivers and those a backend elsewhere offers now (a cluster's RuntimeClasses). */
  driverOf(id: string): Promise<SandboxDriver | undefined>;
  images: ImageStore;
  limits: HostLimits;
  vaccel: VaccelOption;
  /** Runs of this client running or queued. */
  runsOf(clientId: string): number;
  /** Runs taking the slots a run on `driver` would take, and how many there are (the host's, or its source's). */
  capacity: (driver: SandboxDriver) => { running: number; max: number };
  queued: () => number;
}

/** Throws a PlaygroundError naming what is wrong; changes nothing. */
export async function admitLaunch(
  request: LaunchRequest,
  host: AdmissionHost,
): Promise<LaunchPlan> {
  if (host.closing)
    throw new PlaygroundError(
      "unavailable",
      "host",
      "The host is shutting down; try again in a moment.",
    );
  const driver = await host.driverOf(request.runtime);
  if (!driver) {
    throw new PlaygroundError(
      "not_found",
      "runtime",
      `Unknown runtime "${request.runtime}". GET /api/runtimes lists them.`,
    );
  }
  if (!host.images.isKnown(request.image)) {
    throw new PlaygroundError("not_found", "image", `Unknown image "${request.image}".`);
  }
  const availability = await driver.probe();
  if (!availability.available) {
    throw new PlaygroundError(
      "unavailable",
      "runtime",
      `${driver.name} is not available on this host: ${availability.reason}`,
    );
  }
  if (request.vaccel) checkVaccel(driver, host.vaccel);
  const image = await host.images.resolve(request.image);
  if (!image) {
    throw new PlaygroundError(
      "unavailable",
      "image",
      `The ${request.image} image is not built on this host: run \`npm run setup\`.`,
    );
  }
  const { limits } = host;
  const mine = host.runsOf(request.clientId);
  if (mine >= limits.maxActiveRunsPerClient) {
    throw new PlaygroundError(
      "quota",
      "runs_per_client",
      `You already have ${mine} sandboxes running or queued (limit ${limits.maxActiveRunsPerClient}); wait for one to finish or stop one.`,
    );
  }
  const { running, max } = host.capacity(driver);
  const mustQueue = running >= max;
  if (mustQueue && host.queued() >= limits.maxQueuedRuns) {
    throw new PlaygroundError(
      "quota",
      "host_full",
      `The host is full (${host.queued()} runs waiting); try again shortly.`,
    );
  }
  return {
    driver,
    image,
    limits: resolveRunLimits(request, limits),
    fromPool: request.pool ?? false,
    vaccel: request.vaccel ?? false,
    vaccelAgent: request.vaccelAgent ?? "playground",
    session: request.session ?? null,
  };
}

function checkVaccel(driver: SandboxDriver, vaccel: VaccelOption): void {
  if (!vaccel || "unavailable" in vaccel) {
    throw new PlaygroundError(
      "unavailable",
      "vaccel",
      `This run asks for vAccel, but ${vaccel?.unavailable ?? "this host runs no vAccel agent"}.`,
    );
  }
  if (!driver.vaccelTransport) {
    throw new PlaygroundError(
      "unavailable",
      "vaccel",
      `${driver.name} cannot connect a sandbox to the vAccel agent yet; use runc, gVisor or the microVM.`,
    );
  }
}
