// One terminal's socket side, outside React: open or re-attach, type, resize; every event checked against its schema.
import type { Socket } from "socket.io-client";
import {
  TerminalAckSchema,
  TerminalExitSchema,
  TerminalOutputSchema,
  maxTerminalInputChars,
  terminalEvents,
  terminalOpenWaitMs,
} from "@/lib/api/sessions";
import { newPart } from "./terminal-stream";

export type LinkStatus = "connecting" | "connected" | "reconnecting" | "exited" | "failed";

export const linkStatusText: Record<LinkStatus, string> = {
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  exited: "Shell exited",
  failed: "Not connected",
};

export interface TerminalLinkEvents {
  /** Characters to draw, in order, each exactly once. */
  output(data: string): void;
  status(status: LinkStatus, detail: string | null): void;
  /** The terminal's id once the server opened it (to re-attach after a reload). */
  opened(terminalId: string): void;
}

export interface TerminalLink {
  input(data: string): void;
  resize(cols: number, rows: number): void;
  close(): void;
  /** Stops listening without closing the shell (the page goes away; a reload re-attaches). */
  detach(): void;
}

/**
 * Opens a new shell in the session, or attaches to `terminalId` when given (it replays the screen).
 * `readOnly` (a workshop facilitator watching an attendee) only attaches: it sends no keys and no sizes.
 */
export function connectTerminal(
  socket: Socket,
  target: {
    sessionId: string;
    terminalId: string | null;
    cols: number;
    rows: number;
    readOnly?: boolean;
  },
  events: TerminalLinkEvents,
): TerminalLink {
  const readOnly = target.readOnly ?? false;
  let terminalId = target.terminalId;
  let received = 0;
  let size = { cols: target.cols, rows: target.rows };
  let ended = false;

  const fail = (message: string) => {
    ended = true;
    events.status("failed", message);
  };
  const attach = async () => {
    if (!terminalId || ended) return;
    const ack = TerminalAckSchema.safeParse(
      await socket
        .timeout(10_000)
        .emitWithAck(terminalEvents.attach, { terminalId })
        .catch(() => null),
    );
    if (!ack.success) return fail("The host did not answer; reload the page to try again.");
    if (!ack.data.ok) return fail(ack.data.error.message);
    events.status("connected", null);
    if (!readOnly) socket.emit(terminalEvents.resize, { terminalId, ...size });
  };
  const open = async () => {
    const ack = TerminalAckSchema.safeParse(
      // The host answers once the session is ready (it may still be booting), or says why not.
      await socket
        .timeout(terminalOpenWaitMs + 15_000)
        .emitWithAck(terminalEvents.open, { sessionId: target.sessionId, ...size })
        .catch(() => null),
    );
    if (!ack.success) return fail("The host did not answer; reload the page to try again.");
    if (!ack.data.ok) return fail(ack.data.error.message);
    terminalId = ack.data.terminalId;
    events.opened(terminalId);
    // Output sent between the open and its ack belonged to no known terminal yet: the attach replays it.
    await attach();
  };

  const onOutput = (payload: unknown) => {
    const chunk = TerminalOutputSchema.safeParse(payload);
    if (!chunk.success || chunk.data.terminalId !== terminalId) return;
    const fresh = newPart(received, chunk.data);
    received = Math.max(received, chunk.data.offset + chunk.data.data.length);
    if (fresh) events.output(fresh);
  };
  const onExit = (payload: unknown) => {
    const exit = TerminalExitSchema.safeParse(payload);
    if (!exit.success || exit.data.terminalId !== terminalId) return;
    ended = true;
    events.status("exited", `The shell exited (code ${exit.data.exitCode ?? "unknown"}).`);
  };
  const onDisconnect = () => {
    if (!ended) events.status("reconnecting", null);
  };
  const onConnect = () => void attach();
  socket.on(terminalEvents.output, onOutput);
  socket.on(terminalEvents.exit, onExit);
  socket.on("disconnect", onDisconnect);
  socket.io.on("reconnect", onConnect);

  events.status("connecting", null);
  void (terminalId ? attach() : open());

  const detach = () => {
    socket.off(terminalEvents.output, onOutput);
    socket.off(terminalEvents.exit, onExit);
    socket.off("disconnect", onDisconnect);
    socket.io.off("reconnect", onConnect);
  };
  return {
    input(data) {
      if (!terminalId || ended || readOnly) return;
      // A paste longer than one message allows goes in pieces, in order.
      for (let at = 0; at < data.length; at += maxTerminalInputChars)
        socket.emit(terminalEvents.input, {
          terminalId,
          data: data.slice(at, at + maxTerminalInputChars),
        });
    },
    resize(cols, rows) {
      size = { cols, rows };
      if (terminalId && !ended && !readOnly)
        socket.emit(terminalEvents.resize, { terminalId, cols, rows });
    },
    close() {
      if (terminalId && !ended && !readOnly) socket.emit(terminalEvents.close, { terminalId });
      detach();
    },
    detach,
  };
}
