// Row rules for row-band splitting (transform/split-row-bands.ts): how an
// operator's output rows map to its input rows, when the operator is row-local.
// TFLM's arithmetic for a row does not depend on where the tensor starts, except
// at its first and last rows, where the kernel clamps or pads; the rule states
// the reach. The family modules attach these rules to their operators.

import { builtinOptions } from '../graph/op-options.js';
import type { Op, Subgraph, Tensor } from '../graph/graph.js';
import { PADDING, paddingFor } from './kernel.js';
import { sliceAxisRange } from './shape/slice-axis.js';
import { decodeAddFetchOptions, decodeTransposeConvGatherOptions } from './tinyseg/custom-ops.js';

/** How a row-local operator maps rows. */
export type RowRule =
  /** Stride-1 SAME convs (odd kernel, dilated or not), 1x1 convs and unary ops: output row r reads input rows r - halo .. r + halo. */
  | { kind: 'same'; halo: number }
  /**
   * A resize of any scale and mode: `rows(inRows, outRows)` is how the kernel maps output rows to input rows for a
   * tensor of that many rows; `align` says the scale is (in - 1) / (out - 1) (align_corners), else in / out.
   */
  | { kind: 'resize'; rows: (inRows: number, outRows: number) => RowAxis; align: boolean }
  /**
   * Explicit PAD of the rows: output row r is input row r - top. MIRROR_PAD's (`mirror`: its mode's offset, 1 for
   * REFLECT, which leaves the edge row out, 0 for SYMMETRIC) mirrors rows top + mirror - 1 .. mirror above and
   * H - 1 - mirror downward below: a band mirrors its own rows, so one at a border holds those it mirrors.
   */
  | { kind: 'pad'; top: number; bottom: number; mirror?: 0 | 1 }
  /**
   * VALID convs of any stride: output row r reads input rows stride*r .. stride*r + k - 1. `divides`: the kernel
   * takes only inputs whose rows the stride divides (SPACE_TO_DEPTH), so a band's must be too.
   */
  | { kind: 'valid'; k: number; stride: number; divides?: boolean }
  /**
   * Strided SAME convs, and stride-1 ones of an even kernel: output row r reads input rows stride*r - top ..
   * stride*r - top + k - 1, where TFLM derives `top` from the input's height: a band lines up only where its own
   * top equals the tensor's (always at stride 1).
   */
  | { kind: 'strided'; k: number; stride: number }
  /**
   * TRANSPOSE_CONV: input row i adds to output rows stride*i - pad .. stride*i - pad + k - 1, where TFLM derives
   * `pad` from the output's height (`padding`, TFLM's code, as paddingFor takes it), which a band sets in its
   * output_shape operand.
   */
  | { kind: 'transpose'; k: number; stride: number; padding: number }
  /** A STRIDED_SLICE that keeps every row step 1 but drops `top` rows above and `bottom` below: output row r is input row r + top. */
  | { kind: 'crop'; top: number; bottom: number };

/**
 * How a resize kernel maps each output row to input rows lo..hi with an interpolation weight, exactly as it
 * computes them (float32 or fixed point): two mappings agree on a row only if the kernel computes it alike.
 */
export interface RowAxis {
  lo: Int32Array;
  hi: Int32Array;
  weight: Float64Array;
}

/**
 * The most rows of its input (`inH` rows) one of its `outH` output rows reads under `rule`, at most `inH`: where it is
 * `inH`, no band of the operator reads less than its whole input (a global pool), though its output may still be cut
 * (a resize of one row).
 */
export function rowsReadPerRow(rule: RowRule, inH: number, outH: number): number {
  let n: number;
  switch (rule.kind) {
    case 'same':
      n = 2 * rule.halo + 1;
      break;
    case 'valid':
    case 'strided':
      n = rule.k;
      break;
    case 'transpose':
      n = Math.ceil(rule.k / rule.stride);
      break;
    case 'resize': {
      const { lo, hi } = rule.rows(inH, outH);
      n = 0;
      for (let v = 0; v < outH; v++) n = Math.max(n, hi[v]! - lo[v]! + 1);
      break;
    }
    case 'pad':
    case 'crop':
      n = 1;
      break;
  }
  return Math.min(n, inH);
}

