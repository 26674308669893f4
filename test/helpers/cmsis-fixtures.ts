// Small models, one or a few operators each, for the operators whose TFLM
// kernels allocate the most varied memory: SVDF, UNIDIRECTIONAL_SEQUENCE_LSTM,
// BATCH_MATMUL (int8, int16 and float32 where TFLM has them), and the CMSIS-NN
// conv / depthwise / fully connected / transpose conv / pooling kernels with
// awkward shapes (odd channels, channel multipliers, batches, 1x1-as-FC). test/tflm/cmsis-fixtures.test.ts holds the
// arena real TFLM measured for each (saveGraph the fixture, then
// docs/firmware-measure.md "One model, by hand" with the model array as
// bench/tflm-m4.js writes it for an original). Weights are deterministic; their
// values do not matter for the memory.

import { GraphBuilder } from '../../src/graph/builder.js';
import type { Graph } from '../../src/graph/graph.js';
import type { DType, Quantization } from '../../src/graph/types.js';

const SAME = 0;
const VALID = 1;
const TANH = 4;

const q = (scale: number, zeroPoint = 0): Quantization => ({ scale: [scale], zeroPoint: [zeroPoint], quantizedDimension: 0 });
const perChannel = (n: number, dim: number, base: number): Quantization => ({
  scale: Array.from({ length: n }, (_, i) => base * (1 + i / 8)),
  zeroPoint: new Array<number>(n).fill(0),
  quantizedDimension: dim,
});

const count = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** Deterministic constant data of `dtype`. */
function data(dtype: DType, shape: number[], seed: number): ArrayBufferView {
  const n = count(shape);
  const v = (i: number): number => (((i * 37 + seed * 11) % 29) - 14) / 14;
  switch (dtype) {
    case 'float32':
      return Float32Array.from({ length: n }, (_, i) => v(i) * 0.5);
    case 'int8':
      return Int8Array.from({ length: n }, (_, i) => Math.round(v(i) * 100));
    case 'int16':
      return Int16Array.from({ length: n }, (_, i) => Math.round(v(i) * 1000));
    case 'int32':
      return Int32Array.from({ length: n }, (_, i) => Math.round(v(i) * 500));
    default:
      throw new Error(`no fixture data for ${dtype}`);
  }
}

function constant(b: GraphBuilder, name: string, dtype: DType, shape: number[], quantization: Quantization | null, seed: number): number {
  return b.constant(name, { dtype, shape, quantization }, data(dtype, shape, seed));
}

/** SVDF, batch 2, input 10, 8 filters of rank 2 (4 units), memory 4; int8 (int16 state and time weights) or float32. */
function svdf(dtype: 'int8' | 'float32'): Graph {
  const b = new GraphBuilder();
  const [batch, input, filters, rank, memory] = [2, 10, 8, 2, 4];
  const units = filters / rank;
  const i8 = dtype === 'int8';
  const x = b.input('x', { dtype, shape: [batch, input], quantization: i8 ? q(0.05, 3) : null });
  const wf = constant(b, 'weights_feature', dtype, [filters, input], i8 ? q(0.01) : null, 1);
  const wt = constant(b, 'weights_time', i8 ? 'int16' : 'float32', [filters, memory], i8 ? q(0.0005) : null, 2);
  // int8: the kernel checks bias scale == state scale * time weights scale.
  const bias = constant(b, 'bias', i8 ? 'int32' : 'float32', [units], i8 ? q(0.002 * 0.0005) : null, 3);
  const state = b.variable('state', { dtype: i8 ? 'int16' : 'float32', shape: [batch, memory * filters], quantization: i8 ? q(0.002) : null });
  const y = b.tensor('y', { dtype, shape: [batch, units], quantization: i8 ? q(0.1, -2) : null });
  b.op({ opcode: 'SVDF', inputs: [x, wf, wt, bias, state], outputs: [y], options: { type: 'SVDFOptions', value: { rank, fusedActivationFunction: 1 } } });
  b.output(y);
  return b.build();
}

