// BATCH_MATMUL: the vectors of TFLM's batch_matmul_test.cc (float32 with
// adjoints and batch broadcasting up to 5-D, int8, int16) and TFLM's refusals.

import { describe, expect, it } from 'vitest';
import { quantize, runOp, type Operand } from './binary-harness.js';

const iota = (n: number, from: number) => Array.from({ length: n }, (_, i) => from + i);
const f32 = (shape: number[], data?: number[]): Operand => ({ dtype: 'float32', shape, data });
const opts = (adjX: boolean, adjY: boolean) => ({ type: 'BatchMatMulOptions', value: { adjX, adjY, asymmetricQuantizeInputs: false } });
const mm = (lhs: Operand, rhs: Operand, out: Operand, adjX = false, adjY = false) => runOp('BATCH_MATMUL', [lhs, rhs], out, opts(adjX, adjY));

const SIMPLE = [74, 80, 86, 92, 173, 188, 203, 218];
const TWO = [...SIMPLE, 560, 584, 608, 632, 767, 800, 833, 866];
const BROADCAST_TWO = [...SIMPLE, 272, 296, 320, 344, 371, 404, 437, 470];
const BROADCAST2 = [
  29, 32, 35, 38, 65, 72, 79, 86, 101, 112, 123, 134, 53, 56, 59, 62, 121, 128, 135, 142, 189, 200, 211, 222, 77, 80, 83, 86, 177, 184, 191, 198, 277,
  288, 299, 310, 137, 152, 167, 182, 173, 192, 211, 230, 209, 232, 255, 278, 257, 272, 287, 302, 325, 344, 363, 382, 393, 416, 439, 462, 377, 392, 407,
  422, 477, 496, 515, 534, 577, 600, 623, 646,
];

