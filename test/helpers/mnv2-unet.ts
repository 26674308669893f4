// A synthetic model of the U-Net in TensorFlow's image segmentation tutorial
// (tensorflow.org/tutorials/images/segmentation): a Keras MobileNetV2 encoder
// as the TFLite converter writes it (batch norms folded, ReLU6 fused, a PAD of
// correct_pad before every stride-2 depthwise conv, ADD residuals), its
// block_1/3/6/13 expand activations and block_16 projection as skips, and a
// pix2pix decoder (3x3 stride-2 SAME TRANSPOSE_CONV, RELU, CONCATENATION with
// the skip) ending in a TRANSPOSE_CONV to the classes at full resolution.
// int8 throughout, deterministic weights: the shape of a model family whose
// peak sits at the stem (the block_1 expand activation beside its padded copy)
// and at the decoder's full-resolution end.

import { GraphBuilder } from '../../src/graph/builder.js';
import { loadGraph, saveGraph, type Graph } from '../../src/graph/graph.js';
import type { Quantization } from '../../src/graph/types.js';
import { prng } from './prng.js';

export interface Mnv2UnetOptions {
  /** Input height and width (a multiple of 32). */
  size?: number;
  /** MobileNetV2's width multiplier. */
  alpha?: number;
  /** The decoder's filters, coarsest first (the tutorial's 512, 256, 128, 64). */
  up?: readonly number[];
  classes?: number;
  /**
   * The graph input's and output's type: int8 (default), or uint8 or float32 as the converter writes them with
   * `inference_input_type` / `inference_output_type` (a QUANTIZE from the input, a QUANTIZE or DEQUANTIZE to the output).
   */
  io?: 'int8' | 'uint8' | 'float32';
}

const SAME = 0;
const VALID = 1;
const RELU6 = 3;

const q = (scale: number, zeroPoint: number): Quantization => ({ scale: [scale], zeroPoint: [zeroPoint], quantizedDimension: 0 });
/** ReLU6 and RELU outputs share one quantization (the concatenations copy bytes as they are); linear outputs another. */
const ACT = q(6 / 255, -128);
const LINEAR = q(12 / 255, 0);

/** Keras' _make_divisible: channels rounded to a multiple of 8, never below 90% of the request. */
const divisible = (v: number): number => {
  const n = Math.max(8, Math.floor(v + 4) - (Math.floor(v + 4) % 8));
  return n < 0.9 * v ? n + 8 : n;
};