/** The first input and the output of an operator a row rule looks at. */
export interface RowRuleTensors {
  readonly x: Tensor;
  readonly out: Tensor;
}

/**
 * A family's row rule for one operator; called only on single-output ops with a 4-D first input and a 4-D output
 * of batch 1 (a 3-D one for reductions of the channel axis, ARG_MAX): the only ones bands split.
 */
export type RowRuleOf = (sg: Subgraph, op: Op, io: RowRuleTensors) => RowRule | null;

/** The row input (operand `input`) and the output of a single-output op on a 4-D input and a 4-D (or 3-D) output of batch 1; null otherwise. */
export function rowLocalShape(sg: Subgraph, op: Op, input = 0): RowRuleTensors | null {
  const out = sg.tensors[op.outputs[0] ?? -1];
  const x = sg.tensors[op.inputs[input] ?? -1];
  if (!out || !x || op.outputs.length !== 1 || (out.shape.length !== 4 && out.shape.length !== 3) || x.shape.length !== 4 || out.shape[0] !== 1) return null;
  return { x, out };
}

const ROW_ONLY: RowRule = { kind: 'same', halo: 0 };

/**
 * Whether every band of an operator reads operand `t` whole and alike, as weights: a constant, or the output of a
 * DEQUANTIZE of one (weights stored as float16 or int8 that the model widens at run time, as TensorFlow Lite's
 * float16 and weight-only quantization write them). The split runs such a DEQUANTIZE before the bands.
 */
export function wholeOperand(sg: Subgraph, t: number): boolean {
  const x = sg.tensors[t];
  if (!x) return false;
  if (x.kind === 'constant') return true;
  const op = sg.ops[sg.producerOf(t)];
  return op?.opcode === 'DEQUANTIZE' && sg.tensors[op.inputs[0] ?? -1]?.kind === 'constant';
}

/** PAD's (and MIRROR_PAD's) paddings as [[before, after] x 4], when they are a constant tensor of a type its kernel reads. */
export function paddingsOf(sg: Subgraph, op: Op): number[][] | null {
  const p = sg.tensors[op.inputs[1] ?? -1];
  // TFLM's PAD reads int32 paddings; its MIRROR_PAD int64 ones too.
  if (!p || p.shape.join() !== '4,2' || (p.dtype !== 'int32' && (p.dtype !== 'int64' || op.opcode !== 'MIRROR_PAD'))) return null;
  const v = constInts(sg, op, 1, 8);
  return v && [0, 1, 2, 3].map((i) => [v[2 * i]!, v[2 * i + 1]!]);
}

/** A sliding window of kh x kw rows and columns (a conv's filter, a pool's), undilated, with TFLM's padding code (0 SAME, 1 VALID). */
function windowRule(kh: number, kw: number, strideH: number, padding: number): RowRule | null {
  // VALID (1) padding: no padding whatever the slice, so any stride maps rows exactly.
  if (padding === 1) return { kind: 'valid', k: kh, stride: strideH };
  // Bands keep every column, so the width's stride and padding are the whole tensor's, whatever the rows do.
  if (strideH > 1) return { kind: 'strided', k: kh, stride: strideH };
  if (kh === 1 && kw === 1) return { kind: 'same', halo: 0 };
  // SAME (0) padding with an odd kernel: the same reach on both sides, whatever the tensor's height. An even one
  // pads one row more below than above (a U-Net's 2x2 conv after its upsampling), at stride 1 whatever the height.
  if (kh % 2 !== 1) return { kind: 'strided', k: kh, stride: 1 };
  return { kind: 'same', halo: (kh - 1) / 2 };
}

/** windowRule, for an output of the size the padding rule gives: TFLM computes other sizes too (windows off the input), which map rows by no rule. */
function sizedWindowRule(x: Tensor, out: Tensor, kh: number, kw: number, strideH: number, strideW: number, padding: number): RowRule | null {
  const sized = paddingFor(padding, x.shape[1]!, kh, strideH, 1).out === out.shape[1] && paddingFor(padding, x.shape[2]!, kw, strideW, 1).out === out.shape[2];
  if (!sized) return null;
  return windowRule(kh, kw, strideH, padding);
}

