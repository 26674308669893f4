// Data movement kernels against TFLM's own kernel tests (tensorflow/lite/micro/
// kernels/<op>_test.cc at 90b983c): their inputs and goldens, one operator per
// model, run guarded. Each `it` names the TFLM test its vector comes from; the
// refusals follow TFLM's Prepare (or Eval) checks.

import { describe, expect, it } from 'vitest';
import { f32, runOp, type OpCase, type TensorArg } from '../helpers/op-harness.js';

const iota = (n: number, from = 1) => Array.from({ length: n }, (_, i) => i + from);
const c = (dtype: TensorArg['dtype'], shape: number[], data: number[]): TensorArg => ({ dtype, shape, data, constant: true });
const x = (dtype: TensorArg['dtype'], shape: number[], data: readonly (number | boolean)[], q?: [number, number]): TensorArg => ({ dtype, shape, data, ...(q ? { q } : {}) });
const one = (k: OpCase) => runOp(k)[0];

describe('GATHER', () => {
  const gather = (dtype: 'float32' | 'int8', s: number[], data: number[], ps: number[], pos: number[], out: number[], axis = 0, batchDims = 0, constPos = false) =>
    one({
      opcode: 'GATHER',
      inputs: [x(dtype, s, data), constPos ? c('int32', ps, pos) : x('int32', ps, pos)],
      outputs: [{ dtype, shape: out }],
      options: { type: 'GatherOptions', value: { axis, batchDims } },
    });

  it('GatherOp_Shuffle, _Test0DIndex, _Test1DInput1DIndex, _Test2DIndexWith2DResult (float32)', () => {
    expect(gather('float32', [2, 2], [-2.0, 0.2, 0.7, 0.8], [2], [1, 0], [2, 2])).toEqual(f32([0.7, 0.8, -2, 0.2]));
    expect(gather('float32', [2, 2], [-2.0, 0.2, 0.7, 0.8], [], [1], [2])).toEqual(f32([0.7, 0.8]));
    expect(gather('float32', [3], [1, 3, 5], [1], [1], [1], 0, 0, true)).toEqual([3]);
    expect(gather('float32', [3], [1, 2, 3], [1, 2], [1, 0], [1, 2])).toEqual([2, 1]);
  });

  it('GatherOp_Duplicate, _Slice, _Axis1, _LastAxis (float32)', () => {
    expect(gather('float32', [1, 2, 2], [-2.0, 0.2, 0.7, 0.8], [2], [0, 0], [2, 2, 2])).toEqual(f32([-2, 0.2, 0.7, 0.8, -2, 0.2, 0.7, 0.8]));
    expect(gather('float32', [4, 1], [-2.0, 0.2, 0.7, 0.8], [2], [1, 3], [2, 1])).toEqual(f32([0.2, 0.8]));
    expect(gather('float32', [1, 2, 3], iota(6), [2], [1, 0], [1, 2, 3], 1)).toEqual([4, 5, 6, 1, 2, 3]);
    expect(gather('float32', [1, 2, 3], iota(6), [2], [2, 0], [1, 2, 2], -1)).toEqual([3, 1, 6, 4]);
  });

  it('GatherOp_Int8 and batch_dims = 2 (float32)', () => {
    expect(gather('int8', [2, 2], [-13, -120, 14, 15], [2], [1, 0], [2, 2])).toEqual([14, 15, -13, -120]);
    const golden = [...iota(5, 5), ...iota(5, 0), ...iota(10, 15), ...iota(5, 35), ...iota(5, 30), ...iota(10, 45)];
    expect(gather('float32', [2, 2, 3, 5], iota(60, 0), [2, 2, 2], [1, 0, 0, 1, 1, 0, 0, 1], [2, 2, 2, 5], 2, 2)).toEqual(golden);
  });

  it('refuses int16 data and int64 positions in TFLM words', () => {
    expect(() => one({ opcode: 'GATHER', inputs: [x('int16', [2], [1, 2]), x('int32', [1], [0])], outputs: [{ dtype: 'int16', shape: [1] }] })).toThrow(/GATHER.*Type INT16 \(7\) not supported/);
    expect(() => one({ opcode: 'GATHER', inputs: [x('int8', [2], [1, 2]), x('int64', [1], [0])], outputs: [{ dtype: 'int8', shape: [1] }] })).toThrow(/Positions of type INT64/);
  });

  it('refuses a position out of range at run time', () => {
    expect(() => gather('int8', [2, 2], [1, 2, 3, 4], [1], [2], [1, 2])).toThrow(/position 2 is out of range/);
  });
});

