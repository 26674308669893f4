// RELU and RELU6 against the vectors of TFLM's activations_test.cc (float32,
// int8, int16; TFLM compares the quantized outputs with EXPECT_EQ, so do these
// tests), and HARD_SWISH against hard_swish_test.cc, whose inputs TFLM draws
// from std::minstd_rand with its default seed: the same generator here gives
// the same float32 inputs, and the checks are TFLM's (float within 1e-5 of its
// reference formula; int8 dequantized within max range x 1.5 / 256), and
// LOGISTIC's float32 and int8 cases of logistic_test.cc.

import { describe, expect, it } from 'vitest';
import { runOp } from '../helpers/op-harness.js';
import { minMaxParams, nearEach, quantize } from '../helpers/tflm-test-quant.js';

const fr = Math.fround;

function unary(opcode: string, dtype: 'float32' | 'int8' | 'int16', shape: number[], x: number[], q?: [number, number], outQ = q): number[] {
  return runOp({ opcode, inputs: [{ dtype, shape, data: x, ...(q ? { q } : {}) }], outputs: [{ dtype, shape, ...(outQ ? { q: outQ } : {}) }] })[0]!;
}

/** Quantizes input and golden with TFLM's helper and runs `opcode` on the quantized input. */
function quantizedCase(opcode: string, dtype: 'int8' | 'int16', shape: number[], x: number[], golden: number[], q: [number, number]) {
  expect(unary(opcode, dtype, shape, quantize(x, q[0], q[1], dtype), q)).toEqual(quantize(golden, q[0], q[1], dtype));
}

describe('RELU (activations_test.cc)', () => {
  it('SimpleReluTestFloat, SimpleReluTestInt8, SimpleReluTestInt16', () => {
    const x = [1, 2, 3, 4, 5, -1, -2, -3, -4, -5];
    const golden = [1, 2, 3, 4, 5, 0, 0, 0, 0, 0];
    expect(unary('RELU', 'float32', [1, 5 * 2], x)).toEqual(golden);
    quantizedCase('RELU', 'int8', [1, 5 * 2], x, golden, [0.5, 0]);
    quantizedCase('RELU', 'int16', [2, 5], [256, 257, 258, 259, 260, -256, -257, -258, -259, -260], [256, 257, 258, 259, 260, 0, 0, 0, 0, 0], [0.5, 0]);
  });
});

describe('RELU6 (activations_test.cc)', () => {
  it('SimpleRelu6TestFloat, SimpleRelu6TestInt8 (zero point 127), SimpleRelu6TestInt16', () => {
    expect(unary('RELU6', 'float32', [1, 10], [4, 5, 6, 7, 8, -4, -5, -6, -7, -8])).toEqual([4, 5, 6, 6, 6, 0, 0, 0, 0, 0]);
    const x = [4, 5, 6, 7, 8, -1, -2, -3, -4, -5];
    const golden = [4, 5, 6, 6, 6, 0, 0, 0, 0, 0];
    quantizedCase('RELU6', 'int8', [1, 10], x, golden, [0.5, 127]);
    quantizedCase('RELU6', 'int16', [1, 10], x, golden, [0.5, 0]);
  });
});

/** std::minstd_rand (default seed 1) scaled to [min, max] as hard_swish_test.cc's GenerateUniformRandomVector does, in float32. */
function minstdUniform(state: { s: number }, n: number, min: number, max: number): number[] {
  const inv = fr(1 / 2147483647);
  return Array.from({ length: n }, () => {
    state.s = Number((BigInt(state.s) * 48271n) % 2147483647n);
    return fr(fr(min) + fr(fr(fr(max) - fr(min)) * fr(fr(state.s) * inv)));
  });
}

/** EvalTestReferenceHardSwish: in * min(6, max(0, in + 3)) * (1 / 6), in float32. */
const referenceHardSwish = (x: number): number => fr(fr(x * Math.min(6, Math.max(0, fr(x + 3)))) * fr(1 / 6));

