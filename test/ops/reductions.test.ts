// Reductions, ARG_MAX/ARG_MIN, CUMSUM and L2_POOL_2D against TFLM's own kernel
// tests (reduce_test.cc, arg_min_max_test.cc, cumsum_test.cc,
// l2_pool_2d_test.cc at 90b983c). Where TFLM's test compares with a tolerance
// (quantized outputs, rounded float goldens), so do these; integer results
// fully determined by the golden are compared exactly.

import { describe, expect, it } from 'vitest';
import { f32, runOp, type TensorArg } from '../helpers/op-harness.js';

const iota = (n: number, from = 1) => Array.from({ length: n }, (_, i) => i + from);
const x = (dtype: TensorArg['dtype'], shape: number[], data: readonly (number | boolean)[], q?: [number, number]): TensorArg => ({ dtype, shape, data, ...(q ? { q } : {}) });
const c = (dtype: TensorArg['dtype'], shape: number[], data: number[]): TensorArg => ({ dtype, shape, data, constant: true });
const near = (got: readonly number[], want: readonly number[], tolerance: number) => {
  expect(got.length).toBe(want.length);
  got.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(tolerance));
};
const roundHalfAway = (v: number) => (v < 0 ? -Math.round(-v) : Math.round(v));
/** tflite::testing quantization of float test data. */
const quantize = (v: readonly number[], scale: number, zp: number, [lo, hi]: [number, number]) =>
  v.map((f) => Math.min(hi, Math.max(lo, roundHalfAway(Math.fround(f / Math.fround(scale))) + zp)));
const INT8: [number, number] = [-128, 127];
const INT16: [number, number] = [-32768, 32767];