export function buildMnv2Unet(opts: Mnv2UnetOptions = {}): Graph {
  const size = opts.size ?? 128;
  const alpha = opts.alpha ?? 1;
  const up = opts.up ?? [512, 256, 128, 64];
  const classes = opts.classes ?? 3;
  const next = prng(17);
  const rand = () => next() / 2 ** 32;
  const b = new GraphBuilder({ name: 'mnv2_unet' });
  let n = 0;
  const name = (s: string) => `${s}_${n++}`;
  const shape = (t: number) => b.shapeOf(t) as [number, number, number, number];

  /** int8 weights of `wShape` (per channel along `dim`), He-scaled for `fanIn`, and int32 biases at input scale x weight scale. */
  const params = (wShape: number[], dim: number, inScale: number, fanIn: number) => {
    const count = wShape.reduce((a, d) => a * d, 1);
    const channels = wShape[dim]!;
    const base = Math.sqrt(6 / fanIn) / 127;
    const scales = Array.from({ length: channels }, () => Math.fround(base * (0.75 + 0.5 * rand())));
    const w = b.constant(name('w'), { dtype: 'int8', shape: wShape, quantization: { scale: scales, zeroPoint: scales.map(() => 0), quantizedDimension: dim } }, Int8Array.from({ length: count }, () => Math.round((rand() * 2 - 1) * 127)));
    const bias = Int32Array.from(scales, (s) => Math.round(((rand() - 0.5) * 0.2) / (inScale * s)));
    const bq: Quantization = { scale: scales.map((s) => s * inScale), zeroPoint: scales.map(() => 0), quantizedDimension: 0 };
    return { w, bias: b.constant(name('b'), { dtype: 'int32', shape: [channels], quantization: bq }, bias) };
  };

  const conv = (x: number, cout: number, k: number, stride: number, padding: number, relu6: boolean): number => {
    const [, h, w, cin] = shape(x);
    const p = params([cout, k, k, cin], 0, b.quantOf(x)!.scale[0]!, k * k * cin);
    const out = (d: number) => (padding === SAME ? Math.ceil(d / stride) : Math.floor((d - k) / stride) + 1);
    const y = b.tensor(name('conv'), { dtype: 'int8', shape: [1, out(h), out(w), cout], quantization: relu6 ? ACT : LINEAR });
    b.op({ opcode: 'CONV_2D', version: 3, inputs: [x, p.w, p.bias], outputs: [y], options: { type: 'Conv2DOptions', value: { padding, strideH: stride, strideW: stride, fusedActivationFunction: relu6 ? RELU6 : 0 } } });
    return y;
  };

  const depthwise = (x: number, stride: number, padding: number): number => {
    const [, h, w, c] = shape(x);
    const p = params([1, 3, 3, c], 3, b.quantOf(x)!.scale[0]!, 9);
    const out = (d: number) => (padding === SAME ? Math.ceil(d / stride) : Math.floor((d - 3) / stride) + 1);
    const y = b.tensor(name('dw'), { dtype: 'int8', shape: [1, out(h), out(w), c], quantization: ACT });
    b.op({
      opcode: 'DEPTHWISE_CONV_2D',
      version: 3,
      inputs: [x, p.w, p.bias],
      outputs: [y],
      options: { type: 'DepthwiseConv2DOptions', value: { padding, strideH: stride, strideW: stride, depthMultiplier: 1, fusedActivationFunction: RELU6 } },
    });
    return y;
  };

  /** Keras' correct_pad for a 3x3 stride-2 window: one row and column after an even input, one on each side of an odd one. */
  const correctPad = (x: number): number => {
    const [, h, w, c] = shape(x);
    const [top, left] = [h % 2 === 0 ? 0 : 1, w % 2 === 0 ? 0 : 1];
    const paddings = b.constant(name('paddings'), { dtype: 'int32', shape: [4, 2] }, Int32Array.from([0, 0, top, 1, left, 1, 0, 0]));
    const y = b.tensor(name('pad'), { dtype: 'int8', shape: [1, h + top + 1, w + left + 1, c], quantization: b.quantOf(x)! });
    b.op({ opcode: 'PAD', version: 2, inputs: [x, paddings], outputs: [y] });
    return y;
  };

  const skips: number[] = [];
  /** An inverted residual block; `skip` keeps its expand activation for the decoder. */
  const block = (x: number, expansion: number, filters: number, stride: number, skip = false): number => {
    const cin = shape(x)[3];
    const cout = divisible(filters * alpha);
    let t = expansion === 1 ? x : conv(x, cin * expansion, 1, 1, SAME, true);
    if (skip) skips.push(t);
    t = stride === 2 ? depthwise(correctPad(t), 2, VALID) : depthwise(t, 1, SAME);
    t = conv(t, cout, 1, 1, SAME, false);
    if (stride === 1 && cin === cout) {
      const sum = b.tensor(name('add'), { dtype: 'int8', shape: shape(t), quantization: LINEAR });
      b.op({ opcode: 'ADD', version: 2, inputs: [x, t], outputs: [sum], options: { type: 'AddOptions', value: { fusedActivationFunction: 0 } } });
      return sum;
    }
    return t;
  };

  const transposeConv = (x: number, cout: number, quantization: Quantization): number => {
    const [, h, w, cin] = shape(x);
    const p = params([cout, 3, 3, cin], 0, b.quantOf(x)!.scale[0]!, 9 * cin);
    const outShape = b.constant(name('output_shape'), { dtype: 'int32', shape: [4] }, Int32Array.from([1, 2 * h, 2 * w, cout]));
    const y = b.tensor(name('up'), { dtype: 'int8', shape: [1, 2 * h, 2 * w, cout], quantization });
    b.op({ opcode: 'TRANSPOSE_CONV', version: 3, inputs: [outShape, p.w, x, p.bias], outputs: [y], options: { type: 'TransposeConvOptions', value: { padding: SAME, strideH: 2, strideW: 2 } } });
    return y;
  };

  const io = opts.io ?? 'int8';
  const IN = q(1 / 255, -128);
  let input: number;
  if (io === 'int8') input = b.input('input', { dtype: 'int8', shape: [1, size, size, 3], quantization: IN });
  else {
    const raw = b.input('input', { dtype: io, shape: [1, size, size, 3], ...(io === 'uint8' ? { quantization: q(1 / 255, 0) } : {}) });
    input = b.tensor(name('quantized'), { dtype: 'int8', shape: [1, size, size, 3], quantization: IN });
    b.op({ opcode: 'QUANTIZE', inputs: [raw], outputs: [input] });
  }
  let x = conv(input, divisible(32 * alpha), 3, 2, SAME, true);
  x = block(x, 1, 16, 1);
  x = block(x, 6, 24, 2, true);
  x = block(x, 6, 24, 1);
  x = block(x, 6, 32, 2, true);
  x = block(x, 6, 32, 1);
  x = block(x, 6, 32, 1);
  x = block(x, 6, 64, 2, true);
  for (let i = 0; i < 3; i++) x = block(x, 6, 64, 1);
  for (let i = 0; i < 3; i++) x = block(x, 6, 96, 1);
  x = block(x, 6, 160, 2, true);
  x = block(x, 6, 160, 1);
  x = block(x, 6, 160, 1);
  x = block(x, 6, 320, 1);
  // pix2pix upsampling, coarsest skip first.
  for (const [i, filters] of up.entries()) {
    const upT = transposeConv(x, filters, LINEAR);
    const relu = b.tensor(name('relu'), { dtype: 'int8', shape: shape(upT), quantization: ACT });
    b.op({ opcode: 'RELU', version: 2, inputs: [upT], outputs: [relu] });
    const skip = skips[skips.length - 1 - i]!;
    const cat = b.tensor(name('concat'), { dtype: 'int8', shape: [...shape(relu).slice(0, 3), shape(relu)[3] + shape(skip)[3]], quantization: ACT });
    b.op({ opcode: 'CONCATENATION', version: 2, inputs: [relu, skip], outputs: [cat], options: { type: 'ConcatenationOptions', value: { axis: 3 } } });
    x = cat;
  }
  const logits = transposeConv(x, classes, LINEAR);
  if (io === 'int8') b.output(logits);
  else {
    const y = b.tensor('output', { dtype: io, shape: shape(logits), ...(io === 'uint8' ? { quantization: q(12 / 255, 128) } : {}) });
    b.op({ opcode: io === 'uint8' ? 'QUANTIZE' : 'DEQUANTIZE', inputs: [logits], outputs: [y] });
    b.output(y);
  }
  return loadGraph(saveGraph(b.build()));
}
