// Kernels the corpus does not exercise but the optimizer relies on (slicing,
// splitting, depth-to-space), and the rewrite it plans for TRANSPOSE_CONV with
// kernel == stride: a 1x1 CONV_2D with 4x the channels plus DEPTH_TO_SPACE must
// give the same bytes, int8 and float32.

import { describe, expect, it } from 'vitest';
import { TinysegError } from '../../src/errors.js';
import { GraphBuilder } from '../../src/graph/builder.js';
import type { Quantization } from '../../src/graph/types.js';
import { runGuarded, runModel } from '../../src/interpreter/interpreter.js';
import { randomInput } from '../../src/interpreter/oracle-input.js';

const q = (scale: number, zeroPoint = 0): Quantization => ({ scale: [scale], zeroPoint: [zeroPoint], quantizedDimension: 0 });
const iota = (n: number) => Int8Array.from({ length: n }, (_, i) => (i % 200) - 100);
const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const int8 = (b: Uint8Array) => Array.from(new Int8Array(b.buffer, b.byteOffset, b.length));

/** x[n,h,w,c] of an NHWC int8 array. */
const at = (a: Int8Array, [, H, W, C]: number[], n: number, h: number, w: number, c: number) => a[((n * H! + h) * W! + w) * C! + c]!;

describe('STRIDED_SLICE', () => {
  function slice(begin: number[], end: number[], strides: number[], outShape: number[], masks: Record<string, number> = {}) {
    const b = new GraphBuilder();
    const x = b.input('x', { dtype: 'int8', shape: [1, 4, 5, 6], quantization: q(0.1) });
    const y = b.tensor('y', { dtype: 'int8', shape: outShape, quantization: q(0.1) });
    const c = (name: string, v: number[]) => b.constant(name, { dtype: 'int32', shape: [4] }, new Int32Array(v));
    b.op({
      opcode: 'STRIDED_SLICE',
      inputs: [x, c('begin', begin), c('end', end), c('strides', strides)],
      outputs: [y],
      options: { type: 'StridedSliceOptions', value: masks },
    });
    b.output(y);
    const input = iota(4 * 5 * 6);
    return { input, out: int8(runGuarded(b.build(), [bytes(input)])[0]!) };
  }

  it('takes a channel slice', () => {
    const { input, out } = slice([0, 0, 0, 2], [1, 4, 5, 5], [1, 1, 1, 1], [1, 4, 5, 3]);
    const want: number[] = [];
    for (let h = 0; h < 4; h++) for (let w = 0; w < 5; w++) for (let c = 2; c < 5; c++) want.push(at(input, [1, 4, 5, 6], 0, h, w, c));
    expect(out).toEqual(want);
  });

  it('honours masks, negative indices and negative strides', () => {
    // rows 3..1 backwards, every other column from the end mask, last channel.
    const { input, out } = slice([0, -1, 0, -1], [1, 0, 0, 6], [1, -1, 2, 1], [1, 3, 3, 1], { beginMask: 1, endMask: 5, shrinkAxisMask: 0 });
    const want: number[] = [];
    for (const h of [3, 2, 1]) for (const w of [0, 2, 4]) want.push(at(input, [1, 4, 5, 6], 0, h, w, 5));
    expect(out).toEqual(want);
  });
});

describe('TRANSPOSE and PAD', () => {
  function one(opcode: 'TRANSPOSE' | 'PAD', constant: Int32Array, constShape: number[], outShape: number[]) {
    const b = new GraphBuilder();
    const x = b.input('x', { dtype: 'int8', shape: [1, 4, 5, 6], quantization: q(0.1, -7) });
    const y = b.tensor('y', { dtype: 'int8', shape: outShape, quantization: q(0.1, -7) });
    const c = b.constant('c', { dtype: 'int32', shape: constShape }, constant);
    b.op({ opcode, inputs: [x, c], outputs: [y] });
    b.output(y);
    const input = iota(4 * 5 * 6);
    return { input, out: int8(runGuarded(b.build(), [bytes(input)])[0]!) };
  }

  it('moves the channel axis ahead of the rows (TRANSPOSE 0, 3, 1, 2)', () => {
    const { input, out } = one('TRANSPOSE', new Int32Array([0, 3, 1, 2]), [4], [1, 6, 4, 5]);
    const want: number[] = [];
    for (let c = 0; c < 6; c++) for (let h = 0; h < 4; h++) for (let w = 0; w < 5; w++) want.push(at(input, [1, 4, 5, 6], 0, h, w, c));
    expect(out).toEqual(want);
  });

  it('pads rows and channels with the output zero point (PAD)', () => {
    const { input, out } = one('PAD', new Int32Array([0, 0, 1, 2, 0, 0, 2, 1]), [4, 2], [1, 7, 5, 9]);
    const want: number[] = [];
    for (let h = 0; h < 7; h++) {
      for (let w = 0; w < 5; w++) {
        for (let c = 0; c < 9; c++) want.push(h < 1 || h >= 5 || c < 2 || c >= 8 ? -7 : at(input, [1, 4, 5, 6], 0, h - 1, w, c - 2));
      }
    }
    expect(out).toEqual(want);
  });
});

