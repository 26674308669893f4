// SUB, DIV, SQUARED_DIFFERENCE, FLOOR_DIV, FLOOR_MOD, MAXIMUM and MINIMUM,
// transcribed from TFLM's reference kernels (sub*.cc, div.cc,
// squared_difference.cc, floor_div.cc, floor_mod.cc, maximum_minimum.cc and
// the reference headers they call). Every one broadcasts through
// BroadcastBinaryOpSimple (binary.ts), whose fused loop nest gives the same
// values as the flat loop TFLM runs on equal shapes: each output is a pure
// function of its two inputs.

import {
  activationRangeFloat,
  activationRangeQuantized,
  clampFloat,
  clampInt,
  defineKernel,
  kernelError,
  requireInput,
  requireOutput,
  requireQuantized,
  scaleOf,
  viewOf,
  zeroPointOf,
  type Kernel,
  type KernelCall,
  type TensorData,
} from '../kernel.js';
import { builtinOptions } from '../../graph/op-options.js';
import { tflmType, tflmTypeNumber } from '../tflm-type.js';
import {
  getReciprocal,
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplierGreaterThanOne,
  multiplyByQuantizedMultiplierSmallerThanOneExp,
  quantizeMultiplier,
  type QuantizedMultiplier,
} from '../fixed-point.js';
import { binaryInvoke, int32ActivationRange, planBroadcast, runBroadcast, tabulate8, type BinaryState, type BroadcastPlan } from './binary.js';

// ---- shared helpers ---------------------------------------------------------

/** A type as TFLM's messages print it, e.g. "INT64 (4)" (one table for every family: ../tflm-type.ts). */
export const tfliteType = tflmType;

/** TFLM's quantization.type is kTfLiteAffineQuantization when the tensor carries scales. */
export const hasQuantization = (d: TensorData): boolean => (d.tensor.quantization?.scale.length ?? 0) > 0;

/**
 * tflite::QuantizeMultiplierSmallerThanOneExp: TFLM aborts (TFLITE_CHECK) when
 * the real multiplier is not in (0, 1); we refuse instead.
 */
export function quantizeSmallerThanOne(call: KernelCall, real: number, what: string): QuantizedMultiplier {
  if (!(real < 1 && real > 0)) throw kernelError(call, `${what} multiplier ${real} is not in (0, 1) (TFLM aborts)`);
  const m = quantizeMultiplier(real);
  if (m.shift > 0) throw kernelError(call, `${what} multiplier ${real} is not in (0, 1) (TFLM aborts)`);
  return m;
}

/** The two inputs and the output; TF_LITE_ENSURE_TYPES_EQ on the inputs (and the output unless `outType`). */
export function binaryOperands(call: KernelCall, what: string, outType?: string): [TensorData, TensorData, TensorData] {
  const in1 = requireInput(call, 0);
  const in2 = requireInput(call, 1);
  const out = requireOutput(call, 0);
  const t = in1.tensor.dtype;
  if (in2.tensor.dtype !== t) throw kernelError(call, `${what}: input types ${tfliteType(t)} and ${tfliteType(in2.tensor.dtype)} differ`);
  const want = outType ?? t;
  if (out.tensor.dtype !== want) throw kernelError(call, `${what}: output type ${tfliteType(out.tensor.dtype)}, expected ${tfliteType(want)}`);
  return [in1, in2, out];
}

