// What CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV (and the pooling window)
// share in Prepare: PopulateConvolutionQuantizationParams (kernel_util.cc),
// the zero-point offsets and TFLM's padding rule. Per-tensor filter scales are broadcast over the channels, as TFLM does.

import { requantizeTableBytes, requantizeTableFresh, simd, simdI32, simdI8, simdReserve, simdWidenI8 } from './simd/simd.js';
import { tflmType } from './tflm-type.js';
import { multiplyByQuantizedMultiplier, multiplyByQuantizedMultiplier64, quantizeMultiplier } from './fixed-point.js';
import {
  activationOf,
  activationRangeFloat,
  activationRangeQuantized,
  interpreterGap,
  kernelError,
  option,
  paddingFor,
  requireQuantized,
  scaleOf,
  zeroPointOf,
  type KernelCall,
  type TensorData,
} from './kernel.js';

export interface QuantizedConvParams {
  multipliers: Int32Array;
  shifts: Int32Array;
  inputOffset: number;
  outputOffset: number;
  qmin: number;
  qmax: number;
}

/** PopulateConvolutionQuantizationParams's per-channel multipliers and shifts; one filter scale stands for every channel. */
export function perChannelMultipliers(
  inputScale: number,
  filterScales: readonly number[],
  outputScale: number,
  channels: number,
): { multipliers: Int32Array; shifts: Int32Array } {
  const multipliers = new Int32Array(channels);
  const shifts = new Int32Array(channels);
  for (let c = 0; c < channels; c++) {
    // double(input_scale) * double(filter_scale) / double(output_scale), as TFLM computes it.
    const m = quantizeMultiplier((inputScale * filterScales[filterScales.length > 1 ? c : 0]!) / outputScale);
    multipliers[c] = m.multiplier;
    shifts[c] = m.shift;
  }
  return { multipliers, shifts };
}

export function quantizedConvParams(
  call: KernelCall,
  input: TensorData,
  filter: TensorData,
  output: TensorData,
  channels: number,
  activation: number,
): QuantizedConvParams {
  requireQuantized(call, input, 'input');
  requireQuantized(call, filter, 'filter');
  requireQuantized(call, output, 'output');
  const filterScales = filter.tensor.quantization!.scale;
  if (filterScales.length > 1 && filterScales.length !== channels) {
    throw kernelError(call, `filter has ${filterScales.length} scales for ${channels} output channels`);
  }
  const { multipliers, shifts } = perChannelMultipliers(scaleOf(input), filterScales, scaleOf(output), channels);
  const [qmin, qmax] = activationRangeQuantized(call, output, activation);
  return { multipliers, shifts, inputOffset: -zeroPointOf(input), outputOffset: zeroPointOf(output), qmin, qmax };
}

/**
 * TFLM's type checks of the conv family, per operator: what its Prepare
 * accepts (else TFLM refuses the model before it runs), and what its Eval then
 * computes (else TFLM fails at Invoke). Types Prepare accepts that TinySeg's
 * kernels do not compute would be an interpreter gap, not a refusal.
 */
interface ConvTypeRules {
  prepare(i: string, f: string, o: string): string | null;
  evaluates(i: string, f: string): boolean;
  evalMessage(i: string, f: string): string;
}

