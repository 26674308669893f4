// Element-wise kernels: ADD, MUL, RELU, RELU6, LOGISTIC, HARD_SWISH, QUANTIZE,
// DEQUANTIZE. Transcribed from TFLM's reference kernels (add.cc/add_common.cc,
// mul.cc/mul_common.cc, activations*.cc, logistic*.cc, hard_swish*.cc,
// quantize*.cc, dequantize*.cc and the reference/integer_ops headers they call).
//
// Every 8-bit path is a pure function of its input byte(s), so prepare
// tabulates it with the exact integer arithmetic (256 entries for unary ops,
// 65536 for binary ones) and invoke only looks bytes up.

import {
  ACTIVATION,
  activationOf,
  activationRangeFloat,
  activationRangeQuantized,
  clampFloat,
  clampInt,
  defineKernel,
  elementCount,
  kernelError,
  requireInput,
  requireOutput,
  requireQuantized,
  scaleOf,
  viewOf,
  zeroPointOf,
  type KernelCall,
  type TensorData,
} from '../kernel.js';
import type { Kernel } from '../kernel.js';
import {
  expf,
  fixedLogistic,
  frexp,
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplierSmallerThanOneExp,
  quantizeMultiplier,
  roundHalfAway,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul16,
} from '../fixed-point.js';

// ---- shared helpers ---------------------------------------------------------

/** TFLM CalculateActivationRange<int32_t>. */
function int32ActivationRange(call: KernelCall, activation: number): [number, number] {
  switch (activation) {
    case ACTIVATION.NONE:
      return [-2147483648, 2147483647];
    case ACTIVATION.RELU:
      return [0, 2147483647];
    case ACTIVATION.RELU6:
      return [0, 6];
    case ACTIVATION.RELU_N1_TO_1:
      return [-1, 1];
    default:
      throw kernelError(call, `fused activation ${activation} is not supported`);
  }
}

// ---- broadcasting -------------------------------------------------------------

/**
 * Loop nest of TFLM's BroadcastBinaryOpSimple after fusing compatible
 * dimensions: groups ordered innermost first. Strides are in elements; a
 * stride of 0 repeats the input along that group.
 */
interface BroadcastPlan {
  empty: boolean;
  shape: number[];
  a: number[];
  b: number[];
  o: number[];
}

function planBroadcast(s1: readonly number[], s2: readonly number[], so: readonly number[]): BroadcastPlan {
  const rank = Math.max(s1.length, s2.length, so.length);
  const ext = (s: readonly number[]) => [...new Array<number>(rank - s.length).fill(1), ...s];
  const e1 = ext(s1);
  const e2 = ext(s2);
  const eo = ext(so);
  const plan: BroadcastPlan = { empty: false, shape: [], a: [], b: [], o: [] };
  if (rank === 0) {
    plan.shape.push(1);
    plan.a.push(0);
    plan.b.push(0);
    plan.o.push(1);
    return plan;
  }
  let aAcc = 1;
  let bAcc = 1;
  let oAcc = 1;
  const canFuse = (outDim: number, stride: number, expected: number, next: number) =>
    outDim === 1 ? true : next === 0 ? stride === 0 : stride === expected;
  for (let i = rank - 1; i >= 0; i--) {
    const d1 = e1[i]!;
    const d2 = e2[i]!;
    const dout = eo[i]!;
    if (d1 <= 0 || d2 <= 0 || dout <= 0) {
      plan.empty = true;
      return plan;
    }
    const as = d1 === 1 && dout !== 1 ? 0 : aAcc;
    const bs = d2 === 1 && dout !== 1 ? 0 : bAcc;
    const os = oAcc;
    const g = plan.shape.length - 1;
    if (
      g >= 0 &&
      canFuse(dout, as, aAcc, plan.a[g]!) &&
      canFuse(dout, bs, bAcc, plan.b[g]!) &&
      canFuse(dout, os, oAcc, plan.o[g]!)
    ) {
      plan.shape[g]! *= dout;
    } else {
      plan.shape.push(dout);
      plan.a.push(as);
      plan.b.push(bs);
      plan.o.push(os);
    }
    aAcc *= d1;
    bAcc *= d2;
    oAcc *= dout;
  }
  return plan;
}

