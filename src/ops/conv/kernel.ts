// CONV_2D: reference_ops::Conv (float32) and reference_integer_ops::ConvPerChannel
// (int8), with TFLM's padding and per-channel requantization. Accumulation
// order is the reference loop order: filter row, filter column, input channel.
// An int4 filter is unpacked to int8 first (int4-filter.ts), as TFLM does.

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
import { simd, simdF32, simdReserve, simdTransposedF32 } from '../simd/simd.js';
import { int8Filter, requireInt4Scratch } from '../int4-filter.js';
import { convFloatPacked, convInt8Packed } from './conv-packed.js';

interface ConvState extends SlidingWindow, ConvArithmetic {
  groups: number;
  /** An ungrouped float32 conv with a constant filter of finite weights: convFloatPacked's condition. */
  floatPacked: boolean;
}

function prepare(call: KernelCall): ConvState {
  const input = requireInput(call, 0);
  const filter = requireInput(call, 1);
  const output = requireOutput(call, 0);
  const [, inH, inW, inC] = dims4(input, call);
  const [outC, kH, kW, kC] = dims4(filter, call);
  const [, outH, outW, oC] = dims4(output, call);
  if (oC !== outC || kC === 0 || inC % kC !== 0) throw kernelError(call, 'filter shape does not match input and output');
  requireInt4Scratch(call, filter);
  const arithmetic = convArithmetic(call, input, filter, output, call.inputs[2] ?? null, outC, { biasAtEval: true });
  return {
    ...slidingWindow(call, builtinOptions(call.op, 'Conv2DOptions'), [inH, inW], [kH, kW], [outH, outW]),
    ...arithmetic,
    groups: inC / kC,
    floatPacked: arithmetic.dtype === 'float32' && inC === kC && filter.tensor.kind === 'constant' && f32(filter).every(Number.isFinite),
  };
}

interface ConvShapes {
  batches: number;
  inH: number;
  inW: number;
  inC: number;
  outC: number;
  kH: number;
  kW: number;
  kC: number;
  outH: number;
  outW: number;
}

function invoke(call: KernelCall, s: ConvState): void {
  const input = requireInput(call, 0);
  const filter = requireInput(call, 1);
  const output = requireOutput(call, 0);
  const [batches, inH, inW, inC] = dims4(input, call);
  const [outC, kH, kW, kC] = dims4(filter, call);
  const [, outH, outW] = dims4(output, call);
  const shapes: ConvShapes = { batches, inH, inW, inC, outC, kH, kW, kC, outH, outW };
  const dense = s.groups === 1 && s.dilationW === 1;
  // Separate monomorphic loops: one typed-array type per call site keeps V8's hot loop fast.
  if (s.dtype === 'float32') {
    if (s.floatPacked) convFloatPacked(s, s, shapes, inC, f32(input), f32(filter), f32(output));
    else if (dense) convFloatSimd(s, shapes, f32(input), f32(filter), f32(output));
    else convFloat(s, shapes, f32(input), f32(filter), s.bias, f32(output));
  } else if (s.dtype === 'int8') {
    const w = int8Filter(call, filter);
    // The state keys the filter packed once; a filter computed at run time (not constant) is widened per call.
    if (s.groups === 1 && filter.tensor.kind === 'constant') convInt8Packed(s, s, shapes, inC, i8(input), w, i8(output));
    else if (dense) convInt8Simd(s, shapes, i8(input), w, i8(output));
    else convQuantized(s, shapes, withOffset(i8(input), s.quant!.inputOffset), w, i8(output));
  } else if (dense) convInt16Rows(s, shapes, i16(input), i8(filter), i16(output));
  else convQuantized(s, shapes, i16(input), i8(filter), i16(output));
}

