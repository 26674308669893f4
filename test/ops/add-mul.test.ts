// ADD and MUL against the vectors of TFLM's add_test.cc and mul_test.cc: every
// type TFLM's reference kernels take (float32, int8, int16, int32), scalar and
// mixed 4-D broadcasting, activations, and the refusals.

import { describe, expect, it } from 'vitest';
import { ACTIVATION } from '../../src/ops/kernel.js';
import { SIX_SHAPES, quantize, runOp, type Operand } from './binary-harness.js';

const add = (activation = 0) => ({ type: 'AddOptions', value: { fusedActivationFunction: activation } });
const mul = (activation = 0) => ({ type: 'MulOptions', value: { fusedActivationFunction: activation } });
const near = (got: (number | bigint)[], want: number[], tol = 1e-5) => {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(Number(g) - want[i]!), `element ${i}`).toBeLessThanOrEqual(tol));
};
const f32 = (shape: number[], data?: number[]): Operand => ({ dtype: 'float32', shape, data });

/** A quantized test as TFLM runs it: floats quantized, the golden quantized, compared exactly. */
function quantized(
  opcode: 'ADD' | 'MUL',
  dtype: 'int8' | 'int16' | 'int32',
  shapes: number[][],
  values: number[][],
  q: [number, number][],
  options: { type: string; value: Record<string, unknown> },
) {
  const out = runOp(
    opcode,
    [0, 1].map((i) => ({ dtype, shape: shapes[i]!, data: quantize(values[i]!, q[i]![0], q[i]![1], dtype), q: q[i] })),
    { dtype, shape: shapes[2]!, q: q[2] },
    options,
  );
  expect(out).toEqual(quantize(values[2]!, q[2]![0], q[2]![1], dtype));
}

const S = [1, 2, 2, 1];
const B1 = [-0.3, 2.3, 0.9, 0.5, 0.8, -1.1, 1.2, 2.8, -1.6, 0.0, 0.7, -2.2];
const B2 = [0.2, 0.3, -0.4, 0.5, 1.0, 0.9];
const BROADCASTS: [number[], number[], number[]][] = [
  [
    [1, 1, 3, 2],
    [2, 3, 3, 2],
    [
      -0.1, 2.6, -0.7, 2.8, 0.7, 3.2, 1.1, 0.8, 0.5, 1.0, 1.9, 1.4, 1.0, -0.8, 0.4, -0.6, 1.8, -0.2, 1.4, 3.1, 0.8, 3.3, 2.2, 3.7, -1.4, 0.3, -2.0, 0.5,
      -0.6, 0.9, 0.9, -1.9, 0.3, -1.7, 1.7, -1.3,
    ],
  ],
  [[1, 3, 1, 2], [2, 3, 1, 2], [-0.1, 2.6, 0.5, 1.0, 1.8, -0.2, 1.4, 3.1, -2.0, 0.5, 1.7, -1.3]],
  [
    [2, 1, 3, 1],
    [2, 3, 3, 2],
    [
      -0.1, 2.5, 0.0, 2.6, -0.7, 1.9, 1.1, 0.7, 1.2, 0.8, 0.5, 0.1, 1.0, -0.9, 1.1, -0.8, 0.4, -1.5, 1.7, 3.3, 2.2, 3.8, 2.1, 3.7, -1.1, 0.5, -0.6, 1.0,
      -0.7, 0.9, 1.2, -1.7, 1.7, -1.2, 1.6, -1.3,
    ],
  ],
  [[2, 3, 1, 1], [2, 3, 1, 2], [-0.1, 2.5, 1.2, 0.8, 0.4, -1.5, 1.7, 3.3, -0.6, 1.0, 1.6, -1.3]],
];

