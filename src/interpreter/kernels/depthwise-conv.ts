// DEPTHWISE_CONV_2D: reference_ops::DepthwiseConv (float32) and
// reference_integer_ops::DepthwiseConvPerChannel (int8). Output channel
// oc = ic * depth_multiplier + m reads input channel ic.

import { multiplyByQuantizedMultiplier } from '../fixed-point.js';
import {
  defineKernel,
  dims4,
  f32,
  i32,
  i8,
  kernelError,
  requireInput,
  requireOutput,
  type Kernel,
  type KernelCall,
} from '../kernel.js';
import { convArithmetic, slidingWindow, type ConvArithmetic, type SlidingWindow } from './conv-params.js';

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
    ...convArithmetic(call, input, filter, output, outC),
    multiplier: outC / inC,
  };
}

function invoke(call: KernelCall, s: DepthwiseState): void {
  const input = requireInput(call, 0);
  const filter = requireInput(call, 1);
  const bias = call.inputs[2] ?? null;
  const output = requireOutput(call, 0);
  const [batches, inH, inW, inC] = dims4(input, call);
  const [, kH, kW, outC] = dims4(filter, call);
  const [, outH, outW] = dims4(output, call);
  const float = s.dtype === 'float32';
  const x = float ? f32(input) : i8(input);
  const w = float ? f32(filter) : i8(filter);
  const b = bias ? (float ? f32(bias) : i32(bias)) : null;
  const out = float ? f32(output) : i8(output);
  const q = s.quant;
  const inOff = q ? q.inputOffset : 0;
  const dm = s.multiplier;
  for (let n = 0; n < batches; n++) {
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * s.strideH - s.padH;
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * s.strideW - s.padW;
        const obase = ((n * outH + oy) * outW + ox) * outC;
        for (let ic = 0; ic < inC; ic++) {
          for (let m = 0; m < dm; m++) {
            const oc = ic * dm + m;
            let acc = 0;
            for (let ky = 0; ky < kH; ky++) {
              const iy = y0 + s.dilationH * ky;
              if (iy < 0 || iy >= inH) continue;
              for (let kx = 0; kx < kW; kx++) {
                const ix = x0 + s.dilationW * kx;
                if (ix < 0 || ix >= inW) continue;
                const xv = x[((n * inH + iy) * inW + ix) * inC + ic]!;
                const wv = w[(ky * kW + kx) * outC + oc]!;
                if (float) acc = Math.fround(acc + Math.fround(xv * wv));
                else acc += wv * (xv + inOff);
              }
            }
            if (float) {
              const v = Math.fround(acc + (b ? b[oc]! : 0));
              const lo = v < s.floatMin ? s.floatMin : v;
              out[obase + oc] = s.floatMax < lo ? s.floatMax : lo;
            } else {
              let v = (acc + (b ? b[oc]! : 0)) | 0;
              v = multiplyByQuantizedMultiplier(v, q!.multipliers[oc]!, q!.shifts[oc]!) + q!.outputOffset;
              out[obase + oc] = v < q!.qmin ? q!.qmin : v > q!.qmax ? q!.qmax : v;
            }
          }
        }
      }
    }
  }
}

export const kernels: Record<string, Kernel<any>> = { DEPTHWISE_CONV_2D: defineKernel<DepthwiseState>({ prepare, invoke }) };
