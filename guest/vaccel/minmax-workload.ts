// The MINMAX the demo offloads: N doubles with known extremes planted in them, and how its result is checked.
import type { MinmaxResult } from "../../server/vaccel/inference/minmax";

/** The thresholds upstream's test uses (test/ops/test_minmax.cpp). */
export const MINMAX_LOW = 0;
export const MINMAX_HIGH = 4000;
const PLANTED_MIN = -1234.5;
const PLANTED_MAX = 5678.25;

/** Values in [-1000, 4003) with the extremes planted at both ends, so the answer is known without a scan. */
export function minmaxWorkload(count: number): Float64Array {
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) values[i] = ((i * 7919) % 10007) * 0.5 - 1000;
  values[0] = PLANTED_MIN;
  if (count > 1) values[count - 1] = PLANTED_MAX;
  return values;
}

/** Checks the extremes and a few clamped values; throws on a wrong answer, so a fast wrong one never passes. */
export function verifyMinmax(values: Float64Array, result: MinmaxResult): string {
  const expectedMax = values.length > 1 ? PLANTED_MAX : PLANTED_MIN;
  if (result.min !== PLANTED_MIN || result.max !== expectedMax) {
    throw new Error(
      `MINMAX answered min ${result.min}, max ${result.max}; expected ${PLANTED_MIN}, ${expectedMax}`,
    );
  }
  const step = Math.max(1, Math.floor(values.length / 8));
  let checked = 0;
  for (let i = 0; i < values.length; i += step) {
    const expected = Math.min(Math.max(values[i], MINMAX_LOW), MINMAX_HIGH);
    if (result.clamped[i] !== expected) {
      throw new Error(`MINMAX clamped value ${i} is ${result.clamped[i]}, expected ${expected}`);
    }
    checked++;
  }
  return `${values.length} values: min ${result.min}, max ${result.max}, ${checked} clamped values verified`;
}
