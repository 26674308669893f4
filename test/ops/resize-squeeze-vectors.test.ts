// RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR and SQUEEZE against the vectors of
// TFLM's resize_bilinear_test.cc, resize_nearest_neighbor_test.cc and
// squeeze_test.cc. TFLM checks nearest-neighbor and squeeze outputs with
// EXPECT_EQ and bilinear within 1e-5, except two int8 bilinear cases it checks
// within 1; where a result is not exactly TFLM's golden the test takes TFLM's
// tolerance and says so, everything else is compared exactly.

import { describe, expect, it } from 'vitest';
import type { DType } from '../../src/graph/types.js';
import { runOp } from '../helpers/op-harness.js';
import { nearEach } from '../helpers/tflm-test-quant.js';

type Vec = [number[], number[]];

function resize(opcode: 'RESIZE_BILINEAR' | 'RESIZE_NEAREST_NEIGHBOR', dtype: DType, input: Vec, size: [number, number], outShape: number[]): number[] {
  // TFLM's bilinear test gives its int8 tensors scale -128 and zero point 127; the kernel reads neither.
  const q: [number, number] | undefined = dtype === 'int8' && opcode === 'RESIZE_BILINEAR' ? [-128, 127] : undefined;
  const options =
    opcode === 'RESIZE_BILINEAR'
      ? { type: 'ResizeBilinearOptions', value: { alignCorners: false, halfPixelCenters: false } }
      : { type: 'ResizeNearestNeighborOptions', value: { alignCorners: false, halfPixelCenters: false } };
  return runOp({
    opcode,
    inputs: [
      { dtype, shape: input[0], data: input[1], ...(q ? { q } : {}) },
      { dtype: 'int32', shape: [2], data: size, constant: true },
    ],
    outputs: [{ dtype, shape: outShape, ...(q ? { q } : {}) }],
    options,
  })[0]!;
}

/**
 * reference_ops::ResizeBilinear (float32) written out: ComputeInterpolationValues per axis, then for each value the C
 * expression left to right, every product and sum rounded to float.
 */
type Shape4 = readonly [number, number, number, number];
function resizeBilinearReference(x: number[], [n, inH, inW, depth]: Shape4, outH: number, outW: number, align: boolean, half: boolean): number[] {
  const f = Math.fround;
  const axis = (inSize: number, outSize: number) => {
    const scale = align && outSize > 1 ? f((inSize - 1) / (outSize - 1)) : f(inSize / outSize);
    return Array.from({ length: outSize }, (_, v) => {
      const p = half ? f(f(f(v + 0.5) * scale) - 0.5) : f(v * scale);
      return { p, lo: Math.max(Math.floor(p), 0), hi: Math.min(Math.ceil(p), inSize - 1) };
    });
  };
  const ys = axis(inH, outH);
  const xs = axis(inW, outW);
  const at = (b: number, y: number, xx: number, c: number) => x[((b * inH + y) * inW + xx) * depth + c]!;
  const out: number[] = [];
  for (let b = 0; b < n; b++) {
    for (const y of ys) {
      for (const xx of xs) {
        const dy = f(y.p - y.lo);
        const dx = f(xx.p - xx.lo);
        const ry = f(1 - dy);
        const rx = f(1 - dx);
        for (let c = 0; c < depth; c++) {
          const v = f(f(f(f(at(b, y.lo, xx.lo, c) * ry) * rx) + f(f(at(b, y.hi, xx.lo, c) * dy) * rx)) + f(f(at(b, y.lo, xx.hi, c) * ry) * dx));
          out.push(f(f(v + f(f(at(b, y.hi, xx.hi, c) * dy) * dx)) + 0));
        }
      }
    }
  }
  return out;
}

