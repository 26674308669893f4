// Row-band splitting against the unsplit chain: same bytes for every band
// count the pass picks, across the rows where kernels clamp or pad (first and
// last rows, resize halos, stacked 3x3 halos), int8 and float32.

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { loadGraph, saveGraph, type Graph } from '../../src/graph/graph.js';
import type { Quantization } from '../../src/graph/types.js';
import { verifyModels } from '../../src/interpreter/verify.js';
import { planTflmArena } from '../../src/tflm/arena.js';
import { splitRowBands } from '../../src/transform/split-row-bands.js';
import { gatherPeakTransposeConvs } from '../../src/transform/transpose-conv-gather.js';
import {
  ADD_FETCH,
  decodeAddFetchOptions,
  decodeTransposeConvGatherOptions,
  encodeAddFetchOptions,
  encodeSpillOptions,
  SPILL,
  TRANSPOSE_CONV_GATHER,
} from '../../src/ops/tinyseg/custom-ops.js';
import { REFERENCE_KERNELS } from '../../src/ops/registry.js';
import { graphCompute, predictInvoke, predictOps } from '../../src/analysis/compute.js';
import { optimize } from '../../src/optimize/optimize.js';


type Stage = 'save' | 'addsaved' | 'catsaved' | 'crop' | 'sliceCrop' | 'd2s' | 's2d' | 'resize' | 'dw3' | 'conv3' | 'conv2' | 'relu' | 'conv1' | 'pad' | 'dw3s2' | 'conv3valid' | 'dw3s2same' | TransposeStage;
/** TRANSPOSE_CONV stride 2, kernel 2, 3 or 4, VALID (output (h - 1) * 2 + k rows) or SAME (2h rows). */
type TransposeStage = 'tconv2valid' | 'tconv4valid' | 'tconv3same' | 'tconv4same';

