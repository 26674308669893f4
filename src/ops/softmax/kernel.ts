// SOFTMAX, transcribed from TFLM's softmax.cc / softmax_common.cc and
// reference_ops::Softmax (float and int8 via gemmlowp fixed point) and
// reference_ops::SoftmaxInt16 (int16 via lookup tables).

import { builtinOptions } from '../../graph/op-options.js';
import { defineKernel, f32, i16, i8, kernelError, requireInput, requireOutput, scaleOf, zeroPointOf, type Kernel, type KernelCall } from '../kernel.js';
import {
  expf,
  expOnNegativeValues,
  getReciprocal,
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplierGreaterThanOne,
  quantizeMultiplier,
  roundHalfAway,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
} from '../fixed-point.js';

type Mode = 'float' | 'int8' | 'int16';

interface SoftmaxState {
  mode: Mode;
  outer: number;
  depth: number;
  /** float: beta as float32. */
  beta: number;
  // int8 input (gemmlowp path)
  inputMultiplier: number;
  inputLeftShift: number;
  diffMin: number;
  /** int8 input: exp_on_negative_values of the rescaled difference, indexed by (max - x) in 0..255; -1 where diff < diff_min. */
  expTable: Int32Array | null;
  outBits: 8 | 16;
  // int16 input (LUT path)
  expLut: Int16Array | null;
  oneOverOnePlusXLut: Int16Array | null;
}

const K_SCALED_DIFF_INTEGER_BITS = 5;
const K_ACCUMULATION_INTEGER_BITS = 12;

/** tflite::CalculateInputRadius (double version). */
function calculateInputRadius(inputIntegerBits: number, inputLeftShift: number, totalSignedBits = 31): number {
  const maxInputRescaled = (((1 << inputIntegerBits) - 1) * 2 ** (totalSignedBits - inputIntegerBits)) / 2 ** inputLeftShift;
  return Math.floor(maxInputRescaled);
}

/** TfLiteRound on a float: roundf, half away from zero. */
const roundf = (x: number): number => roundHalfAway(x);

/** tflite::detail::LUTPopulateInt16<float> with transform on float32 values. */
function lutPopulateInt16(
  inputScale: number,
  inputZeroPoint: number,
  outputScale: number,
  outputZeroPoint: number,
  transform: (v: number) => number,
): Int16Array {
  const F = Math.fround;
  const lut = new Int16Array(513);
  const inputMin = F(inputScale * (-32768 - inputZeroPoint));
  const inputMax = F(inputScale * (32767 - inputZeroPoint));
  const outputMin = F(outputScale * (-32768 - outputZeroPoint));
  const outputMax = F(outputScale * (32767 - outputZeroPoint));
  const nbSteps = 512;
  const step = F(F(inputMax - inputMin) / nbSteps);
  const halfStep = F(step / 2);
  const outputScalingInv = F(65536 / F(outputMax - outputMin));
  const tableMin = -32768;
  const tableMax = 32767;
  const clampT = (v: number) => (v < tableMin ? tableMin : v > tableMax ? tableMax : v);
  for (let i = 0; i < nbSteps; i++) {
    const x0 = F(inputMin + F(i * step));
    const val = transform(x0);
    const valMidpoint = transform(F(x0 + halfStep));
    const valNext = transform(F(inputMin + F((i + 1) * step)));
    const sampleVal = roundf(F(val * outputScalingInv));
    const midpointInterpVal = roundf(F(F(F(valNext * outputScalingInv) + roundf(F(val * outputScalingInv))) / 2));
    const midpointVal = roundf(F(valMidpoint * outputScalingInv));
    const midpointErr = F(midpointInterpVal - midpointVal);
    const bias = roundf(F(midpointErr / 2));
    lut[i] = Math.trunc(clampT(F(sampleVal - bias)));
  }
  lut[nbSteps] = Math.trunc(clampT(roundf(F(transform(inputMax) * outputScalingInv))));
  return lut;
}

/** tflite LUTLookup for int16 with interpolation (513-entry table). */
function lutLookup(value: number, lut: Int16Array): number {
  const index = 256 + (value >> 7);
  const offset = value & 0x7f;
  const base = lut[index]!;
  const slope = ((lut[index + 1]! - base) << 16) >> 16;
  const delta = (slope * offset + 64) >> 7;
  return ((base + delta) << 16) >> 16;
}

