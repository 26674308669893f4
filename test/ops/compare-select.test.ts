// Comparisons, LOGICAL_AND/OR, SELECT_V2 and ADD_N: the vectors of TFLM's own
// kernel tests (comparisons_test.cc, logical_test.cc, select_test.cc,
// add_n_test.cc) and TFLM's refusals.

import { describe, expect, it } from 'vitest';
import { SIX_SHAPES, dequantize, quantize, runOp, type Operand } from './binary-harness.js';

const T = true;
const F = false;
const bools = (v: boolean[]) => v.map((b) => (b ? 1 : 0));
const op = (dtype: Operand['dtype'], shape: number[], data?: number[], q?: [number, number]): Operand => ({ dtype, shape, data, q });
const cmp = (opcode: string, a: Operand, b: Operand, outShape: number[]) => runOp(opcode, [a, b], op('bool', outShape));

describe('comparisons (comparisons_test.cc)', () => {
  const S = [1, 1, 1, 4];
  const S2 = [1, 1, 2, 4];
  const fa = [0.1, 0.9, 0.7, 0.3];
  const fb = [0.1, 0.2, 0.6, 0.5];
  const ia = [-1, 9, 7, 3];
  const ib = [1, 2, 7, 5];
  const wide = [-1, 9, 7, 3, 2, 4, 2, 8];

  // [opcode, float golden, int golden, broadcast-by-7 golden, two-D golden]
  const table: [string, boolean[], boolean[], boolean[], boolean[]][] = [
    ['EQUAL', [T, F, F, F], [F, F, T, F], [F, F, T, F], [F, F, F, F, F, F, T, F]],
    ['NOT_EQUAL', [F, T, T, T], [T, T, F, T], [T, T, F, T], [T, T, T, T, T, T, F, T]],
    ['GREATER', [F, T, T, F], [F, T, F, F], [F, T, F, F], [F, T, T, F, F, T, F, T]],
    ['GREATER_EQUAL', [T, T, T, F], [F, T, T, F], [F, T, T, F], [F, T, T, F, F, T, T, T]],
    ['LESS_EQUAL', [T, F, F, T], [T, F, T, T], [T, F, T, T], [T, F, F, T, T, F, T, F]],
  ];
  for (const [opcode, gf, gi, gb, g2] of table) {
    it(`${opcode}: float32, int32, int64, broadcasting`, () => {
      expect(cmp(opcode, op('float32', S, fa), op('float32', S, fb), S)).toEqual(bools(gf));
      expect(cmp(opcode, op('int32', S, ia), op('int32', S, ib), S)).toEqual(bools(gi));
      expect(cmp(opcode, op('int64', S, ia), op('int64', S, ib), S)).toEqual(bools(gi));
      expect(cmp(opcode, op('int32', S, ia), op('int32', [1, 1, 1, 1], [7]), S)).toEqual(bools(gb));
      expect(cmp(opcode, op('int32', S2, wide), op('int32', S, [7, 1, 2, 4]), S2)).toEqual(bools(g2));
    });
  }

  it('LESS: float32, int32, broadcasting', () => {
    expect(cmp('LESS', op('float32', S, fa), op('float32', S, fb), S)).toEqual(bools([F, F, F, T]));
    expect(cmp('LESS', op('int32', S, ia), op('int32', S, [1, 2, 6, 5]), S)).toEqual(bools([T, F, F, T]));
    expect(cmp('LESS', op('int32', S, ia), op('int32', [1, 1, 1, 1], [7]), S)).toEqual(bools([T, F, F, T]));
    expect(cmp('LESS', op('int32', S2, [-1, 9, 7, 3, 2, 4, 6, 8]), op('int32', S, [7, 1, 2, 4]), S2)).toEqual(bools([T, F, F, T, T, F, F, F]));
  });

  it('GREATER on int16: false everywhere, as TFLM computes it (its int16 rescaling parameters are never set)', () => {
    // TFLM 90b983c on the Cortex-M4 firmware printed all false for this model and the oracle input; the TFLM test
    // GreaterQuantizedInt16WithBroadcast passes only because the int8 test before it left its parameters in the arena.
    const q: [number, number] = [0.5, -9];
    const x = quantize([20, -2, -71, 8, 11, 20], q[0], q[1], 'int16');
    for (const s of SIX_SHAPES) expect(cmp('GREATER', op('int16', s, x, q), op('int16', [1], quantize([8], q[0], q[1], 'int16'), q), s)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('EQUAL and NOT_EQUAL on bool', () => {
    const a = op('bool', S, bools([T, F, T, F]));
    const b = op('bool', S, bools([T, T, F, F]));
    expect(cmp('EQUAL', a, b, S)).toEqual(bools([T, F, F, T]));
    expect(cmp('NOT_EQUAL', a, b, S)).toEqual(bools([F, T, T, F]));
  });

  it('int8: rescaled to a common scale before comparing', () => {
    const Q = [1, 2, 2, 1];
    const q1: [number, number] = [0.5, -5];
    const q2: [number, number] = [0.25, 5];
    const q8 = (shape: number[], v: number[], q: [number, number]) => op('int8', shape, quantize(v, q[0], q[1], 'int8'), q);
    expect(cmp('EQUAL', q8(Q, [1, -9, 7, 3], q1), q8(Q, [-1, 2, 7, 5], q2), Q)).toEqual(bools([F, F, T, F]));
    expect(cmp('NOT_EQUAL', q8(Q, [1, -9, 7, 3], q1), q8(Q, [1, 2, 7, 5], q2), Q)).toEqual(bools([F, T, F, T]));
    const x = [20, -2, -71, 8, 11, 20];
    const q: [number, number] = [0.5, -9];
    const broadcast: [string, boolean[]][] = [
      ['NOT_EQUAL', [T, T, T, F, T, T]],
      ['GREATER', [T, F, F, F, T, T]],
      ['GREATER_EQUAL', [T, F, F, T, T, T]],
      ['LESS', [F, T, T, F, F, F]],
      ['LESS_EQUAL', [F, T, T, T, F, F]],
    ];
    for (const [opcode, golden] of broadcast) {
      for (const s of SIX_SHAPES) expect(cmp(opcode, q8(s, x, q), q8([1], [8], q), s), `${opcode} ${s}`).toEqual(bools(golden));
    }
  });

  it('refuses what TFLM refuses', () => {
    const b = op('bool', S, [1, 0, 1, 0]);
    expect(() => cmp('GREATER', b, b, S)).toThrow(/operator 0 \(GREATER\): Type BOOL \(6\) not supported/);
    const s16 = op('int16', S, [1, 2, 3, 4], [0.5, 0]);
    expect(() => cmp('LESS', s16, s16, S)).toThrow(/Type INT16 \(7\) not supported/);
    const big = op('int8', S, [1, 2, 3, 4], [2, 0]);
    expect(() => cmp('EQUAL', big, big, S)).toThrow(/multiplier 2 is not in \(0, 1\)/);
  });
});

describe('LOGICAL_AND and LOGICAL_OR (logical_test.cc)', () => {
  const S = [1, 1, 1, 4];
  const a = op('bool', S, bools([T, F, F, T]));
  it('same shapes and broadcasting', () => {
    expect(cmp('LOGICAL_OR', a, op('bool', S, bools([T, F, T, F])), S)).toEqual(bools([T, F, T, T]));
    expect(cmp('LOGICAL_OR', a, op('bool', [1, 1, 1, 1], [0]), S)).toEqual(bools([T, F, F, T]));
    expect(cmp('LOGICAL_AND', a, op('bool', S, bools([T, F, T, F])), S)).toEqual(bools([T, F, F, F]));
    expect(cmp('LOGICAL_AND', a, op('bool', [1, 1, 1, 1], [1]), S)).toEqual(bools([T, F, F, T]));
  });
});

describe('SELECT_V2 (select_test.cc)', () => {
  const S = [1, 1, 1, 4];
  const sel = (c: Operand, x: Operand, y: Operand, out: Operand) => runOp('SELECT_V2', [c, x, y], out);
  it('float32, int8, int16 on equal shapes', () => {
    const c = op('bool', S, bools([T, F, T, F]));
    expect(sel(c, op('float32', S, [0.1, 0.2, 0.3, 0.4]), op('float32', S, [0.5, 0.6, 0.7, 0.8]), op('float32', S))).toEqual(
      [0.1, 0.6, 0.3, 0.8].map(Math.fround),
    );
    const c2 = op('bool', S, bools([F, T, F, F]));
    expect(sel(c2, op('int8', S, [1, -2, 3, 4]), op('int8', S, [5, 6, 7, -8]), op('int8', S))).toEqual([5, -2, 7, -8]);
    expect(sel(c2, op('int16', S, [1, 2, 3, 4]), op('int16', S, [5, 6, 7, 8]), op('int16', S))).toEqual([5, 2, 7, 8]);
  });

  it('broadcasting condition, x and y up to 5-D, and scalars', () => {
    const i16 = (shape: number[], data?: number[]) => op('int16', shape, data);
    expect(sel(op('bool', [1], [0]), i16([1, 2, 2, 2, 1], [1, 2, 3, 4, 5, 6, 7, 8]), i16([1, 2, 2, 1], [9, 10, 11, 12]), i16([1, 2, 2, 2, 1]))).toEqual([
      9, 10, 11, 12, 9, 10, 11, 12,
    ]);
    expect(sel(op('bool', [1, 2], [0, 1]), i16([1, 2, 2], [1, 2, 3, 4]), i16([1, 2, 2], [5, 6, 7, 8]), i16([1, 2, 2]))).toEqual([5, 2, 7, 4]);
    expect(sel(op('bool', [1], [0]), i16([1, 2, 2], [1, 2, 3, 4]), i16([1, 2, 2], [5, 6, 7, 8]), i16([1, 2, 2]))).toEqual([5, 6, 7, 8]);
    expect(sel(op('bool', [1, 2], [0, 1]), i16([1, 2, 2], [1, 2, 3, 4]), i16([1, 2, 2], [5, 6, 7, 7]), i16([1, 2, 2]))).toEqual([5, 2, 7, 4]);
    expect(sel(op('bool', [2], [0, 1]), i16([2, 1, 2, 1], [1, 2, 3, 4]), i16([2, 1, 2, 1], [5, 6, 7, 8]), i16([2, 1, 2, 2]))).toEqual([5, 1, 6, 2, 7, 3, 8, 4]);
    expect(sel(op('bool', [], [0]), i16([1], [1]), i16([1], [5]), i16([]))).toEqual([5]);
    expect(sel(op('bool', [1], [1]), i16([], [1]), i16([1], [5]), i16([]))).toEqual([1]);
    expect(sel(op('bool', [1], [0]), i16([1], [1]), i16([], [5]), i16([]))).toEqual([5]);
  });

  it('refuses what TFLM refuses', () => {
    const c = op('bool', [2], [1, 0]);
    expect(() => sel(c, op('int32', [2], [1, 2]), op('int32', [2], [3, 4]), op('int32', [2]))).toThrow(
      /Does not support type other than int8\|int16\|float32, but got INT32/,
    );
    expect(() => sel(op('bool', [3], [1, 0, 1]), op('int8', [2], [1, 2]), op('int8', [2], [3, 4]), op('int8', [2]))).toThrow(/Given shapes are not broadcastable/);
  });
});

describe('ADD_N (add_n_test.cc)', () => {
  const S = [1, 2, 2, 1];
  const ins = [
    [-2.0, 0.2, 0.7, 0.8],
    [0.1, 0.2, 0.3, 0.5],
    [0.5, 0.1, 0.1, 0.2],
  ];
  const golden = [-1.4, 0.5, 1.1, 1.5];
  it('float32, three tensors', () => {
    const out = runOp(
      'ADD_N',
      ins.map((v) => op('float32', S, v)),
      op('float32', S),
    );
    out.forEach((v, i) => expect(Math.abs(Number(v) - golden[i]!)).toBeLessThan(1e-5));
  });

  it('int8, three tensors within the tests tolerance', () => {
    const scale = Math.fround(6 / 255);
    const zp = -128 + Math.round(Math.fround(3 / scale));
    const out = runOp(
      'ADD_N',
      ins.map((v) => op('int8', S, quantize(v, scale, zp, 'int8'), [scale, zp])),
      op('int8', S, undefined, [scale, zp]),
    );
    const step = 6 / 255;
    dequantize(out, scale, zp).forEach((v, i) => expect(Math.abs(v - golden[i]!)).toBeLessThanOrEqual(2 * step + step * step));
  });

  it('refuses what TFLM refuses', () => {
    expect(() => runOp('ADD_N', [op('int32', [2], [1, 2]), op('int32', [2], [1, 2])], op('int32', [2]))).toThrow(/ADD_N only supports FLOAT32 and INT8, got INT32/);
    expect(() => runOp('ADD_N', [op('int8', [2], [1, 2], [0.5, 0]), op('int8', [2], [1, 2], [0.25, 0])], op('int8', [2], undefined, [0.5, 0]))).toThrow(
      /another scale or zero point/,
    );
  });
});
