// Single-operator float32 models for the check against tfjs-tflite: one case
// per operator and per option that changes its arithmetic or indexing
// (padding, stride, dilation, broadcast, axis, resize mode, ...). Model inputs
// are float32 and take seeded pseudo-random values in a range the operator is
// defined on; indices, axes, shapes and other int32 operands are constants, so
// both runtimes see them in the model.

import { GraphBuilder } from '../../src/graph/builder.js';
import type { Graph } from '../../src/graph/graph.js';
import type { DType } from '../../src/graph/types.js';
import { prng } from './prng.js';

/**
 * How far TFLite's float32 outputs may be from ours. TFLite runs most float
 * operators through XNNPACK or its optimized kernels, which order sums and
 * round intermediates differently from TFLM's reference kernels, so only
 * integer outputs and pure data movement must be bit-exact:
 * - `exact`: every output value equal (floats bit for bit, -0 and NaN aside: equal NaNs pass).
 * - `ulps`: each float output within that many float32 ulps of TFLite's; for
 *   element-wise kernels, where both sides round once or a few times per value.
 * - `ofRange`: each float output within that many ε (2^-23) times the largest
 *   |output| of the case; for kernels that sum many terms, where reordering the
 *   sum costs ulps relative to the terms, not to an output that cancels near 0.
 * - `relative`: each float output within that fraction of its own magnitude;
 *   where TFLM's reference kernel approximates on purpose (the case says how).
 */
export type Tolerance = { exact: true } | { ulps: number } | { ofRange: number } | { relative: number };

export interface FloatOpCase {
  /** Unique: the operator and what the case varies. */
  name: string;
  opcode: string;
  graph: Graph;
  /** One per model input, in order (all float32). */
  inputs: Float32Array[];
  tolerance: Tolerance;
}

/**
 * Kernels that sum (convolutions, matrix products, average pools, means,
 * softmax): XNNPACK's and TFLite's reordered float32 sums of up to 45 products
 * measured within 1.7 ε of the output range; 8 ε leaves room for another wasm
 * build and is still a hundred-thousandth of what a wrong axis, window, padding
 * or filter layout leaves (a sizeable part of the range).
 */
export const SUMMED: Tolerance = { ofRange: 8 };
/**
 * RESIZE_BILINEAR: XNNPACK computes the source coordinate as y·scale + offset,
 * TFLM as (y + 0.5)·scale − 0.5 (or y·scale), so an interpolation weight can
 * differ by an ulp of a coordinate below 8 (4.8e-7 = 4 ε), times a neighbour
 * difference up to twice the range, on each of two axes: 16 ε of the range.
 * Measured: 7.9 ε with half-pixel centers, 1.1 ε without.
 */
export const BILINEAR: Tolerance = { ofRange: 16 };
/**
 * Element-wise kernels that round more than once per value: XNNPACK's
 * polynomial sigmoid, tanh and ELU and Emscripten's libm against TinySeg's
 * glibc-exact float32 functions, and HARD_SWISH's x·relu6(x + 3)/6 in another
 * order (x·clamp(x/6 + 0.5)). Measured: at most 3 ulp.
 */
export const FEW_ULPS: Tolerance = { ulps: 4 };
const EXACT: Tolerance = { exact: true };

type Range = readonly [lo: number, hi: number];
type Operand =
  | { in: number[]; range?: Range; step?: number }
  | { f32: number[]; range?: Range; values?: number[] }
  | { i32: number[]; values: number[] }
  | { bool: number[]; values: number[] }
  | 'absent';
type Result = { shape: number[]; dtype?: DType; q?: [scale: number, zeroPoint: number] };

const SAME = 0;
const VALID = 1;
const RELU = 1;
const RELU6 = 3;

const size = (shape: number[]) => shape.reduce((a, d) => a * d, 1);

/** Seeded uniform float32 values in [lo, hi); on a grid of `step` when given (to hit ties and equal values). */
function uniform(n: number, [lo, hi]: Range, seed: number, step?: number): Float32Array {
  const next = prng(seed);
  const grid = (v: number) => (step ? Math.round(v / step) * step : v);
  return Float32Array.from({ length: n }, () => grid(lo + (next() / 2 ** 32) * (hi - lo)));
}

let seed = 1;

