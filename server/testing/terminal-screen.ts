// A terminal as an integration test reads it: acks parsed by their schema, and the text a socket received.
import type { Socket } from "socket.io-client";
import { TerminalAckSchema, TerminalOutputSchema, terminalEvents } from "../../lib/api/sessions";

export function emitWithAck(socket: Socket, event: string, payload: unknown) {
  return socket
    .timeout(10_000)
    .emitWithAck(event, payload)
    .then((ack: unknown) => TerminalAckSchema.parse(ack));
}

/** Collects a terminal's output and waits for text in it. */
export function screenOf(socket: Socket, terminalId: () => string | null) {
  let text = "";
  let lastOutputAt = Date.now();
  const seen = new Set<number>();
  socket.on(terminalEvents.output, (payload: unknown) => {
    const chunk = TerminalOutputSchema.parse(payload);
    if (chunk.terminalId !== terminalId() || seen.has(chunk.offset)) return;
    seen.add(chunk.offset);
    text += chunk.data;
    lastOutputAt = Date.now();
  });
  return {
    get text() {
      return text;
    },
    /**
     * Until the shell has printed nothing for quietMs, as a person waits for a prompt to settle before typing: a
     * shell resized at its prompt (a microVM's first shell takes the page's size once it runs) redraws its line.
     */
    async settled(quietMs = 200, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() - lastOutputAt < quietMs) {
        if (Date.now() > deadline) throw new Error(`still printing after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    /**
     * Line ends as a terminal renders them: runc clears ONLCR on the sandbox's PTY only after its shell may have
     * started (and ash's line editor then restores the termios it read), so a line may end in CR CR LF.
     */
    async waitFor(pattern: RegExp, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(text.replace(/\r+\n/g, "\r\n"))) {
        if (Date.now() > deadline) throw new Error(`no ${pattern} in ${JSON.stringify(text)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
}

/** Opens a shell in a session and attaches to it, as the page does; throws with the ack when refused. */
export async function openShell(
  socket: Socket,
  sessionId: string,
  size: { cols: number; rows: number } = { cols: 80, rows: 24 },
) {
  let terminalId: string | null = null;
  const screen = screenOf(socket, () => terminalId);
  const opened = await emitWithAck(socket, terminalEvents.open, { sessionId, ...size });
  if (!opened.ok) throw new Error(`terminal:open: ${JSON.stringify(opened)}`);
  terminalId = opened.terminalId;
  await emitWithAck(socket, terminalEvents.attach, { terminalId });
  return { terminalId, screen };
}
