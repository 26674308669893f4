// SUB, DIV, SQUARED_DIFFERENCE, FLOOR_DIV, FLOOR_MOD, MAXIMUM, MINIMUM: the
// vectors of TFLM's own kernel tests (sub_test.cc, div_test.cc,
// squared_difference_test.cc, floor_div_test.cc, floor_mod_test.cc,
// maximum_minimum_test.cc), held to their tolerances, and TFLM's refusals.

import { describe, expect, it } from 'vitest';
import { ACTIVATION } from '../../src/ops/kernel.js';
import { SIX_SHAPES, dequantize, quantize, runOp, type Operand } from './binary-harness.js';

const f32 = (shape: number[], data?: number[]): Operand => ({ dtype: 'float32', shape, data });
const i32 = (shape: number[], data?: number[]): Operand => ({ dtype: 'int32', shape, data });
const near = (got: (number | bigint)[], want: number[], tol = 1e-5) => {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(Number(g) - want[i]!), `element ${i}: ${g} vs ${want[i]}`).toBeLessThanOrEqual(tol));
};
const sub = (activation = 0) => ({ type: 'SubOptions', value: { fusedActivationFunction: activation } });
const div = (activation = 0) => ({ type: 'DivOptions', value: { fusedActivationFunction: activation } });

/** A quantized binary test as TFLM's tests run it: float vectors quantized, the golden quantized and compared exactly. */
function quantizedExact(
  opcode: string,
  dtype: 'int8' | 'int16',
  shapes: [number[], number[], number[]],
  [a, b, golden]: [number[], number[], number[]],
  [qa, qb, qo]: [number, number][],
  options?: { type: string; value: Record<string, unknown> },
) {
  const out = runOp(
    opcode,
    [
      { dtype, shape: shapes[0], data: quantize(a, qa![0], qa![1], dtype), q: qa },
      { dtype, shape: shapes[1], data: quantize(b, qb![0], qb![1], dtype), q: qb },
    ],
    { dtype, shape: shapes[2], q: qo },
    options,
  );
  expect(out).toEqual(quantize(golden, qo![0], qo![1], dtype));
}