/** One innermost row: n outputs from a[aOff + i*aStep], b[bOff + i*bStep] into o[oOff + i]. */
type RowFn = (aOff: number, aStep: number, bOff: number, bStep: number, oOff: number, n: number) => void;

function runBroadcast(plan: BroadcastPlan, row: RowFn): void {
  if (plan.empty) return;
  const g = plan.shape.length;
  const n = plan.shape[0]!;
  const aStep = plan.a[0]!;
  const bStep = plan.b[0]!;
  if (g === 1) {
    row(0, aStep, 0, bStep, 0, n);
    return;
  }
  const idx = new Array<number>(g).fill(0);
  let aOff = 0;
  let bOff = 0;
  let oOff = 0;
  for (;;) {
    row(aOff, aStep, bOff, bStep, oOff, n);
    let d = 1;
    for (; d < g; d++) {
      idx[d]!++;
      aOff += plan.a[d]!;
      bOff += plan.b[d]!;
      oOff += plan.o[d]!;
      if (idx[d]! < plan.shape[d]!) break;
      aOff -= plan.a[d]! * plan.shape[d]!;
      bOff -= plan.b[d]! * plan.shape[d]!;
      oOff -= plan.o[d]! * plan.shape[d]!;
      idx[d] = 0;
    }
    if (d === g) return;
  }
}

// ---- binary ops: ADD, MUL ---------------------------------------------------

interface BinaryState {
  plan: BroadcastPlan;
  /** int8 x int8 -> int8: result for ((a & 255) << 8) | (b & 255). */
  table: Int8Array | null;
  /** Per-element function for the non-tabulated paths. */
  fn: ((a: number, b: number) => number) | null;
  /** float32 ADD/MUL: inlined loops with this activation range. */
  float?: { op: 'add' | 'mul'; lo: number; hi: number };
}

function binaryInvoke(call: KernelCall, s: BinaryState): void {
  const A = viewOf(requireInput(call, 0));
  const B = viewOf(requireInput(call, 1));
  const O = viewOf(requireOutput(call, 0));
  const table = s.table;
  if (table) {
    const a8 = A as Int8Array;
    const b8 = B as Int8Array;
    const o8 = O as Int8Array;
    runBroadcast(s.plan, (ao, as, bo, bs, oo, n) => {
      if (as === 1 && bs === 1) {
        for (let i = 0; i < n; i++) o8[oo + i] = table[((a8[ao + i]! & 255) << 8) | (b8[bo + i]! & 255)]!;
      } else if (as === 0) {
        const base = (a8[ao]! & 255) << 8;
        for (let i = 0; i < n; i++) o8[oo + i] = table[base | (b8[bo + i * bs]! & 255)]!;
      } else {
        const lo = b8[bo]! & 255;
        for (let i = 0; i < n; i++) o8[oo + i] = table[((a8[ao + i * as]! & 255) << 8) | lo]!;
      }
    });
    return;
  }
  if (s.float) {
    const { lo, hi } = s.float;
    const fa = A as Float32Array;
    const fb = B as Float32Array;
    const fo = O as Float32Array;
    // Float32Array stores round the double result once: the same as C's float + and *.
    if (s.float.op === 'add') {
      runBroadcast(s.plan, (ao, as, bo, bs, oo, n) => {
        for (let i = 0; i < n; i++) {
          const v = Math.fround(fa[ao + i * as]! + fb[bo + i * bs]!);
          const w = v < lo ? lo : v;
          fo[oo + i] = hi < w ? hi : w;
        }
      });
    } else {
      runBroadcast(s.plan, (ao, as, bo, bs, oo, n) => {
        for (let i = 0; i < n; i++) {
          const v = Math.fround(fa[ao + i * as]! * fb[bo + i * bs]!);
          const w = v < lo ? lo : v;
          fo[oo + i] = hi < w ? hi : w;
        }
      });
    }
    return;
  }
  const fn = s.fn!;
  runBroadcast(s.plan, (ao, as, bo, bs, oo, n) => {
    for (let i = 0; i < n; i++) O[oo + i] = fn(A[ao + i * as]!, B[bo + i * bs]!);
  });
}

