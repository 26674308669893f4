// QUANTIZE and DEQUANTIZE against the vectors of TFLM's quantize_test.cc and
// dequantize_test.cc: float32 to int8/int16, every requantization pair TFLM's
// test runs (int8, uint8, int16, int32 in; int8, uint8, int16, int32 out), and
// int8, int16, uint8 back to float32. TFLM compares the quantized outputs
// with EXPECT_EQ, so do these tests; its dequantized floats are checked within
// 0.001 there, and come out exact here (every value is a multiple of the scale).

import { describe, expect, it } from 'vitest';
import { runOp } from '../helpers/op-harness.js';
import { quantize, type QuantType } from '../helpers/tflm-test-quant.js';

const SHAPE = [2, 5];
const HALVES = [-63.5, -63, -62.5, -62, -61.5, 62, 62.5, 63, 63.5, 64];
const BY_TWO = [-64, -62, -60, -58, -56, 54, 56, 58, 60, 62];
const ONES = [-32, -31, -30, -29, -28, 27, 28, 29, 30, 31];

const quantizeOp = (inputs: Parameters<typeof runOp>[0]['inputs'], out: { dtype: QuantType; q: [number, number] }) =>
  runOp({ opcode: 'QUANTIZE', inputs, outputs: [{ dtype: out.dtype, shape: SHAPE, q: out.q }] })[0]!;

/** TestRequantize: the values quantized at the input's parameters, the golden at the output's. */
interface Requantize {
  name: string;
  values: number[];
  from: QuantType;
  inQ: [number, number];
  to: QuantType;
  outQ: [number, number];
}
const REQUANTIZE: Requantize[] = [
  { name: 'QuantizeOpTestInt16toInt16', values: BY_TWO, from: 'int16', inQ: [2, 0], to: 'int16', outQ: [0.5, 32] },
  { name: 'QuantizeOpTestInt16toInt16NoZeroPoint', values: ONES, from: 'int16', inQ: [1, 0], to: 'int16', outQ: [0.5, 0] },
  { name: 'QuantizeOpTestInt8toInt8', values: BY_TWO, from: 'int8', inQ: [2, 0], to: 'int8', outQ: [0.5, 32] },
  { name: 'QuantizeOpTestInt8toInt8NoZeroPoint', values: ONES, from: 'int8', inQ: [1, 0], to: 'int8', outQ: [0.5, 0] },
  { name: 'QuantizeOpTestInt8toInt16', values: BY_TWO, from: 'int8', inQ: [2, 0], to: 'int16', outQ: [0.5, 32] },
  { name: 'QuantizeOpTestInt32toInt16', values: ONES, from: 'int32', inQ: [0.4, 0], to: 'int16', outQ: [1, 0] },
  { name: 'QuantizeOpTestInt32toInt8', values: ONES, from: 'int32', inQ: [0.4, 0], to: 'int8', outQ: [1, 0] },
  { name: 'QuantizeOpTestInt16toInt8_2', values: BY_TWO, from: 'int16', inQ: [2, 0], to: 'int8', outQ: [0.5, 0] },
  { name: 'QuantizeOpTestInt8toUInt8Fast', values: ONES, from: 'int8', inQ: [1, 0], to: 'uint8', outQ: [0.5, 128] },
  { name: 'QuantizeOpTestInt8toUInt8Normal', values: ONES, from: 'int8', inQ: [1, 50], to: 'uint8', outQ: [1, 110] },
  { name: 'QuantizeOpTestUInt8toInt8Fast', values: ONES, from: 'uint8', inQ: [0.4, 0], to: 'int8', outQ: [1, -128] },
  { name: 'QuantizeOpTestUInt8toInt8Normal', values: ONES, from: 'uint8', inQ: [1, 50], to: 'int8', outQ: [0.3, 0] },
  { name: 'QuantizeOpTestInt8toInt32', values: ONES, from: 'int8', inQ: [1, 0], to: 'int32', outQ: [0.5, 0] },
  { name: 'QuantizeOpTestInt16toInt32', values: ONES, from: 'int16', inQ: [1, 0], to: 'int32', outQ: [0.5, 0] },
  { name: 'QuantizeOpTestInt16toInt8', values: ONES, from: 'int16', inQ: [0.4, 0], to: 'int8', outQ: [1, 0] },
];

