// STRIDED_SLICE against every test of TFLM's strided_slice_test.cc (its
// figures in vectors/strided-slice.json, one record per TFLM test: shapes,
// begin/end/strides, the mask options, the golden, and whether TFLM expects
// Prepare to fail or checks no output). TFLM feeds its quantized cases with
// scale 1 and zero point max + min / 2 on input and output, and compares every
// output within 1e-5: exactly, here. Where TFLM's test gives more input values
// than its shape holds, the tensor takes the first ones, as TFLM reads them;
// where it gives fewer (its rank-5 refusal case), the rest are 0.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DType } from '../../src/graph/types.js';
import { runOp } from '../helpers/op-harness.js';

interface Record_ {
  name: string;
  dtype: DType;
  inputShape: number[];
  input: (number | boolean)[];
  beginShape: number[];
  begin: number[];
  end: number[];
  strides: number[];
  outputShape: number[];
  options: Record<string, number | boolean>;
  prepareError: boolean;
  invokes: number;
  noGolden: boolean;
  golden?: (number | boolean)[];
}

const V = JSON.parse(readFileSync(new URL('./vectors/strided-slice.json', import.meta.url), 'utf8')) as { tests: Record_[] };
const count = (shape: number[]) => shape.reduce((n, d) => n * d, 1);
/** TestStridedSliceQuantized's zero point: max + min / 2 of the type. */
const ZERO_POINT: Partial<Record<DType, number>> = { int8: 63, int16: 16383, int32: 1073741823 };

function run(r: Record_): number[] {
  const n = count(r.inputShape);
  const data = Array.from({ length: n }, (_, i) => r.input[i] ?? 0);
  const zp = ZERO_POINT[r.dtype];
  const q = zp === undefined ? {} : { q: [1, zp] as [number, number] };
  const index = (values: number[]) => ({ dtype: 'int32' as const, shape: r.beginShape, data: Array.from({ length: count(r.beginShape) }, (_, i) => values[i] ?? 0), constant: true });
  return runOp({
    opcode: 'STRIDED_SLICE',
    inputs: [{ dtype: r.dtype, shape: r.inputShape, data, ...q }, index(r.begin), index(r.end), index(r.strides)],
    outputs: [{ dtype: r.dtype, shape: r.outputShape, ...q }],
    options: { type: 'StridedSliceOptions', value: r.options },
  })[0]!;
}

describe('STRIDED_SLICE (strided_slice_test.cc)', () => {
  it('takes every TFLM test', () => expect(V.tests).toHaveLength(54));

  for (const r of V.tests) {
    it(r.name, () => {
      if (r.prepareError) {
        expect(() => run(r)).toThrow(/STRIDED_SLICE\): input dim should not exceed 4/);
        return;
      }
      const got = run(r);
      // TFLM's no-golden cases check only that Invoke succeeds (a scalar output of a slice that reads nothing).
      if (r.noGolden) return expect(got).toHaveLength(count(r.outputShape));
      const want = (r.golden ?? []).slice(0, count(r.outputShape)).map(Number);
      expect(got).toEqual(r.dtype === 'float32' ? Array.from(Float32Array.from(want)) : want);
    });
  }
});