describe('GATHER_ND', () => {
  const p3 = [1.1, -1.2, 1.3, -2.1, 2.2, 2.3, 3.1, 3.2, -3.3, -4.1, -4.2, 4.3, 5.1, -5.2, 5.3, 6.1, -6.2, 6.3];
  const gnd = (dtype: 'float32' | 'int8', ps: number[], p: number[], is: number[], idx: number[], out: number[]) =>
    one({ opcode: 'GATHER_ND', inputs: [x(dtype, ps, p), x('int32', is, idx)], outputs: [{ dtype, shape: out }] });

  it('ElementIndexingIntoMatrix, SliceIndexingIntoMatrix, ElementIndexingIntoRank3Tensor, SliceIndexingIntoRank3Tensor, ElementIndexingIntoRank3Tensor (2 batches)', () => {
    expect(gnd('float32', [2, 2], [1.1, 1.2, 2.1, 2.2], [2, 2], [0, 0, 1, 1], [2])).toEqual(f32([1.1, 2.2]));
    expect(gnd('float32', [2, 2], [1.1, 1.2, 2.1, 2.2], [2, 1], [1, 0], [2, 2])).toEqual(f32([2.1, 2.2, 1.1, 1.2]));
    expect(gnd('float32', [3, 2, 3], p3, [1, 2, 3], [0, 0, 1, 1, 1, 0], [1, 2])).toEqual(f32([-1.2, -4.1]));
    expect(gnd('float32', [3, 2, 3], p3, [3, 1, 1], [1, 2, 0], [3, 1, 2, 3])).toEqual(f32([...p3.slice(6), ...p3.slice(0, 6)]));
    expect(gnd('float32', [3, 2, 3], p3, [2, 2, 3], [0, 0, 1, 1, 0, 1, 1, 1, 2, 2, 1, 2], [2, 2])).toEqual(f32([-1.2, 3.2, 4.3, 6.3]));
  });

  it('int8 params, and refuses an index out of bounds at run time', () => {
    expect(gnd('int8', [2, 2], [11, 12, 21, 22], [2, 2], [0, 0, 1, 1], [2])).toEqual([11, 22]);
    expect(() => gnd('int8', [2, 2], [11, 12, 21, 22], [1, 2], [1, 2], [1])).toThrow(/gather_nd index out of bounds/);
  });

  it('refuses int16 params and more than 5 index dimensions', () => {
    expect(() => gnd('int16' as 'int8', [2], [1, 2], [1, 1], [0], [1])).toThrow(/Type INT16/);
    expect(() => gnd('int8', [1, 1, 1, 1, 1, 1], [7], [1, 6], [0, 0, 0, 0, 0, 0], [1])).toThrow(/must not exceed 5/);
  });
});

describe('SLICE', () => {
  const slice = (dtype: TensorArg['dtype'], s: number[], data: number[], begin: number[], size: number[], out: number[], idx: 'int32' | 'int64' = 'int32') =>
    one({ opcode: 'SLICE', inputs: [x(dtype, s, data), c(idx, [begin.length], begin), c(idx, [size.length], size)], outputs: [{ dtype, shape: out }] });

  it('In1D, In2D, In3D, In5D, InputInteger1, int64 begin and size', () => {
    expect(slice('float32', [4], [1, 2, 3, 4], [1], [2], [2])).toEqual([2, 3]);
    expect(slice('float32', [2, 3], iota(6), [1, 0], [1, 2], [1, 2])).toEqual([4, 5]);
    expect(slice('float32', [2, 3, 2], iota(12), [0, 0, 0], [2, 3, 2], [2, 3, 2])).toEqual(iota(12));
    expect(slice('float32', [5, 1, 1, 1, 1], iota(5), [1, 0, 0, 0, 0], [3, 1, 1, 1, 1], [3, 1, 1, 1, 1])).toEqual([2, 3, 4]);
    const ints = [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6];
    expect(slice('int32', [3, 2, 3, 1], ints, [1, 0, 0, 0], [1, 1, 3, 1], [1, 1, 3, 1])).toEqual([3, 3, 3]);
    expect(slice('float32', [4, 1, 1, 1], [1, 2, 3, 4], [1, 0, 0, 0], [3, 1, 1, 1], [3, 1, 1, 1], 'int64')).toEqual([2, 3, 4]);
  });

  it('size -1 runs to the end; int16 and bool move too', () => {
    const ints = [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6];
    expect(slice('int16', [3, 2, 3, 1], ints, [1, 0, 0, 0], [2, -1, -1, -1], [2, 2, 3, 1])).toEqual(ints.slice(6));
    expect(slice('bool', [4], [1, 0, 1, 1], [1], [-1], [3])).toEqual([0, 1, 1]);
  });

  it('refuses int64 data (TFLM at Eval)', () => {
    expect(() => slice('int64', [2], [1, 2], [0], [1], [1])).toThrow(/Type INT64 \(4\) not supported \(TFLM refuses it at Invoke\)/);
  });
});

