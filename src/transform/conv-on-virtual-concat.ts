// A channel concatenation (CONCATENATION, or TinySeg's fused fetch into one)
// whose only reader is a CONV_2D becomes TinySegConcatConv: the conv reads
// its input channels from the parts (resident tensors or spill-region slices)
// and the concatenated tensor never exists. Only concatenations alive at the
// memory peak are rewritten: elsewhere the builtin pair costs nothing extra.

import { predictOps } from '../analysis/compute.js';
import { liveAtPeak, lowerBound } from '../analysis/lower-bound.js';
import type { Graph, Op, Subgraph } from '../graph/graph.js';
import { builtinOptions } from '../graph/op-options.js';
import { builtinConvWindow, CONCAT_CONV, CONCAT_FETCH, decodeConcatFetchOptions, encodeConcatConvOptions, type ConcatFetchOptions } from '../ops/tinyseg/custom-ops.js';
import { passTimeline } from '../tflm/arena.js';
import type { Pass } from './pass.js';
import { REFERENCE_KERNELS, type Kernels } from '../ops/registry.js';
import { concatConvComputes } from './stream-layers.js';
import { newOp, removeUnusedTensors } from './rewrite.js';

export interface ConvOnVirtualConcatResult {
  rewritten: number;
  /** Bytes of the concatenations that no longer exist. */
  bytes: number;
}

/** The parts of a last-axis concatenation op (input k = op input k), or null. */
function partsOf(sg: Subgraph, op: Op): ConcatFetchOptions['parts'] | null {
  if (op.opcode === 'CUSTOM' && op.customCode === CONCAT_FETCH) return decodeConcatFetchOptions(op.customOptions).parts;
  if (op.opcode !== 'CONCATENATION') return null;
  const { axis, fusedActivationFunction } = builtinOptions(op, 'ConcatenationOptions');
  if (fusedActivationFunction !== 0) return null;
  const y = sg.tensors[op.outputs[0]!]!;
  if (axis !== -1 && axis !== y.shape.length - 1) return null;
  // int8 concatenation copies bytes only when every input has the output's quantization.
  const q = JSON.stringify(y.quantization?.scale ?? []) + JSON.stringify(y.quantization?.zeroPoint ?? []);
  const same = op.inputs.every((t) => {
    const x = sg.tensors[t];
    return x && x.kind === 'activation' && JSON.stringify(x.quantization?.scale ?? []) + JSON.stringify(x.quantization?.zeroPoint ?? []) === q;
  });
  return same ? op.inputs.map((_, k) => ({ input: k })) : null;
}

/** The conv that alone reads concatenation `op`'s output, if it can read the parts instead. */
function soleConv(sg: Subgraph, op: Op): number {
  const y = op.outputs[0]!;
  const readers = sg.consumersOf(y);
  if (op.outputs.length !== 1 || readers.length !== 1 || sg.outputs.includes(y)) return -1;
  const k = readers[0]!;
  const conv = sg.ops[k]!;
  const filter = sg.tensors[conv.inputs[1]!];
  const t = sg.tensors[y]!;
  const ok =
    conv.opcode === 'CONV_2D' &&
    conv.inputs[0] === y &&
    conv.inputs.filter((i) => i === y).length === 1 &&
    t.shape.length === 4 &&
    concatConvComputes(sg, conv) &&
    filter?.shape[3] === t.shape[3];
  return ok ? k : -1;
}

/** `maxInvoke`: the predicted Invoke() instructions (analysis/compute.ts, under `kernels`) the graph may reach. */
export function convOnVirtualConcat(graph: Graph, kernels: Kernels = REFERENCE_KERNELS, maxInvoke = Infinity): ConvOnVirtualConcatResult {
  const sg = graph.main;
  let rewritten = 0;
  let bytes = 0;
  for (;;) {
    const buffers = passTimeline(sg, kernels);
    const bound = lowerBound(buffers, sg.ops.length + 1);
    let done = false;
    for (const b of buffers) {
      if (b.tensor === null || !liveAtPeak(bound, b.first, b.last)) continue;
      const i = sg.producerOf(b.tensor);
      if (i < 0) continue;
      const concat = sg.ops[i]!;
      const parts = partsOf(sg, concat);
      const k = parts ? soleConv(sg, concat) : -1;
      if (!parts || k < 0) continue;
      const conv = sg.ops[k]!;
      const x = sg.tensors[b.tensor]!;
      const inputs = [conv.inputs[1]!, conv.inputs[2] ?? -1];
      // Resident parts become op inputs 2, 3, ...
      const mapped = parts.map((p) => ('input' in p ? { input: inputs.push(concat.inputs[p.input]!) - 1 } : p));
      const o = builtinOptions(conv, 'Conv2DOptions');
      const op = newOp({
        opcode: 'CUSTOM',
        customCode: CONCAT_CONV,
        inputs,
        outputs: [...conv.outputs],
        customOptions: encodeConcatConvOptions({
          parts: mapped,
          ...builtinConvWindow(o),
          inputScale: x.quantization?.scale[0] ?? 0,
          inputZeroPoint: x.quantization?.zeroPoint[0] ?? 0,
        }),
      });
      if (inputs.length === 2) continue; // every part in the region: nothing to take rows from
      // Region parts are read at the conv now: no spill in between may reuse their slots.
      if (parts.some((p) => !('input' in p)) && sg.ops.slice(i + 1, k).some((q) => q.opcode === 'CUSTOM')) continue;
      // TinySeg's kernel keeps the reference arithmetic: against an optimized kernel set it costs time.
      const added = predictOps(sg, [op], kernels) - predictOps(sg, [conv, concat], kernels);
      if (predictOps(sg, sg.ops, kernels) + added > maxInvoke) continue;
      // The conv's place: the parts are ready there (the concat ran before it).
      sg.removeOp(k);
      sg.insertOp(k, op);
      sg.removeOp(i);
      rewritten++;
      bytes += x.byteSize;
      done = true;
      break;
    }
    if (!done) break;
  }
  // The concatenation's output (a tensor of its own once row bands made it) is read by nothing now.
  if (rewritten > 0) removeUnusedTensors(sg);
  return { rewritten, bytes };
}

export const convOnVirtualConcatPass: Pass<'convOnVirtualConcat', ConvOnVirtualConcatResult> = {
  name: 'convOnVirtualConcat',
  // TinySegConcatConv is a custom operator: stock TFLite cannot load it.
  run: (graph, context) => (context.builtinsOnly ? { rewritten: 0, bytes: 0 } : convOnVirtualConcat(graph, context.kernels, context.maxInvoke)),
};
