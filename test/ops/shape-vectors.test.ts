// DEPTH_TO_SPACE, SPLIT, SPLIT_V and EXPAND_DIMS against every test of TFLM's
// depth_to_space_test.cc, split_test.cc, split_v_test.cc and
// expand_dims_test.cc (their figures in vectors/shape-ops.json, one record per
// TFLM test). Data movement: outputs are compared exactly, except the int8
// DEPTH_TO_SPACE cases, which TFLM quantizes from min/max and checks
// dequantized within two quantization steps, as these tests do.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DType } from '../../src/graph/types.js';
import { runOp, type TensorArg } from '../helpers/op-harness.js';
import { minMaxParams, nearEach, quantize } from '../helpers/tflm-test-quant.js';

interface Out {
  shape: number[];
  golden: number[];
}
interface Rec {
  name: string;
  dtype: DType;
  inputShape: number[];
  input: number[];
  outputShape: number[];
  golden: number[];
  blockSize: number;
  minMax?: [number, number];
  axis: number & number[];
  axisShape: number[];
  splits: number[];
  outputs: Out[];
}
const V = JSON.parse(readFileSync(new URL('./vectors/shape-ops.json', import.meta.url), 'utf8')) as Record<string, Rec[]>;
const f32 = (v: number[]) => Array.from(Float32Array.from(v));
const exact = (dtype: DType, v: number[]) => (dtype === 'float32' ? f32(v) : v);
const axisArg = (axis: number[], shape = [1]): TensorArg => ({ dtype: 'int32', shape, data: axis, constant: true });

describe('DEPTH_TO_SPACE (depth_to_space_test.cc)', () => {
  for (const r of V.DEPTH_TO_SPACE!) {
    it(r.name, () => {
      const q = r.minMax ? minMaxParams(r.minMax[0], r.minMax[1], 'int8') : undefined;
      const data = q ? quantize(r.input, q[0], q[1], 'int8') : r.input;
      const got = runOp({
        opcode: 'DEPTH_TO_SPACE',
        inputs: [{ dtype: r.dtype, shape: r.inputShape, data, ...(q ? { q } : {}) }],
        outputs: [{ dtype: r.dtype, shape: r.outputShape, ...(q ? { q } : {}) }],
        options: { type: 'DepthToSpaceOptions', value: { blockSize: r.blockSize } },
      })[0]!;
      if (!q) return expect(got).toEqual(f32(r.golden));
      const step = Math.fround((2 * (r.minMax![1] - r.minMax![0])) / 255);
      expect(nearEach(got.map((v) => Math.fround(q[0] * (v - q[1]))), r.golden, step)).toBeNull();
    });
  }
});

describe('SPLIT (split_test.cc)', () => {
  for (const r of V.SPLIT!) {
    it(r.name, () => {
      // TFLM's int8 case gives its tensors scale 0 and zero point 10; SPLIT moves bytes whatever they are.
      const q = r.dtype === 'int8' ? { q: [0, 10] as [number, number] } : {};
      const got = runOp({
        opcode: 'SPLIT',
        inputs: [axisArg([r.axis]), { dtype: r.dtype, shape: r.inputShape, data: r.input, ...q }],
        outputs: r.outputs.map((o) => ({ dtype: r.dtype, shape: o.shape, ...q })),
        options: { type: 'SplitOptions', value: { numSplits: r.outputs.length } },
      });
      expect(got).toEqual(r.outputs.map((o) => exact(r.dtype, o.golden)));
    });
  }
});

describe('SPLIT_V (split_v_test.cc)', () => {
  for (const r of V.SPLIT_V!) {
    it(r.name, () => {
      const got = runOp({
        opcode: 'SPLIT_V',
        inputs: [{ dtype: r.dtype, shape: r.inputShape, data: r.input }, { dtype: 'int32', shape: [r.splits.length], data: r.splits, constant: true }, axisArg([r.axis])],
        outputs: r.outputs.map((o) => ({ dtype: r.dtype, shape: o.shape })),
        options: { type: 'SplitVOptions', value: { numSplits: r.outputs.length } },
      });
      expect(got).toEqual(r.outputs.map((o) => exact(r.dtype, o.golden)));
    });
  }
});

describe('EXPAND_DIMS (expand_dims_test.cc)', () => {
  for (const r of V.EXPAND_DIMS!) {
    it(r.name, () => {
      const run = () =>
        runOp({
          opcode: 'EXPAND_DIMS',
          inputs: [{ dtype: r.dtype, shape: r.inputShape, data: r.input }, axisArg(r.axis, r.axisShape)],
          outputs: [{ dtype: r.dtype, shape: r.outputShape }],
        })[0]!;
      // TFLM's two failing cases: an output shape that does not match the axis, an axis past the rank.
      if (!r.golden) return expect(run).toThrow(r.name.includes('Mismatch') ? /EXPAND_DIMS\): output shape \[1, 3, 1, 2\]/ : /EXPAND_DIMS\): axis_value <= input_shape/);
      expect(run()).toEqual(exact(r.dtype, r.golden));
    });
  }
});
