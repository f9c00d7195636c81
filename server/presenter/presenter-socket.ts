// socket.io rooms for presentations: anyone with the id follows; only the token's holder moves the room.
import type { Socket } from "socket.io";
import type { z } from "zod";
import {
  JoinPayloadSchema,
  RunsPayloadSchema,
  StepPayloadSchema,
  presenterEvents,
  type PresentationAck,
  type PresentationState,
} from "../../lib/api/presenter";
import type { SandboxEngine } from "../engine/engine";
import { asPlaygroundError } from "../errors/playground-error";
import type { SocketExtension } from "../http/socket-server";
import type { Logger } from "../log/logger";
import type { PresentationStore } from "./presentations";

export const presentationRoom = (id: string) => `presentation:${id}`;
/** The audience's own room beside the presentation's: its size is the count the presenter sees. */
const audienceRoom = (id: string) => `presentation-audience:${id}`;

export interface PresenterSocketContext {
  presentations: PresentationStore;
  engine: SandboxEngine;
  log: Logger;
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

    handle(
      socket,
      presenterEvents.join,
      JoinPayloadSchema,
      "{id, audience?}",
      ctx,
      ({ id, audience }) => {
        const state = ctx.presentations.get(id);
        void socket.join(presentationRoom(id));
        if (audience) {
          void socket.join(audienceRoom(id));
          followed.add(id);
        }
        // After the ack: the joiner learns the count too.
        setImmediate(() => countAudience(id));
        return state;
      },
    );

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

    handle(
      socket,
      presenterEvents.step,
      StepPayloadSchema,
      "{id, token, demo, step}",
      ctx,
      ({ id, token, demo, step }) => {
        const state = ctx.presentations.goTo(id, token, { demo, step });
        broadcast(state);
        return state;
      },
    );

    handle(
      socket,
      presenterEvents.runs,
      RunsPayloadSchema,
      "{id, token, runIds}",
      ctx,
      ({ id, token, runIds }) => {
        const state = ctx.presentations.announceRuns(id, token, runIds, (runId) =>
          Boolean(ctx.engine.getRun(runId)),
        );
        broadcast(state);
        return state;
      },
    );
  };
}

/** One event: payload checked with its schema, the outcome (state or error) through the ack. */
function handle<T extends z.ZodType>(
  socket: Socket,
  event: string,
  schema: T,
  shape: string,
  ctx: PresenterSocketContext,
  act: (payload: z.infer<T>) => PresentationState,
): void {
  socket.on(event, (payload: unknown, ack: unknown) => {
    const reply = (answer: PresentationAck) =>
      typeof ack === "function" ? ack(answer) : undefined;
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? ` (${issue.path.join(".")}: ${issue.message})` : "";
      reply({
        ok: false,
        error: { code: `bad_request:${event}`, message: `${event} takes ${shape}${where}.` },
      });
      return;
    }
    try {
      reply({ ok: true, state: act(parsed.data) });
    } catch (err) {
      const error = asPlaygroundError(err);
      if (error.status >= 500) ctx.log.error({ err, event }, "presenter event failed");
      reply({ ok: false, error: { code: error.code, message: error.message } });
    }
  });
}
