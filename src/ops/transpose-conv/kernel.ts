// TRANSPOSE_CONV: reference_ops::TransposeConv (float32, accumulating in the
// output tensor) and reference_integer_ops::TransposeConv (int8, accumulating
// in the int32 scratch buffer TFLM requests in the arena: 4 bytes per output
// element; 16x8 in an int64 one, 8 bytes per output element). Inputs:
// output_shape, filter [O, kH, kW, I], input, optional bias.
// TFLM derives the padding from the output size (transpose_conv.cc).

import { builtinOptions } from '../../graph/op-options.js';
import {
  activationOf,
  defineKernel,
  dims4,
  f32,
  i16,
  i8,
  kernelError,
  paddingFor,
  requireInput,
  requireOutput,
  scratchI32,
  type Kernel,
  type KernelCall,
  undefinedInTflm,
} from '../kernel.js';
import { convArithmetic, int8InSimd, type ConvArithmetic, type Int8InSimd } from '../conv-params.js';
import { simd, simdF32, simdFloatOutput, simdReserve, simdTransposedF32 } from '../simd/simd.js';
import { transposeConvInt8Packed } from './transpose-packed.js';

export interface TransposeConvState extends ConvArithmetic {
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
}

/** TFLM's padding before the first output row (or column) of a TRANSPOSE_CONV whose output has `outSize` of them. */
export const transposePad = (padding: number, outSize: number, k: number, stride: number): number => paddingFor(padding, outSize, k, stride, 1).pad;

/** Input rows [lo, hi] of `inSize` whose taps reach output row `o`, given the padding before (lo > hi: none does). */
export const transposeSources = (inSize: number, pad: number, k: number, stride: number, o: number): [number, number] => [
  Math.max(0, Math.ceil((o + pad - k + 1) / stride)),
  Math.min(inSize - 1, Math.floor((o + pad) / stride)),
];

export interface TransposeConvGeometry {
  strideH: number;
  strideW: number;
  padding: number;
  activation: number;
}

/**
 * Shapes, padding and requantization shared by TRANSPOSE_CONV and TinySeg's
 * gather variant; `accumulatorBytes` is the int32 scratch the int8 kernel needs. `biasAtEval`: the builtin's, whose
 * TFLM kernel reads its bias at Eval (the gather kernel is made with a constant one).
 */
export function prepareTransposeConv(
  call: KernelCall,
  g: TransposeConvGeometry,
  accumulatorBytes: (outputBytes: number, channels: number) => number,
  allowInt16 = false,
  biasAtEval = false,
): TransposeConvState {
  const filter = requireInput(call, 1);
  const input = requireInput(call, 2);
  const output = requireOutput(call, 0);
  const [, , , inC] = dims4(input, call);
  const [outC, kH, kW, kC] = dims4(filter, call);
  const [, outH, outW, oC] = dims4(output, call);
  if (oC !== outC || kC !== inC) throw kernelError(call, 'filter shape does not match input and output');
  // 16x8 accumulates in int64 whatever the bias (int16 biases are widened, int64 ones read as they are).
  const bias = call.inputs[3] ?? null;
  const arithmetic = convArithmetic(call, input, filter, output, bias, outC, { allowInt16, activation: g.activation, int16Accumulator: 'int64', biasAtEval });
  if (arithmetic.dtype === 'int16' && bias && bias.tensor.dtype === 'int32') {
    // TFLM's Prepare accepts this bias (it widens only an int16 one), and its Eval
    // hands the int32 buffer to the 16x8 kernel as int64 values: channel c reads
    // bytes [8c, 8c + 8) of a 4-bytes-a-channel buffer, so at least the last
    // channel reads past the tensor's end, into whatever follows it in the model
    // file (or the arena). That is undefined behaviour, not a result to be
    // bit-exact with: TinySeg refuses to run it and reports it as a warning.
    throw undefinedInTflm(call, `a 16x8 TRANSPOSE_CONV with an int32 bias: TFLM reads its ${4 * outC}-byte buffer as int64 values, ${8 * outC} bytes`);
  }
  const scratchBytes = arithmetic.dtype === 'int8' ? accumulatorBytes(output.bytes.byteLength, outC) : arithmetic.dtype === 'int16' ? (output.bytes.byteLength / 2) * 8 : 0;
  if ((call.scratch[0]?.byteLength ?? 0) < scratchBytes) throw kernelError(call, `the ${arithmetic.dtype === 'int8' ? 'int32' : 'int64'} accumulator scratch buffer is missing from the plan`);
  return {
    ...arithmetic,
    strideH: g.strideH,
    strideW: g.strideW,
    padH: transposePad(g.padding, outH, kH, g.strideH),
    padW: transposePad(g.padding, outW, kW, g.strideW),
  };
}

function prepare(call: KernelCall): TransposeConvState {
  const { strideH, strideW, padding } = builtinOptions(call.op, 'TransposeConvOptions');
  const geometry = { strideH, strideW, padding, activation: activationOf(call) };
  return prepareTransposeConv(call, geometry, (outputBytes) => outputBytes * 4, true, true);
}

/** The operands every TRANSPOSE_CONV kernel reads (output_shape, filter, input[, bias]) and their dimensions. */
export function transposeConvOperands(call: KernelCall) {
  const filter = requireInput(call, 1);
  const input = requireInput(call, 2);
  const output = requireOutput(call, 0);
  const [batches, inH, inW, inC] = dims4(input, call);
  const [outC, kH, kW] = dims4(filter, call);
  const [, outH, outW] = dims4(output, call);
  return { filter, input, output, batches, inH, inW, inC, outC, kH, kW, outH, outW };
}