describe('MEAN, SUM, REDUCE_MAX, REDUCE_MIN, REDUCE_ALL', () => {
  const reduce = (opcode: string, dtype: TensorArg['dtype'], s: number[], data: readonly (number | boolean)[], axis: number[], out: number[], opts: { keepDims?: boolean; q?: [number, number]; qOut?: [number, number]; constAxis?: boolean } = {}) =>
    runOp({
      opcode,
      inputs: [x(dtype, s, data, opts.q), opts.constAxis === false ? x('int32', [axis.length], axis) : c('int32', [axis.length], axis)],
      outputs: [{ dtype, shape: out, ...(opts.qOut ?? opts.q ? { q: opts.qOut ?? opts.q } : {}) }],
      options: { type: 'ReducerOptions', value: { keepDims: opts.keepDims ?? false } },
    })[0]!;
  const in4d = iota(24);

  it('MeanFloat2DKeepDims, 3DKeepDims, 4DKeepDims, 4DWithoutKeepDims, 4DWithoutKeepDimsWithPrecision', () => {
    expect(reduce('MEAN', 'float32', [2, 4], iota(8), [1], [2, 1], { keepDims: true })).toEqual([2.5, 6.5]);
    expect(reduce('MEAN', 'float32', [2, 2, 2], iota(8), [1, 2], [2, 1, 1], { keepDims: true })).toEqual([2.5, 6.5]);
    expect(reduce('MEAN', 'float32', [2, 2, 3, 2], in4d, [1, 2], [2, 1, 1, 2], { keepDims: true })).toEqual([6, 7, 18, 19]);
    expect(reduce('MEAN', 'float32', [2, 2, 3, 2], in4d, [1, 2], [2, 2], { constAxis: false })).toEqual([6, 7, 18, 19]);
    const precise = reduce('MEAN', 'float32', [2, 2, 3, 1], [1, 24, 13, 3, 9, 17, 11, 36, 14, 19, 17, 22], [1, 2], [2, 1]);
    near(precise, [11.166667, 19.833334], 1e-5);
    expect(precise).toEqual([Math.fround(67 / 6), Math.fround(119 / 6)]);
  });

  it('MeanInt8/Int16 2D, 4D and DifferentScaleAndZeroPoint (quantized, tolerance 1.0 as in TFLM)', () => {
    const q8 = quantize(iota(8), 0.5, 0, INT8);
    near(reduce('MEAN', 'int8', [2, 4], q8, [1], [2, 1], { keepDims: true, q: [0.5, 0] }).map((v) => v * 0.5), [2.5, 6.5], 1);
    near(reduce('MEAN', 'int16', [2, 4], quantize(iota(8), 0.5, 0, INT16), [1], [2, 1], { keepDims: true, q: [0.5, 0] }).map((v) => v * 0.5), [2.5, 6.5], 1);
    near(reduce('MEAN', 'int8', [2, 2, 3, 2], quantize(in4d, 0.5, 0, INT8), [1, 2], [2, 2], { q: [0.5, 0] }).map((v) => v * 0.5), [6, 7, 18, 19], 1);
    const diff = reduce('MEAN', 'int16', [2, 2, 3, 2], quantize(in4d, 0.5, 0, INT16), [1, 2], [2, 2], { q: [0.5, 0], qOut: [0.7, 0] });
    near(
      diff.map((v) => v * Math.fround(0.7)),
      [6, 7, 18, 19],
      1,
    );
    // Exactly: the sums 72, 84, 216, 228 (in input units of 0.5) over 6 at 0.5/0.7.
    expect(diff).toEqual([9, 10, 26, 27]);
  });

  it('MEAN and SUM int8 over H and W (a global average pool: input element i to output i mod C) give the exact sums and means, with one batch and two', () => {
    // Per channel c the 4 pixels hold c - 6, c + 2, -c, c + 8 (random order of magnitude around 0): sum 2c + 4, mean (c + 2) / 2,
    // exact for even c. Integer sums are the same in any order.
    const C = 24;
    const pixel = (p: number, ch: number) => [ch - 6, ch + 2, -ch, ch + 8][p]!;
    const one = Array.from({ length: 4 * C }, (_, i) => pixel(Math.floor(i / C), i % C));
    const sums = Array.from({ length: C }, (_, ch) => 2 * ch + 4);
    expect(reduce('SUM', 'int8', [1, 2, 2, C], one, [1, 2], [1, C], { q: [0.5, 0] })).toEqual(sums);
    expect(reduce('SUM', 'int8', [2, 2, 2, C], [...one, ...one.map((v) => -v)], [1, 2], [2, C], { q: [0.5, 0] })).toEqual([...sums, ...sums.map((v) => -v)]);
    const means = reduce('MEAN', 'int8', [1, 2, 2, C], one, [1, 2], [1, 1, 1, C], { keepDims: true, q: [0.5, 0] });
    means.forEach((v, ch) => (ch % 2 === 0 ? expect(v).toBe((ch + 2) / 2) : expect(Math.abs(v - (ch + 2) / 2)).toBe(0.5)));
    // Zero points: the input's 3 comes off every element ((2c + 4 - 4 * 3) / 4), the output's -2 goes on.
    const shifted = reduce('MEAN', 'int8', [1, 2, 2, C], one, [1, 2], [1, 1, 1, C], { keepDims: true, q: [0.5, 3], qOut: [0.5, -2] });
    shifted.forEach((v, ch) => (ch % 2 === 0 ? expect(v).toBe((ch - 4) / 2 - 2) : expect(Math.abs(v - ((ch - 4) / 2 - 2))).toBe(0.5)));
    // Reduced over the batch too: still every C-th element.
    expect(reduce('SUM', 'int8', [2, 2, 2, C], [...one, ...one], [0, 1, 2], [C], { q: [0.5, 0] })).toEqual(sums.map((v) => 2 * v));
  });

  it('SumFloatFlatten2ReduceDims, Flatten2NonReduceDims, Flatten2MiddleDims, 2DKeepDims, 4DWithoutKeepDims, Size1, 2DRedundantDims, Scalar', () => {
    expect(reduce('SUM', 'float32', [4, 3, 2], in4d, [2, 1], [4])).toEqual([21, 57, 93, 129]);
    expect(reduce('SUM', 'float32', [4, 3, 2], in4d, [2], [12])).toEqual([3, 7, 11, 15, 19, 23, 27, 31, 35, 39, 43, 47]);
    expect(reduce('SUM', 'float32', [2, 2, 3, 2], in4d, [1, 2], [2, 2])).toEqual([36, 42, 108, 114]);
    expect(reduce('SUM', 'float32', [2, 4], iota(8), [1], [2, 1], { keepDims: true })).toEqual([10, 26]);
    expect(reduce('SUM', 'float32', [1], [1], [0], [])).toEqual([1]);
    expect(reduce('SUM', 'float32', [1, 2, 4], iota(8), [1], [1, 4])).toEqual([6, 8, 10, 12]);
    expect(reduce('SUM', 'float32', [1], [1], [], [1])).toEqual([1]);
  });

  it('SumInt8/Int16 2DKeepDims, 4DWithoutKeepDims, DifferentScaleAndZeroPoint', () => {
    near(reduce('SUM', 'int8', [2, 4], quantize(iota(8), 0.5, 0, INT8), [1], [2, 1], { keepDims: true, q: [0.5, 0] }).map((v) => v * 0.5), [10, 26], 1);
    near(reduce('SUM', 'int16', [2, 2, 3, 2], quantize(in4d, 0.5, 0, INT16), [1, 2], [2, 2], { q: [0.5, 0] }).map((v) => v * 0.5), [36, 42, 108, 114], 1);
    const diff = reduce('SUM', 'int16', [2, 2, 3, 2], quantize(in4d, 0.5, 0, INT16), [1, 2], [2, 2], { q: [0.5, 0], qOut: [0.7, 0] });
    near(
      diff.map((v) => v * Math.fround(0.7)),
      [36, 42, 108, 114],
      1,
    );
    expect(diff).toEqual([51, 60, 154, 163]);
    // int8 saturates: 8 x 127 at an equal scale.
    expect(reduce('SUM', 'int8', [8], Array(8).fill(127), [0], [], { q: [1, 0] })).toEqual([127]);
  });

  it('FloatMaxOpTestNotKeepDims/KeepDims, FloatMinOpTestNotKeepDims, Int8MaxOpTestKeepDims, Int8MinOpTest', () => {
    expect(reduce('REDUCE_MAX', 'float32', [4, 3, 2], in4d, [1, 0, -3, -3], [2])).toEqual([23, 24]);
    expect(reduce('REDUCE_MAX', 'float32', [4, 3, 2], in4d, [0, 2], [1, 3, 1], { keepDims: true })).toEqual([20, 22, 24]);
    expect(reduce('REDUCE_MIN', 'float32', [4, 3, 2], in4d, [1, 0, -3, -3], [2])).toEqual([1, 2]);
    expect(reduce('REDUCE_MIN', 'float32', [4, 3, 2], in4d, [0, 2], [1, 3, 1], { keepDims: true })).toEqual([1, 3, 5]);
    const s = 2 / 255;
    const q = quantize([0.4, 0.2, 0.3, 0.4, 0.5, 0.6], s, 0, INT8);
    expect(reduce('REDUCE_MAX', 'int8', [1, 3, 2], q, [1], [1, 1, 2], { keepDims: true, q: [s, 0] })).toEqual(quantize([0.5, 0.6], s, 0, INT8));
    expect(reduce('REDUCE_MIN', 'int8', [1, 3, 2], q, [1], [1, 2], { q: [s, 0] })).toEqual(quantize([0.3, 0.2], s, 0, INT8));
  });

  it('AllOpTestNotKeepDims, AllOpTestKeepDims', () => {
    const b = [true, true, true, true, true, false, true, true, true, true, true, true];
    expect(reduce('REDUCE_ALL', 'bool', [2, 3, 2], b, [1, 0, -3, -3], [2])).toEqual([1, 0]);
    expect(reduce('REDUCE_ALL', 'bool', [2, 3, 2], b, [0, 2], [1, 3, 1], { keepDims: true })).toEqual([1, 1, 0]);
  });

  it('MAX and MIN start from the float limits: NaN never wins, -inf stays -FLT_MAX', () => {
    expect(reduce('REDUCE_MAX', 'float32', [3], [NaN, -Infinity, NaN], [0], [])).toEqual([-3.4028234663852886e38]);
    expect(reduce('REDUCE_MIN', 'float32', [2], [NaN, 5], [0], [])).toEqual([5]);
  });

  it('refuses what TFLM refuses', () => {
    expect(() => reduce('SUM', 'int32', [2], [1, 2], [0], [])).toThrow(/SUM.*Type INT32 \(2\) not supported/);
    expect(() => reduce('REDUCE_MAX', 'int16', [2], [1, 2], [0], [], { q: [1, 0] })).toThrow(/Type INT16/);
    expect(() => reduce('REDUCE_MAX', 'int8', [2], [1, 2], [0], [], { q: [1, 0], qOut: [0.5, 0] })).toThrow(/quantized differently/);
    expect(() => reduce('REDUCE_ALL', 'int8', [2], [1, 2], [0], [], { q: [1, 0] })).toThrow(/INT8 \(9\) != BOOL \(6\)/);
    expect(() => runOp({ opcode: 'SUM', inputs: [x('float32', [2], [1, 2]), c('int64', [1], [0])], outputs: [{ dtype: 'float32', shape: [] }] })).toThrow(/Axis type INT64/);
  });
});