/**
 * UNIDIRECTIONAL_SEQUENCE_LSTM, batch 2, 3 steps, input 5, state 6, batch-major; float32, or int8 / int16
 * activations (int8 weights) with an int16 cell.
 */
function lstm(dtype: 'int8' | 'int16' | 'float32'): Graph {
  const b = new GraphBuilder();
  const [batch, steps, input, state] = [2, 3, 5, 6];
  const i8 = dtype !== 'float32';
  const i16 = dtype === 'int16';
  const qa = (s: number, z = 0): Quantization | null => (i8 ? q(s, i16 ? 0 : z) : null);
  const x = b.input('x', { dtype, shape: [batch, steps, input], quantization: qa(0.02, 1) });
  const w = (name: string, cols: number, seed: number): number => constant(b, name, i16 ? 'int8' : dtype, [state, cols], qa(0.01), seed);
  const inputWeights = ['input_to_input', 'input_to_forget', 'input_to_cell', 'input_to_output'].map((n, i) => w(n, input, 10 + i));
  const recurrentWeights = ['recurrent_to_input', 'recurrent_to_forget', 'recurrent_to_cell', 'recurrent_to_output'].map((n, i) => w(n, state, 20 + i));
  const biases = ['input_gate_bias', 'forget_gate_bias', 'cell_gate_bias', 'output_gate_bias'].map((n, i) =>
    i16
      ? b.constant(n, { dtype: 'int64', shape: [state], quantization: q(0.02 * 0.01) }, BigInt64Array.from({ length: state }, (_, k) => BigInt(k * 3 - 7)))
      : constant(b, n, i8 ? 'int32' : 'float32', [state], i8 ? q(0.02 * 0.01) : null, 30 + i),
  );
  const hidden = b.variable('output_state', { dtype, shape: [batch, state], quantization: qa(0.01, -1) });
  // The int16 cell's scale is a power of two (TFLM takes its log2).
  const cell = b.variable('cell_state', { dtype: i8 ? 'int16' : 'float32', shape: [batch, state], quantization: i8 ? q(2 ** -11) : null });
  const y = b.tensor('y', { dtype, shape: [batch, steps, state], quantization: qa(0.01, -1) });
  const none = -1;
  b.op({
    opcode: 'UNIDIRECTIONAL_SEQUENCE_LSTM',
    // 0 input, 1-4 input weights, 5-8 recurrent weights, 9-11 peepholes, 12-15 biases, 16-17 projection,
    // 18 output state, 19 cell state, 20-23 layer norm.
    inputs: [x, ...inputWeights, ...recurrentWeights, none, none, none, ...biases, none, none, hidden, cell, none, none, none, none],
    outputs: [y],
    options: { type: 'UnidirectionalSequenceLSTMOptions', value: { fusedActivationFunction: TANH, timeMajor: false } },
  });
  b.output(y);
  return b.build();
}

/** BATCH_MATMUL of an activation by a constant; adjX/adjY as given (shapes follow them). */
function batchMatmul(dtype: 'int8' | 'float32', adjX: boolean, adjY: boolean): Graph {
  const b = new GraphBuilder();
  const [batch, rows, depth, cols] = [2, 3, 5, 7];
  const i8 = dtype === 'int8';
  const x = b.input('x', { dtype, shape: adjX ? [batch, depth, rows] : [batch, rows, depth], quantization: i8 ? q(0.05, 2) : null });
  const w = constant(b, 'w', dtype, adjY ? [cols, depth] : [depth, cols], i8 ? q(0.01) : null, 4);
  const y = b.tensor('y', { dtype, shape: [batch, rows, cols], quantization: i8 ? q(0.1, -3) : null });
  b.op({ opcode: 'BATCH_MATMUL', inputs: [x, w], outputs: [y], options: { type: 'BatchMatMulOptions', value: { adjX, adjY } } });
  b.output(y);
  return b.build();
}

/**
 * int8 convolutions with odd channels: a 3x3/2 CONV_2D 3 -> 5, a depthwise with
 * multiplier 2 (5 -> 10), a 3x3 depthwise 10 -> 10 (CMSIS-NN's 3x3 kernel), a 5x1
 * depthwise with dilation 1 (its im2col buffer), a 1x1 conv 10 -> 7, an average pool.
 */