/**
 * CONV_2D and DEPTHWISE_CONV_2D with constant weights and a non-int4 filter. A dilated one (DeepLab's and BodyPix's
 * atrous convs) reaches the rows of its dilated window, which TFLM pads as a filter of that size: the rule is that
 * window's, its taps in between read too.
 */
export const convRowRule: RowRuleOf = (sg, op, { x, out }) => {
  const o = builtinOptions(op, op.opcode === 'CONV_2D' ? 'Conv2DOptions' : 'DepthwiseConv2DOptions');
  const w = sg.tensors[op.inputs[1]!];
  if (!w || w.dtype === 'int4' || op.inputs.slice(1).some((t) => t >= 0 && !wholeOperand(sg, t))) return null;
  if (o.dilationHFactor < 1 || o.dilationWFactor < 1) return null;
  // CONV_2D filters are [O, kH, kW, I], depthwise ones [1, kH, kW, C]: kH, kW at the same places.
  const kh = (w.shape[1]! - 1) * o.dilationHFactor + 1;
  const kw = (w.shape[2]! - 1) * o.dilationWFactor + 1;
  return sizedWindowRule(x, out, kh, kw, o.strideH, o.strideW, o.padding);
};

/**
 * TRANSPOSE_CONV with a constant output shape, filter and bias and a non-int4 filter. Every accumulation order is
 * kept in a band (the kernel scatters input rows in order), so an output row is exact once every input row that
 * reaches it is.
 */
export const transposeConvRowRule: RowRuleOf = (sg, op, io) => transposeRule(sg, op, io, builtinOptions(op, 'TransposeConvOptions'));

/**
 * TinySegTransposeConv: TRANSPOSE_CONV's operands, its output pixel by pixel (integer sums, in any order the same),
 * its padding derived from the output's height as TRANSPOSE_CONV's: the same rule, its options from the custom ones.
 */
export const transposeConvGatherRowRule: RowRuleOf = (sg, op, io) => {
  const o = decodeTransposeConvGatherOptions(op.customOptions);
  // A band's rows are the whole output's already.
  return o.band ? null : transposeRule(sg, op, io, o);
};

function transposeRule(sg: Subgraph, op: Op, { out }: { out: Tensor }, o: { strideH: number; padding: number }): RowRule | null {
  const w = sg.tensors[op.inputs[1]!];
  if (!w || w.dtype === 'int4' || w.shape.length !== 4 || out.shape.length !== 4) return null;
  // A band sets its own output shape: that operand is a constant; the weights and the bias may be widened at run time.
  const shape = sg.tensors[op.inputs[0] ?? -1];
  if (shape?.kind !== 'constant' || [1, 3].some((i) => op.inputs[i] !== undefined && op.inputs[i]! >= 0 && !wholeOperand(sg, op.inputs[i]!))) return null;
  return { kind: 'transpose', k: w.shape[1]!, stride: o.strideH, padding: o.padding };
}

/** Operand `i` of `op`, when a constant int32 vector of its input's rank. */
function rankVector(sg: Subgraph, op: Op, i: number): Int32Array | null {
  const rank = sg.tensors[op.inputs[0] ?? -1]?.shape.length;
  const t = sg.tensors[op.inputs[i] ?? -1];
  const v = t?.kind === 'constant' && t.dtype === 'int32' && rank !== undefined ? constInts(sg, op, i, rank) : null;
  return v && Int32Array.from(v);
}

/** STRIDED_SLICE's begin, end and strides operands, when constant int32 vectors of the input's rank. */
export function sliceBounds(sg: Subgraph, op: Op): { begin: Int32Array; end: Int32Array; strides: Int32Array } | null {
  const [begin, end, strides] = [rankVector(sg, op, 1), rankVector(sg, op, 2), rankVector(sg, op, 3)];
  return begin && end && strides ? { begin, end, strides } : null;
}

/**
 * STRIDED_SLICE of a 4-D tensor with every stride positive and no masks but begin and end: the rows it keeps are a
 * run [top, H - bottom) (resolved as TFLM's StartForAxis and StopForAxis do); the other axes are sliced alike in
 * every band, since bands keep them whole.
 */
