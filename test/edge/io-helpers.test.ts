// The runtime's I/O helpers: quantize/dequantize give the bytes the model's own
// QUANTIZE and DEQUANTIZE operators compute (TFLM's kernels, run by the
// interpreter), and imageInput lays RGBA pixels out as the input tensor wants
// them, normalized, resized and quantized.

import { describe, expect, it } from 'vitest';
import { dequantize, imageInput, quantize, type EdgeTensor } from '../../src/runtime/index.js';
import { prng } from '../helpers/prng.js';
import { q, runUnary } from '../helpers/single-op.js';

const tensor = (dtype: EdgeTensor['dtype'], shape: number[], scale?: number, zeroPoint?: number) => ({ name: 'x', dtype, shape, scale, zeroPoint });

/** Floats around the representable range of int8 at scale 0.05, halves included (ties round away from zero). */
function floats(n: number): Float32Array {
  const next = prng(7);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = i % 4 === 0 ? ((next() % 600) - 300) * 0.025 : ((next() / 2 ** 32) * 16 - 8);
  return out;
}

describe('quantize and dequantize', () => {
  it("match the model's QUANTIZE operator on int8 and int16, ties and saturation included", () => {
    const x = floats(4096);
    for (const [dtype, scale, zp] of [['int8', 0.05, -3], ['int16', 0.0003, 0]] as const) {
      const expected = runUnary('QUANTIZE', { dtype: 'float32', shape: [x.length] }, { dtype, shape: [x.length], quantization: q(scale, zp) }, x);
      const got = quantize(tensor(dtype, [x.length], scale, zp), x);
      expect(got).toBeInstanceOf(dtype === 'int8' ? Int8Array : Int16Array);
      expect(Array.from(got as Int8Array)).toEqual(Array.from(expected as Int8Array));
    }
    expect(Array.from(quantize(tensor('int8', [4], 0.5, -3), [1.25, -1.25, 1000, -1000]) as Int8Array)).toEqual([0, -6, 127, -128]);
    expect(Array.from(quantize(tensor('uint8', [2], 0.5, 10), [-100, 1.25]) as Uint8Array)).toEqual([0, 13]);
  });

  it("match the model's DEQUANTIZE operator", () => {
    const codes = Int8Array.from({ length: 256 }, (_, i) => i - 128);
    const expected = runUnary('DEQUANTIZE', { dtype: 'int8', shape: [256], quantization: q(0.0371, 5) }, { dtype: 'float32', shape: [256] }, codes);
    expect(Array.from(dequantize(tensor('int8', [256], 0.0371, 5), codes))).toEqual(Array.from(expected as Float32Array));
  });

  it('refuse tensors without per-tensor quantization', () => {
    expect(() => quantize(tensor('float32', [1]), [1])).toThrow(/is float32: only int8, uint8, int16 and int32 tensors are quantized/);
    expect(() => dequantize(tensor('int8', [1]), [1])).toThrow(/has no per-tensor quantization/);
  });
});

describe('imageInput', () => {
  // 2 x 2 RGBA pixels: red, green / blue, white.
  const image = { width: 2, height: 2, data: Uint8ClampedArray.from([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 128]) };

  it('lays out RGB, RGBA and luma, normalized by mean and std', () => {
    const rgb = imageInput(tensor('float32', [1, 2, 2, 3]), image, { mean: [0, 127.5, 255], std: 255 });
    expect(Array.from(rgb)).toEqual(Array.from(Float32Array.from([1, -0.5, -1, 0, 0.5, -1, 0, -0.5, 0, 1, 0.5, 0])));
    expect(Array.from(imageInput(tensor('float32', [1, 2, 2, 4]), image)).slice(12)).toEqual([255, 255, 255, 128]);
    const luma = imageInput(tensor('float32', [1, 2, 2, 1]), image);
    expect(Array.from(luma)).toEqual(Array.from(Float32Array.from([0.299 * 255, 0.587 * 255, 0.114 * 255, 255])));
  });

  it('quantizes for a quantized input with its scale and zero point', () => {
    const input = tensor('int8', [1, 2, 2, 3], 1 / 255, -128);
    const got = imageInput(input, image, { std: 255 });
    expect(got).toBeInstanceOf(Int8Array);
    expect(Array.from(got)).toEqual(Array.from(quantize(input, imageInput(tensor('float32', [1, 2, 2, 3]), image, { std: 255 }))));
    expect(Array.from(got).slice(0, 3)).toEqual([127, -128, -128]);
  });

  it('resizes bilinearly with half-pixel centres', () => {
    // A 4 x 1 ramp 0, 100, 200, 250 (red) sampled at 2 x 1: centres at 0.5 and 2.5 -> 50 and 225.
    const ramp = { width: 4, height: 1, data: Uint8ClampedArray.from([0, 0, 0, 0, 100, 0, 0, 0, 200, 0, 0, 0, 250, 0, 0, 0]) };
    const two = imageInput(tensor('float32', [1, 1, 2, 3]), ramp);
    expect(Array.from(two).filter((_, i) => i % 3 === 0)).toEqual([50, 225]);
    // Upscaling 2 x 2 to 4 x 4 keeps the corners and interpolates between them.
    const up = imageInput(tensor('float32', [1, 4, 4, 3]), image);
    expect(up[0]).toBe(255);
    expect(up[(1 * 4 + 1) * 3]).toBeCloseTo(255 * 0.75 * 0.75 + 255 * 0.25 * 0.25, 4);
  });

  it('refuses shapes that are not one image and images too small for their size', () => {
    expect(() => imageInput(tensor('float32', [2, 2, 2, 3]), image)).toThrow(/is \[1, height, width, 1 \| 3 \| 4\]/);
    expect(() => imageInput(tensor('float32', [1, 2, 2, 3]), { width: 3, height: 2, data: image.data })).toThrow(/3 x 2 RGBA pixels need 24/);
    expect(() => imageInput(tensor('float32', [1, 2, 2, 3]), image, { mean: [1, 2] })).toThrow('mean has 2 values for 3 channels');
  });
});
