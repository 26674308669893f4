// TRANSPOSE_CONV against the vectors of TFLM's transpose_conv_test.cc: float32
// (SAME and VALID, strides 1-3, RELU, a per-channel bias), int8 per-channel and
// 16x8 with int64 and int16 biases, the refusals. TFLM's test feeds an empty
// output_shape tensor (the kernel sizes from the output tensor); here it is the
// real shape, as a converter writes it. The quantized goldens are quantized at
// zero point 0 and checked within 1 (int8) and 4 (16x8), as TFLM does; the
// float ones exactly. Not taken: the USE_TFLM_COMPRESSION cases.

import { describe, expect, it } from 'vitest';
import type { Quantization } from '../../src/graph/types.js';
import { checkModel } from '../../src/interpreter/interpreter.js';
import { ACTIVATION, PADDING, UNDEFINED_IN_TFLM } from '../../src/ops/kernel.js';
import { opModel, runOp, type TensorArg } from '../helpers/op-harness.js';
import { nearEach, perChannelWeights, perTensor, quantize, symmetricQuantize } from '../helpers/tflm-test-quant.js';

interface Geometry {
  padding?: number;
  stride?: number;
  activation?: number;
}

function transposeConv(filter: TensorArg, input: TensorArg, bias: TensorArg, out: { dtype: TensorArg['dtype']; shape: number[]; quantization?: Quantization }, g: Geometry = {}): number[] {
  const stride = g.stride ?? 1;
  const value = { padding: g.padding ?? PADDING.SAME, strideW: stride, strideH: stride, fusedActivationFunction: g.activation ?? ACTIVATION.NONE };
  const outputShape: TensorArg = { dtype: 'int32', shape: [4], data: out.shape, constant: true };
  return runOp({ opcode: 'TRANSPOSE_CONV', inputs: [outputShape, filter, input, bias], outputs: [out], options: { type: 'TransposeConvOptions', value } })[0]!;
}

type Vec = [number[], number[]];
const float = (input: Vec, filter: Vec, bias: Vec, outShape: number[], g: Geometry = {}) =>
  transposeConv(
    { dtype: 'float32', shape: filter[0], data: filter[1], constant: true },
    { dtype: 'float32', shape: input[0], data: input[1] },
    { dtype: 'float32', shape: bias[0], data: bias[1], constant: true },
    { dtype: 'float32', shape: outShape },
    g,
  );

const IN: Vec = [[1, 4, 4, 2], Array.from({ length: 32 }, (_, i) => i + 1)];
const FILTER: Vec = [[1, 3, 3, 2], Array.from({ length: 18 }, (_, i) => i + 1)];
const BIAS: Vec = [[1, 1, 1, 1], [0]];
const OUT = [1, 4, 4, 1];
const GOLDEN = [184, 412, 568, 528, 678, 1347, 1689, 1434, 1494, 2715, 3057, 2442, 1968, 3352, 3652, 2760];

/**
 * TestTransposeConvQuantized: the filter per channel (scale estimated), the
 * bias at input scale x the test's filter scale (1), the golden quantized at
 * zero point 0.
 */
function quantized(io: 'int8' | 'int16', biasType: 'int32' | 'int64' | 'int16', inQ: [number, number], outQ: [number, number]) {
  const w = perChannelWeights(FILTER[1], FILTER[0]);
  const biasScale = inQ[0] * 1;
  const bias = biasType === 'int16' ? (symmetricQuantize(BIAS[1], biasScale, 'int16') as number[]) : symmetricQuantize(BIAS[1], biasScale, biasType);
  const got = transposeConv(
    { dtype: 'int8', shape: FILTER[0], data: w.data, constant: true, quantization: w.quantization },
    { dtype: io, shape: IN[0], data: quantize(IN[1], inQ[0], inQ[1], io), quantization: perTensor(...inQ) },
    { dtype: biasType, shape: BIAS[0], data: bias, constant: true, quantization: perTensor(biasScale) },
    { dtype: io, shape: OUT, quantization: perTensor(...outQ) },
  );
  expect(nearEach(got, quantize(GOLDEN, outQ[0], 0, io), io === 'int8' ? 1 : 4)).toBeNull();
}

