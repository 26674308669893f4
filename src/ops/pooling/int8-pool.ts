// int8 AVERAGE_POOL_2D and MAX_POOL_2D (reference_integer_ops) in the SIMD
// module (pool.wat), 16 channels per vector: the arithmetic of pooling's
// generic loop (windows clipped to the image, int32 sums, averages rounded
// half away from zero with C's truncating division, then the activation
// clamp), without its cost per element in JavaScript.

import type { SlidingWindow } from '../conv-params.js';
import { simd, simdI8, simdReserve } from '../simd/simd.js';

export interface Int8PoolShape {
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
export function poolInt8(kind: 'average' | 'max', s: SlidingWindow & { min: number; max: number }, d: Int8PoolShape, x: Int8Array, out: Int8Array): boolean {
  const { batches, inH, inW, depth, outH, outW, filterH, filterW } = d;
  // 16 bytes past the input and the output: maxPoolI8 reads and stores whole vectors of a depth below 16.
  const [xAt, outAt, sumsAt] = simdReserve([x.length + 16, out.length + 16, 64]);
  simdI8(xAt, x.length).set(x);
  const k = simd();
  const shape = [batches, inH, inW, depth, outH, outW, filterH, filterW, s.strideH, s.strideW, s.padH, s.padW, s.min, s.max] as const;
  if (kind === 'max') k.maxPoolI8(xAt, outAt, ...shape);
  else if (!k.averagePoolI8(xAt, outAt, ...shape, sumsAt)) return false;
  out.set(simdI8(outAt, out.length));
  return true;
}
