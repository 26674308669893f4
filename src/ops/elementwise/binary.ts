// The machinery of TFLM's binary element-wise kernels (add.cc, mul.cc): the
// broadcast loop nest of BroadcastBinaryOpSimple, the int8 x int8 lookup
// table, and the int32 activation range. ADD and MUL (arithmetic.ts), the
// other binary kernels (binary-ops.ts, compare.ts) and TinySeg's fused ADD
// fetch share it.
//
// Every 8-bit path is a pure function of its input bytes, so prepare tabulates
// it with the exact integer arithmetic (65536 entries) and invoke only looks
// bytes up.

import { ACTIVATION, kernelError, requireInput, requireOutput, viewOf, type KernelCall } from '../kernel.js';
import { lookupPairs } from '../simd/byte-lookup.js';
import { simdF32, simdFloatOutput, simdReserve } from '../simd/simd.js';

// ---- shared helpers ---------------------------------------------------------

/** TFLM CalculateActivationRange<int32_t>. */
export function int32ActivationRange(call: KernelCall, activation: number): [number, number] {
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
export interface BroadcastPlan {
  empty: boolean;
  shape: number[];
  a: number[];
  b: number[];
  o: number[];
}

export function planBroadcast(s1: readonly number[], s2: readonly number[], so: readonly number[]): BroadcastPlan {
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

export function runBroadcast(plan: BroadcastPlan, row: RowFn): void {
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

export interface BinaryState {
  plan: BroadcastPlan;
  /** int8 x int8 -> int8: result for ((a & 255) << 8) | (b & 255). */
  table: Int8Array | null;
  /** Per-element function for the non-tabulated paths. */
  fn: ((a: number, b: number) => number) | null;
  /** float32 ADD/MUL: inlined loops with this activation range. */
  float?: { op: 'add' | 'mul'; lo: number; hi: number };
}

export function binaryInvoke(call: KernelCall, s: BinaryState): void {
  const table = s.table;
  const plan = s.plan;
  if (table) {
    // Raw bytes: the table is indexed by them whatever the 8-bit types.
    const o = requireOutput(call, 0).bytes;
    const a = requireInput(call, 0).bytes;
    const b = requireInput(call, 1).bytes;
    const t = new Uint8Array(table.buffer, table.byteOffset, table.length);
    if (!plan.empty && plan.shape.length === 1 && plan.a[0] === 1 && plan.b[0] === 1) lookupPairs(o, a, b, table, plan.shape[0]!);
    else runBroadcast(plan, (ao, as, bo, bs, oo, n) => lookupRow(o, a, b, t, ao, as, bo, bs, oo, n));
    return;
  }
  const A = viewOf(requireInput(call, 0));
  const B = viewOf(requireInput(call, 1));
  const O = viewOf(requireOutput(call, 0));
  if (s.float) {
    const { lo, hi } = s.float;
    const fa = A as Float32Array;
    const fb = B as Float32Array;
    const fo = O as Float32Array;
    if (floatInModule(s.plan, s.float, fa, fb, fo)) return;
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

/** Outputs from which float ADD / MUL go to the module: below, the copies in and out cost more than the loop. */
const FLOAT_IN_MODULE_FROM = 256;

/**
 * float32 ADD / MUL in the module (channelClampF32), where one operand has the output's shape and the other the same
 * or one value per channel (a bias, a batch norm's scale); false for the other broadcasts. + and x commute in IEEE
 * arithmetic, so either operand may be the one per channel.
 */
function floatInModule(plan: BroadcastPlan, f: NonNullable<BinaryState['float']>, fa: Float32Array, fb: Float32Array, fo: Float32Array): boolean {
  if (plan.empty || fo.length < FLOAT_IN_MODULE_FROM) return false;
  const g = plan.shape.length;
  const n = plan.shape[0]!;
  let whole: Float32Array;
  let vec: Float32Array;
  if (g === 1 && plan.a[0] === 1 && plan.b[0] === 1) [whole, vec] = [fa, fb];
  else if (g === 2 && plan.o[1] === n && plan.a[0] === 1 && plan.b[0] === 1 && plan.a[1] === n && plan.b[1] === 0) [whole, vec] = [fa, fb];
  else if (g === 2 && plan.o[1] === n && plan.a[0] === 1 && plan.b[0] === 1 && plan.a[1] === 0 && plan.b[1] === n) [whole, vec] = [fb, fa];
  else return false;
  const count = fo.length;
  const [accAt, vecAt] = simdReserve([4 * count, 4 * n]);
  simdF32(accAt, count).set(whole.subarray(0, count));
  simdF32(vecAt, n).set(vec.subarray(0, n));
  simdFloatOutput(accAt, count, n, vecAt, f.lo, f.hi, fo, f.op === 'mul');
  return true;
}

/** The table lookup for one row of a broadcast, on raw bytes (steps of 0 repeat an operand). */
function lookupRow(
  o: Uint8Array, a: Uint8Array, b: Uint8Array, table: Uint8Array, ao: number, as: number, bo: number, bs: number, oo: number, n: number,
): void {
  for (let i = 0; i < n; i++) o[oo + i] = table[(a[ao + i * as]! << 8) | b[bo + i * bs]!]!;
}

export function tabulate8(fn: (a: number, b: number) => number): Int8Array {
  const t = new Int8Array(65536);
  for (let a = -128; a < 128; a++) {
    for (let b = -128; b < 128; b++) t[((a & 255) << 8) | (b & 255)] = fn(a, b);
  }
  return t;
}