function tabulate8(fn: (a: number, b: number) => number): Int8Array {
  const t = new Int8Array(65536);
  for (let a = -128; a < 128; a++) {
    for (let b = -128; b < 128; b++) t[((a & 255) << 8) | (b & 255)] = fn(a, b);
  }
  return t;
}

function checkBinaryTypes(call: KernelCall, ops: readonly string[]): [TensorData, TensorData, TensorData] {
  const in1 = requireInput(call, 0);
  const in2 = requireInput(call, 1);
  const out = requireOutput(call, 0);
  const t = out.tensor.dtype;
  if (in1.tensor.dtype !== t || in2.tensor.dtype !== t || !ops.includes(t)) {
    throw kernelError(call, `types ${in1.tensor.dtype}, ${in2.tensor.dtype} -> ${t} are not supported`);
  }
  return [in1, in2, out];
}

const ADD = defineKernel<BinaryState>({
  prepare(call) {
    const [in1, in2, out] = checkBinaryTypes(call, ['float32', 'int8', 'int16', 'int32']);
    const plan = planBroadcast(in1.tensor.shape, in2.tensor.shape, out.tensor.shape);
    const activation = activationOf(call);
    const dtype = out.tensor.dtype;
    if (dtype === 'float32') {
      const [lo, hi] = activationRangeFloat(call, activation);
      return { plan, table: null, fn: (a, b) => clampFloat(Math.fround(a + b), lo, hi), float: { op: 'add', lo, hi } };
    }
    if (dtype === 'int32') {
      // TFLM's int32 ADD clamps to the full int32 range whatever the activation.
      return { plan, table: null, fn: (a, b) => (a + b) | 0 };
    }
    for (const [d, w] of [
      [in1, 'input 0'],
      [in2, 'input 1'],
      [out, 'output'],
    ] as const)
      requireQuantized(call, d, w);
    // add_common.cc CalculateOpDataAdd
    const s1 = scaleOf(in1);
    const s2 = scaleOf(in2);
    const so = scaleOf(out);
    const input1Offset = -zeroPointOf(in1);
    const input2Offset = -zeroPointOf(in2);
    const outputOffset = zeroPointOf(out);
    const leftShift = dtype === 'int16' ? 15 : 20;
    const twiceMaxInputScale = 2 * Math.max(s1, s2);
    const m1 = quantizeMultiplier(s1 / twiceMaxInputScale);
    const m2 = quantizeMultiplier(s2 / twiceMaxInputScale);
    const mo = quantizeMultiplier(twiceMaxInputScale / ((1 << leftShift) * so));
    for (const m of [m1, m2, mo]) {
      if (m.shift > 0) throw kernelError(call, 'ADD rescale multiplier is not smaller than one');
    }
    const [qmin, qmax] = activationRangeQuantized(call, out, activation);
    const scale1 = (x: number) =>
      multiplyByQuantizedMultiplierSmallerThanOneExp(Math.imul(input1Offset + x, 1 << leftShift), m1.multiplier, m1.shift);
    const scale2 = (x: number) =>
      multiplyByQuantizedMultiplierSmallerThanOneExp(Math.imul(input2Offset + x, 1 << leftShift), m2.multiplier, m2.shift);
    const finish = (rawSum: number) =>
      clampInt(multiplyByQuantizedMultiplierSmallerThanOneExp(rawSum, mo.multiplier, mo.shift) + outputOffset, qmin, qmax);
    if (dtype === 'int8') {
      const t1 = new Int32Array(256);
      const t2 = new Int32Array(256);
      for (let x = -128; x < 128; x++) {
        t1[x & 255] = scale1(x);
        t2[x & 255] = scale2(x);
      }
      return { plan, table: tabulate8((a, b) => finish((t1[a & 255]! + t2[b & 255]!) | 0)), fn: null };
    }
    return { plan, table: null, fn: (a, b) => finish((scale1(a) + scale2(b)) | 0) };
  },
  invoke: binaryInvoke,
});