const hybrid = 'Hybrid models are not supported on TFLite Micro.';
const sameInOut = (i: string, o: string): string | null => (i === o ? null : `input->type != output->type (${tflmType(i)} != ${tflmType(o)})`);
const CONV_TYPES: Readonly<Record<string, ConvTypeRules>> = {
  CONV_2D: {
    prepare: (i, f, o) =>
      sameInOut(i, o) ?? ((i === 'float32' && f === 'float32') || (i === 'int16' && f === 'int8') || (i === 'int8' && (f === 'int4' || f === 'int8')) ? null : hybrid),
    evaluates: () => true,
    evalMessage: (i) => `Type ${tflmType(i)} not supported.`,
  },
  DEPTHWISE_CONV_2D: {
    prepare: (i, f) => (i === f || (i === 'int8' && f === 'int4') || (i === 'int16' && f === 'int8') ? null : hybrid),
    evaluates: (i, f) => (i === 'float32' && f === 'float32') || (i === 'int8' && (f === 'int8' || f === 'int4')) || (i === 'int16' && f === 'int8'),
    evalMessage: (i, f) => (['float32', 'int8', 'int16'].includes(i) ? `Filter type ${tflmType(f)} for input type ${i.toUpperCase()} not supported.` : `Input type ${tflmType(i)} not supported.`),
  },
  TRANSPOSE_CONV: {
    prepare: (i, f, o) => (i === f || (i === 'int16' && f === 'int8') ? sameInOut(i, o) : hybrid),
    evaluates: (i, f) => (i === 'float32' || i === 'int8' || i === 'int16') && (i === f || (i === 'int16' && f === 'int8')),
    evalMessage: (i) => `Type ${tflmType(i)} not supported.`,
  },
  FULLY_CONNECTED: {
    prepare: (i, f, o) =>
      i !== o
        ? `${tflmType(i)} != ${tflmType(o)}`
        : (i === 'float32' && f !== 'float32') || (i === 'int8' && f !== 'int8' && f !== 'int4') || (i === 'int16' && f !== 'int8')
          ? `Input type: ${i.toUpperCase()} with filter type: ${f.toUpperCase()} not supported.`
          : null,
    evaluates: (i) => i === 'float32' || i === 'int8' || i === 'int16',
    evalMessage: (i) => `Input type ${tflmType(i)} not supported.`,
  },
};

export function convDtype(call: KernelCall, input: TensorData, filter: TensorData, output: TensorData, allowInt16 = true): 'float32' | 'int8' | 'int16' {
  const [i, f, o] = [input.tensor.dtype, filter.tensor.dtype, output.tensor.dtype];
  const key = `${i}/${f}/${o}`;
  if (key === 'float32/float32/float32') return 'float32';
  if (key === 'int8/int8/int8') return 'int8';
  if (key === 'int16/int8/int16' && allowInt16) return 'int16';
  const rules = CONV_TYPES[call.op.opcode];
  // TinySeg's own conv operators: their types are TinySeg's to define.
  if (!rules) throw kernelError(call, `input/filter/output types ${key} are not supported (float32, int8${allowInt16 ? ' and int16/int8/int16' : ''} are)`);
  const refused = rules.prepare(i, f, o);
  if (refused) throw kernelError(call, refused);
  if (!rules.evaluates(i, f)) throw kernelError(call, `${rules.evalMessage(i, f)} (TFLM refuses it at Invoke)`);
  // An int4 filter runs the int8 kernel once unpacked (int4-filter.ts), as in TFLM's Eval.
  if (key === 'int8/int4/int8') return 'int8';
  throw interpreterGap(call, `input/filter/output types ${key} are not supported`);
}

/** Strides, dilations and leading pads of a sliding window (conv, depthwise conv, pooling). */
export interface SlidingWindow {
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padH: number;
  padW: number;
}

/** The builtin options that place a window: Conv2D's, DepthwiseConv2D's and Pool2D's (no dilation: 1). */
export interface WindowOptions {
  readonly strideH: number;
  readonly strideW: number;
  readonly padding: number;
  readonly dilationHFactor?: number;
  readonly dilationWFactor?: number;
}

/**
 * The window from the op's options. The leading pad comes from the output size
 * TFLM's padding rule implies, but, as in TFLM, the kernel then walks the
 * output tensor's own size: an output larger than the rule's gets windows that
 * run off the input (TFLM's conv_test.cc has such vectors), a smaller one
 * stops early. Pooling has no dilation options; they default to 1.
 */
export function slidingWindow(
  call: KernelCall,
  w: WindowOptions,
  [inH, inW]: [number, number],
  [kH, kW]: [number, number],
  [outH, outW]: [number, number],
): SlidingWindow {
  const { strideH, strideW, padding } = w;
  const dilationH = w.dilationHFactor ?? 1;
  const dilationW = w.dilationWFactor ?? 1;
  if (Math.min(strideH, strideW, dilationH, dilationW) < 1) throw kernelError(call, `strides and dilations must be at least 1 (got stride ${strideH}x${strideW}, dilation ${dilationH}x${dilationW})`);
  const ph = paddingFor(padding, inH, kH, strideH, dilationH);
  const pw = paddingFor(padding, inW, kW, strideW, dilationW);
  if (outH < 0 || outW < 0) throw kernelError(call, `output is ${outH}x${outW}`);
  return { strideH, strideW, dilationH, dilationW, padH: ph.pad, padW: pw.pad };
}

