// DEPTHWISE_CONV_2D: reference_ops::DepthwiseConv (float32) and
// reference_integer_ops::DepthwiseConvPerChannel (int8). Output channel
// oc = ic * depth_multiplier + m reads input channel ic. An int4 filter is
// unpacked to int8 first (int4-filter.ts), as TFLM does.

import { builtinOptions } from '../../graph/op-options.js';
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
import { convArithmetic, int8InSimd, slidingWindow, withOffset, type ConvArithmetic, type SlidingWindow } from '../conv-params.js';
import { simd, simdF32, simdFloatOutput, simdReserve } from '../simd/simd.js';
import { int8Filter, requireInt4Scratch } from '../int4-filter.js';
import { depthwiseInt8Packed } from './depthwise-packed.js';

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
  const fq = filter.tensor.quantization;
  // TFLM's Prepare (int8 input only) wants as many filter zero points as scales.
  if (input.tensor.dtype === 'int8' && fq && fq.scale.length !== fq.zeroPoint.length) {
    throw kernelError(call, `affine_quantization->scale->size != affine_quantization->zero_point->size (${fq.scale.length} != ${fq.zeroPoint.length})`);
  }
  requireInt4Scratch(call, filter);
  return {
    ...slidingWindow(call, builtinOptions(call.op, 'DepthwiseConv2DOptions'), [inH, inW], [kH, kW], [outH, outW]),
    // TFLM's 16x8 depthwise kernel always accumulates in int64.
    ...convArithmetic(call, input, filter, output, call.inputs[2] ?? null, outC, { int16Accumulator: 'int64', biasAtEval: true }),
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
  // One channel per SIMD lane needs input channel = output channel; 16x8 sums in int64.
  const lanes = s.multiplier === 1;
  if (s.dtype === 'float32') {
    const out = f32(output);
    if (lanes) {
      depthwiseFloatSimd(s, d, f32(input), f32(filter), out);
      return;
    }
    const acc = depthwise(s, d, f32(input), f32(filter), true);
    const b = s.bias;
    for (let i = 0, oc = 0; i < out.length; i++, oc = oc + 1 === outC ? 0 : oc + 1) {
      const v = Math.fround(acc[i]! + (b ? b[oc]! : 0));
      const lo = v < s.floatMin ? s.floatMin : v;
      out[i] = s.floatMax < lo ? s.floatMax : lo;
    }
  } else if (s.dtype === 'int8' && filter.tensor.kind === 'constant') {
    // The state keys the filter packed once.
    depthwiseInt8Packed(s, s, d, inC, s.multiplier, i8(input), int8Filter(call, filter), i8(output));
  } else if (s.dtype === 'int8' && lanes) {
    depthwiseInt8Simd(s, d, i8(input), int8Filter(call, filter), i8(output));
  } else {
    const x = s.dtype === 'int8' ? withOffset(i8(input), s.quant!.inputOffset) : i16(input);
    const out = s.dtype === 'int8' ? i8(output) : i16(output);
    const acc = depthwise(s, d, x, int8Filter(call, filter), false);
    for (let i = 0, oc = 0; i < out.length; i++, oc = oc + 1 === outC ? 0 : oc + 1) out[i] = s.requantize(acc[i]!, oc);
  }
}

/**
 * Every in-bounds filter tap of every output pixel, in the reference order
 * (filter row, then column; kernels.wat's depthwiseDense walks the same way): the first element of the input pixel `xb`, of
 * the tap's filter values `wb` and of the output pixel `o`.
 */
function forEachTap(s: DepthwiseState, d: DepthwiseShapes, tap: (xb: number, wb: number, o: number) => void): void {
  const { batches, inH, inW, inC, kH, kW, outC, outH, outW } = d;
  let o = 0;
  for (let n = 0; n < batches; n++) {
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * s.strideH - s.padH;
      for (let ox = 0; ox < outW; ox++, o += outC) {
        const x0 = ox * s.strideW - s.padW;
        for (let ky = 0; ky < kH; ky++) {
          const iy = y0 + s.dilationH * ky;
          if (iy < 0 || iy >= inH) continue;
          for (let kx = 0; kx < kW; kx++) {
            const ix = x0 + s.dilationW * kx;
            if (ix < 0 || ix >= inW) continue;
            tap(((n * inH + iy) * inW + ix) * inC, (ky * kW + kx) * outC, o);
          }
        }
      }
    }
  }
}

/** Sums per output element (bias not added); output channel oc reads input channel floor(oc / depth_multiplier). */
function depthwise(s: DepthwiseState, d: DepthwiseShapes, x: Float32Array | Int16Array, w: Float32Array | Int8Array, float: boolean): Float64Array {
  const { outC, outH, outW, batches } = d;
  const dm = s.multiplier;
  const acc = new Float64Array(batches * outH * outW * outC);
  forEachTap(s, d, (xb, wb, o) => {
    if (float) {
      for (let oc = 0; oc < outC; oc++) acc[o + oc] = Math.fround(acc[o + oc]! + Math.fround(x[xb + ((oc / dm) | 0)]! * w[wb + oc]!));
    } else {
      for (let oc = 0; oc < outC; oc++) acc[o + oc]! += w[wb + oc]! * x[xb + ((oc / dm) | 0)]!;
    }
  });
  return acc;
}

/** forEachTap's walk in the SIMD module (no call per tap), one channel per lane. */
function depthwiseInSimd(s: DepthwiseState, d: DepthwiseShapes, float: boolean, xAt: number, wAt: number, accAt: number): void {
  simd().depthwiseDense(
    float ? 1 : 0, xAt, wAt, accAt,
    d.batches, d.inH, d.inW, d.outC, d.kH, d.kW,
    d.outH, d.outW, s.strideH, s.strideW, s.padH, s.padW, s.dilationH, s.dilationW,
  );
}

/** float32 sums in the SIMD module, one channel per lane, taps in reference order. */
function depthwiseFloatSimd(s: DepthwiseState, d: DepthwiseShapes, x: Float32Array, w: Float32Array, out: Float32Array): void {
  const count = d.batches * d.outH * d.outW * d.outC;
  const [xAt, wAt, accAt, biasAt] = simdReserve([x.length * 4, w.length * 4, count * 4, d.outC * 4]);
  simdF32(xAt, x.length).set(x);
  simdF32(wAt, w.length).set(w);
  simdF32(accAt, count).fill(0);
  // No bias adds +0, as TFLM's bias_value does.
  simdF32(biasAt, d.outC).set(s.bias ?? new Float64Array(d.outC));
  depthwiseInSimd(s, d, true, xAt, wAt, accAt);
  simdFloatOutput(accAt, count, d.outC, biasAt, s.floatMin, s.floatMax, out);
}

/** int8 in the SIMD module: input offset once into i16, int32 sums, TFLM's output step. */
function depthwiseInt8Simd(s: DepthwiseState, d: DepthwiseShapes, x8: Int8Array, w8: Int8Array, out: Int8Array): void {
  const m = int8InSimd(s, d.outC, x8, w8, 0, out.length);
  depthwiseInSimd(s, d, false, m.xAt, m.wAt, m.accAt);
  m.requantizeInto(out);
}

export const kernels: Record<string, Kernel<any>> = { DEPTHWISE_CONV_2D: defineKernel<DepthwiseState>({ prepare, invoke, evalInputs: [2] }) };