function single(
  opcode: string,
  name: string,
  operands: Operand[],
  results: Result[],
  options?: { type: string; value: Record<string, unknown> },
  tolerance: Tolerance = EXACT,
  version = 1,
): FloatOpCase {
  const b = new GraphBuilder({ name });
  const inputs: Float32Array[] = [];
  const ids = operands.map((o, i) => {
    if (o === 'absent') return -1;
    if ('in' in o) {
      inputs.push(uniform(size(o.in), o.range ?? [-2, 2], seed++, o.step));
      return b.input(`x${i}`, { dtype: 'float32', shape: o.in });
    }
    if ('f32' in o) return b.constant(`c${i}`, { dtype: 'float32', shape: o.f32 }, o.values ? Float32Array.from(o.values) : uniform(size(o.f32), o.range ?? [-1, 1], seed++));
    if ('i32' in o) return b.constant(`c${i}`, { dtype: 'int32', shape: o.i32 }, Int32Array.from(o.values));
    return b.constant(`c${i}`, { dtype: 'bool', shape: o.bool }, Uint8Array.from(o.values));
  });
  const outs = results.map((r, i) =>
    b.tensor(`y${i}`, { dtype: r.dtype ?? 'float32', shape: r.shape, ...(r.q ? { quantization: { scale: [r.q[0]], zeroPoint: [r.q[1]], quantizedDimension: 0 } } : {}) }),
  );
  b.op({ opcode, inputs: ids, outputs: outs, version, ...(options ? { options } : {}) });
  b.output(...outs);
  return { name: `${opcode} ${name}`.trim(), opcode, graph: b.build(), inputs, tolerance };
}

const x = (shape: number[], range?: Range, step?: number): Operand => ({ in: shape, ...(range ? { range } : {}), ...(step ? { step } : {}) });
const w = (shape: number[], range?: Range): Operand => ({ f32: shape, ...(range ? { range } : {}) });
const i32 = (shape: number[], values: number[]): Operand => ({ i32: shape, values });
const out = (shape: number[], dtype?: DType): Result => ({ shape, ...(dtype ? { dtype } : {}) });
const opt = (type: string, value: Record<string, unknown> = {}) => ({ type, value });

function convolutions(): FloatOpCase[] {
  const conv = (name: string, window: Record<string, number>, inShape: number[], outShape: number[]) =>
    single('CONV_2D', name, [x(inShape), w([6, 3, 3, inShape[3]!]), w([6])], [out(outShape)], opt('Conv2DOptions', window), SUMMED);
  const dw = (name: string, window: Record<string, number>, outShape: number[]) =>
    single('DEPTHWISE_CONV_2D', name, [x([1, 8, 10, 4]), w([1, 3, 3, 8]), w([8])], [out(outShape)], opt('DepthwiseConv2DOptions', { depthMultiplier: 2, ...window }), SUMMED, 2);
  const tconv = (name: string, padding: number, outShape: number[], bias: boolean) =>
    single(
      'TRANSPOSE_CONV',
      name,
      [i32([4], outShape), w([3, 3, 3, 4]), x([1, 5, 6, 4]), ...(bias ? [w([3])] : [])],
      [out(outShape)],
      opt('TransposeConvOptions', { padding, strideH: 2, strideW: 2 }),
      SUMMED,
      bias ? 3 : 1,
    );
  const fc = (name: string, operands: Operand[], outShape: number[], value: Record<string, unknown>) =>
    single('FULLY_CONNECTED', name, operands, [out(outShape)], opt('FullyConnectedOptions', value), SUMMED);
  const bmm = (name: string, rhs: number[], value: Record<string, unknown>) => single('BATCH_MATMUL', name, [x([2, 3, 4]), x(rhs)], [out([2, 3, 5])], opt('BatchMatMulOptions', value), SUMMED);
  return [
    conv('3x3 stride 2 SAME', { padding: SAME, strideH: 2, strideW: 2 }, [1, 9, 11, 5], [1, 5, 6, 6]),
    conv('3x3 VALID dilation 2 RELU', { padding: VALID, strideH: 1, strideW: 1, dilationHFactor: 2, dilationWFactor: 2, fusedActivationFunction: RELU }, [1, 9, 11, 5], [1, 5, 7, 6]),
    conv('3x3 stride 1x2 SAME RELU6, 2 batches', { padding: SAME, strideH: 1, strideW: 2, fusedActivationFunction: RELU6 }, [2, 6, 7, 3], [2, 6, 4, 6]),
    dw('3x3 multiplier 2 SAME', { padding: SAME, strideH: 1, strideW: 1 }, [1, 8, 10, 8]),
    dw('3x3 multiplier 2 stride 2 VALID RELU', { padding: VALID, strideH: 2, strideW: 2, fusedActivationFunction: RELU }, [1, 3, 4, 8]),
    fc('20 -> 7, 2 rows', [x([2, 20]), w([7, 20]), w([7])], [2, 7], {}),
    fc('keep_num_dims, no bias, RELU', [x([1, 3, 16]), w([5, 16]), 'absent'], [1, 3, 5], { keepNumDims: true, fusedActivationFunction: RELU }),
    tconv('stride 2 SAME', SAME, [1, 10, 12, 3], false),
    tconv('stride 2 VALID with bias', VALID, [1, 11, 13, 3], true),
    bmm('2x3x4 by 2x4x5', [2, 4, 5], {}),
    bmm('adj_y, broadcast batch', [1, 5, 4], { adjY: true }),
  ];
}

