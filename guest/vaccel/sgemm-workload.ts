// The SGEMM the demo offloads: N×N matrices generated the same way everywhere, and how its result is checked.
import { type SgemmCall, sgemmElement } from "../../server/vaccel/inference/sgemm";

/**
 * C = A·B for N×N matrices of multiples of 1/8 in [-1, 1]: every product is a multiple of 1/64 and every sum of
 * up to 512 of them fits float32's 24-bit mantissa, so C is exact whatever order a kernel adds in, and every
 * sandbox, the host and the reference print the same sum. alpha 1, beta 0; C starts zeroed.
 */
export function sgemmWorkload(size: number): SgemmCall {
  const a = new Float32Array(size * size);
  const b = new Float32Array(size * size);
  for (let i = 0; i < size * size; i++) {
    a[i] = (((i * 7) % 17) - 8) / 8;
    b[i] = (((i * 5) % 13) - 6) / 8;
  }
  return {
    m: size,
    n: size,
    k: size,
    alpha: 1,
    a,
    lda: size,
    b,
    ldb: size,
    beta: 0,
    c: new Float32Array(size * size),
    ldc: size,
  };
}

/** Elements checked against a double-precision dot product: corners, the centre and a few in between. */
export function spotElements(size: number): Array<[number, number]> {
  const last = size - 1;
  const mid = Math.floor(size / 2);
  return [
    [0, 0],
    [0, last],
    [last, 0],
    [last, last],
    [mid, mid],
    [1, mid],
    [mid, 1],
    [Math.floor(size / 3), Math.floor((2 * size) / 3)],
  ];
}

/**
 * The result in one line: the sum of C (one number to compare across modes) and how many spot elements matched.
 * Throws when one does not, so a wrong product never passes for a fast one.
 */
export function verifySgemm(call: SgemmCall, c: Float32Array): string {
  const c0 = new Float32Array(call.m * call.ldc);
  const spots = spotElements(call.m);
  for (const [i, j] of spots) {
    const expected = sgemmElement(call, c0, i, j);
    const got = c[i * call.ldc + j];
    if (got !== expected) {
      throw new Error(`SGEMM result is wrong at C[${i}][${j}]: ${got}, expected ${expected}`);
    }
  }
  let sum = 0;
  for (let i = 0; i < call.m; i++) {
    for (let j = 0; j < call.n; j++) sum += c[i * call.ldc + j];
  }
  return `${call.m}×${call.n}×${call.k} sgemm: sum(C) ${sum.toFixed(3)}, ${spots.length}/${spots.length} spot elements verified`;
}
