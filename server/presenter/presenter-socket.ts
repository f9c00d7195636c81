// socket.io rooms for presentations: anyone with the id follows; only the token's holder moves the room.
import type { ErrorSubject } from "../errors/playground-error";
import type { z } from "zod";
import type { IncomingHttpHeaders } from "node:http";
import {
  JoinPayloadSchema,
  RunsPayloadSchema,
  StepPayloadSchema,
  TerminalsPayloadSchema,
  presenterEvents,
  type PresentationState,
} from "../../lib/api/presenter";
import type { SandboxEngine } from "../engine/engine";
import { onSocketEvent } from "../http/socket-handler";
import { credentialsOf, type SocketExtension } from "../http/socket-server";
import type { Logger } from "../log/logger";
import { terminalRoomOf } from "../sessions/terminal-socket";
import type { PresentationStore } from "./presentations";

export const presentationRoom = (id: string) => `presentation:${id}`;
/** The audience's own room beside the presentation's: its size is the count the presenter sees. */
const audienceRoom = (id: string) => `presentation-audience:${id}`;

export interface PresenterSocketContext {
  presentations: PresentationStore;
  engine: SandboxEngine;
  log: Logger;
  /** Whether the caller may type into this terminal: only a terminal of one's own session is mirrored. */
  ownsTerminal: (terminalId: string, headers: IncomingHttpHeaders) => boolean;
}

export function presenterSocket(ctx: PresenterSocketContext): SocketExtension {
  return (socket, io) => {
    const broadcast = (state: PresentationState) =>
      io.to(presentationRoom(state.id)).emit(presenterEvents.state, { state });
    const countAudience = (id: string) => {
      const following = io.sockets.adapter.rooms.get(audienceRoom(id))?.size ?? 0;
      io.to(presentationRoom(id)).emit(presenterEvents.audience, { id, following });
    };
    const followed = new Set<string>();
    /** Every presenter event is answered with the state it led to; a bad payload's code names the event. */
    const answer = <S extends z.ZodType>(
      name: Extract<ErrorSubject<"bad_request">, `presentation:${string}`>,
      schema: S,
      shape: string,
      act: (payload: z.infer<S>) => PresentationState,
    ) =>
      onSocketEvent(socket, { name, schema, subject: name, shape }, ctx.log, (payload) => ({
        state: act(payload),
      }));

    answer(presenterEvents.join, JoinPayloadSchema, "{id, audience?}", ({ id, audience }) => {
      const state = ctx.presentations.get(id);
      void socket.join(presentationRoom(id));
      if (audience) {
        void socket.join(audienceRoom(id));
        followed.add(id);
      }
      // After the ack: the joiner learns the count too.
      setImmediate(() => countAudience(id));
      return state;
    });

    socket.on(presenterEvents.leave, (payload: unknown) => {
      const parsed = JoinPayloadSchema.safeParse(payload);
      if (!parsed.success) return;
      const { id } = parsed.data;
      void socket.leave(presentationRoom(id));
      if (followed.delete(id)) {
        void socket.leave(audienceRoom(id));
        countAudience(id);
      }
    });
    // socket.io has already taken a closed socket out of its rooms when "disconnect" fires.
    socket.on("disconnect", () => {
      for (const id of followed) countAudience(id);
    });

    answer(
      presenterEvents.step,
      StepPayloadSchema,
      "{id, token, demo, step}",
      ({ id, token, demo, step }) => {
        const state = ctx.presentations.goTo(id, token, { demo, step });
        broadcast(state);
        return state;
      },
    );

    answer(
      presenterEvents.runs,
      RunsPayloadSchema,
      "{id, token, runIds}",
      ({ id, token, runIds }) => {
        const state = ctx.presentations.announceRuns(id, token, runIds, (runId) =>
          Boolean(ctx.engine.getRun(runId)),
        );
        broadcast(state);
        return state;
      },
    );

    answer(
      presenterEvents.terminals,
      TerminalsPayloadSchema,
      "{id, token, terminalIds}",
      ({ id, token, terminalIds }) => {
        const headers = credentialsOf(socket);
        const before = ctx.presentations.get(id).terminals;
        const state = ctx.presentations.announceTerminals(id, token, terminalIds, (terminalId) =>
          ctx.ownsTerminal(terminalId, headers),
        );
        // A terminal taken back stops reaching the audience at once, not only new followers.
        for (const terminalId of before.filter((t) => !state.terminals.includes(t)))
          io.in(audienceRoom(id)).socketsLeave(terminalRoomOf(terminalId));
        broadcast(state);
        return state;
      },
    );
  };
}