describe('ARG_MAX and ARG_MIN', () => {
  const arg = (opcode: string, dtype: TensorArg['dtype'], s: number[], data: number[], axis: number, out: number[], outType: TensorArg['dtype'] = 'int32') =>
    runOp({ opcode, inputs: [x(dtype, s, data, dtype === 'int8' ? [1, 0] : undefined), x('int32', [1, 1, 1], [axis])], outputs: [{ dtype: outType, shape: out }] })[0]!;

  it('GetMaxArgFloat, GetMinArgFloat, GetMaxArgInt8, GetMinArgInt8', () => {
    expect(arg('ARG_MAX', 'float32', [1, 1, 1, 4], [0.1, 0.9, 0.7, 0.3], 3, [1, 1, 1])).toEqual([1]);
    expect(arg('ARG_MIN', 'float32', [1, 1, 1, 4], [0.1, 0.9, 0.7, 0.3], 3, [1, 1, 1])).toEqual([0]);
    expect(arg('ARG_MAX', 'int8', [1, 1, 1, 4], [1, 9, 7, 3], 3, [1, 1, 1])).toEqual([1]);
    expect(arg('ARG_MIN', 'int8', [1, 1, 1, 4], [1, 9, 7, 3], 3, [1, 1, 1])).toEqual([0]);
  });

  it('GetMaxArgMulDimensions, GetMinArgMulDimensions, GetMaxArgNegativeAxis', () => {
    expect(arg('ARG_MAX', 'int8', [1, 1, 2, 4], [1, 2, 7, 8, 1, 9, 7, 3], 3, [1, 1, 2])).toEqual([3, 1]);
    expect(arg('ARG_MIN', 'int8', [1, 1, 2, 4], [1, 2, 7, 8, 1, 9, 7, 3], 3, [1, 1, 2])).toEqual([0, 0]);
    expect(arg('ARG_MAX', 'float32', [1, 1, 2, 4], [1, 2, 7, 8, 1, 9, 7, 3], -2, [1, 1, 4])).toEqual([0, 1, 0, 0]);
  });

  it('ties keep the first index; NaN never wins', () => {
    expect(arg('ARG_MAX', 'float32', [5], [NaN, 2, 7, 7, NaN], 0, [])).toEqual([2]);
    expect(arg('ARG_MIN', 'float32', [3], [NaN, NaN, 1], 0, [])).toEqual([2]);
  });

  it('refuses int64 outputs and int16 inputs (TFLM at Eval)', () => {
    expect(() => arg('ARG_MAX', 'float32', [2], [1, 2], 0, [], 'int64')).toThrow(/ARG_MAX.*Only int32_t are supported currently, got INT64/);
    expect(() => arg('ARG_MIN', 'int16', [2], [1, 2], 0, [])).toThrow(/got INT16/);
  });
});

