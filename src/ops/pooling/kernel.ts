// AVERAGE_POOL_2D and MAX_POOL_2D: reference_ops (float32) and
// reference_integer_ops (int8, int16) pooling; L2_POOL_2D (float32). Windows are clipped to the
// image, so padding never enters an average; integer averages round half away
// from zero with C's truncating division.

import { builtinOptions } from '../../graph/op-options.js';
import {
  activationOf,
  activationRangeFloat,
  activationRangeQuantized,
  clampFloat,
  defineKernel,
  dims4,
  f32,
  i16,
  i8,
  kernelError,
  requireInput,
  requireOutput,
  viewOf,
  type Kernel,
  type KernelCall,
} from '../kernel.js';
import { slidingWindow, type SlidingWindow } from '../conv-params.js';
import { tflmType } from '../tflm-type.js';
import { poolFloat, poolInt8 } from './simd-pool.js';

interface PoolState extends SlidingWindow {
  float: boolean;
  filterH: number;
  filterW: number;
  min: number;
  max: number;
}

function prepare(call: KernelCall): PoolState {
  const input = requireInput(call, 0);
  const output = requireOutput(call, 0);
  const [, inH, inW, inC] = dims4(input, call);
  const [, outH, outW, outC] = dims4(output, call);
  const t = input.tensor.dtype;
  if (t !== output.tensor.dtype || !['float32', 'int8', 'int16'].includes(t)) {
    throw kernelError(call, `types ${t} -> ${output.tensor.dtype} are not supported`);
  }
  if (inC !== outC) throw kernelError(call, 'input and output depths differ');
  const pool = builtinOptions(call.op, 'Pool2DOptions');
  const [filterH, filterW] = [pool.filterHeight, pool.filterWidth];
  const float = t === 'float32';
  const [min, max] = float ? activationRangeFloat(call, activationOf(call)) : activationRangeQuantized(call, output, activationOf(call));
  return { ...slidingWindow(call, pool, [inH, inW], [filterH, filterW], [outH, outW]), float, filterH, filterW, min, max };
}

/**
 * Per output pixel, the window's taps in the reference order (row, then
 * column), each over all channels at once: the channel-inner loop reads the
 * input in memory order, and every channel still sees its taps in order.
 */
function pool(kind: 'average' | 'max') {
  return (call: KernelCall, s: PoolState): void => {
    const input = requireInput(call, 0);
    const output = requireOutput(call, 0);
    const [batches, inH, inW, depth] = dims4(input, call);
    const [, outH, outW] = dims4(output, call);
    // int8 and float32 in the SIMD module; int16 here.
    if (input.tensor.dtype === 'int8' || s.float) {
      const shape = { batches, inH, inW, depth, outH, outW, filterH: s.filterH, filterW: s.filterW };
      const done = s.float ? poolFloat(kind, s, shape, f32(input), f32(output)) : poolInt8(kind, s, shape, i8(input), i8(output));
      if (!done) throw kernelError(call, 'a pooling window lies entirely outside the input');
      return;
    }
    const x = i16(input);
    const out = i16(output);
    const lowest = -32768;
    const acc = new Float64Array(depth);
    let o = 0;
    for (let n = 0; n < batches; n++) {
      for (let oy = 0; oy < outH; oy++) {
        const y0 = oy * s.strideH - s.padH;
        const fy0 = Math.max(0, -y0);
        const fy1 = Math.min(s.filterH, inH - y0);
        for (let ox = 0; ox < outW; ox++, o += depth) {
          const x0 = ox * s.strideW - s.padW;
          const fx0 = Math.max(0, -x0);
          const fx1 = Math.min(s.filterW, inW - x0);
          const count = Math.max(0, fy1 - fy0) * Math.max(0, fx1 - fx0);
          acc.fill(kind === 'max' ? lowest : 0);
          for (let fy = fy0; fy < fy1; fy++) {
            for (let fx = fx0; fx < fx1; fx++) {
              const at = ((n * inH + y0 + fy) * inW + x0 + fx) * depth;
              if (kind === 'max') {
                for (let c = 0; c < depth; c++) if (acc[c]! < x[at + c]!) acc[c] = x[at + c]!;
              } else {
                for (let c = 0; c < depth; c++) acc[c]! += x[at + c]!;
              }
            }
          }
          if (kind === 'average' && count === 0) throw kernelError(call, 'a pooling window lies entirely outside the input');
          for (let c = 0; c < depth; c++) {
            let v = acc[c]!;
            if (kind === 'average') v = v > 0 ? Math.trunc((v + (count >> 1)) / count) : Math.trunc((v - (count >> 1)) / count);
            out[o + c] = v < s.min ? s.min : v > s.max ? s.max : v;
          }
        }
      }
    }
  };
}

// L2_POOL_2D: float32 only (TFLM's Prepare refuses the rest). Per output
// element, in float: the squares of the clipped window summed row by row, then
// sqrt(sum / count) (sqrt is correctly rounded, so one fround), then the clamp.
const L2_POOL_2D = defineKernel<PoolState>({
  prepare(call) {
    const input = requireInput(call, 0);
    const output = requireOutput(call, 0);
    dims4(input, call);
    dims4(output, call);
    if (input.tensor.dtype !== output.tensor.dtype) throw kernelError(call, `${tflmType(input.tensor.dtype)} != ${tflmType(output.tensor.dtype)}`);
    if (input.tensor.dtype !== 'float32') throw kernelError(call, `${tflmType(input.tensor.dtype)} != FLOAT32 (1)`);
    return prepare(call);
  },
  invoke(call, s) {
    const input = requireInput(call, 0);
    const output = requireOutput(call, 0);
    const [batches, inH, inW, depth] = dims4(input, call);
    const [, outH, outW] = dims4(output, call);
    const x = viewOf(input);
    const out = viewOf(output);
    let o = 0;
    for (let n = 0; n < batches; n++) {
      for (let oy = 0; oy < outH; oy++) {
        const y0 = oy * s.strideH - s.padH;
        const fy0 = Math.max(0, -y0);
        const fy1 = Math.min(s.filterH, inH - y0);
        for (let ox = 0; ox < outW; ox++) {
          const x0 = ox * s.strideW - s.padW;
          const fx0 = Math.max(0, -x0);
          const fx1 = Math.min(s.filterW, inW - x0);
          for (let c = 0; c < depth; c++, o++) {
            let sum = 0;
            let count = 0;
            for (let fy = fy0; fy < fy1; fy++) {
              for (let fx = fx0; fx < fx1; fx++) {
                const v = x[((n * inH + y0 + fy) * inW + x0 + fx) * depth + c]!;
                sum = Math.fround(sum + Math.fround(v * v));
                count++;
              }
            }
            out[o] = clampFloat(Math.fround(Math.sqrt(Math.fround(sum / count))), s.min, s.max);
          }
        }
      }
    }
  },
});

export const kernels: Record<string, Kernel<any>> = {
  AVERAGE_POOL_2D: defineKernel<PoolState>({ prepare, invoke: pool('average') }),
  MAX_POOL_2D: defineKernel<PoolState>({ prepare, invoke: pool('max') }),
  L2_POOL_2D,
};
