// The composition root: takes the state folder, starts the engine, the vAccel agent and every feature, and wires
// their routes and socket handlers into one HTTP server (http/ is transport only). Started by main.ts and tests.
import fs from "node:fs/promises";
import type { AddressInfo } from "node:net";
import type { Config } from "./config/env";
import type { Logger } from "./log/logger";
import { createEngine } from "./create-engine";
import { acquireInstanceLock, type InstanceLock } from "./instance/instance-lock";
import { portTakenError } from "./instance/port-taken";
import { configureCgroupParent, reapCgroups, removeCgroupParent } from "./runtimes/cgroups";
import { createApiRouter } from "./http/api-router";
import { createHttpServer, type PageHandler } from "./http/http-server";
import { runRoutes } from "./runs/run-routes";
import { createLaunchPolicy } from "./runs/launch-policy";
import { handleFunction } from "./functions/function-gateway";
import { knativeRoutes } from "./functions/knative-routes";
import { attachSocketServer } from "./http/socket-server";
import type { SandboxEngine } from "./engine/engine";
import { startHostAgent } from "./vaccel/host-agent";
import { vaccelRoutes } from "./vaccel/vaccel-routes";
import { startWorkshops } from "./workshops/start-workshops";
import { recordingRoutes } from "./recordings/recording-routes";
import { PresentationStore, defaultPresentationLimits } from "./presenter/presentations";
import { presentationFile } from "./presenter/presentation-file";
import { presenterRoutes } from "./presenter/presenter-routes";
import { presenterSocket } from "./presenter/presenter-socket";
import { loadTracks } from "../lib/demos/load-tracks";
import { SessionManager } from "./sessions/session-manager";
import { sessionRoutes } from "./sessions/session-routes";
import { terminalSocket } from "./sessions/terminal-socket";
import { terminalRole } from "./sessions/session-access";
import { startLabs } from "./labs/start-labs";

export type { PageHandler } from "./http/http-server";

export interface PlaygroundServer {
  engine: SandboxEngine;
  url: string;
  close(): Promise<void>;
}

/**
 * Refuses (conflict:state_dir) while another live process owns the state folder, and (conflict:port) when a
 * port is taken; either way nothing on the host is changed, or what was started is undone.
 */
export async function startPlaygroundServer(
  config: Config,
  log: Logger,
  pages: PageHandler | null,
): Promise<PlaygroundServer> {
  await fs.mkdir(config.stateDir, { recursive: true });
  // First, before anything touches the folder: a second instance on it would reap the first one's sandboxes.
  const lock = await acquireInstanceLock({
    stateDir: config.stateDir,
    port: config.port || null,
    vaccelAddress: config.vaccel.enabled ? config.vaccel.address : null,
  });
  const undoStart: StartSteps = [() => lock.release()];
  try {
    return await startOnLockedFolder(config, log, pages, lock, undoStart);
  } catch (err) {
    for (const undo of undoStart.reverse())
      await undo().catch((cause: unknown) =>
        log.warn({ err: cause }, "undoing a failed start left something behind"),
      );
    throw err;
  }
}

/** What a start has set up so far, undone in reverse if it fails, so the process leaves the host as it was. */
type StartSteps = Array<() => Promise<unknown>>;

