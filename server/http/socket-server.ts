// socket.io: the live side of runs. A client subscribes by run id; output is batched per run, then flushed before state changes.
import type { Server as HttpServer, IncomingHttpHeaders } from "node:http";
import { Server, type Socket } from "socket.io";
import {
  SubscribePayloadSchema,
  socketEvents,
  type LogChunk,
  type SubscribeAck,
} from "../../lib/api/schemas";
import type { SandboxEngine } from "../engine/engine";
import type { Run } from "../engine/run";
import type { Logger } from "../log/logger";
import { openRunAccess, type RunAccess } from "../runs/run-access";
import { findRun } from "../runs/run-routes";
import { onSocketEvent } from "./socket-handler";

/** Output is gathered for this long before it is sent, so a chatty sandbox costs few messages. */
const batchMs = 16;
const roomOf = (runId: string) => `run:${runId}`;
const subscribeEvent = {
  name: socketEvents.subscribe,
  schema: SubscribePayloadSchema,
  subject: "subscribe" as const,
  shape: "{runId: string}",
};
type SubscribeReply = Omit<Extract<SubscribeAck, { ok: true }>, "ok">;

/** A feature's socket.io handlers (presenter rooms, workshop dashboards), registered on every connection. */
export type SocketExtension = (socket: Socket, io: Server) => void;

export function attachSocketServer(
  httpServer: HttpServer,
  engine: SandboxEngine,
  log: Logger,
  extensions: SocketExtension[] = [],
  access: RunAccess = openRunAccess,
): Server {
  const io = new Server(httpServer, {
    serveClient: false,
    maxHttpBufferSize: 16 * 1024,
    cors: { origin: false },
  });

  engine.on("run", (run) => relayRun(io, run));

  io.on("connection", (socket: Socket) => {
    onSocketEvent(socket, subscribeEvent, log, ({ runId }, afterAck): SubscribeReply => {
      const run = findRun(engine, runId, (found) =>
        access.mayAccess(found.owner, credentialsOf(socket)),
      );
      // Backlog and live output go through the same room; the client drops overlap by offset.
      void socket.join(roomOf(run.id));
      afterAck(() => {
        for (const chunk of run.output.backlog())
          socket.emit(socketEvents.log, { runId: run.id, ...chunk } satisfies LogChunk);
      });
      return { run: run.snapshot() };
    });
    socket.on(socketEvents.unsubscribe, (payload: unknown) => {
      const parsed = SubscribePayloadSchema.safeParse(payload);
      if (parsed.success) void socket.leave(roomOf(parsed.data.runId));
    });
    for (const extend of extensions) extend(socket, io);
  });

  log.debug("socket.io attached");
  return io;
}

/** The handshake's cookies, and a facilitator token a page passed in `auth` (a browser cannot set headers on a websocket). */
export function credentialsOf(socket: Socket): IncomingHttpHeaders {
  const { headers, auth } = socket.handshake;
  const facilitatorToken = (auth as { facilitatorToken?: unknown } | undefined)?.facilitatorToken;
  return typeof facilitatorToken === "string" && facilitatorToken
    ? { ...headers, authorization: `Bearer ${facilitatorToken}` }
    : headers;
}

function relayRun(io: Server, run: Run): void {
  const room = roomOf(run.id);
  let pending: LogChunk | null = null;
  let timer: NodeJS.Timeout | null = null;

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (pending) io.to(room).emit(socketEvents.log, pending);
    pending = null;
  };

  const onOutput = (chunk: { offset: number; data: string }) => {
    if (pending) pending.data += chunk.data;
    else pending = { runId: run.id, offset: chunk.offset, data: chunk.data };
    timer ??= setTimeout(flush, batchMs);
  };
  const onChange = () => {
    flush();
    io.to(room).emit(socketEvents.state, { runId: run.id, run: run.snapshot() });
    if (run.finished) {
      run.off("output", onOutput);
      run.off("change", onChange);
    }
  };
  run.on("output", onOutput);
  run.on("change", onChange);
}