const MUL = defineKernel<BinaryState>({
  prepare(call) {
    const [in1, in2, out] = checkBinaryTypes(call, ['float32', 'int8', 'int16', 'int32']);
    const plan = planBroadcast(in1.tensor.shape, in2.tensor.shape, out.tensor.shape);
    const activation = activationOf(call);
    const dtype = out.tensor.dtype;
    if (dtype === 'float32') {
      const [lo, hi] = activationRangeFloat(call, activation);
      return { plan, table: null, fn: (a, b) => clampFloat(Math.fround(a * b), lo, hi), float: { op: 'mul', lo, hi } };
    }
    if (dtype === 'int32') {
      const [lo, hi] = int32ActivationRange(call, activation);
      return { plan, table: null, fn: (a, b) => clampInt(Math.imul(a, b), lo, hi) };
    }
    for (const [d, w] of [
      [in1, 'input 0'],
      [in2, 'input 1'],
      [out, 'output'],
    ] as const)
      requireQuantized(call, d, w);
    // mul_common.cc CalculateOpDataMul
    const [qmin, qmax] = activationRangeQuantized(call, out, activation);
    const m = quantizeMultiplier((scaleOf(in1) * scaleOf(in2)) / scaleOf(out));
    const input1Offset = -zeroPointOf(in1);
    const input2Offset = -zeroPointOf(in2);
    const outputOffset = zeroPointOf(out);
    if (dtype === 'int16' && (input1Offset !== 0 || input2Offset !== 0 || outputOffset !== 0)) {
      throw kernelError(call, 'int16 MUL needs zero points of 0');
    }
    const fn = (a: number, b: number) =>
      clampInt(outputOffset + multiplyByQuantizedMultiplier(Math.imul(input1Offset + a, input2Offset + b), m.multiplier, m.shift), qmin, qmax);
    if (dtype === 'int8') return { plan, table: tabulate8(fn), fn: null };
    return { plan, table: null, fn };
  },
  invoke: binaryInvoke,
});

// ---- unary ops ------------------------------------------------------------------

/**
 * A unary element-wise state: either a 256-entry table indexed by the input
 * byte (8-bit inputs), or a per-element function.
 */
interface UnaryState {
  table: Int8Array | Uint8Array | Int16Array | Int32Array | Float32Array | null;
  fn: ((x: number) => number) | null;
}

function unaryInvoke(call: KernelCall, s: UnaryState): void {
  const input = requireInput(call, 0);
  const I = viewOf(input);
  const O = viewOf(requireOutput(call, 0));
  const n = Math.min(I.length, O.length);
  const table = s.table;
  if (table) {
    if (input.tensor.dtype === 'uint8') {
      for (let i = 0; i < n; i++) O[i] = table[I[i]!]!;
    } else {
      for (let i = 0; i < n; i++) O[i] = table[I[i]! & 255]!;
    }
    return;
  }
  const fn = s.fn!;
  for (let i = 0; i < n; i++) O[i] = fn(I[i]!);
}

/** A 256-entry table of fn over the input byte values of dtype (int8 or uint8). */
function tabulateByte<T extends Int8Array | Uint8Array | Int16Array | Int32Array | Float32Array>(
  out: T,
  inputDtype: string,
  fn: (x: number) => number,
): T {
  for (let byte = 0; byte < 256; byte++) out[byte] = fn(inputDtype === 'int8' ? (byte << 24) >> 24 : byte);
  return out;
}

function newArrayFor(dtype: string): Int8Array | Uint8Array | Int16Array | Int32Array | Float32Array {
  switch (dtype) {
    case 'int8':
      return new Int8Array(256);
    case 'uint8':
      return new Uint8Array(256);
    case 'int16':
      return new Int16Array(256);
    case 'int32':
      return new Int32Array(256);
    default:
      return new Float32Array(256);
  }
}

