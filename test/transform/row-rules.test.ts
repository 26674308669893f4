// Row bands through every row-local operator of a segmentation head or stem:
// resizes of any scale and mode, SOFTMAX, ARG_MAX and MEAN over the channels,
// pools, PADV2, QUANTIZE/DEQUANTIZE, element-wise ops with broadcast constants
// (arithmetic, FLOOR_DIV/FLOOR_MOD, comparisons, logical ops, SELECT_V2, ADD_N), PRELU. Each
// synthetic model is split and proven bit-exact against the unsplit one by the
// interpreter, with a lower arena.

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { loadGraph, saveGraph, type Graph } from '../../src/graph/graph.js';
import type { DType, Quantization } from '../../src/graph/types.js';
import { verifyModels } from '../../src/interpreter/verify.js';
import { planTflmArena } from '../../src/tflm/arena.js';
import { splitRowBands } from '../../src/transform/split-row-bands.js';
import { rowRule } from '../../src/ops/registry.js';

type Layer =
  | { op: 'conv1'; channels: number }
  | { op: 'conv3' }
  | { op: 'conv2' }
  | { op: 'colStride' }
  | { op: 'atrous'; depthwise: boolean }
  | { op: 'resize'; out: number; mode: 'half' | 'align' | 'legacy' }
  | { op: 'nearest'; out: number; mode: 'half' | 'align' | 'legacy' }
  | { op: 'softmax' }
  | { op: 'argmax' }
  | { op: 'maxpool' | 'avgpool' }
  | { op: 'quantize' }
  | { op: 'dequantize' }
  | { op: 'mulAdd' }
  | { op: 'prelu' }
  | { op: 'floorDivMod' }
  | { op: 'compareSelect' }
  | { op: 'l2pool' }
  | { op: 'padv2Valid' }
  | { op: 'meanChannels' }
  | { op: 'reluAddN' };

