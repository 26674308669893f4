// AVERAGE_POOL_2D and MAX_POOL_2D against the vectors of TFLM's
// pooling_test.cc: float32, int8 and int16, VALID and SAME, strides 1 and 2
// mixed per axis, every fused activation. TFLM's test feeds the quantized
// values as they are and checks every output within 1e-5, so these tests
// compare exactly. One TFLM vector ("...PaddingSameStride1ActNone") runs VALID
// into a 2x4 output the padding rule would make 1x3: TFLM averages the in-bounds
// part of windows that run off the input, and so must the interpreter.

import { describe, expect, it } from 'vitest';
import { ACTIVATION, PADDING } from '../../src/ops/kernel.js';
import { runOp } from '../helpers/op-harness.js';

const { NONE, RELU, RELU_N1_TO_1, RELU6 } = ACTIVATION;
const { VALID, SAME } = PADDING;

interface PoolCase {
  /** TFLM test name. */
  name: string;
  x: number[];
  golden: number[];
  /** Output [height, width] (the input is always 1x2x4x1, the window 2x2). */
  out: [number, number];
  stride: [number, number];
  padding: number;
  activation: number;
  /** [scale, zero point] of input and output, for the quantized cases. */
  q?: [number, number];
}

function pool(opcode: 'AVERAGE_POOL_2D' | 'MAX_POOL_2D', dtype: 'float32' | 'int8' | 'int16', c: PoolCase): number[] {
  const value = { padding: c.padding, strideH: c.stride[0], strideW: c.stride[1], filterHeight: 2, filterWidth: 2, fusedActivationFunction: c.activation };
  return runOp({
    opcode,
    inputs: [{ dtype, shape: [1, 2, 4, 1], data: c.x, ...(c.q ? { q: c.q } : {}) }],
    outputs: [{ dtype, shape: [1, ...c.out, 1], ...(c.q ? { q: c.q } : {}) }],
    options: { type: 'Pool2DOptions', value },
  })[0]!;
}

const Q = [0, -24, 8, 16, 12, 8, -40, 28];
const Q6 = [12, -24, 32, 16, 12, 8, 40, 28];
/** The int8 and int16 average-pool tests share their figures. */
const AVERAGE_QUANTIZED: PoolCase[] = [
  { name: 'PaddingValidStride2ActNone', x: Q, golden: [-1, 3], out: [1, 2], stride: [2, 2], padding: VALID, activation: NONE },
  { name: 'PaddingValidStride1Stride2Relu', x: Q, golden: [0, 0, 3], out: [1, 3], stride: [2, 1], padding: VALID, activation: RELU },
  { name: 'PaddingValidStride2Stride1ReluN1To1', x: Q, golden: [-1, 3], out: [1, 2], stride: [1, 2], padding: VALID, activation: RELU_N1_TO_1 },
  { name: 'PaddingValidStride2Relu6', x: Q6, golden: [2, 24], out: [1, 2], stride: [2, 2], padding: VALID, activation: RELU6 },
  { name: 'PaddingSameStride1ActNone', x: Q6, golden: [2, 14, 29, 22, 10, 24, 34, 28], out: [2, 4], stride: [1, 1], padding: VALID, activation: NONE },
].map((c): PoolCase => ({ ...c, out: c.out as [number, number], stride: c.stride as [number, number], q: [0.25, 0] }));

const X = [0, 6, 2, 4, 3, 2, 10, 7];
const MAX_FLOAT: PoolCase[] = [
  { name: 'SimpleMaxPoolTestFloat', x: X, golden: [6, 10], out: [1, 2], stride: [2, 2], padding: VALID, activation: NONE },
  { name: 'SimpleMaxPoolTestFloatRelu', x: [-1, -6, 2, 4, -3, -2, 10.5, 7], golden: [0, 10.5], out: [1, 2], stride: [2, 2], padding: VALID, activation: RELU },
  { name: 'SimpleMaxPoolTestFloatReluN1To1 (1)', x: [-2.75, -6, 0.2, 0.4, -3, -2, -0.3, 0.7], golden: [-1, 0.7], out: [1, 2], stride: [2, 2], padding: VALID, activation: RELU_N1_TO_1 },
  { name: 'SimpleMaxPoolTestFloatReluN1To1 (2)', x: [-2.75, -6, -2, -4, -3, -2, 10, -7], golden: [-1, 1], out: [1, 2], stride: [2, 2], padding: VALID, activation: RELU_N1_TO_1 },
  { name: 'SimpleMaxPoolTestFloatRelu6 (1)', x: [-1.5, -6, 12, 4, -3, -2, 10, 7], golden: [0, 6], out: [1, 2], stride: [2, 2], padding: VALID, activation: RELU6 },
  { name: 'SimpleMaxPoolTestFloatRelu6 (2)', x: [0, 4.5, 12, 4, 3, 2, 10, 7], golden: [4.5, 6], out: [1, 2], stride: [2, 2], padding: VALID, activation: RELU6 },
  { name: 'SimpleMaxPoolTestPaddingSameStride1', x: X, golden: [6, 10, 10, 7, 3, 10, 10, 7], out: [2, 4], stride: [1, 1], padding: SAME, activation: NONE },
  { name: 'SimpleMaxPoolTestPaddingValidStride1', x: X, golden: [6, 10, 10], out: [1, 3], stride: [1, 1], padding: VALID, activation: NONE },
];