describe('PACK and UNPACK', () => {
  const pack = (dtype: TensorArg['dtype'], s: number[], ins: number[][], axis: number, out: number[]) =>
    one({ opcode: 'PACK', inputs: ins.map((v) => x(dtype, s, v)), outputs: [{ dtype, shape: out }], options: { type: 'PackOptions', value: { valuesCount: ins.length, axis } } });

  it('PackFloatThreeInputs, ...DifferentAxis, ...NegativeAxis, PackFloatMultilDimensions', () => {
    expect(pack('float32', [2], [[1, 4], [2, 5], [3, 6]], 0, [3, 2])).toEqual([1, 4, 2, 5, 3, 6]);
    expect(pack('float32', [2], [[1, 4], [2, 5], [3, 6]], 1, [2, 3])).toEqual([1, 2, 3, 4, 5, 6]);
    expect(pack('float32', [2], [[1, 4], [2, 5], [3, 6]], -1, [2, 3])).toEqual([1, 2, 3, 4, 5, 6]);
    expect(pack('float32', [2, 3], [iota(6), iota(6, 7)], 1, [2, 2, 3])).toEqual([1, 2, 3, 7, 8, 9, 4, 5, 6, 10, 11, 12]);
  });

  it('PackInt8/Int16/Int32MultilDimensions and int64', () => {
    for (const dtype of ['int8', 'int16', 'int32', 'int64'] as const) {
      expect(pack(dtype, [2, 3], [iota(6), iota(6, 7)], 1, [2, 2, 3])).toEqual([1, 2, 3, 7, 8, 9, 4, 5, 6, 10, 11, 12]);
    }
    expect(() => pack('uint8', [1], [[1], [2]], 0, [2, 1])).toThrow(/PACK.*Type UINT8 \(3\) not supported/);
  });

  const unpack = (dtype: TensorArg['dtype'], s: number[], data: number[], num: number, axis: number, out: number[]) =>
    runOp({ opcode: 'UNPACK', inputs: [x(dtype, s, data)], outputs: Array.from({ length: num }, () => ({ dtype, shape: out })), options: { type: 'UnpackOptions', value: { num, axis } } });

  it('UnpackFloatThreeOutputs, ...NegativeAxis, OneOutput, Int16/Int32ThreeOutputs', () => {
    expect(unpack('float32', [3, 2], iota(6), 3, 0, [2])).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(unpack('float32', [3, 2], iota(6), 2, -1, [3])).toEqual([[1, 3, 5], [2, 4, 6]]);
    expect(unpack('float32', [1, 6], iota(6), 1, 0, [6])).toEqual([iota(6)]);
    expect(unpack('int16', [3, 2], iota(6), 3, 0, [2])).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(unpack('int32', [3, 2], iota(6), 3, 0, [2])).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(() => unpack('int64', [2], [1, 2], 2, 0, [])).toThrow(/UNPACK.*Type INT64/);
  });
});

