// QEMU's monitor (QMP): why a VM stopped (the SHUTDOWN event's reason), when a restored one runs (RESUME), and
// the few commands that save a VM as the snapshot.
import net from "node:net";
import { z } from "zod";
import { LineSplitter } from "./guest-streams";

/** QEMU's ShutdownCause values that a guest causes (qapi/run-state.json); the host's own are "host-*". */
const ShutdownEventSchema = z.object({
  event: z.literal("SHUTDOWN"),
  data: z.object({ guest: z.boolean(), reason: z.string() }),
});

const GreetingSchema = z.object({ QMP: z.object({}) });
const EventSchema = z.object({ event: z.string() });
/** A command's reply: `return` with its value, or `error`; QMP answers commands in order. */
const ReplySchema = z.union([
  z.object({ return: z.unknown() }),
  z.object({ error: z.object({ class: z.string(), desc: z.string() }) }),
]);

export interface QmpListener {
  server: net.Server;
  /** QEMU's connection, once made. */
  socket: net.Socket | null;
  /** The reason QEMU gave for shutting down ("guest-reset", "guest-shutdown", …); null until it says. */
  shutdownReason: string | null;
  /** Settles when QEMU's connection closes (it has exited, or will). */
  closed: Promise<void>;
  /** Called with each event's name (after SHUTDOWN's reason is kept). */
  onEvent: (name: string) => void;
  /** Sends a command once QEMU has connected and negotiated; rejects with QEMU's error or on a closed monitor. */
  execute(command: string, args?: Record<string, unknown>): Promise<unknown>;
}

/**
 * We listen and QEMU connects as it starts (as the control port does). QEMU sends events only once the
 * client leaves capabilities negotiation; the guest cannot reset before it has booted, well after that.
 */
export async function listenForQmp(socketPath: string): Promise<QmpListener> {
  let markClosed = () => undefined as void;
  let markNegotiated = () => undefined as void;
  const negotiated = new Promise<void>((resolve) => (markNegotiated = resolve));
  /** The first reply is qmp_capabilities'; each command's reply follows in order. */
  const pending: Array<{ resolve: (value: unknown) => void; reject: (err: Error) => void }> = [
    { resolve: () => markNegotiated(), reject: () => undefined },
  ];
  let open = true;
  const listener: QmpListener = {
    server: net.createServer(),
    socket: null,
    shutdownReason: null,
    closed: new Promise<void>((resolve) => (markClosed = resolve)),
    onEvent: () => undefined,
    async execute(command, args) {
      await Promise.race([negotiated, listener.closed]);
      const socket = listener.socket;
      if (!open || !socket) throw new Error(`QEMU's monitor closed before ${command}`);
      return new Promise((resolve, reject) => {
        pending.push({ resolve, reject });
        socket.write(
          `${JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}) })}\n`,
        );
      });
    },
  };
  listener.server.maxConnections = 1;
  listener.server.on("connection", (socket) => {
    listener.socket = socket;
    const lines = new LineSplitter();
    socket.on("data", (chunk: Buffer) => {
      for (const line of lines.push(chunk)) {
        const message = parseJson(line.toString());
        if (GreetingSchema.safeParse(message).success) {
          socket.write(`${JSON.stringify({ execute: "qmp_capabilities" })}\n`);
          continue;
        }
        const shutdown = ShutdownEventSchema.safeParse(message);
        if (shutdown.success) listener.shutdownReason ??= shutdown.data.data.reason;
        const event = EventSchema.safeParse(message);
        if (event.success) {
          listener.onEvent(event.data.event);
          continue;
        }
        const reply = ReplySchema.safeParse(message);
        const waiter = reply.success ? pending.shift() : undefined;
        if (!reply.success || !waiter) continue;
        if ("error" in reply.data) waiter.reject(new Error(reply.data.error.desc));
        else waiter.resolve(reply.data.return);
      }
    });
    socket.on("error", () => undefined);
    socket.once("close", () => {
      open = false;
      for (const waiter of pending.splice(0)) waiter.reject(new Error("QEMU's monitor closed"));
      markClosed();
    });
  });
  await new Promise<void>((resolve, reject) => {
    listener.server.once("error", reject);
    listener.server.listen(socketPath, () => resolve());
  });
  return listener;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
