// The genop ops that need no model: NOOP, BLAS_SGEMM and MINMAX, unpacked as libvaccel 0.8 unpacks them
// (src/ops/{noop,blas,minmax}.c) and bounded so that no guest can make the host work for minutes.
import { AccelBackendError, type GenopCall } from "../agent/accel-backend";
import { minmax } from "../inference/minmax";
import { type MatrixMultiplier, describeSgemmMismatch } from "../inference/sgemm";
import { GenopArgReader, readFloat32s, readFloat64s } from "./genop-args";
import { VACCEL_EINVAL } from "../vaccel-error-codes";

/** m·n·k of one SGEMM: 1024³ is about 0.1 s of this host's cores; the buffers themselves are bounded by the frame. */
export const MAX_SGEMM_WORK = 1024 ** 3;

/** The args after the op type, read and write, each with libvaccel's reader. */
function readers(op: string, call: GenopCall, reads: number, writes: number) {
  const read = call.readArgs.slice(1);
  if (read.length !== reads || call.writeArgs.length !== writes) {
    throw new AccelBackendError(
      `genop ${op} takes ${reads} read args after the op type and ${writes} write args; got ${read.length} and ${call.writeArgs.length}`,
      VACCEL_EINVAL,
    );
  }
  return {
    read: new GenopArgReader(op, "read", read),
    write: new GenopArgReader(op, "write", call.writeArgs),
  };
}

/** NOOP: nothing but the op type, nothing written; what it measures is the round trip. */
export function runNoop(call: GenopCall): Uint8Array[] {
  readers("NOOP", call, 0, 0);
  return [];
}

/**
 * BLAS_SGEMM: read [m, n, k (INT64), alpha (FLOAT32), A (FLOAT32_ARRAY), lda, B, ldb, beta, ldc]; write [C
 * (FLOAT32_ARRAY)], whose bytes are C's input when beta is not 0. Row-major, no transposes, as vAccel's BLAS plugin.
 */
export async function runSgemm(
  call: GenopCall,
  multiplier: MatrixMultiplier,
  signal: AbortSignal,
): Promise<Uint8Array[]> {
  const { read, write } = readers("BLAS_SGEMM", call, 10, 1);
  const m = read.int64("m");
  const n = read.int64("n");
  const k = read.int64("k");
  const alpha = read.float32("alpha");
  const a = read.float32Array("A");
  const lda = read.int64("lda");
  const b = read.float32Array("B");
  const ldb = read.int64("ldb");
  const beta = read.float32("beta");
  const ldc = read.int64("ldc");
  const c = write.float32Array("C");
  if (m * n * k > MAX_SGEMM_WORK) {
    throw read.error(`m·n·k = ${m * n * k} is past this host's bound of ${MAX_SGEMM_WORK} (1024³)`);
  }
  const sgemm = {
    m,
    n,
    k,
    alpha,
    a: readFloat32s(a.buf),
    lda,
    b: readFloat32s(b.buf),
    ldb,
    beta,
    c: readFloat32s(c.buf),
    ldc,
  };
  const mismatch = describeSgemmMismatch(sgemm);
  if (mismatch) throw read.error(mismatch);
  signal.throwIfAborted();
  const result = await multiplier.sgemm(sgemm);
  return [new Uint8Array(result.buffer, result.byteOffset, result.byteLength)];
}

/**
 * MINMAX: read [indata (doubles), ndata (int), low, high (int thresholds)]; write [outdata (ndata doubles), min,
 * max (a double each)]. libvaccel casts each buffer, so only sizes are checked. Upstream leaves the meaning to the
 * plugin (its noop plugin copies the input and writes dummies); this host's is inference/minmax.ts.
 */
export function runMinmax(call: GenopCall): Uint8Array[] {
  const { read, write } = readers("MINMAX", call, 4, 3);
  const indata = read.raw("indata");
  const ndata = read.rawInt32("ndata");
  const low = read.rawInt32("low_threshold");
  const high = read.rawInt32("high_threshold");
  if (ndata < 1 || indata.buf.length !== ndata * 8) {
    throw read.error(
      `indata must hold ndata (${ndata}) doubles; it has ${indata.buf.length} bytes`,
    );
  }
  if (low > high) throw read.error(`low_threshold (${low}) is above high_threshold (${high})`);
  const sizes = { outdata: ndata * 8, min: 8, max: 8 };
  for (const [name, size] of Object.entries(sizes)) {
    const arg = write.raw(name);
    if (arg.buf.length !== size)
      throw write.error(`${name} must be ${size} bytes; got ${arg.buf.length}`);
  }
  const { clamped, min, max } = minmax(readFloat64s(indata.buf), low, high);
  const bytes = (doubles: Float64Array) => new Uint8Array(doubles.buffer);
  return [bytes(clamped), bytes(Float64Array.of(min)), bytes(Float64Array.of(max))];
}