function unaryState(inputDtype: string, outputDtype: string, fn: (x: number) => number): UnaryState {
  if (inputDtype === 'int8' || inputDtype === 'uint8') {
    return { table: tabulateByte(newArrayFor(outputDtype), inputDtype, fn), fn: null };
  }
  return { table: null, fn };
}

function checkUnary(call: KernelCall, ops: readonly string[]): [TensorData, TensorData] {
  const input = requireInput(call, 0);
  const output = requireOutput(call, 0);
  const t = input.tensor.dtype;
  if (output.tensor.dtype !== t || !ops.includes(t)) {
    throw kernelError(call, `types ${t} -> ${output.tensor.dtype} are not supported`);
  }
  if (elementCount(input) !== elementCount(output)) throw kernelError(call, 'input and output sizes differ');
  return [input, output];
}

const RELU = defineKernel<UnaryState>({
  prepare(call) {
    const [input, output] = checkUnary(call, ['float32', 'int8', 'int16']);
    const t = input.tensor.dtype;
    if (t === 'float32') return { table: null, fn: (v) => (v < 0 ? 0 : v) };
    requireQuantized(call, input, 'input');
    requireQuantized(call, output, 'output');
    // activations_common.cc CalculateReluOpData
    const [tmin, tmax] = t === 'int8' ? [-128, 127] : [-32768, 32767];
    const inZp = zeroPointOf(input);
    const outZp = zeroPointOf(output);
    if (t === 'int16' && (inZp !== 0 || outZp !== 0)) throw kernelError(call, 'int16 RELU needs zero points of 0');
    const m = quantizeMultiplier(Math.fround(scaleOf(input) / scaleOf(output)));
    const qmin = Math.max(tmin, outZp + roundHalfAway(Math.fround(0 / scaleOf(output))));
    const qmax = tmax;
    return unaryState(t, t, (v) => clampInt(outZp + multiplyByQuantizedMultiplier(v - inZp, m.multiplier, m.shift), qmin, qmax));
  },
  invoke: unaryInvoke,
});

const RELU6 = defineKernel<UnaryState>({
  prepare(call) {
    const [input] = checkUnary(call, ['float32', 'int8', 'int16']);
    const t = input.tensor.dtype;
    if (t === 'float32') return { table: null, fn: (v) => (v > 6 ? 6 : v < 0 ? 0 : v) };
    requireQuantized(call, input, 'input');
    // activations_common.cc Relu6Prepare: FloatToQuantizedType(6.0f, scale, zero_point)
    const [tmin, tmax] = t === 'int8' ? [-128, 127] : [-32768, 32767];
    const zero = zeroPointOf(input);
    const six = clampInt(roundHalfAway(Math.fround(6 / scaleOf(input))) + zero, tmin, tmax);
    return unaryState(t, t, (v) => (v > six ? six : v < zero ? zero : v));
  },
  invoke: unaryInvoke,
});

const LOGISTIC_CUTOFF_UPPER = Math.fround(16.619047164916992188);

/** reference_ops::Logistic<float> with glibc's expf. */
export function logisticFloat(v: number): number {
  if (v > LOGISTIC_CUTOFF_UPPER) return 1;
  if (v < -9) return expf(v);
  return Math.fround(1 / Math.fround(1 + expf(-v)));
}