describe('TRANSPOSE_CONV (transpose_conv_test.cc)', () => {
  it('SimpleTestFloat, fusedRELUTest (float32, exact)', () => {
    expect(float(IN, FILTER, BIAS, OUT)).toEqual(GOLDEN);
    const x = [1, 2, -3, -4, 5, 6, -7, -8, 9, 10, -11, -12, 13, 14, 15, 16];
    const golden = [29, 24, 0, 0, 99, 72, 0, 0, 207, 186, 0, 0, 263, 292, 141, 0];
    expect(float([[1, 4, 4, 1], x], [[1, 3, 3, 1], [1, 2, 3, 4, 5, 6, 7, 8, 9]], BIAS, OUT, { activation: ACTIVATION.RELU })).toEqual(golden);
  });

  it('float32 without a bias (no TFLM case): the sums themselves, clamped by the activation (RELU6 here)', () => {
    const x = [1, 2, -3, -4, 5, 6, -7, -8, 9, 10, -11, -12, 13, 14, 15, 16].map((v) => v / 8);
    const got = runOp({
      opcode: 'TRANSPOSE_CONV',
      inputs: [
        { dtype: 'int32', shape: [4], data: OUT, constant: true },
        { dtype: 'float32', shape: [1, 3, 3, 1], data: [1, 2, 3, 4, 5, 6, 7, 8, 9].map((v) => v / 4), constant: true },
        { dtype: 'float32', shape: [1, 4, 4, 1], data: x },
      ],
      outputs: [{ dtype: 'float32', shape: OUT }],
      options: { type: 'TransposeConvOptions', value: { padding: PADDING.SAME, strideW: 1, strideH: 1, fusedActivationFunction: ACTIVATION.RELU6 } },
    })[0]!;
    // The golden of fusedRELUTest's sums (exact in float32 at these scales), / 32, then clamped to [0, 6].
    const sums = [29, 24, 0, 0, 99, 72, 0, 0, 207, 186, 0, 0, 263, 292, 141, 0];
    expect(got.filter((_, i) => sums[i]! > 0)).toEqual(sums.filter((v) => v > 0).map((v) => Math.min(6, v / 32)));
    expect(got.every((v) => v >= 0 && v <= 6)).toBe(true);
  });

  it('AccuracyWithFusedActivationTest, MultiChannelBiasWithFusedActivationTest (float32, exact)', () => {
    const relu = ACTIVATION.RELU;
    const golden = [1615, 1938, 0, 0, 2584, 1615, 0, 0, 323, 1292, 0, 0];
    const filter1: Vec = [[1, 3, 3, 1], [9, 5, 6, 9, 8, 5, 3, 1, 4]];
    expect(float([[1, 1, 2, 1], [323, -521]], filter1, BIAS, [1, 3, 4, 1], { stride: 3, activation: relu })).toEqual(golden);
    const filter: Vec = [[2, 3, 3, 1], [1, 3, 5, 7, 9, 11, 13, 15, 17, 2, 4, 6, 8, 10, 12, 14, 16, 18]];
    const golden2 = [
      4, 6, 6, 8, 10, 14, 9, 12, 13, 16, 10, 12, 12, 14, 28, 32, 21, 24, 25, 28, 13, 12, 9, 8, 35, 40, 45, 52, 57, 64, 0, 0, 0, 0, 0, 0, 39, 44, 47,
      52, 0, 0, 0, 0, 4, 6, 63, 68, 71, 76,
    ];
    const valid2 = { padding: PADDING.VALID, stride: 2, activation: relu };
    expect(float([[1, 2, 2, 1], [1, 2, -3, 4]], filter, [[2, 1, 1, 1], [3, 4]], [1, 5, 5, 2], valid2)).toEqual(golden2);
  });

  it('SimpleTestQuantizedPerChannel (int8; TFLM checks within 1)', () => {
    quantized('int8', 'int32', [0.5, 0], [30, 0]);
  });

  it('SimpleTestQuantized16x8PerChannel, SimpleTestQuantized16x8PerChannelWithInt16Bias (16x8; TFLM checks within 4)', () => {
    quantized('int16', 'int64', [1, 0], [1, 0]);
    quantized('int16', 'int16', [1, 0], [1, 0]);
  });

  it('16x8 with an int32 bias (no TFLM case): TFLM reads it as int64, past its end, so it is refused to run and a warning to report', () => {
    const w = perChannelWeights(FILTER[1], FILTER[0]);
    const c = {
      opcode: 'TRANSPOSE_CONV',
      inputs: [
        { dtype: 'int32', shape: [4], data: OUT, constant: true },
        { dtype: 'int8', shape: FILTER[0], data: w.data, constant: true, quantization: w.quantization },
        { dtype: 'int16', shape: IN[0], data: quantize(IN[1], 1, 0, 'int16'), quantization: perTensor(1) },
        { dtype: 'int32', shape: BIAS[0], data: [0], constant: true, quantization: perTensor(1) },
      ] as TensorArg[],
      outputs: [{ dtype: 'int16' as const, shape: OUT, quantization: perTensor(1) }],
      options: { type: 'TransposeConvOptions', value: { padding: PADDING.SAME, strideW: 1, strideH: 1 } },
    };
    const message = /TRANSPOSE_CONV\): a 16x8 TRANSPOSE_CONV with an int32 bias: TFLM reads its 4-byte buffer as int64 values, 8 bytes \(TFLM runs it reading past the end/;
    expect(() => runOp(c)).toThrow(message);
    const warnings = checkModel(opModel(c).graph);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(message);
    expect(warnings[0]!.endsWith(UNDEFINED_IN_TFLM)).toBe(true);
  });

  it('InputOutputDifferentTypeIsError, HybridModeIsError: refused', () => {
    const fFilter: TensorArg = { dtype: 'float32', shape: FILTER[0], data: FILTER[1], constant: true };
    const fIn: TensorArg = { dtype: 'float32', shape: IN[0], data: IN[1] };
    const fBias: TensorArg = { dtype: 'float32', shape: BIAS[0], data: BIAS[1], constant: true };
    expect(() => transposeConv(fFilter, fIn, fBias, { dtype: 'int8', shape: OUT, quantization: perTensor(1) })).toThrow(/TRANSPOSE_CONV.*input->type != output->type/);
    const hybrid: TensorArg = { dtype: 'int8', shape: FILTER[0], data: new Array(18).fill(0), constant: true, quantization: perTensor(1) };
    expect(() => transposeConv(hybrid, fIn, fBias, { dtype: 'float32', shape: OUT })).toThrow(/Hybrid models are not supported on TFLite Micro/);
  });
});
