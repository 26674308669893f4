// Real numbers to a quantized tensor's integers and back, with TFLM's own
// arithmetic (reference_ops::AffineQuantize and Dequantize), so values an app
// quantizes are the bytes a QUANTIZE operator of the model would have made.

import { TinysegError } from '../errors.js';
import { roundHalfAway } from '../ops/fixed-point.js';
import { arrayTypeOf, type EdgeTensor } from './tensor-view.js';

const RANGE: Readonly<Record<string, readonly [number, number]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
};

/** The integers of a quantized tensor. */
export type QuantizedArray = Int8Array | Uint8Array | Int16Array | Int32Array;

type Quantized = Pick<EdgeTensor, 'name' | 'dtype' | 'scale' | 'zeroPoint'>;

function affine(t: Quantized): { scale: number; zeroPoint: number; range: readonly [number, number] } {
  const range = RANGE[t.dtype];
  if (!range) throw new TinysegError('E_USAGE', `tensor '${t.name}' is ${t.dtype}: only int8, uint8, int16 and int32 tensors are quantized`);
  if (t.scale === undefined || t.zeroPoint === undefined) {
    throw new TinysegError('E_USAGE', `tensor '${t.name}' has no per-tensor quantization`, { hint: 'per-channel and unquantized tensors take their values as they are' });
  }
  return { scale: t.scale, zeroPoint: t.zeroPoint, range };
}

/** `values` as `t`'s integers: round(x / scale) in float32, half away from zero, plus the zero point, clamped to the type. */
export function quantize(t: Quantized, values: ArrayLike<number>, out?: QuantizedArray): QuantizedArray {
  const { scale, zeroPoint, range } = affine(t);
  const [lo, hi] = range;
  const Type = arrayTypeOf(t.dtype)!;
  const dst = out ?? (new Type(new ArrayBuffer(values.length * Type.BYTES_PER_ELEMENT), 0, values.length) as QuantizedArray);
  if (dst.length !== values.length) throw new TinysegError('E_USAGE', `tensor '${t.name}': ${values.length} values for ${dst.length} elements`);
  const scaleF = Math.fround(scale);
  for (let i = 0; i < values.length; i++) {
    const q = roundHalfAway(Math.fround(Math.fround(values[i]!) / scaleF)) + zeroPoint;
    dst[i] = q < lo ? lo : q > hi ? hi : q;
  }
  return dst;
}

/** `t`'s integers (its values in the arena unless given) as real numbers: float32 of scale × (q − zero point). */
export function dequantize(t: Quantized & Partial<Pick<EdgeTensor, 'data'>>, values: ArrayLike<number> | undefined = t.data as ArrayLike<number> | undefined): Float32Array {
  const { scale, zeroPoint } = affine(t);
  if (values === undefined) throw new TinysegError('E_USAGE', `tensor '${t.name}': no values to dequantize`);
  // The model stores the scale as a float32; TFLM widens it to double for the product.
  const scaleF = Math.fround(scale);
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = scaleF * (values[i]! - zeroPoint);
  return out;
}
