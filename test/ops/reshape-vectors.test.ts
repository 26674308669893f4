// RESHAPE against the tests of TFLM's reshape_test.cc: regular and stretched
// (-1) shapes for float32, int8, uint8 and int16, 9-D shapes, a scalar output,
// and the size mismatches TFLM's Prepare refuses. Not taken: the two cases
// that write -1 (or [0]) into the output tensor's own dims for TFLM's Prepare
// to rewrite ("TooManySpecialDimensions", "LegacyScalarOutput"); a model file's
// tensor shapes hold the resolved dims.

import { describe, expect, it } from 'vitest';
import type { DType } from '../../src/graph/types.js';
import { runOp, type TensorArg } from '../helpers/op-harness.js';

function reshape(dtype: DType, inShape: number[], x: number[], outShape: number[], shape?: number[]): number[] {
  const q = dtype === 'float32' ? {} : { q: [1, 0] as [number, number] };
  const inputs: TensorArg[] = [{ dtype, shape: inShape, data: x, ...q }];
  if (shape) inputs.push({ dtype: 'int32', shape: [shape.length], data: shape, constant: true });
  return runOp({ opcode: 'RESHAPE', inputs, outputs: [{ dtype, shape: outShape, ...q }] })[0]!;
}
const EIGHT = [1, 2, 3, 4, 5, 6, 7, 8];

describe('RESHAPE (reshape_test.cc)', () => {
  it('ReshapeWithRegularShapesShouldSucceed, ReshapeWithStretchDimensionShouldSucceed (float32, int8, uint8, int16)', () => {
    for (const dtype of ['float32', 'int8', 'uint8', 'int16'] as const) {
      expect(reshape(dtype, [1, 2, 4, 1], EIGHT, [2, 2, 2], [2, 2, 2])).toEqual(EIGHT);
      expect(reshape(dtype, [1, 2, 4, 1], EIGHT, [2, 1, 4], [2, 1, -1])).toEqual(EIGHT);
    }
  });

  it('ReshapeWithManyDimensionsShouldSucceed, ReshapeWithScalarOutputShouldSucceed', () => {
    expect(reshape('float32', [1, 2, 1, 1, 1, 1, 1, 1, 1], [3, 2], [1, 1, 1, 1, 1, 1, 1, 1, 2], [1, 1, 1, 1, 1, 1, 1, 1, 2])).toEqual([3, 2]);
    for (const dtype of ['float32', 'int8', 'uint8'] as const) expect(reshape(dtype, [1], [3], [], [])).toEqual([3]);
  });

  it('ReshapeWithMismatchedDimensionsShouldFail, ReshapeWithInvalidShapeShouldFail: refused', () => {
    expect(() => reshape('float32', [1, 2, 4, 1], EIGHT, [2, 1], [2, 1])).toThrow(/RESHAPE\): input and output sizes differ/);
    expect(() => reshape('float32', [1, 2, 2], [3, 0, 0, 0], [2, 1])).toThrow(/RESHAPE\): input and output sizes differ/);
  });
});
