// int8 TRANSPOSE_CONV whose int32 accumulator (4 bytes per output element)
// holds the memory peak becomes TinySegTransposeConv: the same inputs and
// output, computed one output pixel at a time with one pixel's accumulators
// (docs/custom-ops.md). Before the other passes, only operators at the peak are
// rewritten: the band chains run through the builtin. Once they have run, every
// one the gather computes faster is rewritten too (TFLM's reference kernel
// takes ~107 instructions per MAC on a Cortex-M4, CMSIS-NN's ~7, the gather
// ~2.9): it also drops the accumulator and takes less op data.
// Kernel == stride transpose convs are already gone (transpose-conv-to-depth-to-space.ts).

import { predictOps } from '../analysis/compute.js';
import { liveAtPeak, lowerBound } from '../analysis/lower-bound.js';
import type { Graph, Op, Subgraph } from '../graph/graph.js';
import { builtinOptions } from '../graph/op-options.js';
import { encodeTransposeConvGatherOptions, TRANSPOSE_CONV_GATHER, TRANSPOSE_CONV_GATHER_MAX_TAPS, type TransposeConvGatherOptions } from '../ops/tinyseg/custom-ops.js';
import { passTimeline } from '../tflm/arena.js';
import { opAt } from '../tflm/lifetimes.js';
import type { Pass } from './pass.js';
import { REFERENCE_KERNELS, type Kernels } from '../ops/registry.js';
import { newOp } from './rewrite.js';
import { transposePad } from '../ops/transpose-conv/kernel.js';

export interface TransposeConvGatherResult {
  rewritten: number;
  /** Accumulator scratch bytes the rewritten operators no longer request. */
  scratchBytes: number;
}

/**
 * An int8 TRANSPOSE_CONV TinySegTransposeConv computes: constant filter and bias, an activation it takes; under
 * CMSIS-NN only where CMSIS-NN's kernel computes the reference's bytes too (cmsisNnTransposeConvExact), so that the
 * gather leaves what a CMSIS-NN build of the original computes.
 */
export function gatherable(sg: Subgraph, op: Op, kernels: Kernels = REFERENCE_KERNELS): boolean {
  if (op.opcode !== 'TRANSPOSE_CONV' || !gatherableOperands(sg, op) || builtinOptions(op, 'TransposeConvOptions').fusedActivationFunction > 3) return false;
  return kernels.set !== 'cmsis-nn' || cmsisNnTransposeConvExact(sg, op);
}

/**
 * Whether TFLM's CMSIS-NN TRANSPOSE_CONV (TFLM 90b983c, CMSIS-NN 4ab83cc) computes the reference kernel's bytes for
 * `op`, measured on the Cortex-M4: its Prepare ignores the fused activation (it passes kTfLiteActNone), and with
 * padding before the first row or column it computes other bytes (cmsisNnTransposeConvPadsBefore).
 */
export const cmsisNnTransposeConvExact = (sg: Subgraph, op: Op): boolean =>
  builtinOptions(op, 'TransposeConvOptions').fusedActivationFunction === 0 && !cmsisNnTransposeConvPadsBefore(sg, op);

/**
 * Whether `op` pads before its first output row or column (a 4x4 stride-2 SAME one; a 3x3 stride-2 SAME one pads after
 * the last only): there CMSIS-NN's TRANSPOSE_CONV computes other bytes than the reference's, and other bytes again
 * on a band's rows (its output shape and padding differ), so under CMSIS-NN it runs whole.
 */
export function cmsisNnTransposeConvPadsBefore(sg: Subgraph, op: Op): boolean {
  const o = builtinOptions(op, 'TransposeConvOptions');
  const [filter, y] = [sg.tensors[op.inputs[1] ?? -1], sg.tensors[op.outputs[0] ?? -1]];
  if (filter?.shape.length !== 4 || y?.shape.length !== 4) return true;
  return transposePad(o.padding, y.shape[1]!, filter.shape[1]!, o.strideH) > 0 || transposePad(o.padding, y.shape[2]!, filter.shape[2]!, o.strideW) > 0;
}

/** TinySegTransposeConv's options for TRANSPOSE_CONV `op`: its TransposeConvOptions. */
export function gatherOptions(op: Op): TransposeConvGatherOptions {
  const o = builtinOptions(op, 'TransposeConvOptions');
  return { padding: o.padding, strideH: o.strideH, strideW: o.strideW, activation: o.fusedActivationFunction };
}

