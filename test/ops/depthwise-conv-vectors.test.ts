// DEPTHWISE_CONV_2D against the vectors of TFLM's depthwise_conv_test.cc:
// float32 (with RELU), int8 per-channel (depth multiplier 1 and 2, RELU6,
// dilation), per-tensor filters, 16x8 with an int64 bias, the refusals. TFLM's
// test helper sets VALID padding and the depth multiplier itself; the quantized
// goldens are checked with TFLM's tolerance (EXPECT_NEAR 1), the float ones
// exactly; the int4-filter case runs a packed int4 filter and is also checked
// exactly against the same values in an int8 filter. Not taken: the
// USE_TFLM_COMPRESSION cases.

import { describe, expect, it } from 'vitest';
import type { Quantization } from '../../src/graph/types.js';
import { ACTIVATION, PADDING } from '../../src/ops/kernel.js';
import { f32, runOp, type TensorArg } from '../helpers/op-harness.js';
import { nearEach, perChannelBias, perChannelWeights, perTensor, quantize, symmetricQuantize } from '../helpers/tflm-test-quant.js';

interface Geometry {
  stride?: number;
  dilation?: [number, number];
  activation?: number;
}

function depthwise(inputs: TensorArg[], out: { dtype: TensorArg['dtype']; shape: number[]; quantization?: Quantization }, g: Geometry = {}): number[] {
  const depthMultiplier = inputs[1]!.shape[3]! / inputs[0]!.shape[3]!;
  const value = {
    padding: PADDING.VALID,
    strideW: g.stride ?? 1,
    strideH: g.stride ?? 1,
    depthMultiplier,
    fusedActivationFunction: g.activation ?? ACTIVATION.NONE,
    dilationWFactor: g.dilation?.[0] ?? 1,
    dilationHFactor: g.dilation?.[1] ?? 1,
  };
  return runOp({ opcode: 'DEPTHWISE_CONV_2D', inputs, outputs: [out], options: { type: 'DepthwiseConv2DOptions', value } })[0]!;
}

type Vec = [number[], number[]];

function float(input: Vec, filter: Vec, bias: number[], outShape: number[], g: Geometry = {}) {
  return depthwise(
    [
      { dtype: 'float32', shape: input[0], data: input[1] },
      { dtype: 'float32', shape: filter[0], data: filter[1], constant: true },
      { dtype: 'float32', shape: [1, 1, 1, bias.length], data: bias, constant: true },
    ],
    { dtype: 'float32', shape: outShape },
    g,
  );
}

/** TestDepthwiseConvQuantizedPerChannel: filter per channel along dimension 3, bias at input scale x filter scale. */
function perChannel(
  io: 'int8' | 'int16',
  input: Vec,
  filter: Vec,
  bias: number[],
  outShape: number[],
  golden: number[],
  inQ: [number, number],
  outQ: [number, number],
  g: Geometry = {},
  filterType: 'int8' | 'int4' = 'int8',
  storedAs: 'int8' | 'int4' = filterType,
) {
  const w = perChannelWeights(filter[1], filter[0], 3, filterType);
  const b = perChannelBias(bias, inQ[0], w.scales, io === 'int8' ? 'int32' : 'int64');
  const got = depthwise(
    [
      { dtype: io, shape: input[0], data: quantize(input[1], inQ[0], inQ[1], io), quantization: perTensor(...inQ) },
      { dtype: storedAs, shape: filter[0], data: w.data, constant: true, quantization: w.quantization },
      { dtype: io === 'int8' ? 'int32' : 'int64', shape: [1, 1, 1, bias.length], data: b.data, constant: true, quantization: { ...b.quantization, quantizedDimension: 3 } },
    ],
    { dtype: io, shape: outShape, quantization: perTensor(...outQ) },
    g,
  );
  expect(nearEach(got, quantize(golden, outQ[0], outQ[1], io), 1)).toBeNull();
  return got;
}

/** The per-tensor tests: float inputs quantized per tensor, the bias quantized at `biasScale` as the test writes it. */
function perTensorCase(
  input: Vec,
  filter: Vec,
  bias: number[],
  outShape: number[],
  inQ: [number, number],
  filterScale: number,
  biasScale: number,
  outScale: number,
  g: Geometry = {},
) {
  return depthwise(
    [
      { dtype: 'int8', shape: input[0], data: quantize(input[1], inQ[0], inQ[1], 'int8'), quantization: perTensor(...inQ) },
      { dtype: 'int8', shape: filter[0], data: quantize(filter[1], filterScale, 0, 'int8'), constant: true, quantization: perTensor(filterScale) },
      { dtype: 'int32', shape: [bias.length], data: symmetricQuantize(bias, biasScale, 'int32') as number[], constant: true, quantization: perTensor(inQ[0] * filterScale) },
    ],
    { dtype: 'int8', shape: outShape, quantization: perTensor(outScale) },
    g,
  );
}

