// genop's arguments as libvaccel 0.8 packs them (vaccel_arg_array_add_*) and unpacks them (vaccel_arg_array_get_*):
// a typed buffer each, numbers in the machine's byte order (little-endian on every host this runs on).
import { AccelBackendError } from "../agent/accel-backend";
import { ArgType, type GenopArg } from "../vaccel-protocol";
import { encodeGenopOp } from "./genop-ops";
import { VACCEL_EINVAL } from "../vaccel-error-codes";

export type ArgTypeValue = (typeof ArgType)[keyof typeof ArgType];

export function genopArg(type: ArgTypeValue, buf: Uint8Array): GenopArg {
  return { buf, size: buf.length, arg_type: type, custom_type_id: 0, parts: 0, part_no: 0 };
}

/** A write arg as libvaccel's RPC plugin sends one: the guest's buffer (here zero-filled), its size, its type. */
export function writeArg(type: ArgTypeValue, size: number): GenopArg {
  return genopArg(type, new Uint8Array(size));
}

const bytesOf = (view: ArrayBufferView) =>
  new Uint8Array(view.buffer, view.byteOffset, view.byteLength);

/** Scalars and arrays packed as vaccel_arg_array_add_<type> packs them. */
export const packArg = {
  /** genop's first read arg: the op type (vaccel_arg_array_add_uint8). */
  op: (op: number) => genopArg(ArgType.UINT8, encodeGenopOp(op)),
  int32: (value: number) => genopArg(ArgType.INT32, bytesOf(Int32Array.of(value))),
  int64: (value: number) => genopArg(ArgType.INT64, bytesOf(BigInt64Array.of(BigInt(value)))),
  float32: (value: number) => genopArg(ArgType.FLOAT32, bytesOf(Float32Array.of(value))),
  float32Array: (values: Float32Array) => genopArg(ArgType.FLOAT32_ARRAY, bytesOf(values)),
  float64Array: (values: Float64Array) => genopArg(ArgType.FLOAT64_ARRAY, bytesOf(values)),
  buffer: (bytes: Uint8Array) => genopArg(ArgType.BUFFER, bytes),
  raw: (bytes: Uint8Array) => genopArg(ArgType.RAW, bytes),
};

/** A copy on its own, aligned memory: a decoded arg is a slice of the frame at any offset. */
export function alignedCopy(bytes: Uint8Array): ArrayBuffer {
  return new Uint8Array(bytes).buffer;
}

export const readFloat32s = (bytes: Uint8Array) => new Float32Array(alignedCopy(bytes));
export const readFloat64s = (bytes: Uint8Array) => new Float64Array(alignedCopy(bytes));

/** The text a C string buffer holds: up to its first NUL (a reply's buffer is the guest's whole buffer). */
export function readCString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end === -1 ? bytes : bytes.subarray(0, end));
}

const typeName = (type: number) =>
  Object.entries(ArgType).find(([, value]) => value === type)?.[0] ?? `type ${type}`;

/**
 * Reads one op's args in order with libvaccel's checks (the type, and the size of a scalar or an array's
 * element), so a malformed call gets the EINVAL libvaccel would return, naming the op and the arg.
 */
export class GenopArgReader {
  private position = 0;

  constructor(
    private readonly op: string,
    private readonly side: "read" | "write",
    private readonly args: readonly GenopArg[],
  ) {}

  int32(name: string): number {
    return new DataView(alignedCopy(this.scalar(name, ArgType.INT32, 4).buf)).getInt32(0, true);
  }

  /** An int64 as a number; one past 2^53 is refused rather than rounded. */
  int64(name: string): number {
    const value = new DataView(alignedCopy(this.scalar(name, ArgType.INT64, 8).buf)).getBigInt64(
      0,
      true,
    );
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw this.error(`${name} (${value}) is out of range`);
    }
    return Number(value);
  }

  float32(name: string): number {
    return new DataView(alignedCopy(this.scalar(name, ArgType.FLOAT32, 4).buf)).getFloat32(0, true);
  }

  float32Array(name: string): GenopArg {
    return this.array(name, ArgType.FLOAT32_ARRAY, 4);
  }

  ucharArray(name: string): GenopArg {
    return this.array(name, ArgType.UCHAR_ARRAY, 1);
  }

  buffer(name: string): Uint8Array {
    return this.array(name, ArgType.BUFFER, 1).buf;
  }

  /** An arg libvaccel reads by casting its buffer (MINMAX's): any type, any size; the caller checks it. */
  raw(name: string): GenopArg {
    return this.take(name);
  }

  /** A C int read by casting the buffer: any type, exactly 4 bytes. */
  rawInt32(name: string): number {
    const arg = this.take(name);
    if (arg.buf.length !== 4) throw this.error(`${name} must be 4 bytes; got ${arg.buf.length}`);
    return new DataView(alignedCopy(arg.buf)).getInt32(0, true);
  }

  error(message: string): AccelBackendError {
    return new AccelBackendError(`genop ${this.op}: ${message}`, VACCEL_EINVAL);
  }

  private scalar(name: string, type: number, size: number): GenopArg {
    const arg = this.typed(name, type);
    if (arg.buf.length !== size) {
      throw this.error(`${name} (${typeName(type)}) must be ${size} bytes; got ${arg.buf.length}`);
    }
    return arg;
  }

  private array(name: string, type: number, elementSize: number): GenopArg {
    const arg = this.typed(name, type);
    if (arg.buf.length === 0 || arg.buf.length % elementSize !== 0) {
      throw this.error(
        `${name} (${typeName(type)}) must hold a whole number of ${elementSize}-byte elements; got ${arg.buf.length} bytes`,
      );
    }
    return arg;
  }

  private typed(name: string, type: number): GenopArg {
    const arg = this.take(name);
    if (arg.arg_type !== type) {
      throw this.error(`${name} must be ${typeName(type)}; got ${typeName(arg.arg_type)}`);
    }
    return arg;
  }

  private take(name: string): GenopArg {
    const arg = this.args[this.position];
    if (!arg) throw this.error(`missing ${this.side} arg ${name}`);
    this.position++;
    return arg;
  }
}