/** TRANSPOSE_CONV's operands (output_shape, filter, input, bias) as TinySegTransposeConv takes them: int8, constant filter and bias. */
export function gatherableOperands(sg: Subgraph, op: Op): boolean {
  const [filter, x, bias] = [op.inputs[1], op.inputs[2], op.inputs[3]].map((t) => (t !== undefined && t >= 0 ? sg.tensors[t] : undefined));
  const y = sg.tensors[op.outputs[0] ?? -1];
  if (!filter?.data || !x || !y || x.shape.length !== 4 || filter.shape.length !== 4 || y.shape.length !== 4) return false;
  if (x.dtype !== 'int8' || filter.dtype !== 'int8' || y.dtype !== 'int8') return false;
  if (filter.shape[1]! * filter.shape[2]! > TRANSPOSE_CONV_GATHER_MAX_TAPS) return false;
  return !bias || (bias.dtype === 'int32' && !!bias.data);
}

/**
 * `maxInvoke`: the predicted Invoke() instructions (analysis/compute.ts, under `kernels`) the graph may reach;
 * `faster`: also every other gatherable one the compute model predicts faster as the gather.
 */
export function gatherPeakTransposeConvs(graph: Graph, kernels: Kernels = REFERENCE_KERNELS, maxInvoke = Infinity, faster = false): TransposeConvGatherResult {
  const sg = graph.main;
  let rewritten = 0;
  let scratchBytes = 0;
  for (;;) {
    const buffers = passTimeline(sg, kernels);
    const bound = lowerBound(buffers, sg.ops.length + 1);
    // Scratch lives at its operator's time.
    const atPeak = buffers.find(
      (b) => b.tensor === null && opAt(b.first) >= 0 && liveAtPeak(bound, b.first, b.first) && gatherable(sg, sg.ops[opAt(b.first)]!, kernels),
    );
    if (!atPeak) break;
    const i = opAt(atPeak.first);
    const op = sg.ops[i]!;
    const gather = gatherOf(op);
    const added = predictOps(sg, [gather], kernels) - predictOps(sg, [op], kernels);
    if (predictOps(sg, sg.ops, kernels) + added > maxInvoke) break;
    replace(i, gather);
  }
  for (let i = 0; faster && i < sg.ops.length; i++) {
    const op = sg.ops[i]!;
    if (!gatherable(sg, op, kernels)) continue;
    const gather = gatherOf(op);
    if (predictOps(sg, [gather], kernels) < predictOps(sg, [op], kernels)) replace(i, gather);
  }
  return { rewritten, scratchBytes };

  function replace(i: number, gather: ReturnType<typeof newOp>): void {
    const op = sg.ops[i]!;
    sg.removeOp(i);
    sg.insertOp(i, gather);
    rewritten++;
    scratchBytes += sg.tensors[op.outputs[0]!]!.byteSize * 4;
  }
}

/** TinySegTransposeConv computing TRANSPOSE_CONV `op`: its operands and options. */
const gatherOf = (op: Op): ReturnType<typeof newOp> =>
  newOp({
    opcode: 'CUSTOM',
    customCode: TRANSPOSE_CONV_GATHER,
    inputs: [...op.inputs],
    outputs: [...op.outputs],
    customOptions: encodeTransposeConvGatherOptions(gatherOptions(op)),
  });

const gatherPass = <N extends string>(name: N, last: boolean): Pass<N, TransposeConvGatherResult> => ({
  name,
  // TinySegTransposeConv is a custom operator: stock TFLite cannot load it.
  run: (graph, context) =>
    context.builtinsOnly || (context.streamLayers && !last)
      ? { rewritten: 0, scratchBytes: 0 }
      : gatherPeakTransposeConvs(graph, context.kernels, context.maxInvoke, last),
});

/**
 * Before the spill pass, where no layer is streamed: streamed layers run a TRANSPOSE_CONV in row bands, and its
 * input and output, which TinySegTransposeConv would keep whole, are the widest tensors of a U-Net's decoder (on
 * prisma-unet they held the streamed plan at 1 MiB).
 */
export const transposeConvGatherPass = gatherPass('transposeConvGather', false);

/**
 * The same once the other passes have run: streamed layers run a TRANSPOSE_CONV in row bands, each band with its
 * own accumulator, and the narrow tensors around a band leave that scratch at the peak where the whole operator's
 * was not (portrait-video: 11 bands, 72 KB of head). Then every other one the gather computes faster.
 */
export const transposeConvGatherAfterSpillsPass = gatherPass('transposeConvGatherAfterSpills', true);
