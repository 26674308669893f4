// CONV_2D: reference_ops::Conv (float32) and reference_integer_ops::ConvPerChannel
// (int8), with TFLM's padding and per-channel requantization. Accumulation
// order is the reference loop order: filter row, filter column, input channel.

import { multiplyByQuantizedMultiplier } from '../fixed-point.js';
import {
  activationOf,
  activationRangeFloat,
  defineKernel,
  dims4,
  f32,
  i32,
  i8,
  kernelError,
  option,
  paddingFor,
  requireInput,
  requireOutput,
  type Kernel,
  type KernelCall,
} from '../kernel.js';
import { convDtype, quantizedConvParams, type QuantizedConvParams } from './conv-params.js';

interface ConvState {
  dtype: 'float32' | 'int8';
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padH: number;
  padW: number;
  groups: number;
  quant: QuantizedConvParams | null;
  floatMin: number;
  floatMax: number;
}

function prepare(call: KernelCall): ConvState {
  const input = requireInput(call, 0);
  const filter = requireInput(call, 1);
  const output = requireOutput(call, 0);
  const [, inH, inW, inC] = dims4(input, call);
  const [outC, kH, kW, kC] = dims4(filter, call);
  const [, outH, outW, oC] = dims4(output, call);
  if (oC !== outC || kC === 0 || inC % kC !== 0) throw kernelError(call, 'filter shape does not match input and output');
  const dtype = convDtype(call, input, filter, output);
  const strideH = option(call, 'strideH', 1);
  const strideW = option(call, 'strideW', 1);
  const dilationH = option(call, 'dilationHFactor', 1);
  const dilationW = option(call, 'dilationWFactor', 1);
  const padding = option(call, 'padding', 0);
  const ph = paddingFor(padding, inH, kH, strideH, dilationH);
  const pw = paddingFor(padding, inW, kW, strideW, dilationW);
  if (ph.out !== outH || pw.out !== outW) throw kernelError(call, `output is ${outH}x${outW}, padding implies ${ph.out}x${pw.out}`);
  const activation = activationOf(call);
  const [floatMin, floatMax] = dtype === 'float32' ? activationRangeFloat(call, activation) : [0, 0];
  return {
    dtype,
    strideH,
    strideW,
    dilationH,
    dilationW,
    padH: ph.pad,
    padW: pw.pad,
    groups: inC / kC,
    quant: dtype === 'int8' ? quantizedConvParams(call, input, filter, output, outC, activation) : null,
    floatMin,
    floatMax,
  };
}

function invoke(call: KernelCall, s: ConvState): void {
  const input = requireInput(call, 0);
  const filter = requireInput(call, 1);
  const bias = call.inputs[2] ?? null;
  const output = requireOutput(call, 0);
  const [batches, inH, inW, inC] = dims4(input, call);
  const [outC, kH, kW, kC] = dims4(filter, call);
  const [, outH, outW] = dims4(output, call);
  const perGroup = outC / s.groups;
  const float = s.dtype === 'float32';
  const x = float ? f32(input) : i8(input);
  const w = float ? f32(filter) : i8(filter);
  const b = bias ? (float ? f32(bias) : i32(bias)) : null;
  const out = float ? f32(output) : i8(output);
  const q = s.quant;
  const inOff = q ? q.inputOffset : 0;
  let o = 0;
  for (let n = 0; n < batches; n++) {
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * s.strideH - s.padH;
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * s.strideW - s.padW;
        for (let oc = 0; oc < outC; oc++, o++) {
          const inCBase = ((oc / perGroup) | 0) * kC;
          let acc = 0;
          for (let ky = 0; ky < kH; ky++) {
            const iy = y0 + s.dilationH * ky;
            if (iy < 0 || iy >= inH) continue;
            for (let kx = 0; kx < kW; kx++) {
              const ix = x0 + s.dilationW * kx;
              if (ix < 0 || ix >= inW) continue;
              const xi = ((n * inH + iy) * inW + ix) * inC + inCBase;
              const wi = ((oc * kH + ky) * kW + kx) * kC;
              if (float) {
                for (let c = 0; c < kC; c++) acc = Math.fround(acc + Math.fround(x[xi + c]! * w[wi + c]!));
              } else {
                // Exact in float64 (|acc| < 2^53); `| 0` below wraps like int32.
                for (let c = 0; c < kC; c++) acc += w[wi + c]! * (x[xi + c]! + inOff);
              }
            }
          }
          if (float) {
            const v = Math.fround(acc + (b ? b[oc]! : 0));
            const lo = v < s.floatMin ? s.floatMin : v;
            out[o] = s.floatMax < lo ? s.floatMax : lo;
          } else {
            let v = (acc + (b ? b[oc]! : 0)) | 0;
            v = multiplyByQuantizedMultiplier(v, q!.multipliers[oc]!, q!.shifts[oc]!) + q!.outputOffset;
            out[o] = v < q!.qmin ? q!.qmin : v > q!.qmax ? q!.qmax : v;
          }
        }
      }
    }
  }
}

export const kernels: Record<string, Kernel<any>> = { CONV_2D: defineKernel<ConvState>({ prepare, invoke }) };