export const stridedSliceRowRule: RowRuleOf = (sg, op, { x, out }) => {
  const o = builtinOptions(op, 'StridedSliceOptions');
  const b = sliceBounds(sg, op);
  if (!b || o.ellipsisMask || o.newAxisMask || o.shrinkAxisMask || o.offset || out.shape.length !== 4) return null;
  if (b.strides.some((s) => s <= 0) || b.strides[1] !== 1) return null;
  const H = x.shape[1]!;
  const { start: top, stop } = sliceAxisRange(H, b.begin[1]!, b.end[1]!, 1, { begin: (o.beginMask & 2) !== 0, end: (o.endMask & 2) !== 0, shrink: false });
  if (stop - top !== out.shape[1] || stop <= top) return null;
  return { kind: 'crop', top, bottom: H - stop };
};

/** SPACE_TO_DEPTH of block b: output row r from input rows b * r .. b * r + b - 1, a VALID window of b rows, stride b. */
export const spaceToDepthRowRule: RowRuleOf = (_sg, op, { x, out }) => {
  const b = builtinOptions(op, 'SpaceToDepthOptions').blockSize;
  return b >= 1 && out.shape.length === 4 && x.shape[1] === b * out.shape[1]! ? { kind: 'valid', k: b, stride: b, divides: true } : null;
};

/**
 * DEPTH_TO_SPACE of block b: input row i to output rows b * i .. b * i + b - 1, as a TRANSPOSE_CONV of kernel and
 * stride b, VALID, maps them (its band's output size comes from its input, as such a transpose conv's would).
 */
export const depthToSpaceRowRule: RowRuleOf = (_sg, op, { x, out }) => {
  const b = builtinOptions(op, 'DepthToSpaceOptions').blockSize;
  return b >= 1 && out.shape.length === 4 && out.shape[1] === b * x.shape[1]! ? { kind: 'transpose', k: b, stride: b, padding: PADDING.VALID } : null;
};

/** SLICE's begin and size operands, when constant int32 vectors of the input's rank. */
export function sliceBeginSize(sg: Subgraph, op: Op): { begin: Int32Array; size: Int32Array } | null {
  const [begin, size] = [rankVector(sg, op, 1), rankVector(sg, op, 2)];
  return begin && size ? { begin, size } : null;
}

/**
 * SLICE of a 4-D tensor: the rows it keeps are [begin, begin + size) (size -1: to the last row, as TFLM reads it);
 * the other axes are sliced alike in every band, since bands keep them whole.
 */
export const sliceRowRule: RowRuleOf = (sg, op, { x, out }) => {
  const b = sliceBeginSize(sg, op);
  if (!b || out.shape.length !== 4 || x.shape[0] !== 1) return null;
  const H = x.shape[1]!;
  const top = b.begin[1]!;
  const stop = b.size[1] === -1 ? H : top + b.size[1]!;
  if (top < 0 || stop > H || stop <= top || stop - top !== out.shape[1]) return null;
  return { kind: 'crop', top, bottom: H - stop };
};

/**
 * MAX_POOL_2D, AVERAGE_POOL_2D and L2_POOL_2D: a window like a conv's. TFLM leaves padded taps out of a pool (the
 * average and the L2 norm divide by the taps inside), so a band's border rows are exact only at the image's
 * border, as a conv's.
 */
export const poolRowRule: RowRuleOf = (_sg, op, { x, out }) => {
  const o = builtinOptions(op, 'Pool2DOptions');
  return sizedWindowRule(x, out, o.filterHeight, o.filterWidth, o.strideH, o.strideW, o.padding);
};

/** PAD and PADV2 of the rows (and other axes but the batch) by a constant amount. */
export const padRowRule: RowRuleOf = (sg, op) => {
  const p = paddingsOf(sg, op);
  // Rows only may be padded per band; the batch stays whole.
  return p && p[0]![0] === 0 && p[0]![1] === 0 && p[1]!.every((n) => n >= 0) ? { kind: 'pad', top: p[1]![0]!, bottom: p[1]![1]! } : null;
};

/**
 * MIRROR_PAD of the rows (and other axes but the batch), its paddings constant: PAD's rule, mirrored. TFLM mirrors
 * no more rows than the input has beyond the edge (`mirror`): wider paddings are refused at Invoke.
 */
