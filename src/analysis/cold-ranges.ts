// Cold range analysis (TinySeg): a tensor is "cold" between two consecutive
// uses; during the longest such gap it occupies memory that nothing touches,
// which is what spilling gives back.

import type { Subgraph } from '../graph/graph.js';

export interface ColdRange {
  tensor: number;
  bytes: number;
  /** Operator indices of every use: the producer (-1 for a graph input) then each consumer. */
  uses: number[];
  /** The longest gap: operators strictly between `after` and `before` do not touch the tensor. */
  after: number;
  before: number;
  /** Number of operators inside the gap (before - after - 1). */
  length: number;
}

/** Longest cold range of every activation tensor with at least two uses, longest first. */
export function coldRanges(sg: Subgraph): ColdRange[] {
  const out: ColdRange[] = [];
  const isInput = new Set(sg.inputs);
  for (const t of sg.tensors) {
    if (t.kind !== 'activation' || t.byteSize === 0) continue;
    const producer = sg.producerOf(t.index);
    if (producer < 0 && !isInput.has(t.index)) continue;
    const uses = [producer, ...sg.consumersOf(t.index)];
    let best: ColdRange | null = null;
    for (let k = 1; k < uses.length; k++) {
      const length = uses[k]! - uses[k - 1]! - 1;
      if (!best || length > best.length) {
        best = { tensor: t.index, bytes: t.byteSize, uses, after: uses[k - 1]!, before: uses[k]!, length };
      }
    }
    if (best) out.push(best);
  }
  return out.sort((a, b) => b.length - a.length || b.bytes - a.bytes || a.tensor - b.tensor);
}
