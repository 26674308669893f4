// Every activation of one inference, for tools that need real tensor values
// (the spill runtime's tests and compression figures): the graph runs with
// each planned buffer at its own arena offset, so nothing is overwritten and
// after the run every activation still holds the bytes it had.

import type { Graph } from '../graph/graph.js';
import { offlineOffsets } from '../tflm/offline-plan.js';
import { tflmPlanBuffers } from '../tflm/arena.js';
import { alignArena } from '../tflm/alignment.js';
import { Interpreter } from './interpreter.js';
import { deterministicInput } from './oracle-input.js';

/** Copies of every planned tensor's bytes after one run on `inputs` (default: the oracle input), by tensor index. */
export function captureActivations(graph: Graph, inputs?: readonly Uint8Array[]): Map<number, Uint8Array> {
  const sg = graph.main;
  const buffers = tflmPlanBuffers(sg, offlineOffsets(graph));
  const offsets = new Int32Array(buffers.length);
  let at = 0;
  buffers.forEach((b, i) => {
    offsets[i] = at;
    at += alignArena(b.size);
  });
  const it = new Interpreter(graph, { offsets });
  sg.inputs.forEach((t, i) => it.setInput(i, inputs?.[i] ?? deterministicInput(sg.tensors[t]!)));
  it.invoke();
  const out = new Map<number, Uint8Array>();
  buffers.forEach((b, i) => {
    if (b.kind === 'tensor') out.set(b.tensor, it.arena.slice(offsets[i]!, offsets[i]! + sg.tensors[b.tensor]!.byteSize));
  });
  return out;
}
