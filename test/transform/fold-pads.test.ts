// foldPadsIntoConvs on small graphs: which PADs become their conv's SAME
// padding (the ones that pad alike, with the zero point), which stay, and that
// the folded graph computes the original's bytes in the interpreter.

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { loadGraph, saveGraph, type Graph } from '../../src/graph/graph.js';
import { builtinOptions } from '../../src/graph/op-options.js';
import type { Quantization } from '../../src/graph/types.js';
import { verifyModels } from '../../src/interpreter/verify.js';
import { foldPadsIntoConvs } from '../../src/transform/fold-pads-into-convs.js';

interface PadCase {
  dtype?: 'int8' | 'float32';
  hw?: [number, number];
  /** [top, bottom, left, right] */
  pads: [number, number, number, number];
  kernel?: number;
  stride?: number;
  dilation?: number;
  depthwise?: boolean;
  /** PADV2 with this constant (in the tensor's own type) instead of PAD. */
  constant?: number;
  /** The padded tensor quantized unlike the PAD's input. */
  requantized?: boolean;
  /** A second reader of the padded tensor (an output of its own). */
  secondReader?: boolean;
  /** One weight +Infinity (float32). */
  infiniteWeight?: boolean;
}

const C = 4;

function padModel(c: PadCase): Graph {
  let s = 11;
  const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const dtype = c.dtype ?? 'int8';
  const [h, w] = c.hw ?? [9, 10];
  const [top, bottom, left, right] = c.pads;
  const k = c.kernel ?? 3;
  const stride = c.stride ?? 1;
  const dilation = c.dilation ?? 1;
  const span = (k - 1) * dilation + 1;
  const b = new GraphBuilder();
  const q = (scale: number, zp: number): Quantization | undefined => (dtype === 'int8' ? { scale: [scale], zeroPoint: [zp], quantizedDimension: 0 } : undefined);
  const xq = q(0.05, 3);
  const x = b.input('x', { dtype, shape: [1, h, w, C], ...(xq ? { quantization: xq } : {}) });
  const pq = c.requantized ? q(0.05, 4) : xq;
  const padded = b.tensor('padded', { dtype, shape: [1, h + top + bottom, w + left + right, C], ...(pq ? { quantization: pq } : {}) });
  const paddings = b.constant('paddings', { dtype: 'int32', shape: [4, 2] }, Int32Array.from([0, 0, top, bottom, left, right, 0, 0]));
  if (c.constant === undefined) b.op({ opcode: 'PAD', inputs: [x, paddings], outputs: [padded] });
  else {
    const value = dtype === 'int8' ? Int8Array.of(c.constant) : Float32Array.of(c.constant);
    const constant = b.constant('constant', { dtype, shape: [], ...(pq ? { quantization: pq } : {}) }, value);
    b.op({ opcode: 'PADV2', inputs: [x, paddings, constant], outputs: [padded] });
  }
  const out = (n: number) => Math.floor((n - span) / stride) + 1;
  const yq = q(0.08, -5);
  const y = b.tensor('y', { dtype, shape: [1, out(h + top + bottom), out(w + left + right), C], ...(yq ? { quantization: yq } : {}) });
  const filterShape = c.depthwise ? [1, k, k, C] : [C, k, k, C];
  const count = filterShape.reduce((a, d) => a * d, 1);
  const wq: Quantization | undefined = dtype === 'int8' ? { scale: [0.01, 0.013, 0.016, 0.019], zeroPoint: [0, 0, 0, 0], quantizedDimension: c.depthwise ? 3 : 0 } : undefined;
  const weights =
    dtype === 'int8'
      ? Int8Array.from({ length: count }, () => Math.round(rand() * 127))
      : Float32Array.from({ length: count }, (_, i) => (c.infiniteWeight && i === 5 ? Infinity : rand()));
  const filter = b.constant('w', { dtype, shape: filterShape, ...(wq ? { quantization: wq } : {}) }, weights);
  const window = { padding: 1, strideH: stride, strideW: stride, fusedActivationFunction: 0, dilationHFactor: dilation, dilationWFactor: dilation };
  b.op(
    c.depthwise
      ? { opcode: 'DEPTHWISE_CONV_2D', version: 3, inputs: [padded, filter, -1], outputs: [y], options: { type: 'DepthwiseConv2DOptions', value: { ...window, depthMultiplier: 1 } } }
      : { opcode: 'CONV_2D', version: 3, inputs: [padded, filter, -1], outputs: [y], options: { type: 'Conv2DOptions', value: window } },
  );
  if (c.secondReader) {
    const copy = b.tensor('copy', { dtype, shape: b.shapeOf(padded), ...(pq ? { quantization: pq } : {}) });
    b.op({ opcode: 'RELU', inputs: [padded], outputs: [copy] });
    b.output(y, copy);
  } else b.output(y);
  return loadGraph(saveGraph(b.build()));
}

