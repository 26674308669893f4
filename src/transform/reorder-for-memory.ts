// Memory-aware operator order for branched graphs (DeepLab's ASPP, residual
// branches): TFLM runs operators in model order, and the order decides which
// tensors are alive together. A list scheduler picks, among the operators
// whose inputs exist, the one that leaves the fewest live bytes (its outputs
// minus the inputs it is the last reader of), ties broken by the original
// order; the new order is kept only if it lowers the peak.
//
// Data dependencies are all that constrain the order of pure kernels, so the
// outputs are unchanged. Graphs with stateful operators (variables, custom
// ops such as TinySeg's spill region traffic) keep their order.

import { lowerBound } from '../analysis/lower-bound.js';
import type { Graph, Subgraph } from '../graph/graph.js';
import { alignArena } from '../tflm/alignment.js';
import { passTimeline } from '../tflm/arena.js';
import type { Pass } from './pass.js';
import { REFERENCE_KERNELS, type Kernels } from '../ops/registry.js';

export interface ReorderResult {
  /** Operators that run at another position than before. */
  moved: number;
  peakBefore: number;
  peakAfter: number;
}

function listSchedule(sg: Subgraph): number[] {
  const n = sg.ops.length;
  const producer = (t: number) => sg.producerOf(t);
  const readersLeft = new Int32Array(sg.tensors.length);
  for (const t of sg.tensors) readersLeft[t.index] = sg.consumersOf(t.index).length;
  const waiting = sg.ops.map((op) => new Set(op.inputs.filter((t) => t >= 0 && producer(t) >= 0).map(producer)).size);
  const dependents = sg.ops.map(() => [] as number[]);
  sg.ops.forEach((op, k) => {
    for (const p of new Set(op.inputs.filter((t) => t >= 0 && producer(t) >= 0).map(producer))) dependents[p]!.push(k);
  });
  const outputs = new Set(sg.outputs);
  const ready = new Set<number>();
  waiting.forEach((w, k) => w === 0 && ready.add(k));
  const order: number[] = [];
  while (order.length < n) {
    let best = -1;
    let bestDelta = Infinity;
    for (const k of ready) {
      const op = sg.ops[k]!;
      let delta = 0;
      for (const t of op.outputs) if (sg.tensors[t]!.kind === 'activation') delta += alignArena(sg.tensors[t]!.byteSize);
      for (const t of new Set(op.inputs)) {
        if (t < 0 || sg.tensors[t]!.kind !== 'activation' || outputs.has(t)) continue;
        if (readersLeft[t] === 1) delta -= alignArena(sg.tensors[t]!.byteSize);
      }
      if (delta < bestDelta || (delta === bestDelta && k < best)) {
        best = k;
        bestDelta = delta;
      }
    }
    ready.delete(best);
    order.push(best);
    for (const t of new Set(sg.ops[best]!.inputs)) if (t >= 0) readersLeft[t]!--;
    for (const d of dependents[best]!) if (--waiting[d]! === 0) ready.add(d);
  }
  return order;
}

export function reorderForMemory(graph: Graph, kernels: Kernels = REFERENCE_KERNELS): ReorderResult {
  const sg = graph.main;
  const peak = () => lowerBound(passTimeline(sg, kernels), sg.ops.length + 1).bytes;
  const peakBefore = peak();
  const stateful = sg.ops.some((op) => op.opcode === 'CUSTOM' || op.opcode === 'ASSIGN_VARIABLE' || op.opcode === 'READ_VARIABLE' || op.opcode === 'VAR_HANDLE');
  if (stateful || sg.tensors.some((t) => t.kind === 'variable')) return { moved: 0, peakBefore, peakAfter: peakBefore };
  const order = listSchedule(sg);
  const moved = order.filter((k, i) => k !== i).length;
  if (moved === 0) return { moved: 0, peakBefore, peakAfter: peakBefore };
  const original = [...sg.ops];
  const apply = (ops: typeof original) => {
    for (let i = sg.ops.length - 1; i >= 0; i--) sg.removeOp(i);
    ops.forEach((op, i) => sg.insertOp(i, op));
  };
  apply(order.map((k) => original[k]!));
  const peakAfter = peak();
  if (peakAfter >= peakBefore) {
    apply(original);
    return { moved: 0, peakBefore, peakAfter: peakBefore };
  }
  return { moved, peakBefore, peakAfter };
}

export const reorderPass: Pass<'reorder', ReorderResult> = { name: 'reorder', run: (graph, context) => reorderForMemory(graph, context.kernels) };
