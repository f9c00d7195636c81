// A vAccel 0.8 guest written only from upstream's protos and ttrpc's PROTOCOL.md, for tests: protobuf bytes
// by hand, ttrpc frames by hand. It imports nothing of this project's vAccel code on purpose, so that the
// agent is checked against the spec and not against its own encoder.
import net from "node:net";

/** Field tags: field number << 3 | wire type (0 varint, 2 length-delimited, 5 fixed32). */
export function varint(value: number | bigint): Buffer {
  // int64 fields: a negative value is its two's complement, ten bytes.
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? byte | 0x80 : byte);
  } while (v > 0n);
  return Buffer.from(out);
}

/** A varint field; proto3 leaves a zero out. */
export function uintField(field: number, value: number | bigint): Buffer {
  if (BigInt(value) === 0n) return Buffer.alloc(0);
  return Buffer.concat([varint((field << 3) | 0), varint(value)]);
}

/** A proto3 `optional` varint: written even when zero. */
export function optionalUintField(field: number, value: number): Buffer {
  return Buffer.concat([varint((field << 3) | 0), varint(value)]);
}

/** A bytes, string or message field; proto3 leaves an empty one out. */
export function bytesField(field: number, value: Uint8Array | string): Buffer {
  const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : Buffer.from(value);
  if (bytes.length === 0) return Buffer.alloc(0);
  return Buffer.concat([varint((field << 3) | 2), varint(bytes.length), bytes]);
}

/** A message field that is present even when empty (an embedded message set to its defaults). */
export function messageField(field: number, value: Uint8Array): Buffer {
  return Buffer.concat([varint((field << 3) | 2), varint(value.length), Buffer.from(value)]);
}

export type FieldValue = bigint | Buffer;

/** Reads a message into field number -> values (varints as bigint, length-delimited as bytes). */
export function parseMessage(bytes: Uint8Array): Map<number, FieldValue[]> {
  const buf = Buffer.from(bytes);
  const fields = new Map<number, FieldValue[]>();
  let offset = 0;
  const readVarint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (offset >= buf.length) throw new Error("truncated varint");
      const byte = buf[offset++];
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (offset < buf.length) {
    const tag = Number(readVarint());
    const field = tag >> 3;
    let value: FieldValue;
    if ((tag & 7) === 0) value = readVarint();
    else if ((tag & 7) === 2) {
      const length = Number(readVarint());
      if (offset + length > buf.length) throw new Error("truncated field");
      value = buf.subarray(offset, offset + length);
      offset += length;
    } else throw new Error(`wire type ${tag & 7} not expected in vAccel messages`);
    fields.set(field, [...(fields.get(field) ?? []), value]);
  }
  return fields;
}

export function firstUint(fields: Map<number, FieldValue[]>, field: number): bigint {
  const value = fields.get(field)?.[0];
  return typeof value === "bigint" ? value : 0n;
}

export function firstBytes(fields: Map<number, FieldValue[]>, field: number): Buffer {
  const value = fields.get(field)?.[0];
  return Buffer.isBuffer(value) ? value : Buffer.alloc(0);
}

/** ttrpc's frame: length (u32 BE), stream id (u32 BE), type (1 request, 2 response), flags. */
export function frame(streamId: number, type: number, payload: Uint8Array): Buffer {
  const header = Buffer.alloc(10);
  header.writeUInt32BE(payload.length, 0);
  header.writeUInt32BE(streamId, 4);
  header.writeUInt8(type, 8);
  return Buffer.concat([header, Buffer.from(payload)]);
}

/** ttrpc.Request{service=1, method=2, payload=3}; timeout_nano (4) and metadata (5) left out, as Context::default(). */
export function ttrpcRequest(service: string, method: string, payload: Uint8Array): Buffer {
  return Buffer.concat([bytesField(1, service), bytesField(2, method), bytesField(3, payload)]);
}

export interface RawReply {
  streamId: number;
  /** google.rpc.Code; 0 when the Response carries no status. */
  code: number;
  message: string;
  /** Status.details: google.protobuf.Any{type_url=1, value=2}. */
  details: Array<{ typeUrl: string; value: Buffer }>;
  payload: Buffer;
  /** The whole ttrpc.Response, for byte comparisons. */
  body: Buffer;
}

