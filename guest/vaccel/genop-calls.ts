// Each genop op as a guest calls it: the args packed as libvaccel 0.8 packs them, the reply read back.
import {
  packArg,
  readCString,
  readFloat32s,
  readFloat64s,
  writeArg,
} from "../../server/vaccel/backends/genop-args";
import { GENOP_OCR, GenopOp } from "../../server/vaccel/backends/genop-ops";
import type { VaccelClient } from "../../server/vaccel/client/vaccel-client";
import type { MinmaxResult } from "../../server/vaccel/inference/minmax";
import type { SgemmCall } from "../../server/vaccel/inference/sgemm";
import type { TextBox } from "../../server/vaccel/inference/text-detection";
import type { CallOptions } from "../../server/vaccel/ttrpc/ttrpc-client";
import { ArgType } from "../../server/vaccel/vaccel-protocol";

/** Room for a text result in a write arg: libvaccel's RPC plugin copies the reply into the guest's buffer. */
export const TEXT_RESULT_BYTES = 4096;
/** Room for IMAGE_DETECT's boxes as JSON. */
export const BOXES_RESULT_BYTES = 64 * 1024;

export async function genopNoop(
  client: VaccelClient,
  sessionId: number,
  options?: CallOptions,
): Promise<void> {
  await client.genop(sessionId, [packArg.op(GenopOp.NOOP)], [], options);
}

/** Offloads C = alpha·A·B + beta·C; returns the new C (ldc-strided, as given). */
export async function genopSgemm(
  client: VaccelClient,
  sessionId: number,
  call: SgemmCall,
  options?: CallOptions,
): Promise<Float32Array> {
  const [c] = await client.genop(
    sessionId,
    [
      packArg.op(GenopOp.BLAS_SGEMM),
      packArg.int64(call.m),
      packArg.int64(call.n),
      packArg.int64(call.k),
      packArg.float32(call.alpha),
      packArg.float32Array(call.a),
      packArg.int64(call.lda),
      packArg.float32Array(call.b),
      packArg.int64(call.ldb),
      packArg.float32(call.beta),
      packArg.int64(call.ldc),
    ],
    [packArg.float32Array(call.c)],
    options,
  );
  return readFloat32s(c);
}

/** MINMAX's args are raw C values, as upstream's test packs them (type RAW, read by casting). */
export async function genopMinmax(
  client: VaccelClient,
  sessionId: number,
  values: Float64Array,
  low: number,
  high: number,
  options?: CallOptions,
): Promise<MinmaxResult> {
  const int = (value: number) => packArg.raw(new Uint8Array(Int32Array.of(value).buffer));
  const [clamped, min, max] = await client.genop(
    sessionId,
    [
      packArg.op(GenopOp.MINMAX),
      packArg.raw(new Uint8Array(values.buffer, values.byteOffset, values.byteLength)),
      int(values.length),
      int(low),
      int(high),
    ],
    [writeArg(ArgType.RAW, values.byteLength), writeArg(ArgType.RAW, 8), writeArg(ArgType.RAW, 8)],
    options,
  );
  return { clamped: readFloat64s(clamped), min: readFloat64s(min)[0], max: readFloat64s(max)[0] };
}

/** IMAGE_CLASSIFY: write [out_imgname, out_text]; returns the text. */
export async function genopClassify(
  client: VaccelClient,
  sessionId: number,
  image: Uint8Array,
  options?: CallOptions,
): Promise<string> {
  const [, text] = await client.genop(
    sessionId,
    [packArg.op(GenopOp.IMAGE_CLASSIFY), packArg.buffer(image)],
    [
      writeArg(ArgType.UCHAR_ARRAY, TEXT_RESULT_BYTES),
      writeArg(ArgType.UCHAR_ARRAY, TEXT_RESULT_BYTES),
    ],
    options,
  );
  return readCString(text);
}

/** IMAGE_DETECT: write [out_imgname], which this host fills with the boxes as JSON. */
export async function genopDetect(
  client: VaccelClient,
  sessionId: number,
  image: Uint8Array,
  options?: CallOptions,
): Promise<TextBox[]> {
  const [boxes] = await client.genop(
    sessionId,
    [packArg.op(GenopOp.IMAGE_DETECT), packArg.buffer(image)],
    [writeArg(ArgType.UCHAR_ARRAY, BOXES_RESULT_BYTES)],
    options,
  );
  return JSON.parse(readCString(boxes)) as TextBox[];
}

/** The playground's OCR op: write [text]. */
export async function genopOcr(
  client: VaccelClient,
  sessionId: number,
  image: Uint8Array,
  options?: CallOptions,
): Promise<string> {
  const [text] = await client.genop(
    sessionId,
    [packArg.op(GENOP_OCR), packArg.buffer(image)],
    [writeArg(ArgType.UCHAR_ARRAY, TEXT_RESULT_BYTES)],
    options,
  );
  return readCString(text);
}
