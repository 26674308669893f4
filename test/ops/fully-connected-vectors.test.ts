// FULLY_CONNECTED against the vectors of TFLM's fully_connected_test.cc
// (the representative 64x16 figures in vectors/fully-connected.json): float32
// (2-D and 4-D input, no bias), int8 per tensor (exact: TFLM checks these with
// tolerance 0) and per channel, int16 with an int64 bias per tensor and per
// channel, RELU. The per-channel goldens TFLM checks within 1, and so do these
// tests. The int4-weights case runs packed int4 weights, exact as TFLM checks
// it. Not taken: the USE_TFLM_COMPRESSION cases.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Quantization } from '../../src/graph/types.js';
import { ACTIVATION } from '../../src/ops/kernel.js';
import { runOp, type TensorArg } from '../helpers/op-harness.js';
import { nearEach, perTensor, quantize, symmetricQuantize } from '../helpers/tflm-test-quant.js';

const V = JSON.parse(readFileSync(new URL('./vectors/fully-connected.json', import.meta.url), 'utf8')) as Record<string, number[]>;

function fc(inputs: TensorArg[], out: { dtype: TensorArg['dtype']; shape: number[]; quantization?: Quantization }, activation: number = ACTIVATION.NONE): number[] {
  return runOp({ opcode: 'FULLY_CONNECTED', inputs, outputs: [out], options: { type: 'FullyConnectedOptions', value: { fusedActivationFunction: activation } } })[0]!;
}

const IN = [1, 2, 3, 4, 5, 6, 7, 8, -9, -10, 1, 2, 3, 4, 5, 6, 7, -8, 9, -10];
const W_ROW = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const W = [...W_ROW, ...W_ROW, ...W_ROW];
const BIAS = [1, 2, 3];
const GOLDEN = [24, 25, 26, 58, 59, 60];
const GOLDEN_NULL_BIAS = [23, 23, 23, 57, 57, 57];
const RELU_W = [...W_ROW, ...W_ROW.map((v) => -v), ...W_ROW];
const RELU_BIAS = [1, -2, 3];
const RELU_GOLDEN = [24, 0, 26, 58, 0, 60];
const INT4_W_ROW = [-2, -1, 0, 1, 2, 3, 4, 5, 6, 7];

type Case = { inShape: number[]; x: number[]; wShape: number[]; w: number[]; bias: number[] | null; outShape: number[]; activation?: number };
const SIMPLE: Case = { inShape: [2, 10], x: IN, wShape: [3, 10], w: W, bias: BIAS, outShape: [2, 3] };
const REPRESENTATIVE: Case = {
  inShape: [1, 64],
  x: V.representative_64x16_input_data!,
  wShape: [16, 64],
  w: V.representative_64x16_weights_data!,
  bias: V.representative_64x16_bias_data!,
  outShape: [1, 16],
};

function float(c: Case) {
  return fc(
    [
      { dtype: 'float32', shape: c.inShape, data: c.x },
      { dtype: 'float32', shape: c.wShape, data: c.w, constant: true },
      ...(c.bias ? [{ dtype: 'float32' as const, shape: [c.bias.length], data: c.bias, constant: true }] : []),
    ],
    { dtype: 'float32', shape: c.outShape },
    c.activation,
  );
}

/** TestFullyConnectedQuantized: asymmetric input, weights and output; bias symmetric at input scale x weights scale. */
function perTensorCase(io: 'int8' | 'int16', c: Case, inQ: [number, number], wQ: [number, number], outQ: [number, number], weights: 'int8' | 'int4' = 'int8') {
  const biasType = io === 'int8' ? 'int32' : 'int64';
  return fc(
    [
      { dtype: io, shape: c.inShape, data: quantize(c.x, inQ[0], inQ[1], io), quantization: perTensor(...inQ) },
      { dtype: weights, shape: c.wShape, data: quantize(c.w, wQ[0], wQ[1], 'int8'), constant: true, quantization: perTensor(...wQ) },
      ...(c.bias
        ? [
            {
              dtype: biasType,
              shape: [c.bias.length],
              data: symmetricQuantize(c.bias, Math.fround(inQ[0]) * Math.fround(wQ[0]), biasType),
              constant: true,
              quantization: perTensor(inQ[0] * wQ[0]),
            } as TensorArg,
          ]
        : []),
    ],
    { dtype: io, shape: c.outShape, quantization: perTensor(...outQ) },
    c.activation,
  );
}

