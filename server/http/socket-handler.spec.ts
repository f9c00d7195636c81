import { EventEmitter } from "node:events";
import { pino } from "pino";
import type { Socket } from "socket.io";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { PlaygroundError } from "../errors/playground-error";
import type { Logger } from "../log/logger";
import { onSocketEvent, type SocketAck } from "./socket-handler";

const event = {
  name: "thing:poke",
  schema: z.object({ id: z.string().min(1) }).strict(),
  subject: "subscribe" as const,
  shape: "{id}",
};

/** A socket that only records handlers: the helper needs nothing else of socket.io. */
function register(act: Parameters<typeof onSocketEvent<typeof event.schema, { id: string }>>[3]) {
  const socket = new EventEmitter();
  const log = pino({ level: "silent" }) as Logger;
  const logged = vi.spyOn(log, "error");
  onSocketEvent(socket as unknown as Socket, event, log, act);
  const send = (payload: unknown) =>
    new Promise<SocketAck<{ id: string }>>((resolve) => socket.emit(event.name, payload, resolve));
  return { socket, send, logged };
}

describe("onSocketEvent", () => {
  it("answers a bad payload with bad_request:<subject>, naming the field and the shape", async () => {
    const act = vi.fn(() => ({ id: "x" }));
    const { send } = register(act);
    expect(await send({ id: "" })).toEqual({
      ok: false,
      error: {
        code: "bad_request:subscribe",
        message: expect.stringMatching(/^Invalid thing:poke \(it takes \{id\}\): id: /),
      },
    });
    expect(act).not.toHaveBeenCalled();
  });

  it("acks what act returns, sync or async, and runs the queued work after the ack", async () => {
    const order: string[] = [];
    const { socket } = register(({ id }, afterAck) => {
      afterAck(() => order.push("after"));
      order.push(`act ${id}`);
      return { id };
    });
    socket.emit(event.name, { id: "a" }, (answer: unknown) => order.push(JSON.stringify(answer)));
    expect(order).toEqual(["act a", '{"ok":true,"id":"a"}', "after"]);
    expect(await register(async ({ id }) => ({ id: `${id}!` })).send({ id: "b" })).toEqual({
      ok: true,
      id: "b!",
    });
  });

  it("answers a PlaygroundError with its code, anything else as internal and logs it", async () => {
    const notFound = register(() => {
      throw new PlaygroundError("not_found", "run", 'No run with id "a".');
    });
    expect(await notFound.send({ id: "a" })).toEqual({
      ok: false,
      error: { code: "not_found:run", message: 'No run with id "a".' },
    });
    expect(notFound.logged).not.toHaveBeenCalled();
    const broken = register(async () => {
      throw new Error("disk on fire");
    });
    const answer = await broken.send({ id: "a" });
    expect(answer).toMatchObject({ ok: false, error: { code: "internal:server" } });
    expect(JSON.stringify(answer)).not.toContain("disk on fire");
    expect(broken.logged).toHaveBeenCalledOnce();
  });

  it("drops the queued work when act fails after queueing it", async () => {
    const work = vi.fn();
    const { send } = register((_payload, afterAck) => {
      afterAck(work);
      throw new PlaygroundError("conflict", "run_running", "busy");
    });
    expect(await send({ id: "a" })).toMatchObject({ ok: false });
    expect(work).not.toHaveBeenCalled();
  });
});
