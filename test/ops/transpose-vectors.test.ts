// TRANSPOSE against every test of TFLM's transpose_test.cc (vectors/
// transpose.json: shape, permutation and golden of each; the inputs are 0, 1,
// 2, ... as TFLM's helper fills them). Eight TFLM tests compute their golden
// with the reference transpose itself (RunTestPermutation); for those the
// golden here is the plain index permutation, written out below. TFLM compares
// with EXPECT_EQ; so do these tests.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DType } from '../../src/graph/types.js';
import { runOp } from '../helpers/op-harness.js';

interface Rec {
  name: string;
  dtype: DType;
  shape: number[];
  perm: number[];
  golden?: number[];
}
const V = JSON.parse(readFileSync(new URL('./vectors/transpose.json', import.meta.url), 'utf8')) as { tests: Rec[] };

/** out[i0..ik] = in[index with axis perm[d] at i_d]: the definition of a transpose. */
function permuted(shape: number[], perm: number[]): number[] {
  const outShape = perm.map((p) => shape[p]!);
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const n = shape.reduce((a, b) => a * b, 1);
  const out: number[] = [];
  for (let o = 0; o < n; o++) {
    let rest = o;
    let from = 0;
    for (let d = outShape.length - 1; d >= 0; d--) {
      const i = rest % outShape[d]!;
      rest = (rest - i) / outShape[d]!;
      from += i * strides[perm[d]!]!;
    }
    out.push(from);
  }
  return out;
}

describe('TRANSPOSE (transpose_test.cc)', () => {
  it('takes every TFLM test', () => expect(V.tests).toHaveLength(35));

  for (const r of V.tests) {
    it(r.name, () => {
      const n = r.shape.reduce((a, b) => a * b, 1);
      const got = runOp({
        opcode: 'TRANSPOSE',
        inputs: [
          { dtype: r.dtype, shape: r.shape, data: Array.from({ length: n }, (_, i) => i) },
          { dtype: 'int32', shape: [r.perm.length], data: r.perm, constant: true },
        ],
        outputs: [{ dtype: r.dtype, shape: r.perm.map((p) => r.shape[p]!) }],
      })[0]!;
      expect(got).toEqual(r.golden ?? permuted(r.shape, r.perm));
    });
  }

  it('the index permutation agrees with the goldens TFLM writes out', () => {
    for (const r of V.tests.filter((t) => t.golden)) expect(permuted(r.shape, r.perm), r.name).toEqual(r.golden);
  });
});

describe('TRANSPOSE that moves the last axis, from 2 KB in the SIMD module', () => {
  it('gives every element where the permutation puts it, for elements of 1, 2 and 4 bytes', () => {
    const cases: [DType, number[], number[]][] = [
      // Three planes of bytes (interleave3Bytes): a whole number of 16-pixel steps, and 3 pixels left over; four
      // planes (the element gather).
      ['int8', [1, 3, 40, 36], [0, 2, 3, 1]],
      ['int8', [1, 3, 29, 31], [0, 2, 3, 1]],
      ['int8', [1, 4, 30, 20], [0, 2, 3, 1]],
      ['int16', [1, 4, 24, 30], [0, 2, 3, 1]],
      ['float32', [3, 4, 5, 2, 7], [4, 0, 2, 1, 3]],
    ];
    for (const [dtype, shape, perm] of cases) {
      const n = shape.reduce((a, b) => a * b, 1);
      expect(n * (dtype === 'int8' ? 1 : dtype === 'int16' ? 2 : 4)).toBeGreaterThanOrEqual(2048);
      const data = Array.from({ length: n }, (_, i) => ((i * 7919) % 255) - 127);
      const got = runOp({
        opcode: 'TRANSPOSE',
        inputs: [
          { dtype, shape, data },
          { dtype: 'int32', shape: [perm.length], data: perm, constant: true },
        ],
        outputs: [{ dtype, shape: perm.map((p) => shape[p]!) }],
      })[0]!;
      expect(got, `${dtype} [${shape.join(', ')}] by [${perm.join(', ')}]`).toEqual(permuted(shape, perm).map((i) => data[i]!));
    }
  });
});