/** ttrpc.Response{status=1 (google.rpc.Status{code=1, message=2, details=3}), payload=2}. */
export function parseTtrpcResponse(streamId: number, body: Buffer): RawReply {
  const response = parseMessage(body);
  const status = parseMessage(firstBytes(response, 1));
  return {
    streamId,
    code: Number(firstUint(status, 1)),
    message: firstBytes(status, 2).toString("utf8"),
    details: (status.get(3) ?? []).map((any) => {
      const fields = parseMessage(any as Buffer);
      return { typeUrl: firstBytes(fields, 1).toString("utf8"), value: firstBytes(fields, 2) };
    }),
    payload: firstBytes(response, 2),
    body,
  };
}

/** One connection to an agent: sends raw frames, collects response frames by stream id. */
export class RawTtrpcConnection {
  private buffered = Buffer.alloc(0);
  private readonly waiting = new Map<number, (reply: RawReply) => void>();
  private readonly arrived = new Map<number, RawReply>();
  private nextStreamId = 1;

  private constructor(private readonly socket: net.Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 10) {
        const length = this.buffered.readUInt32BE(0);
        if (this.buffered.length < 10 + length) break;
        const streamId = this.buffered.readUInt32BE(4);
        const body = this.buffered.subarray(10, 10 + length);
        this.buffered = this.buffered.subarray(10 + length);
        const reply = parseTtrpcResponse(streamId, Buffer.from(body));
        const waiter = this.waiting.get(streamId);
        if (waiter) {
          this.waiting.delete(streamId);
          waiter(reply);
        } else this.arrived.set(streamId, reply);
      }
    });
  }

  static connect(
    options: { path: string } | { host: string; port: number },
  ): Promise<RawTtrpcConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(options, () => {
        socket.off("error", reject);
        resolve(new RawTtrpcConnection(socket));
      });
      socket.once("error", reject);
    });
  }

  /** Writes bytes as they are (a whole frame, or garbage). */
  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  reply(streamId: number, timeoutMs = 10_000): Promise<RawReply> {
    const ready = this.arrived.get(streamId);
    if (ready) {
      this.arrived.delete(streamId);
      return Promise.resolve(ready);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no reply on stream ${streamId}`)),
        timeoutMs,
      );
      this.waiting.set(streamId, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
    });
  }

  /** A unary call: a request frame on the next odd stream id, and its response. */
  async call(service: string, method: string, payload: Uint8Array): Promise<RawReply> {
    const streamId = this.nextStreamId;
    this.nextStreamId += 2;
    this.write(frame(streamId, 1, ttrpcRequest(service, method, payload)));
    return this.reply(streamId);
  }

  /** The next stream id call() would use, for a caller writing its own frames. */
  takeStreamId(): number {
    const streamId = this.nextStreamId;
    this.nextStreamId += 2;
    return streamId;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.socket.once("close", () => resolve());
      this.socket.end();
    });
  }
}

/** genop.proto's Arg{buf=1, size=2, arg_type=3, custom_type_id=4, parts=5, part_no=6}, size == buf length. */
export function genopArg(argType: number, buf: Uint8Array): Buffer {
  return Buffer.concat([bytesField(1, buf), uintField(2, buf.length), uintField(3, argType)]);
}

/** genop.proto's Request{session_id=1, read_args=2, write_args=3}. */
export function genopRequest(sessionId: number, readArgs: Buffer[], writeArgs: Buffer[]): Buffer {
  return Buffer.concat([
    uintField(1, sessionId),
    ...readArgs.map((arg) => messageField(2, arg)),
    ...writeArgs.map((arg) => messageField(3, arg)),
  ]);
}

/** genop.Response{write_args=1}: each Arg's buf. */
export function genopWrittenBufs(payload: Uint8Array): Buffer[] {
  return (parseMessage(payload).get(1) ?? []).map((arg) =>
    firstBytes(parseMessage(arg as Buffer), 1),
  );
}

/** vaccel.proto's Error{type=1, ffi_error=2 (optional), status=3}: the ffi_error a guest's libvaccel returns. */
export function vaccelErrorCode(reply: RawReply): number | undefined {
  const detail = reply.details.find((d) => d.typeUrl === "type.googleapis.com/vaccel.ProtoError");
  if (!detail) return undefined;
  const fields = parseMessage(detail.value);
  return fields.has(2) ? Number(firstUint(fields, 2)) : undefined;
}