/** x [1, H, W, 16] -> stages -> 1x1 conv to 1 channel: the wide intermediates dominate the arena. */
function chain(dtype: 'int8' | 'float32', stages: Stage[], H = 48, W0 = 24): Graph {
  let W = W0;
  const b = new GraphBuilder();
  let seed = 9;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const q = (scale: number, zp: number): Quantization | null => (dtype === 'int8' ? { scale: [scale], zeroPoint: [zp], quantizedDimension: 0 } : null);
  const C = 16;
  let h = H;
  let x = b.input('x', { dtype, shape: [1, H, W, C], quantization: q(0.05, 2) });
  const weights = (name: string, shape: number[], channels: number) =>
    dtype === 'int8'
      ? b.constant(
          name,
          {
            dtype,
            shape,
            quantization: {
              scale: Array.from({ length: channels }, (_, i) => 0.01 + 0.002 * i),
              zeroPoint: new Array(channels).fill(0),
              quantizedDimension: shape[0] === 1 ? 3 : 0,
            },
          },
          Int8Array.from({ length: shape.reduce((a, c) => a * c, 1) }, () => Math.round(rand() * 120)),
        )
      : b.constant(
          name,
          { dtype, shape },
          Float32Array.from({ length: shape.reduce((a, c) => a * c, 1) }, () => rand() * 0.5),
        );
  const t = (name: string, ch = C) => b.tensor(name, { dtype, shape: [1, h, W, ch], quantization: q(0.06, -1) });
  // 'save' keeps the tensor for a later ADD or CONCATENATION (a residual, a U-Net skip).
  let saved = x;
  stages.forEach((s, i) => {
    const name = `s${i}_${s}`;
    if (s === 'save') {
      saved = x;
    } else if (s === 'addsaved') {
      const y = t(name);
      b.op({ opcode: 'ADD', inputs: [x, saved], outputs: [y], options: { type: 'AddOptions', value: {} } });
      x = y;
    } else if (s === 'catsaved') {
      // The skip joins on the channels, then a 1x1 conv takes the 2C channels back to C.
      const cat = t(`${name}_cat`, 2 * C);
      b.op({ opcode: 'CONCATENATION', inputs: [saved, x], outputs: [cat], options: { type: 'ConcatenationOptions', value: { axis: 3 } } });
      const y = t(name);
      b.op({ opcode: 'CONV_2D', inputs: [cat, weights(`${name}_w`, [C, 1, 1, 2 * C], C), -1], outputs: [y], options: { type: 'Conv2DOptions', value: { padding: 0, strideH: 1, strideW: 1, dilationHFactor: 1, dilationWFactor: 1 } } });
      x = y;
    } else if (s === 'resize') {
      h *= 2;
      const y = t(name);
      b.op({ opcode: 'RESIZE_BILINEAR', inputs: [x, b.constant(`${name}_size`, { dtype: 'int32', shape: [2] }, new Int32Array([h, W]))], outputs: [y], options: { type: 'ResizeBilinearOptions', value: { halfPixelCenters: true } } });
      x = y;
    } else if (s === 'pad') {
      // MobileNetV2 as converted from PyTorch: explicit PAD, then a VALID stride-2 depthwise conv.
      const y = b.tensor(name, { dtype, shape: [1, h + 2, W + 2, C], quantization: q(0.06, -1) });
      b.op({ opcode: 'PAD', inputs: [x, b.constant(`${name}_paddings`, { dtype: 'int32', shape: [4, 2] }, new Int32Array([0, 0, 1, 1, 1, 1, 0, 0]))], outputs: [y] });
      h += 2;
      W += 2;
      x = y;
    } else if (s === 'dw3s2' || s === 'conv3valid') {
      const stride = s === 'dw3s2' ? 2 : 1;
      const oh = Math.floor((h - 3) / stride) + 1;
      const ow = Math.floor((W - 3) / stride) + 1;
      const y = b.tensor(name, { dtype, shape: [1, oh, ow, C], quantization: q(0.06, -1) });
      if (s === 'dw3s2') {
        b.op({ opcode: 'DEPTHWISE_CONV_2D', inputs: [x, weights(`${name}_w`, [1, 3, 3, C], C), -1], outputs: [y], options: { type: 'DepthwiseConv2DOptions', value: { padding: 1, strideH: 2, strideW: 2, depthMultiplier: 1, dilationHFactor: 1, dilationWFactor: 1 } } });
      } else {
        b.op({ opcode: 'CONV_2D', inputs: [x, weights(`${name}_w`, [C, 3, 3, C], C), -1], outputs: [y], options: { type: 'Conv2DOptions', value: { padding: 1, strideH: 1, strideW: 1, dilationHFactor: 1, dilationWFactor: 1 } } });
      }
      h = oh;
      W = ow;
      x = y;
    } else if (s === 'dw3s2same') {
      // MobileNetV1 / person-detect: SAME stride 2, where TFLM pads below an even height and on both sides of an odd one.
      h = Math.ceil(h / 2);
      W = Math.ceil(W / 2);
      const y = t(name);
      b.op({ opcode: 'DEPTHWISE_CONV_2D', inputs: [x, weights(`${name}_w`, [1, 3, 3, C], C), -1], outputs: [y], options: { type: 'DepthwiseConv2DOptions', value: { padding: 0, strideH: 2, strideW: 2, depthMultiplier: 1, dilationHFactor: 1, dilationWFactor: 1 } } });
      x = y;
    } else if (s.startsWith('tconv')) {
      const k = Number(s[5]);
      const valid = s.endsWith('valid');
      h = valid ? (h - 1) * 2 + k : 2 * h;
      W = valid ? (W - 1) * 2 + k : 2 * W;
      const y = t(name);
      const shape = b.constant(`${name}_shape`, { dtype: 'int32', shape: [4] }, new Int32Array([1, h, W, C]));
      b.op({ opcode: 'TRANSPOSE_CONV', inputs: [shape, weights(`${name}_w`, [C, k, k, C], C), x], outputs: [y], options: { type: 'TransposeConvOptions', value: { padding: valid ? 1 : 0, strideH: 2, strideW: 2 } } });
      x = y;
    } else if (s === 'crop') {
      // A STRIDED_SLICE that drops the first and last row and column (begin and end masked on the batch and channels).
      const y = b.tensor(name, { dtype, shape: [1, h - 2, W - 2, C], quantization: q(0.06, -1) });
      const v = (n: number[]) => b.constant(`${name}_${n.join('_')}`, { dtype: 'int32', shape: [4] }, Int32Array.from(n));
      b.op({ opcode: 'STRIDED_SLICE', inputs: [x, v([0, 1, 1, 0]), v([0, -1, -1, 0]), v([1, 1, 1, 1])], outputs: [y], options: { type: 'StridedSliceOptions', value: { beginMask: 9, endMask: 9 } } });
      h -= 2;
      W -= 2;
      x = y;
    } else if (s === 'd2s') {
      // A 1x1 conv to 4C channels, then DEPTH_TO_SPACE of block 2 (a sub-pixel upsampling).
      const wide = t(`${name}_wide`, 4 * C);
      b.op({ opcode: 'CONV_2D', inputs: [x, weights(`${name}_w`, [4 * C, 1, 1, C], 4 * C), -1], outputs: [wide], options: { type: 'Conv2DOptions', value: { padding: 0, strideH: 1, strideW: 1, dilationHFactor: 1, dilationWFactor: 1 } } });
      h *= 2;
      W *= 2;
      const y = b.tensor(name, { dtype, shape: [1, h, W, C], quantization: q(0.06, -1) });
      b.op({ opcode: 'DEPTH_TO_SPACE', inputs: [wide], outputs: [y], options: { type: 'DepthToSpaceOptions', value: { blockSize: 2 } } });
      x = y;
    } else if (s === 's2d') {
      // SPACE_TO_DEPTH of block 2, then a 1x1 conv back to C channels.
      h /= 2;
      W /= 2;
      const deep = b.tensor(`${name}_deep`, { dtype, shape: [1, h, W, 4 * C], quantization: b.quantOf(x) });
      b.op({ opcode: 'SPACE_TO_DEPTH', inputs: [x], outputs: [deep], options: { type: 'SpaceToDepthOptions', value: { blockSize: 2 } } });
      const y = t(name);
      b.op({ opcode: 'CONV_2D', inputs: [deep, weights(`${name}_w`, [C, 1, 1, 4 * C], C), -1], outputs: [y], options: { type: 'Conv2DOptions', value: { padding: 0, strideH: 1, strideW: 1, dilationHFactor: 1, dilationWFactor: 1 } } });
      x = y;
    } else if (s === 'sliceCrop') {
      // A SLICE that drops the first row, the last two and the last column (size -1: every channel).
      const y = b.tensor(name, { dtype, shape: [1, h - 3, W - 1, C], quantization: q(0.06, -1) });
      const v = (n: number[]) => b.constant(`${name}_${n.join('_')}`, { dtype: 'int32', shape: [4] }, Int32Array.from(n));
      b.op({ opcode: 'SLICE', inputs: [x, v([0, 1, 0, 0]), v([1, h - 3, W - 1, -1])], outputs: [y] });
      h -= 3;
      W -= 1;
      x = y;
    } else if (s === 'relu') {
      const y = t(name);
      b.op({ opcode: 'RELU', inputs: [x], outputs: [y] });
      x = y;
    } else if (s === 'dw3') {
      const y = t(name);
      b.op({ opcode: 'DEPTHWISE_CONV_2D', inputs: [x, weights(`${name}_w`, [1, 3, 3, C], C), -1], outputs: [y], options: { type: 'DepthwiseConv2DOptions', value: { padding: 0, strideH: 1, strideW: 1, depthMultiplier: 1, dilationHFactor: 1, dilationWFactor: 1 } } });
      x = y;
    } else {
      // conv2: a 2x2 SAME conv, which TFLM pads one row below and none above (a Keras U-Net's up-conv).
      const k = s === 'conv3' ? 3 : s === 'conv2' ? 2 : 1;
      const y = t(name);
      b.op({ opcode: 'CONV_2D', inputs: [x, weights(`${name}_w`, [C, k, k, C], C), -1], outputs: [y], options: { type: 'Conv2DOptions', value: { padding: 0, strideH: 1, strideW: 1, dilationHFactor: 1, dilationWFactor: 1 } } });
      x = y;
    }
  });
  const out = b.tensor('out', { dtype, shape: [1, h, W, 1], quantization: q(0.1, 0) });
  b.op({ opcode: 'CONV_2D', inputs: [x, weights('out_w', [1, 1, 1, C], 1), -1], outputs: [out], options: { type: 'Conv2DOptions', value: { padding: 1, strideH: 1, strideW: 1 } } });
  b.output(out);
  return loadGraph(saveGraph(b.build()));
}

