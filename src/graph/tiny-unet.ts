// The TinySeg paper's Tiny U-Net (LCTES 2024), built with deterministic
// synthetic weights: the project's bundled example and default model.
//
// 80x120x3 uint8 -> QUANTIZE -> DoubleConv(8) -> Down(16) -> Down(32) -> Down(64)
// -> Up(32) -> Up(16) -> Up(8) -> 1x1 conv -> QUANTIZE -> 80x120x<classes> uint8.
// DoubleConv = 2 x (3x3 conv, folded batch-norm bias, ReLU); Down = 2x2 max pool
// + DoubleConv; Up = TRANSPOSE_CONV (kernel 2, stride 2, half the channels),
// PAD to the skip's size (an identity pad here, as the sizes divide evenly),
// CONCATENATION [skip, up] on channels, DoubleConv. The encoder outputs stay
// alive across the bottleneck: the long cold ranges spilling removes.
//
// Weights are int8 per-channel with He-scaled magnitudes (the real activations
// keep their size from layer to layer), biases int32, and every ReLU activation
// shares one int8 quantization covering [0, ACT_RANGE]: values spread over the
// int8 range instead of collapsing to the zero point, so a wrong byte anywhere
// shows in the output.

import { GraphBuilder } from './builder.js';
import type { Graph } from './graph.js';
import type { Quantization } from './types.js';

export interface TinyUnetOptions {
  height?: number;
  width?: number;
  classes?: number;
  seed?: number;
}

const SAME = 0;
const VALID = 1;
const RELU = 1;

/** mulberry32: small, fast, and the same on every platform. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const q = (scale: number, zeroPoint: number): Quantization => ({ scale: [scale], zeroPoint: [zeroPoint], quantizedDimension: 0 });

/** Real range of every ReLU activation, and of the logits (symmetric). */
const ACT_RANGE = 4;
const ACT = q(ACT_RANGE / 255, -128);
const LOGITS = q((2 * ACT_RANGE) / 255, 0);