/** A graph input of `inDtype` [1, H, W, C] through `layers`; the last layer's output is the graph output. */
function model(inDtype: 'int8' | 'float32', H: number, W: number, C: number, layers: Layer[]): Graph {
  const b = new GraphBuilder();
  let seed = 11;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const q = (dtype: DType, scale = 0.05, zp = 1): Quantization | null => (dtype === 'int8' ? { scale: [scale], zeroPoint: [zp], quantizedDimension: 0 } : null);
  let dtype: DType = inDtype;
  let shape = [1, H, W, C];
  let x = b.input('x', { dtype, shape, quantization: q(dtype) });
  const next = (name: string, s: number[], d: DType = dtype, quant = q(d, 0.06, -1)) => {
    shape = s;
    dtype = d;
    return b.tensor(name, { dtype: d, shape: s, quantization: quant });
  };
  const constant = (name: string, s: number[], channels: number) => {
    const n = s.reduce((a, c) => a * c, 1);
    if (dtype === 'float32') return b.constant(name, { dtype, shape: s }, Float32Array.from({ length: n }, () => rand() * 0.5));
    const axis = s.length === 4 && s[0] !== 1 ? 0 : s.length - 1;
    const quant = { scale: Array.from({ length: channels }, (_, i) => 0.01 + 0.002 * i), zeroPoint: new Array(channels).fill(0), quantizedDimension: axis };
    return b.constant(name, { dtype, shape: s, quantization: quant }, Int8Array.from({ length: n }, () => Math.round(rand() * 120)));
  };
  const bias = (name: string, n: number) => (dtype === 'float32' ? -1 : b.constant(name, { dtype: 'int32', shape: [n] }, Int32Array.from({ length: n }, () => Math.round(rand() * 500))));
  layers.forEach((l, i) => {
    const name = `l${i}_${l.op}`;
    const [, h, w, c] = shape as [number, number, number, number];
    if (l.op === 'conv1' || l.op === 'conv3') {
      const k = l.op === 'conv3' ? 3 : 1;
      const co = l.op === 'conv1' ? l.channels : c;
      const wt = constant(`${name}_w`, [co, k, k, c], co);
      const y = next(name, [1, h, w, co]);
      b.op({ opcode: 'CONV_2D', inputs: [x, wt, bias(`${name}_b`, co)], outputs: [y], options: { type: 'Conv2DOptions', value: { padding: 0, strideH: 1, strideW: 1, dilationHFactor: 1, dilationWFactor: 1 } } });
      x = y;
    } else if (l.op === 'conv2') {
      // 2x2 SAME: TFLM pads the row below, none above.
      const y = next(name, [1, h, w, c]);
      b.op({ opcode: 'CONV_2D', inputs: [x, constant(`${name}_w`, [c, 2, 2, c], c), bias(`${name}_b`, c)], outputs: [y], options: { type: 'Conv2DOptions', value: { padding: 0, strideH: 1, strideW: 1, dilationHFactor: 1, dilationWFactor: 1 } } });
      x = y;
    } else if (l.op === 'colStride') {
      // 3x3 SAME, stride 1 down the rows and 2 across the columns: rows map as at stride 1.
      const y = next(name, [1, h, Math.ceil(w / 2), c]);
      b.op({ opcode: 'CONV_2D', inputs: [x, constant(`${name}_w`, [c, 3, 3, c], c), bias(`${name}_b`, c)], outputs: [y], options: { type: 'Conv2DOptions', value: { padding: 0, strideH: 1, strideW: 2, dilationHFactor: 1, dilationWFactor: 1 } } });
      x = y;
    } else if (l.op === 'atrous') {
      // 3x3 SAME of rate 2 (DeepLab's, BodyPix's): its taps two rows apart.
      const y = next(name, [1, h, w, c]);
      const dilation = { dilationHFactor: 2, dilationWFactor: 2 };
      if (l.depthwise) {
        b.op({ opcode: 'DEPTHWISE_CONV_2D', inputs: [x, constant(`${name}_w`, [1, 3, 3, c], c), bias(`${name}_b`, c)], outputs: [y], options: { type: 'DepthwiseConv2DOptions', value: { padding: 0, strideH: 1, strideW: 1, depthMultiplier: 1, ...dilation } } });
      } else {
        b.op({ opcode: 'CONV_2D', inputs: [x, constant(`${name}_w`, [c, 3, 3, c], c), bias(`${name}_b`, c)], outputs: [y], options: { type: 'Conv2DOptions', value: { padding: 0, strideH: 1, strideW: 1, ...dilation } } });
      }
      x = y;
    } else if (l.op === 'resize' || l.op === 'nearest') {
      const y = next(name, [1, l.out, l.out, c], dtype, q(dtype, 0.05, 1));
      const size = b.constant(`${name}_size`, { dtype: 'int32', shape: [2] }, new Int32Array([l.out, l.out]));
      const flags = { alignCorners: l.mode === 'align', halfPixelCenters: l.mode === 'half' };
      const bilinear = l.op === 'resize';
      b.op({ opcode: bilinear ? 'RESIZE_BILINEAR' : 'RESIZE_NEAREST_NEIGHBOR', inputs: [x, size], outputs: [y], options: { type: bilinear ? 'ResizeBilinearOptions' : 'ResizeNearestNeighborOptions', value: flags } });
      x = y;
    } else if (l.op === 'softmax') {
      const y = next(name, shape, dtype, q(dtype, 1 / 256, -128));
      b.op({ opcode: 'SOFTMAX', inputs: [x], outputs: [y], options: { type: 'SoftmaxOptions', value: { beta: 1 } } });
      x = y;
    } else if (l.op === 'argmax') {
      const axis = b.constant(`${name}_axis`, { dtype: 'int32', shape: [1] }, new Int32Array([3]));
      const y = next(name, [1, h, w], 'int32', null);
      b.op({ opcode: 'ARG_MAX', inputs: [x, axis], outputs: [y], options: { type: 'ArgMaxOptions', value: { outputType: 2 } } });
      x = y;
    } else if (l.op === 'maxpool' || l.op === 'avgpool') {
      const y = next(name, [1, h / 2, w / 2, c], dtype, q(dtype, 0.05, 1));
      b.op({ opcode: l.op === 'maxpool' ? 'MAX_POOL_2D' : 'AVERAGE_POOL_2D', inputs: [x], outputs: [y], options: { type: 'Pool2DOptions', value: { padding: 0, strideH: 2, strideW: 2, filterHeight: 2, filterWidth: 2 } } });
      x = y;
    } else if (l.op === 'quantize') {
      const y = next(name, shape, 'int8', q('int8', 0.02, 3));
      b.op({ opcode: 'QUANTIZE', inputs: [x], outputs: [y] });
      x = y;
    } else if (l.op === 'dequantize') {
      const y = next(name, shape, 'float32', null);
      b.op({ opcode: 'DEQUANTIZE', inputs: [x], outputs: [y] });
      x = y;
    } else if (l.op === 'mulAdd') {
      // A folded batch norm: x * scale[c] + shift[1, 1, 1, c], both broadcast along the rows.
      const s = constant(`${name}_scale`, [c], c);
      const m = next(`${name}_mul`, shape);
      b.op({ opcode: 'MUL', inputs: [x, s], outputs: [m], options: { type: 'MulOptions', value: {} } });
      const t = constant(`${name}_shift`, [1, 1, 1, c], c);
      const y = next(name, shape);
      b.op({ opcode: 'ADD', inputs: [m, t], outputs: [y], options: { type: 'AddOptions', value: {} } });
      x = y;
    } else if (l.op === 'floorDivMod') {
      // float32: FLOOR_DIV then FLOOR_MOD by per-channel constants.
      const d = b.constant(`${name}_d`, { dtype, shape: [c] }, Float32Array.from({ length: c }, (_, i) => 0.3 + 0.1 * i));
      const q1 = next(`${name}_div`, shape);
      b.op({ opcode: 'FLOOR_DIV', inputs: [x, d], outputs: [q1] });
      const y = next(name, shape);
      b.op({ opcode: 'FLOOR_MOD', inputs: [q1, d], outputs: [y] });
      x = y;
    } else if (l.op === 'compareSelect') {
      // float32: LESS than a per-channel threshold, LOGICAL_OR with a per-channel mask, SELECT_V2 of two constants.
      const t = b.constant(`${name}_t`, { dtype, shape: [c] }, Float32Array.from({ length: c }, (_, i) => 0.05 * i - 0.1));
      const less = next(`${name}_less`, shape, 'bool', null);
      b.op({ opcode: 'LESS', inputs: [x, t], outputs: [less] });
      const mask = b.constant(`${name}_mask`, { dtype: 'bool', shape: [c] }, Uint8Array.from({ length: c }, (_, i) => (i % 3 === 0 ? 1 : 0)));
      const or = next(`${name}_or`, shape, 'bool', null);
      b.op({ opcode: 'LOGICAL_OR', inputs: [less, mask], outputs: [or] });
      const yes = b.constant(`${name}_yes`, { dtype: 'float32', shape: [c] }, Float32Array.from({ length: c }, (_, i) => 1 + i));
      const no = b.constant(`${name}_no`, { dtype: 'float32', shape: [1, 1, 1, c] }, Float32Array.from({ length: c }, (_, i) => -i));
      const y = next(name, shape, 'float32', null);
      b.op({ opcode: 'SELECT_V2', inputs: [or, yes, no], outputs: [y] });
      x = y;
    } else if (l.op === 'l2pool') {
      const y = next(name, [1, h / 2, w / 2, c]);
      b.op({ opcode: 'L2_POOL_2D', inputs: [x], outputs: [y], options: { type: 'Pool2DOptions', value: { padding: 0, strideH: 2, strideW: 2, filterHeight: 2, filterWidth: 2 } } });
      x = y;
    } else if (l.op === 'padv2Valid') {
      // PADV2 by one pixel with the zero point (0 for float32), then a VALID 3x3 conv back to the size.
      const paddings = b.constant(`${name}_paddings`, { dtype: 'int32', shape: [4, 2] }, Int32Array.from([0, 0, 1, 1, 1, 1, 0, 0]));
      const quant = b.quantOf(x);
      const value = dtype === 'float32' ? Float32Array.of(0) : Int8Array.of(quant!.zeroPoint[0]!);
      const cv = b.constant(`${name}_value`, { dtype, shape: [], ...(quant ? { quantization: quant } : {}) }, value);
      const padded = b.tensor(`${name}_padded`, { dtype, shape: [1, h + 2, w + 2, c], quantization: quant });
      b.op({ opcode: 'PADV2', inputs: [x, paddings, cv], outputs: [padded] });
      const wt = constant(`${name}_w`, [c, 3, 3, c], c);
      const y = next(name, [1, h, w, c]);
      b.op({ opcode: 'CONV_2D', inputs: [padded, wt, bias(`${name}_b`, c)], outputs: [y], options: { type: 'Conv2DOptions', value: { padding: 1, strideH: 1, strideW: 1, dilationHFactor: 1, dilationWFactor: 1 } } });
      x = y;
    } else if (l.op === 'reluAddN') {
      // A residual: ADD_N of the input and its RELU, the input read whole as a side input.
      const r = next(`${name}_relu`, shape);
      b.op({ opcode: 'RELU', inputs: [x], outputs: [r] });
      const y = next(name, shape, dtype, b.quantOf(r));
      b.op({ opcode: 'ADD_N', inputs: [r, x], outputs: [y] });
      x = y;
    } else if (l.op === 'meanChannels') {
      const axis = b.constant(`${name}_axis`, { dtype: 'int32', shape: [1] }, new Int32Array([3]));
      const y = next(name, [1, h, w, 1], dtype, q(dtype, 0.04, 2));
      b.op({ opcode: 'MEAN', inputs: [x, axis], outputs: [y], options: { type: 'ReducerOptions', value: { keepDims: true } } });
      x = y;
    } else {
      const alpha = constant(`${name}_alpha`, [1, 1, c], c);
      const y = next(name, shape);
      b.op({ opcode: 'PRELU', inputs: [x, alpha], outputs: [y] });
      x = y;
    }
  });
  b.output(x);
  return loadGraph(saveGraph(b.build()));
}

