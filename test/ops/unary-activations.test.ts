// ELU, LEAKY_RELU, PRELU, TANH, LOG_SOFTMAX, L2_NORMALIZATION and int16
// LOGISTIC on the vectors of TFLM's kernel tests (elu_test.cc,
// leaky_relu_test.cc, prelu_test.cc, tanh_test.cc, log_softmax_test.cc,
// l2norm_test.cc, logistic_test.cc), with TFLM's tolerances, and the refusals
// of TFLM's Prepare.

import { describe, expect, it } from 'vitest';
import { dequantize, q, quantize, runUnary, type Side, type Typed } from '../helpers/single-op.js';
import { LOGISTIC16_IN, LOGISTIC16_OUT, TANH16_IN, TANH16_OUT, TANH_IN, TANH_OUT } from '../helpers/tflm-sigmoid-vectors.js';

const fr = Math.fround;
const f = (shape: number[]): Side => ({ dtype: 'float32', shape });
const within = (got: ArrayLike<number>, want: readonly number[], tol: number) => {
  expect(got.length).toBe(want.length);
  Array.from(got).forEach((g, i) => expect(Math.abs(g - want[i]!), `element ${i}: ${g} vs ${want[i]}`).toBeLessThanOrEqual(tol));
};
const QTOL = 2 / 256;

/** Quantizes `input`, runs op, returns the raw output and its dequantized values. */
function quantized(op: string, dtype: 'int8' | 'int16', shape: number[], input: readonly number[], inQ: [number, number], outQ: [number, number], extra: Parameters<typeof runUnary>[4] = {}) {
  const data = quantize(input, inQ[0], inQ[1], dtype);
  const arr: Typed = dtype === 'int8' ? new Int8Array(data) : new Int16Array(data);
  const out = runUnary(op, { dtype, shape, quantization: q(...inQ) }, { dtype, shape, quantization: q(...outQ) }, arr, extra) as Int8Array | Int16Array;
  return { raw: Array.from(out), real: dequantize(out, outQ[0], outQ[1]) };
}

describe('ELU', () => {
  it('float (TFLM vector)', () => {
    const out = runUnary('ELU', f([1, 2, 4, 1]), f([1, 2, 4, 1]), new Float32Array([0, -6, 2, -4, 3, -2, 10, -0.1]));
    within(out as Float32Array, [0, -0.997521, 2, -0.981684, 3, -0.864665, 10, -0.0951626], 1e-5);
  });

  it('int8 through the lookup table (TFLM vector)', () => {
    // ScaleFromMinMax(-8, 8 * 127/128) = 1/16, zero point 0.
    const { real } = quantized('ELU', 'int8', [1, 2, 4, 1], [0, -6, 2, -4, 3, -2, 6, -0.1], [1 / 16, 0], [1 / 16, 0]);
    within(real, [0, -1, 2, -1, 3, -0.875, 6, -0.125], QTOL);
  });

  it('refuses int16 as TFLM does', () => {
    const t: Side = { dtype: 'int16', shape: [2], quantization: q(0.1) };
    expect(() => runUnary('ELU', t, t, new Int16Array(2))).toThrow(/INT16 \(7\) is not supported/);
  });
});

describe('LEAKY_RELU', () => {
  const opts = (alpha: number) => ({ options: { type: 'LeakyReluOptions', value: { alpha } } });
  const input = [0, 1, 3, 1, -1, -2];
  const expected = [0, 1, 3, 1, -0.5, -1];

  it('float, int8, int16 with alpha 0.5 (TFLM vectors)', () => {
    within(runUnary('LEAKY_RELU', f([2, 3]), f([2, 3]), new Float32Array(input), opts(0.5)) as Float32Array, expected, 0);
    within(quantized('LEAKY_RELU', 'int8', [2, 3], input, [0.1, 0], [0.1, 0], opts(0.5)).real, expected, QTOL);
    within(quantized('LEAKY_RELU', 'int16', [2, 3], input, [0.01, 0], [0.01, 0], opts(0.5)).real, expected, QTOL);
  });

  it('int8 with alpha 0.1 over 5x5 (TFLM vector)', () => {
    const x = [-5, -4, -3, -2, -1, -0.5, -0.25, -0.125, 0, 0.125, 0.25, 0.5, 1, 2, 3, 4, 5, 5, 5, 5, 5, 5, 5, 5, 5];
    // ScaleFromMinMax(-5, 5 * 127/128) and its zero point, as TFLM's test derives them.
    const scale = fr((5 * (127 / 128) + 5) / 255);
    const zp = -128 + Math.trunc(5 / scale + 0.5);
    const want = x.map((v) => (v > 0 ? v : v * 0.1));
    within(quantized('LEAKY_RELU', 'int8', [5, 5], x, [scale, zp], [scale, zp], opts(0.1)).real, want, QTOL * 5);
  });
});

