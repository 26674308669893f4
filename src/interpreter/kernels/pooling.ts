// AVERAGE_POOL_2D and MAX_POOL_2D: reference_ops (float32) and
// reference_integer_ops (int8, int16) pooling. Windows are clipped to the
// image, so padding never enters an average; integer averages round half away
// from zero with C's truncating division.

import {
  activationOf,
  activationRangeFloat,
  activationRangeQuantized,
  clampFloat,
  defineKernel,
  dims4,
  kernelError,
  option,
  requireInput,
  requireOutput,
  viewOf,
  type Kernel,
  type KernelCall,
} from '../kernel.js';
import { slidingWindow, type SlidingWindow } from './conv-params.js';

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
  const filterH = option(call, 'filterHeight', 1);
  const filterW = option(call, 'filterWidth', 1);
  const float = t === 'float32';
  const [min, max] = float ? activationRangeFloat(call, activationOf(call)) : activationRangeQuantized(call, output, activationOf(call));
  return { ...slidingWindow(call, [inH, inW], [filterH, filterW], [outH, outW]), float, filterH, filterW, min, max };
}

function pool(kind: 'average' | 'max') {
  return (call: KernelCall, s: PoolState): void => {
    const input = requireInput(call, 0);
    const output = requireOutput(call, 0);
    const [batches, inH, inW, depth] = dims4(input, call);
    const [, outH, outW] = dims4(output, call);
    const x = viewOf(input);
    const out = viewOf(output);
    const lowest = s.float ? -3.4028234663852886e38 : input.tensor.dtype === 'int8' ? -128 : -32768;
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
            let acc = kind === 'max' ? lowest : 0;
            let count = 0;
            for (let fy = fy0; fy < fy1; fy++) {
              const row = ((n * inH + y0 + fy) * inW + x0) * depth + c;
              for (let fx = fx0; fx < fx1; fx++) {
                const v = x[row + fx * depth]!;
                if (kind === 'max') acc = acc < v ? v : acc;
                else acc = s.float ? Math.fround(acc + v) : acc + v;
                count++;
              }
            }
            if (kind === 'average') {
              if (count === 0) throw kernelError(call, 'a pooling window lies entirely outside the input');
              if (s.float) acc = Math.fround(acc / count);
              else acc = acc > 0 ? Math.trunc((acc + (count >> 1)) / count) : Math.trunc((acc - (count >> 1)) / count);
            }
            out[o] = s.float ? clampFloat(acc, s.min, s.max) : acc < s.min ? s.min : acc > s.max ? s.max : acc;
          }
        }
      }
    }
  };
}

export const kernels: Record<string, Kernel<any>> = {
  AVERAGE_POOL_2D: defineKernel<PoolState>({ prepare, invoke: pool('average') }),
  MAX_POOL_2D: defineKernel<PoolState>({ prepare, invoke: pool('max') }),
};