function pooling(): FloatOpCase[] {
  const pool = (op: string, name: string, window: Record<string, number>, outShape: number[], tolerance: Tolerance) =>
    single(op, name, [x([1, 9, 9, 3])], [out(outShape)], opt('Pool2DOptions', window), tolerance);
  const s2 = { strideH: 2, strideW: 2, filterHeight: 3, filterWidth: 3 };
  return [
    pool('AVERAGE_POOL_2D', '3x3 stride 2 SAME', { padding: SAME, ...s2 }, [1, 5, 5, 3], SUMMED),
    pool('AVERAGE_POOL_2D', '2x2 stride 2 VALID', { padding: VALID, strideH: 2, strideW: 2, filterHeight: 2, filterWidth: 2 }, [1, 4, 4, 3], SUMMED),
    pool('MAX_POOL_2D', '3x3 stride 2 SAME', { padding: SAME, ...s2 }, [1, 5, 5, 3], EXACT),
    pool('MAX_POOL_2D', '3x3 stride 1 VALID RELU6', { padding: VALID, strideH: 1, strideW: 1, filterHeight: 3, filterWidth: 3, fusedActivationFunction: RELU6 }, [1, 7, 7, 3], EXACT),
    pool('L2_POOL_2D', '3x3 stride 2 SAME', { padding: SAME, ...s2 }, [1, 5, 5, 3], SUMMED),
  ];
}

function binaries(): FloatOpCase[] {
  const cases: FloatOpCase[] = [];
  const positive: Range = [0.5, 2];
  for (const op of ['ADD', 'SUB', 'MUL', 'DIV', 'SQUARED_DIFFERENCE', 'MAXIMUM', 'MINIMUM', 'FLOOR_DIV', 'FLOOR_MOD']) {
    const rhs: Range | undefined = ['DIV', 'FLOOR_DIV', 'FLOOR_MOD'].includes(op) ? positive : undefined;
    const options = { ADD: 'AddOptions', SUB: 'SubOptions', MUL: 'MulOptions', DIV: 'DivOptions' }[op];
    const o = options ? opt(options) : undefined;
    cases.push(single(op, 'same shape', [x([2, 3, 4]), x([2, 3, 4], rhs)], [out([2, 3, 4])], o));
    cases.push(single(op, 'broadcast 1x4x5x3 by 1x1x5x1', [x([1, 4, 5, 3]), x([1, 1, 5, 1], rhs)], [out([1, 4, 5, 3])], o));
  }
  // Dividends on a grid of 0.25 and divisors of both signs: exact quotients and remainders of 0, where floor and sign rules show.
  const divisors: Operand = { f32: [6], values: [-2, -1.5, -0.5, 0.5, 1.25, 2] };
  cases.push(single('FLOOR_DIV', 'on a grid, divisors of both signs', [x([4, 6], [-3, 3], 0.25), divisors], [out([4, 6])]));
  cases.push(single('FLOOR_MOD', 'on a grid, divisors of both signs', [x([4, 6], [-3, 3], 0.25), divisors], [out([4, 6])]));
  cases.push(single('ADD', 'broadcast 4x1x3 by 5x1, RELU6', [x([4, 1, 3], [-4, 8]), x([5, 1])], [out([4, 5, 3])], opt('AddOptions', { fusedActivationFunction: RELU6 })));
  cases.push(single('MUL', 'broadcast scalar, RELU', [x([2, 3, 4]), x([])], [out([2, 3, 4])], opt('MulOptions', { fusedActivationFunction: RELU })));
  cases.push(single('ADD_N', '3 operands', [x([3, 5]), x([3, 5]), x([3, 5])], [out([3, 5])]));
  // On a grid of 0.5 in [-1, 1]: a fifth of the pairs are equal.
  for (const op of ['EQUAL', 'NOT_EQUAL', 'LESS', 'LESS_EQUAL', 'GREATER', 'GREATER_EQUAL']) {
    cases.push(single(op, 'broadcast', [x([2, 3, 4], [-1, 1], 0.5), x([1, 4], [-1, 1], 0.5)], [out([2, 3, 4], 'bool')]));
  }
  const cond = Array.from({ length: 12 }, (_, i) => ((i * 7) % 3 === 0 ? 1 : 0));
  cases.push(single('SELECT_V2', 'broadcast condition', [{ bool: [3, 4], values: cond }, x([2, 3, 4]), x([1, 4])], [out([2, 3, 4])]));
  return cases;
}