function prepare(call: KernelCall): SoftmaxState {
  const input = requireInput(call, 0);
  const output = requireOutput(call, 0);
  const shape = input.tensor.shape;
  if (shape.length < 1) throw kernelError(call, 'SOFTMAX needs an input of rank >= 1');
  const depth = shape[shape.length - 1]!;
  const total = shape.reduce((n, s) => n * s, 1);
  const outTotal = output.tensor.shape.reduce((n, s) => n * s, 1);
  if (outTotal !== total) throw kernelError(call, 'input and output sizes differ');
  const outer = depth === 0 ? 0 : total / depth;
  const beta = builtinOptions(call.op, 'SoftmaxOptions').beta;
  const ti = input.tensor.dtype;
  const to = output.tensor.dtype;
  const state: SoftmaxState = {
    mode: 'float',
    outer,
    depth,
    beta: Math.fround(beta),
    inputMultiplier: 0,
    inputLeftShift: 0,
    diffMin: 0,
    expTable: null,
    outBits: 8,
    expLut: null,
    oneOverOnePlusXLut: null,
  };
  if (ti === 'float32') {
    if (to !== 'float32') throw kernelError(call, `types ${ti} -> ${to} are not supported`);
    return state;
  }
  const inQ = input.tensor.quantization;
  const outQ = output.tensor.quantization;
  if (!inQ || !outQ || inQ.scale.length === 0 || outQ.scale.length === 0) {
    throw kernelError(call, 'quantized SOFTMAX needs quantization parameters');
  }
  const outScale = scaleOf(output);
  const outZp = zeroPointOf(output);
  const near = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol;
  if (ti === 'int16') {
    if (to !== 'int16') throw kernelError(call, `types ${ti} -> ${to} are not supported`);
    if (zeroPointOf(input) !== 0 || outZp !== 0) throw kernelError(call, 'int16 SOFTMAX needs zero points of 0');
    if (!near(outScale, 1 / 32768, Math.fround(Math.fround(0.001) * Math.fround(1 / 32768)))) {
      throw kernelError(call, 'int16 SOFTMAX needs an output scale of 1/32768');
    }
    // softmax_common.cc InitializeLutForInt16
    const range = 32767 - -32768;
    state.expLut = lutPopulateInt16(Math.fround(10 / range), 32767, Math.fround(2 / range), 0, expf);
    state.oneOverOnePlusXLut = lutPopulateInt16(Math.fround(1 / range), -32768, Math.fround(2 / range), 0, (v) =>
      Math.fround(1 / Math.fround(1 + v)),
    );
    const m = quantizeMultiplier((scaleOf(input) * beta) / (10.0 / 65535.0));
    state.mode = 'int16';
    state.inputMultiplier = m.multiplier;
    state.inputLeftShift = m.shift;
    return state;
  }
  if (ti !== 'int8') throw kernelError(call, `types ${ti} -> ${to} are not supported`);
  if (to === 'int16') {
    if (outZp !== -32768) throw kernelError(call, 'int8 -> int16 SOFTMAX needs an output zero point of -32768');
    if (!near(outScale, 1 / 65536, Math.fround(Math.fround(0.001) * Math.fround(1 / 65536)))) {
      throw kernelError(call, 'int8 -> int16 SOFTMAX needs an output scale of 1/65536');
    }
    state.outBits = 16;
  } else if (to === 'int8') {
    if (outZp !== -128) throw kernelError(call, 'int8 SOFTMAX needs an output zero point of -128');
    if (outScale !== 1 / 256) throw kernelError(call, 'int8 SOFTMAX needs an output scale of 1/256');
  } else {
    throw kernelError(call, `types ${ti} -> ${to} are not supported`);
  }
  // quantization_util.cc PreprocessSoftmaxScaling (double rounding build)
  const maxRealMultiplier = 2 ** 31 - 1;
  const real = Math.min(beta * scaleOf(input) * 2 ** (31 - K_SCALED_DIFF_INTEGER_BITS), maxRealMultiplier);
  const m = quantizeMultiplier(real);
  if (!(real > 1) || m.shift < 0) throw kernelError(call, 'SOFTMAX input multiplier is not greater than one');
  state.mode = 'int8';
  state.inputMultiplier = m.multiplier;
  state.inputLeftShift = m.shift;
  state.diffMin = -calculateInputRadius(K_SCALED_DIFF_INTEGER_BITS, m.shift);
  // exp of every possible int8 difference (input - max_in_row is in -255..0).
  const table = new Int32Array(256);
  for (let d = 0; d < 256; d++) {
    const diff = -d;
    if (diff >= state.diffMin) {
      const rescaled = multiplyByQuantizedMultiplierGreaterThanOne(diff, m.multiplier, m.shift);
      table[d] = expOnNegativeValues(rescaled, K_SCALED_DIFF_INTEGER_BITS);
    } else {
      table[d] = -1; // marks "below diff_min"
    }
  }
  state.expTable = table;
  return state;
}

