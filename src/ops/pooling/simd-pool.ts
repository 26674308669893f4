// MAX_POOL_2D and AVERAGE_POOL_2D of int8 and float32 in the SIMD module
// (pool.wat), a vector of channels per step: the arithmetic of pooling's
// generic loop (windows clipped to the image; int32 sums, averages rounded
// half away from zero with C's truncating division; float32 maxima as
// std::max takes them; then the activation clamp), without its cost per
// element in JavaScript.

import type { SlidingWindow } from '../conv-params.js';
import { simd, simdF32, simdI8, simdReserve } from '../simd/simd.js';

export interface PoolShape {
  batches: number;
  inH: number;
  inW: number;
  depth: number;
  outH: number;
  outW: number;
  filterH: number;
  filterW: number;
}

/** Returns false when a window lies entirely outside the input (an average TFLM cannot take). */
export function poolInt8(kind: 'average' | 'max', s: SlidingWindow & { min: number; max: number }, d: PoolShape, x: Int8Array, out: Int8Array): boolean {
  const { batches, inH, inW, depth, outH, outW, filterH, filterW } = d;
  // 16 bytes past the input and the output: pool reads and stores whole vectors of a depth below 16.
  const [xAt, outAt, sumsAt] = simdReserve([x.length + 16, out.length + 16, 64]);
  simdI8(xAt, x.length).set(x);
  const k = simd();
  const shape = [batches, inH, inW, depth, outH, outW, filterH, filterW, s.strideH, s.strideW, s.padH, s.padW, s.min, s.max] as const;
  if (kind === 'max') k.pool(xAt, outAt, ...shape, 0);
  else if (!k.averagePoolI8(xAt, outAt, ...shape, sumsAt)) return false;
  out.set(simdI8(outAt, out.length));
  return true;
}

/** float32 bits as an int32 (the float32 clamp bounds pool takes in its i32 parameters). */
const bits = (v: number): number => new Int32Array(Float32Array.of(v).buffer)[0]!;

/**
 * float32 MAX_POOL_2D (reference_ops::MaxPool: maxima from -FLT_MAX by std::max) or AVERAGE_POOL_2D (sums in the
 * window's order over the taps inside the input), then the activation clamp to [min, max]. False when an average's
 * window lies entirely outside the input (nothing computed).
 */
export function poolFloat(kind: 'average' | 'max', s: SlidingWindow & { min: number; max: number }, d: PoolShape, x: Float32Array, out: Float32Array): boolean {
  const { batches, inH, inW, depth, outH, outW, filterH, filterW } = d;
  // 16 bytes past the input and the output: a depth below 4 reads and stores whole vectors.
  const [xAt, outAt] = simdReserve([4 * x.length + 16, 4 * out.length + 16]);
  simdF32(xAt, x.length).set(x);
  const shape = [batches, inH, inW, depth, outH, outW, filterH, filterW, s.strideH, s.strideW, s.padH, s.padW] as const;
  if (!simd().pool(xAt, outAt, ...shape, bits(s.min), bits(s.max), kind === 'max' ? 1 : 2)) return false;
  out.set(simdF32(outAt, out.length));
  return true;
}
