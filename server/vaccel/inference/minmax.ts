// MINMAX as this host defines it (upstream leaves its meaning to the plugin): the input's extremes, and the input
// clamped to [low, high].
export interface MinmaxResult {
  clamped: Float64Array;
  min: number;
  max: number;
}

export function minmax(values: Float64Array, low: number, high: number): MinmaxResult {
  const clamped = new Float64Array(values.length);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value < min) min = value;
    if (value > max) max = value;
    clamped[i] = Math.min(Math.max(value, low), high);
  }
  return { clamped, min, max };
}
