// A ttrpc server for unary calls on a unix socket or TCP port (or sockets accepted elsewhere); one TtrpcConnection per socket.
import net from "node:net";
import { rm } from "node:fs/promises";
import type { Logger } from "../../log/logger";
import { type RpcAddress, toNetAddress } from "../rpc-address";
import {
  DEFAULT_MAX_FRAME_BYTES,
  FrameDecoder,
  FrameType,
  encodeFrame,
  isOversized,
} from "./frame";
import { StatusCode } from "./status-code";
import { TtrpcError, type StatusDetail } from "./ttrpc-error";
import { decodeTtrpcRequest, encodeTtrpcResponse, type TtrpcRequest } from "./ttrpc-messages";

export interface CallContext {
  connection: TtrpcConnection;
  request: TtrpcRequest;
  /** Aborted when the connection closes or the caller's timeout_nano runs out. */
  signal: AbortSignal;
}

export type UnaryHandler = (
  payload: Uint8Array,
  context: CallContext,
) => Promise<Uint8Array> | Uint8Array;

/** One peer (for the vAccel agent: one sandbox); handlers keep per-peer state keyed on it. */
export class TtrpcConnection {
  private static nextId = 1;
  readonly id = TtrpcConnection.nextId++;
  private readonly closeListeners: Array<() => void> = [];
  private readonly controller = new AbortController();

  constructor(readonly socket: net.Socket) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  onClose(listener: () => void): void {
    if (this.controller.signal.aborted) listener();
    else this.closeListeners.push(listener);
  }

  /** Idempotent: runs the close listeners once. */
  markClosed(): void {
    if (this.controller.signal.aborted) return;
    this.controller.abort(new TtrpcError(StatusCode.CANCELLED, "connection closed"));
    for (const listener of this.closeListeners.splice(0)) listener();
  }
}

export interface TtrpcServerOptions {
  /** Largest request frame accepted; larger ones get INVALID_ARGUMENT (as ttrpc-rust's check_oversize) and are skipped unread. */
  maxFrameBytes?: number;
  logger?: Pick<Logger, "warn" | "debug">;
}

export class TtrpcServer {
  private readonly handlers = new Map<string, UnaryHandler>();
  private readonly connections = new Set<TtrpcConnection>();
  private readonly maxFrameBytes: number;
  private readonly logger?: Pick<Logger, "warn" | "debug">;
  private server: net.Server | null = null;
  private unixPath: string | null = null;

  constructor(options: TtrpcServerOptions = {}) {
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.logger = options.logger;
  }

  /** service is the fully qualified proto service name ("vaccel.sync.agent.AgentService"), as ttrpc clients send it. */
  register(service: string, method: string, handler: UnaryHandler): void {
    this.handlers.set(`${service}/${method}`, handler);
  }

  /** Listens and resolves with the bound address (tcp port 0 becomes the real port). */
  async listen(address: RpcAddress): Promise<RpcAddress> {
    if (this.server) throw new Error("TtrpcServer is already listening");
    const netAddress = toNetAddress(address);
    const server = net.createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(netAddress, () => {
        server.off("error", reject);
        resolve();
      });
    });
    server.on("error", (err) => this.logger?.warn({ err }, "vaccel ttrpc server error"));
    if (address.scheme === "unix") {
      if (!address.abstract) this.unixPath = address.path;
      return address;
    }
    const bound = server.address() as net.AddressInfo;
    return { scheme: "tcp", host: bound.address, port: bound.port };
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Stops accepting, drops every connection (their close listeners run), removes the socket file. */
  async close(): Promise<void> {
    for (const connection of this.connections) connection.socket.destroy();
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (this.unixPath) await rm(this.unixPath, { force: true });
    this.unixPath = null;
  }

  /** Serves a socket some other listener accepted (a sandbox's own unix socket); close() drops it too. */
  accept(socket: net.Socket): void {
    const connection = new TtrpcConnection(socket);
    this.connections.add(connection);
    const decoder = new FrameDecoder({ maxFrameBytes: this.maxFrameBytes });
    socket.on("data", (chunk) => {
      for (const frame of decoder.push(chunk)) {
        if (isOversized(frame)) {
          this.logger?.warn(
            { length: frame.length, streamId: frame.streamId },
            "vaccel ttrpc: oversized frame dropped",
          );
          this.reply(connection, frame.streamId, {
            code: StatusCode.INVALID_ARGUMENT,
            message: `message length ${frame.length} exceed maximum message size of ${this.maxFrameBytes}`,
          });
        } else if (frame.type === FrameType.request) {
          void this.dispatch(connection, frame.streamId, frame.payload);
        } else {
          // Streaming data frames belong to non-unary methods, which no vAccel method uses.
          this.logger?.debug(
            { type: frame.type, streamId: frame.streamId },
            "vaccel ttrpc: frame ignored",
          );
        }
      }
    });
    socket.on("error", (err) =>
      this.logger?.debug({ err, connection: connection.id }, "vaccel ttrpc socket error"),
    );
    socket.on("close", () => {
      this.connections.delete(connection);
      connection.markClosed();
    });
  }

  private async dispatch(
    connection: TtrpcConnection,
    streamId: number,
    bytes: Uint8Array,
  ): Promise<void> {
    if (streamId % 2 === 0) {
      this.reply(connection, streamId, {
        code: StatusCode.INVALID_ARGUMENT,
        message: `StreamID must be odd for client initiated streams, got ${streamId}`,
      });
      return;
    }
    let request: TtrpcRequest;
    try {
      request = decodeTtrpcRequest(bytes);
    } catch (err) {
      this.reply(connection, streamId, {
        code: StatusCode.INVALID_ARGUMENT,
        message: `unmarshal request error: ${(err as Error).message}`,
      });
      return;
    }
    const handler = this.handlers.get(`${request.service}/${request.method}`);
    if (!handler) {
      // As ttrpc-rust's sync server answers (vAccel's agent is the sync build).
      this.reply(connection, streamId, {
        code: StatusCode.INVALID_ARGUMENT,
        message: `/${request.service}/${request.method} does not exist`,
      });
      return;
    }
    const signals = [connection.signal];
    if (request.timeout_nano > 0)
      signals.push(AbortSignal.timeout(Math.ceil(request.timeout_nano / 1e6)));
    try {
      const payload = await handler(request.payload, {
        connection,
        request,
        signal: AbortSignal.any(signals),
      });
      this.reply(connection, streamId, { code: StatusCode.OK, message: "" }, payload);
    } catch (err) {
      if (err instanceof TtrpcError) {
        this.reply(connection, streamId, {
          code: err.code,
          message: err.statusMessage,
          details: err.details,
        });
      } else {
        // Internals stay in the log; the peer learns only that the call failed on our side.
        this.logger?.warn({ err, method: request.method }, "vaccel ttrpc handler failed");
        this.reply(connection, streamId, {
          code: StatusCode.INTERNAL,
          message: "internal error in the agent",
        });
      }
    }
  }

  private reply(
    connection: TtrpcConnection,
    streamId: number,
    status: { code: number; message: string; details?: StatusDetail[] },
    payload?: Uint8Array,
  ): void {
    if (connection.socket.destroyed) return;
    let body = encodeTtrpcResponse({ status, payload });
    if (body.length > this.maxFrameBytes) {
      const message = `response of ${body.length} bytes exceeds the ${this.maxFrameBytes}-byte frame limit`;
      body = encodeTtrpcResponse({ status: { code: StatusCode.RESOURCE_EXHAUSTED, message } });
    }
    connection.socket.write(
      encodeFrame({ streamId, type: FrameType.response, flags: 0, payload: body }),
    );
  }
}
