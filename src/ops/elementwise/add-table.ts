// The int8 ADD lookup table (binary.ts looks bytes up in it), built without
// evaluating the output step 65,536 times: TFLM's AddElementwise is
// out = F(scale1(a) + scale2(b)), where F (rescale, offset, clamp) is monotone
// non-decreasing in the raw sum, and so is each scale. F's step points, found
// once by bisection, turn every row of the table into one merge of two sorted
// lists. Tables are kept per parameter set: the original and the optimized
// model (and checkModel before them) share most ADDs.

import { tabulate8 } from './binary.js';

export interface AddInt8Params {
  /** scale1 and scale2 of every int8 value, indexed by its byte. */
  scaled1: Int32Array;
  scaled2: Int32Array;
  /** F: the output step on a raw sum. */
  finish: (rawSum: number) => number;
  /** F's multiplier: F is monotone only when it is not negative. */
  outputMultiplier: number;
  qmin: number;
  qmax: number;
  /** Identifies the parameters (offsets, multipliers, shifts, range): equal keys give equal tables. */
  key: string;
}

const KEPT_TABLES = 64;
const tables = new Map<string, Int8Array>();

export function addInt8Table(p: AddInt8Params): Int8Array {
  const known = tables.get(p.key);
  if (known) return known;
  const table = addInt8TableBySteps(p) ?? tabulate8((a, b) => p.finish((p.scaled1[a & 255]! + p.scaled2[b & 255]!) | 0));
  if (tables.size >= KEPT_TABLES) tables.delete(tables.keys().next().value!);
  tables.set(p.key, table);
  return table;
}

/** The table by F's step points, or null when F or a scale is not monotone (a negative multiplier, or sums that could wrap). */
export function addInt8TableBySteps(p: AddInt8Params): Int8Array | null {
  const { scaled1, scaled2, finish, qmin, qmax } = p;
  if (p.outputMultiplier < 0) return null;
  const values = (s: Int32Array) => Array.from({ length: 256 }, (_, v) => s[(v - 128) & 255]!);
  const s1 = values(scaled1);
  const s2 = values(scaled2);
  const lo = Math.min(...s1) + Math.min(...s2);
  const hi = Math.max(...s1) + Math.max(...s2);
  if (lo < -2147483648 || hi > 2147483647) return null;
  for (let v = 1; v < 256; v++) if (s1[v]! < s1[v - 1]! || s2[v]! < s2[v - 1]!) return null;
  // step[k]: the least sum in [lo, hi + 1] whose output exceeds qmin + k - 1 (hi + 1: none does).
  const step = new Float64Array(qmax - qmin + 2);
  step[0] = lo;
  for (let k = 1; k < step.length; k++) {
    let a = step[k - 1]!;
    let b = hi + 1;
    while (a < b) {
      const mid = Math.floor((a + b) / 2);
      if (finish(mid) >= qmin + k) b = mid;
      else a = mid + 1;
    }
    step[k] = a;
  }
  const base = finish(lo);
  const t = new Int8Array(65536);
  for (let a = 0; a < 256; a++) {
    const row = ((a - 128) & 255) << 8;
    let k = base - qmin;
    for (let b = 0; b < 256; b++) {
      const sum = s1[a]! + s2[b]!;
      while (k + 1 < step.length && step[k + 1]! <= sum) k++;
      t[row | ((b - 128) & 255)] = qmin + k;
    }
  }
  return t;
}