export function buildTinyUnet(opts: TinyUnetOptions = {}): Graph {
  const H = opts.height ?? 80;
  const W = opts.width ?? 120;
  const classes = opts.classes ?? 2;
  const rand = prng(opts.seed ?? 2024);
  const b = new GraphBuilder({ name: 'tiny_unet', description: `TinySeg Tiny U-Net ${H}x${W}, synthetic weights (seed ${opts.seed ?? 2024})` });
  let n = 0;
  const name = (s: string): string => `${s}_${n++}`;

  /**
   * Weights [cout, kh, kw, cin] int8 per-channel, bias int32 at input_scale * weight_scale.
   * fanIn: inputs summed per output (kh*kw*cin for a conv, cin for a non-overlapping transpose conv).
   */
  const weights = (cout: number, kh: number, kw: number, cin: number, inScale: number, fanIn: number) => {
    const w = new Int8Array(cout * kh * kw * cin);
    for (let i = 0; i < w.length; i++) w[i] = Math.round((rand() * 2 - 1) * 127);
    // Uniform int8 codes have std 127/sqrt(3); He initialisation wants a real std of sqrt(2/fanIn).
    const base = Math.sqrt(6 / fanIn) / 127;
    const scales = Array.from({ length: cout }, () => base * (0.75 + 0.5 * rand()));
    const bias = new Int32Array(cout);
    for (let c = 0; c < cout; c++) bias[c] = Math.round(((rand() - 0.5) * 0.2) / (inScale * scales[c]!));
    const wq: Quantization = { scale: scales, zeroPoint: scales.map(() => 0), quantizedDimension: 0 };
    const bq: Quantization = { scale: scales.map((s) => s * inScale), zeroPoint: scales.map(() => 0), quantizedDimension: 0 };
    const wt = b.constant(name('weights'), { dtype: 'int8', shape: [cout, kh, kw, cin], quantization: wq }, w);
    const bt = b.constant(name('bias'), { dtype: 'int32', shape: [cout], quantization: bq }, bias);
    return { wt, bt };
  };

  const conv = (x: number, cout: number, k: number, relu: boolean): number => {
    const [, h, w, cin] = b.shapeOf(x) as [number, number, number, number];
    const inQ = b.quantOf(x)!;
    const { wt, bt } = weights(cout, k, k, cin, inQ.scale[0]!, k * k * cin);
    const y = b.tensor(name('conv'), { dtype: 'int8', shape: [1, h, w, cout], quantization: relu ? ACT : LOGITS });
    b.op({
      opcode: 'CONV_2D',
      version: 3,
      inputs: [x, wt, bt],
      outputs: [y],
      options: { type: 'Conv2DOptions', value: { padding: SAME, strideW: 1, strideH: 1, fusedActivationFunction: relu ? RELU : 0 } },
    });
    return y;
  };
  const doubleConv = (x: number, c: number): number => conv(conv(x, c, 3, true), c, 3, true);

  const maxPool = (x: number): number => {
    const [, h, w, c] = b.shapeOf(x) as [number, number, number, number];
    const y = b.tensor(name('pool'), { dtype: 'int8', shape: [1, h / 2, w / 2, c], quantization: b.quantOf(x) });
    b.op({
      opcode: 'MAX_POOL_2D',
      version: 2,
      inputs: [x],
      outputs: [y],
      options: { type: 'Pool2DOptions', value: { padding: VALID, strideW: 2, strideH: 2, filterWidth: 2, filterHeight: 2 } },
    });
    return y;
  };

  const up = (x: number, skip: number, c: number): number => {
    const [, h, w, cin] = b.shapeOf(x) as [number, number, number, number];
    const [, sh, sw] = b.shapeOf(skip) as [number, number, number, number];
    const skipQ = b.quantOf(skip)!;
    const { wt, bt } = weights(c, 2, 2, cin, b.quantOf(x)!.scale[0]!, cin);
    const outShape = b.constant(name('output_shape'), { dtype: 'int32', shape: [4] }, new Int32Array([1, 2 * h, 2 * w, c]));
    // Same quantization as the skip, so the concatenation is a plain copy (TFLM requires it).
    const upT = b.tensor(name('up'), { dtype: 'int8', shape: [1, 2 * h, 2 * w, c], quantization: skipQ });
    b.op({
      opcode: 'TRANSPOSE_CONV',
      version: 3,
      inputs: [outShape, wt, x, bt],
      outputs: [upT],
      options: { type: 'TransposeConvOptions', value: { padding: VALID, strideW: 2, strideH: 2 } },
    });
    const dh = sh - 2 * h;
    const dw = sw - 2 * w;
    const pads = b.constant(
      name('paddings'),
      { dtype: 'int32', shape: [4, 2] },
      new Int32Array([0, 0, dh >> 1, dh - (dh >> 1), dw >> 1, dw - (dw >> 1), 0, 0]),
    );
    const padded = b.tensor(name('pad'), { dtype: 'int8', shape: [1, sh, sw, c], quantization: skipQ });
    b.op({ opcode: 'PAD', version: 2, inputs: [upT, pads], outputs: [padded], options: { type: 'PadOptions', value: {} } });
    const [, , , skipC] = b.shapeOf(skip) as [number, number, number, number];
    const cat = b.tensor(name('concat'), { dtype: 'int8', shape: [1, sh, sw, skipC + c], quantization: skipQ });
    b.op({
      opcode: 'CONCATENATION',
      version: 2,
      inputs: [skip, padded],
      outputs: [cat],
      options: { type: 'ConcatenationOptions', value: { axis: 3 } },
    });
    return doubleConv(cat, c);
  };

  const inScale = 1 / 255;
  const input = b.input('input', { dtype: 'uint8', shape: [1, H, W, 3], quantization: q(inScale, 0) });
  const x0 = b.tensor('input_int8', { dtype: 'int8', shape: [1, H, W, 3], quantization: q(inScale, -128) });
  b.op({ opcode: 'QUANTIZE', version: 2, inputs: [input], outputs: [x0], options: { type: 'QuantizeOptions', value: {} } });

  const s1 = doubleConv(x0, 8);
  const s2 = doubleConv(maxPool(s1), 16);
  const s3 = doubleConv(maxPool(s2), 32);
  const bottom = doubleConv(maxPool(s3), 64);
  const u3 = up(bottom, s3, 32);
  const u2 = up(u3, s2, 16);
  const u1 = up(u2, s1, 8);
  const logits = conv(u1, classes, 1, false);

  const lq = b.quantOf(logits)!;
  const out = b.tensor('output', { dtype: 'uint8', shape: [1, H, W, classes], quantization: q(lq.scale[0]!, lq.zeroPoint[0]! + 128) });
  b.op({ opcode: 'QUANTIZE', version: 2, inputs: [logits], outputs: [out], options: { type: 'QuantizeOptions', value: {} } });
  b.output(out);
  return b.build();
}