function convFloat(s: ConvState, d: ConvShapes, x: Float32Array, w: Float32Array, b: Float64Array | null, out: Float32Array): void {
  const perGroup = d.outC / s.groups;
  let o = 0;
  for (let n = 0; n < d.batches; n++) {
    for (let oy = 0; oy < d.outH; oy++) {
      const y0 = oy * s.strideH - s.padH;
      for (let ox = 0; ox < d.outW; ox++) {
        const x0 = ox * s.strideW - s.padW;
        for (let oc = 0; oc < d.outC; oc++, o++) {
          const inCBase = ((oc / perGroup) | 0) * d.kC;
          let acc = 0;
          for (let ky = 0; ky < d.kH; ky++) {
            const iy = y0 + s.dilationH * ky;
            if (iy < 0 || iy >= d.inH) continue;
            for (let kx = 0; kx < d.kW; kx++) {
              const ix = x0 + s.dilationW * kx;
              if (ix < 0 || ix >= d.inW) continue;
              const xi = ((n * d.inH + iy) * d.inW + ix) * d.inC + inCBase;
              const wi = ((oc * d.kH + ky) * d.kW + kx) * d.kC;
              // float32 products and sums, rounded at each step in reference order.
              for (let c = 0; c < d.kC; c++) acc = Math.fround(acc + Math.fround(x[xi + c]! * w[wi + c]!));
            }
          }
          out[o] = floatOutput(s, acc, b, oc);
        }
      }
    }
  }
}

const floatOutput = (s: ConvState, acc: number, b: Float64Array | null, oc: number): number => {
  const v = Math.fround(acc + (b ? b[oc]! : 0));
  const lo = v < s.floatMin ? s.floatMin : v;
  return s.floatMax < lo ? s.floatMax : lo;
};

/** int8 (input already offset) and 16x8: exact integer sums, requantized as the TFLM kernel does. */
function convQuantized(s: ConvState, d: ConvShapes, x: Int16Array, w: Int8Array, out: Int8Array | Int16Array): void {
  const { batches, inH, inW, inC, outC, kH, kW, kC, outH, outW } = d;
  const { strideH, strideW, padH, padW, dilationH, dilationW, requantize } = s;
  const perGroup = outC / s.groups;
  let o = 0;
  for (let n = 0; n < batches; n++) {
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * strideH - padH;
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * strideW - padW;
        for (let oc = 0; oc < outC; oc++, o++) {
          const inCBase = ((oc / perGroup) | 0) * kC;
          let acc = 0;
          for (let ky = 0; ky < kH; ky++) {
            const iy = y0 + dilationH * ky;
            if (iy < 0 || iy >= inH) continue;
            for (let kx = 0; kx < kW; kx++) {
              const ix = x0 + dilationW * kx;
              if (ix < 0 || ix >= inW) continue;
              const xi = ((n * inH + iy) * inW + ix) * inC + inCBase;
              const wi = ((oc * kH + ky) * kW + kx) * kC;
              // Partial sums stay far below 2^53: exact; requantize wraps to int32 where TFLM does.
              for (let c = 0; c < kC; c++) acc += w[wi + c]! * x[xi + c]!;
            }
          }
          out[o] = requantize(acc, oc);
        }
      }
    }
  }
}

/**
 * The window of an ungrouped conv without horizontal dilation, row by row (for
 * 16x8; kernels.wat's convDense walks it the same way for int8 and float32).
 * For one filter row, the in-bounds filter columns read consecutive pixels, so
 * the input is one contiguous run (`len` elements from `xi`) and so is each
 * output channel's filter (from `wk` within it). `row` is called for every
 * in-bounds filter row of an output pixel, in reference order, with the
 * pixel's first output element `o`.
 */
function denseRows(s: ConvState, d: ConvShapes, row: (xi: number, wk: number, len: number, o: number) => void): void {
  const { batches, inH, inW, inC, outC, kH, kW, outH, outW } = d;
  const { strideH, strideW, padH, padW, dilationH } = s;
  const filterRow = kW * inC;
  let o = 0;
  for (let n = 0; n < batches; n++) {
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * strideH - padH;
      for (let ox = 0; ox < outW; ox++, o += outC) {
        const x0 = ox * strideW - padW;
        const kx0 = x0 < 0 ? -x0 : 0;
        const kx1 = Math.min(kW, inW - x0);
        if (kx1 > kx0) {
          for (let ky = 0; ky < kH; ky++) {
            const iy = y0 + dilationH * ky;
            if (iy < 0 || iy >= inH) continue;
            row(((n * inH + iy) * inW + x0 + kx0) * inC, ky * filterRow + kx0 * inC, (kx1 - kx0) * inC, o);
          }
        }
      }
    }
  }
}

