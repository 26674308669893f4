// Every activation of one inference, for tools that need real tensor values
// (the spill runtime's tests and compression figures), and the rows operators
// write to the spill region themselves: the graph runs with
// each planned buffer at its own arena offset, so nothing is overwritten and
// after the run every activation still holds the bytes it had.

import type { Graph } from '../graph/graph.js';
import { offlineOffsets } from '../tflm/offline-plan.js';
import { tflmPlanBuffers } from '../tflm/arena.js';
import { alignArena } from '../tflm/alignment.js';
import { Interpreter } from './interpreter.js';
import { deterministicInput } from './oracle-input.js';
import { regionWrite, SPILL } from '../ops/tinyseg/custom-ops.js';

/** Copies of every planned tensor's bytes after one run on `inputs` (default: the oracle input), by tensor index. */
export function captureActivations(graph: Graph, inputs?: readonly Uint8Array[]): Map<number, Uint8Array> {
  return capture(graph, inputs).activations;
}

/**
 * The bytes each operator that writes rows to the spill region itself (a TinySegConcatConv with rows to the region:
 * no tensor holds them) wrote there in one run on `inputs`, by operator index.
 */
export function captureRegionWrites(graph: Graph, inputs?: readonly Uint8Array[]): Map<number, Uint8Array> {
  return capture(graph, inputs).regionWrites;
}

function capture(graph: Graph, inputs?: readonly Uint8Array[]): { activations: Map<number, Uint8Array>; regionWrites: Map<number, Uint8Array> } {
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
  const regionWrites = new Map<number, Uint8Array>();
  it.invoke({
    after: (i, call) => {
      const op = sg.ops[i]!;
      const w = op.customCode && op.customCode !== SPILL ? regionWrite(op.customCode, op.customOptions) : null;
      if (w) regionWrites.set(i, call.storage.slice(w.offset, w.offset + w.bytes));
    },
  });
  const activations = new Map<number, Uint8Array>();
  buffers.forEach((b, i) => {
    if (b.kind === 'tensor') activations.set(b.tensor, it.arena.slice(offsets[i]!, offsets[i]! + sg.tensors[b.tensor]!.byteSize));
  });
  return { activations, regionWrites };
}
