// Row rules for row-band splitting (transform/split-row-bands.ts): how an
// operator's output rows map to its input rows, when the operator is row-local.
// TFLM's arithmetic for a row does not depend on where the tensor starts, except
// at its first and last rows, where the kernel clamps or pads; the rule states
// the reach. The family modules attach these rules to their operators.

import { builtinOptions } from '../graph/op-options.js';
import type { Op, Subgraph, Tensor } from '../graph/graph.js';
import { paddingFor } from './kernel.js';

/** How a row-local operator maps rows. */
export type RowRule =
  /** Stride-1 SAME convs (odd kernel), 1x1 convs and unary ops: output row r reads input rows r - halo .. r + halo. */
  | { kind: 'same'; halo: number }
  /** A 2x half-pixel bilinear resize. */
  | { kind: 'resize2' }
  /** Explicit PAD of the rows: output row r is input row r - top. */
  | { kind: 'pad'; top: number; bottom: number }
  /** VALID convs of any stride: output row r reads input rows stride*r .. stride*r + k - 1. */
  | { kind: 'valid'; k: number; stride: number }
  /**
   * Strided SAME convs: output row r reads input rows stride*r - top .. stride*r - top + k - 1,
   * where TFLM derives `top` from the input's height: a band lines up only where its own top equals the tensor's.
   */
  | { kind: 'strided'; k: number; stride: number };

/** The first input and the output of an operator a row rule looks at. */
export interface RowRuleTensors {
  readonly x: Tensor;
  readonly out: Tensor;
}

/** A family's row rule for one operator; called only on single-output ops on 4-D tensors of batch 1 (the only ones bands split). */
export type RowRuleOf = (sg: Subgraph, op: Op, io: RowRuleTensors) => RowRule | null;

/** The first input and the output of a single-output op on 4-D tensors of batch 1; null otherwise. */
export function rowLocalShape(sg: Subgraph, op: Op): RowRuleTensors | null {
  const out = sg.tensors[op.outputs[0] ?? -1];
  const x = sg.tensors[op.inputs[0] ?? -1];
  if (!out || !x || op.outputs.length !== 1 || out.shape.length !== 4 || x.shape.length !== 4 || out.shape[0] !== 1) return null;
  return { x, out };
}

/** PAD's paddings as [[before, after] x 4], when they are a constant int32 tensor. */
export function paddingsOf(sg: Subgraph, op: Op): number[][] | null {
  const p = sg.tensors[op.inputs[1] ?? -1];
  if (!p?.data || p.dtype !== 'int32' || p.shape.join() !== '4,2') return null;
  const v = new Int32Array(p.data.slice().buffer);
  return [0, 1, 2, 3].map((i) => [v[2 * i]!, v[2 * i + 1]!]);
}

/** CONV_2D and DEPTHWISE_CONV_2D with constant weights, no dilation and a non-int4 filter. */
export const convRowRule: RowRuleOf = (sg, op, { x, out }) => {
  const o = builtinOptions(op, op.opcode === 'CONV_2D' ? 'Conv2DOptions' : 'DepthwiseConv2DOptions');
  const w = sg.tensors[op.inputs[1]!];
  if (!w?.data || w.dtype === 'int4' || op.inputs.slice(1).some((t) => t >= 0 && sg.tensors[t]!.kind !== 'constant')) return null;
  // CONV_2D filters are [O, kH, kW, I], depthwise ones [1, kH, kW, C]: kH, kW at the same places.
  const [kh, kw] = [w.shape[1]!, w.shape[2]!];
  const strideH = o.strideH;
  if (o.dilationHFactor !== 1 || o.dilationWFactor !== 1) return null;
  // An output TFLM computes at another size than its padding rule's (windows off the input) maps rows by no rule.
  const ruleH = paddingFor(o.padding, x.shape[1]!, kh, strideH, 1).out;
  if (ruleH !== out.shape[1] || paddingFor(o.padding, x.shape[2]!, kw, o.strideW, 1).out !== out.shape[2]) return null;
  // VALID (1) padding: no padding whatever the slice, so any stride maps rows exactly.
  if (o.padding === 1) return { kind: 'valid', k: kh, stride: strideH };
  // Bands keep every column, so the width's stride and padding are the whole tensor's.
  if (strideH > 1) return { kind: 'strided', k: kh, stride: strideH };
  if (o.strideW !== 1) return null;
  if (kh === 1 && kw === 1) return { kind: 'same', halo: 0 };
  // SAME (0) padding with an odd kernel: the same reach on both sides, whatever the tensor's height.
  if (kh % 2 !== 1) return null;
  return { kind: 'same', halo: (kh - 1) / 2 };
};

/** PAD of the rows (and other axes but the batch) by a constant amount. */
export const padRowRule: RowRuleOf = (sg, op) => {
  const p = paddingsOf(sg, op);
  // Rows only may be padded per band; the batch stays whole.
  return p && p[0]![0] === 0 && p[0]![1] === 0 && p[1]!.every((n) => n >= 0) ? { kind: 'pad', top: p[1]![0]!, bottom: p[1]![1]! } : null;
};

/** A 2x half-pixel RESIZE_BILINEAR of int8 or float32 rows. */
export const resizeRowRule: RowRuleOf = (_sg, op, { x, out }) => {
  const o = builtinOptions(op, 'ResizeBilinearOptions');
  const half = o.halfPixelCenters && !o.alignCorners;
  return half && out.shape[1] === 2 * x.shape[1]! && (x.dtype === 'int8' || x.dtype === 'float32') ? { kind: 'resize2' } : null;
};

/** A one-input element-wise op whose output has its input's shape: output row r is input row r. */
export const unaryRowRule: RowRuleOf = (_sg, op, { x, out }) =>
  op.inputs.length === 1 && x.shape.join() === out.shape.join() ? { kind: 'same', halo: 0 } : null;