/** What the conv family computes with, besides the window: integer requantization or the float clamp. */
export interface ConvArithmetic {
  dtype: 'float32' | 'int8' | 'int16';
  quant: QuantizedConvParams | null;
  /** Constant bias as numbers (int32, or int64 for the 16x8 kernels), or null. */
  bias: Float64Array | null;
  /**
   * Integer kernels: the output value for output channel `oc` from the sum of
   * products (input offset applied, bias not yet added), as TFLM's kernel
   * computes it: int32 accumulation wraps; 16x8 with a 64-bit accumulator
   * uses the int64 multiplier.
   */
  requantize: (sum: number, oc: number) => number;
  floatMin: number;
  floatMax: number;
}

/**
 * The bias of a kernel that computes with it once, at Prepare (LSTM's precomputed gate sums, TinySeg's own conv
 * kernels, which the passes make with constant operands only): it must be a constant.
 */
export function constantBias(call: KernelCall, bias: TensorData | null, channels: number): Float64Array | null {
  requireConstantBias(call, bias);
  return biasValues(call, bias, channels);
}

export function requireConstantBias(call: KernelCall, bias: TensorData | null): void {
  if (bias && bias.tensor.kind !== 'constant') throw kernelError(call, 'the bias must be a constant tensor');
}

/**
 * The bias as numbers, read from its bytes as they are now. TFLM's builtin conv-family kernels read their bias at
 * Eval, so a bias computed at run time (a DEQUANTIZE's output, a graph input) is theirs to take: the interpreter
 * prepares such an operator again on every call (Kernel.evalInputs), and these values are then the call's.
 */
export function biasValues(call: KernelCall, bias: TensorData | null, channels: number): Float64Array | null {
  if (!bias) return null;
  const b = bias.bytes;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    if (bias.tensor.dtype === 'int32') out[c] = view.getInt32(4 * c, true);
    else if (bias.tensor.dtype === 'int64') out[c] = Number(view.getBigInt64(8 * c, true));
    else if (bias.tensor.dtype === 'float32') out[c] = view.getFloat32(4 * c, true);
    // 16x8 TRANSPOSE_CONV widens an int16 bias to int64 (the only conv-family kernel that takes one).
    else if (bias.tensor.dtype === 'int16' && call.op.opcode === 'TRANSPOSE_CONV') out[c] = view.getInt16(2 * c, true);
    else throw kernelError(call, `bias of type ${bias.tensor.dtype} is not supported`);
  }
  return out;
}

export function convArithmetic(
  call: KernelCall,
  input: TensorData,
  filter: TensorData,
  output: TensorData,
  bias: TensorData | null,
  channels: number,
  opts: { allowInt16?: boolean; int16Accumulator?: 'by-bias' | 'int64'; activation?: number; biasAtEval?: boolean } = {},
): ConvArithmetic {
  const dtype = convDtype(call, input, filter, output, opts.allowInt16 ?? true);
  // Custom ops carry their activation in their own options.
  const activation = opts.activation ?? activationOf(call);
  const [floatMin, floatMax] = dtype === 'float32' ? activationRangeFloat(call, activation) : [0, 0];
  if (bias && bias.bytes.byteLength < channels * (bias.tensor.dtype === 'int64' ? 8 : bias.tensor.dtype === 'int16' ? 2 : 4)) throw kernelError(call, `bias has fewer than ${channels} values`);
  const b = opts.biasAtEval ? biasValues(call, bias, channels) : constantBias(call, bias, channels);
  if (dtype === 'float32') return { dtype, quant: null, bias: b, requantize: () => 0, floatMin, floatMax };
  const q = quantizedConvParams(call, input, filter, output, channels, activation);
  const requantize = requantizer(call, dtype, q, b, bias, opts.int16Accumulator ?? 'by-bias');
  return { dtype, quant: q, bias: b, requantize, floatMin, floatMax };
}

