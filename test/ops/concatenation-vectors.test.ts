// CONCATENATION against the tests of TFLM's concatenation_test.cc (the
// USE_TFLM_COMPRESSION ones aside): bool, float32 over every axis (negative
// ones too) up to 5-D, inputs of different shapes, int8 and int16. TFLM checks
// with EXPECT_EQ or within 1e-5 on values that are exact; so do these tests.

import { describe, expect, it } from 'vitest';
import type { DType } from '../../src/graph/types.js';
import { runOp } from '../helpers/op-harness.js';

type Part = [number[], (number | boolean)[]];
function concat(dtype: DType, parts: Part[], axis: number, outShape: number[], q?: [number, number]): number[] {
  return runOp({
    opcode: 'CONCATENATION',
    inputs: parts.map(([shape, data]) => ({ dtype, shape, data, ...(q ? { q } : {}) })),
    outputs: [{ dtype, shape: outShape, ...(q ? { q } : {}) }],
    options: { type: 'ConcatenationOptions', value: { axis } },
  })[0]!;
}
const T = true;
const F = false;
const iota = (n: number, from = 1) => Array.from({ length: n }, (_, i) => i + from);

describe('CONCATENATION (concatenation_test.cc)', () => {
  it('BoolTypeOneInput, BoolTypeTwoInputs', () => {
    expect(concat('bool', [[[2, 1, 2], [T, F, F, T]]], 1, [2, 1, 2])).toEqual([1, 0, 0, 1]);
    const two = concat('bool', [[[2, 1, 2], [F, F, F, F]], [[2, 3, 2], new Array<boolean>(12).fill(T)]], 1, [2, 4, 2]);
    expect(two).toEqual([F, F, T, T, T, T, T, T, F, F, T, T, T, T, T, T].map(Number));
  });

  it('TwoInputsAllAxesCombinations (axes 0, -2, 1, -1)', () => {
    const parts: Part[] = [
      [[2, 3], iota(6)],
      [[2, 3], iota(6, 7)],
    ];
    for (const axis of [0, -2]) expect(concat('float32', parts, axis, [4, 3])).toEqual(iota(12));
    for (const axis of [1, -1]) expect(concat('float32', parts, axis, [2, 6])).toEqual([1, 2, 3, 7, 8, 9, 4, 5, 6, 10, 11, 12]);
  });

  it('TwoInputsQuantizedInt8, TwoInputsQuantizedInt16', () => {
    for (const dtype of ['int8', 'int16'] as const) {
      expect(concat(dtype, [[[2, 1, 2], [1, 2, 3, 4]], [[2, 1, 2], [5, 6, 7, 8]]], 2, [2, 1, 4], [0.1, 0])).toEqual([1, 2, 5, 6, 3, 4, 7, 8]);
    }
  });

  it('ThreeDimensionalTwoInputsDifferentShapes', () => {
    const got = concat('float32', [[[2, 1, 2], [1, 3, 4, 7]], [[2, 3, 2], iota(12)]], 1, [2, 4, 2]);
    expect(got).toEqual([1, 3, 1, 2, 3, 4, 5, 6, 4, 7, 7, 8, 9, 10, 11, 12]);
  });

  it('TwoInputsFiveDimensionsAllAxesCombinations (axes 0, 4, -2), TwoInputsQuantizedInt8FiveDimensions', () => {
    const shape = [2, 1, 2, 1, 3];
    const parts: Part[] = [
      [shape, iota(12)],
      [shape, iota(12, 13)],
    ];
    expect(concat('float32', parts, 0, [4, 1, 2, 1, 3])).toEqual(iota(24));
    const interleaved = [1, 2, 3, 13, 14, 15, 4, 5, 6, 16, 17, 18, 7, 8, 9, 19, 20, 21, 10, 11, 12, 22, 23, 24];
    expect(concat('float32', parts, 4, [2, 1, 2, 1, 6])).toEqual(interleaved);
    expect(concat('float32', parts, -2, [2, 1, 2, 2, 3])).toEqual(interleaved);
    const int8 = concat('int8', parts, 2, [2, 1, 4, 1, 3], [0.1, 0]);
    expect(int8).toEqual([1, 2, 3, 4, 5, 6, 13, 14, 15, 16, 17, 18, 7, 8, 9, 10, 11, 12, 19, 20, 21, 22, 23, 24]);
  });
});

describe("CONCATENATION's input limit (concatenation.cc's kMaxInputNum)", () => {
  it('takes 10 inputs and refuses 11 in Prepare, as TFLM does', () => {
    const parts = (n: number): Part[] => Array.from({ length: n }, (_, i) => [[1, 2], [i, -i]]);
    expect(concat('float32', parts(10), 0, [10, 2])).toEqual(iota(10, 0).flatMap((i) => [i, -i]));
    expect(() => concat('float32', parts(11), 0, [11, 2])).toThrow(/num_inputs <= kMaxInputNum was not true: 11 inputs/);
  });
});

describe('CONCATENATION and SPLIT_V on channels of int8 pixels', () => {
  it('moves whole words where every chunk is a multiple of 4 bytes (short and long chunks), bytes otherwise; from 2 KB of short chunks, in the SIMD module', () => {
    const cases: [number[], number][] = [
      [[8, 8], 1],
      [[4, 72, 12], 3],
      [[3, 5], 2],
      [[8, 6], 1],
      // 2 KB and more, chunks of 64 bytes or fewer on average: the module (16-byte, 8, 4 and single-byte steps).
      [[8, 8], 200],
      [[4, 72, 12], 30],
      [[3, 5], 300],
      [[16, 33, 1], 50],
    ];
    for (const [channels, pixels] of cases) {
      let v = 0;
      const parts: Part[] = channels.map((c) => [[1, pixels, 1, c], Array.from({ length: pixels * c }, () => ((v++ * 37) % 256) - 128)]);
      const total = channels.reduce((a, b) => a + b, 0);
      const want: number[] = [];
      for (let p = 0; p < pixels; p++) for (const [[, , , c], data] of parts) want.push(...(data as number[]).slice(p * c!, (p + 1) * c!));
      expect(concat('int8', parts, 3, [1, pixels, 1, total], [0.5, 0]), channels.join('+')).toEqual(want);
      // SPLIT_V takes the concatenation apart the same way, by words or by bytes.
      const split = runOp({
        opcode: 'SPLIT_V',
        inputs: [
          { dtype: 'int8', shape: [1, pixels, 1, total], data: want, q: [0.5, 0] },
          { dtype: 'int32', shape: [channels.length], data: channels, constant: true },
          { dtype: 'int32', shape: [], data: [3], constant: true },
        ],
        outputs: channels.map((c) => ({ dtype: 'int8' as const, shape: [1, pixels, 1, c], q: [0.5, 0] as [number, number] })),
        options: { type: 'SplitVOptions', value: { numSplits: channels.length } },
      });
      expect(split, `split ${channels.join('+')}`).toEqual(parts.map(([, data]) => data));
    }
  });
});
