// Rewrites a SPLIT or SPLIT_V along the columns or channels of a batch-1 map
// (a ShuffleNet unit's channel split, a head that splits its logits) as one
// STRIDED_SLICE per output. Row bands split single-output operators only, so a
// SPLIT at full resolution holds its input and every output whole; each slice
// keeps every row and is row-local (ops/row-rule.ts splitParts), so bands run
// through it, and one reading a chain's tensor beside the chain is an exit of
// it (band-chains.ts). TFLM's SPLIT copies, per output, the bytes its output's
// shape says: the slices copy the same bytes. An output nothing reads gets no
// slice. Each slice's output is born at its own operator instead of all at the
// SPLIT, so no moment holds more than the SPLIT's did.

import type { Graph } from '../graph/graph.js';
import { splitParts } from '../ops/row-rule.js';
import { removeUnusedTensors, sliceOp } from './rewrite.js';

export interface SplitsToSlicesResult {
  /** SPLIT and SPLIT_V operators now STRIDED_SLICEs. */
  rewritten: number;
}

export function splitsToSlices(graph: Graph): SplitsToSlicesResult {
  const sg = graph.main;
  let rewritten = 0;
  for (let k = 0; k < sg.ops.length; k++) {
    const split = splitParts(sg, sg.ops[k]!);
    if (!split) continue;
    const x = sg.tensors[split.input]!;
    const read = split.parts.filter((p) => sg.consumersOf(p.tensor).length > 0 || sg.outputs.includes(p.tensor));
    const slices = read.map((p) => {
      const y = sg.tensors[p.tensor]!;
      // Every row and the other axes whole; the part's run of the split axis.
      const begin = x.shape.map((_, i) => (i === split.axis ? p.begin : 0));
      const end = x.shape.map((n, i) => (i === split.axis ? p.end : n));
      return sliceOp(sg, x, begin, end, y, y.name);
    });
    sg.replaceOps(k, 1, slices);
    k += slices.length - 1;
    rewritten++;
  }
  if (rewritten > 0) removeUnusedTensors(sg);
  return { rewritten };
}
