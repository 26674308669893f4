// Single-operator models of the data movement and reduction kernels, measured
// with real TFLM (test/tflm/data-ops-measured.test.ts): each is what
// test/tflm's figures were taken from, written with saveGraph.

import { GraphBuilder } from '../../src/graph/builder.js';
import type { Graph } from '../../src/graph/graph.js';
import type { DType, Quantization } from '../../src/graph/types.js';

const q = (s: number, z: number): Quantization => ({ scale: [s], zeroPoint: [z], quantizedDimension: 0 });
const i32 = (v: number[]) => new Int32Array(v);
const I = (b: GraphBuilder, dtype: DType, shape: number[], qq?: Quantization) =>
  b.input('x', { dtype, shape, ...(qq ? { quantization: qq } : {}) });
const T = (b: GraphBuilder, name: string, dtype: DType, shape: number[], qq?: Quantization) =>
  b.tensor(name, { dtype, shape, ...(qq ? { quantization: qq } : {}) });
const C = (b: GraphBuilder, name: string, dtype: DType, shape: number[], data: ArrayBufferView, qq?: Quantization) =>
  b.constant(name, { dtype, shape, ...(qq ? { quantization: qq } : {}) }, data);
const red = (op: string, dt: DType, qq?: Quantization) => (b: GraphBuilder) => {
  const x = I(b, dt, [2, 2], qq);
  const y = T(b, 'y', dt, [2], qq);
  b.op({ opcode: op, inputs: [x, C(b, 'a', 'int32', [1], i32([0]))], outputs: [y], options: { type: 'ReducerOptions', value: { keepDims: false } } });
  b.output(y);
};

const BUILDERS: Record<string, (b: GraphBuilder) => void> = {};
function model(name: string, build: (b: GraphBuilder) => void): void {
  BUILDERS[name] = build;
}

model('cumsum_i8', (b: GraphBuilder) => { const x = I(b, 'int8', [3, 7], q(0.1, 5)); const y = T(b, 'y', 'int8', [3, 7], q(0.3, -3));
  b.op({ opcode: 'CUMSUM', inputs: [x, C(b, 'a', 'int32', [1], i32([1]))], outputs: [y], options: { type: 'CumsumOptions', value: { exclusive: true, reverse: true } } }); b.output(y); });
model('cumsum_f', (b: GraphBuilder) => { const x = I(b, 'float32', [4, 9]); const y = T(b, 'y', 'float32', [4, 9]);
  b.op({ opcode: 'CUMSUM', inputs: [x, C(b, 'a', 'int32', [1], i32([-1]))], outputs: [y], options: { type: 'CumsumOptions', value: { exclusive: false, reverse: false } } }); b.output(y); });
model('sum_i8', (b: GraphBuilder) => { const x = I(b, 'int8', [1, 5, 6, 4], q(0.05, -7)); const y = T(b, 'y', 'int8', [1, 4], q(0.4, 3));
  b.op({ opcode: 'SUM', inputs: [x, C(b, 'a', 'int32', [2], i32([1, 2]))], outputs: [y], options: { type: 'ReducerOptions', value: { keepDims: false } } }); b.output(y); });
model('sum_i16', (b: GraphBuilder) => { const x = I(b, 'int16', [2, 5, 3], q(0.001, 0)); const y = T(b, 'y', 'int16', [2, 1, 3], q(0.003, 0));
  b.op({ opcode: 'SUM', inputs: [x, C(b, 'a', 'int32', [1], i32([1]))], outputs: [y], options: { type: 'ReducerOptions', value: { keepDims: true } } }); b.output(y); });
model('sum_f', (b: GraphBuilder) => { const x = I(b, 'float32', [3, 5, 7]); const y = T(b, 'y', 'float32', [5]);
  b.op({ opcode: 'SUM', inputs: [x, C(b, 'a', 'int32', [2], i32([0, -1]))], outputs: [y], options: { type: 'ReducerOptions', value: { keepDims: false } } }); b.output(y); });
model('mean_i8', (b: GraphBuilder) => { const x = I(b, 'int8', [1, 5, 3, 6], q(0.05, -7)); const y = T(b, 'y', 'int8', [1, 6], q(0.02, 2));
  b.op({ opcode: 'MEAN', inputs: [x, C(b, 'a', 'int32', [2], i32([1, 2]))], outputs: [y], options: { type: 'ReducerOptions', value: { keepDims: false } } }); b.output(y); });