/** A builder of small int8 graphs: `w` draws weights from `seed`, `conv` is a stride-1 SAME CONV_2D, `dw` a depthwise one. */
function int8Graph(seed: number) {
  const b = new GraphBuilder();
  const q = (scale: number, zp: number): Quantization => ({ scale: [scale], zeroPoint: [zp], quantizedDimension: 0 });
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const w = (name: string, shape: number[]) => {
    const channels = shape[0] === 1 ? shape[3]! : shape[0]!;
    return b.constant(
      name,
      { dtype: 'int8', shape, quantization: { scale: new Array(channels).fill(0.02), zeroPoint: new Array(channels).fill(0), quantizedDimension: shape[0] === 1 ? 3 : 0 } },
      Int8Array.from({ length: shape.reduce((a, c) => a * c, 1) }, () => Math.round(rand() * 100)),
    );
  };
  const act = (name: string, shape: number[]) => b.tensor(name, { dtype: 'int8', shape, quantization: q(0.06, -1) });
  const conv = (x: number, y: number, name: string, shape: number[], stride = 1) =>
    b.op({ opcode: 'CONV_2D', inputs: [x, w(name, shape), -1], outputs: [y], options: { type: 'Conv2DOptions', value: { padding: 0, strideH: stride, strideW: stride, dilationHFactor: 1, dilationWFactor: 1 } } });
  const dw = (x: number, y: number, name: string, shape: number[]) =>
    b.op({ opcode: 'DEPTHWISE_CONV_2D', inputs: [x, w(name, shape), -1], outputs: [y], options: { type: 'DepthwiseConv2DOptions', value: { padding: 0, strideH: 1, strideW: 1, depthMultiplier: 1, dilationHFactor: 1, dilationWFactor: 1 } } });
  return { b, q, act, conv, dw };
}

/**
 * x (4 channels) -> k x k conv -> r (16) -> 1x1 -> depthwise 3x3 -> 1x1 -> ADD(r, .) -> 1x1 -> out (4): r has two
 * readers, the block's first op and its ADD; r, the widest tensor, should never be whole. 'spilled': as the spill
 * pass leaves it, r spilled to the region after it is made and the ADD a TinySegAddFetch.
 */
function residualBlock(form: 'plain' | 'spilled' = 'plain', k = 3, seed = 5): Graph {
  const g = int8Graph(seed);
  const { b, q, conv } = g;
  const act = (name: string, c: number) => g.act(name, [1, 48, 24, c]);
  const x = b.input('x', { dtype: 'int8', shape: [1, 48, 24, 4], quantization: q(0.05, 2) });
  const r = act('r', 16);
  conv(x, r, 'r_w', [16, k, k, 4]);
  if (form === 'spilled') spillTo(b, r, 0, 48 * 24 * 16);
  const e = act('e', 16);
  conv(r, e, 'e_w', [16, 1, 1, 16]);
  const d = act('d', 16);
  g.dw(e, d, 'd_w', [1, 3, 3, 16]);
  const p = act('p', 16);
  conv(d, p, 'p_w', [16, 1, 1, 16]);
  const sum = act('sum', 16);
  addOrFetch(b, form, r, p, sum, 0, 48 * 24 * 16);
  const out = act('out', 4);
  conv(sum, out, 'out_w', [4, 1, 1, 16]);
  b.output(out);
  return loadGraph(saveGraph(b.build()));
}

/** A TinySegSpill of the whole of `t` to the region at `offset`, as the spill pass writes it. */
function spillTo(b: GraphBuilder, t: number, offset: number, bytes: number): void {
  b.op({ opcode: 'CUSTOM', customCode: SPILL, inputs: [t], outputs: [], customOptions: encodeSpillOptions({ offset, bytes, begin: 0, count: 16 }) });
}

/** ADD(saved, y) -> sum, or (spilled) the TinySegAddFetch that reads `saved` from the region instead. */
function addOrFetch(b: GraphBuilder, form: 'plain' | 'spilled', saved: number, y: number, sum: number, offset: number, bytes: number): void {
  if (form === 'plain') {
    b.op({ opcode: 'ADD', inputs: [saved, y], outputs: [sum], options: { type: 'AddOptions', value: {} } });
    return;
  }
  const options = encodeAddFetchOptions({ offset, bytes, regionInput: 0, activation: 0, scale: 0.06, zeroPoint: -1 });
  b.op({ opcode: 'CUSTOM', customCode: ADD_FETCH, inputs: [y], outputs: [sum], customOptions: options });
}

