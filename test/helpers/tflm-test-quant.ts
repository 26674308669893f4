// The arithmetic TFLM's kernel tests use to turn their float vectors into
// quantized tensors (micro_utils.h, micro_utils.cc, test_helpers.h), so a test
// here feeds the interpreter the very bytes TFLM's test fed its kernel: float32
// division, C's round (half away from zero), the same clamps.

import type { Quantization } from '../../src/graph/types.js';

const fr = Math.fround;
/** C's round()/roundf(): half away from zero. */
export const cRound = (x: number): number => (x < 0 ? -Math.round(-x) : Math.round(x));

export type QuantType = 'int8' | 'uint8' | 'int16' | 'int32';
const RANGE: Record<QuantType, [number, number]> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
};

/** tflite::Quantize / FloatToQuantizedType: round(value / scale) + zero point, clamped to the type. */
export function quantize(values: readonly number[], scale: number, zeroPoint: number, dtype: QuantType): number[] {
  const [lo, hi] = RANGE[dtype];
  return values.map((v) => Math.min(hi, Math.max(lo, cRound(fr(fr(v) / fr(scale))) + zeroPoint)));
}

/** tflite::SymmetricQuantize / FloatToSymmetricQuantizedType: no zero point, clamped to [min + 1, max] (int64 as bigint). */
export function symmetricQuantize(values: readonly number[], scale: number, dtype: 'int8' | 'int16' | 'int32' | 'int64'): number[] | bigint[] {
  const r = values.map((v) => cRound(fr(fr(v) / fr(scale))));
  if (dtype === 'int64') return r.map((x) => BigInt(x));
  const [lo, hi] = RANGE[dtype];
  return r.map((x) => Math.min(hi, Math.max(lo + 1, x)));
}

/**
 * SignedSymmetricPerChannelQuantize (CreateSymmetricPerChannelQuantizedTensor):
 * each channel's scale is max(|min|, |max|) / qmax over the channel, values
 * rounded and clamped to [qmin + 1, qmax]: [-127, 127] for int8, [-7, 7] for
 * int4 (QMinFromTfLiteType, QMaxFromTfLiteType). Channel along dimension 0 or 3.
 */
export function perChannelWeights(
  values: readonly number[],
  shape: number[],
  dim: 0 | 3 = 0,
  type: 'int8' | 'int4' = 'int8',
): { data: number[]; scales: number[]; quantization: Quantization } {
  const qmax = type === 'int4' ? 7 : 127;
  const channels = shape[dim]!;
  const per = values.length / channels;
  const [stride, channelStride] = dim === 0 ? [1, per] : [channels, 1];
  const data = new Array<number>(values.length);
  const scales: number[] = [];
  for (let c = 0; c < channels; c++) {
    let min = 0;
    let max = 0;
    for (let i = 0; i < per; i++) {
      const v = fr(values[c * channelStride + i * stride]!);
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    const scale = fr(Math.max(Math.abs(min), Math.abs(max)) / qmax);
    scales.push(scale);
    for (let i = 0; i < per; i++) {
      const idx = c * channelStride + i * stride;
      data[idx] = Math.min(qmax, Math.max(-qmax, cRound(fr(fr(values[idx]!) / scale))));
    }
  }
  return { data, scales, quantization: { scale: scales, zeroPoint: scales.map(() => 0), quantizedDimension: dim } };
}

/** CreatePerChannelQuantizedBiasTensor: scale input_scale * weight_scale[c], symmetric, zero point 0. */
export function perChannelBias(values: readonly number[], inputScale: number, weightScales: readonly number[], dtype: 'int32' | 'int64') {
  const scales = weightScales.map((w) => fr(fr(inputScale) * fr(w)));
  const per = values.length / scales.length;
  const data = values.map((v, i) => symmetricQuantize([v], scales[Math.floor(i / per)]!, dtype)[0]!) as number[] | bigint[];
  return { data, quantization: { scale: scales, zeroPoint: scales.map(() => 0), quantizedDimension: 0 } as Quantization };
}

/** One scale and zero point, as the tests' CreateQuantizedTensor sets them. */
export const perTensor = (scale: number, zeroPoint = 0): Quantization => ({ scale: [scale], zeroPoint: [zeroPoint], quantizedDimension: 0 });

/** ScaleFromMinMax<T> and ZeroPointFromMinMax<T> (test_helpers.h). */
export function minMaxParams(min: number, max: number, dtype: 'int8' | 'uint8' | 'int16'): [number, number] {
  const [lo, hi] = RANGE[dtype];
  const scale = fr(fr(fr(max) - fr(min)) / (hi * 1.0 - lo));
  return [scale, lo + cRound(fr(fr(-min) / scale))];
}

/** Asserts each element is within `tol` of the golden (TFLM's EXPECT_NEAR). */
export function nearEach(got: readonly number[], want: readonly number[], tol: number): string | null {
  if (got.length !== want.length) return `length ${got.length} vs ${want.length}`;
  for (let i = 0; i < got.length; i++) if (!(Math.abs(got[i]! - want[i]!) <= tol)) return `element ${i}: ${got[i]} vs ${want[i]} (tolerance ${tol})`;
  return null;
}
