// socket.io terminal:* events: open a shell in one's own session, attach to it again, type, resize, close; a workshop's facilitator attaches read-only.
import type { Server, Socket } from "socket.io";
import type { z } from "zod";
import {
  TerminalAttachSchema,
  TerminalCloseSchema,
  TerminalInputSchema,
  TerminalOpenSchema,
  TerminalResizeSchema,
  terminalEvents,
  type TerminalExit,
  type TerminalOutput,
} from "../../lib/api/sessions";
import { PlaygroundError } from "../errors/playground-error";

/** The terminal events a browser sends; each names its own bad_request code. */
type TerminalRequest = "open" | "attach" | "input" | "resize" | "close";
import { onSocketEvent } from "../http/socket-handler";
import type { RunAccess } from "../runs/run-access";
import { credentialsOf, type SocketExtension } from "../http/socket-server";
import type { Logger } from "../log/logger";
import { sessionRole } from "./session-access";
import type { SessionManager } from "./session-manager";
import type { Terminal } from "./terminal";

/**
 * Output after a quiet spell goes at once (an echo does not wait); what follows within batchMs is gathered and sent
 * together at its end, so a flood is at most one message per batchMs. A batch past maxBatchChars goes at once.
 */
const batchMs = 8;
const maxBatchChars = 32 * 1024;
/** The room a terminal's output goes to: its owner's sockets and those watching it. */
export const terminalRoomOf = (terminalId: string) => `terminal:${terminalId}`;

export function terminalSocket(options: {
  sessions: SessionManager;
  access: RunAccess;
  /** Terminals a presentation mirrors: its audience (anyone following) reads them. */
  mirrored: (terminalId: string) => boolean;
  log: Logger;
}): SocketExtension {
  const { sessions, access, mirrored, log } = options;
  const relayed = new WeakSet<Terminal>();

  const relay = (io: Server, terminal: Terminal) => {
    if (relayed.has(terminal)) return;
    relayed.add(terminal);
    const room = terminalRoomOf(terminal.id);
    let pending: TerminalOutput | null = null;
    /** Set while a batch window is open: output then waits for its end. */
    let window: NodeJS.Timeout | null = null;
    const send = () => {
      if (pending) io.to(room).emit(terminalEvents.output, pending);
      pending = null;
    };
    const endWindow = () => {
      window = null;
      if (!pending) return;
      send();
      window = setTimeout(endWindow, batchMs);
    };
    terminal.on("output", (chunk) => {
      if (pending) pending.data += chunk.data;
      else pending = { terminalId: terminal.id, ...chunk };
      if (window === null) {
        send();
        window = setTimeout(endWindow, batchMs);
      } else if (pending.data.length >= maxBatchChars) send();
    });
    terminal.once("exit", (exitCode) => {
      if (window) clearTimeout(window);
      window = null;
      send();
      io.to(room).emit(terminalEvents.exit, {
        terminalId: terminal.id,
        exitCode,
      } satisfies TerminalExit);
    });
  };

  return (socket: Socket, io: Server) => {
    // Read per event: a facilitator token in `auth`, cookies of the handshake.
    const headers = credentialsOf(socket);
    /**
     * A terminal the caller may read ("watch": a workshop facilitator's view of an attendee's) or type into
     * ("use"), or a not-found error that does not confirm it exists.
     */
    const visibleTerminal = (terminalId: string, needs: "watch" | "use") => {
      const found = sessions.getTerminal(terminalId);
      const role = found
        ? (sessionRole(found.session, headers, access) ?? (mirrored(terminalId) ? "watch" : null))
        : null;
      if (!found || !role)
        throw new PlaygroundError("not_found", "terminal", `No terminal with id "${terminalId}".`);
      if (needs === "use" && role !== "use")
        throw new PlaygroundError(
          "forbidden",
          "terminal_read_only",
          "You watch this terminal read-only; only the one whose session it is can type into it.",
        );
      return found.terminal;
    };
    const ownTerminal = (terminalId: string) => visibleTerminal(terminalId, "use");
    /** Every terminal event is answered with the terminal it concerns; codes read "bad_request:terminal_open". */
    const handle = <S extends z.ZodType>(
      name: `terminal:${TerminalRequest}`,
      schema: S,
      shape: string,
      act: (payload: z.infer<S>) => Promise<string>,
    ) => {
      const subject = name.replace("terminal:", "terminal_") as `terminal_${TerminalRequest}`;
      onSocketEvent(socket, { name, schema, subject, shape }, log, async (payload) => ({
        terminalId: await act(payload),
      }));
    };

    handle(
      terminalEvents.open,
      TerminalOpenSchema,
      "{sessionId, cols, rows}",
      async ({ sessionId, cols, rows }) => {
        const found = sessions.get(sessionId);
        const role = found ? sessionRole(found, headers, access) : null;
        if (!found || !role)
          throw new PlaygroundError("not_found", "session", `No session with id "${sessionId}".`);
        if (role !== "use")
          throw new PlaygroundError(
            "forbidden",
            "terminal_read_only",
            "You watch this session read-only; attach to one of its terminals instead.",
          );
        const terminal = await sessions.openTerminal(found, { cols, rows });
        relay(io, terminal);
        await socket.join(terminalRoomOf(terminal.id));
        return terminal.id;
      },
    );
    handle(terminalEvents.attach, TerminalAttachSchema, "{terminalId}", async ({ terminalId }) => {
      const terminal = visibleTerminal(terminalId, "watch");
      await socket.join(terminalRoomOf(terminal.id));
      // The ack first, then the backlog, then live output through the room; the client drops overlap by offset.
      setImmediate(() => {
        for (const chunk of terminal.backlog())
          socket.emit(terminalEvents.output, { terminalId, ...chunk } satisfies TerminalOutput);
        if (terminal.exited)
          socket.emit(terminalEvents.exit, { terminalId, exitCode: terminal.code ?? null });
      });
      return terminal.id;
    });
    handle(
      terminalEvents.input,
      TerminalInputSchema,
      "{terminalId, data}",
      async ({ terminalId, data }) => {
        ownTerminal(terminalId).write(data);
        return terminalId;
      },
    );
    handle(
      terminalEvents.resize,
      TerminalResizeSchema,
      "{terminalId, cols, rows}",
      async ({ terminalId, cols, rows }) => {
        ownTerminal(terminalId).resize(cols, rows);
        return terminalId;
      },
    );
    handle(terminalEvents.close, TerminalCloseSchema, "{terminalId}", async ({ terminalId }) => {
      ownTerminal(terminalId).close();
      return terminalId;
    });
  };
}