/** x (2) -> [1x1 to 16, then 1x1 16 -> 16 six times, 1x1 to 2] -> REVERSE_V2 of the rows -> the same again -> out (2), 96 x 24. */
function twoPeaks(): Graph {
  const g = int8Graph(11);
  const { b, q, conv } = g;
  const act = (name: string, c: number) => g.act(name, [1, 96, 24, c]);
  let x = b.input('x', { dtype: 'int8', shape: [1, 96, 24, 2], quantization: q(0.05, 2) });
  for (const half of ['a', 'b']) {
    let y = act(`${half}0`, 16);
    conv(x, y, `${half}0_w`, [16, 1, 1, 2]);
    for (let i = 1; i <= 6; i++) {
      const z = act(`${half}${i}`, 16);
      conv(y, z, `${half}${i}_w`, [16, 1, 1, 16]);
      y = z;
    }
    const narrow = act(`${half}_narrow`, 2);
    conv(y, narrow, `${half}_narrow_w`, [2, 1, 1, 16]);
    x = act(`${half}_out`, 2);
    // The rows reversed: not row-local, it ends a chain.
    const axis = b.constant(`${half}_axis`, { dtype: 'int32', shape: [1] }, Int32Array.from([1]));
    b.op({ opcode: 'REVERSE_V2', inputs: [narrow, axis], outputs: [x] });
  }
  b.output(x);
  return loadGraph(saveGraph(b.build()));
}