describe('RESIZE_BILINEAR (float32): the reference expression, exactly', () => {
  it('on 40 random shapes, depths 1 to 9 (vectors of 4 and the rest), every corner mode, up and down, -0 in the input', () => {
    let seed = 11;
    const r = (k: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % k;
    for (let t = 0; t < 40; t++) {
      const shape = [1 + r(2), 1 + r(6), 1 + r(6), 1 + r(9)] as const;
      const [outH, outW] = [1 + r(9), 1 + r(9)];
      const align = r(3) === 0;
      const half = !align && r(2) === 0;
      const count = shape.reduce((a, b) => a * b, 1);
      const x = Array.from({ length: count }, (_, i) => (i % 17 === 3 ? -0 : Math.fround((r(20001) - 10000) / 7)));
      const got = runOp({
        opcode: 'RESIZE_BILINEAR',
        inputs: [{ dtype: 'float32', shape: [...shape], data: x }, { dtype: 'int32', shape: [2], data: [outH, outW], constant: true }],
        outputs: [{ dtype: 'float32', shape: [shape[0], outH, outW, shape[3]] }],
        options: { type: 'ResizeBilinearOptions', value: { alignCorners: align, halfPixelCenters: half } },
      })[0]!;
      const want = resizeBilinearReference(x, shape, outH, outW, align, half);
      got.forEach((v, i) => expect(Object.is(v, want[i]), `case ${t} ${shape} -> ${outH}x${outW} element ${i}: ${v} against ${want[i]}`).toBe(true));
    }
  });
});

/**
 * reference_ops::ResizeBilinearInteger written out: ComputeInterpolationValuesInteger per axis (C's truncating
 * division), then per value the four corners times their 10-bit weights, divided by 2^20 rounding half away from zero.
 */
function resizeBilinearIntegerReference(x: number[], [n, inH, inW, depth]: Shape4, outH: number, outW: number, align: boolean, half: boolean): number[] {
  const t = Math.trunc;
  const scale10 = (inSize: number, outSize: number) =>
    align && outSize > 1 ? t((1024 * (inSize - 1) + t((outSize - 1) / 2)) / (outSize - 1)) : t((1024 * inSize + t(outSize / 2)) / outSize);
  const axis = (v: number, scale: number, inSize: number) => {
    const p = half ? v * scale + t(scale / 2) - 512 : v * scale;
    const lo = Math.max(t(p / 1024), 0);
    return { lo, hi: Math.min(t((p + 1023) / 1024), inSize - 1), f: p - 1024 * lo };
  };
  const at = (b: number, y: number, xx: number, c: number) => x[((b * inH + y) * inW + xx) * depth + c]!;
  const out: number[] = [];
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const y = axis(oy, scale10(inH, outH), inH);
      for (let ox = 0; ox < outW; ox++) {
        const xx = axis(ox, scale10(inW, outW), inW);
        for (let c = 0; c < depth; c++) {
          const sum = at(b, y.lo, xx.lo, c) * (1024 - y.f) * (1024 - xx.f) + at(b, y.hi, xx.lo, c) * y.f * (1024 - xx.f)
            + at(b, y.lo, xx.hi, c) * (1024 - y.f) * xx.f + at(b, y.hi, xx.hi, c) * y.f * xx.f;
          out.push(t((sum + (sum > 0 ? 2 ** 19 : -(2 ** 19))) / 2 ** 20) | 0);
        }
      }
    }
  }
  return out;
}

