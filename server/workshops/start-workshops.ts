// Workshop mode's wiring: the database in the data folder, the service, its routes, run access, and the expiry sweep.
import type { IncomingHttpHeaders } from "node:http";
import type { Config } from "../config/env";
import type { SandboxEngine } from "../engine/engine";
import type { ApiRoute } from "../http/api-router";
import type { RunAccess } from "../runs/run-access";
import type { Logger } from "../log/logger";
import type { SessionManager } from "../sessions/session-manager";
import { openWorkshopDb, type WorkshopDb } from "./workshop-db";
import { workshopRoutes } from "./workshop-routes";
import { workshopRunAccess } from "./workshop-run-access";
import { attendeeOwner, WorkshopService, type Attendee } from "./workshop-service";
import { attendeeTokenOf } from "./cookies";

export interface Workshops {
  routes: ApiRoute[];
  access: RunAccess;
  /** The attendee a request's cookie names, with the owner their sandboxes carry (labs key progress by it). */
  attendeeOf(headers: IncomingHttpHeaders): (Attendee & { owner: string }) | null;
  /** The workshop a facilitator token steers, or null. */
  workshopOfFacilitatorToken(facilitatorToken: string): string | null;
  /** The data folder's database: features that keep rows of their own (labs) share its file. */
  db: WorkshopDb;
  /** Called for each workshop that ends (its facilitator ended it, or it expired). */
  onEnded(listener: (workshopId: string) => void): void;
  /** Call after the engine has stopped its runs: their ends are still recorded. */
  close(): void;
}

export function startWorkshops(options: {
  config: Config;
  engine: SandboxEngine;
  sessions: SessionManager;
  log: Logger;
}): Workshops {
  const { config, engine, sessions } = options;
  const log = options.log.child({ feature: "workshops" });
  const db = openWorkshopDb(config.dataDir);
  const endedListeners: Array<(workshopId: string) => void> = [];
  const service = new WorkshopService(db, {
    ended: (workshopId) => {
      for (const listener of endedListeners) listener(workshopId);
    },
    hostLimits: engine.limits,
    maxOpenWorkshops: config.maxOpenWorkshops,
    maxOpenWorkshopsPerCreator: config.maxOpenWorkshopsPerClient,
    maxOpenWorkshopsPerAddress: config.maxOpenWorkshopsPerAddress,
    runs: {
      stateOf: (id) => engine.getRun(id)?.state ?? null,
      async stop(id) {
        if (engine.getRun(id)) await engine.stopRun(id);
      },
    },
    sessions: {
      control: {
        liveOwnedBy: (owner) => sessions.liveOwnedBy(owner).map((s) => s.snapshot()),
        ownerOf: (id) => sessions.get(id)?.owner ?? null,
        async end(id) {
          const session = sessions.get(id);
          if (session) await sessions.end(session, "deleted");
        },
      },
      lifetimeMs: config.sessions.lifetimeMs,
      maxLifetimeMs: config.sessions.maxLifetimeMs,
    },
  });
  const stale = service.endStaleRuns();
  if (stale) log.info({ runs: stale }, "attendee runs from before the restart recorded as ended");

  let sweeping = false;
  let closed = false;
  const sweep = setInterval(() => {
    if (sweeping || closed) return;
    sweeping = true;
    service
      .endExpired()
      .then((ended) => {
        if (ended) log.info({ workshops: ended }, "expired workshops ended");
      })
      .catch((err: unknown) => log.error({ err }, "ending expired workshops failed"))
      .finally(() => {
        sweeping = false;
      });
  }, config.workshopSweepMs);
  sweep.unref();

  return {
    routes: workshopRoutes({ service, engine }),
    access: workshopRunAccess(service),
    attendeeOf(headers) {
      const token = attendeeTokenOf(headers);
      const attendee = token ? service.attendeeByToken(token) : null;
      return attendee && { ...attendee, owner: attendeeOwner(attendee.workshopId, attendee.id) };
    },
    workshopOfFacilitatorToken: (facilitatorToken) =>
      service.workshopOfFacilitatorToken(facilitatorToken),
    db,
    onEnded: (listener) => endedListeners.push(listener),
    close() {
      closed = true;
      clearInterval(sweep);
      db.close();
    },
  };
}
