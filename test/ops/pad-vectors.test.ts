// PAD and PADV2 against every test of TFLM's pad_test.cc: float32, int8,
// int16 and int32, the constant of PADV2, and the two quantizations TFLM's
// Prepare refuses. TFLM builds its quantized tensors from the float figures
// with its Quantize helper and compares with EXPECT_EQ; so do these tests.

import { describe, expect, it } from 'vitest';
import { runOp, type TensorArg } from '../helpers/op-harness.js';
import { quantize } from '../helpers/tflm-test-quant.js';

const IN = [1, 2, 3, 4];
const IN_SHAPE = [1, 2, 2, 1];
const PADDINGS = [1, 1, 0, 0, 1, 1, 0, 0];
const OUT_SHAPE = [3, 2, 4, 1];
const GOLDEN = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const GOLDEN_42 = GOLDEN.map((v, i) => (v === 0 && ![9, 10, 13, 14].includes(i) ? 42 : v));

type Q = [number, number];
function pad(dtype: TensorArg['dtype'], x: number[], q?: Q, outQ = q, constant?: TensorArg, inShape = IN_SHAPE, paddings = PADDINGS, outShape = OUT_SHAPE) {
  return runOp({
    opcode: constant ? 'PADV2' : 'PAD',
    inputs: [{ dtype, shape: inShape, data: x, ...(q ? { q } : {}) }, { dtype: 'int32', shape: [4, 2], data: paddings, constant: true }, ...(constant ? [constant] : [])],
    outputs: [{ dtype, shape: outShape, ...(outQ ? { q: outQ } : {}) }],
  })[0]!;
}

describe('PAD (pad_test.cc)', () => {
  it('Test2DFloat, Test4DFloat', () => {
    expect(pad('float32', IN)).toEqual(GOLDEN);
    // Test4DFloat: one value padded by 1 on every side of every axis; the golden is 42 at the centre of 3x3x3x3.
    const golden = Array.from({ length: 81 }, (_, i) => (i === 40 ? 42 : 0));
    expect(pad('float32', [42], undefined, undefined, undefined, [1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1, 1], [3, 3, 3, 3])).toEqual(golden);
  });

  it('Test2DInt8, Test2DInt16, Test2DInt32', () => {
    for (const dtype of ['int8', 'int16', 'int32'] as const) expect(pad(dtype, quantize(IN, 1, 0, dtype), [1, 0])).toEqual(quantize(GOLDEN, 1, 0, dtype));
  });

  it('Test2DInt8ExpectFailureQuantizationRangeExcludesZero: refused', () => {
    expect(() => pad('int8', quantize(IN, 1, 0, 'int8'), [1, 0], [1, 129])).toThrow(/PAD\): output zero point 129 is outside int8/);
  });
});

describe('PADV2 (pad_test.cc)', () => {
  const constant = (dtype: TensorArg['dtype'], q?: Q): TensorArg => ({
    dtype,
    shape: [1],
    data: q ? quantize([42], q[0], q[1], dtype as 'int8') : [42],
    constant: true,
    ...(q ? { q } : {}),
  });

  it('Test2DFloatV2', () => {
    expect(pad('float32', IN, undefined, undefined, constant('float32'))).toEqual(GOLDEN_42);
  });

  it('Test2DInt8V2, Test2DInt16V2, Test2DInt32V2', () => {
    for (const dtype of ['int8', 'int16', 'int32'] as const) {
      expect(pad(dtype, quantize(IN, 1, 0, dtype), [1, 0], [1, 0], constant(dtype, [1, 0]))).toEqual(quantize(GOLDEN_42, 1, 0, dtype));
    }
  });

  it('Test2DInt8V2ExpectFailurePadValueQuantizationMismatch2: refused', () => {
    expect(() => pad('int8', quantize(IN, 1, 0, 'int8'), [1, 0], [1, 0], constant('int8', [0.5, 0]))).toThrow(/PADV2\): tensors 'in2' and 'out0' are quantized differently/);
  });
});

describe('PAD: runs built per row', () => {
  // Element by element, as TFLM's reference kernel walks the output: the input element, or the pad value outside it.
  function padByElement(x: number[], inShape: number[], paddings: number[], outShape: number[], value: number): number[] {
    const out: number[] = [];
    const idx = outShape.map(() => 0);
    const total = outShape.reduce((a, b) => a * b, 1);
    for (let o = 0; o < total; o++) {
      let src = 0;
      let inside = true;
      for (let d = 0; d < inShape.length; d++) {
        const i = idx[d]! - paddings[2 * d]!;
        if (i < 0 || i >= inShape[d]!) inside = false;
        src = src * inShape[d]! + i;
      }
      out.push(inside ? x[src]! : value);
      for (let d = outShape.length - 1; d >= 0; d--) {
        if (++idx[d]! < outShape[d]!) break;
        idx[d] = 0;
      }
    }
    return out;
  }

  it('equals the element-by-element pad on 60 random shapes (padding on some axes only, none at all, elements of 1, 2 and 4 bytes)', () => {
    let seed = 7;
    const r = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
    for (let t = 0; t < 60; t++) {
      const rank = 1 + r(4);
      const inShape = Array.from({ length: rank }, () => 1 + r(4));
      // Each axis padded with probability 1/2 (so trailing axes without padding are common), a few cases with none.
      const paddings = Array.from({ length: 2 * rank }, () => (t % 10 === 0 || r(2) === 0 ? 0 : r(3)));
      const outShape = inShape.map((n, d) => n + paddings[2 * d]! + paddings[2 * d + 1]!);
      const dtype = (['int8', 'int16', 'int32'] as const)[t % 3]!;
      const x = Array.from({ length: inShape.reduce((a, b) => a * b, 1) }, () => r(200) - 100);
      const got = runOp({
        opcode: 'PADV2',
        inputs: [
          { dtype, shape: inShape, data: x, q: [1, 0] },
          { dtype: 'int32', shape: [rank, 2], data: paddings, constant: true },
          { dtype, shape: [1], data: [-7], constant: true, q: [1, 0] },
        ],
        outputs: [{ dtype, shape: outShape, q: [1, 0] }],
      })[0]!;
      expect(got, `${dtype} ${inShape.join('x')} pad [${paddings.join(', ')}]`).toEqual(padByElement(x, inShape, paddings, outShape, -7));
    }
  });
});
