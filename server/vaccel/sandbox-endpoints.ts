// One unix socket per sandbox run, all served by the host's single VaccelAgent (which keeps sessions per connection),
// or relayed byte for byte to a real vaccel-rpc-agent on the host when the run asks for that one.
import fs from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import {
  resourcePrefix,
  type VaccelEndpoint,
  type VaccelEndpointOptions,
  type VaccelEndpoints,
} from "../engine/driver";
import { PlaygroundError } from "../errors/playground-error";
import type { VaccelAgent } from "./agent/vaccel-agent";
import { type RpcAddress, toNetAddress } from "./rpc-address";

/** The socket's name inside the run's folder; a container sees the folder at /run/vaccel. */
export const agentSocketName = "agent.sock";
/** sockaddr_un.sun_path holds 108 bytes with the NUL. */
const maxSocketPath = 107;

export class SandboxEndpoints implements VaccelEndpoints {
  /**
   * @param dir `<stateDir>/vaccel`: one folder per run under it, named by the run's resource name.
   */
  constructor(
    private readonly agent: VaccelAgent,
    private readonly dir: string,
    /** A vaccel-rpc-agent on the host (VACCEL_RPC_ADDRESS of the server's environment), for runs that choose it. */
    private readonly hostAgent: RpcAddress | null = null,
  ) {}

  async open(resourceName: string, options: VaccelEndpointOptions = {}): Promise<VaccelEndpoint> {
    const relayTo = options.agent === "host" ? this.requireHostAgent() : null;
    const folder = path.join(this.dir, resourceName);
    const hostSocketPath = path.join(folder, agentSocketName);
    if (Buffer.byteLength(hostSocketPath) > maxSocketPath)
      throw new Error(
        `the vAccel socket path is too long (${hostSocketPath}): use a shorter SBPG_STATE_DIR`,
      );
    // 0711 all the way down: a sandbox's root is an unprivileged host uid (user namespace) that must reach the
    // socket through its folder, and may not list other runs' folders.
    await fs.mkdir(this.dir, { recursive: true, mode: 0o711 });
    await fs.chmod(this.dir, 0o711);
    await fs.rm(folder, { recursive: true, force: true });
    await fs.mkdir(folder, { mode: 0o711 });
    await fs.chmod(folder, 0o711);
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
      if (relayTo) relay(socket, relayTo);
      else this.agent.serveConnection(socket);
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(hostSocketPath, () => {
          server.off("error", reject);
          resolve();
        });
      });
      // connect(2) needs write permission on the socket, for the sandbox's mapped uid too.
      await fs.chmod(hostSocketPath, 0o666);
    } catch (err) {
      server.close();
      await fs.rm(folder, { recursive: true, force: true });
      throw err;
    }
    let closing: Promise<void> | null = null;
    return {
      hostSocketPath,
      close() {
        closing ??= (async () => {
          for (const socket of sockets) socket.destroy();
          await new Promise<void>((resolve) => server.close(() => resolve()));
          await fs.rm(folder, { recursive: true, force: true });
        })();
        return closing;
      },
    };
  }

  private requireHostAgent(): RpcAddress {
    if (!this.hostAgent) {
      throw new PlaygroundError(
        "unavailable",
        "vaccel_host_agent",
        "No vAccel agent of the host is configured: start the server with VACCEL_RPC_ADDRESS naming a vaccel-rpc-agent.",
      );
    }
    return this.hostAgent;
  }

  /** Folders of runs that a crashed process left: nothing serves them any more. */
  async reap(): Promise<string[]> {
    const entries = await fs.readdir(this.dir).catch(() => [] as string[]);
    const removed: string[] = [];
    for (const entry of entries.filter((e) => e.startsWith(resourcePrefix))) {
      await fs.rm(path.join(this.dir, entry), { recursive: true, force: true });
      removed.push(`vaccel socket ${entry}`);
    }
    return removed;
  }
}

/**
 * The sandbox's connection, piped both ways to a connection of its own to the host's agent: the sandbox still
 * reaches nothing but its socket, and the agent sees one client per sandbox connection, as with vsock.
 */
function relay(socket: net.Socket, to: RpcAddress): void {
  const upstream = net.connect(toNetAddress(to));
  socket.pipe(upstream);
  upstream.pipe(socket);
  upstream.once("error", () => socket.destroy());
  socket.once("error", () => upstream.destroy());
  upstream.once("close", () => socket.destroy());
  socket.once("close", () => upstream.destroy());
}