describe('BATCH_TO_SPACE_ND, SPACE_TO_BATCH_ND, SPACE_TO_DEPTH', () => {
  const bs = (opcode: string, dtype: 'float32' | 'int8', s: number[], data: number[], block: number[], crops: number[], out: number[]) =>
    one({ opcode, inputs: [x(dtype, s, data), c('int32', [block.length], block), c('int32', [block.length, 2], crops)], outputs: [{ dtype, shape: out }] });

  it('BatchToSpaceBasicFloat/Int8 and SpaceToBatchBasicFloat/Int8', () => {
    const b2s = [1, 5, 2, 6, 9, 13, 10, 14, 3, 7, 4, 8, 11, 15, 12, 16];
    const s2b = [1, 3, 9, 11, 2, 4, 10, 12, 5, 7, 13, 15, 6, 8, 14, 16];
    for (const dtype of ['float32', 'int8'] as const) {
      expect(bs('BATCH_TO_SPACE_ND', dtype, [4, 2, 2, 1], iota(16), [2, 2], [0, 0, 0, 0], [1, 4, 4, 1])).toEqual(b2s);
      expect(bs('SPACE_TO_BATCH_ND', dtype, [1, 4, 4, 1], iota(16), [2, 2], [0, 0, 0, 0], [4, 2, 2, 1])).toEqual(s2b);
    }
  });

  it('pads with zero bytes and crops back (a 3x3 image, block 2, padding 1 after)', () => {
    const padded = bs('SPACE_TO_BATCH_ND', 'int8', [1, 3, 3, 1], iota(9), [2, 2], [0, 1, 0, 1], [4, 2, 2, 1]);
    expect(padded).toEqual([1, 3, 7, 9, 2, 0, 8, 0, 4, 6, 0, 0, 5, 0, 0, 0]);
    expect(bs('BATCH_TO_SPACE_ND', 'int8', [4, 2, 2, 1], padded!, [2, 2], [0, 1, 0, 1], [1, 3, 3, 1])).toEqual(iota(9));
  });

  it('3-D tensors take the block height only', () => {
    expect(bs('SPACE_TO_BATCH_ND', 'float32', [1, 4, 2], iota(8), [2], [0, 0], [2, 2, 2])).toEqual([1, 2, 5, 6, 3, 4, 7, 8]);
  });

  it('refuses int16 and crops that leave output elements unwritten', () => {
    expect(() => bs('BATCH_TO_SPACE_ND', 'int16' as 'int8', [4, 1, 1, 1], [1, 2, 3, 4], [2, 2], [0, 0, 0, 0], [1, 2, 2, 1])).toThrow(/Type INT16/);
    expect(() => bs('BATCH_TO_SPACE_ND', 'int8', [4, 1, 1, 1], [1, 2, 3, 4], [2, 2], [0, 0, 0, 0], [1, 3, 2, 1])).toThrow(/do not cover the output/);
  });

  const s2d = (dtype: TensorArg['dtype'], s: number[], data: number[], out: number[]) =>
    one({ opcode: 'SPACE_TO_DEPTH', inputs: [x(dtype, s, data)], outputs: [{ dtype, shape: out }], options: { type: 'SpaceToDepthOptions', value: { blockSize: 2 } } });

  it('SpaceToDepth_Float32_1222, _Int8_1221, _Int8_1223, _Int8_1441', () => {
    expect(s2d('float32', [1, 2, 2, 2], [1.4, 2.3, 3.2, 4.1, 5.4, 6.3, 7.2, 8.1], [1, 1, 1, 8])).toEqual(f32([1.4, 2.3, 3.2, 4.1, 5.4, 6.3, 7.2, 8.1]));
    expect(s2d('int8', [1, 2, 2, 1], [1, 2, 3, 4], [1, 1, 1, 4])).toEqual([1, 2, 3, 4]);
    expect(s2d('int8', [1, 2, 2, 3], iota(12), [1, 1, 1, 12])).toEqual(iota(12));
    expect(s2d('int8', [1, 4, 4, 1], [1, 2, 5, 6, 3, 4, 7, 8, 9, 10, 13, 14, 11, 12, 15, 16], [1, 2, 2, 4])).toEqual(iota(16));
    expect(() => s2d('int16', [1, 2, 2, 1], [1, 2, 3, 4], [1, 1, 1, 4])).toThrow(/Type INT16/);
  });
});

describe('REVERSE_V2', () => {
  const rev = (dtype: TensorArg['dtype'], s: number[], data: number[], axes: number[], constAxes = true) =>
    one({ opcode: 'REVERSE_V2', inputs: [x(dtype, s, data), constAxes ? c('int32', [axes.length], axes) : x('int32', [axes.length], axes)], outputs: [{ dtype, shape: s }] });

  it('FloatOneDimension, FloatMultiDimensions, Int32MultiDimensionsFirst/Second', () => {
    expect(rev('float32', [4], [1, 2, 3, 4], [0])).toEqual([4, 3, 2, 1]);
    expect(rev('float32', [4, 3, 2], iota(24), [1])).toEqual([5, 6, 3, 4, 1, 2, 11, 12, 9, 10, 7, 8, 17, 18, 15, 16, 13, 14, 23, 24, 21, 22, 19, 20]);
    expect(rev('int32', [3, 3, 3], iota(27), [0])).toEqual([...iota(9, 19), ...iota(9, 10), ...iota(9, 1)]);
    expect(rev('int32', [3, 3, 3], iota(27), [1], false)).toEqual([7, 8, 9, 4, 5, 6, 1, 2, 3, 16, 17, 18, 13, 14, 15, 10, 11, 12, 25, 26, 27, 22, 23, 24, 19, 20, 21]);
  });

  it('two contiguous axes, and every type TFLM takes', () => {
    const want = [9, 8, 7, 6, 5, 4, 3, 2, 1, 18, 17, 16, 15, 14, 13, 12, 11, 10, 27, 26, 25, 24, 23, 22, 21, 20, 19];
    expect(rev('int32', [3, 3, 3], iota(27), [2, 1])).toEqual(want);
    for (const dtype of ['uint8', 'int8', 'int16', 'int64'] as const) expect(rev(dtype, [4], [1, 2, 3, 4], [-1])).toEqual([4, 3, 2, 1]);
    expect(rev('bool', [3], [1, 0, 0], [0])).toEqual([0, 0, 1]);
  });

  it('refuses non-contiguous axes (at Eval) and int32 axes of another type', () => {
    expect(() => rev('int32', [2, 2, 2], iota(8), [0, 2])).toThrow(/Non-contiguous `axes` not supported/);
    expect(() => one({ opcode: 'REVERSE_V2', inputs: [x('int8', [2], [1, 2]), c('int64', [1], [0])], outputs: [{ dtype: 'int8', shape: [2] }] })).toThrow(/Axis Type INT64/);
  });
});

