// Reductions: reference_ops::Mean / QuantizedMeanOrSum / ReduceGeneric as
// TFLM's reduce_common.cc calls them for MEAN, SUM, REDUCE_MAX, REDUCE_MIN and
// REDUCE_ALL. Sums run in input order into the output position with the
// reduced axes dropped; int8/int16 sum into the int32 accumulator scratch TFLM
// requests in the arena, then (MEAN) fold 1/count into the output multiplier.
// The axis tensor is read at Eval in TFLM: a constant one is resolved once
// here, another at every invoke.

import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../fixed-point.js';
import {
  defineKernel,
  elementCount,
  FLT_MAX,
  i32,
  kernelError,
  requireInput,
  requireOutput,
  scaleOf,
  scratchI32,
  viewOf,
  zeroPointOf,
  type Kernel,
  type KernelCall,
} from '../kernel.js';
import { requireType, tflmType } from '../tflm-type.js';
import { requantizeTableBytes, requantizeTableFresh, simd, simdHeap, simdI32, simdI8, simdReserve } from '../simd/simd.js';

type Kind = 'MEAN' | 'SUM' | 'REDUCE_MAX' | 'REDUCE_MIN' | 'REDUCE_ALL';

interface Targets {
  /** For each input element (row-major), its output element. */
  target: Int32Array;
  /** Input elements per output element. */
  count: number;
  /** Some input dimension is 0: ReduceGeneric and QuantizedMeanOrSum stop after initialising the output. */
  empty: boolean;
  /**
   * The output's element count when input element i goes to output element i mod it (every reduced axis before every
   * kept one: a global average pool over NHWC); else 0.
   */
  period: number;
}

interface ReduceState {
  kind: Kind;
  dtype: string;
  /** Resolved once for a constant axis tensor; null: at every invoke. */
  targets: Targets | null;
  multiplier: number;
  shift: number;
  inputZeroPoint: number;
  outputZeroPoint: number;
}

/** ResolveAxis (negative axes wrap, repeats count once) and each input element's output element. */
function resolveTargets(call: KernelCall): Targets {
  const input = requireInput(call, 0);
  const dims = input.tensor.shape;
  const axes: number[] = [];
  if (dims.length > 0) {
    for (const a of i32(requireInput(call, 1))) {
      const r = a < 0 ? a + dims.length : a;
      if (r < 0 || r >= dims.length) throw kernelError(call, `axis ${a} is out of range for a ${dims.length}-D input`);
      if (!axes.includes(r)) axes.push(r);
    }
  }
  const total = elementCount(input);
  const target = new Int32Array(total);
  const idx = new Array<number>(dims.length).fill(0);
  for (let i = 0; i < total; i++) {
    let off = 0;
    for (let d = 0; d < dims.length; d++) if (!axes.includes(d)) off = off * dims[d]! + idx[d]!;
    target[i] = off;
    for (let d = dims.length - 1; d >= 0; d--) {
      if (++idx[d]! < dims[d]!) break;
      idx[d] = 0;
    }
  }
  const count = axes.reduce((n, a) => n * dims[a]!, 1);
  const outputs = elementCount(requireOutput(call, 0));
  const kept = dims.reduce((n, s, d) => (axes.includes(d) ? n : n * s), 1);
  if (kept !== outputs) throw kernelError(call, `output has ${outputs} elements, the reduction gives ${kept}`);
  const cyclic = outputs > 0 && target.every((t, i) => t === i % outputs);
  return { target, count, empty: dims.includes(0), period: cyclic ? outputs : 0 };
}

/**
 * Each output element's int32 sum of its int8 or int16 input elements into `sum` (zeroed by the caller). Integer sums
 * wrap alike in any order, so a cyclic target sums output element by output element, without the target array (the
 * kernel's loop over every view type cost mobilenet-v2's global average pool 180 us, this 60 us).
 */
