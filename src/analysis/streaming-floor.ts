// The streaming floor: the bytes that must exist whole at some moment, however
// row bands (transform/split-row-bands.ts) cut the graph. The lower bound
// (lower-bound.ts) is the bound of one graph as written: once bands rewrite a
// chain its figure moves with them, so `head / lower bound` says nothing about
// what streaming could still reach. The floor does not move with bands:
//   - the graph's inputs and outputs exist whole, with TFLM's lifetimes (an
//     input from before the first operator to its last reader, an output from
//     its writer to the end): TFLM allocates them whole whatever computes them;
//   - every operand of an operator that is not row-local (no row rule in the
//     registry, and not a custom operator the build declares row-local)
//     exists whole while that operator runs: no band can cut it; and the
//     input of a row-local one whose output row reads every input row (a
//     global pool: its window spans the height). An operator
//     on a RESHAPE's output that would be row-local on its input is
//     (registry.ts reshapeBefore: the RESHAPE moves after it, in place), and
//     so is a SPLIT along the columns or channels (row-rule.ts splitParts:
//     written as slices that keep every row, transform/splits-to-slices.ts).
// The floor is the largest sum of those at one moment, an in-place pair's two
// tensors (in-place.ts: one buffer in our plan; a SQUEEZE's or EXPAND_DIMS's
// too, which the optimizer writes as a RESHAPE) counted once. Kernel scratch is
// not counted (a band's scratch shrinks with it), so the floor stays a floor.

import type { Subgraph } from '../graph/graph.js';
import type { CustomOps } from '../ops/custom-op-declaration.js';
import { reshapeBefore, rowInput, rowRule } from '../ops/registry.js';
import { rowsReadPerRow, splitParts } from '../ops/row-rule.js';
import { inPlacePairs } from './in-place.js';

/** A planned buffer of the graph: its tensor (null for kernel scratch), aligned bytes and TFLM lifetime (inclusive). */
export interface FloorBuffer {
  tensor: number | null;
  size: number;
  first: number;
  last: number;
}

export interface StreamingFloor {
  bytes: number;
  /** Earliest TFLM time at which `bytes` must be whole. */
  time: number;
  /** The tensors whole at that time, ascending. */
  tensors: number[];
}

/**
 * The streaming floor of subgraph `sg` whose planned buffers (with TFLM's
 * lifetimes) are `buffers`. An operator counts as row-local when the registry
 * gives it a row rule in this graph, or it is a custom operator `customOps`
 * declares row-local.
 */
export function streamingFloor(sg: Subgraph, buffers: readonly FloorBuffer[], customOps?: CustomOps): StreamingFloor {
  const planned = new Map<number, FloorBuffer>();
  for (const b of buffers) if (b.tensor !== null && b.first >= 0 && b.size > 0) planned.set(b.tensor, b);
  const io = [...new Set([...sg.inputs, ...sg.outputs])].flatMap((t) => (planned.has(t) ? [planned.get(t)!] : []));
  const end = Math.max(sg.ops.length, ...[...planned.values()].map((b) => b.last));
  // An in-place pair shares one buffer: while both are whole they count as the larger. A SQUEEZE's too: written as
  // a RESHAPE, it shares its input's.
  const pairs = inPlacePairs(sg, true);
  let best: StreamingFloor = { bytes: 0, time: 0, tensors: [] };
  for (let time = 0; time <= end; time++) {
    const whole = new Set<number>();
    for (const b of io) if (b.first <= time && time <= b.last) whole.add(b.tensor!);
    // Operator k runs at TFLM time k + 1 (tflm/lifetimes.ts).
    const op = sg.ops[time - 1];
    const rule = op ? rowRule(sg, op) : null;
    const rowLocal = op && (rule || reshapeBefore(sg, op) >= 0 || splitParts(sg, op) || (op.opcode === 'CUSTOM' && customOps?.get(op.customCode ?? '')?.rowLocal === true));
    if (op && !rowLocal) {
      for (const t of [...op.inputs, ...op.outputs]) if (t >= 0 && planned.has(t)) whole.add(t);
    }
    // A row-local operator one of whose output rows reads every input row (a global pool) reads its input whole.
    if (op && rule) {
      const x = sg.tensors[op.inputs[rowInput(op)] ?? -1];
      const outRows = sg.tensors[op.outputs[0]!]!.shape[1]!;
      if (x && planned.has(x.index) && rowsReadPerRow(rule, x.shape[1]!, outRows) >= x.shape[1]!) whole.add(x.index);
    }
    const both = pairs.filter((p) => whole.has(p.input) && whole.has(p.output));
    const shared = both.reduce((n, p) => n + Math.min(planned.get(p.input)!.size, planned.get(p.output)!.size), 0);
    const bytes = [...whole].reduce((n, t) => n + planned.get(t)!.size, 0) - shared;
    if (bytes > best.bytes) best = { bytes, time, tensors: [...whole].sort((a, b) => a - b) };
  }
  return best;
}
