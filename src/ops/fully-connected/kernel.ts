// FULLY_CONNECTED: reference_ops::FullyConnected (float32) and
// reference_integer_ops::FullyConnected / FullyConnectedPerChannel (int8).
// Weights are [output_depth, accum_depth]; every leading output dim is a batch.
// int4 weights are unpacked to int8 first (int4-filter.ts), as TFLM does, and
// then run the per-tensor kernel (TFLM's Prepare refuses per-channel int4).

import { builtinOptions } from '../../graph/op-options.js';
import { quantizeMultiplier } from '../fixed-point.js';
import {
  activationRangeFloat,
  activationRangeQuantized,
  defineKernel,
  f32,
  i16,
  i8,
  kernelError,
  requireInput,
  requireOutput,
  scaleOf,
  zeroPointOf,
  type Kernel,
  type KernelCall,
  type TensorData,
} from '../kernel.js';
import { biasValues, convDtype, int8InSimd, quantizedConvParams, requantizer, type QuantizedConvParams } from '../conv-params.js';
import { simd, simdCopyIn, simdCopyOut, simdHeap, simdScratch } from '../simd/simd.js';
import { convInt8Packed } from '../conv/conv-packed.js';
import { FC_RECORD_WORDS, packedFcScratch, packedFcWeights, packedFullyConnected, writeFcRecord } from './packed-weights.js';
import { fuseFullyConnected } from './chain.js';
import type { PackedOperator } from '../packed-window.js';
import { int8Filter, requireInt4Scratch } from '../int4-filter.js';

export interface FcState {
  dtype: 'float32' | 'int8' | 'int16';
  batches: number;
  depth: number;
  accum: number;
  quant: QuantizedConvParams | null;
  bias: Float64Array | null;
  /** TFLM's output step of the int16 loop (int8 takes the SIMD module's). */
  requantize: (sum: number, oc: number) => number;
  filterOffset: number;
  floatMin: number;
  floatMax: number;
  /** The int8 product as a 1x1 conv with stride 1 and no padding (conv-packed.ts). */
  window: PackedOperator;
}

function prepare(call: KernelCall): FcState {
  const input = requireInput(call, 0);
  const filter = requireInput(call, 1);
  const output = requireOutput(call, 0);
  const bias = call.inputs[2] ?? null;
  const ws = filter.tensor.shape;
  const os = output.tensor.shape;
  if (ws.length < 2 || os.length < 1) throw kernelError(call, 'weights must be 2-D or more and the output at least 1-D');
  const depth = os[os.length - 1]!;
  const accum = ws[ws.length - 1]!;
  const batches = os.slice(0, -1).reduce((a, b) => a * b, 1);
  if (ws[ws.length - 2]! < depth) throw kernelError(call, `weights have ${ws[ws.length - 2]} rows for ${depth} outputs`);
  const inCount = input.tensor.shape.reduce((a, b) => a * b, 1);
  if (inCount < batches * accum) throw kernelError(call, `input has ${inCount} elements, ${batches}x${accum} are read`);
  const dtype = convDtype(call, input, filter, output);
  const activation = builtinOptions(call.op, 'FullyConnectedOptions').fusedActivationFunction;
  if (dtype === 'float32') {
    const [floatMin, floatMax] = activationRangeFloat(call, activation);
    const b = biasValues(call, bias, depth);
    return {
      dtype, batches, depth, accum, quant: null, bias: b, requantize: () => 0, filterOffset: 0, floatMin, floatMax, window: unitWindow(null, b),
    };
  }
  requireInt4Scratch(call, filter);
  let quant: QuantizedConvParams;
  const perChannel = (filter.tensor.quantization?.scale.length ?? 0) > 1;
  if (perChannel && filter.tensor.dtype === 'int4') {
    throw kernelError(call, '(input->type == kTfLiteInt8 && filter->type != kTfLiteInt4) || (input->type == kTfLiteInt16 && filter->type != kTfLiteInt4) was not true (per-channel int4 weights)');
  }
  if (perChannel) {
    quant = quantizedConvParams(call, input, filter, output, depth, activation);
  } else {
    // Per-tensor: the float product of the scales is rounded to float before the division (GetQuantizedConvolutionMultipler).
    const m = quantizeMultiplier(Math.fround(scaleOf(input) * scaleOf(filter)) / scaleOf(output));
    const [qmin, qmax] = activationRangeQuantized(call, output, activation);
    quant = {
      multipliers: new Int32Array(depth).fill(m.multiplier),
      shifts: new Int32Array(depth).fill(m.shift),
      inputOffset: -zeroPointOf(input),
      outputOffset: zeroPointOf(output),
      qmin,
      qmax,
    };
  }
  const b = biasValues(call, bias, depth);
  // int8 sums go through the SIMD module's output step; only the int16 loop takes the JavaScript one.
  const requantize = dtype === 'int16' ? requantizer(call, dtype, quant, b, bias, 'by-bias') : () => 0;
  const filterOffset = -zeroPointOf(filter);
  return { dtype, batches, depth, accum, quant, bias: b, requantize, filterOffset, floatMin: 0, floatMax: 0, window: unitWindow(quant, b) };
}