describe('BROADCAST_TO and BROADCAST_ARGS', () => {
  const bto = (dtype: TensorArg['dtype'], s: number[], data: number[], shape: number[], idx: 'int32' | 'int64' = 'int32') =>
    one({ opcode: 'BROADCAST_TO', inputs: [x(dtype, s, data), c(idx, [shape.length], shape)], outputs: [{ dtype, shape }] });

  it('Broadcast1DConstTest, Broadcast4DConstTest, ComplexBroadcast4DConstTest, NoBroadcastingConstTest, BroadcastInt64ShapeTest', () => {
    expect(bto('int32', [1], [3], [4])).toEqual([3, 3, 3, 3]);
    expect(bto('int32', [2, 2], [2, 3, 4, 5], [2, 2, 2, 2])).toEqual([2, 3, 4, 5, 2, 3, 4, 5, 2, 3, 4, 5, 2, 3, 4, 5]);
    const row = [1, 2, 1, 2, 3, 4, 3, 4, 5, 6, 5, 6];
    expect(bto('int32', [1, 3, 1, 2], iota(6), [3, 3, 2, 2])).toEqual([...row, ...row, ...row]);
    expect(bto('int32', [3, 1, 2], iota(6), [3, 1, 2])).toEqual(iota(6));
    expect(bto('int32', [1, 1, 1, 2], [3, 4], [1, 1, 2, 2], 'int64')).toEqual([3, 4, 3, 4]);
  });

  it('TooManyDimensionShouldFail, MismatchDimensionShouldFail, and a non-constant shape', () => {
    expect(() => bto('int32', [2, 2], [2, 3, 4, 4], [2, 2, 2, 2, 2, 2])).toThrow(/only supports 1-5D/);
    expect(() =>
      one({ opcode: 'BROADCAST_TO', inputs: [x('int32', [2, 4, 1, 3], iota(24)), c('int32', [4], [2, 4, 1, 2])], outputs: [{ dtype: 'int32', shape: [2, 4, 1, 2] }] }),
    ).toThrow(/broadcastable/);
    expect(() => one({ opcode: 'BROADCAST_TO', inputs: [x('int8', [1], [1]), x('int32', [1], [2])], outputs: [{ dtype: 'int8', shape: [2] }] })).toThrow(/Non-constant >shape</);
  });

  const args = (a: number[], b: number[], n: number, dtype: 'int32' | 'int64' = 'int32') =>
    one({ opcode: 'BROADCAST_ARGS', inputs: [x(dtype, [a.length], a), x(dtype, [b.length], b)], outputs: [{ dtype, shape: [n] }] });

  it('BroadcastArgsWithScalar, ...DifferentDims, ...SameDims, ...Complex', () => {
    expect(args([], [2, 4], 2)).toEqual([2, 4]);
    expect(args([1], [2, 4], 2)).toEqual([2, 4]);
    expect(args([1, 4, 6, 3, 1, 5], [4, 4, 1, 3, 4, 1], 6)).toEqual([4, 4, 6, 3, 4, 5]);
    expect(args([6, 3, 1, 5], [4, 4, 1, 3, 4, 1], 6, 'int64')).toEqual([4, 4, 6, 3, 4, 5]);
    expect(() => args([2], [3], 1)).toThrow(/do not broadcast/);
  });
});

describe('SHAPE and FILL', () => {
  const shape = (s: number[]) => one({ opcode: 'SHAPE', inputs: [x('float32', s, iota(s.reduce((a, b) => a * b, 1)))], outputs: [{ dtype: 'int32', shape: [s.length] }] });

  it('TestShape0 to TestShape5', () => {
    expect(shape([5])).toEqual([5]);
    expect(shape([4, 3])).toEqual([4, 3]);
    expect(shape([12, 1])).toEqual([12, 1]);
    expect(shape([2, 6])).toEqual([2, 6]);
    expect(shape([2, 2, 3])).toEqual([2, 2, 3]);
    expect(shape([1])).toEqual([1]);
    expect(() => one({ opcode: 'SHAPE', inputs: [x('int8', [2], [1, 2])], outputs: [{ dtype: 'int64', shape: [1] }] })).toThrow(/Output type INT64/);
  });

  const fill = (dtype: TensorArg['dtype'], v: number, dims: number[], dimsType: TensorArg['dtype'] = 'int32', out = dims) =>
    one({ opcode: 'FILL', inputs: [c(dimsType, [dims.length], dims), x(dtype, [], [v])], outputs: [{ dtype, shape: out }] });

  it('FillFloatInt64Dims, FillInt32Int64Dims, FillInt8Int32Dims, FillFloatInt32Dims, FillScalar', () => {
    expect(fill('float32', 4, [2, 2, 2], 'int64')).toEqual(Array(8).fill(4));
    expect(fill('int32', 4, [2, 2, 2], 'int64')).toEqual(Array(8).fill(4));
    expect(fill('int8', 4, [2, 2, 2])).toEqual(Array(8).fill(4));
    expect(fill('float32', 4, [2, 2, 2])).toEqual(Array(8).fill(4));
    expect(fill('float32', 4, [], 'int64')).toEqual([4]);
  });

  it('FillInt8NonConstDimsTensorFail, FillInputDimsMismatchWithOutputShallFail, int16 values', () => {
    expect(() => one({ opcode: 'FILL', inputs: [x('int32', [1], [2]), x('int8', [], [4])], outputs: [{ dtype: 'int8', shape: [2] }] })).toThrow(/Non-constant >dims</);
    expect(() => fill('int8', 4, [2, 2, 2], 'int64', [3, 2, 2])).toThrow(/differ from the output/);
    expect(() => fill('int16', 4, [2])).toThrow(/Type INT16 \(7\) not supported \(TFLM refuses it at Invoke\)/);
  });
});

