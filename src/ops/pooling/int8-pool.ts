// int8 AVERAGE_POOL_2D and MAX_POOL_2D (reference_integer_ops) on int8 views
// only: pooling's generic loop reads whichever typed array the dtype gives,
// and one element access site serving several array types is slow in V8. The
// arithmetic is the generic loop's: windows clipped to the image, int32 sums,
// averages rounded half away from zero with C's truncating division, then
// the activation clamp. MAX_POOL_2D runs in the SIMD module (pool.wat), 16
// channels at a time.

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
  if (kind === 'max') {
    const [xAt, outAt] = simdReserve([x.length, out.length]);
    simdI8(xAt, x.length).set(x);
    simd().maxPoolI8(xAt, outAt, batches, inH, inW, depth, outH, outW, filterH, filterW, s.strideH, s.strideW, s.padH, s.padW, s.min, s.max);
    out.set(simdI8(outAt, out.length));
    return true;
  }
  const acc = new Int32Array(depth);
  let o = 0;
  for (let n = 0; n < batches; n++) {
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * s.strideH - s.padH;
      const fy0 = Math.max(0, -y0);
      const fy1 = Math.min(filterH, inH - y0);
      for (let ox = 0; ox < outW; ox++, o += depth) {
        const x0 = ox * s.strideW - s.padW;
        const fx0 = Math.max(0, -x0);
        const fx1 = Math.min(filterW, inW - x0);
        const count = Math.max(0, fy1 - fy0) * Math.max(0, fx1 - fx0);
        if (count === 0) return false;
        acc.fill(0);
        for (let fy = fy0; fy < fy1; fy++) {
          for (let fx = fx0; fx < fx1; fx++) {
            const at = ((n * inH + y0 + fy) * inW + x0 + fx) * depth;
            for (let c = 0; c < depth; c++) acc[c]! += x[at + c]!;
          }
        }
        const half = count >> 1;
        for (let c = 0; c < depth; c++) {
          const sum = acc[c]!;
          const v = sum > 0 ? ((sum + half) / count) | 0 : ((sum - half) / count) | 0;
          out[o + c] = v < s.min ? s.min : v > s.max ? s.max : v;
        }
      }
    }
  }
  return true;
}