export const mirrorPadRowRule: RowRuleOf = (sg, op, { x }) => {
  const p = paddingsOf(sg, op);
  if (!p || p[0]![0] !== 0 || p[0]![1] !== 0) return null;
  const [top, bottom] = p[1] as [number, number];
  const mirror = builtinOptions(op, 'MirrorPadOptions').mode === 0 ? 1 : 0;
  return top >= 0 && bottom >= 0 && Math.max(top, bottom) <= x.shape[1]! - mirror ? { kind: 'pad', top, bottom, mirror } : null;
};

/** A one-input element-wise op whose output has its input's shape: output row r is input row r. */
export const unaryRowRule: RowRuleOf = (_sg, op, { x, out }) => (op.inputs.length === 1 && x.shape.join() === out.shape.join() ? ROW_ONLY : null);

/**
 * TinySegAddFetch of an exact slot: ADD of its input and the slot, element for element, so output row r is input
 * row r plus the slot's row r, and a band reads its rows from inside the slot (a batch-1 tensor's rows are
 * consecutive bytes). A quantized slot begins with its scale: never read in rows.
 */
export const addFetchRowRule: RowRuleOf = (_sg, op, { x, out }) =>
  op.inputs.length === 1 && x.shape.join() === out.shape.join() && !decodeAddFetchOptions(op.customOptions).quantized ? ROW_ONLY : null;

/**
 * An operator over the channel axis alone (SOFTMAX, LOG_SOFTMAX, L2_NORMALIZATION: TFLM's kernels treat every
 * axis but the last as rows of independent vectors): output row r is input row r.
 */
export const channelRowRule: RowRuleOf = unaryRowRule;

/** Whether `t` broadcasts along the rows against a 4-D tensor: rank 2 or less (no row axis), or a row axis of 1. */
export const rowBroadcast = (t: Pick<Tensor, 'shape'>): boolean => t.shape.length <= 2 || (t.shape.length <= 4 && t.shape[t.shape.length - 3] === 1);

/**
 * Whether a join over `rows` rows may read `t` beside its row input: a 4-D tensor of those rows (each band slices its
 * own), or one that broadcasts along them (a squeeze-excite scale, read whole by every band).
 */
export const joinOperand = (t: Pick<Tensor, 'shape'>, rows: number | undefined): boolean => rowBroadcast(t) || (t.shape.length === 4 && t.shape[1] === rows);

/**
 * An element-wise op of two or more operands (ADD, MUL, SUB, DIV, FLOOR_DIV, FLOOR_MOD, MAXIMUM, MINIMUM,
 * SQUARED_DIFFERENCE, PRELU, the comparisons, LOGICAL_AND and LOGICAL_OR; SELECT_V2's condition and its two
 * choices; ADD_N's terms) whose first input has the output's shape: every other operand is either a tensor of the
 * output's shape (another branch: its row r) or one that broadcasts along the rows, a constant or not (a
 * squeeze-excite block's [1, 1, 1, C] scale: the same for every band, which reads it whole).
 */
export const binaryRowRule: RowRuleOf = (sg, op, { x, out }) => {
  if (x.shape.join() !== out.shape.join() || op.inputs.length < 2) return null;
  for (const t of op.inputs.slice(1)) {
    const other = sg.tensors[t];
    if (!other) return null;
    if (!rowBroadcast(other) && (other.kind === 'constant' || other.shape.join() !== out.shape.join())) return null;
  }
  return ROW_ONLY;
};

/**
 * MEAN, SUM, REDUCE_MAX, REDUCE_MIN and REDUCE_ALL over the columns, the channels or both (a constant int32 axis
 * list of 2, 3, -2 or -1), keeping them as 1 or dropping them: output row r from input row r (TFLM reduces each
 * output element's inputs on their own, in the same order whatever the height).
 */
export const rowReduceRowRule: RowRuleOf = (sg, op, { x, out }) => {
  const axes = sg.tensors[op.inputs[1] ?? -1]?.dtype === 'int32' ? constInts(sg, op, 1) : null;
  if (!axes || axes.length === 0 || !inRows(axes)) return null;
  const reduced = new Set(axes.map((a) => (a < 0 ? a + 4 : a)));
  const kept = x.shape.map((n, i) => (reduced.has(i) ? 1 : n)).join();
  const dropped = x.shape.filter((_, i) => !reduced.has(i)).join();
  return out.shape.join() === kept || out.shape.join() === dropped ? ROW_ONLY : null;
};