const LOGISTIC = defineKernel<UnaryState>({
  prepare(call) {
    const [input, output] = checkUnary(call, ['float32', 'int8']);
    const t = input.tensor.dtype;
    if (t === 'float32') return { table: null, fn: logisticFloat };
    requireQuantized(call, input, 'input');
    requireQuantized(call, output, 'output');
    if (zeroPointOf(output) !== -128) throw kernelError(call, 'int8 LOGISTIC needs an output zero point of -128');
    // logistic_common.cc CalculateArithmeticOpDataLogistic (kInputIntegerBits = 4)
    const inputZeroPoint = zeroPointOf(input);
    const inputRealMultiplier = scaleOf(input) * 2 ** 27;
    const [q, leftShift] = frexp(inputRealMultiplier);
    let inputMultiplier = roundHalfAway(q * 2 ** 31);
    if (inputMultiplier >= 2 ** 31) inputMultiplier = -2147483648; // int32 conversion as on the oracle host
    const inputRangeRadius = Math.floor((15 * 2 ** 27) / 2 ** leftShift);
    // reference_integer_ops::Logistic (int8)
    return unaryState('int8', 'int8', (x) => {
      const v = x - inputZeroPoint;
      if (v <= -inputRangeRadius) return -128;
      if (v >= inputRangeRadius) return 127;
      const inQ4 = multiplyByQuantizedMultiplier(v, inputMultiplier, leftShift);
      const outQ0 = fixedLogistic(inQ4, 4);
      return clampInt(roundingDivideByPOT(outQ0, 23) - 128, -128, 127);
    });
  },
  invoke: unaryInvoke,
});

/** reference_ops::SaturatingLeftShift (int16). */
const saturatingLeftShift16 = (v: number, amount: number) => clampInt(v * 2 ** amount, -32768, 32767);
/** reference_ops::SaturatingDoublingHighMul (int16, truncating). */
const saturatingDoublingHighMul16 = (a: number, b: number) =>
  a === -32768 && b === -32768 ? 32767 : (Math.trunc((a * b) / 32768) << 16) >> 16;
const toInt16 = (v: number) => (v << 16) >> 16;

const HARD_SWISH = defineKernel<UnaryState>({
  prepare(call) {
    const [input, output] = checkUnary(call, ['float32', 'int8']);
    const t = input.tensor.dtype;
    if (t === 'float32') {
      return {
        table: null,
        fn: (x) => {
          const p = Math.fround(x + 3);
          const r = 0 < p ? p : 0;
          const m = r < 6 ? r : 6;
          return Math.fround(Math.fround(x * m) / 6);
        },
      };
    }
    requireQuantized(call, input, 'input');
    requireQuantized(call, output, 'output');
    // hard_swish_common.cc HardSwishPrepare
    const inputZeroPoint = zeroPointOf(input);
    const outputZeroPoint = zeroPointOf(output);
    const hiresInputScale = Math.fround(Math.fround(1 / 128) * scaleOf(input));
    const reluishScale = Math.fround(3 / 32768);
    const om = quantizeMultiplier(Math.fround(hiresInputScale / scaleOf(output)));
    const outputMultiplierExponent = om.shift;
    const outputMultiplier16 = downScaleInt32ToInt16Multiplier(om.multiplier);
    if (outputMultiplierExponent > 0) throw kernelError(call, 'HARD_SWISH output multiplier exponent is positive');
    const rm = quantizeMultiplier(Math.fround(hiresInputScale / reluishScale));
    const reluishExponent = rm.shift;
    const reluishMultiplier16 = downScaleInt32ToInt16Multiplier(rm.multiplier);
    // reference_ops::HardSwish<int8_t>
    return unaryState('int8', 'int8', (x) => {
      const inputValue = toInt16(x - inputZeroPoint);
      const hires = toInt16(inputValue * 128);
      const preshiftOutputScale = saturatingRoundingDoublingHighMul16(hires, outputMultiplier16);
      let reluish = hires;
      if (reluishExponent > 0) reluish = saturatingLeftShift16(reluish, reluishExponent - 1);
      reluish = saturatingRoundingDoublingHighMul16(reluish, reluishMultiplier16);
      if (reluishExponent > 0) reluish = saturatingLeftShift16(reluish, 1);
      if (reluishExponent < 0) reluish = toInt16(roundingDivideByPOT(reluish, -reluishExponent));
      reluish = toInt16((reluish + 32768) >> 1);
      const preshiftOutput = saturatingDoublingHighMul16(reluish, preshiftOutputScale);
      let outputValue = toInt16(roundingDivideByPOT(preshiftOutput, -outputMultiplierExponent));
      outputValue = toInt16(outputValue + outputZeroPoint);
      return clampInt(outputValue, -128, 127);
    });
  },
  invoke: unaryInvoke,
});