describe('PRELU', () => {
  const input = [0, 0, 0, 1, 1, 1, -1, -1, -1, -2, -2, -2];

  it('float with a per-channel alpha (TFLM vector)', () => {
    const alpha = { side: f([1, 1, 3]), data: new Float32Array([0, 1, 2]) };
    const out = runUnary('PRELU', f([2, 2, 3]), f([2, 2, 3]), new Float32Array(input), { constants: [alpha] });
    within(out as Float32Array, [0, 0, 0, 1, 1, 1, 0, -1, -2, 0, -2, -4], 0);
  });

  const qIn = [0, 0, 0, 0.5, 0.5, 0.5, -1, -1, -1, -0.25, -0.25, -0.25];
  const qGolden = [0, 0, 0, 0.5, 0.5, 0.5, 0, -0.5, 0.5, 0, -0.125, 0.125];
  const alphaQ = (scale: number) => ({ side: { dtype: 'int8' as const, shape: [1, 1, 3], quantization: q(scale) }, data: new Int8Array(quantize([0, 0.5, -0.5], scale, 0, 'int8')) });

  it('int8 (TFLM vector)', () => {
    const s = fr(2 / 255);
    within(quantized('PRELU', 'int8', [2, 2, 3], qIn, [s, 0], [s, 0], { constants: [alphaQ(s)] }).real, qGolden, QTOL);
  });

  it('int16 input with an int8 alpha (TFLM vector), and refuses an int16 alpha', () => {
    const s = fr(2 / 65535);
    within(quantized('PRELU', 'int16', [2, 2, 3], qIn, [s, 0], [s, 0], { constants: [alphaQ(fr(2 / 255))] }).real, qGolden, QTOL);
    const alpha16 = { side: { dtype: 'int16' as const, shape: [1, 1, 3], quantization: q(s) }, data: new Int16Array(3) };
    expect(() => quantized('PRELU', 'int16', [2, 2, 3], qIn, [s, 0], [s, 0], { constants: [alpha16] })).toThrow(/alpha int8/);
  });
});

describe('TANH', () => {
  it('float (TFLM vector)', () => {
    within(runUnary('TANH', f([1, 89]), f([1, 89]), new Float32Array(TANH_IN)) as Float32Array, TANH_OUT, 1e-5);
  });

  it('int8 within 2 steps (TFLM vector)', () => {
    const outScale = fr(1.99999955 / 256);
    const { raw } = quantized('TANH', 'int8', [1, 89], TANH_IN, [fr(16 / 256), 0], [outScale, 0]);
    within(raw, quantize(TANH_OUT, outScale, 0, 'int8'), 2);
  });

  it('int16 within 16 steps (TFLM vector), and refuses a non-2^-15 output scale', () => {
    const { raw } = quantized('TANH', 'int16', [1, 177], TANH16_IN, [fr(32 / 65536), 0], [fr(2 / 65536), 0]);
    within(raw, quantize(TANH16_OUT, fr(2 / 65536), 0, 'int16'), 16);
    expect(() => quantized('TANH', 'int16', [1, 4], [0, 0, 0, 0], [fr(32 / 65536), 0], [fr(3 / 65536), 0])).toThrow(/power of two/);
    expect(() => quantized('TANH', 'int16', [1, 4], [0, 0, 0, 0], [fr(32 / 65536), 1], [fr(2 / 65536), 0])).toThrow(/zero points of 0/);
  });
});

describe('LOGISTIC int16', () => {
  it('matches TFLM golden within 16 steps', () => {
    const { raw } = quantized('LOGISTIC', 'int16', [1, 177], LOGISTIC16_IN, [fr(32 / 65536), 0], [fr(2 / 65536), 0]);
    within(raw, quantize(LOGISTIC16_OUT, fr(2 / 65536), 0, 'int16'), 16);
  });
});