/** ARG_MAX and ARG_MIN over the channel axis (a constant axis of 3 or -1): output [1, H, W], its row r from input row r. */
export const argRowRule: RowRuleOf = (sg, _op, { x, out }) => {
  const axis = sg.tensors[_op.inputs[1] ?? -1];
  if (!axis?.data || axis.kind !== 'constant' || (axis.dtype !== 'int32' && axis.dtype !== 'int64') || axis.data.byteLength < 4) return null;
  const a = new DataView(axis.data.buffer, axis.data.byteOffset, axis.data.byteLength).getInt32(0, true);
  if (a !== 3 && a !== -1) return null;
  return out.shape.length === 3 && out.shape.join() === x.shape.slice(0, 3).join() ? ROW_ONLY : null;
};

/**
 * The int32 (or int64) values of operand `i` when it holds data, `count` of them (any count when undefined). The
 * report asks every operator of any model that loads: a buffer shorter than its shape says is no values.
 */
function constInts(sg: Subgraph, op: Op, i: number, count?: number): number[] | null {
  const t = sg.tensors[op.inputs[i] ?? -1];
  const width = t?.dtype === 'int32' ? 4 : t?.dtype === 'int64' ? 8 : 0;
  if (!t?.data || width === 0 || t.data.byteLength !== width * t.shape.reduce((a, b) => a * b, 1)) return null;
  const n = t.data.byteLength / width;
  if (count !== undefined && n !== count) return null;
  const view = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return Array.from({ length: n }, (_, k) => (width === 4 ? view.getInt32(4 * k, true) : Number(view.getBigInt64(8 * k, true))));
}

/** Whether every axis of `axes` (negative from the end, of a 4-D tensor) is a column or the channel axis. */
const inRows = (axes: readonly number[]): boolean => axes.every((a) => [2, 3, -2, -1].includes(a));

/** TRANSPOSE of a 4-D tensor that keeps the batch and the rows in place (perm [0, 1, ...]): output row r is input row r. */
export const transposeRowRule: RowRuleOf = (sg, op, { out }) => {
  const perm = constInts(sg, op, 1, 4);
  return perm && perm[0] === 0 && perm[1] === 1 && out.shape.length === 4 ? ROW_ONLY : null;
};

/** GATHER along the columns or the channels (constant positions, no batch dims): each row gathers from its own row. */
export const gatherRowRule: RowRuleOf = (sg, op, { x, out }) => {
  const o = builtinOptions(op, 'GatherOptions');
  const positions = sg.tensors[op.inputs[1] ?? -1];
  if (!positions || positions.kind !== 'constant' || positions.shape.length !== 1 || o.batchDims !== 0 || !inRows([o.axis])) return null;
  return out.shape.length === 4 && out.shape[1] === x.shape[1] ? ROW_ONLY : null;
};

/** REVERSE_V2 of columns or channels only (a constant axis list): output row r is input row r, reversed along them. */
export const reverseRowRule: RowRuleOf = (sg, op, { x, out }) => {
  const axes = constInts(sg, op, 1);
  return axes && axes.length > 0 && inRows(axes) && x.shape.join() === out.shape.join() ? ROW_ONLY : null;
};

/** CUMSUM along the columns or the channels (a constant axis): sums within a row. */
export const cumsumRowRule: RowRuleOf = (sg, op, { x, out }) => {
  const axis = constInts(sg, op, 1, 1);
  return axis && inRows(axis) && x.shape.join() === out.shape.join() ? ROW_ONLY : null;
};

/**
 * FULLY_CONNECTED that keeps its 4-D input's dimensions (keep_num_dims), constant weights and bias: every pixel's
 * channels through the same weights (TFLM computes each of the H * W rows of its [H * W, C] view on its own).
 */
export const fullyConnectedRowRule: RowRuleOf = (sg, op, { x, out }) => {
  const o = builtinOptions(op, 'FullyConnectedOptions');
  const constant = op.inputs.slice(1).every((t) => t < 0 || wholeOperand(sg, t));
  if (!o.keepNumDims || !constant || sg.tensors[op.inputs[1] ?? -1]?.dtype === 'int4' || out.shape.length !== 4) return null;
  return out.shape.slice(0, 3).join() === x.shape.slice(0, 3).join() ? ROW_ONLY : null;
};

