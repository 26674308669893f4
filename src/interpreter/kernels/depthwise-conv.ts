// DEPTHWISE_CONV_2D: reference_ops::DepthwiseConv (float32) and
// reference_integer_ops::DepthwiseConvPerChannel (int8). Output channel
// oc = ic * depth_multiplier + m reads input channel ic.

import {
  defineKernel,
  dims4,
  f32,
  i16,
  i8,
  kernelError,
  requireInput,
  requireOutput,
  type Kernel,
  type KernelCall,
} from '../kernel.js';
import { convArithmetic, slidingWindow, withOffset, type ConvArithmetic, type SlidingWindow } from './conv-params.js';

interface DepthwiseState extends SlidingWindow, ConvArithmetic {
  multiplier: number;
}

function prepare(call: KernelCall): DepthwiseState {
  const input = requireInput(call, 0);
  const filter = requireInput(call, 1);
  const output = requireOutput(call, 0);
  const [, inH, inW, inC] = dims4(input, call);
  const [one, kH, kW, kC] = dims4(filter, call);
  const [, outH, outW, outC] = dims4(output, call);
  if (one !== 1 || kC !== outC || inC === 0 || outC % inC !== 0) throw kernelError(call, 'filter shape does not match input and output');
  return {
    ...slidingWindow(call, [inH, inW], [kH, kW], [outH, outW]),
    // TFLM's 16x8 depthwise kernel always accumulates in int64.
    ...convArithmetic(call, input, filter, output, call.inputs[2] ?? null, outC, { int16Accumulator: 'int64' }),
    multiplier: outC / inC,
  };
}

interface DepthwiseShapes {
  batches: number;
  inH: number;
  inW: number;
  inC: number;
  kH: number;
  kW: number;
  outC: number;
  outH: number;
  outW: number;
}

function invoke(call: KernelCall, s: DepthwiseState): void {
  const input = requireInput(call, 0);
  const filter = requireInput(call, 1);
  const output = requireOutput(call, 0);
  const [batches, inH, inW, inC] = dims4(input, call);
  const [, kH, kW, outC] = dims4(filter, call);
  const [, outH, outW] = dims4(output, call);
  const d: DepthwiseShapes = { batches, inH, inW, inC, kH, kW, outC, outH, outW };
  const acc = new Float64Array(outC);
  if (s.dtype === 'float32') {
    const out = f32(output);
    const b = s.bias;
    depthwise(s, d, f32(input), f32(filter), acc, true, (o) => {
      for (let oc = 0; oc < outC; oc++) {
        const v = Math.fround(acc[oc]! + (b ? b[oc]! : 0));
        const lo = v < s.floatMin ? s.floatMin : v;
        out[o + oc] = s.floatMax < lo ? s.floatMax : lo;
      }
    });
  } else {
    const x = s.dtype === 'int8' ? withOffset(i8(input), s.quant!.inputOffset) : i16(input);
    const out = s.dtype === 'int8' ? i8(output) : i16(output);
    depthwise(s, d, x, i8(filter), acc, false, (o) => {
      for (let oc = 0; oc < outC; oc++) out[o + oc] = s.requantize(acc[oc]!, oc);
    });
  }
}

/**
 * Per output pixel, sums filter taps in the reference order (filter row, then
 * column) for all channels at once: channel-inner loops read memory in order.
 * Output channel oc reads input channel floor(oc / depth_multiplier).
 */
function depthwise(
  s: DepthwiseState,
  d: DepthwiseShapes,
  x: Float32Array | Int16Array,
  w: Float32Array | Int8Array,
  acc: Float64Array,
  float: boolean,
  emit: (outOffset: number) => void,
): void {
  const { batches, inH, inW, inC, kH, kW, outC, outH, outW } = d;
  const dm = s.multiplier;
  for (let n = 0; n < batches; n++) {
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * s.strideH - s.padH;
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * s.strideW - s.padW;
        acc.fill(0);
        for (let ky = 0; ky < kH; ky++) {
          const iy = y0 + s.dilationH * ky;
          if (iy < 0 || iy >= inH) continue;
          for (let kx = 0; kx < kW; kx++) {
            const ix = x0 + s.dilationW * kx;
            if (ix < 0 || ix >= inW) continue;
            const xb = ((n * inH + iy) * inW + ix) * inC;
            const wb = (ky * kW + kx) * outC;
            if (float) {
              for (let oc = 0; oc < outC; oc++) acc[oc] = Math.fround(acc[oc]! + Math.fround(x[xb + ((oc / dm) | 0)]! * w[wb + oc]!));
            } else if (dm === 1) {
              for (let oc = 0; oc < outC; oc++) acc[oc] += w[wb + oc]! * x[xb + oc]!;
            } else {
              for (let oc = 0; oc < outC; oc++) acc[oc] += w[wb + oc]! * x[xb + ((oc / dm) | 0)]!;
            }
          }
        }
        emit(((n * outH + oy) * outW + ox) * outC);
      }
    }
  }
}

export const kernels: Record<string, Kernel<any>> = { DEPTHWISE_CONV_2D: defineKernel<DepthwiseState>({ prepare, invoke }) };
