// The genop op types as libvaccel 0.8 numbers them, and what this host does with each.

/**
 * vaccel_op_type_t, in the order of VACCEL_OP_TYPE_ENUM_LIST in include/vaccel/op.h at vAccel v0.8.0 (commit
 * 5746e10, "chore: Release v0.8.0"): NOOP is 0 and each next op is one more. Releases before 0.7 numbered
 * IMAGE_CLASSIFY 2.
 */
export const GenopOp = {
  NOOP: 0,
  EXEC: 1,
  EXEC_WITH_RESOURCE: 2,
  IMAGE_CLASSIFY: 3,
  IMAGE_DETECT: 4,
  IMAGE_SEGMENT: 5,
  IMAGE_POSE: 6,
  IMAGE_DEPTH: 7,
  TF_MODEL_LOAD: 8,
  TF_MODEL_UNLOAD: 9,
  TF_MODEL_RUN: 10,
  TFLITE_MODEL_LOAD: 11,
  TFLITE_MODEL_UNLOAD: 12,
  TFLITE_MODEL_RUN: 13,
  TORCH_MODEL_LOAD: 14,
  TORCH_MODEL_RUN: 15,
  TORCH_SGEMM: 16,
  BLAS_SGEMM: 17,
  FPGA_ARRAYCOPY: 18,
  FPGA_MMULT: 19,
  FPGA_PARALLEL: 20,
  FPGA_VECTORADD: 21,
  MINMAX: 22,
  OPENCV: 23,
} as const;

/** vAccel 0.8's VACCEL_OP_MAX: libvaccel's genop refuses an op type at or past it. */
export const GENOP_OP_COUNT = 24;

/**
 * The playground's OCR op. vAccel has no op that reads text, and the op type travels as one byte, so it takes
 * 200: past upstream's last (OPENCV, 23) with room for upstream to grow. Args: read [op, image as BUFFER];
 * write [text, and optionally the lines as JSON: [{text, score, box: {x, y, width, height}}]], UCHAR_ARRAY each.
 */
export const GENOP_OCR = 200;

/** The op type's bytes as libvaccel packs genop's first read arg: one byte (vaccel_arg_array_add_uint8). */
export function encodeGenopOp(op: number): Uint8Array {
  return Uint8Array.of(op);
}

const opNames = new Map<number, string>([
  ...Object.entries(GenopOp).map(([name, op]) => [op, name] as [number, string]),
  [GENOP_OCR, "OCR"],
]);

/** The op's name as op.h spells it (without VACCEL_OP_), or "op N" for a number no release defines. */
export function genopOpName(op: number | undefined): string {
  if (op === undefined) return "(missing op type)";
  return opNames.get(op) ?? `op ${op}`;
}

/** Ops that would run code a guest chose on the host (a shared library's symbol): never served here. */
export const hostCodeOps: ReadonlySet<number> = new Set<number>([
  GenopOp.EXEC,
  GenopOp.EXEC_WITH_RESOURCE,
]);