function sumIntegers(x: Int8Array | Int16Array, sum: Int32Array, t: Targets): void {
  const n = t.period;
  if (n > 0) {
    // Each output element's sum in a register, over its input elements n apart.
    for (let j = 0; j < n; j++) {
      let a = sum[j]!;
      for (let i = j; i < x.length; i += n) a = (a + x[i]!) | 0;
      sum[j] = a;
    }
    return;
  }
  const target = t.target;
  for (let i = 0; i < x.length; i++) sum[target[i]!]! += x[i]!;
}

/** QuantizedMeanOrSum's multiplier for MEAN: 1/count folded in, the shift kept >= -31. */
function meanMultiplier(multiplier: number, shift: number, count: number): [number, number] {
  if (count <= 0) return [multiplier, shift];
  // 63 - clz64(count), clamped so that the folded shift stays >= -31.
  let s = 0;
  while (2 ** (s + 1) <= count) s++;
  s = Math.min(s, 32, 31 + shift);
  return [Number((BigInt(multiplier) << BigInt(s)) / BigInt(count)), shift - s];
}

const TYPES: Record<Kind, readonly string[]> = {
  MEAN: ['float32', 'int8', 'int16'],
  SUM: ['float32', 'int8', 'int16'],
  REDUCE_MAX: ['float32', 'int8'],
  REDUCE_MIN: ['float32', 'int8'],
  REDUCE_ALL: ['bool'],
};

const prepareFor =
  (kind: Kind) =>
  (call: KernelCall): ReduceState => {
    const input = requireInput(call, 0);
    const axisT = requireInput(call, 1);
    const output = requireOutput(call, 0);
    const dtype = input.tensor.dtype;
    // PrepareSimple: TF_LITE_ENSURE_TYPES_EQ(axis, int32); REDUCE_ALL's Prepare wants bool; the others' Eval refuses.
    requireType(call, axisT, ['int32'], 'Axis type');
    if (!TYPES[kind].includes(dtype)) {
      if (kind === 'REDUCE_ALL') throw kernelError(call, `${tflmType(dtype)} != BOOL (6)`);
      throw kernelError(call, `Type ${tflmType(dtype)} not supported (TFLM refuses it at Invoke)`);
    }
    // TFLM's MEAN reads the output as the input's type without checking; the others check at Eval.
    if (output.tensor.dtype !== dtype) throw kernelError(call, `${tflmType(dtype)} != ${tflmType(output.tensor.dtype)}`);
    let multiplier = 0;
    let shift = 0;
    if ((kind === 'MEAN' || kind === 'SUM') && dtype !== 'float32') {
      if ((call.scratch[0]?.byteLength ?? 0) < elementCount(output) * 4) throw kernelError(call, 'the int32 accumulator scratch buffer is missing from the plan');
      ({ multiplier, shift } = quantizeMultiplier(scaleOf(input) / scaleOf(output)));
    }
    if ((kind === 'REDUCE_MAX' || kind === 'REDUCE_MIN') && dtype === 'int8') {
      if (Math.fround(scaleOf(input)) !== Math.fround(scaleOf(output)) || zeroPointOf(input) !== zeroPointOf(output)) {
        throw kernelError(call, 'input and output are quantized differently (TFLM refuses it at Invoke)');
      }
    }
    const targets = axisT.tensor.kind === 'constant' ? resolveTargets(call) : null;
    return { kind, dtype, targets, multiplier, shift, inputZeroPoint: zeroPointOf(input), outputZeroPoint: zeroPointOf(output) };
  };

