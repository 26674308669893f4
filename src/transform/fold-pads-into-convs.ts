// A PAD (or PADV2) of rows and columns whose one reader is a VALID CONV_2D or
// DEPTHWISE_CONV_2D becomes that conv's SAME padding, where the two pad alike:
// TFLM's SAME puts ComputePaddingHeightWidth's offset above and left of the
// input and skips the taps that fall outside it. Keras pads this way before a
// stride-2 depthwise conv (correct_pad), exports of other frameworks before
// stride-1 ones; the padded copy is then never made, and never alive with the
// input it copies (portrait-video's 58x58x144 copy beside its 56x56x144 input
// was its peak).
//
// Exact: a skipped tap adds nothing; the padded element it replaces adds
// (p - zp) * w, 0 when the pad value p is the conv input's zero point (PAD pads
// with its output's zero point, PADV2 with its constant). A float32 sum starts
// at +0 and is never -0, so a padded 0 times a finite weight (a +0 or -0) adds
// nothing either. The conv reads the PAD's input, quantized as its output.

import type { Graph, Subgraph, Tensor } from '../graph/graph.js';
import { builtinOptions } from '../graph/op-options.js';
import { PADDING, paddingFor } from '../ops/kernel.js';
import { paddingsOf } from '../ops/row-rule.js';
import type { Pass } from './pass.js';
import { removeUnusedTensors } from './rewrite.js';

export interface FoldPadsResult {
  folded: number;
  /** Bytes of the padded copies no longer made. */
  bytes: number;
}

export const sameQuantization = (a: Tensor, b: Tensor): boolean => JSON.stringify(a.quantization) === JSON.stringify(b.quantization);

/** What a padded element of `t` holds in TFLM's PAD: its zero point (0 for float32). */
export const zeroOf = (t: Tensor): number => (t.dtype === 'float32' ? 0 : (t.quantization?.zeroPoint[0] ?? 0));

/** The one value PADV2's constant holds (or PAD's own, zeroOf its output), or null when it is not one known value. */
function padValue(sg: Subgraph, op: Subgraph['ops'][number], y: Tensor): number | null {
  if (op.opcode === 'PAD' || (op.inputs[2] ?? -1) < 0) return zeroOf(y);
  const c = sg.tensors[op.inputs[2]!];
  if (!c?.data || c.dtype !== y.dtype || c.shape.reduce((n, d) => n * d, 1) !== 1) return null;
  const view = new DataView(c.data.buffer, c.data.byteOffset, c.data.byteLength);
  if (c.dtype === 'int8') return view.getInt8(0);
  if (c.dtype === 'int16') return view.getInt16(0, true);
  if (c.dtype === 'float32') return view.getFloat32(0, true);
  return null;
}

/** Whether the PAD at `k` may become its reader's SAME padding; the reader's index when it may. */
function foldableReader(sg: Subgraph, k: number): number | null {
  const op = sg.ops[k]!;
  if ((op.opcode !== 'PAD' && op.opcode !== 'PADV2') || op.outputs.length !== 1) return null;
  const x = sg.tensors[op.inputs[0] ?? -1];
  const y = sg.tensors[op.outputs[0]!]!;
  const pads = paddingsOf(sg, op);
  if (!x || !pads || x.kind !== 'activation' || x.shape.length !== 4 || x.dtype !== y.dtype || !sameQuantization(x, y)) return null;
  if (!['int8', 'int16', 'float32'].includes(y.dtype) || sg.outputs.includes(y.index)) return null;
  // Rows and columns only, none cut away (TFLM's PAD takes no negative paddings anyway).
  if (pads[0]!.some((p) => p !== 0) || pads[3]!.some((p) => p !== 0) || pads[1]!.some((p) => p < 0) || pads[2]!.some((p) => p < 0)) return null;
  const readers = sg.consumersOf(y.index);
  if (readers.length !== 1) return null;
  const r = readers[0]!;
  const conv = sg.ops[r]!;
  if ((conv.opcode !== 'CONV_2D' && conv.opcode !== 'DEPTHWISE_CONV_2D') || conv.inputs[0] !== y.index || conv.inputs.indexOf(y.index, 1) >= 0) return null;
  const o = conv.opcode === 'CONV_2D' ? builtinOptions(conv, 'Conv2DOptions') : builtinOptions(conv, 'DepthwiseConv2DOptions');
  const filter = sg.tensors[conv.inputs[1] ?? -1];
  const out = sg.tensors[conv.outputs[0] ?? -1];
  if (o.padding !== PADDING.VALID || !filter || filter.shape.length !== 4 || !out || out.shape.length !== 4) return null;
  if (padValue(sg, op, y) !== zeroOf(y)) return null;
  // 0 times an infinite or NaN weight is NaN: a float32 conv folds only with a constant filter of finite weights.
  if (y.dtype === 'float32' && (!filter.data || filter.dtype !== 'float32' || !new Float32Array(filter.data.slice().buffer).every(Number.isFinite))) return null;
  const rows = paddingFor(PADDING.SAME, x.shape[1]!, filter.shape[1]!, o.strideH, o.dilationHFactor);
  const cols = paddingFor(PADDING.SAME, x.shape[2]!, filter.shape[2]!, o.strideW, o.dilationWFactor);
  // SAME on the input must give the conv's output and pad above and left as the PAD does; below and right, the VALID
  // conv's taps stayed inside the padded tensor, so SAME's skipped taps are the padded ones.
  if (rows.out !== out.shape[1] || cols.out !== out.shape[2] || rows.pad !== pads[1]![0] || cols.pad !== pads[2]![0]) return null;
  return r;
}

export function foldPadsIntoConvs(graph: Graph): FoldPadsResult {
  const sg = graph.main;
  let folded = 0;
  let bytes = 0;
  for (let k = sg.ops.length - 1; k >= 0; k--) {
    const r = foldableReader(sg, k);
    if (r === null) continue;
    const pad = sg.ops[k]!;
    const conv = sg.ops[r]!;
    bytes += sg.tensors[pad.outputs[0]!]!.byteSize;
    sg.removeOp(r);
    sg.insertOp(r, { ...conv, inputs: [pad.inputs[0]!, ...conv.inputs.slice(1)], options: { ...conv.options, padding: PADDING.SAME } });
    sg.removeOp(k);
    folded++;
  }
  removeUnusedTensors(sg);
  return { folded, bytes };
}

export const foldPadsPass: Pass<'foldPads', FoldPadsResult> = {
  name: 'foldPads',
  run: (graph, context) => (context.foldPads === false ? { folded: 0, bytes: 0 } : foldPadsIntoConvs(graph)),
};