describe('SPLIT_V and CONCATENATION', () => {
  it('splits channels 2 + 4 and concatenates them back to the input bytes', () => {
    const b = new GraphBuilder();
    const x = b.input('x', { dtype: 'int8', shape: [1, 3, 3, 6], quantization: q(0.1) });
    const a = b.tensor('a', { dtype: 'int8', shape: [1, 3, 3, 2], quantization: q(0.1) });
    const c = b.tensor('c', { dtype: 'int8', shape: [1, 3, 3, 4], quantization: q(0.1) });
    const y = b.tensor('y', { dtype: 'int8', shape: [1, 3, 3, 6], quantization: q(0.1) });
    const sizes = b.constant('sizes', { dtype: 'int32', shape: [2] }, new Int32Array([2, -1]));
    const axis = b.constant('axis', { dtype: 'int32', shape: [] }, new Int32Array([3]));
    b.op({ opcode: 'SPLIT_V', inputs: [x, sizes, axis], outputs: [a, c], options: { type: 'SplitVOptions', value: { numSplits: 2 } } });
    b.op({ opcode: 'CONCATENATION', inputs: [a, c], outputs: [y], options: { type: 'ConcatenationOptions', value: { axis: -1 } } });
    b.output(a, y);
    const input = iota(54);
    const [first, back] = runGuarded(b.build(), [bytes(input)]);
    const want: number[] = [];
    for (let p = 0; p < 9; p++) want.push(input[p * 6]!, input[p * 6 + 1]!);
    expect(int8(first!)).toEqual(want);
    expect(int8(back!)).toEqual(Array.from(input));
  });
});

describe('DEPTH_TO_SPACE', () => {
  it('moves channel blocks into 2x2 pixels (TensorFlow semantics)', () => {
    const b = new GraphBuilder();
    const x = b.input('x', { dtype: 'int8', shape: [1, 1, 2, 8], quantization: q(1) });
    const y = b.tensor('y', { dtype: 'int8', shape: [1, 2, 4, 2], quantization: q(1) });
    b.op({ opcode: 'DEPTH_TO_SPACE', inputs: [x], outputs: [y], options: { type: 'DepthToSpaceOptions', value: { blockSize: 2 } } });
    b.output(y);
    const input = Int8Array.from({ length: 16 }, (_, i) => i);
    // pixel 0 holds blocks (0,0)=[0,1] (0,1)=[2,3] (1,0)=[4,5] (1,1)=[6,7]; pixel 1 the same from 8.
    expect(int8(runModel(b.build(), [bytes(input)])[0]!)).toEqual([0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 12, 13, 14, 15]);
  });
});