function unaries(): FloatOpCase[] {
  const shape = [2, 5, 6];
  const plain = (op: string, range: Range | undefined, tolerance: Tolerance, name = '', step?: number) => single(op, name, [x(shape, range, step)], [out(shape)], undefined, tolerance);
  return [
    plain('LOGISTIC', [-9, 16], FEW_ULPS, 'in [-9, 16]'),
    // Below −9 TFLM's reference kernel returns exp(x) for 1/(1 + exp(−x)) (reference/logistic.h,
    // cutoff_lower), XNNPACK the sigmoid itself: they differ by the factor 1 + e^x, at most 1 + e^−9.
    plain('LOGISTIC', [-14, -9], { relative: 1.24e-4 }, 'below -9 (TFLM returns exp(x))'),
    plain('TANH', [-5, 5], FEW_ULPS),
    plain('EXP', [-8, 8], FEW_ULPS),
    plain('LOG', [0.01, 10], FEW_ULPS),
    plain('SQRT', [0, 10], EXACT),
    plain('RSQRT', [0.01, 10], FEW_ULPS),
    plain('SIN', [-6, 6], FEW_ULPS),
    plain('COS', [-6, 6], FEW_ULPS),
    plain('ABS', undefined, EXACT),
    plain('NEG', undefined, EXACT),
    plain('SQUARE', undefined, EXACT),
    plain('FLOOR', [-5, 5], EXACT),
    plain('CEIL', [-5, 5], EXACT),
    // On a grid of 0.5: every value a tie or an integer, so half-to-even rounding shows.
    plain('ROUND', [-5, 5], EXACT, 'ties on a grid of 0.5', 0.5),
    plain('RELU', undefined, EXACT),
    plain('RELU6', [-3, 9], EXACT),
    plain('HARD_SWISH', [-5, 5], FEW_ULPS),
    plain('ELU', [-4, 4], FEW_ULPS),
    single('LEAKY_RELU', 'alpha 0.2', [x(shape)], [out(shape)], opt('LeakyReluOptions', { alpha: 0.2 })),
    single('PRELU', 'alpha per channel', [x([1, 4, 5, 3]), w([1, 1, 3])], [out([1, 4, 5, 3])]),
    single('SOFTMAX', 'beta 1', [x([2, 10], [-6, 6])], [out([2, 10])], opt('SoftmaxOptions', { beta: 1 }), SUMMED),
    single('SOFTMAX', 'beta 0.5, 4D', [x([1, 2, 3, 7], [-6, 6])], [out([1, 2, 3, 7])], opt('SoftmaxOptions', { beta: 0.5 }), SUMMED),
    single('LOG_SOFTMAX', '', [x([2, 10], [-6, 6])], [out([2, 10])], undefined, SUMMED),
    single('L2_NORMALIZATION', 'last axis', [x([1, 4, 5, 8])], [out([1, 4, 5, 8])], opt('L2NormOptions'), SUMMED),
    single('ZEROS_LIKE', '', [x(shape)], [out(shape)]),
    single('CAST', 'float32 -> int32', [x(shape, [-50, 50])], [out(shape, 'int32')]),
    single('QUANTIZE', 'float32 -> int8 scale 0.05 zero point -3', [x(shape, [-8, 8])], [{ shape, dtype: 'int8', q: [0.05, -3] }]),
  ];
}