/** Folds a copy of `c`'s model: how many PADs went, and that the folded model computes the original's bytes. */
function fold(c: PadCase): { folded: number; graph: Graph } {
  const original = padModel(c);
  const graph = padModel(c);
  const { folded, bytes } = foldPadsIntoConvs(graph);
  const reloaded = loadGraph(saveGraph(graph));
  expect(verifyModels(original, reloaded, { inputs: 3, seed: 5 }).differingBytes).toBe(0);
  if (folded > 0) {
    expect(bytes).toBe(original.main.tensors.find((t) => t.name === 'padded')!.byteSize);
    const conv = reloaded.main.ops.find((o) => o.opcode === 'CONV_2D' || o.opcode === 'DEPTHWISE_CONV_2D')!;
    // The conv reads the graph input, padding it itself.
    expect(conv.inputs[0]).toBe(reloaded.main.inputs[0]);
    expect(conv.opcode === 'CONV_2D' ? builtinOptions(conv, 'Conv2DOptions').padding : builtinOptions(conv, 'DepthwiseConv2DOptions').padding).toBe(0);
  }
  return { folded, graph: reloaded };
}

describe('foldPadsIntoConvs', () => {
  it.each<[string, PadCase]>([
    ['a 3x3 stride-1 depthwise conv after a 1-pixel PAD', { pads: [1, 1, 1, 1], depthwise: true }],
    ['a 3x3 stride-1 conv after a 1-pixel PAD', { pads: [1, 1, 1, 1] }],
    ["a stride-2 conv after Keras' correct_pad (0, 1) on an even input", { hw: [10, 12], pads: [0, 1, 0, 1], stride: 2 }],
    ['a 5x5 conv after a 2-pixel PAD', { pads: [2, 2, 2, 2], kernel: 5 }],
    ['a dilated conv after its SAME padding', { pads: [2, 2, 2, 2], dilation: 2, depthwise: true }],
    ['a PADV2 with the zero point as its constant', { pads: [1, 1, 1, 1], constant: 3 }],
    ['a float32 conv of finite weights', { dtype: 'float32', pads: [1, 1, 1, 1] }],
    ['a float32 PADV2 of 0', { dtype: 'float32', pads: [1, 1, 1, 1], constant: 0, depthwise: true }],
    ['more rows below than the taps reach', { hw: [10, 12], pads: [0, 2, 0, 1], stride: 2 }],
  ])('folds %s, bit-exact', (_, c) => {
    const { folded, graph } = fold(c);
    expect(folded).toBe(1);
    expect(graph.main.ops.map((o) => o.opcode)).not.toContain(c.constant === undefined ? 'PAD' : 'PADV2');
  });

  it.each<[string, PadCase]>([
    ['a stride-2 conv after a symmetric PAD (SAME pads 0 above)', { hw: [10, 12], pads: [1, 1, 1, 1], stride: 2 }],
    ['a PAD whose top differs from its left where SAME pads both alike', { pads: [1, 1, 0, 2] }],
    ['a PADV2 whose constant is not the zero point', { pads: [1, 1, 1, 1], constant: 7 }],
    ['a padded tensor quantized unlike its input', { pads: [1, 1, 1, 1], requantized: true }],
    ['a padded tensor another operator reads too', { pads: [1, 1, 1, 1], secondReader: true }],
    ['a float32 conv with an infinite weight', { dtype: 'float32', pads: [1, 1, 1, 1], infiniteWeight: true }],
    ['a PAD wider than the SAME padding (the conv reads fewer rows of it)', { pads: [2, 2, 2, 2] }],
  ])('leaves %s', (_, c) => {
    expect(fold(c).folded).toBe(0);
  });
});

describe('foldPadsIntoConvs on random windows', () => {
  it('folds exactly the PADs whose conv pads alike with SAME, and every folded model computes the original bytes', () => {
    let s = 2024;
    const pick = (n: number) => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8) % n;
    let folded = 0;
    let kept = 0;
    for (let i = 0; i < 120; i++) {
      const c: PadCase = {
        dtype: pick(3) === 0 ? 'float32' : 'int8',
        hw: [3 + pick(10), 3 + pick(10)],
        pads: [pick(4), pick(4), pick(4), pick(4)],
        kernel: 1 + pick(5),
        stride: 1 + pick(3),
        dilation: 1 + pick(2),
        depthwise: pick(2) === 0,
      };
      const span = (c.kernel! - 1) * c.dilation! + 1;
      // Half the cases pad as SAME would (TFLM's ComputePaddingHeightWidth), the others at random.
      if (pick(2) === 0) {
        const sameRows = (n: number) => Math.max(0, (Math.ceil(n / c.stride!) - 1) * c.stride! + span - n);
        const [rows, cols] = [sameRows(c.hw![0]), sameRows(c.hw![1])];
        c.pads = [rows >> 1, rows - (rows >> 1), cols >> 1, cols - (cols >> 1)];
      }
      if (c.hw![0] + c.pads[0] + c.pads[1] < span || c.hw![1] + c.pads[2] + c.pads[3] < span) continue;
      // SAME pads what the window needs beyond the input, the odd one below and right: a PAD folds when it pads that.
      const same = (n: number, before: number, after: number) => {
        const out = Math.ceil(n / c.stride!);
        const total = Math.max(0, (out - 1) * c.stride! + span - n);
        return Math.floor((n + before + after - span) / c.stride!) + 1 === out && before === Math.floor(total / 2);
      };
      const alike = same(c.hw![0], c.pads[0], c.pads[1]) && same(c.hw![1], c.pads[2], c.pads[3]);
      const r = fold(c);
      expect(r.folded, JSON.stringify(c)).toBe(alike ? 1 : 0);
      if (alike) folded++;
      else kept++;
    }
    // Both kinds were drawn.
    expect(folded).toBeGreaterThan(10);
    expect(kept).toBeGreaterThan(10);
  });
});