/** The int8 and int16 max-pool tests share their figures. */
const MAX_QUANTIZED: PoolCase[] = [
  { name: 'ActNone', x: X, golden: [6, 10], out: [1, 2], stride: [2, 2], padding: VALID, activation: NONE, q: [1, 0] },
  { name: 'ActRelu', x: [-3, -12, 4, 8, -6, -4, 20, 14], golden: [0, 20], out: [1, 2], stride: [2, 2], padding: VALID, activation: RELU, q: [0.5, 0] },
  { name: 'ActReluN1To1', x: [-2, -6, -2, -4, -3, -2, 10, 7], golden: [-1, 1], out: [1, 2], stride: [2, 2], padding: VALID, activation: RELU_N1_TO_1, q: [1, 0] },
  { name: 'ActRelu6', x: [0, -6, 12, 4, -3, -2, 10, 7], golden: [0, 6], out: [1, 2], stride: [2, 2], padding: VALID, activation: RELU6, q: [1, 0] },
];

describe('AVERAGE_POOL_2D (pooling_test.cc)', () => {
  it('SimpleAveragePoolTestFloat', () => {
    expect(pool('AVERAGE_POOL_2D', 'float32', { name: '', x: X, golden: [], out: [1, 2], stride: [2, 2], padding: VALID, activation: NONE })).toEqual([2.75, 5.75]);
  });

  for (const dtype of ['int8', 'int16'] as const) {
    for (const c of AVERAGE_QUANTIZED) {
      it(`SimpleAveragePoolTest${dtype === 'int8' ? 'Int8' : 'Int16'}${c.name}`, () => expect(pool('AVERAGE_POOL_2D', dtype, c)).toEqual(c.golden));
    }
  }
});

describe('MAX_POOL_2D (pooling_test.cc)', () => {
  for (const c of MAX_FLOAT) it(c.name, () => expect(pool('MAX_POOL_2D', 'float32', c)).toEqual(Array.from(Float32Array.from(c.golden))));
  for (const dtype of ['int8', 'int16'] as const) {
    for (const c of MAX_QUANTIZED) {
      it(`${c.name === 'ActNone' ? 'Simple' : ''}MaxPoolTest${dtype === 'int8' ? 'Int8' : 'Int16'}${c.name}`, () => expect(pool('MAX_POOL_2D', dtype, c)).toEqual(c.golden));
    }
  }
});

/** A seeded generator of integers in [lo, hi]. */
function seeded(seed: number): (lo: number, hi: number) => number {
  let a = seed;
  return (lo, hi) => {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0;
    return lo + ((a >>> 8) % (hi - lo + 1));
  };
}

/** A random pooling geometry of depth up to maxDepth (null when a VALID window does not fit the image). */
function randomGeometry(next: (lo: number, hi: number) => number, maxDepth: number) {
  const [h, w, depth] = [next(1, 7), next(1, 9), next(1, maxDepth)];
  const [fh, fw, sh, sw] = [next(1, 4), next(1, 4), next(1, 3), next(1, 3)];
  const padding = next(0, 1) === 0 ? SAME : VALID;
  if (padding === VALID && (fh > h || fw > w)) return null;
  const size = (n: number, f: number, s: number) => (padding === SAME ? Math.ceil(n / s) : Math.floor((n - f) / s) + 1);
  const activation = [NONE, RELU, RELU6][next(0, 2)]!;
  const options = { padding, strideH: sh, strideW: sw, filterHeight: fh, filterWidth: fw, fusedActivationFunction: activation };
  return { h, w, depth, fh, fw, sh, sw, padding, oh: size(h, fh, sh), ow: size(w, fw, sw), activation, options };
}