describe('TRANSPOSE_CONV with kernel == stride', () => {
  const [H, W, CI, CO] = [3, 4, 5, 3];

  function pair(dtype: 'int8' | 'float32') {
    const rand = (() => {
      let s = 7;
      return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
    })();
    const wq: Quantization = { scale: [0.02, 0.03, 0.025], zeroPoint: [0, 0, 0], quantizedDimension: 0 };
    const filter = dtype === 'int8' ? Int8Array.from({ length: CO * 4 * CI }, () => Math.round(rand() * 127)) : Float32Array.from({ length: CO * 4 * CI }, rand);
    const bias = dtype === 'int8' ? Int32Array.from({ length: CO }, () => Math.round(rand() * 500)) : Float32Array.from({ length: CO }, rand);
    const spec = (shape: number[], quantization: Quantization | null) => ({ dtype, shape, quantization: dtype === 'int8' ? quantization : null });
    const biasSpec = (n: number, qz: Quantization) => ({ dtype: dtype === 'int8' ? ('int32' as const) : ('float32' as const), shape: [n], quantization: dtype === 'int8' ? qz : null });
    const inQ = q(0.05, 3);
    const outQ = q(0.08, -5);
    const biasQ: Quantization = { scale: wq.scale.map((s) => s * 0.05), zeroPoint: [0, 0, 0], quantizedDimension: 0 };

    // Original: TRANSPOSE_CONV, filter [CO, 2, 2, CI].
    const t = new GraphBuilder();
    const tx = t.input('x', spec([1, H, W, CI], inQ));
    const ty = t.tensor('y', spec([1, 2 * H, 2 * W, CO], outQ));
    const shape = t.constant('shape', { dtype: 'int32', shape: [4] }, new Int32Array([1, 2 * H, 2 * W, CO]));
    const tw = t.constant('w', spec([CO, 2, 2, CI], wq), filter);
    const tb = t.constant('b', biasSpec(CO, biasQ), bias);
    t.op({ opcode: 'TRANSPOSE_CONV', inputs: [shape, tw, tx, tb], outputs: [ty], options: { type: 'TransposeConvOptions', value: { padding: 1, strideH: 2, strideW: 2 } } });
    t.output(ty);

    // Rewrite: 1x1 conv to 4*CO channels ordered (ky, kx, co), then DEPTH_TO_SPACE(2).
    const c = new GraphBuilder();
    const cx = c.input('x', spec([1, H, W, CI], inQ));
    const wide = c.tensor('wide', spec([1, H, W, 4 * CO], outQ));
    const cy = c.tensor('y', spec([1, 2 * H, 2 * W, CO], outQ));
    const cf = dtype === 'int8' ? new Int8Array(4 * CO * CI) : new Float32Array(4 * CO * CI);
    const cb = dtype === 'int8' ? new Int32Array(4 * CO) : new Float32Array(4 * CO);
    for (let k = 0; k < 4; k++) {
      for (let o = 0; o < CO; o++) {
        for (let i = 0; i < CI; i++) cf[(k * CO + o) * CI + i] = filter[(o * 4 + k) * CI + i]!;
        cb[k * CO + o] = bias[o]!;
      }
    }
    const rep = <T>(a: T[]) => [...a, ...a, ...a, ...a];
    const cwq: Quantization = { scale: rep(wq.scale), zeroPoint: rep(wq.zeroPoint), quantizedDimension: 0 };
    const cbq: Quantization = { scale: rep(biasQ.scale), zeroPoint: rep(biasQ.zeroPoint), quantizedDimension: 0 };
    const cw = c.constant('w', spec([4 * CO, 1, 1, CI], cwq), cf);
    const cbt = c.constant('b', biasSpec(4 * CO, cbq), cb);
    c.op({ opcode: 'CONV_2D', inputs: [cx, cw, cbt], outputs: [wide], options: { type: 'Conv2DOptions', value: { padding: 1, strideH: 1, strideW: 1 } } });
    c.op({ opcode: 'DEPTH_TO_SPACE', inputs: [wide], outputs: [cy], options: { type: 'DepthToSpaceOptions', value: { blockSize: 2 } } });
    c.output(cy);
    return { tconv: t.build(), conv: c.build() };
  }

  for (const dtype of ['int8', 'float32'] as const) {
    it(`gives the same ${dtype} bytes as CONV_2D 1x1 + DEPTH_TO_SPACE`, () => {
      const { tconv, conv } = pair(dtype);
      const input = tconv.main.tensors[tconv.main.inputs[0]!]!;
      for (const seed of [1, 2, 3]) {
        const x = randomInput(input, seed);
        const a = runGuarded(tconv, [x])[0]!;
        const b = runGuarded(conv, [x])[0]!;
        expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
        expect(new Set(a).size).toBeGreaterThan(8); // not a degenerate all-equal output
      }
    });
  }
});

describe('unsupported operators', () => {
  it('refuses an op it has no kernel for, naming it', () => {
    const b = new GraphBuilder();
    const x = b.input('x', { dtype: 'float32', shape: [4] });
    const y = b.tensor('y', { dtype: 'float32', shape: [4] });
    b.op({ opcode: 'CUSTOM', customCode: 'Mystery', inputs: [x], outputs: [y] });
    b.output(y);
    const run = () => runModel(b.build(), [new Uint8Array(16)]);
    expect(run).toThrow(TinysegError);
    expect(run).toThrow(/operator 0 \(CUSTOM:Mystery\) is not supported/);
  });

  it('refuses a conv type combination TFLM does not compute', () => {
    const b = new GraphBuilder();
    const x = b.input('x', { dtype: 'uint8', shape: [1, 2, 2, 1], quantization: q(1) });
    const w = b.constant('w', { dtype: 'uint8', shape: [1, 1, 1, 1], quantization: q(1) }, new Uint8Array(1));
    const y = b.tensor('y', { dtype: 'uint8', shape: [1, 2, 2, 1], quantization: q(1) });
    b.op({ opcode: 'CONV_2D', inputs: [x, w, -1], outputs: [y], options: { type: 'Conv2DOptions', value: { strideH: 1, strideW: 1 } } });
    b.output(y);
    expect(() => runModel(b.build(), [new Uint8Array(4)])).toThrow(/CONV_2D\): Hybrid models are not supported on TFLite Micro\./);
  });
});
