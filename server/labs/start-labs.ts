// Labs' wiring: the service that keeps progress and runs checks, the workshop board it feeds, routes and socket handlers.
import type { Server } from "socket.io";
import type { Config } from "../config/env";
import type { ApiRoute } from "../http/api-router";
import type { SocketExtension } from "../http/socket-server";
import type { Logger } from "../log/logger";
import type { LaunchPolicy } from "../runs/launch-policy";
import type { SessionManager } from "../sessions/session-manager";
import type { Workshops } from "../workshops/start-workshops";
import { loadDemo } from "../../lib/demos/load-demos";
import { LabBoard } from "./lab-board";
import { labRoutes } from "./lab-routes";
import { LabService } from "./lab-service";
import { SqliteLabStore } from "./lab-store";

/** Progress no one touched for this long is forgotten at start. */
const progressKeptMs = 30 * 24 * 60 * 60_000;
import { labSocket, relayLabBoard } from "./lab-socket";

export interface Labs {
  routes: ApiRoute[];
  socket: SocketExtension;
  /** Sends the board's changes to the facilitator's and the attendees' rooms once the socket server exists. */
  relay(io: Server): void;
}

export function startLabs(options: {
  config: Config;
  sessions: SessionManager;
  policy: LaunchPolicy;
  workshops: Pick<
    Workshops,
    "access" | "attendeeOf" | "workshopOfFacilitatorToken" | "db" | "onEnded"
  >;
  log: Logger;
}): Labs {
  const { config, sessions, policy, workshops } = options;
  const log = options.log.child({ feature: "labs" });
  // Progress, boards and reveals outlive a restart, in the data folder's database.
  const store = new SqliteLabStore(workshops.db);
  const pruned = store.pruneProgress(Date.now() - progressKeptMs);
  if (pruned) log.info({ labs: pruned }, "lab progress untouched for 30 days forgotten");
  // Checks run in the caller's own sessions through the same policy as every other command.
  const service = new LabService({
    sessions,
    policy,
    access: workshops.access,
    loadDemo: (slug) => loadDemo(slug),
    log,
    checkTimeoutMs: config.labs.checkTimeoutMs,
    store,
  });
  const board = new LabBoard(store);
  // An attendee's progress goes to their facilitator's board as it changes: a check's start and end, a step opened.
  service.on("progress", (caller, progress, demo) => {
    if (!caller.attendee) return;
    try {
      board.record(caller.attendee, demo, progress);
    } catch (err) {
      log.error({ err, demo: demo.slug }, "the lab board could not be saved");
    }
  });
  // An ended workshop's board and reveals go with it; its attendees' own progress stays theirs.
  workshops.onEnded((workshopId) => board.forget(workshopId));
  const attendeeOf: Parameters<typeof labRoutes>[0]["attendeeOf"] = (headers) => {
    const attendee = workshops.attendeeOf(headers);
    return (
      attendee && {
        workshopId: attendee.workshopId,
        attendeeId: attendee.id,
        name: attendee.name,
        owner: attendee.owner,
      }
    );
  };
  return {
    routes: labRoutes({ labs: service, attendeeOf }),
    socket: labSocket({
      board,
      workshopOfAttendee: (headers) => workshops.attendeeOf(headers)?.workshopId ?? null,
      workshopOfFacilitatorToken: (token) => workshops.workshopOfFacilitatorToken(token),
      log,
    }),
    relay: (io) => relayLabBoard(board, io),
  };
}
