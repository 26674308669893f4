// Where each spill decision's operators sit in the written model. The spill
// pass records positions when it lays out the region; the passes after it
// (row bands again, the conv on a virtual concatenation, convs in place) insert
// and merge operators, so the report takes them from the final graph: the
// spill that writes the decision's slot, and the last operator that reads the
// slot back before another spill writes over its bytes.

import type { Graph } from '../graph/graph.js';
import { decodeSpillOptions, regionReads, SPILL } from '../ops/tinyseg/custom-ops.js';
import type { SpillDecision } from '../transform/spill-cold-ranges.js';

export function spillPositions(graph: Graph, decisions: readonly SpillDecision[]): SpillDecision[] {
  const sg = graph.main;
  const used = new Set<number>();
  return decisions.map((d) => {
    const end = d.offset + d.bytes;
    const spillOp = sg.ops.findIndex((op, k) => {
      if (used.has(k) || op.opcode !== 'CUSTOM' || op.customCode !== SPILL) return false;
      const o = decodeSpillOptions(op.customOptions);
      return o.offset === d.offset && o.bytes === d.bytes && o.begin === d.begin && o.count === d.count && sg.tensors[op.inputs[0]!]?.name === d.tensor;
    });
    if (spillOp < 0) return d;
    used.add(spillOp);
    let fetchOp = -1;
    for (let k = spillOp + 1; k < sg.ops.length; k++) {
      const op = sg.ops[k]!;
      if (op.opcode !== 'CUSTOM' || !op.customCode) continue;
      if (op.customCode === SPILL) {
        const o = decodeSpillOptions(op.customOptions);
        if (o.offset < end && d.offset < o.offset + o.bytes) break;
        continue;
      }
      if (regionReads(op.customCode, op.customOptions)?.some((at) => at >= d.offset && at < end)) fetchOp = k;
    }
    return fetchOp < 0 ? { ...d, spillOp } : { ...d, spillOp, fetchOp };
  });
}
