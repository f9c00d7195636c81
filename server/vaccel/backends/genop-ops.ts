// The genop op types the onnxruntime backend serves, and how their args are laid out.

/**
 * vAccel 0.8's vaccel_op_type_t (include/vaccel/op.h) numbers IMAGE_CLASSIFY 3; releases before 0.7
 * numbered it 2. Its genop args: read [op, image], write [text, image name].
 */
export const GENOP_IMAGE_CLASSIFY = 3;

/**
 * The playground's OCR op. vAccel has no op that reads text, so it takes a number far past its last
 * (OPENCV, 23) where no upstream op will land. Args: read [op, PNG or JPEG bytes]; write [text as
 * UTF-8, and optionally the lines as JSON: [{text, score, box: {x, y, width, height}}]].
 */
export const GENOP_OCR = 1000;

/** The op type as libvaccel sends it in genop's first read arg: a 4-byte little-endian enum. */
export function encodeGenopOp(op: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, op, true);
  return bytes;
}