describe('ADD (add_test.cc)', () => {
  it('float32: activations, shapes, scalar and mixed broadcasting', () => {
    near(runOp('ADD', [f32(S, [-2.0, 0.2, 0.7, 0.8]), f32(S, [0.1, 0.2, 0.3, 0.5])], f32(S), add()), [-1.9, 0.4, 1.0, 1.3]);
    near(runOp('ADD', [f32(S, [-2.0, 0.2, 0.7, 0.8]), f32(S, [0.1, 0.2, 0.3, 0.5])], f32(S), add(ACTIVATION.RELU_N1_TO_1)), [-1.0, 0.4, 1.0, 1.0]);
    const x = [-2.0, 0.2, 0.7, 0.8, 1.1, 2.0];
    for (const s of SIX_SHAPES) {
      near(runOp('ADD', [f32(s, x), f32(s, [0.1, 0.2, 0.3, 0.5, 1.1, 0.1])], f32(s), add()), [-1.9, 0.4, 1.0, 1.3, 2.2, 2.1]);
      near(runOp('ADD', [f32(s, x), f32([], [0.1])], f32(s), add()), [-1.9, 0.3, 0.8, 0.9, 1.2, 2.1]);
    }
    for (const [s2, so, golden] of BROADCASTS) near(runOp('ADD', [f32([2, 3, 1, 2], B1), f32(s2, B2)], f32(so), add()), golden);
  });

  it('int32: full-range clamp (wrapping) whatever the activation', () => {
    const i32 = (data?: number[]): Operand => ({ dtype: 'int32', shape: S, data });
    expect(runOp('ADD', [i32([-2, 2147483646, -1, 1146622854]), i32([3, 1, -2147483647, -726978367])], i32(), add())).toEqual([
      1, 2147483647, -2147483648, 419644487,
    ]);
  });

  it('int8 and int16: activations, shapes, scalar and mixed broadcasting', () => {
    const a = [-2.01, -1.01, -0.01, 0.98];
    quantized('ADD', 'int8', [S, S, S], [a, [1.01, 1.99, 2.99, 4.02], [-1, 1, 3, 5]], [[0.25, -10], [0.5, 4], [1.0, 13]], add());
    quantized('ADD', 'int8', [S, S, S], [a, [1.01, 1.99, 2.99, 4.02], [-1, 1, 1, 1]], [[0.25, -10], [0.5, 4], [1.0, 13]], add(ACTIVATION.RELU_N1_TO_1));
    quantized('ADD', 'int16', [S, S, S], [a, [1.01, 2.01, 3.01, 4.02], [-1, 1, 3, 5]], [[0.25, 0], [0.5, 0], [1.0, 0]], add());
    quantized('ADD', 'int16', [S, S, S], [a, [1.01, 1.99, 2.99, 4.02], [-1, 1, 1, 1]], [[0.25, 0], [0.5, 0], [1.0, 0]], add(ACTIVATION.RELU_N1_TO_1));
    const x = [-2.0, 0.2, 0.7, 0.8, 1.1, 2.0];
    for (const s of SIX_SHAPES) {
      const y = [0.1, 0.2, 0.3, 0.5, 1.1, 0.1];
      const g = [-1.9, 0.4, 1.0, 1.3, 2.2, 2.1];
      quantized('ADD', 'int8', [s, s, s], [x, y, g], [[0.1, -9], [0.05, 5], [0.1, 14]], add());
      quantized('ADD', 'int16', [s, s, s], [x, y, g], [[0.1, 0], [0.05, 0], [0.1, 0]], add());
      quantized('ADD', 'int8', [s, [], s], [x, [0.1], [-1.9, 0.3, 0.8, 0.9, 1.2, 2.1]], [[0.1, -8], [0.05, 4], [0.05, 12]], add());
      quantized('ADD', 'int16', [s, [], s], [x, [0.1], [-1.9, 0.3, 0.8, 0.9, 1.2, 2.1]], [[0.1, 0], [0.05, 0], [0.05, 0]], add());
    }
    for (const [s2, so, golden] of BROADCASTS) {
      quantized('ADD', 'int8', [[2, 3, 1, 2], s2, so], [B1, B2, golden], [[0.1, -10], [0.05, -5], [0.1, 7]], add());
      quantized('ADD', 'int16', [[2, 3, 1, 2], s2, so], [B1, B2, golden], [[0.1, 0], [0.05, 0], [0.1, 0]], add());
    }
  });

  it('refuses what TFLM refuses', () => {
    const i64: Operand = { dtype: 'int64', shape: [2], data: [1, 2] };
    expect(() => runOp('ADD', [i64, i64], { dtype: 'int64', shape: [2] }, add())).toThrow(/operator 0 \(ADD\): Type INT64 \(4\) not supported/);
    const q32: Operand = { dtype: 'int32', shape: [2], data: [1, 2], q: [0.5, 0] };
    expect(() => runOp('ADD', [q32, q32], { dtype: 'int32', shape: [2] }, add())).toThrow(/int32 ADD: tensor 'x0' is quantized/);
  });
});