function invoke(call: KernelCall, s: FcState): void {
  const input = requireInput(call, 0);
  const filter = requireInput(call, 1);
  const output = requireOutput(call, 0);
  const { batches, depth, accum } = s;
  if (s.dtype === 'float32') {
    const x = f32(input);
    const w = f32(filter);
    const b = s.bias;
    const out = f32(output);
    for (let n = 0; n < batches; n++) {
      for (let oc = 0; oc < depth; oc++) {
        let acc = 0;
        const xi = n * accum;
        const wi = oc * accum;
        for (let d = 0; d < accum; d++) acc = Math.fround(acc + Math.fround(x[xi + d]! * w[wi + d]!));
        const v = Math.fround(acc + (b ? b[oc]! : 0));
        const lo = v < s.floatMin ? s.floatMin : v;
        out[oc + depth * n] = s.floatMax < lo ? s.floatMax : lo;
      }
    }
    return;
  }
  if (s.dtype === 'int8') {
    // Constant weights stay packed in the state: a few rows take fullyConnectedPacked, more the packed 1x1 conv (which
    // has no filter offset: the weights' zero point must be 0, as TFLM's int8 conv filters' are).
    if (packedFullyConnected(s, filter)) {
      fullyConnectedInt8Packed(s, call, filter, i8(input), i8(output));
      return;
    }
    const w8 = int8Filter(call, filter);
    if (filter.tensor.kind === 'constant') {
      const shapes = { batches: 1, inH: 1, inW: batches, outC: depth, kH: 1, kW: 1, outH: 1, outW: batches };
      const x8 = i8(input).subarray(0, batches * accum);
      convInt8Packed(s, s.window, shapes, accum, x8, w8.subarray(0, depth * accum), i8(output).subarray(0, batches * depth));
    } else {
      fullyConnectedInt8Simd(s, i8(input), w8, i8(output));
    }
    return;
  }
  const q = s.quant!;
  const x = i16(input);
  const w = i8(filter);
  const out = i16(output);
  for (let n = 0; n < batches; n++) {
    for (let oc = 0; oc < depth; oc++) {
      let acc = 0;
      const xi = n * accum;
      const wi = oc * accum;
      for (let d = 0; d < accum; d++) acc += (w[wi + d]! + s.filterOffset) * (x[xi + d]! + q.inputOffset);
      out[oc + depth * n] = s.requantize(acc, oc);
    }
  }
}

function unitWindow(quant: QuantizedConvParams | null, bias: Float64Array | null): PackedOperator {
  return { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padH: 0, padW: 0, quant, bias };
}

/** Each row widened with the input's offset, fullyConnectedPacked's sums, TFLM's output step. */
function fullyConnectedInt8Packed(s: FcState, call: KernelCall, filter: TensorData, x8: Int8Array, out: Int8Array): void {
  const { batches, depth, accum } = s;
  const weights = packedFcWeights(s, call, filter);
  const count = batches * depth;
  const n = batches * accum;
  // The record, then the scratch; 16 bytes past the staged input and the results: widenPadded reads vectors, the
  // output step stores them.
  const scratch = packedFcScratch(s, weights.cp);
  const recordAt = simdScratch(4 * FC_RECORD_WORDS + scratch.x + scratch.acc + Math.max(count, n) + 16);
  const xAt = recordAt + 4 * FC_RECORD_WORDS;
  const accAt = xAt + scratch.x;
  const stageAt = accAt + scratch.acc;
  simdCopyIn(x8, n, stageAt);
  writeFcRecord(simdHeap().i32, recordAt >> 2, s, weights, { src: stageAt, x: xAt, acc: accAt, out: stageAt });
  simd().fullyConnectedRecordsI8(recordAt, 1);
  simdCopyOut(stageAt, count, out);
}

/** int8 in the SIMD module: both zero-point offsets applied once into i16, int32 sums, TFLM's output step. */
function fullyConnectedInt8Simd(s: FcState, x8: Int8Array, w8: Int8Array, out: Int8Array): void {
  const { batches, depth, accum } = s;
  const m = int8InSimd(s, depth, x8, w8, s.filterOffset, batches * depth);
  for (let n = 0; n < batches; n++) simd().dotRows(m.xAt + 2 * n * accum, m.wAt, accum, depth, accum, m.accAt + 4 * n * depth);
  m.requantizeInto(out);
}

export const kernels: Record<string, Kernel<any>> = { FULLY_CONNECTED: defineKernel<FcState>({ prepare, invoke, fuse: fuseFullyConnected, evalInputs: [2] }) };
