// The one socket.io connection a page shares, opened on first use (never during server rendering).
import { io, type Socket } from "socket.io-client";

let socket: Socket | null = null;

export function getSocket(): Socket {
  socket ??= io({ path: "/socket.io" });
  return socket;
}