/** TestFullyConnectedQuantizedPerChannel: the weights quantized with the test's own per-row scales (no estimation). */
function perChannelCase(io: 'int8' | 'int16', c: Case, inQ: [number, number], scales: number[], outQ: [number, number]) {
  const per = c.w.length / scales.length;
  const w = c.w.map((v, i) => Math.min(127, Math.max(-127, symmetricQuantize([v], scales[Math.floor(i / per)]!, 'int32')[0] as number)));
  const biasType = io === 'int8' ? 'int32' : 'int64';
  const biasScales = scales.map((s) => Math.fround(Math.fround(inQ[0]) * Math.fround(s)));
  const bias = c.bias!.map((v, i) => symmetricQuantize([v], biasScales[i]!, biasType)[0]!) as number[];
  const pc = (s: number[]): Quantization => ({ scale: s, zeroPoint: s.map(() => 0), quantizedDimension: 0 });
  return fc(
    [
      { dtype: io, shape: c.inShape, data: quantize(c.x, inQ[0], inQ[1], io), quantization: perTensor(...inQ) },
      { dtype: 'int8', shape: c.wShape, data: w, constant: true, quantization: pc(scales) },
      { dtype: biasType, shape: [bias.length], data: bias, constant: true, quantization: pc(biasScales) },
    ],
    { dtype: io, shape: c.outShape, quantization: perTensor(...outQ) },
  );
}

describe('FULLY_CONNECTED (fully_connected_test.cc)', () => {
  it('SimpleTest, SimpleTestNullBias, SimpleTest4DInput, Representative1x64Input1x16Output (float32; TFLM checks within 1e-4)', () => {
    expect(float(SIMPLE)).toEqual(GOLDEN);
    expect(float({ ...SIMPLE, bias: null })).toEqual(GOLDEN_NULL_BIAS);
    expect(float({ ...SIMPLE, inShape: [1, 1, 2, 10] })).toEqual(GOLDEN);
    const rep = float(REPRESENTATIVE);
    expect(nearEach(rep, V.representative_64x16_golden!, 1e-4)).toBeNull();
  });

  it('SimpleTestQuantizedInt8, SimpleTest4DInputQuantizedInt8, SimpleTestQuantizedInt8Relu, SimpleTestQuantizedInt8NullBias (exact)', () => {
    const io: [number, number] = [1, -1];
    const w: [number, number] = [1, 0];
    expect(perTensorCase('int8', SIMPLE, io, w, [0.5, -1])).toEqual(quantize(GOLDEN, 0.5, -1, 'int8'));
    expect(perTensorCase('int8', { ...SIMPLE, inShape: [1, 1, 2, 10] }, io, w, [0.5, -1])).toEqual(quantize(GOLDEN, 0.5, -1, 'int8'));
    const relu = { ...SIMPLE, w: RELU_W, bias: RELU_BIAS, activation: ACTIVATION.RELU };
    expect(perTensorCase('int8', relu, io, w, [0.5, -128])).toEqual(quantize(RELU_GOLDEN, 0.5, -128, 'int8'));
    expect(perTensorCase('int8', { ...SIMPLE, bias: null }, io, w, [0.5, -1])).toEqual(quantize(GOLDEN_NULL_BIAS, 0.5, -1, 'int8'));
  });

  it('SimpleTestQuantizedInt4Weights (int8 with packed int4 weights, exact as TFLM checks it)', () => {
    const c = { ...SIMPLE, w: [...INT4_W_ROW, ...INT4_W_ROW, ...INT4_W_ROW], bias: null };
    // The weights quantized as int8 by the test, then packed two a byte (CreateTensor with kTfLiteInt4).
    expect(perTensorCase('int8', c, [1, -1], [1, 0], [0.5, -1], 'int4')).toEqual(quantize([-28, -28, -28, 0, 0, 0], 0.5, -1, 'int8'));
  });

  it('refuses per-channel int4 weights, as TFLM\'s Prepare does', () => {
    const pc = { scale: [1, 1, 1], zeroPoint: [0, 0, 0], quantizedDimension: 0 };
    const run = () =>
      fc(
        [
          { dtype: 'int8', shape: [2, 10], data: quantize(IN, 1, -1, 'int8'), quantization: perTensor(1, -1) },
          { dtype: 'int4', shape: [3, 10], data: [...INT4_W_ROW, ...INT4_W_ROW, ...INT4_W_ROW], constant: true, quantization: pc },
        ],
        { dtype: 'int8', shape: [2, 3], quantization: perTensor(0.5, -1) },
      );
    expect(run).toThrow(/FULLY_CONNECTED\).*filter->type != kTfLiteInt4.*was not true/);
  });

  it('Representative1x64Input1x16OutputQuantizedInt8 (exact)', () => {
    const c = REPRESENTATIVE;
    expect(perTensorCase('int8', c, [0.051445, -128], [0.00566, 0], [0.069785, -9])).toEqual(quantize(V.representative_64x16_golden!, 0.069785, -9, 'int8'));
  });

  it('SimpleTestQuantizedInt16 (int64 bias, exact)', () => {
    const q: [number, number] = [128 / 65536, 0];
    expect(perTensorCase('int16', SIMPLE, q, [1, 0], q)).toEqual(quantize(GOLDEN, q[0], 0, 'int16'));
  });

  it('SimpleTestQuantizedPerChannelInt8, SimpleTestPerChannelQuantizedInt16 (TFLM checks within 1)', () => {
    const scales = [0.2, 0.25, 0.5];
    expect(nearEach(perChannelCase('int8', SIMPLE, [0.5, -1], scales, [1, -1]), quantize(GOLDEN, 1, -1, 'int8'), 1)).toBeNull();
    const q: [number, number] = [128 / 65536, 0];
    expect(nearEach(perChannelCase('int16', SIMPLE, q, scales, q), quantize(GOLDEN, q[0], 0, 'int16'), 1)).toBeNull();
  });
});

