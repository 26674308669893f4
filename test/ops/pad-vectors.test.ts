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
