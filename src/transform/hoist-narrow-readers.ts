// Narrowing readers run early: an operator that reads tensors made long before
// it, and is the last to read them, keeps them alive all that while; run right
// after its inputs exist, it leaves its smaller output alive instead. DeepLab's
// decoder projects the encoder's 128x128x144 low-level features to 48 channels
// only where the decoder starts, so the features (2.3 MB int8 at 512x512) sit
// under every encoder stage; projected at once, 0.8 MB does, and the spill
// pass can send it away.
//
// The order runs pure kernels only (as reorder-for-memory.ts): the outputs are
// unchanged. A move is kept where the bound of the timeline does not rise and
// the live bytes it spans fall.

import { isCopy } from '../analysis/compute.js';
import { lowerBound } from '../analysis/lower-bound.js';
import type { Graph, Subgraph } from '../graph/graph.js';
import { REFERENCE_KERNELS, type Kernels } from '../ops/registry.js';
import { TRANSPOSE_CONV_GATHER } from '../ops/tinyseg/custom-ops.js';
import { alignArena } from '../tflm/alignment.js';
import { passTimeline } from '../tflm/arena.js';
import type { Pass } from './pass.js';
import { ORDERED_OPCODES } from './rewrite.js';

export interface HoistNarrowReadersResult {
  /** Operators moved to just after their inputs' producers. */
  moved: number;
  /** Bytes those moves no longer keep alive, summed over the moves (each move's inputs less its outputs). */
  bytes: number;
}

/** Operators whose place in the order is free: builtins (no variables) and TinySeg's gathered transpose conv. */
const movable = (sg: Subgraph, k: number): boolean => {
  const op = sg.ops[k]!;
  if (op.opcode === 'CUSTOM') return op.customCode === TRANSPOSE_CONV_GATHER;
  return !ORDERED_OPCODES.has(op.opcode);
};

/** Each operator, from the first, moves to just after the last producer of its inputs where that leaves fewer bytes alive. */
export function hoistNarrowReaders(graph: Graph, kernels: Kernels = REFERENCE_KERNELS): HoistNarrowReadersResult {
  const sg = graph.main;
  const result: HoistNarrowReadersResult = { moved: 0, bytes: 0 };
  // Where the spill region is in use, the order is the spills' too.
  if (sg.tensors.some((t) => t.kind === 'variable') || !sg.ops.every((_, k) => movable(sg, k))) return result;
  const bytes = (t: number) => (t >= 0 && sg.tensors[t]!.kind === 'activation' ? alignArena(sg.tensors[t]!.byteSize) : 0);
  const bound = () => lowerBound(passTimeline(sg, kernels), sg.ops.length + 1).bytes;
  let before = bound();
  for (let k = 0; k < sg.ops.length; k++) {
    const op = sg.ops[k]!;
    const inputs = [...new Set(op.inputs.filter((t) => bytes(t) > 0))];
    // Copies and slices stay: row bands order theirs band by band.
    if (inputs.length === 0 || isCopy(op) || op.outputs.some((t) => sg.outputs.includes(t))) continue;
    const at = Math.max(...inputs.map((t) => sg.producerOf(t))) + 1;
    if (at >= k) continue;
    // Inputs it reads last, which then die at their other readers, none of which comes after it.
    const freed = inputs.filter((t) => !sg.outputs.includes(t) && sg.consumersOf(t).every((r) => r <= k)).reduce((n, t) => n + bytes(t), 0);
    const made = op.outputs.reduce((n, t) => n + bytes(t), 0);
    if (made >= freed) continue;
    sg.removeOp(k);
    sg.insertOp(at, op);
    const after = bound();
    if (after > before) {
      sg.removeOp(at);
      sg.insertOp(k, op);
      continue;
    }
    before = after;
    result.moved++;
    result.bytes += freed - made;
  }
  return result;
}

export const hoistNarrowReadersPass: Pass<'hoistNarrowReaders', HoistNarrowReadersResult> = {
  name: 'hoistNarrowReaders',
  run: (graph, context) => hoistNarrowReaders(graph, context.kernels),
};
