// Wires the engine to this host: drivers, images, limits from config.
import path from "node:path";
import type { Config } from "../config/env";
import { SandboxEngine } from "../engine/engine";
import { ImageStore } from "../images/image-store";
import { ImageMounts } from "../images/image-mounts";
import type { Logger } from "../log/logger";
import { GvisorDriver } from "../runtimes/gvisor";
import { RuncDriver } from "../runtimes/runc";

/**
 * Every sandbox's cgroup lives under one parent per state folder, in each hierarchy: a server reaps
 * only its own leftovers, never the sandboxes of another playground (or test) on the same host.
 */
export function cgroupParentFor(stateDir: string): string {
  return `/sandbox-playground/${path.basename(stateDir)}`;
}

export function createEngine(
  config: Config,
  log: Logger,
): { engine: SandboxEngine; images: ImageStore; mounts: ImageMounts; cgroupParent: string } {
  const mounts = new ImageMounts(path.join(config.stateDir, "images"));
  const images = new ImageStore(config.cacheDir, mounts);
  const cgroupParent = cgroupParentFor(config.stateDir);
  const drivers = [
    new RuncDriver({ binary: config.runcPath, stateDir: config.stateDir, cgroupParent }),
    new GvisorDriver({
      binary: config.runscPath,
      stateDir: config.stateDir,
      cgroupParent,
      platform: config.gvisorPlatform,
      probeImage: () => images.resolve("busybox"),
    }),
  ];
  const engine = new SandboxEngine({
    drivers,
    images,
    limits: config.limits,
    retention: config.retention,
    log,
  });
  return { engine, images, mounts, cgroupParent };
}