describe('DYNAMIC_UPDATE_SLICE', () => {
  const dus = (dtype: TensorArg['dtype'], update: number[], us: number[], start: number[], idx: 'int32' | 'int64' = 'int32') =>
    one({ opcode: 'DYNAMIC_UPDATE_SLICE', inputs: [x(dtype, [3, 3], iota(9)), x(dtype, us, update), x(idx, [2], start)], outputs: [{ dtype, shape: [3, 3] }] });

  it('SimpleFloat, SimpleInt8, SimpleInt16, SimpleInt32, SimpleInt8IndicesI64, BoundaryTest', () => {
    for (const dtype of ['float32', 'int8', 'int16', 'int32'] as const) expect(dus(dtype, [-1, -2], [2, 1], [1, 1])).toEqual([1, 2, 3, 4, -1, 6, 7, -2, 9]);
    expect(dus('int8', [-1, -2], [2, 1], [1, 1], 'int64')).toEqual([1, 2, 3, 4, -1, 6, 7, -2, 9]);
    expect(dus('float32', [-1, -2, -3, -4], [2, 2], [2, 2])).toEqual([1, 2, 3, 4, -1, -2, 7, -3, -4]);
  });

  it('an update the size of the operand replaces it; bool is refused (TFLM at Eval)', () => {
    expect(dus('int8', iota(9, 10), [3, 3], [5, 5])).toEqual(iota(9, 10));
    expect(() => dus('bool', [1, 0], [2, 1], [0, 0])).toThrow(/Operand type BOOL/);
  });
});

describe('EMBEDDING_LOOKUP', () => {
  const rows = [0.0, 0.01, 0.02, 0.03, 0.1, 0.11, 0.12, 0.13, 1.0, 1.01, 1.02, 1.03, 1.1, 1.11, 1.12, 1.13, 2.0, 2.01, 2.02, 2.03, 2.1, 2.11, 2.12, 2.13];

  it('EmbeddingLookupOpTestSimpleFloat, EmbeddingLookupOpTestSimpleInt8', () => {
    const got = one({ opcode: 'EMBEDDING_LOOKUP', inputs: [x('int32', [3], [1, 0, 2]), x('float32', [3, 2, 4], rows)], outputs: [{ dtype: 'float32', shape: [3, 2, 4] }] });
    expect(got).toEqual(f32([...rows.slice(8, 16), ...rows.slice(0, 8), ...rows.slice(16)]));
    const q = iota(24, -12);
    const got8 = one({ opcode: 'EMBEDDING_LOOKUP', inputs: [x('int32', [3], [1, 0, 2]), x('int8', [3, 2, 4], q)], outputs: [{ dtype: 'int8', shape: [3, 2, 4] }] });
    expect(got8).toEqual([...q.slice(8, 16), ...q.slice(0, 8), ...q.slice(16)]);
  });

  it('Hybrid: int8 rows dequantized with the table scale in float32', () => {
    const q = iota(24, -12);
    const scale = 2.13 / 127;
    const got = one({ opcode: 'EMBEDDING_LOOKUP', inputs: [x('int32', [3], [2, 0, 1]), { ...x('int8', [3, 8], q), q: [scale, 0] }], outputs: [{ dtype: 'float32', shape: [3, 8] }] });
    const s = Math.fround(scale);
    expect(got).toEqual([...q.slice(16), ...q.slice(0, 8), ...q.slice(8, 16)].map((v) => Math.fround(v * s)));
  });

  it('refuses a lookup out of bounds and a hybrid table with a zero point', () => {
    expect(() => one({ opcode: 'EMBEDDING_LOOKUP', inputs: [x('int32', [1], [3]), x('int8', [3, 1], [1, 2, 3])], outputs: [{ dtype: 'int8', shape: [1, 1] }] })).toThrow(
      /index out of bounds. Got 3, and bounds are \[0, 2\]/,
    );
    expect(() =>
      one({ opcode: 'EMBEDDING_LOOKUP', inputs: [x('int32', [1], [0]), { ...x('int8', [3, 1], [1, 2, 3]), q: [0.5, 1] }], outputs: [{ dtype: 'float32', shape: [1, 1] }] }),
    ).toThrow(/zero point is 1/);
  });
});