/** A quantized binary operator's check that both inputs and the output carry scale and zero point. */
export function requireQuantizedOperands(call: KernelCall, in1: TensorData, in2: TensorData, out: TensorData): void {
  requireQuantized(call, in1, 'input 0');
  requireQuantized(call, in2, 'input 1');
  requireQuantized(call, out, 'output');
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * The broadcast plan of a binary operator, refusing what TFLM cannot compute:
 * inputs that do not broadcast to the output (TFLM reads or writes out of
 * bounds, or a DCHECK aborts: the library is built without NDEBUG) and, for
 * differing shapes, ranks above BroadcastBinaryOpSimple's kMaxRank of 8.
 */
export function broadcastPlan(call: KernelCall, a: TensorData, b: TensorData, o: TensorData): BroadcastPlan {
  const [s1, s2, so] = [a.tensor.shape, b.tensor.shape, o.tensor.shape];
  const count = (s: readonly number[]) => s.reduce((x, y) => x * y, 1);
  if (sameShape(s1, s2)) {
    // The element-wise loop over the inputs' flat size.
    if (count(so) !== count(s1)) throw kernelError(call, `output shape [${so.join(', ')}] does not hold inputs of shape [${s1.join(', ')}]`);
    return planBroadcast(s1, s2, s1);
  }
  const rank = Math.max(s1.length, s2.length, so.length);
  if (rank > 8) throw kernelError(call, `broadcasting rank ${rank}: TFLM's BroadcastBinaryOpSimple takes at most 8 (TFLM aborts)`);
  const ext = (s: readonly number[]) => [...new Array<number>(rank - s.length).fill(1), ...s];
  const [e1, e2, eo] = [ext(s1), ext(s2), ext(so)];
  for (let i = 0; i < rank; i++) {
    const [d1, d2] = [e1[i]!, e2[i]!];
    if (!(d1 === d2 || d1 === 1 || d2 === 1) || eo[i] !== (d1 === 1 ? d2 : d1)) {
      throw kernelError(call, `shapes [${s1.join(', ')}] and [${s2.join(', ')}] do not broadcast to [${so.join(', ')}]`);
    }
  }
  return planBroadcast(s1, s2, so);
}

/** A typed view of any tensor the binary kernels read, int64 included (copied when misaligned). */
function wideView(d: TensorData): ArrayLike<number | bigint> & { [i: number]: number | bigint } {
  if (d.tensor.dtype !== 'int64') return viewOf(d);
  const b = d.bytes;
  if (b.byteOffset % 8 === 0) return new BigInt64Array(b.buffer, b.byteOffset, b.byteLength >> 3);
  const copy = new BigInt64Array(b.byteLength >> 3);
  new Uint8Array(copy.buffer).set(b);
  return copy;
}

/** A binary kernel's state: binary.ts's, plus int64 operands (BigInt per element). */
export interface WideState extends BinaryState {
  wide?: (a: any, b: any) => number | bigint;
  /** int8 DIV: the input byte pairs (as `table` indexes them) for which TFLM aborts. */
  aborts?: Uint8Array;
}

/** binaryInvoke, or the element loop over BigInt64Array views when an operand is int64. */
export function wideInvoke(call: KernelCall, s: WideState): void {
  if (!s.wide) {
    binaryInvoke(call, s);
    return;
  }
  const A = wideView(requireInput(call, 0));
  const B = wideView(requireInput(call, 1));
  const O = wideView(requireOutput(call, 0));
  const fn = s.wide;
  runBroadcast(s.plan, (ao, as, bo, bs, oo, n) => {
    for (let i = 0; i < n; i++) O[oo + i] = fn(A[ao + i * as]!, B[bo + i * bs]!);
  });
}

const fn = (plan: WideState['plan'], f: (a: number, b: number) => number): WideState => ({ plan, table: null, fn: f });

/** The add/sub rescaling of add_common.cc/sub_common.cc: one input to the common scale, shifted left. */
const rescale = (offset: number, leftShift: number, m: QuantizedMultiplier) => (x: number) =>
  multiplyByQuantizedMultiplierSmallerThanOneExp(Math.imul(offset + x, 1 << leftShift), m.multiplier, m.shift);

// ---- SUB ----------------------------------------------------------------------

const SUB = defineKernel<WideState>({
  prepare(call) {
    const [in1, in2, out] = binaryOperands(call, 'SUB');
    const plan = broadcastPlan(call, in1, in2, out);
    const activation = builtinOptions(call.op, 'SubOptions').fusedActivationFunction;
    const dtype = out.tensor.dtype;
    if (dtype === 'float32') {
      const [lo, hi] = activationRangeFloat(call, activation);
      return fn(plan, (a, b) => clampFloat(Math.fround(a - b), lo, hi));
    }
    if (dtype === 'int32') {
      // SubPrepare: int32 tensors carry no quantization.
      for (const d of [in1, in2, out]) if (hasQuantization(d)) throw kernelError(call, `int32 SUB: tensor '${d.tensor.name}' is quantized`);
      const [lo, hi] = int32ActivationRange(call, activation);
      return fn(plan, (a, b) => clampInt((a - b) | 0, lo, hi));
    }
    if (dtype !== 'int8' && dtype !== 'int16') throw kernelError(call, `Type ${tfliteType(dtype)} not supported.`);
    requireQuantizedOperands(call, in1, in2, out);
    if (dtype === 'int16' && sameShape(in1.tensor.shape, in2.tensor.shape) && (zeroPointOf(in1) !== 0 || zeroPointOf(in2) !== 0)) {
      // reference_ops::Sub<int16_t> (equal shapes) DCHECKs zero input offsets; TFLM is built with DCHECKs.
      throw kernelError(call, 'int16 SUB of equal shapes needs input zero points of 0 (TFLM aborts)');
    }
    // sub_common.cc CalculateOpDataSub: unlike ADD, the scales are combined in float.
    const leftShift = dtype === 'int16' ? 15 : 20;
    const twiceMax = Math.fround(2 * Math.max(scaleOf(in1), scaleOf(in2)));
    const m1 = quantizeSmallerThanOne(call, Math.fround(scaleOf(in1) / twiceMax), 'SUB input 0');
    const m2 = quantizeSmallerThanOne(call, Math.fround(scaleOf(in2) / twiceMax), 'SUB input 1');
    const mo = quantizeSmallerThanOne(call, Math.fround(twiceMax / Math.fround((1 << leftShift) * scaleOf(out))), 'SUB output');
    const [qmin, qmax] = activationRangeQuantized(call, out, activation);
    const s1 = rescale(-zeroPointOf(in1), leftShift, m1);
    const s2 = rescale(-zeroPointOf(in2), leftShift, m2);
    const outputOffset = zeroPointOf(out);
    const f = (a: number, b: number) =>
      clampInt(multiplyByQuantizedMultiplierSmallerThanOneExp((s1(a) - s2(b)) | 0, mo.multiplier, mo.shift) + outputOffset, qmin, qmax);
    return dtype === 'int8' ? { plan, table: tabulate8(f), fn: null } : fn(plan, f);
  },
  invoke: wideInvoke,
});

// ---- DIV ----------------------------------------------------------------------

/** gcc's __builtin_clrsb (CountLeadingSignBits): redundant sign bits; 31 for 0. */
const countLeadingSignBits = (x: number): number => (x === 0 ? 31 : Math.clz32(x < 0 ? ~x : x) - 1);

const DIV = defineKernel<WideState>({
  prepare(call) {
    const [in1, in2, out] = binaryOperands(call, 'DIV');
    const plan = broadcastPlan(call, in1, in2, out);
    const activation = builtinOptions(call.op, 'DivOptions').fusedActivationFunction;
    const dtype = out.tensor.dtype;
    if (dtype === 'float32') {
      const [lo, hi] = activationRangeFloat(call, activation);
      return fn(plan, (a, b) => clampFloat(Math.fround(a / b), lo, hi));
    }
    if (dtype === 'int32') {
      // DivPrepare: int32 inputs carry no quantization.
      for (const d of [in1, in2]) if (hasQuantization(d)) throw kernelError(call, `int32 DIV: tensor '${d.tensor.name}' is quantized`);
      const [lo, hi] = int32ActivationRange(call, activation);
      return fn(plan, (a, b) => {
        // C's int division truncates; a zero divisor traps on the x86-64 host.
        if (b === 0) throw kernelError(call, 'integer division by zero');
        return clampInt(Math.trunc(a / b) | 0, lo, hi);
      });
    }
    if (dtype !== 'int8') throw kernelError(call, `DIV only supports FLOAT32, INT32, quantized INT8 now, got type ${tfliteType(dtype)}.`);
    requireQuantizedOperands(call, in1, in2, out);
    // div.cc CalculateOpDataDiv: the multiplier is computed in float.
    const [qmin, qmax] = activationRangeQuantized(call, out, activation);
    const m = quantizeMultiplier(Math.fround(scaleOf(in1) / Math.fround(scaleOf(in2) * scaleOf(out))));
    const input1Offset = -zeroPointOf(in1);
    const input2Offset = -zeroPointOf(in2);
    const outputOffset = zeroPointOf(out);
    // reference_ops DivElementwise / BroadcastDivSlowQuantized. TFLM is built with asserts: a divisor at its zero
    // point fails a DCHECK, and gemmlowp's RoundingDivideByPOT asserts 0 <= exponent <= 31, which a numerator at or
    // next to its zero point breaks when the reciprocal's shift exceeds the output's. Such pairs abort TFLM; we flag them.
    const aborts = new Uint8Array(65536);
    let anyAbort = false;
    const table = tabulate8((a, b) => {
      let v1 = input1Offset + a;
      let v2 = input2Offset + b;
      if (v2 === 0) {
        // TFLITE_DCHECK_NE(input2_val, 0)
        aborts[((a & 255) << 8) | (b & 255)] = 1;
        anyAbort = true;
        return 0;
      }
      if (v2 < 0) {
        v1 = -v1;
        v2 = -v2;
      }
      const [inv, recipShift] = getReciprocal(v2, 31);
      const headroom = countLeadingSignBits(v1);
      const unscaled = multiplyByQuantizedMultiplierGreaterThanOne(v1, inv, headroom);
      const totalShift = m.shift - recipShift - headroom;
      if (-totalShift > 31 || -totalShift < 0) {
        aborts[((a & 255) << 8) | (b & 255)] = 1;
        anyAbort = true;
        return 0;
      }
      return clampInt(outputOffset + multiplyByQuantizedMultiplierSmallerThanOneExp(unscaled, m.multiplier, totalShift), qmin, qmax);
    });
    return { plan, table, fn: null, aborts: anyAbort ? aborts : undefined };
  },
  invoke(call, s) {
    const aborts = s.aborts;
    if (aborts) {
      const A = viewOf(requireInput(call, 0));
      const B = viewOf(requireInput(call, 1));
      runBroadcast(s.plan, (ao, as, bo, bs, _oo, n) => {
        for (let i = 0; i < n; i++) {
          const a = A[ao + i * as]!;
          const b = B[bo + i * bs]!;
          if (aborts[((a & 255) << 8) | (b & 255)]) {
            throw kernelError(call, `TFLM aborts (a DCHECK or gemmlowp's RoundingDivideByPOT exponent assert) on inputs ${a} / ${b}`);
          }
        }
      });
    }
    wideInvoke(call, s);
  },
});

// ---- SQUARED_DIFFERENCE ---------------------------------------------------------

const SQUARED_DIFFERENCE = defineKernel<WideState>({
  prepare(call) {
    // SquaredDifferencePrepare sets the output's type to the inputs'.
    const [in1, in2, out] = binaryOperands(call, 'SQUARED_DIFFERENCE');
    const plan = broadcastPlan(call, in1, in2, out);
    const dtype = out.tensor.dtype;
    if (dtype === 'float32') {
      return fn(plan, (a, b) => {
        const d = Math.fround(a - b);
        return Math.fround(d * d);
      });
    }
    if (dtype === 'int32') {
      return fn(plan, (a, b) => {
        const d = (a - b) | 0;
        return Math.imul(d, d);
      });
    }
    if (dtype !== 'int8' && dtype !== 'int16') {
      throw kernelError(call, `SquaredDifference only supports FLOAT32, INT32 , INT16 and INT8 now, got ${tflmTypeNumber(dtype) ?? dtype}.`);
    }
    requireQuantizedOperands(call, in1, in2, out);
    const [tmin, tmax] = dtype === 'int8' ? [-128, 127] : [-32768, 32767];
    const zps = [in1, in2, out].map(zeroPointOf);
    if (dtype === 'int8' && zps.some((z) => z < tmin || z > tmax)) throw kernelError(call, 'int8 SQUARED_DIFFERENCE: a zero point is out of the int8 range');
    if (dtype === 'int16' && zps.some((z) => z !== 0)) throw kernelError(call, 'int16 SQUARED_DIFFERENCE needs zero points of 0');
    // squared_difference.cc PrepareQuantized (in double, but for the int shift times the float output scale).
    const leftShift = dtype === 'int8' ? 7 : 0;
    const twiceMax = 2 * Math.max(scaleOf(in1), scaleOf(in2));
    const m1 = quantizeSmallerThanOne(call, scaleOf(in1) / twiceMax, 'SQUARED_DIFFERENCE input 0');
    const m2 = quantizeSmallerThanOne(call, scaleOf(in2) / twiceMax, 'SQUARED_DIFFERENCE input 1');
    const mo = quantizeMultiplier((twiceMax * twiceMax) / Math.fround((1 << (leftShift * 2)) * scaleOf(out)));
    const s1 = rescale(-zps[0]!, leftShift, m1);
    const s2 = rescale(-zps[1]!, leftShift, m2);
    const outputOffset = zps[2]!;
    const f = (a: number, b: number) => {
      const d = (s1(a) - s2(b)) | 0;
      return clampInt(multiplyByQuantizedMultiplier(Math.imul(d, d), mo.multiplier, mo.shift) + outputOffset, tmin, tmax);
    };
    return dtype === 'int8' ? { plan, table: tabulate8(f), fn: null } : fn(plan, f);
  },
  invoke: wideInvoke,
});

// ---- FLOOR_DIV, FLOOR_MOD (float32 only in TFLM) ------------------------------------

const FLOOR_DIV = defineKernel<WideState>({
  prepare(call) {
    const [in1, in2, out] = binaryOperands(call, 'FLOOR_DIV');
    if (in1.tensor.dtype !== 'float32') throw kernelError(call, `Type '${in1.tensor.dtype.toUpperCase()}' is not supported by FLOOR_DIV.`);
    // reference_ops::FloorDiv: std::floor of the double quotient, stored as float.
    return fn(broadcastPlan(call, in1, in2, out), (a, b) => Math.fround(Math.floor(a / b)));
  },
  invoke(call, s) {
    // EvalFloorDiv fails on any zero in the denominator before computing.
    const den = viewOf(requireInput(call, 1));
    for (let i = 0; i < den.length; i++) if (den[i] === 0) throw kernelError(call, 'Division by 0');
    wideInvoke(call, s);
  },
});

const FLOOR_MOD = defineKernel<WideState>({
  prepare(call) {
    const [in1, in2, out] = binaryOperands(call, 'FLOOR_MOD');
    if (in1.tensor.dtype !== 'float32') throw kernelError(call, `Type '${in1.tensor.dtype.toUpperCase()}' is not supported by FLOOR_MOD.`);
    // reference_ops::FloorMod<float>: std::fmod (JavaScript's % on doubles, exact), moved to the divisor's sign.
    return fn(broadcastPlan(call, in1, in2, out), (a, b) => {
      const m = a % b;
      return m !== 0 && b < 0 !== m < 0 ? Math.fround(m + b) : m;
    });
  },
  invoke: wideInvoke,
});

// ---- MAXIMUM, MINIMUM ---------------------------------------------------------------

const MAX_MIN_TYPES = ['float32', 'int8', 'int16', 'int32', 'int64'];

function maxMin(name: string, pick: (a: any, b: any) => any): Kernel<WideState> {
  return defineKernel<WideState>({
    prepare(call) {
      // No Prepare in TFLM: Eval switches on the output type and reads the inputs as that type.
      const [in1, in2, out] = binaryOperands(call, name);
      const dtype = out.tensor.dtype;
      if (!MAX_MIN_TYPES.includes(dtype)) throw kernelError(call, `Type ${tfliteType(dtype)} is not supported by Maximum/Minimum.`);
      const plan = broadcastPlan(call, in1, in2, out);
      if (dtype === 'int64') return { plan, table: null, fn: null, wide: pick };
      if (dtype === 'int8') return { plan, table: tabulate8(pick), fn: null };
      return fn(plan, pick);
    },
    invoke: wideInvoke,
  });
}

// MaximumOp / MinimumOp: el1 > el2 ? el1 : el2 (a NaN first operand gives the second).
const MAXIMUM = maxMin('MAXIMUM', (a, b) => (a > b ? a : b));
const MINIMUM = maxMin('MINIMUM', (a, b) => (a < b ? a : b));

export const kernels: Record<string, Kernel<any>> = { SUB, DIV, SQUARED_DIFFERENCE, FLOOR_DIV, FLOOR_MOD, MAXIMUM, MINIMUM };