model('max_i8', (b: GraphBuilder) => { const x = I(b, 'int8', [2, 5, 6], q(0.05, -7)); const y = T(b, 'y', 'int8', [2, 1, 6], q(0.05, -7));
  b.op({ opcode: 'REDUCE_MAX', inputs: [x, C(b, 'a', 'int32', [1], i32([1]))], outputs: [y], options: { type: 'ReducerOptions', value: { keepDims: true } } }); b.output(y); });
model('min_f', (b: GraphBuilder) => { const x = I(b, 'float32', [2, 5, 6]); const y = T(b, 'y', 'float32', [5]);
  b.op({ opcode: 'REDUCE_MIN', inputs: [x, C(b, 'a', 'int32', [2], i32([0, 2]))], outputs: [y], options: { type: 'ReducerOptions', value: { keepDims: false } } }); b.output(y); });
model('argmax_f', (b: GraphBuilder) => { const x = I(b, 'float32', [3, 7, 5]); const y = T(b, 'y', 'int32', [3, 5]);
  b.op({ opcode: 'ARG_MAX', inputs: [x, C(b, 'a', 'int32', [1], i32([1]))], outputs: [y], options: { type: 'ArgMaxOptions', value: { outputType: 2 } } }); b.output(y); });
model('argmin_i8', (b: GraphBuilder) => { const x = I(b, 'int8', [3, 7, 5], q(1, 0)); const y = T(b, 'y', 'int32', [3, 7]);
  b.op({ opcode: 'ARG_MIN', inputs: [x, C(b, 'a', 'int32', [1], i32([2]))], outputs: [y], options: { type: 'ArgMinOptions', value: { outputType: 2 } } }); b.output(y); });
model('l2pool', (b: GraphBuilder) => { const x = I(b, 'float32', [1, 7, 9, 3]); const y = T(b, 'y', 'float32', [1, 4, 5, 3]);
  b.op({ opcode: 'L2_POOL_2D', inputs: [x], outputs: [y], options: { type: 'Pool2DOptions', value: { padding: 0, strideW: 2, strideH: 2, filterWidth: 3, filterHeight: 3, fusedActivationFunction: 3 } } }); b.output(y); });
model('s2b_i8', (b: GraphBuilder) => { const x = I(b, 'int8', [1, 5, 5, 2], q(0.1, 9)); const y = T(b, 'y', 'int8', [4, 3, 3, 2], q(0.1, 9));
  b.op({ opcode: 'SPACE_TO_BATCH_ND', inputs: [x, C(b, 'bs', 'int32', [2], i32([2, 2])), C(b, 'p', 'int32', [2, 2], i32([1, 0, 0, 1]))], outputs: [y] }); b.output(y); });
model('b2s_f', (b: GraphBuilder) => { const x = I(b, 'float32', [4, 3, 3, 2]); const y = T(b, 'y', 'float32', [1, 5, 5, 2]);
  b.op({ opcode: 'BATCH_TO_SPACE_ND', inputs: [x, C(b, 'bs', 'int32', [2], i32([2, 2])), C(b, 'c', 'int32', [2, 2], i32([1, 0, 0, 1]))], outputs: [y] }); b.output(y); });
model('embed_hybrid', (b: GraphBuilder) => { const v = I(b, 'int8', [6, 2, 3], q(0.0371, 0)); const y = T(b, 'y', 'float32', [4, 2, 3]);
  b.op({ opcode: 'EMBEDDING_LOOKUP', inputs: [C(b, 'l', 'int32', [4], i32([5, 0, 2, 2])), v], outputs: [y] }); b.output(y); });
model('mirror_i8', (b: GraphBuilder) => { const x = I(b, 'int8', [1, 4, 5, 2], q(0.1, 0)); const y = T(b, 'y', 'int8', [1, 7, 8, 2], q(0.1, 0));
  b.op({ opcode: 'MIRROR_PAD', inputs: [x, C(b, 'p', 'int32', [4, 2], i32([0, 0, 2, 1, 1, 2, 0, 0]))], outputs: [y], options: { type: 'MirrorPadOptions', value: { mode: 0 } } }); b.output(y); });