describe('CUMSUM', () => {
  const cumsum = (dtype: TensorArg['dtype'], s: number[], data: number[], axis: number, exclusive = false, reverse = false, q?: [number, number]) =>
    runOp({
      opcode: 'CUMSUM',
      inputs: [x(dtype, s, data, q), c('int32', [1], [axis])],
      outputs: [{ dtype, shape: s, ...(q ? { q } : {}) }],
      options: { type: 'CumsumOptions', value: { exclusive, reverse } },
    })[0]!;
  // name, shape, axis, exclusive, reverse, golden, the int8 test's data range +-max
  const cases: [string, number[], number, boolean, boolean, number[], number][] = [
    ['SimpleTest', [2, 4], 1, false, false, [1, 3, 6, 10, 5, 11, 18, 26], 26],
    ['SimpleAxis0Test', [2, 4], 0, false, false, [1, 2, 3, 4, 6, 8, 10, 12], 12],
    ['Simple1DTest', [8], 0, false, false, [1, 3, 6, 10, 15, 21, 28, 36], 36],
    ['SimpleReverseTest', [2, 4], 1, false, true, [10, 9, 7, 4, 26, 21, 15, 8], 26],
    ['SimpleExclusiveTest', [2, 4], 1, true, false, [0, 1, 3, 6, 0, 5, 11, 18], 18],
    ['SimpleReverseExclusiveTest', [2, 4], 1, true, true, [9, 7, 4, 0, 21, 15, 8, 0], 21],
  ];

  it.each(cases)('CumSumOpTest%s (float32)', (_, s, axis, exclusive, reverse, want) => {
    expect(cumsum('float32', s, iota(8), axis, exclusive, reverse)).toEqual(want);
  });

  it.each(cases)('CumSumOpTest%sInt8 (within TFLM test tolerance)', (_, s, axis, exclusive, reverse, want, max) => {
    // ScaleFromMinMax<int8>(-max, max) and ZeroPointFromMinMax, as TFLM's test quantizes.
    const scale = Math.fround((2 * max) / 255);
    const zp = -128 + roundHalfAway(Math.fround(max / scale));
    const got = cumsum('int8', s, quantize(iota(8), scale, zp, INT8), axis, exclusive, reverse, [scale, zp]);
    near(
      got.map((v) => Math.fround((v - zp) * scale)),
      want,
      (4 * max) / 255,
    );
  });

  it('refuses int16 and a scalar input', () => {
    expect(() => cumsum('int16', [2], [1, 2], 0, false, false, [1, 0])).toThrow(/CUMSUM.*Type INT16/);
    expect(() => cumsum('float32', [], [1], 0)).toThrow(/scalar/);
  });
});

