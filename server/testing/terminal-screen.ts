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
  const seen = new Set<number>();
  socket.on(terminalEvents.output, (payload: unknown) => {
    const chunk = TerminalOutputSchema.parse(payload);
    if (chunk.terminalId !== terminalId() || seen.has(chunk.offset)) return;
    seen.add(chunk.offset);
    text += chunk.data;
  });
  return {
    get text() {
      return text;
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
