// Quantized spill slots (docs/custom-ops.md "Quantized slots", --lossy-spill
// int8): a float32 slice stored as int8 codes after a scale and zero point
// taken from the slice itself. Every step is one IEEE float32 operation, as
// the C runtime does it: Math.fround of a double sum, difference, product or
// quotient of float32 values is that operation's correctly rounded float32
// result (double has more than twice float32's precision), so the codes and
// the values read back are the runtime's, bit for bit.

import { QUANTIZED_HEADER } from './custom-ops.js';

const f32 = Math.fround;

/** Half away from zero, in float32, then toward zero: the runtime's rounding without libm. */
function round(t: number): number {
  return Math.trunc(t >= 0 ? f32(t + 0.5) : f32(t - 0.5));
}

const clampI8 = (n: number): number => (n < -128 ? -128 : n > 127 ? 127 : n);

/** Stores `values` as a quantized slot (QUANTIZED_HEADER + values.length bytes) at the start of `out`. */
export function quantizeSlice(values: Float32Array, out: Uint8Array): void {
  let lo = 0;
  let hi = 0;
  for (const v of values) {
    if (v - v !== 0) continue; // NaN and infinities do not widen the range
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const range = f32(hi - lo);
  // A range past float32's largest value (ends near FLT_MAX) scales each end first.
  let scale = Number.isFinite(range) ? f32(range / 255) : f32(f32(hi / 255) - f32(lo / 255));
  if (scale === 0) scale = 1;
  const zeroPoint = clampI8(-128 - round(f32(lo / scale)));
  const header = new DataView(out.buffer, out.byteOffset, QUANTIZED_HEADER);
  header.setFloat32(0, scale, true);
  header.setInt32(4, zeroPoint, true);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    out[QUANTIZED_HEADER + i] = (v - v === 0 ? clampI8(round(f32(v / scale)) + zeroPoint) : zeroPoint) & 0xff;
  }
}

/** The float32 values a quantized slot (`stored`: header and `out.length` codes) reads back as. */
export function dequantizeSlice(stored: Uint8Array, out: Float32Array): void {
  const header = new DataView(stored.buffer, stored.byteOffset, QUANTIZED_HEADER);
  const scale = header.getFloat32(0, true);
  const zeroPoint = header.getInt32(4, true);
  for (let i = 0; i < out.length; i++) out[i] = f32((((stored[QUANTIZED_HEADER + i]! << 24) >> 24) - zeroPoint) * scale);
}