/**
 * 16x8: reference_integer_ops::TransposeConv's scatter into the int64 scratch
 * (input pixel, input channel, filter row, column, output channel), then the
 * 64-bit requantization. Sums of int16 x int8 products stay exact in doubles.
 */
function invoke16(call: KernelCall, s: TransposeConvState): void {
  const { filter, input, output, batches, inH, inW, inC, outC, kH, kW, outH, outW } = transposeConvOperands(call);
  const x = i16(input);
  const w = i8(filter);
  const out = i16(output);
  const acc = new Float64Array(out.length);
  const taps = kH * kW;
  // Exact integer sums in doubles: any order gives TFLM's, so the taps' order serves.
  forEachTap(s, { batches, inH, inW, inC, outC, kH, kW, outH, outW }, (xbase, tap, obase) => {
    for (let ic = 0; ic < inC; ic++) {
      const xv = x[xbase + ic]!;
      for (let oc = 0; oc < outC; oc++) acc[obase + oc]! += xv * w[(oc * taps + tap) * inC + ic]!;
    }
  });
  // The sums pass through the arena scratch TFLM requests, as int64.
  const scratch = call.scratch[0]!;
  const sums = new DataView(scratch.buffer, scratch.byteOffset, out.length * 8);
  for (let i = 0, oc = 0; i < out.length; i++, oc = oc + 1 === outC ? 0 : oc + 1) {
    sums.setBigInt64(8 * i, BigInt(acc[i]!), true);
    out[i] = s.requantize(acc[i]!, oc);
  }
}

type TapDims = { batches: number; inH: number; inW: number; inC: number; outC: number; kH: number; kW: number; outH: number; outW: number };

/**
 * Every input pixel (batch, row, column) and every filter tap (row, column) that lands inside the output, in
 * reference_ops::TransposeConv's order: the input pixel's first element, the tap, the output pixel's first element.
 */
function forEachTap(s: TransposeConvState, d: TapDims, visit: (xbase: number, tap: number, obase: number) => void): void {
  const { batches, inH, inW, inC, outC, kH, kW, outH, outW } = d;
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
            if (ox >= 0 && ox < outW) visit(xbase, ky * kW + kx, ((n * outH + oy) * outW + ox) * outC);
          }
        }
      }
    }
  }
}

function invoke(call: KernelCall, s: TransposeConvState): void {
  if (s.dtype === 'int16') return invoke16(call, s);
  const { filter, input, output, batches, inH, inW, inC, outC, kH, kW, outH, outW } = transposeConvOperands(call);
  const float = s.dtype === 'float32';
  const x = float ? f32(input) : i8(input);
  const w = float ? f32(filter) : i8(filter);
  const count = output.bytes.byteLength / (float ? 4 : 1);
  if (!float && filter.tensor.kind === 'constant') {
    const shapes = { batches, inH, inW, inC, outC, kH, kW, outH, outW };
    // int8 accumulates in the arena scratch TFLM requests: the sums pass through it.
    transposeConvInt8Packed(s, s, shapes, x as Int8Array, w as Int8Array, i8(output), scratchI32(call.scratch[0]!).subarray(0, count));
    return;
  }
  // Operands in the SIMD module; for float32 lanes the filter as [tap][input channel][output channel].
  let xAt: number;
  let wAt: number;
  let accAt: number;
  let vecAt = 0;
  let int8: Int8InSimd | null = null;
  if (float) {
    [xAt, wAt, accAt, vecAt] = simdReserve([x.length * 4, w.length * 4, count * 4, outC * 4]);
    simdF32(xAt, x.length).set(x);
    simdTransposedF32(w as Float32Array, outC, wAt);
    simdF32(accAt, count).fill(0);
  } else {
    int8 = int8InSimd(s, outC, x as Int8Array, w as Int8Array, 0, count);
    ({ xAt, wAt, accAt } = int8);
  }
  const k = simd();
  if (float) {
    // The reference order for every output element: input pixel (row, column), then input channel; in one call.
    k.transposeConvF32(xAt, wAt, accAt, batches, inH, inW, inC, outC, kH, kW, outH, outW, s.strideH, s.strideW, s.padH, s.padW);
  } else {
    // int8 sums of a filter that is not constant, in the same order: dotRows per input pixel and tap (w [output
    // channel][tap][input channel]).
    const taps = kH * kW;
    forEachTap(s, { batches, inH, inW, inC, outC, kH, kW, outH, outW }, (xbase, tap, obase) =>
      k.dotRows(xAt + 2 * xbase, wAt + 2 * tap * inC, taps * inC, outC, inC, accAt + 4 * obase),
    );
  }
  if (int8) {
    // int8 accumulates in the arena scratch TFLM requests: the sums pass through it.
    scratchI32(call.scratch[0]!).set(int8.acc);
    int8.requantizeInto(i8(output));
    return;
  }
  // float32 accumulates in the output itself. Without a bias TFLM adds nothing (a -0 sum stays -0): times 1 instead.
  simdF32(vecAt, outC).set(s.bias ?? new Float64Array(outC).fill(1));
  simdFloatOutput(accAt, count, outC, vecAt, s.floatMin, s.floatMax, f32(output), !s.bias);
}

export const kernels: Record<string, Kernel<any>> = { TRANSPOSE_CONV: defineKernel<TransposeConvState>({ prepare, invoke, evalInputs: [3] }) };
