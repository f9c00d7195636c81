// ttrpc message framing (containerd/ttrpc channel.go, PROTOCOL.md): a 10-byte big-endian header, then data.
export const FRAME_HEADER_BYTES = 10;
/** The protocol's maximum data length ("4MB", channel.go messageLengthMax = 4 << 20). */
export const DEFAULT_MAX_FRAME_BYTES = 4 << 20;
/**
 * vAccel's ttrpc-rust fork raises it to 1 GiB (nubificus/ttrpc-rust, branch vaccel, src/proto.rs
 * MESSAGE_LENGTH_MAX = 1 << 30) so a model fits in one RegisterResource; a vAccel client reads up to this.
 */
export const VACCEL_MAX_FRAME_BYTES = 1 << 30;

export const FrameType = { request: 1, response: 2, data: 3 } as const;

export interface FrameHeader {
  length: number;
  streamId: number;
  type: number;
  flags: number;
}

export interface Frame extends Omit<FrameHeader, "length"> {
  payload: Uint8Array;
}

/** A frame whose declared length was over the limit: its data was skipped, never buffered. */
export interface OversizedFrame extends FrameHeader {
  oversized: true;
}

export function encodeFrame(frame: Frame): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + frame.payload.length);
  out.writeUInt32BE(frame.payload.length, 0);
  out.writeUInt32BE(frame.streamId >>> 0, 4);
  out.writeUInt8(frame.type, 8);
  out.writeUInt8(frame.flags, 9);
  out.set(frame.payload, FRAME_HEADER_BYTES);
  return out;
}

/**
 * Turns a byte stream into frames, whatever the chunking: a header split across reads, several
 * frames in one chunk. An oversized frame is reported once and its data discarded as it arrives,
 * like ttrpc's channel.recv, so a peer cannot make us hold more than maxFrameBytes.
 */
export class FrameDecoder {
  private readonly maxFrameBytes: number;
  private header = Buffer.alloc(FRAME_HEADER_BYTES);
  private headerFilled = 0;
  private current: FrameHeader | null = null;
  private payload: Buffer | null = null;
  private payloadFilled = 0;
  private discardLeft = 0;

  constructor(options: { maxFrameBytes?: number } = {}) {
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  }

  push(chunk: Uint8Array): Array<Frame | OversizedFrame> {
    const out: Array<Frame | OversizedFrame> = [];
    let offset = 0;
    while (offset < chunk.length) {
      if (this.discardLeft > 0) {
        const skip = Math.min(this.discardLeft, chunk.length - offset);
        this.discardLeft -= skip;
        offset += skip;
        continue;
      }
      if (this.current === null) {
        const take = Math.min(FRAME_HEADER_BYTES - this.headerFilled, chunk.length - offset);
        this.header.set(chunk.subarray(offset, offset + take), this.headerFilled);
        this.headerFilled += take;
        offset += take;
        if (this.headerFilled < FRAME_HEADER_BYTES) break;
        this.headerFilled = 0;
        const header: FrameHeader = {
          length: this.header.readUInt32BE(0),
          streamId: this.header.readUInt32BE(4),
          type: this.header.readUInt8(8),
          flags: this.header.readUInt8(9),
        };
        if (header.length > this.maxFrameBytes) {
          out.push({ ...header, oversized: true });
          this.discardLeft = header.length;
          continue;
        }
        if (header.length === 0) {
          out.push(toFrame(header, new Uint8Array(0)));
          continue;
        }
        this.current = header;
        this.payload = Buffer.allocUnsafe(header.length);
        this.payloadFilled = 0;
        continue;
      }
      const payload = this.payload as Buffer;
      const take = Math.min(payload.length - this.payloadFilled, chunk.length - offset);
      payload.set(chunk.subarray(offset, offset + take), this.payloadFilled);
      this.payloadFilled += take;
      offset += take;
      if (this.payloadFilled === payload.length) {
        out.push(toFrame(this.current, payload));
        this.current = null;
        this.payload = null;
        this.payloadFilled = 0;
      }
    }
    return out;
  }

  /** Bytes of a frame that has started but not finished (oversized data still to skip included); non-zero at end of stream means truncation. */
  get pendingBytes(): number {
    return (
      this.headerFilled +
      this.payloadFilled +
      (this.current ? FRAME_HEADER_BYTES : 0) +
      this.discardLeft
    );
  }
}

function toFrame(header: FrameHeader, payload: Uint8Array): Frame {
  return { streamId: header.streamId, type: header.type, flags: header.flags, payload };
}

export function isOversized(frame: Frame | OversizedFrame): frame is OversizedFrame {
  return "oversized" in frame;
}