describe('LOG_SOFTMAX', () => {
  const input = [0, -6, 2, 4, 3, -2, 10, 1];
  const expected = [-4.14297, -10.14297, -2.14297, -0.142971, -7.00104, -12.00104, -0.00104087, -9.00104];

  it('float over two shapes and the simple test (TFLM vectors)', () => {
    within(runUnary('LOG_SOFTMAX', f([2, 4]), f([2, 4]), new Float32Array(input)) as Float32Array, expected, 1e-5);
    const expected2 = [-0.00247565, -6.00247, -2.12692, -0.126928, -0.00671534, -5.00671, -0.000123374, -9.00012];
    within(runUnary('LOG_SOFTMAX', f([4, 2]), f([4, 2]), new Float32Array(input)) as Float32Array, expected2, 1e-5);
    const simple = [1, 2, 3, 4, 5, -1, -2, -3, -4, -5];
    const want = [-4.45191431, -3.45191431, -2.45191431, -1.45191443, -0.4519144, -0.4519144, -1.45191443, -2.45191431, -3.45191431, -4.45191431];
    within(runUnary('LOG_SOFTMAX', f([2, 5]), f([2, 5]), new Float32Array(simple)) as Float32Array, want, 1e-6);
  });

  it('int8 gives TFLM quantized golden exactly', () => {
    // ScaleFromMinMax(-10, 10) = 20/255 and zero point -128 + roundf(10 / scale) = -1; the output is fixed at 16/256, 127.
    const { raw, real } = quantized('LOG_SOFTMAX', 'int8', [2, 4], input, [fr(20 / 255), -1], [16 / 256, 127]);
    expect(raw).toEqual([61, -36, 93, 125, 15, -65, 127, -16]);
    within(real, expected, 0.06355);
    expect(quantized('LOG_SOFTMAX', 'int8', [3, 1], [0, -1, 1], [fr(20 / 255), -1], [16 / 256, 127]).raw).toEqual([127, 127, 127]);
  });

  it('refuses another int8 output quantization and int16', () => {
    expect(() => quantized('LOG_SOFTMAX', 'int8', [2, 4], input, [fr(20 / 255), 0], [16 / 256, 0])).toThrow(/zero point/);
    expect(() => quantized('LOG_SOFTMAX', 'int16', [2, 4], input, [0.01, 0], [0.01, 0])).toThrow(/only supports float32, int8, got INT16/);
  });
});

describe('L2_NORMALIZATION', () => {
  const opts = (act = 0) => ({ options: { type: 'L2NormOptions', value: { fusedActivationFunction: act } } });
  const x = [-1.1, 0.6, 0.7, 1.2, -0.7, 0.1];
  const want = [-0.55, 0.3, 0.35, 0.6, -0.35, 0.05];

  it('float: simple, zeros, three batches (TFLM vectors)', () => {
    within(runUnary('L2_NORMALIZATION', f([1, 1, 1, 6]), f([1, 1, 1, 6]), new Float32Array(x), opts()) as Float32Array, want, 1e-5);
    within(runUnary('L2_NORMALIZATION', f([1, 1, 1, 6]), f([1, 1, 1, 6]), new Float32Array(6), opts()) as Float32Array, [0, 0, 0, 0, 0, 0], 0);
    within(runUnary('L2_NORMALIZATION', f([3, 1, 1, 6]), f([3, 1, 1, 6]), new Float32Array([...x, ...x, ...x]), opts()) as Float32Array, [...want, ...want, ...want], 1e-5);
  });

  it('int8: simple, zeros, three batches, exactly (TFLM vectors)', () => {
    const i8 = (shape: number[], data: number[]) => {
      // The test's input quantization: ScaleFromMinMax(-2, 2) = 4/255, zero point -128 + roundf(2 / scale) = -1.
      const side: Side = { dtype: 'int8', shape, quantization: q(fr(4 / 255), -1) };
      return Array.from(runUnary('L2_NORMALIZATION', side, side, new Int8Array(data), opts()) as Int8Array);
    };
    const xi = [-71, 37, 44, 76, -46, 5];
    const wi = [-70, 38, 45, 77, -45, 6];
    expect(i8([1, 1, 1, 6], xi)).toEqual(wi);
    expect(i8([1, 1, 1, 6], [-1, -1, -1, -1, -1, -1])).toEqual([0, 0, 0, 0, 0, 0]);
    expect(i8([3, 6], [...xi, ...xi, ...xi])).toEqual([...wi, ...wi, ...wi]);
  });

  it('refuses a fused activation and int16', () => {
    expect(() => runUnary('L2_NORMALIZATION', f([1, 6]), f([1, 6]), new Float32Array(6), opts(1))).toThrow(/activation must be NONE/);
    const t: Side = { dtype: 'int16', shape: [1, 6], quantization: q(0.01) };
    expect(() => runUnary('L2_NORMALIZATION', t, t, new Int16Array(6), opts())).toThrow(/not float32 or int8/);
  });
});