/** The window walk of denseRows, in the SIMD module (no call per filter row). */
function convDenseInSimd(s: ConvState, d: ConvShapes, float: boolean, xAt: number, wAt: number, accAt: number): void {
  simd().convDense(
    float ? 1 : 0, xAt, wAt, accAt,
    d.batches, d.inH, d.inW, d.inC, d.outC, d.kH, d.kW,
    d.outH, d.outW, s.strideH, s.strideW, s.padH, s.padW, s.dilationH,
  );
}

/** int8 in the SIMD module: input offset once into i16, int32 sums that wrap as TFLM's do. */
function convInt8Simd(s: ConvState, d: ConvShapes, x8: Int8Array, w8: Int8Array, out: Int8Array): void {
  const m = int8InSimd(s, d.outC, x8, w8, 0, out.length);
  convDenseInSimd(s, d, false, m.xAt, m.wAt, m.accAt);
  m.requantizeInto(out);
}

/**
 * float32 in the SIMD module, one output channel per lane: the filter is
 * transposed to [filter row][column][input channel][output channel], so each
 * lane adds its products in the reference order (row, column, channel).
 */
function convFloatSimd(s: ConvState, d: ConvShapes, x: Float32Array, w: Float32Array, out: Float32Array): void {
  const { outC } = d;
  const count = out.length;
  const [xAt, wAt, accAt] = simdReserve([x.length * 4, w.length * 4, count * 4]);
  simdF32(xAt, x.length).set(x);
  simdTransposedF32(w, outC, wAt);
  const acc = simdF32(accAt, count);
  acc.fill(0);
  convDenseInSimd(s, d, true, xAt, wAt, accAt);
  for (let i = 0, oc = 0; i < count; i++, oc = oc + 1 === outC ? 0 : oc + 1) out[i] = floatOutput(s, acc[i]!, s.bias, oc);
}

/**
 * 16x8 (TFLM sums in int64 here, so no int32 SIMD): four output channels share
 * each input load; sums of int16 x int8 products stay exact in doubles.
 */
function convInt16Rows(s: ConvState, d: ConvShapes, x: Int16Array, w: Int8Array, out: Int16Array): void {
  const { outC } = d;
  const filterSize = w.length / outC;
  const acc = new Float64Array(out.length);
  denseRows(s, d, (xi, wk, len, o) => {
    let oc = 0;
    for (; oc + 4 <= outC; oc += 4) {
      const w0 = oc * filterSize + wk;
      const w1 = w0 + filterSize;
      const w2 = w1 + filterSize;
      const w3 = w2 + filterSize;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let c = 0; c < len; c++) {
        const xv = x[xi + c]!;
        a0 += w[w0 + c]! * xv;
        a1 += w[w1 + c]! * xv;
        a2 += w[w2 + c]! * xv;
        a3 += w[w3 + c]! * xv;
      }
      acc[o + oc]! += a0;
      acc[o + oc + 1]! += a1;
      acc[o + oc + 2]! += a2;
      acc[o + oc + 3]! += a3;
    }
    for (; oc < outC; oc++) {
      const w0 = oc * filterSize + wk;
      let a = 0;
      for (let c = 0; c < len; c++) a += w[w0 + c]! * x[xi + c]!;
      acc[o + oc]! += a;
    }
  });
  for (let i = 0, oc = 0; i < out.length; i++, oc = oc + 1 === outC ? 0 : oc + 1) out[i] = s.requantize(acc[i]!, oc);
}

export const kernels: Record<string, Kernel<any>> = { CONV_2D: defineKernel<ConvState>({ prepare, invoke, evalInputs: [2] }) };
