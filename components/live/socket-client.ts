// The one socket.io connection a page shares, opened on first use (never during server rendering).
import { io, type Socket } from "socket.io-client";

let socket: Socket | null = null;
const hostSockets = new Map<string, Socket>();

export function getSocket(): Socket {
  socket ??= io({ path: "/socket.io" });
  return socket;
}

/** A workshop host's own connection: its token goes in the handshake, as a browser cannot set headers on a websocket. */
export function getHostSocket(hostToken: string): Socket {
  let found = hostSockets.get(hostToken);
  if (!found) {
    found = io({ path: "/socket.io", auth: { hostToken }, forceNew: true });
    hostSockets.set(hostToken, found);
  }
  return found;
}