/**
 * BATCH_MATMUL of a 4-D left operand by a constant right one that broadcasts along the rows: each row's [W, C]
 * matrix (or its transpose, adj_x) times the same matrix, so output row r is the product of input row r.
 */
export const batchMatmulRowRule: RowRuleOf = (sg, op, { x, out }) => {
  const rhs = sg.tensors[op.inputs[1] ?? -1];
  if (!rhs || rhs.kind !== 'constant' || !rowBroadcast(rhs) || out.shape.length !== 4) return null;
  return out.shape[0] === x.shape[0] && out.shape[1] === x.shape[1] ? ROW_ONLY : null;
};

/**
 * BROADCAST_TO that keeps the rows (broadcasting columns or channels of a 4-D input of the output's height), its
 * shape a constant: output row r is input row r broadcast, and a band broadcasts its own rows to its own shape.
 */
export const broadcastToRowRule: RowRuleOf = (sg, op, { x, out }) =>
  out.shape.length === 4 && x.shape[0] === 1 && x.shape[1] === out.shape[1] && sg.tensors[op.inputs[1] ?? -1]?.kind === 'constant' ? ROW_ONLY : null;

/**
 * RESHAPE of a batch-1 tensor that keeps its rows ([1, H, W, C] to [1, H, W', C'] or [1, H, W * C]), its shape
 * absent or a constant: each row's bytes stay that row's, in order, so output row r is input row r.
 */
export const reshapeRowRule: RowRuleOf = (sg, op, { x, out }) => {
  const shape = op.inputs[1] ?? -1;
  if (shape >= 0 && sg.tensors[shape]?.kind !== 'constant') return null;
  return x.shape[0] === 1 && out.shape[1] === x.shape[1] && out.dtype === x.dtype && out.byteSize === x.byteSize ? ROW_ONLY : null;
};

/** One output of a SPLIT or SPLIT_V as a slice of its input: `tensor` holds [begin, end) along `axis`. */
export interface SplitPart {
  tensor: number;
  begin: number;
  end: number;
}

/**
 * A SPLIT or SPLIT_V of a 4-D batch-1 tensor of two or more rows along its columns or channels (a constant axis and
 * sizes): its outputs as slices that keep every row, each of which is row-local (a STRIDED_SLICE computes the same
 * bytes; transform/splits-to-slices.ts writes them). Null for any other split.
 */
export function splitParts(sg: Subgraph, op: Op): { input: number; axis: number; parts: SplitPart[] } | null {
  const [xAt, axisAt] = op.opcode === 'SPLIT' ? [1, 0] : op.opcode === 'SPLIT_V' ? [0, 2] : [-1, -1];
  const x = sg.tensors[op.inputs[xAt] ?? -1];
  const a = xAt < 0 ? null : constInts(sg, op, axisAt, 1);
  if (!x || !a || x.kind !== 'activation' || x.shape.length !== 4 || x.shape[0] !== 1 || x.shape[1]! < 2 || !inRows(a)) return null;
  const axis = a[0]! < 0 ? a[0]! + 4 : a[0]!;
  const parts: SplitPart[] = [];
  let at = 0;
  for (const t of op.outputs) {
    const y = sg.tensors[t];
    if (!y || y.dtype !== x.dtype || y.shape.length !== 4 || y.shape.some((n, i) => i !== axis && n !== x.shape[i])) return null;
    parts.push({ tensor: t, begin: at, end: at + y.shape[axis]! });
    at += y.shape[axis]!;
  }
  // The outputs' sizes are what TFLM computes from the operands (its Prepare checks them against SPLIT_V's sizes).
  return parts.length > 0 && at === x.shape[axis] ? { input: x.index, axis, parts } : null;
}

/** CONCATENATION on the channel axis of 4-D tensors of the output's rows and columns: output row r joins the inputs' rows r. */
export const concatRowRule: RowRuleOf = (sg, op, { out }) => {
  const o = builtinOptions(op, 'ConcatenationOptions');
  if (o.axis !== 3 && o.axis !== -1) return null;
  const ok = op.inputs.every((t) => {
    const s = sg.tensors[t]?.shape;
    return s?.length === 4 && s[0] === 1 && s[1] === out.shape[1] && s[2] === out.shape[2];
  });
  return ok ? ROW_ONLY : null;
};