const IN: Vec = [[1, 3, 2, 2], [1, 2, 7, 8, 3, 4, 9, 10, 5, 6, 11, 12]];
const FILTER: Vec = [[1, 2, 2, 4], [1, 2, 3, 4, -9, 10, -11, 12, 5, 6, 7, 8, 13, -14, 15, -16]];
const BIAS = [1, 2, 3, 4];
const OUT = [1, 2, 1, 4];
const GOLDEN = [71, -34, 99, -20, 91, -26, 127, -4];
const CMP_IN: Vec = [[1, 2, 3, 2], [3, 2, 1, -1, -2, -3, 4, 3, 2, -2, -3, -4]];
const CMP_FILTER: Vec = [[1, 2, 2, 4], [1, 2, 3, 4, 3, 4, 5, 6, 7, 8, 5, 6, 3, 4, 1, 2]];

describe('DEPTHWISE_CONV_2D (depthwise_conv_test.cc)', () => {
  it('SimpleTest, SimpleTestRelu (float32, exact)', () => {
    expect(float(IN, FILTER, BIAS, OUT)).toEqual(f32(GOLDEN));
    expect(float(IN, FILTER, BIAS, OUT, { activation: ACTIVATION.RELU })).toEqual([71, 0, 99, 0, 91, 0, 127, 0]);
  });

  it('SimpleTestQuantizedPerChannel, SimpleTestQuantizedPerChannelDepthMultiplier1, TestQuantizedPerChannelDepthMultiplier1Relu6, SimpleTestDilatedQuantizedPerChannel (within 1)', () => {
    perChannel('int8', IN, FILTER, BIAS, OUT, GOLDEN, [0.5, 0], [1, 0]);
    perChannel('int8', IN, [[1, 2, 2, 2], [1, 2, 3, 4, -9, 10, -11, 12]], [1, 2], [1, 2, 1, 2], [-103, 127, -128, 127], [1, 0], [1, 0]);
    const ones = new Array<number>(24).fill(1);
    const r6Filter = [0, 1, 8, -2, -1, 2, -10, 0, -1, 3, -18, 0, 0, 4, 20, -3];
    perChannel('int8', [[1, 3, 2, 4], ones], [[1, 2, 2, 4], r6Filter], BIAS, OUT, [0, 6, 3, 0, 0, 6, 3, 0], [0.023529, -128], [0.023529, -128], { activation: ACTIVATION.RELU6 });
    const dilatedIn = [
      1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 1, 2, 3, 4, 5, 6, 2, 6, 2, 4, 4, 2, 3, 2, 6, 5, 1, 4, 1, 2, 1, 4, 6, 3,
    ];
    const dilatedGolden = [15, 2, 88, -48, 25, 14, 72, 0, 61, -2, 56, 48, -4, 52, 12, 48, 11, 70, 63, 40, 51, -30, 41, 48];
    perChannel('int8', [[1, 4, 6, 2], dilatedIn], FILTER, BIAS, [1, 2, 3, 4], dilatedGolden, [0.5, 0], [1, 0], { dilation: [3, 2] });
  });

  it('TestQuantizedPerChannelCompareWithFloat (int8 within 1, float32 exact)', () => {
    const golden = [43, 48, 18, 22, 3, -4, -28, -36];
    perChannel('int8', CMP_IN, CMP_FILTER, [3, -2, 4, 6], [1, 1, 2, 4], golden, [0.5, 0], [1, 0]);
    expect(float(CMP_IN, CMP_FILTER, [3, -2, 4, 6], [1, 1, 2, 4])).toEqual(golden);
  });

  it('SimpleTestQuantizedPerChannelInt4Filter (int8 with a packed int4 filter; TFLM checks within 1)', () => {
    const input: Vec = [[1, 3, 2, 2], [1, 2, 7, 8, 3, 4, 9, 10, 5, 6, 11, 12]];
    const filter: Vec = [[1, 2, 2, 4], [1, 2, 3, 4, -5, 7, -6, 7, 5, 6, 7, 4, 2, -5, 4, 0]];
    const run = (storedAs: 'int8' | 'int4') => perChannel('int8', input, filter, [1, 2, 3, 4], [1, 2, 1, 4], [0, 26, 29, 84, 6, 46, 45, 114], [0.5, 0], [1, 0], {}, 'int4', storedAs);
    // And exactly: the same values held as an int8 filter give the same bytes (TFLM unpacks, then runs the int8 kernel).
    expect(run('int4')).toEqual(run('int8'));
    // TinySeg's own figures (no TFLM golden): depth multiplier 1 (the SIMD path), the filter above over 4 input channels.
    const x4 = Array.from({ length: 24 }, (_, i) => ((i * 7) % 13) - 6);
    const w4 = perChannelWeights(filter[1], filter[0], 3, 'int4');
    const lanes = (storedAs: 'int8' | 'int4') =>
      depthwise(
        [
          { dtype: 'int8', shape: [1, 3, 2, 4], data: x4, quantization: perTensor(0.5) },
          { dtype: storedAs, shape: filter[0], data: w4.data, constant: true, quantization: w4.quantization },
        ],
        { dtype: 'int8', shape: [1, 2, 1, 4], quantization: perTensor(0.25) },
      );
    expect(lanes('int4')).toEqual(lanes('int8'));
    expect(new Set(lanes('int4')).size).toBeGreaterThan(2);
  });

  it('SimpleTestQuantizedPerChannelInt16InputInt8Filter (16x8, int64 bias; TFLM checks within 1)', () => {
    const x = [-547, 108, -682, 540, -161, -539, 9, -482, -859, 84, 153, -726];
    perChannel('int16', [IN[0], x], FILTER, BIAS, OUT, [4894, -9009, -16596, 10268, -2564, -7483, -6599, 4356], [0.5, 0], [1, 0]);
  });

  it('PerChannelBroadcastQuantizationParams (per-tensor filter, exact as TFLM checks it)', () => {
    expect(perTensorCase(IN, FILTER, BIAS, OUT, [1, 0], 1, 1, 1)).toEqual(quantize(GOLDEN, 1, 0, 'int8'));
  });

  it('Int8Input32x4Filter32x4ShouldMatchGolden, Int8Input32x1Filter32x1ShouldMatchGolden (TFLM checks within 1)', () => {
    // The figures of TFLM's test, in its order: 4 rows of 32 channels (the 1-row case takes the first and last 8 of rows 1 and 4).
    const x = [
      11.0589, 10.8824, 11.1766, 11.5295, 10.8236, 9.5295, 9.5295, 10.0001, 11.2354, 10.8824, 9.1765, 9.0589, 9.6471, 8.9412, 7.9412, 9.0001, 9.353,
      7.5295, 9.2354, 9.5883, 7.5883, 8.1765, 7.5883, 9.2942, 9.1177, 8.5883, 8.2354, 8.6471, 8.0589, 8.0001, 7.4118, 7.353, 11.0001, 11.1177,
      11.0589, 11.2354, 10.5883, 9.2942, 9.2942, 10.1177, 11.2354, 10.8824, 8.9412, 8.8236, 9.2354, 8.8824, 7.0001, 9.1177, 9.5883, 8.2354, 9.1765,
      9.5295, 7.4118, 8.5883, 8.1177, 9.1765, 9.0001, 9.0589, 8.9412, 8.2942, 7.8824, 8.4118, 7.2942, 7.2354, 10.4118, 10.8824, 11.1177, 11.0001,
      10.0001, 9.706, 9.7648, 10.1766, 11.1766, 10.6471, 8.6471, 8.5295, 9.5295, 9.0001, 7.0001, 9.4118, 9.8236, 8.0001, 9.2354, 9.5883, 7.5295,
      9.0001, 8.5295, 9.0589, 8.9412, 9.1177, 8.9412, 8.0001, 8.0589, 8.8824, 7.0589, 7.353, 11.353, 11.0589, 10.706, 10.7648, 9.9413, 9.1177,
      9.1177, 9.7648, 10.706, 10.2354, 8.5883, 8.8236, 9.7648, 9.2942, 7.5295, 9.2354, 9.706, 8.1177, 9.2942, 9.5883, 7.7648, 9.6471, 9.1177, 9.4707,
      9.353, 8.8236, 8.5295, 8.0589, 8.6471, 9.5883, 7.4118, 7.5883,
    ];
    const w = [
      -0.1617, -0.1948, 0.1419, -0.2311, -0.0891, 0.1551, 0.0033, 0.3037, -0.1683, 0.1353, 0.1518, -0.1683, -0.1386, 0.1452, 0.1816, 0.1716, -0.1948,
      0.208, 0.2245, -0.1981, -0.241, 0.1849, 0.1981, 0.1584, 0.2509, 0.1783, -0.2146, -0.1518, 0.208, -0.2872, 0.2014, 0.2476, -0.4126, -0.0561,
      -0.3235, -0.0594, -0.0957, 0.2014, -0.1056, 0.1386, -0.2542, -0.1617, 0.1287, -0.1816, -0.0363, 0.1419, -0.0594, 0.2344, -0.0099, 0.4192,
      0.1287, -0.2311, -0.2212, -0.0528, -0.208, 0.1816, -0.1452, 0.1221, 0.1254, -0.1056, -0.0759, 0.1221, 0.1023, 0.1485, 0.2707, 0.1716, -0.1882,
      -0.1783, 0.165, -0.274, 0.1915, 0.208, -0.2971, -0.2575, -0.3169, 0.0198, -0.0231, 0.241, -0.0429, 0.066, -0.1816, 0.1981, 0.2014, -0.1386,
      -0.1915, 0.1716, 0.132, 0.1419, 0.132, 0.1353, -0.1386, -0.1716, 0.132, -0.165, 0.1386, 0.0825, -0.1419, -0.1023, 0.1783, 0.0462, 0.2047,
      -0.2179, -0.1518, -0.1551, 0.1518, 0.3334, 0.3103, -0.2047, -0.2047, -0.0957, -0.165, 0.1221, 0.099, 0.1353, -0.1617, -0.1485, 0.165, -0.1816,
      0.1518, 0.1254, -0.0363, -0.1254, 0.1386, 0.0429, 0.2113, -0.2839, -0.1056, -0.2278,
    ];
    const golden4 = [
      -5.1194, -2.0075, -2.1751, -4.7958, 1.7073, -1.2963, -0.4641, 5.0416, -6.4424, 0.3836, 2.4684, -4.7643, -3.8913, 3.8382, -0.5164, 5.4304,
      -2.74, 7.7016, 3.6115, -6.8545, -3.629, 0.8509, 2.3247, 5.6117, 1.8215, 2.7645, -0.7032, -3.2156, 3.9689, -5.4583, 2.4346, 1.7731,
    ];
    const golden1 = [
      -1.5741, -1.1112, 2.0371, 0.5556, 2.2223, -2.0371, -1.4815, -1.5741, 1.6667, 3.6112, 2.8705, -1.8519, -1.9445, -0.8334, -1.2963, 1.1112, 0.926,
      1.0186, -1.4815, -1.3889, 1.2963, -1.4815, 1.1112, 1.2037, -0.3704, -1.1112, 1.2037, 0.3704, 1.8519, -2.6853, -0.7408, -1.7593,
    ];
    const zeros = new Array<number>(32).fill(0);
    // The bias is quantized at input scale x output scale, as TFLM's test writes it (all zeros either way).
    const got4 = perTensorCase([[1, 4, 1, 32], x], [[1, 4, 1, 32], w], zeros, [1, 1, 1, 32], [0.058824, -128], 0.003301, 0.058824 * 0.092596, 0.092596);
    expect(nearEach(got4, quantize(golden4, 0.092596, 0, 'int8'), 1)).toBeNull();
    const x1 = [...x.slice(0, 24), ...x.slice(120, 128)];
    const w1 = w.slice(96, 128);
    const s2 = { stride: 2 };
    const got1 = perTensorCase([[1, 1, 1, 32], x1], [[1, 1, 1, 32], w1], zeros, [1, 1, 1, 32], [0.058824, -128], 0.003301, 0.058824 * 0.092596, 0.092596, s2);
    expect(nearEach(got1, quantize(golden1, 0.092596, 0, 'int8'), 1)).toBeNull();
  });

  it('FilterDimsNotMatchingAffineQuantization: refused', () => {
    const w = perChannelWeights(CMP_FILTER[1], CMP_FILTER[0], 0);
    const q8 = (filterQ: Quantization) =>
      depthwise(
        [
          { dtype: 'int8', shape: CMP_IN[0], data: quantize(CMP_IN[1], 0.5, 0, 'int8'), quantization: perTensor(0.5) },
          { dtype: 'int8', shape: CMP_FILTER[0], data: w.data, constant: true, quantization: filterQ },
          { dtype: 'int32', shape: [1, 1, 1, 4], data: [6, -4, 8, 12], constant: true },
        ],
        { dtype: 'int8', shape: [1, 1, 2, 4], quantization: perTensor(1) },
      );
    // TFLM's test sets 2 scales, then 2 zero points beside a scale count read from its shape array (4, which is also the channel count).
    expect(() => q8({ scale: [1, 1], zeroPoint: [0, 0], quantizedDimension: 3 })).toThrow(/DEPTHWISE_CONV_2D.*2 scales for 4 output channels/);
    expect(() => q8({ scale: [1, 1, 1, 1], zeroPoint: [0, 0], quantizedDimension: 3 })).toThrow(/DEPTHWISE_CONV_2D.*scale->size != affine_quantization->zero_point->size \(4 != 2\)/);
  });
});