/** The integer output step of TFLM's conv-family kernels for `dtype`, given the requantization parameters. */
export function requantizer(
  call: KernelCall,
  dtype: 'int8' | 'int16',
  q: QuantizedConvParams,
  b: Float64Array | null,
  bias: TensorData | null,
  int16Accumulator: 'by-bias' | 'int64',
): (sum: number, oc: number) => number {
  const { multipliers, shifts, outputOffset, qmin, qmax } = q;
  const add = (sum: number, oc: number) => (b ? sum + b[oc]! : sum);
  if (dtype === 'int8') {
    return (sum, oc) => {
      const v = multiplyByQuantizedMultiplier(add(sum, oc) | 0, multipliers[oc]!, shifts[oc]!) + outputOffset;
      return v < qmin ? qmin : v > qmax ? qmax : v;
    };
  }
  if (q.inputOffset !== 0 || outputOffset !== 0) throw kernelError(call, '16x8 kernels need zero points of 0');
  // TFLM accumulates in int32 when the bias is int32 (or absent with quantized_bias_type INT32), else in int64.
  const int32Accumulator = int16Accumulator !== 'int64' && (bias ? bias.tensor.dtype === 'int32' : option(call, 'quantizedBiasType', 0) === 2);
  return int32Accumulator
    ? (sum, oc) => {
        const v = multiplyByQuantizedMultiplier(add(sum, oc) | 0, multipliers[oc]!, shifts[oc]!);
        return v < qmin ? qmin : v > qmax ? qmax : v;
      }
    : (sum, oc) => {
        const v = multiplyByQuantizedMultiplier64(add(sum, oc), multipliers[oc]!, shifts[oc]!);
        return v < qmin ? qmin : v > qmax ? qmax : v;
      };
}

/** An int8 conv-family call's operands in the SIMD module (byte addresses). */
export interface Int8InSimd {
  /** The input, widened to i16 with its zero-point offset added. */
  xAt: number;
  /** The filter, widened to i16 with its zero-point offset added. */
  wAt: number;
  /** `count` int32 sums, cleared. */
  accAt: number;
  acc: Int32Array;
  /** TFLM's int8 output step (the requantizer's) on the sums, channel = index mod channels, into `out` from `at`. */
  requantizeInto(out: Int8Array, at?: number): void;
}

export function int8InSimd(
  a: { quant: QuantizedConvParams | null; bias: Float64Array | null },
  channels: number,
  x8: Int8Array,
  w8: Int8Array,
  filterOffset: number,
  count: number,
): Int8InSimd {
  const q = a.quant!;
  // The last region stages the int8 operands before they are widened, then holds the int8 results.
  const [xAt, wAt, accAt, paramsAt, stageAt, tableAt] = simdReserve([
    x8.length * 2, w8.length * 2, count * 4, 12 * channels, Math.max(count, x8.length, w8.length), requantizeTableBytes(channels),
  ]);
  requantizeTableFresh(tableAt);
  simdWidenI8(x8, q.inputOffset, stageAt, xAt);
  simdWidenI8(w8, filterOffset, stageAt, wAt);
  const acc = simdI32(accAt, count);
  acc.fill(0);
  const params = simdI32(paramsAt, 3 * channels);
  // int32 biases are exact in the Float64Array; no bias adds 0.
  for (let c = 0; c < channels; c++) params[c] = a.bias ? a.bias[c]! : 0;
  params.set(q.multipliers, channels);
  params.set(q.shifts, 2 * channels);
  return {
    xAt,
    wAt,
    accAt,
    acc,
    requantizeInto(out, at = 0) {
      simd().requantizeI8(accAt, count, channels, paramsAt, paramsAt + 4 * channels, paramsAt + 8 * channels, q.outputOffset, q.qmin, q.qmax, stageAt, tableAt);
      out.set(simdI8(stageAt, count), at);
    },
  };
}

/** The int8 input with its zero-point offset added once, instead of once per multiply. */
export function withOffset(x8: Int8Array, offset: number): Int16Array {
  const x = new Int16Array(x8.length);
  for (let i = 0; i < x8.length; i++) x[i] = x8[i]! + offset;
  return x;
}