describe('L2_POOL_2D', () => {
  const pool = (data: number[], out: number[], opts: Record<string, number>) =>
    runOp({
      opcode: 'L2_POOL_2D',
      inputs: [x('float32', [1, 2, 4, 1], data)],
      outputs: [{ dtype: 'float32', shape: out }],
      options: { type: 'Pool2DOptions', value: { padding: 1, strideW: 2, strideH: 2, filterWidth: 2, filterHeight: 2, ...opts } },
    })[0]!;
  const a = [0, 6, 2, 4, 3, 2, 10, 7];
  const b = [-1, -6, 2, 4, -3, -2, 10, 7];
  const tenth = [-0.1, -0.6, 2, 4, -0.3, -0.2, 10, 7];

  it('FloatPoolingOpTestL2Pool, ...ActivationRelu, ...Relu1, ...Relu6, ...PaddingSame, ...PaddingSameStride1, ...PaddingValidStride1', () => {
    expect(pool(a, [1, 1, 2, 1], {})).toEqual([3.5, 6.5]);
    near(pool(b, [1, 1, 2, 1], { fusedActivationFunction: 1 }), [3.53553, 6.5], 1e-5);
    near(pool(tenth, [1, 1, 2, 1], { fusedActivationFunction: 2 }), [0.353553, 1.0], 1e-5);
    near(pool(tenth, [1, 1, 2, 1], { fusedActivationFunction: 3 }), [0.353553, 6.0], 1e-5);
    expect(pool(a, [1, 1, 2, 1], { padding: 0 })).toEqual([3.5, 6.5]);
    near(pool(a, [1, 2, 4, 1], { padding: 0, strideW: 1, strideH: 1 }), [3.5, 6.0, 6.5, 5.70088, 2.54951, 7.2111, 8.63134, 7.0], 1e-5);
    expect(pool(a, [1, 1, 3, 1], { strideW: 1, strideH: 1 })).toEqual([3.5, 6.0, 6.5]);
  });

  it('is sqrt(sum of float squares / count) in float32', () => {
    const v = [0.1, 0.2, 0.3, 0.7, 1.1, 1.3, 0.9, 0.05];
    const got = pool(v, [1, 1, 2, 1], {});
    const want = [
      [0.1, 0.2, 1.1, 1.3],
      [0.3, 0.7, 0.9, 0.05],
    ].map((w) => Math.fround(Math.sqrt(Math.fround(f32(w).reduce((s, t) => Math.fround(s + Math.fround(t * t)), 0) / 4))));
    expect(got).toEqual(want);
  });

  it('refuses int8 (TFLM Prepare)', () => {
    expect(() =>
      runOp({
        opcode: 'L2_POOL_2D',
        inputs: [x('int8', [1, 2, 2, 1], [1, 2, 3, 4], [1, 0])],
        outputs: [{ dtype: 'int8', shape: [1, 1, 1, 1], q: [1, 0] }],
        options: { type: 'Pool2DOptions', value: { padding: 1, strideW: 2, strideH: 2, filterWidth: 2, filterHeight: 2 } },
      }),
    ).toThrow(/L2_POOL_2D.*INT8 \(9\) != FLOAT32 \(1\)/);
  });
});