function invoke(call: KernelCall, s: ReduceState): void {
  const x = viewOf(requireInput(call, 0));
  const out = viewOf(requireOutput(call, 0));
  const n = out.length;
  const targets = s.targets ?? resolveTargets(call);
  const { target, count, empty } = targets;
  if (s.kind === 'REDUCE_MAX' || s.kind === 'REDUCE_MIN' || s.kind === 'REDUCE_ALL') {
    // ReduceGeneric: the output starts at the reducer's identity.
    const max = s.kind === 'REDUCE_MAX';
    if (s.kind === 'REDUCE_ALL') out.fill(1);
    else if (s.dtype === 'float32') out.fill(max ? -FLT_MAX : FLT_MAX);
    else out.fill(max ? -128 : 127);
    if (empty) return;
    if (s.kind === 'REDUCE_ALL') {
      for (let i = 0; i < x.length; i++) out[target[i]!] = x[i]! && out[target[i]!]! ? 1 : 0;
    } else if (max) {
      // (in > current) ? in : current: a NaN input never wins.
      for (let i = 0; i < x.length; i++) if (x[i]! > out[target[i]!]!) out[target[i]!] = x[i]!;
    } else {
      for (let i = 0; i < x.length; i++) if (x[i]! < out[target[i]!]!) out[target[i]!] = x[i]!;
    }
    return;
  }
  if (s.dtype === 'float32') {
    // MEAN sums in the output buffer itself; SUM's ReduceGeneric adds in + current, the same float.
    out.fill(0);
    if (empty && s.kind === 'SUM') return;
    for (let i = 0; i < x.length; i++) out[target[i]!] = Math.fround(out[target[i]!]! + x[i]!);
    if (s.kind === 'MEAN' && count > 0) for (let j = 0; j < n; j++) out[j] = Math.fround(out[j]! / Math.fround(count));
    return;
  }
  const sum = scratchI32(call.scratch[0]!).subarray(0, n);
  sum.fill(0);
  out.fill(0);
  if (empty) return;
  const [multiplier, shift] = s.kind === 'MEAN' ? meanMultiplier(s.multiplier, s.shift, count) : [s.multiplier, s.shift];
  if (x instanceof Int8Array && targets.period >= 16) {
    meanOrSumInt8Simd(x, sum, out as Int8Array, count, multiplier, shift, s);
    return;
  }
  sumIntegers(x as Int8Array | Int16Array, sum, targets);
  if (count === 0) return;
  const [lo, hi] = s.dtype === 'int8' ? [-128, 127] : [-32768, 32767];
  for (let j = 0; j < n; j++) {
    const shifted = (sum[j]! - s.inputZeroPoint * count) | 0;
    const v = multiplyByQuantizedMultiplier(shifted, multiplier, shift) + s.outputZeroPoint;
    out[j] = v < lo ? lo : v > hi ? hi : v;
  }
}

/**
 * MEAN and SUM of int8 over every axis but the last, at least 16 channels (a global average pool), in the SIMD module:
 * the sums 16 channels a step (sumChannelsI8), then TFLM's output step on them (requantizeI8 is MultiplyByQuantizedMultiplier
 * plus the offset and the clamp; the input zero point times the count is its bias, added with int32 wrapping as TFLM
 * subtracts it). The sums are left in `sum` (TFLM's temp sums). mobilenet-v2's 7x7x1280: 150 -> 50 us in the model.
 */
function meanOrSumInt8Simd(x: Int8Array, sum: Int32Array, out: Int8Array, count: number, multiplier: number, shift: number, s: ReduceState): void {
  const n = sum.length;
  // 32 bytes past the sums: requantizeI8 may read them.
  const [xAt, sumsAt, paramsAt, tableAt, outAt] = simdReserve([x.length + 16, 4 * n + 32, 12, requantizeTableBytes(1), n + 16]);
  const k = simd();
  simdHeap().i8.set(x, xAt);
  k.sumChannelsI8(xAt, x.length / n, n, sumsAt);
  simdI32(paramsAt, 3).set([-(s.inputZeroPoint * count) | 0, multiplier, shift]);
  requantizeTableFresh(tableAt);
  k.requantizeI8(sumsAt, n, 1, paramsAt, paramsAt + 4, paramsAt + 8, s.outputZeroPoint, -128, 127, outAt, tableAt);
  sum.set(simdI32(sumsAt, n));
  out.set(simdI8(outAt, n));
}

const reduce = (kind: Kind) => defineKernel<ReduceState>({ prepare: prepareFor(kind), invoke });

export const kernels: Record<string, Kernel<any>> = {
  MEAN: reduce('MEAN'),
  SUM: reduce('SUM'),
  REDUCE_MAX: reduce('REDUCE_MAX'),
  REDUCE_MIN: reduce('REDUCE_MIN'),
  REDUCE_ALL: reduce('REDUCE_ALL'),
};
