// A ttrpc client for unary calls: odd stream ids counting up by 2, replies matched by stream id.
import net from "node:net";
import { type RpcAddress, toNetAddress } from "../rpc-address";
import { openSerialStream } from "./serial-stream";
import {
  DEFAULT_MAX_FRAME_BYTES,
  FrameDecoder,
  FrameType,
  encodeFrame,
  isOversized,
} from "./frame";
import { StatusCode } from "./status-code";
import { TtrpcError } from "./ttrpc-error";
import { decodeTtrpcResponse, encodeTtrpcRequest } from "./ttrpc-messages";

export interface CallOptions {
  /** Sent to the server as timeout_nano and enforced here as well. */
  timeoutMs?: number;
  signal?: AbortSignal;
  metadata?: Record<string, string>;
}

interface PendingCall {
  resolve: (payload: Uint8Array) => void;
  reject: (err: Error) => void;
}

export interface TtrpcClientOptions {
  maxFrameBytes?: number;
  /** Applied to calls that pass no timeoutMs of their own. */
  defaultTimeoutMs?: number;
  connectTimeoutMs?: number;
}

export class TtrpcClient {
  private readonly pending = new Map<number, PendingCall>();
  private nextStreamId = 1;
  private closedError: Error | null = null;

  private constructor(
    private readonly socket: net.Socket,
    private readonly options: TtrpcClientOptions,
    /** A socket's peer answers end() by closing; a device never does, so it is closed at once. */
    private readonly halfCloses = true,
  ) {
    const decoder = new FrameDecoder({
      maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    });
    socket.on("data", (chunk) => {
      for (const frame of decoder.push(chunk)) {
        const call = this.pending.get(frame.streamId);
        if (!call) continue;
        this.pending.delete(frame.streamId);
        if (isOversized(frame)) {
          call.reject(
            new TtrpcError(
              StatusCode.RESOURCE_EXHAUSTED,
              `response of ${frame.length} bytes exceeds the frame limit`,
            ),
          );
        } else if (frame.type !== FrameType.response) {
          call.reject(
            new TtrpcError(
              StatusCode.UNIMPLEMENTED,
              `unexpected frame type ${frame.type} on a unary call`,
            ),
          );
        } else {
          settleFromResponse(call, frame.payload);
        }
      }
    });
    socket.on("error", (err) => this.fail(err));
    socket.on("close", () =>
      this.fail(new TtrpcError(StatusCode.UNAVAILABLE, "ttrpc connection closed")),
    );
  }

  static async connect(
    address: RpcAddress,
    options: TtrpcClientOptions = {},
  ): Promise<TtrpcClient> {
    // serial://: the device is there or not; there is nothing to connect to or wait for.
    if (address.scheme === "serial")
      return new TtrpcClient(await openSerialStream(address.path), options, false);
    const netAddress = toNetAddress(address);
    const socket = net.createConnection(netAddress);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new TtrpcError(StatusCode.UNAVAILABLE, "connecting to the vAccel agent timed out"));
      }, options.connectTimeoutMs ?? 5_000);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.off("error", reject);
        resolve();
      });
      socket.once("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    socket.setNoDelay?.(true);
    return new TtrpcClient(socket, options);
  }

  /** Sends one request and resolves with the response payload, or rejects with a TtrpcError. */
  call(
    service: string,
    method: string,
    payload: Uint8Array,
    options: CallOptions = {},
  ): Promise<Uint8Array> {
    if (this.closedError) return Promise.reject(this.closedError);
    if (options.signal?.aborted) return Promise.reject(abortError(options.signal));
    const streamId = this.nextStreamId;
    this.nextStreamId += 2;
    const timeoutMs = options.timeoutMs ?? this.options.defaultTimeoutMs;
    const request = encodeTtrpcRequest({
      service,
      method,
      payload,
      timeout_nano: timeoutMs ? timeoutMs * 1e6 : 0,
      metadata: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
    });
    return new Promise<Uint8Array>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      // ttrpc has no cancel frame: giving up only forgets the stream, and a late reply is dropped.
      const forget = () => {
        this.pending.delete(streamId);
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
      };
      const onAbort = () => {
        forget();
        reject(abortError(options.signal as AbortSignal));
      };
      this.pending.set(streamId, {
        resolve: (value) => {
          forget();
          resolve(value);
        },
        reject: (err) => {
          forget();
          reject(err);
        },
      });
      if (timeoutMs) {
        timer = setTimeout(() => {
          forget();
          reject(
            new TtrpcError(
              StatusCode.DEADLINE_EXCEEDED,
              `${method} timed out after ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
      }
      options.signal?.addEventListener("abort", onAbort, { once: true });
      this.socket.write(
        encodeFrame({ streamId, type: FrameType.request, flags: 0, payload: request }),
      );
    });
  }

  get pendingCalls(): number {
    return this.pending.size;
  }

  /** Closes the connection; calls still waiting reject with UNAVAILABLE. Idempotent. */
  async close(): Promise<void> {
    if (this.socket.destroyed) return;
    await new Promise<void>((resolve) => {
      this.socket.once("close", () => resolve());
      if (!this.halfCloses) {
        this.socket.destroy();
        return;
      }
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 1_000).unref();
    });
  }

  private fail(err: Error): void {
    this.closedError ??= err;
    const calls = [...this.pending.values()];
    this.pending.clear();
    for (const call of calls) call.reject(err);
  }
}

function settleFromResponse(call: PendingCall, bytes: Uint8Array): void {
  let response;
  try {
    response = decodeTtrpcResponse(bytes);
  } catch (err) {
    call.reject(
      new TtrpcError(StatusCode.INTERNAL, `malformed ttrpc response: ${(err as Error).message}`),
    );
    return;
  }
  const status = response.status;
  if (status && status.code !== StatusCode.OK) {
    call.reject(new TtrpcError(status.code, status.message, status.details));
  } else {
    call.resolve(response.payload);
  }
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : new TtrpcError(StatusCode.CANCELLED, "call aborted");
}
