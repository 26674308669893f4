// What an operator of a row-band chain reads in one band (split-row-bands.ts):
// its rows from the band's previous stage, and the operands that state sizes
// or rows of the whole tensor rewritten for the band's own rows.

import type { Op, Subgraph, Tensor } from '../graph/graph.js';
import { rowRule } from '../ops/registry.js';
import { paddingsOf, rowBroadcast, sliceBeginSize, sliceBounds, wholeOperand } from '../ops/row-rule.js';
import { activationLike, freshName, int32Const, sliceOp } from './rewrite.js';
import { TRANSPOSE_CONV_GATHER } from '../ops/tinyseg/custom-ops.js';

/** The band's rows of a stage: [c0, c1) of a tensor of `height` rows. */
export interface BandRows {
  c0: number;
  c1: number;
  height: number;
}

/** A STRIDED_SLICE of rows [r0, r1) of `x` (every column and channel). */
export function sliceRows(sg: Subgraph, x: Tensor, r0: number, r1: number, name: string): { op: Omit<Op, 'source'>; y: Tensor } {
  const shape = [...x.shape];
  shape[1] = r1 - r0;
  const y = activationLike(sg, x, freshName(sg, name), shape);
  const op = sliceOp(sg, x, x.shape.map((_, i) => (i === 1 ? r0 : 0)), x.shape.map((n, i) => (i === 1 ? r1 : n)), y, name);
  return { op, y };
}

/**
 * `op`'s operands and options in a band whose row input (operand `row`) is tensor `rows` (its rows `from`),
 * writing an output of `shape`; `name` prefixes new tensors. `slices` take the band's rows of side inputs
 * (band-chains.ts), which map rows one to one: the rows of the band's row input. `branches`: side inputs the chain
 * made itself, by tensor, with the band's own tensor of them and the first row it holds (they never exist whole).
 */
export function bandOperands(
  sg: Subgraph,
  op: Op,
  row: number,
  rows: number,
  from: BandRows,
  shape: readonly number[],
  name: string,
  branches: ReadonlyMap<number, { tensor: number; c0: number }> = new Map(),
): Pick<Op, 'inputs' | 'options'> & { slices: Omit<Op, 'source'>[] } {
  const inputs = [...op.inputs];
  const slices: Omit<Op, 'source'>[] = [];
  inputs.forEach((t, i) => {
    const branch = branches.get(t);
    if (i !== row && branch) {
      const band = sg.tensors[branch.tensor]!;
      if (branch.c0 === from.c0 && band.shape[1] === from.c1 - from.c0) {
        inputs[i] = band.index;
        return;
      }
      const s = sliceRows(sg, band, from.c0 - branch.c0, from.c1 - branch.c0, `${name}_side${i}`);
      slices.push(s.op);
      inputs[i] = s.y.index;
      return;
    }
    const side = sg.tensors[t];
    // Constants, and operands that broadcast along the rows (a squeeze-excite scale), are the same in every band.
    if (i === row || !side || wholeOperand(sg, side.index) || rowBroadcast(side) || (from.c0 === 0 && from.c1 === from.height)) return;
    const s = sliceRows(sg, side, from.c0, from.c1, `${name}_side${i}`);
    slices.push(s.op);
    inputs[i] = s.y.index;
  });
  inputs[row] = rows;
  let options = op.options ? { ...op.options } : null;
  const atTop = from.c0 === 0;
  const atBottom = from.c1 === from.height;
  if (op.opcode === 'RESIZE_BILINEAR' || op.opcode === 'RESIZE_NEAREST_NEIGHBOR') inputs[1] = int32Const(sg, `${name}_size`, [shape[1]!, shape[2]!]);
  // TFLM's TRANSPOSE_CONV takes its output's size, and from it its padding, from this operand (TinySegTransposeConv
  // from its output, and keeps the operand).
  if (op.opcode === 'TRANSPOSE_CONV' || (op.customCode === TRANSPOSE_CONV_GATHER && (op.inputs[0] ?? -1) >= 0)) inputs[0] = int32Const(sg, `${name}_shape`, shape);
  // The output's shape, where the operator reads it from an operand (and RESHAPE from its options too).
  if (op.opcode === 'BROADCAST_TO' || (op.opcode === 'RESHAPE' && (op.inputs[1] ?? -1) >= 0)) inputs[1] = int32Const(sg, `${name}_shape`, shape);
  if (op.opcode === 'RESHAPE' && options && 'newShape' in options) options = { ...options, newShape: [...shape] };
  if (op.opcode === 'PAD' || op.opcode === 'PADV2' || op.opcode === 'MIRROR_PAD') {
    // Rows padded (or mirrored) only where this band meets the image's border.
    const pads = paddingsOf(sg, op)!;
    const flat = [pads[0]!, [atTop ? pads[1]![0]! : 0, atBottom ? pads[1]![1]! : 0], pads[2]!, pads[3]!].flat();
    inputs[1] = int32Const(sg, `${name}_paddings`, flat, [4, 2]);
  }
  if (op.opcode === 'SLICE' || op.opcode === 'STRIDED_SLICE') {
    // Rows cropped only where the band reaches the cropped rows: it keeps rows [k0, k1) of its own.
    const rule = rowRule(sg, op) as Extract<ReturnType<typeof rowRule>, { kind: 'crop' }>;
    const k0 = Math.max(from.c0, rule.top) - from.c0;
    const k1 = Math.min(from.c1, from.height - rule.bottom) - from.c0;
    if (op.opcode === 'SLICE') {
      // A size of -1 becomes the band's own count.
      const b = sliceBeginSize(sg, op)!;
      inputs[1] = int32Const(sg, `${name}_begin`, [...b.begin].map((v, i) => (i === 1 ? k0 : v)));
      inputs[2] = int32Const(sg, `${name}_size`, [...b.size].map((v, i) => (i === 1 ? k1 - k0 : v)));
    } else {
      // The row bounds are the band's, unmasked.
      const b = sliceBounds(sg, op)!;
      inputs[1] = int32Const(sg, `${name}_begin`, [...b.begin].map((v, i) => (i === 1 ? k0 : v)));
      inputs[2] = int32Const(sg, `${name}_end`, [...b.end].map((v, i) => (i === 1 ? k1 : v)));
      options = { ...options, beginMask: Number(options?.['beginMask'] ?? 0) & ~2, endMask: Number(options?.['endMask'] ?? 0) & ~2 };
    }
  }
  return { inputs, options, slices };
}