describe('MIRROR_PAD', () => {
  const mp = (s: number[], pads: number[], out: number[], mode: number, data = iota(6)) =>
    one({ opcode: 'MIRROR_PAD', inputs: [x('int8', s, data), c('int32', [s.length, 2], pads)], outputs: [{ dtype: 'int8', shape: out }], options: { type: 'MirrorPadOptions', value: { mode } } });
  const [REFLECT, SYMMETRIC] = [0, 1];

  it('EmptyPad, PadOneSide_{right,left}_{Reflect,Symmetric}', () => {
    expect(mp([2, 3], [0, 0, 0, 0], [2, 3], REFLECT)).toEqual(iota(6));
    expect(mp([2, 3], [0, 1, 0, 1], [3, 4], REFLECT)).toEqual([1, 2, 3, 2, 4, 5, 6, 5, 1, 2, 3, 2]);
    expect(mp([2, 3], [1, 0, 1, 0], [3, 4], REFLECT)).toEqual([5, 4, 5, 6, 2, 1, 2, 3, 5, 4, 5, 6]);
    expect(mp([2, 3], [0, 1, 0, 1], [3, 4], SYMMETRIC)).toEqual([1, 2, 3, 3, 4, 5, 6, 6, 4, 5, 6, 6]);
    expect(mp([2, 3], [1, 0, 1, 0], [3, 4], SYMMETRIC)).toEqual([1, 1, 2, 3, 1, 1, 2, 3, 4, 4, 5, 6]);
  });

  it('PadBothSides_{Symmetric,Reflect}, Pad_Symmetric-style, Pad_1D_{Reflect,Symmetric}', () => {
    expect(mp([2, 3], [1, 1, 1, 1], [4, 5], SYMMETRIC)).toEqual([1, 1, 2, 3, 3, 1, 1, 2, 3, 3, 4, 4, 5, 6, 6, 4, 4, 5, 6, 6]);
    expect(mp([2, 3], [1, 1, 1, 1], [4, 5], REFLECT)).toEqual([5, 4, 5, 6, 5, 2, 1, 2, 3, 2, 5, 4, 5, 6, 5, 2, 1, 2, 3, 2]);
    expect(mp([2, 3], [1, 1, 2, 2], [4, 7], REFLECT)).toEqual([6, 5, 4, 5, 6, 5, 4, 3, 2, 1, 2, 3, 2, 1, 6, 5, 4, 5, 6, 5, 4, 3, 2, 1, 2, 3, 2, 1]);
    expect(mp([2, 3], [1, 1, 2, 2], [4, 7], SYMMETRIC)).toEqual([2, 1, 1, 2, 3, 3, 2, 2, 1, 1, 2, 3, 3, 2, 5, 4, 4, 5, 6, 6, 5, 5, 4, 4, 5, 6, 6, 5]);
    expect(mp([3], [0, 2], [5], REFLECT, [1, 2, 3])).toEqual([1, 2, 3, 2, 1]);
    expect(mp([3], [0, 2], [5], SYMMETRIC, [1, 2, 3])).toEqual([1, 2, 3, 3, 2]);
  });

  it('float32 moves too; int16 is refused (TFLM at Eval)', () => {
    const got = one({ opcode: 'MIRROR_PAD', inputs: [x('float32', [3], [0.5, 1.5, 2.5]), c('int64', [1, 2], [1, 1])], outputs: [{ dtype: 'float32', shape: [5] }] });
    expect(got).toEqual([1.5, 0.5, 1.5, 2.5, 1.5]);
    expect(() => one({ opcode: 'MIRROR_PAD', inputs: [x('int16', [3], [1, 2, 3]), c('int32', [1, 2], [1, 1])], outputs: [{ dtype: 'int16', shape: [5] }] })).toThrow(/Type INT16/);
  });
});

