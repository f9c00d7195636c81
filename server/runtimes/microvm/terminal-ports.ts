// A VM's virtconsole ports for a session's shells, host side: one listening socket each, which QEMU connects to.
import net from "node:net";
import path from "node:path";

/** One virtconsole port: QEMU's connection to our socket, and the shell on it while there is one. */
export interface TerminalPort {
  readonly socketPath: string;
  server: net.Server;
  socket: net.Socket | null;
  shell: { exit(event: { exitCode: number }): void; sized(): void } | null;
}

export const terminalSocketPath = (vmDir: string, n: number) => path.join(vmDir, `t${n}.sock`);

/**
 * We listen and QEMU connects as it starts (as for the control port), so the host end exists before the guest
 * can write. Until a shell is opened nothing reads the connection, and a guest that writes to the port waits.
 */
export async function listenForTerminals(vmDir: string, count: number): Promise<TerminalPort[]> {
  const ports: TerminalPort[] = [];
  try {
    for (let n = 0; n < count; n++)
      ports.push(await listenForTerminal(terminalSocketPath(vmDir, n)));
    return ports;
  } catch (err) {
    closeTerminals(ports);
    throw err;
  }
}

export function closeTerminals(ports: TerminalPort[]): void {
  for (const port of ports) {
    port.socket?.destroy();
    port.server.close();
  }
}

async function listenForTerminal(socketPath: string): Promise<TerminalPort> {
  const port: TerminalPort = { socketPath, server: net.createServer(), socket: null, shell: null };
  port.server.maxConnections = 1;
  port.server.on("connection", (socket) => {
    port.socket = socket;
    socket.pause();
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    port.server.once("error", reject);
    port.server.listen(socketPath, () => resolve());
  });
  return port;
}
