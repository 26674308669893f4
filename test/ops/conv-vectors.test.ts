// CONV_2D against the vectors of TFLM's conv_test.cc (and its data file
// kernels/testdata/conv_test_data.cc, in vectors/conv-test-data.json): float32,
// int8 per-channel, 16x8 with int32 and int64 bias; strides, dilation, SAME
// padding, RELU6; the quantized tensors built with TFLM's test arithmetic.
// Where TFLM's own check is toleranced (EXPECT_NEAR 1 on quantized goldens) the
// test says so and checks the same tolerance; elsewhere the bytes are exact.
// The int4-filter case runs a packed int4 filter (as a .tflite file stores it)
// and also checks it exactly against the same values in an int8 filter. Not
// taken: the USE_TFLM_COMPRESSION cases (compressed tensors are not in the
// TFLM build TinySeg targets).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACTIVATION, PADDING } from '../../src/ops/kernel.js';
import type { Quantization } from '../../src/graph/types.js';
import { f32, runOp, type TensorArg } from '../helpers/op-harness.js';
import { nearEach, perChannelBias, perChannelWeights, perTensor, quantize, symmetricQuantize } from '../helpers/tflm-test-quant.js';

const V = JSON.parse(readFileSync(new URL('./vectors/conv-test-data.json', import.meta.url), 'utf8')) as Record<string, number[]>;

interface Geometry {
  padding?: number;
  stride?: number;
  dilation?: [number, number];
  activation?: number;
}
const convOptions = (g: Geometry) => ({
  type: 'Conv2DOptions',
  value: {
    padding: g.padding ?? PADDING.VALID,
    strideW: g.stride ?? 2,
    strideH: g.stride ?? 2,
    fusedActivationFunction: g.activation ?? ACTIVATION.NONE,
    dilationWFactor: g.dilation?.[0] ?? 1,
    dilationHFactor: g.dilation?.[1] ?? 1,
  },
});

function conv(inputs: TensorArg[], out: { dtype: TensorArg['dtype']; shape: number[]; quantization?: Quantization }, g: Geometry = {}): number[] {
  return runOp({ opcode: 'CONV_2D', inputs, outputs: [out], options: convOptions(g) })[0]!;
}

function float(input: [number[], number[]], filter: [number[], number[]], bias: [number[], number[]], outShape: number[], g: Geometry = {}) {
  return conv(
    [
      { dtype: 'float32', shape: input[0], data: input[1] },
      { dtype: 'float32', shape: filter[0], data: filter[1], constant: true },
      { dtype: 'float32', shape: bias[0], data: bias[1], constant: true },
    ],
    { dtype: 'float32', shape: outShape },
    g,
  );
}

/**
 * TestConvQuantizedPerChannel: input and golden quantized with (scale, zero
 * point), the filter symmetric per channel, the bias per channel at
 * input scale x filter scale; the output compared with tolerance 1 as TFLM does.
 */
function perChannel(
  io: 'int8' | 'int16',
  biasType: 'int32' | 'int64',
  input: [number[], number[]],
  filter: [number[], number[]],
  bias: number[],
  outShape: number[],
  golden: number[] | null,
  inQ: [number, number],
  outQ: [number, number],
  g: Geometry = {},
  filterType: 'int8' | 'int4' = 'int8',
  storedAs: 'int8' | 'int4' = filterType,
) {
  const w = perChannelWeights(filter[1], filter[0], 0, filterType);
  const b = perChannelBias(bias, inQ[0], w.scales, biasType);
  const got = conv(
    [
      { dtype: io, shape: input[0], data: quantize(input[1], inQ[0], inQ[1], io), quantization: perTensor(...inQ) },
      { dtype: storedAs, shape: filter[0], data: w.data, constant: true, quantization: w.quantization },
      { dtype: biasType, shape: [bias.length], data: b.data, constant: true, quantization: b.quantization },
    ],
    { dtype: io, shape: outShape, quantization: perTensor(...outQ) },
    g,
  );
  if (golden) expect(nearEach(got, quantize(golden, outQ[0], outQ[1], io), 1)).toBeNull();
  return got;
}