/** tflite DownScaleInt32ToInt16Multiplier. */
function downScaleInt32ToInt16Multiplier(m: number): number {
  if (m >= 2147483647 - 32768) return 32767;
  return toInt16((m + 32768) >> 16);
}

const INT_RANGE: Record<string, [number, number]> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
};

const REQUANTIZE_PAIRS = new Set([
  'int16>int8',
  'int8>int8',
  'int8>uint8',
  'uint8>int8',
  'int8>int16',
  'int8>int32',
  'int16>int16',
  'int16>int32',
  'int32>int8',
  'int32>int16',
]);

/** float -> int32 conversion as x86-64 cvttss2si does it (out of range and NaN give INT32_MIN). */
const toInt32Trunc = (v: number): number => (v >= -2147483648 && v < 2147483648 ? Math.trunc(v) : -2147483648);

const QUANTIZE = defineKernel<UnaryState>({
  prepare(call) {
    const input = requireInput(call, 0);
    const output = requireOutput(call, 0);
    const ti = input.tensor.dtype;
    const to = output.tensor.dtype;
    const q = output.tensor.quantization;
    if (!q || q.scale.length !== 1) throw kernelError(call, 'QUANTIZE needs per-tensor output quantization');
    if (elementCount(input) !== elementCount(output)) throw kernelError(call, 'input and output sizes differ');
    const outZp = zeroPointOf(output);
    const outScale = scaleOf(output);
    if (ti === 'float32') {
      if (to !== 'int8' && to !== 'int16') throw kernelError(call, `types ${ti} -> ${to} are not supported`);
      // reference_ops::AffineQuantize
      const [lo, hi] = INT_RANGE[to]!;
      const scaleF = Math.fround(outScale);
      return {
        table: null,
        fn: (v) => clampInt((toInt32Trunc(roundHalfAway(Math.fround(v / scaleF))) + outZp) | 0, lo, hi),
      };
    }
    if (!REQUANTIZE_PAIRS.has(`${ti}>${to}`)) throw kernelError(call, `types ${ti} -> ${to} are not supported`);
    requireQuantized(call, input, 'input');
    // quantize_common.cc: effective_scale = input scale / output scale; reference_ops::Requantize
    const m = quantizeMultiplier(scaleOf(input) / outScale);
    const inZp = zeroPointOf(input);
    const [lo, hi] = INT_RANGE[to]!;
    return unaryState(ti, to, (v) => clampInt((multiplyByQuantizedMultiplier((v - inZp) | 0, m.multiplier, m.shift) + outZp) | 0, lo, hi));
  },
  invoke: unaryInvoke,
});

const DEQUANTIZE = defineKernel<UnaryState>({
  prepare(call) {
    const input = requireInput(call, 0);
    const output = requireOutput(call, 0);
    const ti = input.tensor.dtype;
    if ((ti !== 'int8' && ti !== 'int16' && ti !== 'uint8') || output.tensor.dtype !== 'float32') {
      throw kernelError(call, `types ${ti} -> ${output.tensor.dtype} are not supported (TFLM dequantizes int8/int16/uint8 to float32)`);
    }
    if (elementCount(input) !== elementCount(output)) throw kernelError(call, 'input and output sizes differ');
    requireQuantized(call, input, 'input');
    // reference_ops::Dequantize: float(double(scale) * (val - zero_point))
    const scale = scaleOf(input);
    const zp = zeroPointOf(input);
    return unaryState(ti, 'float32', (v) => Math.fround(scale * (v - zp)));
  },
  invoke: unaryInvoke,
});

export const kernels: Record<string, Kernel<any>> = {
  ADD,
  MUL,
  RELU,
  RELU6,
  LOGISTIC,
  HARD_SWISH,
  QUANTIZE,
  DEQUANTIZE,
};