model('gather_i8', (b: GraphBuilder) => { const x = I(b, 'int8', [4, 5, 3], q(0.1, 0)); const y = T(b, 'y', 'int8', [4, 2, 2, 3], q(0.1, 0));
  b.op({ opcode: 'GATHER', inputs: [x, C(b, 'p', 'int32', [2, 2], i32([4, 0, 2, 2]))], outputs: [y], options: { type: 'GatherOptions', value: { axis: 1, batchDims: 0 } } }); b.output(y); });
model('gathernd_f', (b: GraphBuilder) => { const x = I(b, 'float32', [4, 5, 3]); const y = T(b, 'y', 'float32', [3, 3]);
  b.op({ opcode: 'GATHER_ND', inputs: [x, C(b, 'p', 'int32', [3, 2], i32([3, 4, 0, 0, 1, 2]))], outputs: [y] }); b.output(y); });
model('s2d_i8', (b: GraphBuilder) => { const x = I(b, 'int8', [1, 4, 6, 3], q(0.1, 0)); const y = T(b, 'y', 'int8', [1, 2, 3, 12], q(0.1, 0));
  b.op({ opcode: 'SPACE_TO_DEPTH', inputs: [x], outputs: [y], options: { type: 'SpaceToDepthOptions', value: { blockSize: 2 } } }); b.output(y); });
model('reverse_i16', (b: GraphBuilder) => { const x = I(b, 'int16', [3, 4, 5], q(1, 0)); const y = T(b, 'y', 'int16', [3, 4, 5], q(1, 0));
  b.op({ opcode: 'REVERSE_V2', inputs: [x, C(b, 'a', 'int32', [2], i32([2, 1]))], outputs: [y] }); b.output(y); });
model('slice_i16', (b: GraphBuilder) => { const x = I(b, 'int16', [3, 4, 5], q(1, 0)); const y = T(b, 'y', 'int16', [2, 4, 2], q(1, 0));
  b.op({ opcode: 'SLICE', inputs: [x, C(b, 'b', 'int32', [3], i32([1, 0, 2])), C(b, 's', 'int32', [3], i32([-1, -1, 2]))], outputs: [y] }); b.output(y); });
model('pack_i8', (b: GraphBuilder) => { const x = b.input('x', { dtype: 'int8', shape: [2, 3], quantization: q(1, 0) }); const z = b.input('z', { dtype: 'int8', shape: [2, 3], quantization: q(1, 0) }); const y = T(b, 'y', 'int8', [2, 2, 3], q(1, 0));
  b.op({ opcode: 'PACK', inputs: [x, z], outputs: [y], options: { type: 'PackOptions', value: { valuesCount: 2, axis: 1 } } }); b.output(y); });
model('unpack_f', (b: GraphBuilder) => { const x = I(b, 'float32', [2, 3, 4]); const ys = [0, 1, 2].map((i: number) => T(b, `y${i}`, 'float32', [2, 4]));
  b.op({ opcode: 'UNPACK', inputs: [x], outputs: ys, options: { type: 'UnpackOptions', value: { num: 3, axis: 1 } } }); b.output(...ys); });
model('bcast_to_i8', (b: GraphBuilder) => { const x = I(b, 'int8', [3, 1, 2], q(1, 0)); const y = T(b, 'y', 'int8', [2, 3, 4, 2], q(1, 0));
  b.op({ opcode: 'BROADCAST_TO', inputs: [x, C(b, 's', 'int32', [4], i32([2, 3, 4, 2]))], outputs: [y] }); b.output(y); });
model('dus_i16', (b: GraphBuilder) => { const x = I(b, 'int16', [4, 5], q(1, 0)); const y = T(b, 'y', 'int16', [4, 5], q(1, 0));
  b.op({ opcode: 'DYNAMIC_UPDATE_SLICE', inputs: [x, C(b, 'u', 'int16', [2, 2], new Int16Array([7, 8, 9, 10])), C(b, 'i', 'int32', [2], i32([3, -1]))], outputs: [y] }); b.output(y); });
model('fill_f', (b: GraphBuilder) => { const x = I(b, 'float32', []); const y = T(b, 'y', 'float32', [2, 3]);
  b.op({ opcode: 'FILL', inputs: [C(b, 'd', 'int32', [2], i32([2, 3])), x], outputs: [y] }); b.output(y); });
model('shape', (b: GraphBuilder) => { const x = I(b, 'int8', [2, 3, 5], q(1, 0)); const y = T(b, 'y', 'int32', [3]);
  b.op({ opcode: 'SHAPE', inputs: [x], outputs: [y], options: { type: 'ShapeOptions', value: { outType: 2 } } }); b.output(y); });