describe('int8 pooling in the SIMD module (16 channels per vector)', () => {
  it('gives the int16 kernel\'s values on 60 random geometries, depths and activations, max and average', () => {
    const next = seeded(12345);
    for (let k = 0; k < 60; k++) {
      const g = randomGeometry(next, 40);
      if (!g) continue;
      const { h, w, depth, oh, ow } = g;
      const x = Array.from({ length: h * w * depth }, () => next(-128, 127));
      const run = (dtype: 'int8' | 'int16', opcode: 'MAX_POOL_2D' | 'AVERAGE_POOL_2D') =>
        runOp({
          opcode,
          inputs: [{ dtype, shape: [1, h, w, depth], data: x, q: [0.05, 0] }],
          outputs: [{ dtype, shape: [1, oh, ow, depth], q: [0.05, 0] }],
          options: { type: 'Pool2DOptions', value: g.options },
        })[0]!;
      expect(run('int8', 'MAX_POOL_2D'), `max, case ${k}`).toEqual(run('int16', 'MAX_POOL_2D'));
      expect(run('int8', 'AVERAGE_POOL_2D'), `average, case ${k}`).toEqual(run('int16', 'AVERAGE_POOL_2D'));
    }
  });
});

describe('float32 pooling in the SIMD module (4 channels per vector)', () => {
  it('MAX_POOL_2D is std::max from -FLT_MAX and AVERAGE_POOL_2D the float sum in window order over the taps inside, then the clamp; NaN, -0 and infinities included, on 60 random geometries, depths and activations', () => {
    const next = seeded(777);
    const FLT_MAX = 3.4028234663852886e38;
    const special = [NaN, -0, 0, Infinity, -Infinity, FLT_MAX, -FLT_MAX, 6, 1e-30];
    // Bit for bit (so -0 is not 0), but a NaN as any NaN: its sign and payload are the host's (IEEE 754 leaves them open).
    const bitsOf = (v: readonly number[]) => Array.from(new Uint32Array(Float32Array.from(v).buffer), (b, i) => (Number.isNaN(v[i]) ? 'NaN' : b));
    for (let k = 0; k < 60; k++) {
      const g = randomGeometry(next, 13);
      if (!g) continue;
      const { h, w, depth, fh, fw, sh, sw, padding, oh, ow, activation } = g;
      const x = Float32Array.from({ length: h * w * depth }, () => (next(0, 9) === 0 ? special[next(0, special.length - 1)]! : (next(0, 2000) - 1000) / 37));
      const run = (opcode: 'MAX_POOL_2D' | 'AVERAGE_POOL_2D') =>
        runOp({
          opcode,
          inputs: [{ dtype: 'float32', shape: [1, h, w, depth], data: Array.from(x) }],
          outputs: [{ dtype: 'float32', shape: [1, oh, ow, depth] }],
          options: { type: 'Pool2DOptions', value: g.options },
        })[0]!;
      const [lo, hi] = activation === NONE ? [-FLT_MAX, FLT_MAX] : activation === RELU ? [0, FLT_MAX] : [0, 6];
      const clamp = (v: number) => {
        const y = v < lo ? lo : v;
        return hi < y ? hi : y;
      };
      const padH = padding === SAME ? Math.max(0, Math.floor(((oh - 1) * sh + fh - h) / 2)) : 0;
      const padW = padding === SAME ? Math.max(0, Math.floor(((ow - 1) * sw + fw - w) / 2)) : 0;
      const max: number[] = [];
      const average: number[] = [];
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          for (let c = 0; c < depth; c++) {
            let m = -FLT_MAX;
            let sum = 0;
            let count = 0;
            for (let fy = 0; fy < fh; fy++) {
              for (let fx = 0; fx < fw; fx++) {
                const [y, xx] = [oy * sh - padH + fy, ox * sw - padW + fx];
                if (y < 0 || y >= h || xx < 0 || xx >= w) continue;
                const v = x[(y * w + xx) * depth + c]!;
                if (m < v) m = v;
                sum = Math.fround(sum + v);
                count++;
              }
            }
            max.push(clamp(m));
            average.push(clamp(Math.fround(sum / count)));
          }
        }
      }
      expect(bitsOf(run('MAX_POOL_2D')), `max, case ${k}`).toEqual(bitsOf(max));
      expect(bitsOf(run('AVERAGE_POOL_2D')), `average, case ${k}`).toEqual(bitsOf(average));
    }
  });
});