describe('MUL (mul_test.cc)', () => {
  const a = [-0.8, 0.2, 0.9, 0.7];
  const b = [0.6, 0.4, 0.9, 0.8];
  it('float32 with and without RELU, broadcasting a scalar', () => {
    near(runOp('MUL', [f32(S, a), f32(S, b)], f32(S), mul()), [-0.48, 0.08, 0.81, 0.56]);
    near(runOp('MUL', [f32(S, a), f32(S, b)], f32(S), mul(ACTIVATION.RELU)), [0.0, 0.08, 0.81, 0.56]);
    const x = [-2.0, 0.2, 0.7, 0.8, 1.1, 2.0];
    near(runOp('MUL', [f32([1, 3, 1, 2], x), f32([1], [0.1])], f32([1, 3, 1, 2]), mul()), [-0.2, 0.02, 0.07, 0.08, 0.11, 0.2]);
    near(runOp('MUL', [f32([1, 3, 1, 2], x), f32([1], [0.1])], f32([1, 3, 1, 2]), mul(ACTIVATION.RELU)), [0, 0.02, 0.07, 0.08, 0.11, 0.2]);
  });

  it('int8, int16 and int32 (quantization parameters ignored by int32)', () => {
    const g = [-0.48, 0.08, 0.81, 0.56];
    for (const dtype of ['int8', 'int16'] as const) {
      quantized('MUL', dtype, [S, S, S], [a, b, g], [[0.01, 0], [0.01, 0], [0.01, 0]], mul());
      const x = [-2.0, 0.2, 0.7, 0.8, 1.1, 2.0];
      quantized('MUL', dtype, [[1, 3, 1, 2], [1], [1, 3, 1, 2]], [x, [0.1], [-0.2, 0.02, 0.07, 0.08, 0.11, 0.2]], [[0.05, 0], [0.05, 0], [0.01, 0]], mul());
    }
    quantized('MUL', 'int32', [S, S, S], [a, b, g], [[0.01, 0], [0.01, 0], [0.0001, 0]], mul());
  });

  it('refuses what TFLM refuses', () => {
    const i64: Operand = { dtype: 'int64', shape: [2], data: [1, 2] };
    expect(() => runOp('MUL', [i64, i64], { dtype: 'int64', shape: [2] }, mul())).toThrow(/operator 0 \(MUL\): Type INT64 \(4\) not supported/);
    const q16 = (zp: number): Operand => ({ dtype: 'int16', shape: [2], data: [1, 2], q: [0.5, zp] });
    expect(() => runOp('MUL', [q16(1), q16(0)], { dtype: 'int16', shape: [2], q: [0.5, 0] }, mul())).toThrow(/int16 MUL needs zero points of 0/);
  });

  it('float32 ADD and MUL of 512 values and more (in the module: an operand of the same shape or per channel, either side) equal C float arithmetic', () => {
    // std::min(std::max(a op b, lo), hi) in float32, element by element.
    const ranges: Record<number, [number, number]> = { [ACTIVATION.NONE]: [-Infinity, Infinity], [ACTIVATION.RELU]: [0, Infinity], [ACTIVATION.RELU6]: [0, 6] };
    const value = (i: number) => (i % 29 === 0 ? -0 : Math.fround(((((i * 7919) % 1009) - 504) / 37) * 10 ** ((i % 7) - 3)));
    for (const opcode of ['ADD', 'MUL'] as const) {
      for (const activation of [ACTIVATION.NONE, ACTIVATION.RELU, ACTIVATION.RELU6]) {
        const shapes: [number[], number[]][] = [[[1, 8, 8, 9], [1, 8, 8, 9]], [[1, 8, 8, 9], [9]], [[9], [2, 8, 8, 9]], [[1, 16, 32], [1, 1, 32]]];
        for (const [sa, sb] of shapes) {
          const so = sa.length >= sb.length ? sa : sb;
          const na = sa.reduce((x, y) => x * y, 1);
          const nb = sb.reduce((x, y) => x * y, 1);
          const a = Array.from({ length: na }, (_, i) => value(i));
          const b = Array.from({ length: nb }, (_, i) => value(i + 5000));
          const got = runOp(opcode, [f32(sa, a), f32(sb, b)], f32(so), opcode === 'ADD' ? add(activation) : mul(activation));
          const [lo, hi] = ranges[activation]!;
          const want = got.map((_, i) => {
            const v = Math.fround(opcode === 'ADD' ? a[i % na]! + b[i % nb]! : a[i % na]! * b[i % nb]!);
            const m = v < lo ? lo : v;
            return hi < m ? hi : m;
          });
          got.forEach((v, i) => expect(Object.is(v, want[i]), `${opcode} ${activation} ${sa}/${sb} element ${i}: ${v} against ${want[i]}`).toBe(true));
        }
      }
    }
  });
});
