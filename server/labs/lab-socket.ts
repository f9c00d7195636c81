// socket.io for workshop labs: the facilitator watches the lab board live and reveals solutions; attendees follow the reveals.
import type { IncomingHttpHeaders } from "node:http";
import {
  LabFollowSchema,
  LabRevealRequestSchema,
  LabWatchSchema,
  labEvents,
} from "../../lib/api/labs";
import { PlaygroundError } from "../errors/playground-error";
import { onSocketEvent } from "../http/socket-handler";
import { credentialsOf, type SocketExtension } from "../http/socket-server";
import type { Logger } from "../log/logger";
import { bearerTokenOf } from "../workshops/cookies";
import type { LabBoard } from "./lab-board";

const boardRoom = (workshopId: string) => `lab-board:${workshopId}`;
const attendeesRoom = (workshopId: string) => `lab-attendees:${workshopId}`;

export interface LabSocketContext {
  board: LabBoard;
  /** The workshop of an attendee cookie in these headers, or null. */
  workshopOfAttendee(headers: IncomingHttpHeaders): string | null;
  workshopOfFacilitatorToken(facilitatorToken: string): string | null;
  log: Logger;
}

/** Relays the board's changes to the rooms; called once per server, not per connection. */
export function relayLabBoard(
  board: LabBoard,
  io: { to(room: string): { emit(event: string, payload: unknown): unknown } },
) {
  board.on("entry", (workshopId, entry) =>
    io.to(boardRoom(workshopId)).emit(labEvents.entry, { entry }),
  );
  board.on("reveal", (workshopId, reveal) =>
    io.to(attendeesRoom(workshopId)).emit(labEvents.revealed, { reveal }),
  );
}

export function labSocket(ctx: LabSocketContext): SocketExtension {
  return (socket) => {
    /** Only the workshop's own facilitator token, from the handshake, steers its board. */
    const facilitatorOf = (workshopId: string) => {
      const token = bearerTokenOf(credentialsOf(socket));
      if (!token)
        throw new PlaygroundError(
          "unauthorized",
          "facilitator",
          "The lab board needs the facilitator token.",
        );
      if (ctx.workshopOfFacilitatorToken(token) !== workshopId)
        throw new PlaygroundError(
          "forbidden",
          "facilitator",
          "This facilitator token does not steer that workshop.",
        );
    };

    onSocketEvent(
      socket,
      {
        name: labEvents.watch,
        schema: LabWatchSchema,
        subject: "lab:watch",
        shape: "{workshopId}",
      },
      ctx.log,
      ({ workshopId }) => {
        facilitatorOf(workshopId);
        void socket.join(boardRoom(workshopId));
        return { entries: ctx.board.entries(workshopId), revealed: ctx.board.revealed(workshopId) };
      },
    );

    onSocketEvent(
      socket,
      {
        name: labEvents.reveal,
        schema: LabRevealRequestSchema,
        subject: "lab:reveal",
        shape: "{workshopId, demo, step}",
      },
      ctx.log,
      ({ workshopId, demo, step }) => {
        facilitatorOf(workshopId);
        ctx.board.reveal(workshopId, { demo, step });
        return { revealed: ctx.board.revealed(workshopId) };
      },
    );

    onSocketEvent(
      socket,
      { name: labEvents.follow, schema: LabFollowSchema, subject: "lab:follow", shape: "{}" },
      ctx.log,
      () => {
        const workshopId = ctx.workshopOfAttendee(socket.handshake.headers);
        if (!workshopId)
          throw new PlaygroundError(
            "unauthorized",
            "attendee",
            "Only a workshop's attendees follow its reveals.",
          );
        void socket.join(attendeesRoom(workshopId));
        return { revealed: ctx.board.revealed(workshopId) };
      },
    );
  };
}
