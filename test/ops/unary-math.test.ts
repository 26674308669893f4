// ABS, NEG, SQRT, RSQRT, SQUARE, EXP, LOG, SIN, COS, FLOOR, CEIL, ROUND,
// LOGICAL_NOT, CAST and ZEROS_LIKE on the vectors of TFLM's kernel tests
// (elementwise_test.cc, neg_test.cc, floor_test.cc, ceil_test.cc,
// round_test.cc, exp_test.cc, cast_test.cc, zeros_like_test.cc), with TFLM's
// tolerances where its test has one, and exact glibc float32 results.

import { describe, expect, it } from 'vitest';
import { cosf, expm1f, logf, sinf, tanhf } from '../../src/ops/elementwise/libm.js';
import { expf } from '../../src/ops/fixed-point.js';
import { dequantize, q, quantize, runUnary, type Side } from '../helpers/single-op.js';

const f = (shape: number[]): Side => ({ dtype: 'float32', shape });
const floats = (op: string, shape: number[], input: number[]) => Array.from(runUnary(op, f(shape), f(shape), new Float32Array(input)) as Float32Array);

describe('float element-wise math (TFLM vectors)', () => {
  const near = (got: number[], want: number[], tol = 1e-5) => got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThanOrEqual(tol));

  it('ABS, SIN, COS, LOG, SQRT, RSQRT, SQUARE', () => {
    near(floats('ABS', [2, 2], [0.01, -0.01, 10, -10]), [0.01, 0.01, 10, 10]);
    near(floats('SIN', [2, 2], [0, 3.1415926, -3.1415926, 1]), [0, 0, 0, 0.84147]);
    near(floats('COS', [2, 2], [0, 3.1415926, -3.1415926, 1]), [1, -1, -1, 0.5403]);
    near(floats('LOG', [2, 2], [1, 2.7182818, 0.5, 2]), [0, 1, -0.6931472, 0.6931472]);
    near(floats('SQRT', [2, 2], [0, 1, 2, 4]), [0, 1, 1.41421, 2]);
    near(floats('RSQRT', [2, 2], [1, 2, 4, 9]), [1, 0.7071, 0.5, 0.33333]);
    expect(floats('SQUARE', [2, 2], [1, 2, 0.5, -3])).toEqual([1, 4, 0.25, 9]);
  });

  it('NEG, FLOOR, CEIL, ROUND (half to even), EXP', () => {
    expect(floats('NEG', [2], [8.5, 0])).toEqual([-8.5, -0]);
    expect(floats('NEG', [2, 3], [-2, -1, 0, 1, 2, 3])).toEqual([2, 1, -0, -1, -2, -3]);
    const ten = [0.0001, 8.0001, 0.9999, 9.9999, 0.5, -0.0001, -8.0001, -0.9999, -9.9999, -0.5];
    expect(floats('FLOOR', [2], [8.5, 0])).toEqual([8, 0]);
    expect(floats('FLOOR', [2, 1, 1, 5], ten)).toEqual([0, 8, 0, 9, 0, -1, -9, -1, -10, -1]);
    expect(floats('CEIL', [2], [8.5, 0])).toEqual([9, 0]);
    expect(floats('CEIL', [2, 1, 1, 5], ten)).toEqual([1, 9, 1, 10, 1, -0, -8, -0, -9, -0]);
    expect(floats('ROUND', [6], [8.5, 0, 3.5, 4.2, -3.5, -4.5])).toEqual([8, 0, 4, 4, -4, -4]);
    // TFLM's golden has -0 for -0.0001 and -0.5; its test compares with a tolerance, and floor + 1 gives +0 in C.
    expect(floats('ROUND', [2, 1, 1, 6], [...ten, -2.5, 1.5])).toEqual([0, 8, 1, 10, 0, 0, -8, -1, -10, 0, -2, 2]);
    const exp = [0, 1, -1, 100, -100, 0.01, -0.01];
    expect(floats('EXP', [1, 7], exp)).toEqual(exp.map((v) => expf(Math.fround(v))));
  });

  it('gives glibc 2.36 float32 results bit for bit', () => {
    // Outputs of x86-64 glibc 2.36's sinf, cosf, logf, expm1f and tanhf (FMA builds) for these inputs.
    const x = [0.3, -1.7, 2.5, 100.25, 1e-3, 7e5];
    const glibc = {
      sin: [0.29552021622657776, -0.9916648268699646, 0.5984721183776855, -0.27728286385536194, 0.0009999999310821295, 0.24768969416618347],
      cos: [0.9553365111351013, -0.12884454429149628, -0.8011435866355896, 0.9607883095741272, 0.9999995231628418, -0.9688394069671631],
      log: [-1.2039728164672852, NaN, 0.9162907600402832, 4.607666969299316, -6.907755374908447, 13.45883560180664],
      expm1: [0.349858820438385, -0.817316472530365, 11.182494163513184, Infinity, 0.0010005001677200198, Infinity],
      tanh: [0.2913126051425934, -0.9354090690612793, 0.9866142868995667, 1, 0.0009999996982514858, 1],
    };
    expect(floats('SIN', [6], x)).toEqual(glibc.sin);
    expect(floats('COS', [6], x)).toEqual(glibc.cos);
    expect(floats('LOG', [6], x)).toEqual(glibc.log);
    const xs = x.map(Math.fround);
    expect(xs.map(expm1f)).toEqual(glibc.expm1);
    expect(xs.map(tanhf)).toEqual(glibc.tanh);
    expect(xs.map(sinf)).toEqual(glibc.sin);
    expect(xs.map(cosf)).toEqual(glibc.cos);
    expect(xs.map(logf)).toEqual(glibc.log);
  });

  it('refuses other types as TFLM does', () => {
    const i8: Side = { dtype: 'int8', shape: [4], quantization: q(0.1) };
    for (const op of ['SIN', 'COS', 'LOG', 'SQRT', 'SQUARE']) expect(() => runUnary(op, i8, i8, new Int8Array(4))).toThrow(/Input data type INT8 \(9\) is not supported/);
    for (const op of ['NEG', 'FLOOR', 'CEIL', 'ROUND', 'EXP']) expect(() => runUnary(op, i8, i8, new Int8Array(4))).toThrow(/not supported/);
    const i16: Side = { dtype: 'int16', shape: [4], quantization: q(0.1) };
    expect(() => runUnary('RSQRT', i16, i16, new Int16Array(4))).toThrow(/INT16 \(7\) is not supported/);
    expect(() => runUnary('ABS', f([4]), i8, new Float32Array(4))).toThrow(/!= output type/);
    expect(() => runUnary('ABS', { dtype: 'int8', shape: [4] }, i8, new Int8Array(4))).toThrow(/quantization/);
  });
});