async function startOnLockedFolder(
  config: Config,
  log: Logger,
  pages: PageHandler | null,
  lock: InstanceLock,
  undoStart: StartSteps,
): Promise<PlaygroundServer> {
  // Sandboxes run as a mapped, unprivileged host user: it must be able to walk into the state folder
  // (to reach the image mounts), though not to list it.
  await fs.chmod(config.stateDir, 0o711);
  const vaccel = config.vaccel.enabled
    ? await startHostAgent({
        address: config.vaccel.address,
        hostAgentAddress: config.vaccel.hostAgentAddress,
        stateDir: config.stateDir,
        log,
      })
    : null;
  if (vaccel) undoStart.push(() => vaccel.close());
  const { engine, images, mounts, cgroupParent, vmsCgroup, containerd, kubernetes } = createEngine(
    config,
    log,
    vaccel?.endpoints ?? null,
  );
  // Knative on the first cluster only: one serverless page, one cluster's Knative Services (docs/kubernetes.md).
  const knative = kubernetes[0]?.knative ?? null;
  undoStart.push(
    () => removeCgroupParent(cgroupParent),
    () => removeCgroupParent(vmsCgroup),
    () => mounts.close(),
    () => containerd.close(),
    () => engine.shutdown(),
  );
  if (lock.tookOver)
    log.warn({ previous: lock.tookOver }, "the state folder's owner is gone; taking it over");
  const reaped = [
    ...(await engine.reapLeftovers()),
    ...(await reapCgroups(cgroupParent, () => false)),
    ...(await mounts.release()),
  ];
  if (reaped.length) log.warn({ reaped }, "removed what an earlier process left behind");
  await configureCgroupParent(cgroupParent, config.sandboxesCpu).catch((err: unknown) =>
    log.warn({ err, cgroupParent }, "the sandboxes' parent cgroup keeps its default CPU share"),
  );

  const presentations = new PresentationStore(
    defaultPresentationLimits,
    Date.now,
    presentationFile(config.dataDir, (reason, file) =>
      log.warn({ reason, file }, "presentations file unreadable; set aside, starting with none"),
    ),
  );
  const sessions = new SessionManager({
    engine,
    images,
    hostLimits: config.limits,
    limits: config.sessions,
    log: log.child({ feature: "sessions" }),
  });
  undoStart.push(() => sessions.shutdown());
  const workshops = startWorkshops({ config, engine, sessions, log });
  undoStart.push(async () => workshops.close());
  // Every sandbox launch (runs, vAccel runs, presenter runs, functions) goes through this one policy.
  const policy = createLaunchPolicy({
    engine,
    access: workshops.access,
    maxActiveRunsPerAddress: config.maxActiveRunsPerAddress,
    sessions,
  });
  const labs = startLabs({ config, sessions, policy, workshops, log });
  const { trustedProxies } = config;
  // Each feature adds its own route table here.
  const api = createApiRouter({
    log,
    maxBodyBytes: config.maxBodyBytes,
    trustedProxies,
    routes: [
      ...runRoutes({
        engine,
        images,
        vaccel: vaccel && (() => vaccel.status()),
        policy,
        visitors: {
          maxActiveRunsPerAddress: config.maxActiveRunsPerAddress,
          maxOpenWorkshopsPerVisitor: config.maxOpenWorkshopsPerClient,
          maxOpenWorkshopsPerAddress: config.maxOpenWorkshopsPerAddress,
          maxPresentationsPerVisitor: defaultPresentationLimits.maxPerVisitor,
          maxPresentationsPerAddress: defaultPresentationLimits.maxPerAddress,
          trustedProxies: [...trustedProxies.entries],
        },
      }),
      ...sessionRoutes({ sessions, policy }),
      ...labs.routes,
      ...workshops.routes,
      ...recordingRoutes({ engine, access: workshops.access }),
      ...presenterRoutes({ presentations, loadTracks: () => loadTracks() }),
      ...vaccelRoutes({ models: vaccel?.models, multiplier: vaccel?.multiplier }),
      ...knativeRoutes(knative),
    ],
  });

  const server = createHttpServer({
    api,
    raw: [(req, res) => handleFunction({ engine, knative, policy, trustedProxies, log }, req, res)],
    pages,
    log,
  });
  const io = attachSocketServer(
    server,
    engine,
    log,
    [
      presenterSocket({
        presentations,
        engine,
        log,
        ownsTerminal: (terminalId, headers) =>
          terminalRole(sessions, terminalId, headers, workshops.access) === "use",
      }),
      terminalSocket({
        sessions,
        access: workshops.access,
        mirrored: (terminalId) => presentations.mirrors(terminalId),
        log,
      }),
      labs.socket,
    ],
    workshops.access,
  );
  labs.relay(io);
  undoStart.push(() => new Promise((resolve) => io.close(resolve)));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  }).catch((err: unknown) => {
    throw portTakenError(
      err,
      "The playground",
      `${config.host}:${config.port}`,
      "Set PORT to a free port (PORT=0 picks one).",
    );
  });
  const address = server.address() as AddressInfo;
  await lock.update({ port: address.port });

  // Probe runtimes now so the first visitor does not wait for the gVisor platform probe; only once
  // listening, so that a start refused for its port launches no probe sandbox.
  void engine
    .runtimes()
    .then((runtimes) =>
      log.info(
        {
          runtimes: runtimes.map(
            (r) => `${r.id}:${r.available ? r.version : `unavailable (${r.reason})`}`,
          ),
        },
        "runtimes",
      ),
    )
    .catch((err: unknown) => log.warn({ err }, "probing the runtimes failed"));
  // Then what the drivers keep ready ahead of visitors: the microVM's snapshot and warm pool.
  void engine
    .startDrivers()
    .catch((err: unknown) => log.warn({ err }, "starting the drivers' warm pools failed"));
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host === "0.0.0.0" || host === "[::]" ? "127.0.0.1" : host}:${address.port}`;

  let closing: Promise<void> | null = null;
  return {
    engine,
    url,
    close() {
      closing ??= (async () => {
        await sessions.shutdown();
        await engine.shutdown();
        workshops.close();
        await vaccel?.close();
        await containerd.close();
        await mounts.close();
        await removeCgroupParent(cgroupParent);
        await removeCgroupParent(vmsCgroup);
        await new Promise<void>((resolve) => io.close(() => resolve()));
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await lock.release();
      })();
      return closing;
    },
  };
}