function resizes(): FloatOpCase[] {
  const cases: FloatOpCase[] = [];
  for (const [op, table] of [
    ['RESIZE_BILINEAR', 'ResizeBilinearOptions'],
    ['RESIZE_NEAREST_NEIGHBOR', 'ResizeNearestNeighborOptions'],
  ] as const) {
    const tolerance = op === 'RESIZE_BILINEAR' ? BILINEAR : EXACT;
    for (const [mode, value] of [
      ['', {}],
      ['align_corners', { alignCorners: true }],
      ['half_pixel_centers', { halfPixelCenters: true }],
    ] as const) {
      cases.push(single(op, `5x7 -> 9x12 ${mode}`, [x([1, 5, 7, 3]), i32([2], [9, 12])], [out([1, 9, 12, 3])], opt(table, value), tolerance));
      cases.push(single(op, `6x8 -> 4x5 ${mode}`, [x([2, 6, 8, 2]), i32([2], [4, 5])], [out([2, 4, 5, 2])], opt(table, value), tolerance));
    }
  }
  return cases;
}

function reductions(): FloatOpCase[] {
  const reduce = (op: string, axes: number[], keepDims: boolean, outShape: number[], tolerance: Tolerance) =>
    single(op, `axes [${axes}]${keepDims ? ' keep_dims' : ''}`, [x([2, 4, 5, 3]), i32([axes.length], axes)], [out(outShape)], opt('ReducerOptions', { keepDims }), tolerance);
  const arg = (op: string, axis: number, outShape: number[]) =>
    single(op, `axis ${axis}`, [x([2, 4, 5, 3]), i32([1], [axis])], [out(outShape, 'int32')], opt(op === 'ARG_MAX' ? 'ArgMaxOptions' : 'ArgMinOptions', { outputType: 2 }));
  return [
    reduce('MEAN', [1, 2], true, [2, 1, 1, 3], SUMMED),
    reduce('MEAN', [3], false, [2, 4, 5], SUMMED),
    reduce('MEAN', [0, 2], false, [4, 3], SUMMED),
    reduce('SUM', [1, 2], false, [2, 3], SUMMED),
    reduce('REDUCE_MAX', [3], false, [2, 4, 5], EXACT),
    reduce('REDUCE_MAX', [1], true, [2, 1, 5, 3], EXACT),
    reduce('REDUCE_MIN', [0, 2], false, [4, 3], EXACT),
    arg('ARG_MAX', 3, [2, 4, 5]),
    arg('ARG_MAX', 1, [2, 5, 3]),
    arg('ARG_MIN', 2, [2, 4, 3]),
    single('CUMSUM', 'axis 1', [x([2, 6, 3]), i32([], [1])], [out([2, 6, 3])], opt('CumsumOptions'), SUMMED),
    single('CUMSUM', 'axis 2 exclusive reverse', [x([2, 6, 3]), i32([], [2])], [out([2, 6, 3])], opt('CumsumOptions', { exclusive: true, reverse: true }), SUMMED),
  ];
}