describe('quantized ABS and RSQRT (TFLM vectors)', () => {
  const absInput = [15, 46, 78, -142, -1, -17, -49, 113];
  const absGolden = [15, 46, 78, 142, 1, 17, 49, 113];

  function quantized(op: string, dtype: 'int8' | 'int16', input: number[], inScale: number, inZp: number, outScale: number, outZp: number) {
    const shape = [1, input.length];
    const data = quantize(input, inScale, inZp, dtype);
    const arr = dtype === 'int8' ? new Int8Array(data) : new Int16Array(data);
    const out = runUnary(op, { dtype, shape, quantization: q(inScale, inZp) }, { dtype, shape, quantization: q(outScale, outZp) }, arr);
    return dequantize(out as Int8Array, outScale, outZp);
  }
  const within = (got: number[], want: number[], tol: number) => got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThanOrEqual(tol));

  it('ABS int8 with a rescale, int8 on the same scale, int16', () => {
    const inScale = Math.fround(255 / 255);
    within(quantized('ABS', 'int8', absInput, inScale, 127 - 113, Math.fround(142 / 255), -128), absGolden, inScale);
    within(quantized('ABS', 'int8', absInput, inScale, 127 - 113, inScale, -128), absGolden, inScale);
    const s16 = Math.fround(142 / 32767);
    within(quantized('ABS', 'int16', absInput, s16, 0, Math.fround(150 / 32767), 0), absGolden, s16);
  });

  it('ABS of an unquantized int16 tensor wraps -32768 as std::abs does', () => {
    const t: Side = { dtype: 'int16', shape: [4] };
    expect(Array.from(runUnary('ABS', t, t, new Int16Array([-5, 7, -32768, 32767])) as Int16Array)).toEqual([5, 7, -32768, 32767]);
  });

  it('RSQRT int8, near zero, and the negative input TFLM fails on', () => {
    const golden = [0.2582, 0.14744, 0.11323, 0.08392, 1, 0.24254, 0.142857, 0.09407];
    const inScale = Math.fround(142 / 255);
    within(quantized('RSQRT', 'int8', [15, 46, 78, 142, 1, 17, 49, 113], inScale, 127 - 142, Math.fround(1 / 255), -128), golden, inScale);
    const close = [0.2582, 0.14744, 0.11323, 0.08392, 1, 3.16228, 0.142857, 0.09407];
    within(quantized('RSQRT', 'int8', [15, 46, 78, 142, 1, 0.1, 49, 113], inScale, 127 - 142, Math.fround(3.16 / 255), -128), close, inScale);
    expect(() => quantized('RSQRT', 'int8', [15, 46, 78, 142, 1, 17, -49, 113], inScale, 127 - 142, Math.fround(1 / 255), -128)).toThrow(
      /Rsqrt is only defined for positive values/,
    );
  });
});

