// QEMU's own account of why a VM stopped: the reason of its QMP SHUTDOWN event (a guest reset, a power-off).
import net from "node:net";
import { z } from "zod";
import { LineSplitter } from "./guest-streams";

/** QEMU's ShutdownCause values that a guest causes (qapi/run-state.json); the host's own are "host-*". */
const ShutdownEventSchema = z.object({
  event: z.literal("SHUTDOWN"),
  data: z.object({ guest: z.boolean(), reason: z.string() }),
});

const GreetingSchema = z.object({ QMP: z.object({}) });

export interface QmpListener {
  server: net.Server;
  /** QEMU's connection, once made. */
  socket: net.Socket | null;
  /** The reason QEMU gave for shutting down ("guest-reset", "guest-shutdown", …); null until it says. */
  shutdownReason: string | null;
  /** Settles when QEMU's connection closes (it has exited, or will). */
  closed: Promise<void>;
}

/**
 * We listen and QEMU connects as it starts (as the control port does). QEMU sends events only once the
 * client leaves capabilities negotiation; the guest cannot reset before it has booted, well after that.
 */
export async function listenForQmp(socketPath: string): Promise<QmpListener> {
  let markClosed = () => undefined as void;
  const listener: QmpListener = {
    server: net.createServer(),
    socket: null,
    shutdownReason: null,
    closed: new Promise<void>((resolve) => (markClosed = resolve)),
  };
  listener.server.maxConnections = 1;
  listener.server.on("connection", (socket) => {
    listener.socket = socket;
    const lines = new LineSplitter();
    socket.on("data", (chunk: Buffer) => {
      for (const line of lines.push(chunk)) {
        const message = parseJson(line.toString());
        if (GreetingSchema.safeParse(message).success)
          socket.write(`${JSON.stringify({ execute: "qmp_capabilities" })}\n`);
        const shutdown = ShutdownEventSchema.safeParse(message);
        if (shutdown.success) listener.shutdownReason ??= shutdown.data.data.reason;
      }
    });
    socket.on("error", () => undefined);
    socket.once("close", () => markClosed());
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