function convMix(): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', { dtype: 'int8', shape: [1, 11, 9, 3], quantization: q(0.05, -1) });
  let prev = x;
  let n = 0;
  const conv = (kind: 'CONV_2D' | 'DEPTHWISE_CONV_2D', outShape: number[], k: [number, number], stride: number, cin: number, mult: number, padding = SAME): void => {
    const cout = outShape[3]!;
    const fshape = kind === 'CONV_2D' ? [cout, k[0], k[1], cin] : [1, k[0], k[1], cout];
    const wq = perChannel(cout, kind === 'CONV_2D' ? 0 : 3, 0.01);
    const w = constant(b, `w${n}`, 'int8', fshape, wq, n + 5);
    const bias = b.constant(`b${n}`, { dtype: 'int32', shape: [cout], quantization: perChannel(cout, 0, 0.0005) }, Int32Array.from({ length: cout }, (_, i) => i * 7 - 20));
    const y = b.tensor(`y${n}`, { dtype: 'int8', shape: outShape, quantization: q(0.05 + n / 100, n - 2) });
    const window = { padding, strideH: stride, strideW: stride, dilationHFactor: 1, dilationWFactor: 1 };
    if (kind === 'CONV_2D') b.op({ opcode: kind, version: 3, inputs: [prev, w, bias], outputs: [y], options: { type: 'Conv2DOptions', value: window } });
    else b.op({ opcode: kind, version: 3, inputs: [prev, w, bias], outputs: [y], options: { type: 'DepthwiseConv2DOptions', value: { ...window, depthMultiplier: mult } } });
    prev = y;
    n++;
  };
  conv('CONV_2D', [1, 6, 5, 5], [3, 3], 2, 3, 1);
  conv('DEPTHWISE_CONV_2D', [1, 6, 5, 10], [3, 3], 1, 5, 2);
  conv('DEPTHWISE_CONV_2D', [1, 6, 5, 10], [3, 3], 1, 10, 1);
  conv('DEPTHWISE_CONV_2D', [1, 6, 5, 10], [5, 1], 1, 10, 1);
  conv('CONV_2D', [1, 6, 5, 7], [1, 1], 1, 10, 1, VALID);
  const y = b.tensor('pool', { dtype: 'int8', shape: [1, 3, 2, 7], quantization: q(0.09, 2) });
  b.op({ opcode: 'AVERAGE_POOL_2D', inputs: [prev], outputs: [y], options: { type: 'Pool2DOptions', value: { padding: VALID, strideH: 2, strideW: 2, filterHeight: 2, filterWidth: 2 } } });
  b.output(y);
  return b.build();
}

/** int8 FULLY_CONNECTED: batch 4, depth 12 -> 6 (per-tensor), then keepNumDims over a rank-3 input (CMSIS-NN's 1x1-conv path). */
function fcMix(): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', { dtype: 'int8', shape: [4, 12], quantization: q(0.05, 1) });
  const w0 = constant(b, 'w0', 'int8', [6, 12], q(0.01), 7);
  const b0 = constant(b, 'b0', 'int32', [6], q(0.0005), 8);
  const y0 = b.tensor('y0', { dtype: 'int8', shape: [4, 6], quantization: q(0.08, -1) });
  b.op({ opcode: 'FULLY_CONNECTED', inputs: [x, w0, b0], outputs: [y0], options: { type: 'FullyConnectedOptions', value: {} } });
  const r = b.tensor('r', { dtype: 'int8', shape: [1, 3, 8], quantization: q(0.08, -1) });
  const shape = b.constant('shape', { dtype: 'int32', shape: [3] }, Int32Array.from([1, 3, 8]));
  b.op({ opcode: 'RESHAPE', inputs: [y0, shape], outputs: [r], options: { type: 'ReshapeOptions', value: { newShape: [1, 3, 8] } } });
  const w1 = constant(b, 'w1', 'int8', [5, 8], q(0.01), 9);
  const y1 = b.tensor('y1', { dtype: 'int8', shape: [1, 3, 5], quantization: q(0.1, 2) });
  b.op({ opcode: 'FULLY_CONNECTED', inputs: [r, w1, -1], outputs: [y1], options: { type: 'FullyConnectedOptions', value: { keepNumDims: true } } });
  b.output(y1);
  return b.build();
}