describe('RESIZE_BILINEAR (int8): ResizeBilinearInteger, exactly', () => {
  it('on 60 random shapes: 2x, 4x and 8x with half-pixel centers (int16 sums), 16x, other sizes and corner modes (int32 sums), depths 1 to 40', () => {
    let seed = 5;
    const r = (k: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % k;
    const depths = [1, 3, 8, 9, 15, 16, 17, 24, 31, 40];
    for (let t = 0; t < 60; t++) {
      const shape = [1 + r(2), 1 + r(7), 1 + r(7), depths[r(depths.length)]!] as const;
      const power = t % 3 !== 2;
      const factor = 2 ** (1 + r(4));
      const [outH, outW] = power ? [shape[1] * factor, shape[2] * factor] : [1 + r(12), 1 + r(12)];
      const align = !power && r(3) === 0;
      const half = power || (!align && r(2) === 0);
      const count = shape.reduce((a, b) => a * b, 1);
      // Every fourth case all at one extreme, where int16 sums have the least room.
      const extreme = t % 4 === 3 ? (t % 8 === 3 ? -128 : 127) : null;
      const x = Array.from({ length: count }, () => extreme ?? r(256) - 128);
      const got = runOp({
        opcode: 'RESIZE_BILINEAR',
        inputs: [{ dtype: 'int8', shape: [...shape], data: x, q: [0.1, 0] }, { dtype: 'int32', shape: [2], data: [outH, outW], constant: true }],
        outputs: [{ dtype: 'int8', shape: [shape[0], outH, outW, shape[3]], q: [0.1, 0] }],
        options: { type: 'ResizeBilinearOptions', value: { alignCorners: align, halfPixelCenters: half } },
      })[0]!;
      expect(got, `case ${t} ${shape} -> ${outH}x${outW} (align ${align}, half ${half})`).toEqual(resizeBilinearIntegerReference(x, shape, outH, outW, align, half));
    }
  });
});

describe('RESIZE_BILINEAR (resize_bilinear_test.cc)', () => {
  const bilinear = (dtype: 'float32' | 'int8', input: Vec, size: [number, number], outShape: number[]) => resize('RESIZE_BILINEAR', dtype, input, size, outShape);

  it('HorizontalResize, VerticalResize, TwoDimensionalResize (float32 and int8)', () => {
    for (const dtype of ['float32', 'int8'] as const) {
      expect(bilinear(dtype, [[1, 1, 2, 1], [3, 6]], [1, 3], [1, 1, 3, 1])).toEqual([3, 5, 6]);
      expect(bilinear(dtype, [[1, 2, 1, 1], [3, 9]], [3, 1], [1, 3, 1, 1])).toEqual([3, 7, 9]);
      expect(bilinear(dtype, [[1, 2, 2, 1], [3, 6, 9, 12]], [3, 3], [1, 3, 3, 1])).toEqual([3, 5, 6, 7, 9, 10, 9, 11, 12]);
    }
  });

  it('TwoDimensionalResizeWithTwoBatches, ThreeDimensionalResize (float32; TFLM checks within 1e-5)', () => {
    // float32 weights of 2/3 make 14 come out 13.999999 in the reference kernel's own float order: TFLM's check is toleranced, so is this one.
    const twoBatches = bilinear('float32', [[2, 2, 2, 1], [3, 6, 9, 12, 4, 10, 10, 16]], [3, 3], [2, 3, 3, 1]);
    expect(nearEach(twoBatches, [3, 5, 6, 7, 9, 10, 9, 11, 12, 4, 8, 10, 8, 12, 14, 10, 14, 16], 1e-5)).toBeNull();
    const threeD = bilinear('float32', [[1, 2, 2, 2], [3, 4, 6, 10, 9, 10, 12, 16]], [3, 3], [1, 3, 3, 2]);
    expect(nearEach(threeD, [3, 4, 5, 8, 6, 10, 7, 8, 9, 12, 10, 14, 9, 10, 11, 14, 12, 16], 1e-5)).toBeNull();
  });

  it('TwoDimensionalResizeWithTwoBatchesInt8, ThreeDimensionalResizeInt8 (TFLM checks within 1)', () => {
    const twoBatches = bilinear('int8', [[2, 2, 2, 1], [3, 6, 9, 12, 4, 10, 12, 16]], [3, 3], [2, 3, 3, 1]);
    expect(nearEach(twoBatches, [3, 5, 6, 7, 9, 10, 9, 11, 12, 4, 8, 10, 9, 12, 13, 12, 14, 16], 1)).toBeNull();
    const threeD = bilinear('int8', [[1, 2, 2, 2], [3, 4, 6, 10, 10, 12, 14, 16]], [3, 3], [1, 3, 3, 2]);
    expect(nearEach(threeD, [3, 4, 5, 8, 6, 10, 7, 9, 10, 12, 11, 13, 10, 12, 12, 14, 14, 16], 1)).toBeNull();
  });
});

describe('RESIZE_NEAREST_NEIGHBOR (resize_nearest_neighbor_test.cc)', () => {
  const nearest = (dtype: 'float32' | 'int8' | 'int16', input: Vec, size: [number, number], outShape: number[]) => resize('RESIZE_NEAREST_NEIGHBOR', dtype, input, size, outShape);

  it('HorizontalResize, VerticalResize, TwoDimensionalResize (float32)', () => {
    expect(nearest('float32', [[1, 1, 2, 1], [3, 6]], [1, 3], [1, 1, 3, 1])).toEqual([3, 3, 6]);
    expect(nearest('float32', [[1, 2, 1, 1], [3, 9]], [3, 1], [1, 3, 1, 1])).toEqual([3, 3, 9]);
    expect(nearest('float32', [[1, 2, 2, 1], [3, 6, 9, 12]], [3, 3], [1, 3, 3, 1])).toEqual([3, 3, 6, 3, 3, 6, 9, 9, 12]);
  });

  it('TwoDimensionalResizeWithTwoBatches, ThreeDimensionalResize (float32)', () => {
    expect(nearest('float32', [[2, 2, 2, 1], [3, 6, 9, 12, 4, 10, 10, 16]], [3, 3], [2, 3, 3, 1])).toEqual([3, 3, 6, 3, 3, 6, 9, 9, 12, 4, 4, 10, 4, 4, 10, 10, 10, 16]);
    expect(nearest('float32', [[1, 2, 2, 2], [3, 4, 6, 10, 9, 10, 12, 16]], [3, 3], [1, 3, 3, 2])).toEqual([3, 4, 3, 4, 6, 10, 3, 4, 3, 4, 6, 10, 9, 10, 9, 10, 12, 16]);
  });

  for (const dtype of ['int8', 'int16'] as const) {
    it(`HorizontalResize, VerticalResize, TwoDimensionalResize, ...WithTwoBatches, ThreeDimensionalResize (${dtype})`, () => {
      expect(nearest(dtype, [[1, 1, 2, 1], [-3, 6]], [1, 3], [1, 1, 3, 1])).toEqual([-3, -3, 6]);
      expect(nearest(dtype, [[1, 2, 1, 1], [3, -9]], [3, 1], [1, 3, 1, 1])).toEqual([3, 3, -9]);
      expect(nearest(dtype, [[1, 2, 2, 1], [3, -6, 9, 12]], [3, 3], [1, 3, 3, 1])).toEqual([3, 3, -6, 3, 3, -6, 9, 9, 12]);
      const twoBatches = nearest(dtype, [[2, 2, 2, 1], [3, 6, 9, -12, -4, 10, 10, 16]], [3, 3], [2, 3, 3, 1]);
      expect(twoBatches).toEqual([3, 3, 6, 3, 3, 6, 9, 9, -12, -4, -4, 10, -4, -4, 10, 10, 10, 16]);
      const threeD = nearest(dtype, [[1, 2, 2, 2], [3, 4, -6, 10, 10, 12, -14, 16]], [3, 3], [1, 3, 3, 2]);
      expect(threeD).toEqual([3, 4, 3, 4, -6, 10, 3, 4, 3, 4, -6, 10, 10, 12, 10, 12, -14, 16]);
    });
  }
});

describe('SQUEEZE (squeeze_test.cc)', () => {
  const iota = Array.from({ length: 24 }, (_, i) => i + 1);
  const squeeze = (inShape: number[], data: number[], outShape: number[], squeezeDims: number[]) =>
    runOp({
      opcode: 'SQUEEZE',
      inputs: [{ dtype: 'int32', shape: inShape, data }],
      outputs: [{ dtype: 'int32', shape: outShape }],
      options: { type: 'SqueezeOptions', value: { squeezeDims } },
    })[0]!;

  it('SqueezeAll, SqueezeSelectedAxis, SqueezeNegativeAxis, SqueezeAllDims (int32)', () => {
    expect(squeeze([1, 24, 1], iota, [24], [])).toEqual(iota);
    expect(squeeze([1, 24, 1], iota, [1, 24], [2])).toEqual(iota);
    expect(squeeze([1, 24, 1], iota, [24], [-1, 0])).toEqual(iota);
    expect(squeeze([1, 1, 1, 1, 1, 1, 1], [3], [1], [])).toEqual([3]);
  });
});

describe('int8 RESIZE_BILINEAR, 8 channels a vector', () => {
  it('gives each channel the bytes the one-channel (scalar) path gives it, in every mode, up and down', () => {
    let seed = 5;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const modes = [
      { alignCorners: false, halfPixelCenters: false },
      { alignCorners: true, halfPixelCenters: false },
      { alignCorners: false, halfPixelCenters: true },
    ];
    const run = (h: number, w: number, c: number, data: number[], size: [number, number], value: Record<string, unknown>) =>
      runOp({
        opcode: 'RESIZE_BILINEAR',
        inputs: [
          { dtype: 'int8', shape: [1, h, w, c], data, q: [0.1, 0] },
          { dtype: 'int32', shape: [2], data: size, constant: true },
        ],
        outputs: [{ dtype: 'int8', shape: [1, size[0], size[1], c], q: [0.1, 0] }],
        options: { type: 'ResizeBilinearOptions', value },
      })[0]!;
    for (const [h, w, size] of [[3, 5, [7, 9]], [4, 4, [8, 8]], [6, 7, [4, 3]], [2, 9, [5, 20]]] as [number, number, [number, number]][]) {
      for (const value of modes) {
        const c = 16;
        const data = Array.from({ length: h * w * c }, () => Math.floor(rand() * 256) - 128);
        const whole = run(h, w, c, data, size, value);
        for (let k = 0; k < c; k++) {
          const one = run(h, w, 1, data.filter((_, i) => i % c === k), size, value);
          expect(whole.filter((_, i) => i % c === k), `${h}x${w} -> ${size.join('x')} ${JSON.stringify(value)} channel ${k}`).toEqual(one);
        }
      }
    }
  });
});

describe('RESIZE_NEAREST_NEIGHBOR from 2 KB of output, in the SIMD module', () => {
  it('copies the pixel TFLM picks (align_corners, half_pixel_centers or neither) for int8, int16 and float32 pixels of any size', () => {
    const roundHalfAway = (v: number) => (v < 0 ? -Math.round(-v) : Math.round(v));
    /** resize_nearest_neighbor.cc's source index of output index v. */
    const source = (v: number, inSize: number, outSize: number, align: boolean, half: boolean) => {
      const scale = align && outSize > 1 ? Math.fround((inSize - 1) / (outSize - 1)) : Math.fround(inSize / outSize);
      const p = Math.fround(Math.fround(v + (half ? 0.5 : 0)) * scale);
      const r = Math.min(align ? roundHalfAway(p) : Math.floor(p), inSize - 1);
      return half ? Math.max(0, r) : r;
    };
    const cases: [DType, number, number, number, number, [number, number]][] = [
      ['int8', 2, 9, 13, 8, [20, 27]],
      ['int16', 1, 7, 6, 3, [15, 25]],
      ['float32', 1, 12, 10, 5, [13, 11]],
    ];
    for (const [dtype, batches, h, w, c, size] of cases) {
      for (const [align, half] of [[false, false], [true, false], [false, true]] as const) {
        const data = Array.from({ length: batches * h * w * c }, (_, i) => ((i * 7919) % 251) - 125);
        const got = runOp({
          opcode: 'RESIZE_NEAREST_NEIGHBOR',
          inputs: [
            { dtype, shape: [batches, h, w, c], data },
            { dtype: 'int32', shape: [2], data: size, constant: true },
          ],
          outputs: [{ dtype, shape: [batches, size[0], size[1], c] }],
          options: { type: 'ResizeNearestNeighborOptions', value: { alignCorners: align, halfPixelCenters: half } },
        })[0]!;
        expect(got.length * (dtype === 'int8' ? 1 : dtype === 'int16' ? 2 : 4)).toBeGreaterThanOrEqual(2048);
        const want: number[] = [];
        for (let n = 0; n < batches; n++) {
          for (let y = 0; y < size[0]; y++) {
            for (let x = 0; x < size[1]; x++) {
              const at = ((n * h + source(y, h, size[0], align, half)) * w + source(x, w, size[1], align, half)) * c;
              want.push(...data.slice(at, at + c));
            }
          }
        }
        expect(got, `${dtype} ${align ? 'align' : half ? 'half' : 'plain'}`).toEqual(want);
      }
    }
  });
});
