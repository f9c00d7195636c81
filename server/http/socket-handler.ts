// One way to answer a socket.io event: the payload checked with its schema, the outcome through the ack,
// every failure a PlaygroundError as the HTTP API would send it.
import type { Socket } from "socket.io";
import type { z } from "zod";
import { asPlaygroundError, badRequest, type ErrorSubject } from "../errors/playground-error";
import type { Logger } from "../log/logger";

export interface SocketEvent<S extends z.ZodType> {
  name: string;
  schema: S;
  /** The subject of the code a payload that fails the schema gets: "bad_request:<subject>". */
  subject: ErrorSubject<"bad_request">;
  /** The payload's shape in words, for the one who sent a bad one: "{runId}". */
  shape: string;
}

export type SocketAck<R extends object> =
  ({ ok: true } & R) | { ok: false; error: { code: string; message: string } };

/** Queues work for after the ack has gone out (a backlog the client reads only once it knows the subject). */
export type AfterAck = (work: () => void) => void;

/**
 * Registers one event on one socket. `act` returns the ack's fields (or a promise of them) or throws; a
 * synchronous `act` is answered at once, so what it queues with `afterAck` follows the ack on the wire.
 */
export function onSocketEvent<S extends z.ZodType, R extends object>(
  socket: Socket,
  event: SocketEvent<S>,
  log: Logger,
  act: (payload: z.infer<S>, afterAck: AfterAck) => R | Promise<R>,
): void {
  socket.on(event.name, (payload: unknown, ack: unknown) => {
    const queued: Array<() => void> = [];
    const reply = (answer: SocketAck<R>) => {
      if (typeof ack === "function") (ack as (answer: SocketAck<R>) => void)(answer);
      for (const work of queued.splice(0)) work();
    };
    const fail = (err: unknown) => {
      queued.length = 0;
      const error = asPlaygroundError(err);
      if (error.status >= 500) log.error({ err, event: event.name }, "socket event failed");
      reply({ ok: false, error: { code: error.code, message: error.message } });
    };
    const succeed = (result: R) => reply({ ok: true, ...result });
    try {
      const parsed = event.schema.safeParse(payload);
      if (!parsed.success)
        throw badRequest(parsed.error, `${event.name} (it takes ${event.shape})`, event.subject);
      const result = act(parsed.data, (work) => queued.push(work));
      if (result instanceof Promise) result.then(succeed, fail);
      else succeed(result);
    } catch (err) {
      fail(err);
    }
  });
}