describe('QUANTIZE (quantize_test.cc)', () => {
  const fromFloat: [string, number[], 'int8' | 'int16', [number, number]][] = [
    ['QuantizeOpTestInt16', HALVES, 'int16', [0.5, -1]],
    ['QuantizeOpTestInt16NoScale', [-128, -127, -126, -125, -124, 123, 124, 125, 126, 127], 'int16', [1, 0]],
    ['QuantizeOpTestInt8', HALVES, 'int8', [0.5, -1]],
    ['QuantizeOpTestInt8NoZeroPoint', ONES, 'int8', [0.5, 0]],
  ];
  for (const [name, values, dtype, q] of fromFloat) {
    it(`${name} (float32 to ${dtype})`, () => {
      expect(quantizeOp([{ dtype: 'float32', shape: SHAPE, data: values }], { dtype, q })).toEqual(quantize(values, q[0], q[1], dtype));
    });
  }
  it('uint8 <-> int8 of one scale over 5,000 elements (the top bit flipped in the SIMD module), and of two scales (a lookup each)', () => {
    const n = 5000;
    const u8 = Array.from({ length: n }, (_, i) => (i * 37 + 11) % 256);
    const run = (from: QuantType, data: number[], inQ: [number, number], to: QuantType, outQ: [number, number]) =>
      runOp({ opcode: 'QUANTIZE', inputs: [{ dtype: from, shape: [1, n], data, q: inQ }], outputs: [{ dtype: to, shape: [1, n], q: outQ }] })[0]!;
    // One scale, zero points 128 apart (mnv3-unet's input): q - 128, which is the byte with its top bit flipped.
    const i8 = run('uint8', u8, [0.0078, 127], 'int8', [0.0078, -1]);
    expect(i8).toEqual(u8.map((q) => q - 128));
    expect(run('int8', i8, [0.087, -12], 'uint8', [0.087, 116])).toEqual(u8);
    // Twice the scale: no bit flip, every byte looked up. The multiplier is 2^30 (shift 0), so
    // SaturatingRoundingDoublingHighMul halves rounding half up: floor((q - 127 + 1) / 2), minus 1.
    expect(run('uint8', u8, [0.0078, 127], 'int8', [0.0156, -1])).toEqual(u8.map((q) => Math.floor((q - 126) / 2) - 1));
  });

  for (const c of REQUANTIZE) {
    it(`${c.name} (${c.from} to ${c.to})`, () => {
      const x = quantize(c.values, c.inQ[0], c.inQ[1], c.from);
      const got = quantizeOp([{ dtype: c.from, shape: SHAPE, data: x, q: c.inQ }], { dtype: c.to, q: c.outQ });
      expect(got).toEqual(quantize(c.values, c.outQ[0], c.outQ[1], c.to));
    });
  }
});

describe('DEQUANTIZE (dequantize_test.cc)', () => {
  const cases: [string, 'int8' | 'int16' | 'uint8', number][] = [
    ['DequantizeOpTestInt8', 'int8', -1],
    ['DequantizeOpTestInt16', 'int16', -1],
    ['DequantizeOpTestUint8', 'uint8', 127],
  ];
  for (const [name, dtype, zeroPoint] of cases) {
    it(name, () => {
      const x = quantize(HALVES, 0.5, zeroPoint, dtype);
      const out = runOp({ opcode: 'DEQUANTIZE', inputs: [{ dtype, shape: [5, 2], data: x, q: [0.5, zeroPoint] }], outputs: [{ dtype: 'float32', shape: [5, 2] }] })[0]!;
      expect(out).toEqual(HALVES);
    });
  }
});