describe('the shape family at the types TFLM takes', () => {
  it('PAD pads int16 and int32 with 0, int8 with the zero point (pad.cc)', () => {
    const pad = (dtype: TensorArg['dtype'], zp: number) =>
      one({ opcode: 'PAD', inputs: [x(dtype, [2], [5, 6], [1, zp]), c('int32', [1, 2], [1, 1])] as TensorArg[], outputs: [{ dtype, shape: [4], q: [1, zp] }] });
    expect(pad('int8', -3)).toEqual([-3, 5, 6, -3]);
    expect(pad('int16', 7)).toEqual([0, 5, 6, 0]);
    expect(pad('int32', 7)).toEqual([0, 5, 6, 0]);
    expect(() => pad('bool', 0)).toThrow(/PAD.*Type BOOL \(6\) not supported \(TFLM refuses it at Invoke\)/);
  });

  it('PADV2 int8 wants the constant quantized as the output', () => {
    const padv2 = (cq: [number, number]) =>
      one({
        opcode: 'PADV2',
        inputs: [x('int8', [2], [5, 6], [1, 0]), c('int32', [1, 2], [1, 0]), { ...c('int8', [], [9]), q: cq }],
        outputs: [{ dtype: 'int8', shape: [3], q: [1, 0] }],
      });
    expect(padv2([1, 0])).toEqual([9, 5, 6]);
    expect(() => padv2([0.5, 0])).toThrow(/quantized differently/);
  });

  it('CONCATENATION takes int16 of any scale (zero points 0), int64 and bool; refuses uint8', () => {
    const concat = (dtype: TensorArg['dtype'], qa?: [number, number], qb?: [number, number]) =>
      one({
        opcode: 'CONCATENATION',
        inputs: [x(dtype, [2], [1, 2], qa), x(dtype, [1], [1], qb)],
        outputs: [{ dtype, shape: [3], ...(qa ? { q: qa } : {}) }],
        options: { type: 'ConcatenationOptions', value: { axis: 0 } },
      });
    expect(concat('int16', [0.5, 0], [0.25, 0])).toEqual([1, 2, 1]);
    expect(concat('int64')).toEqual([1, 2, 1]);
    expect(concat('bool')).toEqual([1, 1, 1]);
    expect(() => concat('int16', [0.5, 1], [0.5, 1])).toThrow(/zero point 1 is not 0/);
    expect(() => concat('uint8')).toThrow(/Type UINT8 \(3\) not supported/);
  });

  it('RESHAPE moves bytes whatever the quantization; TRANSPOSE and DEPTH_TO_SPACE refuse int32; EXPAND_DIMS wants an int32 axis', () => {
    expect(one({ opcode: 'RESHAPE', inputs: [x('int8', [2, 2], [1, 2, 3, 4], [0.5, 1])], outputs: [{ dtype: 'int8', shape: [4], q: [0.25, 2] }] })).toEqual([1, 2, 3, 4]);
    expect(() => one({ opcode: 'TRANSPOSE', inputs: [x('int32', [2], [1, 2]), c('int32', [1], [0])], outputs: [{ dtype: 'int32', shape: [2] }] })).toThrow(/TRANSPOSE.*INT32/);
    expect(() =>
      one({ opcode: 'DEPTH_TO_SPACE', inputs: [x('int32', [1, 1, 1, 4], [1, 2, 3, 4])], outputs: [{ dtype: 'int32', shape: [1, 2, 2, 1] }], options: { type: 'DepthToSpaceOptions', value: { blockSize: 2 } } }),
    ).toThrow(/Type INT32 \(2\) not supported$/);
    expect(() => one({ opcode: 'EXPAND_DIMS', inputs: [x('int8', [2], [1, 2]), c('int64', [], [0])], outputs: [{ dtype: 'int8', shape: [1, 2] }] })).toThrow(/Axis type INT64/);
    expect(one({ opcode: 'EXPAND_DIMS', inputs: [x('int16', [2], [1, 2]), c('int32', [], [0])], outputs: [{ dtype: 'int16', shape: [1, 2] }] })).toEqual([1, 2]);
  });

  it('STRIDED_SLICE, SPLIT and SPLIT_V move int16, int32 (and bool for STRIDED_SLICE)', () => {
    const ss = (dtype: TensorArg['dtype']) =>
      one({
        opcode: 'STRIDED_SLICE',
        inputs: [x(dtype, [4], [1, 0, 1, 1]), c('int32', [1], [1]), c('int32', [1], [4]), c('int32', [1], [2])],
        outputs: [{ dtype, shape: [2] }],
      });
    expect(ss('int16')).toEqual([0, 1]);
    expect(ss('bool')).toEqual([0, 1]);
    const split = runOp({ opcode: 'SPLIT', inputs: [c('int32', [], [0]), x('int32', [4], [1, 2, 3, 4])], outputs: [{ dtype: 'int32', shape: [2] }, { dtype: 'int32', shape: [2] }], options: { type: 'SplitOptions', value: { numSplits: 2 } } });
    expect(split).toEqual([[1, 2], [3, 4]]);
    expect(() => runOp({ opcode: 'SPLIT', inputs: [c('int32', [], [0]), x('bool', [2], [1, 0])], outputs: [{ dtype: 'bool', shape: [1] }, { dtype: 'bool', shape: [1] }] })).toThrow(/SPLIT.*BOOL/);
  });
});
