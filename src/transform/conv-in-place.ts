// An int8 CONV_2D or DEPTHWISE_CONV_2D at the memory peak whose input dies
// there becomes TinySegConvInPlace: the same inputs and output, computed row
// by row through a small queue, so its output may be placed over its input
// (MIT TinyEngine's in-place depthwise convolution, for any conv: docs/custom-ops.md).
// The pair then takes the larger of the two tensors plus the queue instead of
// their sum. Only operators at the peak are rewritten, one at a time while the
// peak moves on to another: elsewhere the builtin needs no custom kernel.

import { predictOps } from '../analysis/compute.js';
import { lowerBound } from '../analysis/lower-bound.js';
import type { Graph, Op, Subgraph } from '../graph/graph.js';
import { builtinOptions } from '../graph/op-options.js';
import { REFERENCE_KERNELS, scratchRequests, type Kernels } from '../ops/registry.js';
import { convInPlaceRows } from '../ops/tinyseg/conv-in-place-kernel.js';
import { placedDelta } from '../ops/tinyseg/conv-in-place-rows.js';
import { builtinConvWindow, CONV_IN_PLACE, encodeConvInPlaceOptions, type ConvInPlaceOptions } from '../ops/tinyseg/custom-ops.js';
import { passTimeline, shareInPlacePairs } from '../tflm/arena.js';
import { ARENA_ALIGNMENT } from '../tflm/alignment.js';
import { opAt } from '../tflm/lifetimes.js';
import { newOp } from './rewrite.js';

export interface ConvInPlaceResult {
  rewritten: number;
  /** Bytes the rewritten pairs no longer hold at their operator: the smaller tensor of each, less its queue. */
  bytes: number;
}

const aligned = (n: number): number => Math.ceil(n / ARENA_ALIGNMENT) * ARENA_ALIGNMENT;

/** The custom operator's options for a builtin conv, or null when it is not one TinySegConvInPlace computes. */
function inPlaceOptions(sg: Subgraph, op: Op, k: number): ConvInPlaceOptions | null {
  if (op.opcode !== 'CONV_2D' && op.opcode !== 'DEPTHWISE_CONV_2D') return null;
  const [x, filter, bias] = [0, 1, 2].map((i) => sg.tensors[op.inputs[i] ?? -1]);
  const y = sg.tensors[op.outputs[0] ?? -1];
  if (!x || !filter?.data || !y || op.outputs.length !== 1) return null;
  if (x.shape.length !== 4 || filter.shape.length !== 4 || y.shape.length !== 4) return null;
  if (x.dtype !== 'int8' || filter.dtype !== 'int8' || y.dtype !== 'int8' || x.shape[0] !== 1 || x.kind !== 'activation') return null;
  if (bias && (bias.dtype !== 'int32' || !bias.data)) return null;
  // The input dies here, read once, and is no graph output: its bytes are free to take.
  const readers = sg.consumersOf(x.index);
  if (readers[readers.length - 1] !== k || op.inputs.filter((t) => t === x.index).length !== 1) return null;
  if (sg.outputs.includes(x.index) || sg.inputs.includes(y.index)) return null;
  if (op.opcode === 'DEPTHWISE_CONV_2D') {
    const o = builtinOptions(op, 'DepthwiseConv2DOptions');
    if (o.fusedActivationFunction > 3) return null;
    return { depthwise: true, ...builtinConvWindow(o), depthMultiplier: y.shape[3]! / x.shape[3]! };
  }
  const o = builtinOptions(op, 'Conv2DOptions');
  if (o.fusedActivationFunction > 3 || filter.shape[3] !== x.shape[3]) return null;
  return { depthwise: false, ...builtinConvWindow(o), depthMultiplier: 1 };
}

/** `maxInvoke`: the predicted Invoke() instructions (analysis/compute.ts, under `kernels`) the graph may reach. */
export function convsInPlaceAtPeak(graph: Graph, kernels: Kernels = REFERENCE_KERNELS, maxInvoke = Infinity): ConvInPlaceResult {
  const sg = graph.main;
  let rewritten = 0;
  let bytes = 0;
  // The graph's predicted Invoke(), kept as operators are replaced.
  let invoke = predictOps(sg, sg.ops, kernels);
  for (;;) {
    const bound = lowerBound(shareInPlacePairs(sg, passTimeline(sg, kernels)), sg.ops.length + 1);
    const k = opAt(bound.time);
    const op = sg.ops[k];
    const o = op ? inPlaceOptions(sg, op, k) : null;
    if (!op || !o) break;
    const inPlace = newOp({ opcode: 'CUSTOM', customCode: CONV_IN_PLACE, inputs: [...op.inputs], outputs: [...op.outputs], customOptions: encodeConvInPlaceOptions(o) });
    const [x, y] = [sg.tensors[op.inputs[0]!]!, sg.tensors[op.outputs[0]!]!];
    // The input sits `placedDelta` bytes into the output: a whole number of arena alignments keeps both aligned.
    if (placedDelta(convInPlaceRows(o, x.shape, sg.tensors[op.inputs[1]!]!.shape, y.shape)) % ARENA_ALIGNMENT !== 0) break;
    const queue = scratchRequests(inPlace, sg.tensors, kernels).reduce((n, b) => n + aligned(b), 0);
    const builtinScratch = scratchRequests(op, sg.tensors, kernels).reduce((n, b) => n + aligned(b), 0);
    const saved = Math.min(x.byteSize, y.byteSize) + builtinScratch - queue;
    if (saved <= 0) break;
    // One kernel call per output row: a conv's calls cost a little more than the builtin's one.
    const added = predictOps(sg, [inPlace], kernels) - predictOps(sg, [op], kernels);
    if (invoke + added > maxInvoke) break;
    invoke += added;
    sg.removeOp(k);
    sg.insertOp(k, inPlace);
    rewritten++;
    bytes += saved;
  }
  return { rewritten, bytes };
}