describe('splitRowBands', () => {
  const cases: [string, Stage[]][] = [
    ['resize -> 1x1 (mnv3-unet head)', ['resize']],
    ['two 2x resizes', ['resize', 'resize']],
    ['depthwise 3x3 -> 1x1 (TinyMo)', ['dw3', 'conv1']],
    ['stacked 3x3 convs with a RELU between', ['conv3', 'relu', 'conv3']],
    ['resize -> depthwise 3x3', ['resize', 'dw3']],
    ['1x1 -> PAD -> depthwise 3x3 stride 2 VALID -> 1x1 (MobileNetV2 block)', ['conv1', 'pad', 'dw3s2', 'conv1']],
    ['VALID 3x3 convs, stride 1', ['conv3valid', 'relu', 'conv3valid']],
    ['1x1 -> depthwise 3x3 stride 2 SAME -> 1x1 (MobileNetV1 block)', ['conv1', 'dw3s2same', 'conv1']],
    ['TRANSPOSE_CONV 2x2 stride 2 VALID -> 3x3 (U-Net decoder)', ['tconv2valid', 'conv3']],
    ['TRANSPOSE_CONV 4x4 stride 2 VALID -> 3x3 VALID', ['tconv4valid', 'conv3valid']],
    ['1x1 -> TRANSPOSE_CONV 3x3 stride 2 SAME -> 1x1', ['conv1', 'tconv3same', 'conv1']],
    ['TRANSPOSE_CONV 4x4 stride 2 SAME twice', ['tconv4same', 'relu', 'tconv4same']],
    ['TRANSPOSE_CONV 4x4 VALID -> crop -> PAD -> 3x3 VALID (portrait head)', ['tconv4valid', 'crop', 'pad', 'conv3valid']],
    ['3x3 -> crop -> 3x3', ['conv3', 'crop', 'conv3']],
    ['resize -> 2x2 SAME -> 3x3 (a Keras U-Net up-conv: padded below only)', ['resize', 'conv2', 'conv3']],
    ['3x3 -> SLICE of rows and columns -> 3x3', ['conv3', 'sliceCrop', 'conv3']],
    ['3x3 -> 1x1 to 4C -> DEPTH_TO_SPACE 2 -> 3x3 (sub-pixel upsampling)', ['conv3', 'd2s', 'conv3']],
    ['3x3 -> SPACE_TO_DEPTH 2 -> 1x1 -> 3x3 (a space-to-depth stem)', ['conv3', 's2d', 'conv3']],
    ['a residual: 1x1 -> depthwise 3x3 -> 1x1 -> ADD of the block input', ['save', 'conv1', 'dw3', 'conv1', 'addsaved']],
    ['a U-Net decoder: stride 2 -> TRANSPOSE_CONV 2x2 -> CONCATENATION with the skip -> 3x3', ['conv1', 'save', 'dw3s2same', 'conv1', 'tconv2valid', 'catsaved', 'conv3']],
  ];
  for (const dtype of ['int8', 'float32'] as const) {
    for (const [name, stages] of cases) {
      it(`${name}, ${dtype}: lower arena, same bytes`, () => {
        const g = chain(dtype, stages);
        const before = planTflmArena(g);
        const r = splitRowBands(g);
        // The chain itself, then maybe runs of what is left of it.
        expect(r.chains.length).toBeGreaterThanOrEqual(1);
        expect(r.chains[0]!.bands).toBeGreaterThanOrEqual(2);
        // The bands run through the stage each case is about.
        const through = { addsaved: 'ADD', catsaved: 'CONCATENATION', crop: 'STRIDED_SLICE', sliceCrop: 'SLICE', d2s: 'DEPTH_TO_SPACE', s2d: 'SPACE_TO_DEPTH', tconv2valid: 'TRANSPOSE_CONV', tconv4valid: 'TRANSPOSE_CONV', tconv3same: 'TRANSPOSE_CONV', tconv4same: 'TRANSPOSE_CONV' } as Partial<Record<Stage, string>>;
        for (const opcode of stages.map((st) => through[st]).filter((o) => o !== undefined)) expect(r.chains.some((c) => c.ops.includes(opcode))).toBe(true);
        const after = loadGraph(saveGraph(g));
        expect(after.main.ops.map((o) => o.opcode)).toContain('CONCATENATION');
        expect(planTflmArena(after).lowerBound.bytes).toBeLessThan(before.lowerBound.bytes);
        const v = verifyModels(chain(dtype, stages), after, { inputs: 3, seed: 4 });
        expect(v.differingBytes).toBe(0);
      });
    }
  }

  for (const H of [47, 49, 50]) {
    it(`lines bands up with TFLM's SAME padding of a stride-2 conv at height ${H}`, () => {
      const stages: Stage[] = ['dw3', 'conv1', 'dw3s2same', 'conv1'];
      const g = chain('int8', stages, H);
      const before = planTflmArena(g);
      expect(splitRowBands(g).chains.length).toBeGreaterThan(0);
      const after = loadGraph(saveGraph(g));
      expect(planTflmArena(after).lowerBound.bytes).toBeLessThan(before.lowerBound.bytes);
      expect(verifyModels(chain('int8', stages, H), after, { inputs: 3, seed: 5 }).differingBytes).toBe(0);
    });
  }

  it('splits a run of a long chain when the whole chain cannot be split exactly (five stride-2 stages)', () => {
    const stages: Stage[] = ['conv1', 'dw3s2same', 'conv1', 'dw3s2same', 'conv1', 'dw3s2same', 'conv1', 'dw3s2same', 'conv1', 'dw3s2same', 'conv1'];
    const g = chain('int8', stages, 96, 96);
    const before = planTflmArena(g);
    const r = splitRowBands(g);
    expect(r.chains.length).toBeGreaterThan(0);
    // The chain is the 11 stages and the final 1x1: each split is a shorter run of it.
    expect(Math.max(...r.chains.map((c) => c.ops.length))).toBeLessThan(stages.length + 1);
    const after = loadGraph(saveGraph(g));
    expect(planTflmArena(after).lowerBound.bytes).toBeLessThan(before.lowerBound.bytes);
    expect(verifyModels(chain('int8', stages, 96, 96), after, { inputs: 2, seed: 6 }).differingBytes).toBe(0);
  });

  it('runs the bands through a join whose side input is computed after the chain starts (DeepLab decoder: resize, then the low-level projection, then concat)', () => {
    const build = (): Graph => {
      const { b, q, act, conv, dw } = int8Graph(3);
      const x = b.input('x', { dtype: 'int8', shape: [1, 48, 24, 16], quantization: q(0.05, 2) });
      const low = act('low', [1, 12, 6, 16]);
      b.op({ opcode: 'AVERAGE_POOL_2D', inputs: [x], outputs: [low], options: { type: 'Pool2DOptions', value: { padding: 1, strideH: 4, strideW: 4, filterHeight: 4, filterWidth: 4 } } });
      const lowc = act('low_proj', [1, 12, 6, 32]);
      conv(low, lowc, 'low_w', [32, 1, 1, 16]);
      const up = act('up', [1, 48, 24, 32]);
      b.op({ opcode: 'RESIZE_BILINEAR', inputs: [lowc, b.constant('up_size', { dtype: 'int32', shape: [2] }, new Int32Array([48, 24]))], outputs: [up], options: { type: 'ResizeBilinearOptions', value: { halfPixelCenters: true } } });
      // Written after the resize: a side input the chain from the resize meets only once it reaches the join.
      const side = act('side', [1, 48, 24, 8]);
      conv(x, side, 'side_w', [8, 1, 1, 16]);
      const cat = act('cat', [1, 48, 24, 40]);
      b.op({ opcode: 'CONCATENATION', inputs: [up, side], outputs: [cat], options: { type: 'ConcatenationOptions', value: { axis: 3 } } });
      const d = act('dw', [1, 48, 24, 40]);
      dw(cat, d, 'dw_w', [1, 3, 3, 40]);
      const out = act('out', [1, 48, 24, 4]);
      conv(d, out, 'out_w', [4, 1, 1, 40]);
      b.output(out);
      return loadGraph(saveGraph(b.build()));
    };
    const g = build();
    const before = planTflmArena(g);
    const r = splitRowBands(g);
    expect(r.chains.some((c) => c.ops.includes('RESIZE_BILINEAR') && c.ops.includes('CONCATENATION'))).toBe(true);
    const after = loadGraph(saveGraph(g));
    // The resize's whole output never exists: every band resizes its own rows.
    expect(after.main.tensors.some((t) => t.name === 'up')).toBe(false);
    expect(planTflmArena(after).lowerBound.bytes).toBeLessThan(before.lowerBound.bytes);
    expect(verifyModels(build(), after, { inputs: 3, seed: 7 }).differingBytes).toBe(0);
  });

  it('computes a reader of a stage outside the chain in the bands too (DeepLab: the low-level features projected for the decoder, an exit)', () => {
    // x -> 1x1 to 64 -> depthwise 3x3 (d, the widest) -> 1x1 to 16 -> MEAN, resized back (DeepLab's image pooling);
    // d is also projected to 8 channels (written late, as DeepLab's decoder does), which a CONCATENATION with the
    // resize reads.
    const build = (): Graph => {
      const { b, q, act, conv, dw } = int8Graph(11);
      const x = b.input('x', { dtype: 'int8', shape: [1, 48, 24, 16], quantization: q(0.05, 2) });
      const e = act('e', [1, 48, 24, 64]);
      conv(x, e, 'e_w', [64, 1, 1, 16]);
      const d = act('d', [1, 48, 24, 64]);
      dw(e, d, 'd_w', [1, 3, 3, 64]);
      const p = act('p', [1, 48, 24, 16]);
      conv(d, p, 'p_w', [16, 1, 1, 64]);
      const low = act('low', [1, 1, 1, 16]);
      const axes = b.constant('axes', { dtype: 'int32', shape: [2] }, new Int32Array([1, 2]));
      b.op({ opcode: 'MEAN', inputs: [p, axes], outputs: [low], options: { type: 'ReducerOptions', value: { keepDims: true } } });
      const up = act('up', [1, 48, 24, 16]);
      b.op({ opcode: 'RESIZE_BILINEAR', inputs: [low, b.constant('up_size', { dtype: 'int32', shape: [2] }, new Int32Array([48, 24]))], outputs: [up], options: { type: 'ResizeBilinearOptions', value: { halfPixelCenters: true } } });
      const side = act('side', [1, 48, 24, 8]);
      conv(d, side, 'side_w', [8, 1, 1, 64]);
      const cat = act('cat', [1, 48, 24, 24]);
      b.op({ opcode: 'CONCATENATION', inputs: [up, side], outputs: [cat], options: { type: 'ConcatenationOptions', value: { axis: 3 } } });
      const out = act('out', [1, 48, 24, 4]);
      conv(cat, out, 'out_w', [4, 1, 1, 24]);
      b.output(out);
      return loadGraph(saveGraph(b.build()));
    };
    const g = build();
    const before = planTflmArena(g);
    const r = splitRowBands(g);
    expect(r.chains.some((c) => c.exits?.includes('side') && c.ops.includes('DEPTHWISE_CONV_2D'))).toBe(true);
    const after = loadGraph(saveGraph(g));
    // d never exists whole: every band projects its own rows of it to the exit's part.
    expect(after.main.tensors.some((t) => t.name === 'd')).toBe(false);
    expect(after.main.tensors.some((t) => t.name === 'side')).toBe(true);
    expect(planTflmArena(after).lowerBound.bytes).toBeLessThan(before.lowerBound.bytes);
    expect(verifyModels(build(), after, { inputs: 3, seed: 7 }).differingBytes).toBe(0);
  });

  it('computes a projected shortcut in the bands too, which the ADD of the block reads row for row (an inner exit: mnv3-unet decoder)', () => {
    // x -> 3x3 to 32 (r, the widest) -> [1x1 to 8: the shortcut s, written first] and [depthwise 3x3 -> 1x1 to 8]
    // -> ADD -> 1x1 to 4.
    const build = (): Graph => {
      const { b, q, act, conv, dw } = int8Graph(13);
      const x = b.input('x', { dtype: 'int8', shape: [1, 48, 24, 4], quantization: q(0.05, 2) });
      const r = act('r', [1, 48, 24, 32]);
      conv(x, r, 'r_w', [32, 3, 3, 4]);
      const s = act('s', [1, 48, 24, 8]);
      conv(r, s, 's_w', [8, 1, 1, 32]);
      const d = act('d', [1, 48, 24, 32]);
      dw(r, d, 'd_w', [1, 3, 3, 32]);
      const p = act('p', [1, 48, 24, 8]);
      conv(d, p, 'p_w', [8, 1, 1, 32]);
      const sum = act('sum', [1, 48, 24, 8]);
      b.op({ opcode: 'ADD', inputs: [p, s], outputs: [sum], options: { type: 'AddOptions', value: {} } });
      const out = act('out', [1, 48, 24, 4]);
      conv(sum, out, 'out_w', [4, 1, 1, 8]);
      b.output(out);
      return loadGraph(saveGraph(b.build()));
    };
    const g = build();
    const before = planTflmArena(g);
    const r = splitRowBands(g);
    expect(r.chains.some((c) => c.exits?.includes('s') && c.ops.includes('ADD') && c.ops.includes('DEPTHWISE_CONV_2D'))).toBe(true);
    const after = loadGraph(saveGraph(g));
    // Neither r nor the shortcut exists whole: each band adds its own rows of its own shortcut.
    expect(after.main.tensors.some((t) => t.name === 'r' || t.name === 's')).toBe(false);
    expect(planTflmArena(after).lowerBound.bytes).toBeLessThan(before.lowerBound.bytes);
    expect(verifyModels(build(), after, { inputs: 3, seed: 9 }).differingBytes).toBe(0);
  });

  /**
   * x -> 3x3 to 32 (r, the widest) -> [depthwise 3x3 -> 1x1 to 8] and [3x3 to 8 -> 3x3 to 8] -> join -> 1x1 to 4.
   * Stride 2: both branches start with a stride-2 3x3 conv (a ResNet block that downsamples, its shortcut 3x3).
   */
  const forkedBlock = (join: 'ADD' | 'CONCATENATION', stride: number): Graph => {
    const { b, q, act, conv, dw } = int8Graph(21);
    const H = 48;
    const h = H / stride;
    const x = b.input('x', { dtype: 'int8', shape: [1, H, 24, 4], quantization: q(0.05, 2) });
    const r = act('r', [1, H, 24, 32]);
    conv(x, r, 'r_w', [32, 3, 3, 4]);
    const d = act('d', [1, h, 24 / stride, 32]);
    if (stride === 1) dw(r, d, 'd_w', [1, 3, 3, 32]);
    else conv(r, d, 'd_w', [32, 3, 3, 32], stride);
    const p = act('p', [1, h, 24 / stride, 8]);
    conv(d, p, 'p_w', [8, 1, 1, 32]);
    const e = act('e', [1, h, 24 / stride, 8]);
    conv(r, e, 'e_w', [8, 3, 3, 32], stride);
    const f = act('f', [1, h, 24 / stride, 8]);
    conv(e, f, 'f_w', [8, 3, 3, 8]);
    const joined = act('joined', [1, h, 24 / stride, join === 'ADD' ? 8 : 16]);
    if (join === 'ADD') b.op({ opcode: 'ADD', inputs: [p, f], outputs: [joined], options: { type: 'AddOptions', value: {} } });
    else b.op({ opcode: 'CONCATENATION', inputs: [p, f], outputs: [joined], options: { type: 'ConcatenationOptions', value: { axis: 3 } } });
    const out = act('out', [1, h, 24 / stride, 4]);
    conv(joined, out, 'out_w', [4, 1, 1, join === 'ADD' ? 8 : 16]);
    b.output(out);
    return loadGraph(saveGraph(b.build()));
  };

  it.each([
    ['ADD', 1],
    ['CONCATENATION', 1],
    ['ADD', 2],
  ] as const)('runs the bands through both branches of a fork, each of several operators, that meet in %s (stride %i)', (join, stride) => {
    const build = () => forkedBlock(join, stride);
    const g = build();
    const before = planTflmArena(g);
    const r = splitRowBands(g);
    // One chain from the stem through both branches and their join.
    expect(r.chains.some((c) => c.ops[0] === 'CONV_2D' && c.ops.includes(join) && c.ops.length === 7)).toBe(true);
    const after = loadGraph(saveGraph(g));
    expect(after.main.tensors.some((t) => ['r', 'd', 'e'].includes(t.name))).toBe(false);
    expect(planTflmArena(after).lowerBound.bytes).toBeLessThan(before.lowerBound.bytes);
    expect(verifyModels(build(), after, { inputs: 3, seed: 4 }).differingBytes).toBe(0);
  });

  it('carries the rows the band before computed through both branches of a fork, where computing them again is over the limit', () => {
    const g = forkedBlock('ADD', 1);
    const invoke = predictOps(g.main, g.main.ops, REFERENCE_KERNELS);
    const r = splitRowBands(g, invoke * 1.1);
    expect(r.chains.some((c) => c.carried && c.ops.length === 7)).toBe(true);
    const after = loadGraph(saveGraph(g));
    expect(predictOps(after.main, after.main.ops, REFERENCE_KERNELS)).toBeLessThanOrEqual(invoke * 1.1);
    expect(after.main.tensors.some((t) => ['r', 'd', 'e'].includes(t.name))).toBe(false);
    expect(verifyModels(forkedBlock('ADD', 1), after, { inputs: 3, seed: 4 }).differingBytes).toBe(0);
  });

  it('runs the bands through a residual block whose input the chain makes (two branches that meet again in an ADD)', () => {
    const g = residualBlock();
    const before = planTflmArena(g);
    const r = splitRowBands(g);
    expect(r.chains.some((c) => c.ops[0] === 'CONV_2D' && c.ops.includes('ADD') && c.ops.length === 6)).toBe(true);
    const after = loadGraph(saveGraph(g));
    expect(after.main.tensors.some((t) => t.name === 'r')).toBe(false);
    expect(planTflmArena(after).lowerBound.bytes).toBeLessThan(before.lowerBound.bytes);
    expect(verifyModels(residualBlock(), after, { inputs: 3, seed: 8 }).differingBytes).toBe(0);
  });

  it('runs the bands through a residual block whose input was spilled and comes back through a TinySegAddFetch: each band adds its own rows, the spill and the fetch go', () => {
    const g = residualBlock('spilled');
    const before = planTflmArena(g);
    const r = splitRowBands(g, Infinity, REFERENCE_KERNELS, true, false, false, true);
    expect(r.chains.some((c) => c.ops.includes('CUSTOM') && c.ops.length === 6)).toBe(true);
    const after = loadGraph(saveGraph(g));
    expect(after.main.ops.filter((o) => o.customCode === SPILL || o.customCode === ADD_FETCH)).toEqual([]);
    expect(after.main.ops.filter((o) => o.opcode === 'ADD').length).toBe(r.chains[0]!.bands);
    expect(after.main.tensors.some((t) => t.name === 'r')).toBe(false);
    expect(planTflmArena(after).lowerBound.bytes).toBeLessThan(before.lowerBound.bytes);
    // The same bytes as the block as it was before the spill.
    expect(verifyModels(residualBlock(), after, { inputs: 3, seed: 8 }).differingBytes).toBe(0);
  });

  it('reads its rows of a slot spilled before the chain in each band: TinySegAddFetch of a skip, band by band', () => {
    // r -> 1x1 -> 3x3 depthwise -> 1x1 -> ADD(r) -> 1x1, r spilled before the chain (its spill ends the chain that
    // makes it) and fetched by the ADD.
    const g = residualBlock('spilled', 1, 7);
    const before = planTflmArena(g);
    const r = splitRowBands(g);
    expect(r.chains.some((c) => c.ops.includes('CUSTOM'))).toBe(true);
    const after = loadGraph(saveGraph(g));
    const s = g.main.tensors.find((t) => t.name === 'r')!;
    const rowBytes = s.byteSize / s.shape[1]!;
    const reads = after.main.ops.filter((o) => o.customCode === ADD_FETCH).map((o) => decodeAddFetchOptions(o.customOptions));
    expect(reads.length).toBe(r.chains[0]!.bands);
    // Each band's rows, from inside the slot: every read starts on a row, and together they cover every row.
    expect(reads.every((o) => o.offset % rowBytes === 0 && o.bytes % rowBytes === 0 && o.offset + o.bytes <= s.byteSize)).toBe(true);
    expect(Math.min(...reads.map((o) => o.offset))).toBe(0);
    expect(Math.max(...reads.map((o) => o.offset + o.bytes))).toBe(s.byteSize);
    expect(planTflmArena(after).lowerBound.bytes).toBeLessThan(before.lowerBound.bytes);
    expect(verifyModels(residualBlock('plain', 1, 7), after, { inputs: 3, seed: 5 }).differingBytes).toBe(0);
  });

  it('lowers two peaks that tie the bound, one split on trial, then the other (bandsPlateau)', () => {
    // Two chains (a REVERSE_V2 of the rows between them ends the first), each with a wide stretch at the same peak: splitting one
    // alone leaves the bound where it was and costs op data; both together lower it.
    const plain = twoPeaks();
    expect(splitRowBands(plain, Infinity, REFERENCE_KERNELS, true, false, false, true).chains).toEqual([]);
    const g = twoPeaks();
    const before = planTflmArena(g);
    const r = splitRowBands(g, Infinity, REFERENCE_KERNELS, true, false, false, true, true);
    expect(r.chains.length).toBe(2);
    expect(r.plateau).toBe(2);
    const after = loadGraph(saveGraph(g));
    // 73,728 B (two wide tensors of a stretch) to about 41 KB.
    expect(planTflmArena(after).lowerBound.bytes).toBeLessThan(0.6 * before.lowerBound.bytes);
    expect(verifyModels(twoPeaks(), after, { inputs: 2, seed: 6 }).differingBytes).toBe(0);
  });

  it('optimize() lowers such tied peaks from the start, where no spill runs first (stock builtins: no spill region)', () => {
    const { report } = optimize(saveGraph(twoPeaks()), { file: 'two-peaks.tflite', builtinsOnly: true, verify: { inputs: 1 } });
    expect(report.verified).toBe(true);
    expect(report.passes.splitRowBands.chains.length).toBeGreaterThanOrEqual(2);
    expect(report.after.head).toBeLessThan(0.6 * report.before.head);
  });

  for (const stage of ['tconv3same', 'tconv4valid'] as const) {
    it(`runs the bands through TinySegTransposeConv (${stage}: the TRANSPOSE_CONV computed pixel by pixel), same bytes`, () => {
      const stages: Stage[] = ['conv1', stage, 'conv3'];
      const g = chain('int8', stages);
      // The decoder's TRANSPOSE_CONV at the peak becomes the custom operator first, as in the pipeline.
      expect(gatherPeakTransposeConvs(g).rewritten).toBe(1);
      const gathered = loadGraph(saveGraph(g));
      const before = planTflmArena(gathered);
      const r = splitRowBands(g);
      expect(r.chains.some((c) => c.ops.includes('CUSTOM'))).toBe(true);
      const after = loadGraph(saveGraph(g));
      const bands = after.main.ops.filter((o) => o.customCode === TRANSPOSE_CONV_GATHER);
      expect(bands.length).toBeGreaterThan(1);
      expect(bands.every((o) => decodeTransposeConvGatherOptions(o.customOptions).strideH === 2)).toBe(true);
      expect(planTflmArena(after).lowerBound.bytes).toBeLessThan(before.lowerBound.bytes);
      expect(verifyModels(chain('int8', stages), after, { inputs: 3, seed: 9 }).differingBytes).toBe(0);
    });
  }

  // Deep chains whose bands, each computing its halo rows again, cost too much time: under the limit, the bands
  // carry the rows the band before computed instead (and read only the rows their output needs).
  const carried: [string, Stage[], number][] = [
    ['six stacked 3x3 convs', ['conv3', 'conv3', 'conv3', 'conv3', 'conv3', 'conv3'], 1.12],
    ['depthwise 3x3 blocks with a stride-2 stage', ['conv1', 'dw3', 'conv1', 'dw3', 'conv1', 'dw3s2same', 'conv1', 'dw3', 'conv1'], 1.12],
    ['a 2x resize between 3x3 convs', ['conv3', 'conv3', 'resize', 'conv3', 'conv3'], 1.12],
  ];
  for (const dtype of ['int8', 'float32'] as const) {
    for (const [name, stages, factor] of carried) {
      it(`${name}, ${dtype}: under a tight compute limit the bands carry rows from the band before, same bytes`, () => {
        // int8 tensors wider, for bands to pay for their operators' data.
        const W = dtype === 'int8' ? 96 : 24;
        const g = chain(dtype, stages, 64, W);
        const limit = predictInvoke(graphCompute(g.main)) * factor;
        const before = planTflmArena(g);
        const r = splitRowBands(g, limit);
        expect(r.chains.length).toBeGreaterThan(0);
        const after = loadGraph(saveGraph(g));
        const names = after.main.tensors.map((t) => t.name);
        expect(names.some((n) => n.endsWith('_carried'))).toBe(true);
        expect(r.chains.some((c) => c.carried)).toBe(true);
        expect(predictInvoke(graphCompute(after.main))).toBeLessThanOrEqual(limit);
        expect(planTflmArena(after).lowerBound.bytes).toBeLessThan(before.lowerBound.bytes);
        expect(verifyModels(chain(dtype, stages, 64, W), after, { inputs: 3, seed: 7 }).differingBytes).toBe(0);
      });
    }
  }

  it('leaves a chain alone when splitting does not pay for its extra operators', () => {
    // A tiny tensor: the bands' op data outweighs the intermediate they save.
    const g = chain('int8', ['dw3', 'conv1'], 2, 2);
    expect(splitRowBands(g).chains).toEqual([]);
  });
});
