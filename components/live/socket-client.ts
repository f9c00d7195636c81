// The one socket.io connection a page shares, opened on first use (never during server rendering).
import { io, type Socket } from "socket.io-client";

let socket: Socket | null = null;
const facilitatorSockets = new Map<string, Socket>();

export function getSocket(): Socket {
  socket ??= io({ path: "/socket.io" });
  return socket;
}

/** A workshop facilitator's own connection: its token goes in the handshake, as a browser cannot set headers on a websocket. */
export function getFacilitatorSocket(facilitatorToken: string): Socket {
  let found = facilitatorSockets.get(facilitatorToken);
  if (!found) {
    found = io({ path: "/socket.io", auth: { facilitatorToken }, forceNew: true });
    facilitatorSockets.set(facilitatorToken, found);
  }
  return found;
}