const IN: [number[], number[]] = [[2, 2, 4, 1], [1, 1, 1, 1, 2, 2, 2, 2, 1, 2, 3, 4, 1, 2, 3, 4]];
const FILTER: [number[], number[]] = [[3, 2, 2, 1], [1, 2, 3, 4, -1, 1, -1, 1, -1, -1, 1, 1]];
const BIAS = [1, 2, 3];
const OUT = [2, 1, 2, 3];
const GOLDEN = [18, 2, 5, 18, 2, 5, 17, 4, 3, 37, 4, 3];
const RELU6_BIAS = [1, 2, -3];
const RELU6_GOLDEN = [6, 2, 0, 6, 2, 0, 6, 4, 0, 6, 4, 0];
const R6Q: [number, number] = [0.023529, 0];
const IN1X1: [number[], number[]] = [[1, 2, 2, 4], IN[1]];
const FILTER1X1: [number[], number[]] = [[3, 1, 1, 4], FILTER[1]];

describe('CONV_2D (conv_test.cc)', () => {
  it('SimpleTestFloat, InputAndFilterSameWidthHeight (float32, exact)', () => {
    expect(float(IN, FILTER, [[3], BIAS], OUT)).toEqual(f32(GOLDEN));
    expect(float(IN, [[1, 2, 4, 1], [1, 2, 3, 4, -1, -1, 1, 1]], [[1], [0]], [2, 1, 1, 1])).toEqual([10, 34]);
  });

  it('SimpleTestQuantizedPerChannel, SimpleTestDilatedQuantizedPerChannel (int8; TFLM checks within 1)', () => {
    perChannel('int8', 'int32', IN, FILTER, BIAS, OUT, GOLDEN, [0.5, 0], [1, 0]);
    const dilatedIn = [
      1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 1, 2, 3, 4, 5, 6, 2, 6, 2, 4, 4, 2, 3, 2, 6, 5, 1, 4, 1, 2, 1, 4, 6, 3,
    ];
    const dilatedGolden = [25, 2, 7, 25, 2, 7, 10, 2, -3, 10, 2, -3, 39, 7, 6, 50, 3, 4, 14, 4, -5, 15, 0, -7];
    perChannel('int8', 'int32', [[2, 4, 6, 1], dilatedIn], FILTER, BIAS, [2, 2, 2, 3], dilatedGolden, [0.5, 0], [1, 0], { dilation: [3, 2] });
  });

  it('SimpleTestQuantized4bitPerChannel (int8 with a packed int4 filter; TFLM checks within 1)', () => {
    // The filter quantized to [-7, 7] per channel, packed two values a byte (a 3x2x2x1 filter: 6 bytes).
    const got = perChannel('int8', 'int32', IN, FILTER, BIAS, OUT, GOLDEN, [0.5, 0], [1, 0], {}, 'int4');
    // And exactly: the same values held as an int8 filter give the same bytes (TFLM unpacks, then runs the int8 kernel).
    expect(got).toEqual(perChannel('int8', 'int32', IN, FILTER, BIAS, OUT, GOLDEN, [0.5, 0], [1, 0], {}, 'int4', 'int8'));
    // TinySeg's own figures (no TFLM golden): the grouped, non-SIMD path, a filter of 3 values a channel (a byte shared by two channels).
    const grouped = (storedAs: 'int8' | 'int4') =>
      perChannel('int8', 'int32', [[1, 1, 3, 2], [1, 2, 3, 4, 5, 6]], [[2, 1, 3, 1], [1, -2, 3, -4, 5, -6]], [1, 2], [1, 1, 1, 2], null, [0.5, 0], [0.25, 0], { stride: 1 }, 'int4', storedAs);
    expect(grouped('int4')).toEqual(grouped('int8'));
  });

  it('SimpleTestQuantized16x8PerChannel64bBias, SimpleTestQuantized16x8PerChannel32bBias (int16; TFLM checks within 1)', () => {
    for (const bias of ['int64', 'int32'] as const) perChannel('int16', bias, IN, FILTER, BIAS, OUT, GOLDEN, [0.5, 0], [1, 0]);
  });

  it('SimpleTestQuantizedPerChannelRelu6, SimpleTestQuantized16x8PerChannelRelu664bBias, SimpleTestQuantized16x8PerChannelRelu632bBias (within 1)', () => {
    // The int8 case clamps through its output range alone (TFLM passes no activation); the 16x8 cases fuse RELU6.
    perChannel('int8', 'int32', IN, FILTER, RELU6_BIAS, OUT, RELU6_GOLDEN, [0.023529, -128], [0.023529, -128]);
    for (const bias of ['int64', 'int32'] as const) perChannel('int16', bias, IN, FILTER, RELU6_BIAS, OUT, RELU6_GOLDEN, R6Q, R6Q, { activation: ACTIVATION.RELU6 });
  });

  it('Kernel1x1QuantizedPerChannel, Kernel1x1QuantizedPerChannelRelu6, Kernel1x1Quantized16x8PerChannelRelu6 (TFLM checks within 1)', () => {
    const g1 = { stride: 1 };
    const r6 = { stride: 1, activation: ACTIVATION.RELU6 };
    perChannel('int8', 'int32', IN1X1, FILTER1X1, BIAS, [1, 2, 2, 3], [11, 2, 3, 21, 2, 3, 31, 4, 7, 31, 4, 7], [0.5, 0], [1, 0], g1);
    const golden = [6, 2, 0, 6, 2, 0, 6, 4, 1, 6, 4, 1];
    perChannel('int8', 'int32', IN1X1, FILTER1X1, RELU6_BIAS, [1, 2, 2, 3], golden, [0.023529, -128], [0.023529, -128], r6);
    perChannel('int16', 'int64', IN1X1, FILTER1X1, RELU6_BIAS, [1, 2, 2, 3], golden, R6Q, R6Q, r6);
  });

  it('BroadcastPerLayerQuantizationToPerChannelShouldMatchGolden (int8 per-tensor filter, exact)', () => {
    const got = conv(
      [
        { dtype: 'int8', shape: IN[0], data: quantize(IN[1], 1, 0, 'int8'), quantization: perTensor(1) },
        { dtype: 'int8', shape: FILTER[0], data: quantize(FILTER[1], 1, 0, 'int8'), constant: true, quantization: perTensor(1) },
        { dtype: 'int32', shape: [3], data: symmetricQuantize(BIAS, 1, 'int32') as number[], constant: true, quantization: perTensor(1) },
      ],
      { dtype: 'int8', shape: OUT, quantization: perTensor(1) },
    );
    expect(got).toEqual(quantize(GOLDEN, 1, 0, 'int8'));
  });

  it('Int8Input32x1Filter32x32ShouldMatchGolden (TFLM checks within 1)', () => {
    const expected = [
      5168, 3377, 306, -4045, -4556, -1227, 822, 1591, 5176, 3385, 314, -4037, -4548, -1219, 830, 1599, 5184, 3393, 322, -4029, -4540, -1211, 838, 1607, 5192,
      3401, 330, -4021, -4532, -1203, 846, 1615,
    ];
    const idx = Array.from({ length: 32 }, (_, i) => i);
    const filter = Array.from({ length: 32 * 32 }, (_, i) => ((i * 25) % 256) - 128);
    const got = conv(
      [
        { dtype: 'int8', shape: [1, 1, 1, 32], data: quantize(idx.map((i) => i - 16), 1, 0, 'int8'), quantization: perTensor(1) },
        { dtype: 'int8', shape: [32, 1, 1, 32], data: quantize(filter, 1, 0, 'int8'), constant: true, quantization: perTensor(1) },
        // TFLM's test quantizes the bias at input scale x output scale (50), as written.
        { dtype: 'int32', shape: [32], data: symmetricQuantize(idx, 50, 'int32') as number[], constant: true, quantization: perTensor(1) },
      ],
      { dtype: 'int8', shape: [1, 1, 1, 32], quantization: perTensor(50) },
      { stride: 1 },
    );
    expect(nearEach(got, quantize(expected, 50, 0, 'int8'), 1)).toBeNull();
  });

  it('Int8Filter8x3x3x3PerChannelScaleRelu6ShouldMatchGolden (conv_test_data.cc; TFLM checks within 1)', () => {
    const filterScales = [2.18926089e-5, 0.00453596329, 0.000504297379, 0.00184638216, 0.00596635276, 0.000199135626, 0.0047677448, 0.00193942268];
    const biasScales = [1.71706745e-7, 3.5576184e-5, 3.95527377e-6, 1.44814294e-5, 4.67949249e-5, 1.56184819e-6, 3.73940784e-5, 1.52111588e-5];
    const pc = (scale: number[]): Quantization => ({ scale, zeroPoint: scale.map(() => 0), quantizedDimension: 0 });
    // A 32x32 input, 3x3 window, stride 2, VALID, into a 16x16 output: TFLM sizes nothing from the padding rule and computes the 16th row and column too.
    const got = conv(
      [
        { dtype: 'int8', shape: [1, 32, 32, 3], data: V.kConvInput1x32x32x3!, quantization: perTensor(0.00784313772, -1) },
        { dtype: 'int8', shape: [8, 3, 3, 3], data: V.kConvFilter8x3x3x3!, constant: true, quantization: pc(filterScales) },
        { dtype: 'int32', shape: [8], data: V.kConvBiasQuantized8!, constant: true, quantization: pc(biasScales) },
      ],
      { dtype: 'int8', shape: [1, 16, 16, 8], quantization: perTensor(0.0235294122, -128) },
      { activation: ACTIVATION.RELU6 },
    );
    expect(nearEach(got, V.kConvGoldenOutput1x16x16x8!, 1)).toBeNull();
  });

  it('Int8Filter1x3x3x1ShouldMatchGoldenEvenInputPaddingSame, Int8Filter1x3x3x1ShouldMatchGoldenOddInputPaddingSame (within 1)', () => {
    const same = (inShape: number[], data: number[], outShape: number[]) =>
      conv(
        [
          { dtype: 'int8', shape: inShape, data, quantization: perTensor(0.00392120517, -128) },
          { dtype: 'int8', shape: [1, 3, 3, 1], data: V.kConvFilter1x3x3x1!, constant: true, quantization: perTensor(0.00448552053) },
          { dtype: 'int32', shape: [1], data: V.kConvZeroBias!, constant: true, quantization: perTensor(0.00001758864) },
        ],
        { dtype: 'int8', shape: outShape, quantization: perTensor(0.00627814838, -7) },
        { padding: PADDING.SAME },
      );
    expect(nearEach(same([1, 4, 4, 1], V.kConvInput1x4x4x1!, [1, 2, 2, 1]), V.kConvGoldenOutput4x4InputPaddingSame2x2!, 1)).toBeNull();
    expect(nearEach(same([1, 5, 5, 1], V.kConvInput1x5x5x1!, [1, 3, 3, 1]), V.kConvGoldenOutput5x5InputPaddingSame3x3!, 1)).toBeNull();
  });

  it('InputOutputDifferentTypeIsError, HybridModeIsError, FilterDimsNotMatchingAffineQuantization: refused', () => {
    const fIn: TensorArg = { dtype: 'float32', shape: IN[0], data: IN[1] };
    const fFilter: TensorArg = { dtype: 'float32', shape: FILTER[0], data: FILTER[1], constant: true };
    const fBias: TensorArg = { dtype: 'float32', shape: [3], data: BIAS, constant: true };
    expect(() => conv([fIn, fFilter, fBias], { dtype: 'int8', shape: OUT, quantization: perTensor(0) })).toThrow(/CONV_2D.*input->type != output->type/);
    const hybrid: TensorArg = { dtype: 'int8', shape: FILTER[0], data: new Array(12).fill(0), constant: true, quantization: perTensor(0) };
    expect(() => conv([fIn, hybrid, fBias], { dtype: 'float32', shape: OUT })).toThrow(/Hybrid models are not supported on TFLite Micro/);
    const w = perChannelWeights(FILTER[1], FILTER[0]);
    const b = perChannelBias(BIAS, 0.5, w.scales, 'int32');
    const q8 = (filterQ: Quantization) =>
      conv(
        [
          { dtype: 'int8', shape: IN[0], data: quantize(IN[1], 0.5, 0, 'int8'), quantization: perTensor(0.5) },
          { dtype: 'int8', shape: FILTER[0], data: w.data, constant: true, quantization: filterQ },
          { dtype: 'int32', shape: [3], data: b.data, constant: true, quantization: b.quantization },
        ],
        { dtype: 'int8', shape: OUT, quantization: perTensor(1) },
      );
    // TFLM's test sets 2 scales, then (reading the rank from its shape array) 4; CONV_2D's Prepare checks the scales only.
    expect(() => q8({ ...w.quantization, scale: w.scales.slice(0, 2) })).toThrow(/CONV_2D.*2 scales for 3 output channels/);
    expect(() => q8({ ...w.quantization, scale: [...w.scales, 1] })).toThrow(/CONV_2D.*4 scales for 3 output channels/);
  });
});
