// TRANSPOSE_CONV: reference_ops::TransposeConv (float32, accumulating in the
// output tensor) and reference_integer_ops::TransposeConv (int8, accumulating
// in the int32 scratch buffer TFLM requests in the arena: 4 bytes per output
// element). Inputs: output_shape, filter [O, kH, kW, I], input, optional bias.
// TFLM derives the padding from the output size (transpose_conv.cc).

import { builtinOptions } from '../../graph/op-options.js';
import {
  activationOf,
  defineKernel,
  dims4,
  f32,
  i8,
  kernelError,
  paddingFor,
  requireInput,
  requireOutput,
  scratchI32,
  type Kernel,
  type KernelCall,
} from '../kernel.js';
import { convArithmetic, int8InSimd, type ConvArithmetic, type Int8InSimd } from '../conv-params.js';
import { simd, simdF32, simdReserve, simdTransposedF32 } from '../simd/simd.js';

export interface TransposeConvState extends ConvArithmetic {
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
}

export interface TransposeConvGeometry {
  strideH: number;
  strideW: number;
  padding: number;
  activation: number;
}

/**
 * Shapes, padding and requantization shared by TRANSPOSE_CONV and TinySeg's
 * gather variant; `accumulatorBytes` is the int32 scratch the int8 kernel needs.
 */
export function prepareTransposeConv(
  call: KernelCall,
  g: TransposeConvGeometry,
  accumulatorBytes: (outputBytes: number, channels: number) => number,
): TransposeConvState {
  const filter = requireInput(call, 1);
  const input = requireInput(call, 2);
  const output = requireOutput(call, 0);
  const [, , , inC] = dims4(input, call);
  const [outC, kH, kW, kC] = dims4(filter, call);
  const [, outH, outW, oC] = dims4(output, call);
  if (oC !== outC || kC !== inC) throw kernelError(call, 'filter shape does not match input and output');
  // 16x8 transpose conv (int64 scratch): convArithmetic refuses it with a clear error (no corpus model uses it).
  const arithmetic = convArithmetic(call, input, filter, output, call.inputs[3] ?? null, outC, { allowInt16: false, activation: g.activation });
  if (arithmetic.dtype === 'int8' && (call.scratch[0]?.byteLength ?? 0) < accumulatorBytes(output.bytes.byteLength, outC)) {
    throw kernelError(call, 'the int32 accumulator scratch buffer is missing from the plan');
  }
  return {
    ...arithmetic,
    strideH: g.strideH,
    strideW: g.strideW,
    padH: paddingFor(g.padding, outH, kH, g.strideH, 1).pad,
    padW: paddingFor(g.padding, outW, kW, g.strideW, 1).pad,
  };
}

function prepare(call: KernelCall): TransposeConvState {
  const { strideH, strideW, padding } = builtinOptions(call.op, 'TransposeConvOptions');
  const geometry = { strideH, strideW, padding, activation: activationOf(call) };
  return prepareTransposeConv(call, geometry, (outputBytes) => outputBytes * 4);
}

function invoke(call: KernelCall, s: TransposeConvState): void {
  const filter = requireInput(call, 1);
  const input = requireInput(call, 2);
  const output = requireOutput(call, 0);
  const [batches, inH, inW, inC] = dims4(input, call);
  const [outC, kH, kW] = dims4(filter, call);
  const [, outH, outW] = dims4(output, call);
  const float = s.dtype === 'float32';
  const x = float ? f32(input) : i8(input);
  const w = float ? f32(filter) : i8(filter);
  const count = output.bytes.byteLength / (float ? 4 : 1);
  const taps = kH * kW;
  // Operands in the SIMD module; for float32 lanes the filter as [tap][input channel][output channel].
  let xAt: number;
  let wAt: number;
  let accAt: number;
  let int8: Int8InSimd | null = null;
  if (float) {
    [xAt, wAt, accAt] = simdReserve([x.length * 4, w.length * 4, count * 4]);
    simdF32(xAt, x.length).set(x);
    simdTransposedF32(w as Float32Array, outC, wAt);
    simdF32(accAt, count).fill(0);
  } else {
    int8 = int8InSimd(s, outC, x as Int8Array, w as Int8Array, 0, count);
    ({ xAt, wAt, accAt } = int8);
  }
  const k = simd();
  // The reference order for every output element: input pixel (row, column), then input channel.
  for (let n = 0; n < batches; n++) {
    for (let iy = 0; iy < inH; iy++) {
      for (let ix = 0; ix < inW; ix++) {
        const xbase = ((n * inH + iy) * inW + ix) * inC;
        const oy0 = iy * s.strideH - s.padH;
        const ox0 = ix * s.strideW - s.padW;
        for (let ky = 0; ky < kH; ky++) {
          const oy = oy0 + ky;
          if (oy < 0 || oy >= outH) continue;
          for (let kx = 0; kx < kW; kx++) {
            const ox = ox0 + kx;
            if (ox < 0 || ox >= outW) continue;
            const obase = ((n * outH + oy) * outW + ox) * outC;
            const tap = ky * kW + kx;
            if (float) k.outerAddF32(xAt + 4 * xbase, wAt + 4 * tap * inC * outC, inC, outC, accAt + 4 * obase);
            else k.dotRows(xAt + 2 * xbase, wAt + 2 * tap * inC, taps * inC, outC, inC, accAt + 4 * obase);
          }
        }
      }
    }
  }
  if (int8) {
    // int8 accumulates in the arena scratch TFLM requests: the sums pass through it.
    scratchI32(call.scratch[0]!).set(int8.acc);
    int8.requantizeInto(i8(output));
    return;
  }
  // float32 accumulates in the output itself.
  const acc = simdF32(accAt, count);
  const out = f32(output);
  const b = s.bias;
  for (let i = 0, oc = 0; i < count; i++, oc = oc + 1 === outC ? 0 : oc + 1) {
    // Without a bias TFLM adds nothing, so a -0 sum stays -0.
    const v = b ? Math.fround(acc[i]! + b[oc]!) : acc[i]!;
    const lo = v < s.floatMin ? s.floatMin : v;
    out[i] = s.floatMax < lo ? s.floatMax : lo;
  }
}

export const kernels: Record<string, Kernel<any>> = { TRANSPOSE_CONV: defineKernel<TransposeConvState>({ prepare, invoke }) };