/** int8 TRANSPOSE_CONV: 3 -> 4 channels at stride 2 (CMSIS-NN's row accumulator), then 20 -> 6 (its reversed-filter path). */
function transposeConvMix(): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', { dtype: 'int8', shape: [1, 4, 5, 3], quantization: q(0.05, 0) });
  const tconv = (input: number, inShape: number[], cout: number, k: number, stride: number, n: number): number => {
    const outShape = [1, inShape[1]! * stride, inShape[2]! * stride, cout];
    const os = b.constant(`os${n}`, { dtype: 'int32', shape: [4] }, Int32Array.from(outShape));
    const w = constant(b, `w${n}`, 'int8', [cout, k, k, inShape[3]!], perChannel(cout, 0, 0.01), n + 11);
    const y = b.tensor(`y${n}`, { dtype: 'int8', shape: outShape, quantization: q(0.07, 1) });
    b.op({ opcode: 'TRANSPOSE_CONV', version: 3, inputs: [os, w, input, -1], outputs: [y], options: { type: 'TransposeConvOptions', value: { padding: SAME, strideH: stride, strideW: stride } } });
    return y;
  };
  const y0 = tconv(x, [1, 4, 5, 3], 4, 3, 2, 0);
  // 20 channels from a 1x1 conv, then the second transpose conv.
  const w = constant(b, 'wc', 'int8', [20, 1, 1, 4], perChannel(20, 0, 0.01), 30);
  const bias = b.constant('bc', { dtype: 'int32', shape: [20], quantization: perChannel(20, 0, 0.0005) }, new Int32Array(20));
  const c = b.tensor('c', { dtype: 'int8', shape: [1, 8, 10, 20], quantization: q(0.06, 0) });
  b.op({ opcode: 'CONV_2D', version: 3, inputs: [y0, w, bias], outputs: [c], options: { type: 'Conv2DOptions', value: { padding: VALID, strideH: 1, strideW: 1 } } });
  const y1 = tconv(c, [1, 8, 10, 20], 6, 2, 1, 1);
  b.output(y1);
  return b.build();
}

/** int16 TRANSPOSE_CONV (int8 weights) with an int16 bias: both sets' 64-bit output accumulator, then the widened bias. */
function transposeConvInt16(): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', { dtype: 'int16', shape: [1, 3, 4, 5], quantization: q(0.001) });
  const outShape = [1, 6, 8, 3];
  const os = b.constant('os', { dtype: 'int32', shape: [4] }, Int32Array.from(outShape));
  const w = constant(b, 'w', 'int8', [3, 3, 3, 5], perChannel(3, 0, 0.01), 40);
  const bias = constant(b, 'b', 'int16', [3], perChannel(3, 0, 0.00001), 41);
  const y = b.tensor('y', { dtype: 'int16', shape: outShape, quantization: q(0.002) });
  b.op({ opcode: 'TRANSPOSE_CONV', version: 4, inputs: [os, w, x, bias], outputs: [y], options: { type: 'TransposeConvOptions', value: { padding: SAME, strideH: 2, strideW: 2 } } });
  b.output(y);
  return b.build();
}

/** Every fixture by name. */
export const CMSIS_FIXTURES: Readonly<Record<string, () => Graph>> = {
  'svdf-int8': () => svdf('int8'),
  'svdf-f32': () => svdf('float32'),
  'lstm-f32': () => lstm('float32'),
  'lstm-int8': () => lstm('int8'),
  'lstm-int16': () => lstm('int16'),
  'tconv-int16': transposeConvInt16,
  'bmm-int8': () => batchMatmul('int8', false, false),
  'bmm-int8-adj': () => batchMatmul('int8', true, true),
  'bmm-f32': () => batchMatmul('float32', false, false),
  'conv-mix-int8': convMix,
  'fc-mix-int8': fcMix,
  'tconv-mix-int8': transposeConvMix,
};