describe('HARD_SWISH (hard_swish_test.cc)', () => {
  it('SimpleHardSwishTestFloat (100 inputs in [-10, 10]; TFLM checks within 1e-5)', () => {
    const x = minstdUniform({ s: 1 }, 100, -10, 10);
    expect(nearEach(unary('HARD_SWISH', 'float32', [100], x), x.map(referenceHardSwish), 1e-5)).toBeNull();
  });

  it('SimpleHardSwishTestInt8 (4 ranges, 101 inputs each; TFLM checks the dequantized output within its tolerance)', () => {
    const state = { s: 1 };
    const ranges: [[number, number], [number, number]][] = [
      [[-0.375, 1], [-0.375, 1]],
      [[-2, 1], [-0.375, 1]],
      [[-5, 10], [-0.375, 10]],
      [[-40, 60], [-0.375, 60]],
    ];
    for (const [[inMin, inMax], [outMin, outMax]] of ranges) {
      const inQ = minMaxParams(inMin, inMax, 'int8');
      const outQ = minMaxParams(outMin, outMax, 'int8');
      const tolerance = fr(Math.max(fr(inMax - inMin), fr(outMax - outMin)) * fr(1.5 / 256));
      const x = minstdUniform(state, 101, inMin, inMax);
      const want = x.map((v) => Math.min(outMax, Math.max(outMin, referenceHardSwish(v))));
      const got = unary('HARD_SWISH', 'int8', [1, 101], quantize(x, inQ[0], inQ[1], 'int8'), inQ, outQ);
      const dequantized = got.map((v) => fr(fr(v - outQ[1]) * fr(outQ[0])));
      expect(nearEach(dequantized, want, tolerance), `input [${inMin}, ${inMax}]`).toBeNull();
    }
  });
});

describe('LOGISTIC (logistic_test.cc, float32 and int8; the int16 case is in unary-activations.test.ts)', () => {
  const golden = [0.73105858, 0.88079708, 0.95257413, 0.98201379, 0.99330715, 0.26894142, 0.11920292, 0.04742587, 0.01798621, 0.00669285];
  const wideIn = [1, 2, 3, 4, 93, -1, -2, -3, -4, -93];
  const wideGolden = [0.73105858, 0.88079708, 0.95257413, 0.98201379, 1, 0.26894142, 0.11920292, 0.04742587, 0.01798621, 0];
  const OUT_Q: [number, number] = [1 / 255, -128];

  it('LogisticFloatBasicShouldMatchGolden, LogisticFloatWideRangeShouldMatchGolden (TFLM checks within 1e-5)', () => {
    expect(nearEach(unary('LOGISTIC', 'float32', [2, 5], [1, 2, 3, 4, 5, -1, -2, -3, -4, -5]), golden, 1e-5)).toBeNull();
    expect(nearEach(unary('LOGISTIC', 'float32', [1, 10], wideIn), wideGolden, 1e-5)).toBeNull();
  });

  it('LogisticQuantizedInt8BasicShouldMatchGolden, LogisticQuantizedInt8WideRangeShouldMatchGolden (TFLM checks within 1)', () => {
    const basic = unary('LOGISTIC', 'int8', [2, 5], quantize([1, 2, 3, 4, 5, -1, -2, -3, -4, -5], 0.1, 0, 'int8'), [0.1, 0], OUT_Q);
    expect(nearEach(basic, quantize(golden, OUT_Q[0], OUT_Q[1], 'int8'), 1)).toBeNull();
    const wide = unary('LOGISTIC', 'int8', [1, 10], quantize(wideIn, 1, 0, 'int8'), [1, 0], OUT_Q);
    expect(nearEach(wide, quantize(wideGolden, OUT_Q[0], OUT_Q[1], 'int8'), 1)).toBeNull();
  });
});