describe('FULLY_CONNECTED int8: the packed and the run-time-weights paths agree', () => {
  // 40 inputs x 128 outputs in one row: constant weights go through fullyConnectedPacked with their zero point added
  // when packed; weights fed at run time take the widened product.
  const n = 40;
  const depth = 128;
  const r = (i: number) => (((i * 2654435761) >>> 0) % 255) - 127;
  const x = Array.from({ length: n }, (_, i) => r(i + 7));
  const w = Array.from({ length: n * depth }, (_, i) => r(i * 3 + 1));
  const bias = Array.from({ length: depth }, (_, i) => r(i) * 50);
  const run = (weightZeroPoint: number, constant: boolean, rows = depth) =>
    fc(
      [
        { dtype: 'int8', shape: [1, n], data: x, quantization: perTensor(0.05, 3) },
        { dtype: 'int8', shape: [rows, n], data: w.slice(0, rows * n), constant, quantization: perTensor(0.02, weightZeroPoint) },
        { dtype: 'int32', shape: [rows], data: bias.slice(0, rows), constant: true, quantization: perTensor(0.05 * 0.02) },
      ],
      { dtype: 'int8', shape: [1, rows], quantization: perTensor(0.1, -2) },
    );

  it('with a weight zero point of 0 and of 3', () => {
    for (const zp of [0, 3]) {
      const fedAtRunTime = run(zp, false);
      expect(run(zp, true)).toEqual(fedAtRunTime);
      // 4 outputs: one group of 16 channels, 12 of them beyond the real ones.
      expect(run(zp, true, 4)).toEqual(fedAtRunTime.slice(0, 4));
    }
  });
});

describe('int8 FULLY_CONNECTED with constant weights, every path (fullyConnectedPacked, the packed conv)', () => {
  it('gives the bytes of the same op with its weights fed at run time, from 16 to 65,536 products, per tensor and per channel', () => {
    let seed = 11;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const int8 = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 256) - 128);
    // [rows, outputs, depth, weight zero point (per tensor)]: fullyConnectedPacked below 4 rows or with a weight zero
    // point: an odd depth (a padding lane), an odd count of input pairs, output counts that leave a group of 16 short
    // (its extra sums on the next row's), one input, one output; 262,144 weights or more read as int8 (the last of the
    // first line); the packed conv from 4 rows.
    const cases = [
      [1, 3, 16, 0], [1, 16, 1, 0], [1, 1, 16, 0], [2, 17, 7, 0], [3, 40, 6, 2], [1, 128, 512, 0], [2, 300, 901, 0],
      [4, 20, 10, -3], [5, 9, 33, 0],
    ] as const;
    for (const [rows, depth, accum, weightZeroPoint] of cases) {
      // Per channel, 'exact': about half the channels' multipliers shift left or right by less than 3, so the output
      // step has no float form (the kernel leaves its sums to requantizeI8).
      for (const scales of weightZeroPoint === 0 ? ['tensor', 'channel', 'exact'] as const : ['tensor'] as const) {
        const perChannel = scales !== 'tensor';
        const channelScale = () => (scales === 'exact' && rand() < 0.5 ? 0.5 + 7.5 * rand() : 0.002 + 0.01 * rand());
        const quantization: Quantization = perChannel
          ? { scale: Array.from({ length: depth }, channelScale), zeroPoint: new Array<number>(depth).fill(0), quantizedDimension: 0 }
          : { scale: [0.004], zeroPoint: [weightZeroPoint], quantizedDimension: 0 };
        const x = int8(rows * accum);
        const w = int8(depth * accum);
        const bias = Array.from({ length: depth }, () => Math.floor(rand() * 4000) - 2000);
        const run = (constant: boolean) =>
          fc(
            [
              { dtype: 'int8', shape: [rows, accum], data: x, quantization: perTensor(0.05, 3) },
              { dtype: 'int8', shape: [depth, accum], data: w, constant, quantization },
              { dtype: 'int32', shape: [depth], data: bias, constant: true },
            ],
            { dtype: 'int8', shape: [rows, depth], quantization: perTensor(0.2, -4) },
          );
        expect(run(true), `${rows}x${depth}x${accum} ${perChannel ? `per channel (${scales})` : `zero point ${weightZeroPoint}`}`).toEqual(run(false));
      }
    }
  });
});