describe('SUB (sub_test.cc)', () => {
  const S = [1, 2, 2, 1];
  it('float32, no activation and RELU_N1_TO_1', () => {
    near(runOp('SUB', [f32(S, [-2.0, 0.2, 0.7, 0.8]), f32(S, [0.1, 0.2, 0.3, 0.5])], f32(S), sub()), [-2.1, 0.0, 0.4, 0.3]);
    near(runOp('SUB', [f32(S, [-2.0, 0.2, 2.0, 0.8]), f32(S, [2.0, 0.2, 0.3, 0.5])], f32(S), sub(ACTIVATION.RELU_N1_TO_1)), [-1.0, 0.0, 1.0, 0.3]);
  });

  it('float32 over various shapes and with a scalar', () => {
    for (const s of SIX_SHAPES) {
      near(runOp('SUB', [f32(s, [-2.0, 0.2, 0.7, 0.8, 1.1, 2.0]), f32(s, [0.1, 0.2, 0.3, 0.5, 1.1, 0.1])], f32(s), sub()), [-2.1, 0.0, 0.4, 0.3, 0.0, 1.9]);
      near(runOp('SUB', [f32(s, [-2.0, 0.2, 0.7, 0.8, 1.1, 2.0]), f32([], [0.1])], f32(s), sub()), [-2.1, 0.1, 0.6, 0.7, 1.0, 1.9]);
    }
  });

  it('float32 broadcasting in 4-D (FloatSubWithBroadcast goldens)', () => {
    const in1 = [-0.3, 2.3, 0.9, 0.5, 0.8, -1.1, 1.2, 2.8, -1.6, 0.0, 0.7, -2.2];
    const in2 = [-0.2, -0.3, 0.4, -0.5, -1.0, -0.9];
    const cases: [number[], number[], number[]][] = [
      [
        [1, 1, 3, 2],
        [2, 3, 3, 2],
        [
          -0.1, 2.6, -0.7, 2.8, 0.7, 3.2, 1.1, 0.8, 0.5, 1.0, 1.9, 1.4, 1.0, -0.8, 0.4, -0.6, 1.8, -0.2, 1.4, 3.1, 0.8, 3.3, 2.2, 3.7, -1.4, 0.3,
          -2.0, 0.5, -0.6, 0.9, 0.9, -1.9, 0.3, -1.7, 1.7, -1.3,
        ],
      ],
      [[1, 3, 1, 2], [2, 3, 1, 2], [-0.1, 2.6, 0.5, 1.0, 1.8, -0.2, 1.4, 3.1, -2.0, 0.5, 1.7, -1.3]],
      [
        [2, 1, 3, 1],
        [2, 3, 3, 2],
        [
          -0.1, 2.5, 0.0, 2.6, -0.7, 1.9, 1.1, 0.7, 1.2, 0.8, 0.5, 0.1, 1.0, -0.9, 1.1, -0.8, 0.4, -1.5, 1.7, 3.3, 2.2, 3.8, 2.1, 3.7, -1.1, 0.5,
          -0.6, 1.0, -0.7, 0.9, 1.2, -1.7, 1.7, -1.2, 1.6, -1.3,
        ],
      ],
      [[2, 3, 1, 1], [2, 3, 1, 2], [-0.1, 2.5, 1.2, 0.8, 0.4, -1.5, 1.7, 3.3, -0.6, 1.0, 1.6, -1.3]],
    ];
    for (const [s2, so, golden] of cases) near(runOp('SUB', [f32([2, 3, 1, 2], in1), f32(s2, in2)], f32(so), sub()), golden);
  });

  it('int32, wrapping as the host does', () => {
    expect(runOp('SUB', [i32(S, [-2, 2147483646, -1, 1146622854]), i32(S, [3, 1, -2147483647, -726978367])], i32(S), sub())).toEqual([
      -5, 2147483645, 2147483646, 1873601221,
    ]);
  });

  it('int8 and int16, activations, shapes and scalar broadcast', () => {
    const a = [-2.01, -1.01, -0.01, 0.98];
    const b = [-1.01, -1.99, -2.99, -4.02];
    quantizedExact('SUB', 'int8', [S, S, S], [a, b, [-1, 1, 3, 5]], [[0.25, -10], [0.5, 4], [1.0, 13]], sub());
    quantizedExact('SUB', 'int8', [S, S, S], [a, b, [-1, 1, 1, 1]], [[0.25, -10], [0.5, 4], [1.0, 13]], sub(ACTIVATION.RELU_N1_TO_1));
    quantizedExact('SUB', 'int16', [S, S, S], [a, b, [-1, 1, 1, 1]], [[0.25, 0], [0.5, 0], [1.0, 0]], sub(ACTIVATION.RELU_N1_TO_1));
    const x = [-2.0, 0.2, 0.7, 0.8, 1.1, 2.0];
    for (const s of SIX_SHAPES) {
      quantizedExact('SUB', 'int8', [s, s, s], [x, [-0.1, -0.2, -0.3, -0.5, -1.1, -0.1], [-1.9, 0.4, 1.0, 1.3, 2.2, 2.1]], [[0.1, -9], [0.05, 5], [0.1, 14]], sub());
      quantizedExact('SUB', 'int16', [s, s, s], [x, [-0.1, -0.2, -0.3, -0.5, -1.1, -0.1], [-1.9, 0.4, 1.0, 1.3, 2.2, 2.1]], [[0.1, 0], [0.05, 0], [0.1, 0]], sub());
      quantizedExact('SUB', 'int8', [s, [], s], [x, [-0.1], [-1.9, 0.3, 0.8, 0.9, 1.2, 2.1]], [[0.1, -8], [0.05, 4], [0.05, 12]], sub());
      quantizedExact('SUB', 'int16', [s, [], s], [x, [-0.1], [-1.9, 0.3, 0.8, 0.9, 1.2, 2.1]], [[0.1, 0], [0.05, 0], [0.05, 0]], sub());
    }
  });

  it('refuses what TFLM refuses', () => {
    expect(() => runOp('SUB', [{ dtype: 'int64', shape: [2], data: [1, 2] }, { dtype: 'int64', shape: [2], data: [1, 2] }], { dtype: 'int64', shape: [2] }, sub())).toThrow(
      /operator 0 \(SUB\): Type INT64 \(4\) not supported/,
    );
    expect(() => runOp('SUB', [{ ...i32([2], [1, 2]), q: [0.5, 0] }, i32([2], [1, 2])], i32([2]), sub())).toThrow(/int32 SUB: tensor 'x0' is quantized/);
    const q16 = (zp: number): Operand => ({ dtype: 'int16', shape: [2], data: [1, 2], q: [0.5, zp] });
    expect(() => runOp('SUB', [q16(3), q16(0)], { dtype: 'int16', shape: [2], q: [0.5, 0] }, sub())).toThrow(/needs input zero points of 0 \(TFLM aborts\)/);
    expect(() => runOp('SUB', [f32([2, 3], [1, 2, 3, 4, 5, 6]), f32([3, 2], [1, 2, 3, 4, 5, 6])], f32([2, 3]), sub())).toThrow(/shapes \[2, 3\] and \[3, 2\] do not broadcast to \[2, 3\]/);
    const r9 = [1, 1, 1, 1, 1, 1, 1, 2, 3];
    expect(() => runOp('SUB', [f32(r9, [1, 2, 3, 4, 5, 6]), f32([3], [1, 2, 3])], f32(r9), sub())).toThrow(/rank 9: TFLM's BroadcastBinaryOpSimple takes at most 8/);
  });
});

describe('DIV (div_test.cc)', () => {
  const S = [1, 2, 2, 1];
  it('float32: activations, shapes, broadcasting up to 5-D', () => {
    near(runOp('DIV', [f32(S, [-0.2, 0.2, -1.2, 0.8]), f32(S, [0.5, 0.2, -1.5, 0.5])], f32(S), div()), [-0.4, 1.0, 0.8, 1.6]);
    near(runOp('DIV', [f32(S, [-0.2, 0.2, -1.2, 0.8]), f32(S, [0.1, 0.2, -1.5, 0.5])], f32(S), div(ACTIVATION.RELU_N1_TO_1)), [-1.0, 1.0, 0.8, 1.0]);
    for (const s of SIX_SHAPES) {
      near(runOp('DIV', [f32(s, [-2.0, 0.2, 0.3, 0.8, 1.1, -2.0]), f32(s, [0.1, 0.2, 0.6, 0.5, -1.1, -0.1])], f32(s), div()), [-20.0, 1.0, 0.5, 1.6, -1.0, 20.0]);
    }
    const x = [-0.2, 0.2, 0.07, 0.08, 0.11, -0.123, -0.32, 0.54];
    for (const s of [[8], [2, 4], [2, 1, 4], [1, 2, 2, 2], [1, 2, 1, 2, 2]]) {
      near(runOp('DIV', [f32(s, x), f32([1], [0.1])], f32(s), div()), [-2.0, 2.0, 0.7, 0.8, 1.1, -1.23, -3.2, 5.4]);
    }
  });

  it('int32: truncating division, activation, broadcasting', () => {
    expect(runOp('DIV', [i32(S, [-2, 2, -15, 8]), i32(S, [5, -2, -3, 5])], i32(S), div())).toEqual([0, -1, 5, 1]);
    expect(runOp('DIV', [i32(S, [-2, 2, -12, 8]), i32(S, [1, 2, -15, 5])], i32(S), div(ACTIVATION.RELU_N1_TO_1))).toEqual([-1, 1, 0, 1]);
    for (const s of SIX_SHAPES) {
      expect(runOp('DIV', [i32(s, [-20, 2, 3, 8, 11, -20]), i32(s, [1, 2, 6, 5, -11, -1])], i32(s), div())).toEqual([-20, 1, 0, 1, -1, 20]);
    }
    for (const s of [[8], [2, 4], [2, 1, 4], [1, 4, 1, 2], [1, 2, 1, 2, 2]]) {
      expect(runOp('DIV', [i32(s, [-20, 21, 7, 8, 11, -123, -42, -48]), i32([1], [3])], i32(s), div())).toEqual([-6, 7, 2, 2, 3, -41, -14, -16]);
    }
  });

  it('int8: within the tests tolerance (scale and zero point from [-1, 1] and wider ranges)', () => {
    const run = (shapes: number[][], a: number[], b: number[], want: number[], [lo, hi]: [number, number], act = 0) => {
      const scale = Math.fround((hi - lo) / 255);
      const zp = -128 + Math.round(Math.fround(-lo / scale));
      const out = runOp(
        'DIV',
        [
          { dtype: 'int8', shape: shapes[0]!, data: quantize(a, scale, zp, 'int8'), q: [scale, zp] },
          { dtype: 'int8', shape: shapes[1]!, data: quantize(b, scale, zp, 'int8'), q: [scale, zp] },
        ],
        { dtype: 'int8', shape: shapes[2]!, q: [scale, zp] },
        div(act),
      );
      const step = (hi - lo) / 255;
      near(dequantize(out, scale, zp), want, 2 * step + step * step);
    };
    run([S, S, S], [-0.8, -0.2, 0.3, 0.7], [-0.8, 0.4, 0.8, 1.0], [1.0, -0.5, 0.375, 0.7], [-1, 1]);
    run([S, S, S], [-0.8, 0.2, 0.9, 0.7], [0.6, 0.4, 0.9, -0.8], [-1.0, 0.5, 1.0, -0.875], [-1, 1], ACTIVATION.RELU_N1_TO_1);
    run([S, S, S], [-0.5, 0.2, 0.6, 0.3], [0.6, 0.5, -0.8, 0.5], [-0.833, 0.4, -0.75, 0.6], [-1, 1], ACTIVATION.RELU_N1_TO_1);
    const golden = [-1.538, 0.667, 1.545, 2.25, -0.364, 1.053];
    for (const s of SIX_SHAPES) run([s, s, s], [-2.0, 0.2, 1.7, 0.9, 0.4, 2.0], [1.3, 0.3, 1.1, 0.4, -1.1, 1.9], golden, [-3, 3]);
  });

  it("int8: a numerator at its zero point aborts TFLM (gemmlowp's exponent assert) when the reciprocal's shift exceeds the output's", () => {
    // 0.05 / (0.03 * 0.08) gives an output shift of 5; a divisor of 99 a reciprocal shift of 6: exponent 31 + 6 - 5.
    const run = (x: number) =>
      runOp(
        'DIV',
        [
          { dtype: 'int8', shape: [1], data: [x], q: [0.05, -3] },
          { dtype: 'int8', shape: [1], data: [100], q: [0.03, 1] },
        ],
        { dtype: 'int8', shape: [1], q: [0.08, -5] },
        div(),
      );
    expect(() => run(-3)).toThrow(/TFLM aborts \(a DCHECK or gemmlowp's RoundingDivideByPOT exponent assert\) on inputs -3 \/ 100/);
    expect(run(40)).toEqual([-5 + Math.round((43 * 0.05) / (99 * 0.03) / 0.08)]);
  });

  it('refuses a divisor at its zero point (TFLM DCHECKs it)', () => {
    const q: [number, number] = [0.05, 1];
    const x: Operand = { dtype: 'int8', shape: [2], data: [5, 6], q };
    const y: Operand = { dtype: 'int8', shape: [2], data: [3, 1], q };
    expect(() => runOp('DIV', [x, y], { dtype: 'int8', shape: [2], q: [0.05, 0] }, div())).toThrow(/TFLM aborts .* on inputs 6 \/ 1/);
  });

  it('refuses int16 as TFLM does', () => {
    const q = { dtype: 'int16' as const, shape: [2], data: [1, 2], q: [0.5, 0] as [number, number] };
    expect(() => runOp('DIV', [q, q], { dtype: 'int16', shape: [2], q: [0.5, 0] }, div())).toThrow(
      /DIV only supports FLOAT32, INT32, quantized INT8 now, got type INT16 \(7\)/,
    );
  });
});

describe('SQUARED_DIFFERENCE (squared_difference_test.cc)', () => {
  const S = [1, 2, 2, 1];
  it('float32 and int32, same shapes, various shapes, broadcast', () => {
    near(runOp('SQUARED_DIFFERENCE', [f32(S, [-0.2, 0.2, -1.2, 0.8]), f32(S, [0.5, 0.2, -1.5, 0.5])], f32(S)), [0.49, 0.0, 0.09, 0.09]);
    for (const s of SIX_SHAPES) {
      near(runOp('SQUARED_DIFFERENCE', [f32(s, [-2.0, 0.2, 0.3, 0.8, 1.1, -2.0]), f32(s, [1.0, 0.2, 0.6, 0.4, -1.0, -0.0])], f32(s)), [9.0, 0.0, 0.09, 0.16, 4.41, 4.0]);
      near(runOp('SQUARED_DIFFERENCE', [f32(s, [-0.2, 0.2, 0.5, 0.8, 0.11, 1.1]), f32([1], [0.1])], f32(s)), [0.09, 0.01, 0.16, 0.49, 0.0001, 1.0]);
      expect(runOp('SQUARED_DIFFERENCE', [i32(s, [-20, 2, 3, 8, 11, -20]), i32(s, [1, 2, 6, 5, -5, -20])], i32(s))).toEqual([441, 0, 9, 9, 256, 0]);
      expect(runOp('SQUARED_DIFFERENCE', [i32(s, [-20, 10, 7, 3, 1, 13]), i32([1], [3])], i32(s))).toEqual([529, 49, 16, 0, 4, 100]);
    }
    expect(runOp('SQUARED_DIFFERENCE', [i32(S, [-2, 2, -15, 8]), i32(S, [5, -2, -3, 5])], i32(S))).toEqual([49, 16, 144, 9]);
  });

  it('int8 and int16 within the tests tolerances', () => {
    // Asymmetric int8 parameters of [min, max] as the test chooses them; symmetric int16 (zero points 0).
    const p8 = (lo: number, hi: number): [number, number] => {
      const scale = (hi - lo) / 255;
      return [scale, Math.round(-128 - lo / scale)];
    };
    const p16 = (r: number): [number, number] => [r / 32767, 0];
    const run = (dtype: 'int8' | 'int16', a: number[], b: number[], want: number[], qa: [number, number], qb: [number, number], qo: [number, number], tol: number) => {
      const out = runOp(
        'SQUARED_DIFFERENCE',
        [
          { dtype, shape: S, data: quantize(a, qa[0], qa[1], dtype), q: qa },
          { dtype, shape: S, data: quantize(b, qb[0], qb[1], dtype), q: qb },
        ],
        { dtype, shape: S, q: qo },
      );
      near(dequantize(out, qo[0], qo[1]), want, tol);
    };
    const a = [-0.2, 0.2, -1.2, 0.8];
    const b = [0.5, 0.2, -1.5, 0.5];
    const golden = [0.49, 0.0, 0.09, 0.09];
    run('int8', a, b, golden, p8(-1.2, 0.8), p8(-1.5, 0.5), p8(0, 0.5), 2 / 255);
    run('int16', a, b, golden, p16(1.2), p16(1.5), p16(0.5), 6 / 32768);
  });

  it('refuses int16 with zero points', () => {
    const q = { dtype: 'int16' as const, shape: [2], data: [1, 2], q: [0.5, 1] as [number, number] };
    expect(() => runOp('SQUARED_DIFFERENCE', [q, q], { dtype: 'int16', shape: [2], q: [0.5, 0] })).toThrow(/needs zero points of 0/);
  });
});

describe('FLOOR_DIV and FLOOR_MOD (floor_div_test.cc, floor_mod_test.cc)', () => {
  const S = [1, 2, 2, 1];
  it('FLOOR_DIV float32', () => {
    expect(runOp('FLOOR_DIV', [f32(S, [10.05, 9.09, 11.9, 3.01]), f32(S, [2.05, 2.03, 3.03, 4.03])], f32(S))).toEqual([4, 4, 3, 0]);
    expect(runOp('FLOOR_DIV', [f32(S, [10.03, -9.9, -11.0, 7.0]), f32(S, [2.0, 2.3, -3.0, -4.1])], f32(S))).toEqual([5, -5, 3, -2]);
    expect(runOp('FLOOR_DIV', [f32(S, [10.03, -9.9, -11.0, 7.0]), f32([1], [-3.3])], f32(S))).toEqual([-4, 2, 3, -3]);
  });

  it('FLOOR_MOD float32', () => {
    expect(runOp('FLOOR_MOD', [f32(S, [10, 9, 11, 3]), f32(S, [2, 2, 3, 4])], f32(S))).toEqual([0, 1, 2, 3]);
    expect(runOp('FLOOR_MOD', [f32(S, [10, -9, -11, 7]), f32(S, [2, 2, -3, -4])], f32(S))).toEqual([0, 1, -2, -1]);
    // fmod(-9, -3) is -0, as in C (the test's EXPECT_NEAR takes it for 0).
    expect(runOp('FLOOR_MOD', [f32(S, [10, -9, -11, 7]), f32([1], [-3])], f32(S))).toEqual([-2, -0, -2, -2]);
  });

  it('refuses int32 and a zero divisor as TFLM does', () => {
    expect(() => runOp('FLOOR_DIV', [i32([2], [1, 2]), i32([2], [1, 2])], i32([2]))).toThrow(/Type 'INT32' is not supported by FLOOR_DIV/);
    expect(() => runOp('FLOOR_MOD', [i32([2], [1, 2]), i32([2], [1, 2])], i32([2]))).toThrow(/Type 'INT32' is not supported by FLOOR_MOD/);
    expect(() => runOp('FLOOR_DIV', [f32([2], [1, 2]), f32([2], [1, 0])], f32([2]))).toThrow(/Division by 0/);
  });
});

describe('MAXIMUM and MINIMUM (maximum_minimum_test.cc)', () => {
  const S = [3, 1, 2];
  it('float32, int8, int16, int32 and int64, with broadcasting', () => {
    const both = (a: Operand, b: Operand, out: Operand) => [runOp('MAXIMUM', [a, b], out), runOp('MINIMUM', [a, b], out)];
    near(both(f32(S, [1.0, 0.0, -1.0, 11.0, -2.0, -1.44]), f32(S, [-1.0, 0.0, 1.0, 12.0, -3.0, -1.43]), f32(S))[0]!, [1.0, 0.0, 1.0, 12.0, -2.0, -1.43]);
    near(both(f32(S, [1.0, 0.0, -1.0, 11.0, -2.0, -1.44]), f32(S, [-1.0, 0.0, 1.0, 12.0, -3.0, -1.43]), f32(S))[1]!, [-1.0, 0.0, -1.0, 11.0, -3.0, -1.44]);
    const q8 = (data?: number[]): Operand => ({ dtype: 'int8', shape: S, data, q: [1, 0] });
    expect(both(q8([1, 0, 2, 11, 2, 23]), q8([0, 0, 1, 12, 127, 1]), q8())).toEqual([
      [1, 0, 2, 12, 127, 23],
      [0, 0, 1, 11, 2, 1],
    ]);
    const q16 = (data?: number[]): Operand => ({ dtype: 'int16', shape: S, data, q: [1, 0] });
    expect(both(q16([-30, 0, 2124, -123, -32768, 26236]), q16([24, 0, 1, -4256, 32767, -577]), q16())).toEqual([
      [24, 0, 2124, -123, 32767, 26236],
      [-30, 0, 1, -4256, -32768, -577],
    ]);
    const [mx, mn] = both(f32(S, [1.0, 0.0, -1.0, -2.0, -1.44, 11.0]), f32([2], [0.5, 2.0]), f32(S));
    near(mx!, [1.0, 2.0, 0.5, 2.0, 0.5, 11.0]);
    near(mn!, [0.5, 0.0, -1.0, -2.0, -1.44, 2.0]);
    expect(both(i32(S, [1, 0, -1, -2, 3, 11]), i32([1], [2]), i32(S))).toEqual([
      [2, 2, 2, 2, 3, 11],
      [1, 0, -1, -2, 2, 2],
    ]);
    const i64 = (shape: number[], data?: number[]): Operand => ({ dtype: 'int64', shape, data });
    expect(both(i64(S, [1, 0, -1, -2, 3, 11]), i64([1], [2]), i64(S))).toEqual([
      [2n, 2n, 2n, 2n, 3n, 11n],
      [1n, 0n, -1n, -2n, 2n, 2n],
    ]);
  });

  it('refuses bool as TFLM does', () => {
    const b: Operand = { dtype: 'bool', shape: [2], data: [1, 0] };
    expect(() => runOp('MAXIMUM', [b, b], b)).toThrow(/Type BOOL \(6\) is not supported by Maximum\/Minimum/);
  });
});
