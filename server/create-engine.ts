// Wires the engine to this host: drivers, images, limits from config.
import path from "node:path";
import type { Config } from "./config/env";
import type { VaccelEndpoints } from "./engine/driver";
import { SandboxEngine } from "./engine/engine";
import { ImageStore } from "./images/image-store";
import { ImageMounts } from "./images/image-mounts";
import type { Logger } from "./log/logger";
import { GvisorDriver } from "./runtimes/gvisor";
import { RuncDriver } from "./runtimes/runc";
import { maxMicrovmTerminalPorts, MicrovmDriver } from "./runtimes/microvm/microvm-driver";
import { ContainerdDaemon } from "./runtimes/containerd/containerd-daemon";
import { ContainerdImageImporter } from "./runtimes/containerd/containerd-images";
import { ContainerdRuncDriver } from "./runtimes/containerd/containerd-runc";
import { createKataDrivers } from "./runtimes/containerd/kata";
import { createKubernetesBackend } from "./runtimes/kubernetes/create-kubernetes-backend";
import type { KubernetesBackend } from "./runtimes/kubernetes/kubernetes-backend";
import { cgroupParentFor, vmsCgroupFor } from "./instance/cgroup-parents";

export interface HostEngine {
  engine: SandboxEngine;
  images: ImageStore;
  mounts: ImageMounts;
  cgroupParent: string;
  /** The microVMs' group (vmsCgroupFor), removed with the server like the sandboxes' parent. */
  vmsCgroup: string;
  /** The playground's own containerd (started on first use), stopped with the server. */
  containerd: ContainerdDaemon;
  /** A backend per cluster the site fronts (SBPG_KUBECONFIG, or SBPG_K8S_CLUSTERS); the first one's Knative serves /serverless. */
  kubernetes: KubernetesBackend[];
}

/** vaccel: the agent's per-run sockets; null when SBPG_VACCEL=off. */
export function createEngine(
  config: Config,
  log: Logger,
  vaccel: VaccelEndpoints | null = null,
): HostEngine {
  const mounts = new ImageMounts(path.join(config.stateDir, "images"));
  const images = new ImageStore(config.cacheDir, mounts);
  const cgroupParent = cgroupParentFor(config.stateDir);
  const containerd = new ContainerdDaemon({
    containerdBinary: config.containerd.binary,
    ctrBinary: config.containerd.ctr,
    stateDir: config.stateDir,
    address: config.containerd.address,
    namespace: config.containerd.namespace,
    logLevel: config.containerd.logLevel,
    log,
  });
  const containerdImages = new ContainerdImageImporter(containerd);
  const drivers = [
    new RuncDriver({ binary: config.runcPath, stateDir: config.stateDir, cgroupParent }),
    new GvisorDriver({
      binary: config.runscPath,
      stateDir: config.stateDir,
      cgroupParent,
      platform: config.gvisorPlatform,
      probeImage: () => images.resolve("busybox"),
    }),
    new MicrovmDriver({
      qemuBinary: config.qemuPath,
      stateDir: config.stateDir,
      cacheDir: config.cacheDir,
      vmsCgroup: { path: vmsCgroupFor(config.stateDir), ...config.microvmsCpu },
      accel: config.microvmAccel,
      probeImage: () => images.resolve("busybox"),
      snapshot: config.microvmSnapshot
        ? {
            memoryBytes: config.limits.memoryBytes,
            terminalPorts: config.microvmSnapshotTerminals,
            log: log.child({ runtime: "microvm", snapshot: true }),
          }
        : undefined,
      pool: {
        size: config.microvmPoolSize,
        max: config.microvmPoolMax,
        memoryBudgetBytes: config.microvmPoolMemoryBytes,
        image: () => images.resolve("busybox"),
        memoryBytes: config.limits.memoryBytes,
        tmpfsBytes: config.limits.tmpfsBytes,
        log: log.child({ runtime: "microvm", pool: true }),
      },
      sessions: {
        terminals: Math.min(config.sessions.maxTerminalsPerSession, maxMicrovmTerminalPorts),
        log: log.child({ runtime: "microvm", feature: "sessions" }),
      },
    }),
    new ContainerdRuncDriver({
      daemon: containerd,
      images: containerdImages,
      cgroupParent,
      probeImage: () => images.resolve("busybox"),
    }),
    ...createKataDrivers({ daemon: containerd, images: containerdImages, cgroupParent }),
  ];
  const kubernetes = config.kubernetes.map((cluster) =>
    createKubernetesBackend(cluster, config.stateDir, config.limits, log),
  );
  const engine = new SandboxEngine({
    drivers,
    sources: kubernetes,
    images,
    limits: config.limits,
    retention: config.retention,
    vaccel: vaccel
      ? { endpoints: vaccel }
      : { unavailable: "the host's vAccel agent is off (SBPG_VACCEL=off)" },
    log,
  });
  return {
    engine,
    images,
    mounts,
    cgroupParent,
    vmsCgroup: vmsCgroupFor(config.stateDir),
    containerd,
    kubernetes,
  };
}