describe('LOGICAL_NOT, CAST, ZEROS_LIKE (TFLM vectors)', () => {
  it('negates booleans', () => {
    const t: Side = { dtype: 'bool', shape: [2, 2] };
    expect(Array.from(runUnary('LOGICAL_NOT', t, t, new Uint8Array([1, 0, 0, 1])) as Uint8Array)).toEqual([0, 1, 1, 0]);
  });

  it('casts every pair of TFLM test', () => {
    const shape = [3, 2];
    const cast = (from: Side['dtype'], to: Side['dtype'], data: Int8Array | Int16Array | Int32Array | Uint32Array | Float32Array | Uint8Array) =>
      Array.from(runUnary('CAST', { dtype: from, shape }, { dtype: to, shape }, data) as ArrayLike<number>);
    const fl = new Float32Array([100, 1, 0, 0.4, 1.999, 1.1]);
    expect(cast('float32', 'int8', fl)).toEqual([100, 1, 0, 0, 1, 1]);
    expect(cast('float32', 'int16', fl)).toEqual([100, 1, 0, 0, 1, 1]);
    expect(cast('int8', 'float32', new Int8Array([123, 0, 1, 2, 3, 4]))).toEqual([123, 0, 1, 2, 3, 4]);
    expect(cast('int16', 'float32', new Int16Array([123, 0, 1, 2, 3, 4]))).toEqual([123, 0, 1, 2, 3, 4]);
    expect(cast('int16', 'int32', new Int16Array([123, 0, 1, 2, 3, 4]))).toEqual([123, 0, 1, 2, 3, 4]);
    expect(cast('int32', 'int16', new Int32Array([123, 0, 1, 2, 3, 4]))).toEqual([123, 0, 1, 2, 3, 4]);
    expect(cast('uint32', 'int32', new Uint32Array([100, 200, 300, 400, 500, 600]))).toEqual([100, 200, 300, 400, 500, 600]);
    expect(cast('int32', 'uint32', new Int32Array([100, 200, 300, 400, 500, 600]))).toEqual([100, 200, 300, 400, 500, 600]);
    expect(cast('bool', 'float32', new Uint8Array([1, 1, 0, 1, 0, 1]))).toEqual([1, 1, 0, 1, 0, 1]);
    // Beyond TFLM's vectors: C's conversions on x86-64 (truncation, wrap-around).
    expect(cast('float32', 'int8', new Float32Array([-1.5, 200, 300, -129, 1e10, NaN]))).toEqual([-1, -56, 44, 127, 0, 0]);
    expect(cast('int32', 'uint32', new Int32Array([-1, 0, 1, -2, 5, 6]))).toEqual([4294967295, 0, 1, 4294967294, 5, 6]);
    expect(cast('float32', 'uint32', new Float32Array([-1, 4294967040, 3.7, 0, 1, 2]))).toEqual([4294967295, 4294967040, 3, 0, 1, 2]);
    expect(cast('int32', 'float32', new Int32Array([16777217, -16777219, 0, 1, 2, 3]))).toEqual([16777216, -16777220, 0, 1, 2, 3]);
  });

  it('refuses the types CastEval refuses', () => {
    expect(() => runUnary('CAST', { dtype: 'int64', shape: [2] }, { dtype: 'float32', shape: [2] }, new BigInt64Array(2))).toThrow(/Input type INT64 \(4\) not supported/);
    expect(() => runUnary('CAST', { dtype: 'int8', shape: [2] }, { dtype: 'uint8', shape: [2] }, new Int8Array(2))).toThrow(/Output type UINT8 \(3\) not supported/);
  });

  it('zeroes float32, int8, int32 and int64 tensors, refuses int16', () => {
    expect(Array.from(runUnary('ZEROS_LIKE', f([2, 3]), f([2, 3]), new Float32Array([-2, -1, 0, 1, 2, 3])) as Float32Array)).toEqual([0, 0, 0, 0, 0, 0]);
    const i8: Side = { dtype: 'int8', shape: [1, 2, 3] };
    expect(Array.from(runUnary('ZEROS_LIKE', i8, i8, new Int8Array([-2, -1, 0, 1, 2, 3])) as Int8Array)).toEqual([0, 0, 0, 0, 0, 0]);
    const i32: Side = { dtype: 'int32', shape: [1, 2, 2, 1] };
    expect(Array.from(runUnary('ZEROS_LIKE', i32, i32, new Int32Array([-2, -1, 0, 3])) as Int32Array)).toEqual([0, 0, 0, 0]);
    const i64: Side = { dtype: 'int64', shape: [1, 2, 2, 1] };
    expect(Array.from(runUnary('ZEROS_LIKE', i64, i64, new BigInt64Array([-2n, -1n, 0n, 3n])) as BigInt64Array)).toEqual([0n, 0n, 0n, 0n]);
    const i16: Side = { dtype: 'int16', shape: [2] };
    expect(() => runUnary('ZEROS_LIKE', i16, i16, new Int16Array(2))).toThrow(/ZerosLike only currently supports/);
  });
});