function movements(): FloatOpCase[] {
  const s = [2, 4, 5, 3];
  const pads = i32([4, 2], [0, 0, 2, 1, 1, 3, 0, 0]);
  return [
    single('CONCATENATION', 'axis 2', [x([1, 3, 4, 2]), x([1, 3, 5, 2])], [out([1, 3, 9, 2])], opt('ConcatenationOptions', { axis: 2 })),
    single('CONCATENATION', 'axis -1, 3 operands', [x([2, 3, 1]), x([2, 3, 4]), x([2, 3, 2])], [out([2, 3, 7])], opt('ConcatenationOptions', { axis: -1 })),
    single('PAD', '', [x([1, 4, 5, 3]), i32([4, 2], [0, 0, 1, 2, 2, 1, 0, 0])], [out([1, 7, 8, 3])]),
    single('PADV2', 'constant value', [x([2, 3, 4]), i32([3, 2], [1, 0, 0, 2, 1, 1]), w([])], [out([3, 5, 6])]),
    single('MIRROR_PAD', 'REFLECT', [x([1, 4, 5, 2]), pads], [out([1, 7, 9, 2])], opt('MirrorPadOptions', { mode: 0 })),
    single('MIRROR_PAD', 'SYMMETRIC', [x([1, 4, 5, 2]), pads], [out([1, 7, 9, 2])], opt('MirrorPadOptions', { mode: 1 })),
    single('TRANSPOSE', 'perm 0,3,1,2', [x(s), i32([4], [0, 3, 1, 2])], [out([2, 3, 4, 5])]),
    single('TRANSPOSE', 'perm 2,0,1', [x([3, 4, 5]), i32([3], [2, 0, 1])], [out([5, 3, 4])]),
    single('STRIDED_SLICE', 'strides 2,-1 with masks', [x(s), i32([4], [0, 1, 4, 0]), i32([4], [2, 4, 0, 3]), i32([4], [1, 2, -1, 1])], [out([2, 2, 4, 3])], opt('StridedSliceOptions', { beginMask: 1, endMask: 8 })),
    single('STRIDED_SLICE', 'shrink axis 1', [x(s), i32([4], [0, 2, 1, 0]), i32([4], [2, 3, 5, 3]), i32([4], [1, 1, 1, 1])], [out([2, 4, 3])], opt('StridedSliceOptions', { shrinkAxisMask: 2 })),
    single('SLICE', '', [x(s), i32([4], [1, 1, 0, 1]), i32([4], [1, 2, -1, 2])], [out([1, 2, 5, 2])]),
    single('GATHER', 'axis 0', [x([5, 4, 3]), i32([3], [4, 0, 2])], [out([3, 4, 3])], opt('GatherOptions', { axis: 0 })),
    single('GATHER', 'axis 1, 2-D indices', [x([5, 4, 3]), i32([2, 2], [3, 0, 1, 1])], [out([5, 2, 2, 3])], opt('GatherOptions', { axis: 1 })),
    single('GATHER_ND', '', [x([4, 5, 3]), i32([3, 2], [0, 1, 3, 4, 2, 2])], [out([3, 3])]),
    single('EMBEDDING_LOOKUP', '', [i32([3], [2, 0, 2]), x([4, 5])], [out([3, 5])]),
    single('SPACE_TO_DEPTH', 'block 2', [x([1, 4, 6, 3])], [out([1, 2, 3, 12])], opt('SpaceToDepthOptions', { blockSize: 2 })),
    single('DEPTH_TO_SPACE', 'block 2', [x([1, 2, 3, 12])], [out([1, 4, 6, 3])], opt('DepthToSpaceOptions', { blockSize: 2 })),
    single('SPACE_TO_BATCH_ND', 'block 2x2, padded', [x([1, 3, 5, 2]), i32([2], [2, 2]), i32([2, 2], [1, 0, 0, 1])], [out([4, 2, 3, 2])]),
    single('BATCH_TO_SPACE_ND', 'block 2x2, cropped', [x([4, 2, 3, 2]), i32([2], [2, 2]), i32([2, 2], [1, 0, 0, 1])], [out([1, 3, 5, 2])]),
    single('REVERSE_V2', 'axis 1', [x([2, 4, 3]), i32([1], [1])], [out([2, 4, 3])]),
    single('PACK', 'axis 1', [x([2, 3]), x([2, 3]), x([2, 3])], [out([2, 3, 3])], opt('PackOptions', { valuesCount: 3, axis: 1 })),
    single('UNPACK', 'axis 1', [x([2, 3, 4])], [out([2, 4]), out([2, 4]), out([2, 4])], opt('UnpackOptions', { num: 3, axis: 1 })),
    single('SPLIT', 'axis 2 in 3', [i32([], [2]), x([2, 3, 6])], [out([2, 3, 2]), out([2, 3, 2]), out([2, 3, 2])], opt('SplitOptions', { numSplits: 3 })),
    single('SPLIT_V', 'axis 1, sizes 1,3,-1', [x([2, 6, 3]), i32([3], [1, 3, -1]), i32([], [1])], [out([2, 1, 3]), out([2, 3, 3]), out([2, 2, 3])], opt('SplitVOptions', { numSplits: 3 })),
    single('EXPAND_DIMS', 'axis -1', [x([2, 3]), i32([1], [-1])], [out([2, 3, 1])]),
    single('FILL', 'dims 2x3x4', [i32([3], [2, 3, 4]), x([])], [out([2, 3, 4])]),
    single('DYNAMIC_UPDATE_SLICE', '', [x([4, 5, 3]), x([2, 2, 3]), i32([3], [1, 3, 0])], [out([4, 5, 3])]),
  ];
}

/** Every case, with names unique across the list. */
export function floatOpCases(): FloatOpCase[] {
  seed = 1;
  return [...convolutions(), ...pooling(), ...binaries(), ...unaries(), ...resizes(), ...reductions(), ...movements()];
}