model('pad_i16', (b: GraphBuilder) => { const x = I(b, 'int16', [2, 3], q(1, 5)); const y = T(b, 'y', 'int16', [4, 4], q(1, 5));
  b.op({ opcode: 'PAD', inputs: [x, C(b, 'p', 'int32', [2, 2], i32([1, 1, 0, 1]))], outputs: [y] }); b.output(y); });

model('mean_f_tiny', red('MEAN', 'float32'));
model('mean_i8_tiny', red('MEAN', 'int8', q(1, 0)));
model('mean_i16_tiny', red('MEAN', 'int16', q(1, 0)));
model('sum_f_tiny', red('SUM', 'float32'));
model('max_f_tiny', red('REDUCE_MAX', 'float32'));
model('max_i8_tiny', red('REDUCE_MAX', 'int8', q(1, 0)));
model('all_tiny', (b: GraphBuilder) => { const x = C(b, 'x', 'bool', [2, 2], new Uint8Array([1, 0, 1, 1])); const y = T(b, 'y', 'bool', [2]); b.op({ opcode: 'REDUCE_ALL', inputs: [x, C(b, 'a', 'int32', [1], i32([0]))], outputs: [y], options: { type: 'ReducerOptions', value: { keepDims: false } } }); b.output(y); });
model('split_tiny', (b: GraphBuilder) => { const x = I(b, 'int8', [4], q(1, 0)); const ys = [0, 1].map((i: number) => T(b, `y${i}`, 'int8', [2], q(1, 0))); b.op({ opcode: 'SPLIT', inputs: [C(b, 'a', 'int32', [], i32([0])), x], outputs: ys, options: { type: 'SplitOptions', value: { numSplits: 2 } } }); b.output(...ys); });
model('expand_tiny', (b: GraphBuilder) => { const x = I(b, 'int8', [4], q(1, 0)); const y = T(b, 'y', 'int8', [1, 4], q(1, 0)); b.op({ opcode: 'EXPAND_DIMS', inputs: [x, C(b, 'a', 'int32', [], i32([0]))], outputs: [y] }); b.output(y); });
model('cumsum_f_tiny', (b: GraphBuilder) => { const x = I(b, 'float32', [3]); const y = T(b, 'y', 'float32', [3]); b.op({ opcode: 'CUMSUM', inputs: [x, C(b, 'a', 'int32', [1], i32([0]))], outputs: [y] }); b.output(y); });
model('l2_tiny', (b: GraphBuilder) => { const x = I(b, 'float32', [1, 2, 2, 1]); const y = T(b, 'y', 'float32', [1, 1, 1, 1]); b.op({ opcode: 'L2_POOL_2D', inputs: [x], outputs: [y], options: { type: 'Pool2DOptions', value: { padding: 1, strideW: 2, strideH: 2, filterWidth: 2, filterHeight: 2 } } }); b.output(y); });
model('embed_tiny', (b: GraphBuilder) => { const v = I(b, 'float32', [3, 2]); const y = T(b, 'y', 'float32', [1, 2]); b.op({ opcode: 'EMBEDDING_LOOKUP', inputs: [C(b, 'l', 'int32', [1], i32([2])), v], outputs: [y] }); b.output(y); });
model('concat_i16', (b: GraphBuilder) => { const x = I(b, 'int16', [2], q(0.5, 0)); const y = T(b, 'y', 'int16', [3], q(0.25, 0)); b.op({ opcode: 'CONCATENATION', inputs: [x, C(b, 'c', 'int16', [1], new Int16Array([3]), q(0.1, 0))], outputs: [y], options: { type: 'ConcatenationOptions', value: { axis: 0 } } }); b.output(y); });
model('argmax_tiny', (b: GraphBuilder) => { const x = I(b, 'int8', [3], q(1, 0)); const y = T(b, 'y', 'int32', []); b.op({ opcode: 'ARG_MAX', inputs: [x, C(b, 'a', 'int32', [1], i32([0]))], outputs: [y], options: { type: 'ArgMaxOptions', value: { outputType: 2 } } }); b.output(y); });

/** The models by name, built afresh. */
export const DATA_OP_FIXTURES: Record<string, () => Graph> = Object.fromEntries(
  Object.entries(BUILDERS).map(([name, build]) => [
    name,
    () => {
      const b = new GraphBuilder();
      build(b);
      return b.build();
    },
  ]),
);