function invokeFloat(call: KernelCall, s: SoftmaxState): void {
  const I = f32(requireInput(call, 0));
  const O = f32(requireOutput(call, 0));
  const { outer, depth, beta } = s;
  for (let i = 0; i < outer; i++) {
    const base = i * depth;
    let max = -3.4028234663852886e38;
    for (let c = 0; c < depth; c++) {
      const v = I[base + c]!;
      if (max < v) max = v;
    }
    let sum = 0;
    for (let c = 0; c < depth; c++) {
      const e = expf(Math.fround(Math.fround(I[base + c]! - max) * beta));
      O[base + c] = e;
      sum = Math.fround(sum + e);
    }
    for (let c = 0; c < depth; c++) O[base + c] = O[base + c]! / sum;
  }
}

function invokeInt8(call: KernelCall, s: SoftmaxState): void {
  const I = i8(requireInput(call, 0));
  const outData = requireOutput(call, 0);
  const O = s.outBits === 16 ? i16(outData) : i8(outData);
  const { outer, depth } = s;
  const table = s.expTable!;
  const outMin = s.outBits === 16 ? -32768 : -128;
  const outMax = s.outBits === 16 ? 32767 : 127;
  for (let i = 0; i < outer; i++) {
    const base = i * depth;
    let max = -128;
    for (let c = 0; c < depth; c++) {
      const v = I[base + c]!;
      if (v > max) max = v;
    }
    let sumOfExps = 0;
    for (let c = 0; c < depth; c++) {
      const e = table[max - I[base + c]!]!;
      if (e !== -1) sumOfExps = (sumOfExps + roundingDivideByPOT(e, K_ACCUMULATION_INTEGER_BITS)) | 0;
    }
    const [shiftedScale, numBitsOverUnit] = getReciprocal(sumOfExps, K_ACCUMULATION_INTEGER_BITS);
    const exponent = numBitsOverUnit + 31 - s.outBits;
    if (exponent < 0 || exponent > 31) throw kernelError(call, `SOFTMAX exponent ${exponent} is out of range`);
    for (let c = 0; c < depth; c++) {
      const e = table[max - I[base + c]!]!;
      if (e !== -1) {
        const unsat = roundingDivideByPOT(saturatingRoundingDoublingHighMul(shiftedScale, e), exponent);
        const shifted = unsat + outMin;
        O[base + c] = shifted < outMin ? outMin : shifted > outMax ? outMax : shifted;
      } else {
        O[base + c] = outMin;
      }
    }
  }
}

function invokeInt16(call: KernelCall, s: SoftmaxState): void {
  const I = i16(requireInput(call, 0));
  const O = i16(requireOutput(call, 0));
  const { outer, depth } = s;
  const expLut = s.expLut!;
  const recipLut = s.oneOverOnePlusXLut!;
  for (let i = 0; i < outer; i++) {
    const base = i * depth;
    let max = -32768;
    for (let c = 0; c < depth; c++) {
      const v = I[base + c]!;
      if (v > max) max = v;
    }
    let sumOfExps = 0;
    for (let c = 0; c < depth; c++) {
      const diff = I[base + c]! - max;
      const scaled = multiplyByQuantizedMultiplier(diff, s.inputMultiplier, s.inputLeftShift);
      const sym = scaled + 32767;
      const sat = sym < -32768 ? -32768 : sym > 32767 ? 32767 : sym;
      const e = lutLookup(sat, expLut);
      O[base + c] = e;
      sumOfExps = (sumOfExps + e) | 0;
    }
    const headroomPlusOne = Math.clz32(sumOfExps);
    // ((int64)sum << (headroom_plus_one - 1)) + (1 << 13)) >> 14, exact in a double
    const shiftedSum = Math.floor((sumOfExps * 2 ** (headroomPlusOne - 1) + (1 << 13)) / 16384) | 0;
    const symShiftedSum = shiftedSum + -((1 << 15) + (1 << 16));
    const satSum = symShiftedSum < -32768 ? -32768 : symShiftedSum > 32767 ? 32767 : symShiftedSum;
    const reciprocal = lutLookup(satSum, recipLut);
    const rightShift = 31 - headroomPlusOne;
    const round = 2 ** (rightShift - 1);
    for (let c = 0; c < depth; c++) {
      const r = Math.floor((O[base + c]! * reciprocal + round) / 2 ** rightShift);
      O[base + c] = r < 0 ? 0 : r > 32767 ? 32767 : r;
    }
  }
}

const SOFTMAX = defineKernel<SoftmaxState>({
  prepare,
  invoke(call, s) {
    if (s.mode === 'float') invokeFloat(call, s);
    else if (s.mode === 'int8') invokeInt8(call, s);
    else invokeInt16(call, s);
  },
});

export const kernels: Record<string, Kernel<any>> = { SOFTMAX };