describe('BATCH_MATMUL (batch_matmul_test.cc)', () => {
  it('float32: ones, flattening, simple, adjoints', () => {
    expect(mm(f32([3, 2, 1, 4], iota(24, 1)), f32([3, 1, 4, 1], iota(12, 1)), f32([3, 2, 1, 1]))).toEqual([30, 70, 278, 382, 782, 950]);
    expect(mm(f32([3, 2, 2, 4], iota(48, 1)), f32([3, 1, 4, 1], iota(12, 1)), f32([3, 2, 2, 1]))).toEqual([
      30, 70, 110, 150, 486, 590, 694, 798, 1454, 1622, 1790, 1958,
    ]);
    expect(mm(f32([3, 4, 2], iota(24, 1)), f32([1, 4, 3], iota(12, 1)), f32([3, 2, 3]), true)).toEqual([
      118, 134, 150, 140, 160, 180, 294, 342, 390, 316, 368, 420, 470, 550, 630, 492, 576, 660,
    ]);
    expect(mm(f32([1, 2, 3], iota(6, 1)), f32([1, 3, 4], iota(12, 7)), f32([1, 2, 4]))).toEqual(SIMPLE);
    const rhsT = [7, 11, 15, 8, 12, 16, 9, 13, 17, 10, 14, 18];
    expect(mm(f32([1, 2, 3], iota(6, 1)), f32([1, 4, 3], rhsT), f32([1, 2, 4]), false, true)).toEqual(SIMPLE);
    expect(mm(f32([1, 3, 2], [1, 4, 2, 5, 3, 6]), f32([1, 3, 4], iota(12, 7)), f32([1, 2, 4]), true)).toEqual(SIMPLE);
  });

  it('float32: batches and batch broadcasting', () => {
    expect(mm(f32([2, 2, 3], iota(12, 1)), f32([2, 3, 4], iota(24, 7)), f32([2, 2, 4]))).toEqual(TWO);
    expect(mm(f32([2, 2, 3], iota(12, 1)), f32([3, 4], iota(12, 7)), f32([2, 2, 4]))).toEqual(BROADCAST_TWO);
    const lhsT = [1, 4, 2, 5, 3, 6, 7, 10, 8, 11, 9, 12];
    expect(mm(f32([2, 3, 2], lhsT), f32([1, 3, 4], iota(12, 7)), f32([2, 2, 4]), true)).toEqual(BROADCAST_TWO);
    expect(mm(f32([2, 2, 3], iota(12, 1)), f32([1, 4, 3], [7, 11, 15, 8, 12, 16, 9, 13, 17, 10, 14, 18]), f32([2, 2, 4]), false, true)).toEqual(BROADCAST_TWO);
    expect(mm(f32([2, 3, 2], lhsT), f32([3, 4], iota(12, 7)), f32([2, 2, 4]), true)).toEqual(BROADCAST_TWO);
  });

  it('float32: two-sided batch broadcasting, with every adjoint', () => {
    const lhsT = [1, 3, 5, 2, 4, 6, 7, 9, 11, 8, 10, 12];
    const rhsT = [7, 11, 8, 12, 9, 13, 10, 14, 15, 19, 16, 20, 17, 21, 18, 22, 23, 27, 24, 28, 25, 29, 26, 30];
    expect(mm(f32([2, 1, 3, 2], iota(12, 1)), f32([3, 2, 4], iota(24, 7)), f32([2, 3, 3, 4]))).toEqual(BROADCAST2);
    expect(mm(f32([2, 1, 2, 3], lhsT), f32([3, 2, 4], iota(24, 7)), f32([2, 3, 3, 4]), true)).toEqual(BROADCAST2);
    expect(mm(f32([2, 1, 3, 2], iota(12, 1)), f32([3, 4, 2], rhsT), f32([2, 3, 3, 4]), false, true)).toEqual(BROADCAST2);
    expect(mm(f32([2, 1, 2, 3], lhsT), f32([3, 4, 2], rhsT), f32([2, 3, 3, 4]), true, true)).toEqual(BROADCAST2);
    expect(mm(f32([4, 5], iota(20, 1)), f32([3, 1, 5, 2], iota(30, 7)), f32([3, 1, 4, 2]))).toEqual([
      185, 200, 460, 500, 735, 800, 1010, 1100, 335, 350, 860, 900, 1385, 1450, 1910, 2000, 485, 500, 1260, 1300, 2035, 2100, 2810, 2900,
    ]);
    expect(mm(f32([1, 6, 2], [6, 3, 7, 4, 6, 9, 2, 6, 7, 4, 3, 7]), f32([2, 3], [6, 3, 7, 4, 6, 9]), f32([1, 6, 3]))).toEqual([
      48, 36, 69, 58, 45, 85, 72, 72, 123, 36, 42, 68, 58, 45, 85, 46, 51, 84,
    ]);
  });

  const lhs = [1, 2, 3, 4, 5, 6, 7, 8, -9, -10, 1, 2, 3, 4, 5, 6, 7, -8, 9, -10];
  const rhs = [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9, 10, 10, 10];
  it('int8 (scales from [-63.5, 64] and [-127, 128])', () => {
    const q: [number, number] = [0.5, -1];
    const out = mm(
      { dtype: 'int8', shape: [2, 10], data: quantize(lhs, q[0], q[1], 'int8'), q },
      { dtype: 'int8', shape: [10, 3], data: quantize(rhs, q[0], q[1], 'int8'), q },
      { dtype: 'int8', shape: [2, 3], q: [1, -1] },
    );
    expect(out).toEqual([22, 22, 22, 56, 56, 56]);
  });

  it('int16 (symmetric, 64-bit accumulation)', () => {
    const s = Math.fround(10 / 32767);
    const out = mm(
      { dtype: 'int16', shape: [2, 10], data: quantize(lhs, s, 0, 'int16'), q: [s, 0] },
      { dtype: 'int16', shape: [10, 3], data: quantize(rhs, s, 0, 'int16'), q: [s, 0] },
      { dtype: 'int16', shape: [2, 3], q: [1, 0] },
    );
    expect(out).toEqual([23, 23, 23, 57, 57, 57]);
  });

  it('refuses what TFLM refuses', () => {
    const i32 = (shape: number[]): Operand => ({ dtype: 'int32', shape, data: new Array<number>(shape.reduce((a, b) => a * b, 1)).fill(1) });
    expect(() => mm(i32([2, 2]), i32([2, 2]), { dtype: 'int32', shape: [2, 2] })).toThrow(/BATCH_MATMUL \(?.*doesn't support input type INT32/);
    expect(() => mm(f32([2, 3], iota(6, 1)), f32([2, 3], iota(6, 1)), f32([2, 3]))).toThrow(/accumulation dimensions 3 and 2 differ/);
    expect(() => mm(f32([2, 2, 3], iota(12, 1)), f32([3, 3, 4], iota(36, 1)), f32([3, 2, 4]))).toThrow(/do not broadcast/);
    expect(() => mm(f32([1, 1, 1, 1, 1, 2, 3], iota(6, 1)), f32([3, 4], iota(12, 1)), f32([1, 1, 1, 1, 1, 2, 4]))).toThrow(/ranks 2 to 5/);
    const q16 = (shape: number[], zp: number): Operand => ({ dtype: 'int16', shape, data: [1, 2, 3, 4], q: [0.5, zp] });
    expect(() => mm(q16([2, 2], 1), q16([2, 2], 0), { dtype: 'int16', shape: [2, 2], q: [1, 0] })).toThrow(/needs zero points of 0/);
  });
});