/** Splits `make()` in row bands: at least one split, a lower bound below the original's, and the same bytes on 3 inputs. */
function splitsExactly(make: () => Graph): { before: number; after: number; ops: string[] } {
  const g = make();
  const before = planTflmArena(g).lowerBound.bytes;
  const r = splitRowBands(g);
  expect(r.chains.length).toBeGreaterThan(0);
  const split = loadGraph(saveGraph(g));
  const after = planTflmArena(split).lowerBound.bytes;
  expect(after).toBeLessThan(before);
  expect(verifyModels(make(), split, { inputs: 3, seed: 7 }).differingBytes).toBe(0);
  return { before, after, ops: r.chains.flatMap((c) => c.ops) };
}

describe('row rules of head and stem operators, split and proven bit-exact', () => {
  for (const dtype of ['int8', 'float32'] as const) {
    for (const mode of ['half', 'align', 'legacy'] as const) {
      it(`a ${dtype} segmentation head: conv features -> RESIZE_BILINEAR x4 (${mode}) -> SOFTMAX -> ARG_MAX`, () => {
        // align_corners maps 16 rows to 61 (scale 1/4 exactly); the other modes 16 to 64.
        const out = mode === 'align' ? 61 : 64;
        const { ops } = splitsExactly(() => model(dtype, 16, 16, 8, [{ op: 'conv1', channels: 12 }, { op: 'resize', out, mode }, { op: 'softmax' }, { op: 'argmax' }]));
        expect(ops).toEqual(expect.arrayContaining(['RESIZE_BILINEAR', 'SOFTMAX', 'ARG_MAX']));
      });
    }
    it(`${dtype}: RESIZE_NEAREST_NEIGHBOR x2 -> 3x3 conv (nano-u's decoder), half-pixel and legacy`, () => {
      for (const mode of ['half', 'legacy'] as const) {
        const { ops } = splitsExactly(() => model(dtype, 24, 16, 8, [{ op: 'conv1', channels: 8 }, { op: 'nearest', out: 48, mode }, { op: 'conv3' }, { op: 'conv1', channels: 1 }]));
        expect(ops).toContain('RESIZE_NEAREST_NEIGHBOR');
      }
    });
    it(`${dtype}: RESIZE_NEAREST_NEIGHBOR x2 -> 2x2 SAME conv (a Keras U-Net's up-conv, padded below only) -> 3x3`, () => {
      const g = model(dtype, 12, 12, 8, [{ op: 'conv2' }]);
      expect(rowRule(g.main, g.main.ops[0]!)).toEqual({ kind: 'strided', k: 2, stride: 1 });
      const { ops } = splitsExactly(() => model(dtype, 24, 16, 8, [{ op: 'conv1', channels: 8 }, { op: 'nearest', out: 48, mode: 'legacy' }, { op: 'conv2' }, { op: 'conv3' }, { op: 'conv1', channels: 1 }]));
      expect(ops).toEqual(expect.arrayContaining(['RESIZE_NEAREST_NEIGHBOR', 'CONV_2D']));
    });
    it(`${dtype}: a 3x3 conv of stride 2 across the columns only reaches the rows a stride-1 one does`, () => {
      const g = model(dtype, 12, 12, 8, [{ op: 'colStride' }]);
      expect(rowRule(g.main, g.main.ops[0]!)).toEqual({ kind: 'same', halo: 1 });
      const { ops } = splitsExactly(() => model(dtype, 40, 16, 4, [{ op: 'conv1', channels: 16 }, { op: 'colStride' }, { op: 'conv3' }, { op: 'conv1', channels: 1 }]));
      expect(ops.filter((op) => op === 'CONV_2D').length).toBeGreaterThan(1);
    });
    it(`${dtype}: 1x1 -> atrous 3x3 depthwise and conv of rate 2 -> 1x1 (DeepLab's, BodyPix's dilated convs)`, () => {
      const g = model(dtype, 12, 12, 8, [{ op: 'atrous', depthwise: true }]);
      // The dilated window reaches two rows each side.
      expect(rowRule(g.main, g.main.ops[0]!)).toEqual({ kind: 'same', halo: 2 });
      const { ops } = splitsExactly(() =>
        model(dtype, 40, 12, 4, [{ op: 'conv1', channels: 16 }, { op: 'atrous', depthwise: true }, { op: 'atrous', depthwise: false }, { op: 'conv1', channels: 1 }]),
      );
      expect(ops).toEqual(expect.arrayContaining(['DEPTHWISE_CONV_2D', 'CONV_2D']));
    });
    it(`${dtype}: 1x1 -> MUL and ADD by broadcast constants -> PRELU -> 3x3`, () => {
      const { ops } = splitsExactly(() => model(dtype, 32, 16, 4, [{ op: 'conv1', channels: 16 }, { op: 'mulAdd' }, { op: 'prelu' }, { op: 'conv3' }, { op: 'conv1', channels: 1 }]));
      expect(ops).toEqual(expect.arrayContaining(['MUL', 'ADD', 'PRELU']));
    });
  }

  it('leaves whole an int8 resize by 3/5 (24 rows -> 40): no band maps its rows with the fixed-point offsets of the tensor', () => {
    // scale10 = 614 for 24 -> 40 and for 6 -> 10, but row 10 of the tensor sits at 10 * 614 - 205 = 5935, not at
    // 6 * 1024 + 0 * 614 - 205: every band's weights differ, so no band is exact and nothing splits.
    const make = () => model('int8', 24, 24, 8, [{ op: 'conv1', channels: 12 }, { op: 'resize', out: 40, mode: 'half' }, { op: 'conv1', channels: 1 }]);
    const g = make();
    expect(splitRowBands(g).chains.flatMap((c) => c.ops)).not.toContain('RESIZE_BILINEAR');
    expect(verifyModels(make(), loadGraph(saveGraph(g)), { inputs: 1, seed: 7 }).differingBytes).toBe(0);
  });
  it('a float32 resize by 3/2 (32 rows -> 48, half-pixel) splits where the band scales agree', () => {
    const { ops } = splitsExactly(() => model('float32', 32, 16, 8, [{ op: 'conv1', channels: 12 }, { op: 'resize', out: 48, mode: 'half' }, { op: 'conv1', channels: 1 }]));
    expect(ops).toContain('RESIZE_BILINEAR');
  });

  it('pools: 1x1 -> MAX_POOL_2D / AVERAGE_POOL_2D 2x2 stride 2 -> 1x1', () => {
    for (const pool of ['maxpool', 'avgpool'] as const) {
      const { ops } = splitsExactly(() => model('int8', 48, 16, 4, [{ op: 'conv1', channels: 24 }, { op: pool }, { op: 'conv1', channels: 2 }]));
      expect(ops).toContain(pool === 'maxpool' ? 'MAX_POOL_2D' : 'AVERAGE_POOL_2D');
    }
  });

  it('a float32 stem from the graph input: QUANTIZE -> 3x3 conv -> 1x1, and a DEQUANTIZE tail', () => {
    const { ops } = splitsExactly(() => model('float32', 48, 24, 3, [{ op: 'quantize' }, { op: 'conv1', channels: 16 }, { op: 'conv3' }, { op: 'conv1', channels: 1 }, { op: 'dequantize' }]));
    expect(ops).toContain('QUANTIZE');
  });

  it('float32: FLOOR_DIV and FLOOR_MOD by per-channel constants', () => {
    const { ops } = splitsExactly(() => model('float32', 32, 16, 4, [{ op: 'conv1', channels: 16 }, { op: 'floorDivMod' }, { op: 'conv3' }, { op: 'conv1', channels: 1 }]));
    expect(ops).toEqual(expect.arrayContaining(['FLOOR_DIV', 'FLOOR_MOD']));
  });

  it('float32: LESS than a threshold, LOGICAL_OR with a mask, SELECT_V2 of two constants', () => {
    const { ops } = splitsExactly(() => model('float32', 32, 16, 4, [{ op: 'conv1', channels: 16 }, { op: 'compareSelect' }, { op: 'conv3' }, { op: 'conv1', channels: 1 }]));
    expect(ops).toEqual(expect.arrayContaining(['LESS', 'LOGICAL_OR', 'SELECT_V2']));
  });

  it('float32: L2_POOL_2D 2x2 stride 2', () => {
    const { ops } = splitsExactly(() => model('float32', 48, 16, 4, [{ op: 'conv1', channels: 24 }, { op: 'l2pool' }, { op: 'conv1', channels: 2 }]));
    expect(ops).toContain('L2_POOL_2D');
  });

  it('float32: ADD_N of a RELU and its input (a residual, the input a side input of the bands)', () => {
    const { ops } = splitsExactly(() => model('float32', 32, 16, 4, [{ op: 'conv1', channels: 16 }, { op: 'reluAddN' }, { op: 'conv3' }, { op: 'conv1', channels: 1 }]));
    expect(ops).toContain('ADD_N');
  });

  for (const dtype of ['int8', 'float32'] as const) {
    it(`${dtype}: PADV2 with the zero point, then a VALID 3x3 conv`, () => {
      const { ops } = splitsExactly(() => model(dtype, 32, 16, 4, [{ op: 'conv1', channels: 12 }, { op: 'padv2Valid' }, { op: 'conv1', channels: 1 }]));
      expect(ops).toContain('PADV2');
    });
    it(`${dtype}: MEAN over the channels (keep_dims), then a 3x3 conv`, () => {
      const { ops } = splitsExactly(() => model(dtype, 32, 16, 4, [{ op: 'conv1', channels: 24 }, { op: 'meanChannels' }, { op: 'conv3' }, { op: 'conv1', channels: 1 }]));
      expect(ops).toContain('MEAN');
    });
  }

  it('has no row rule for an ARG_MAX or a MEAN over rows, a resize of int16, or a binary op whose constant varies along the rows', () => {
    const g = model('int8', 8, 8, 4, [{ op: 'argmax' }]);
    const sg = g.main;
    const arg = sg.ops[0]!;
    expect(rowRule(sg, arg)).not.toBeNull();
    sg.tensors[arg.inputs[1]!]!.data!.set(new Uint8Array(Int32Array.of(1).buffer));
    expect(rowRule(sg, arg)).toBeNull();
    const m = model('int8', 8, 8, 4, [{ op: 'prelu' }]).main;
    expect(rowRule(m, m.ops[0]!)).not.toBeNull();
    m.tensors[m.ops[0]!.inputs[1]!]!.shape = [8, 1, 4];
    expect(rowRule(m, m.ops[0]!)).toBeNull();
    // A MEAN over the rows is not row-local; over the channels it is.
    const r = model('int8', 8, 8, 4, [{ op: 'meanChannels' }]).main;
    const mean = r.ops[0]!;
    expect(rowRule(r, mean)).not.toBeNull();
    r.tensors[mean.inputs[1]!]!.data!.set(new Uint8Array(Int32Array.of(1).buffer));
    expect(rowRule(r, mean)).toBeNull();
  });
});
