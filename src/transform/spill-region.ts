// The spill region's layout: each slot holds one spilled slice from its spill
// operator to the operator that fetches it back, and slots whose spans do not
// overlap may share bytes. First fit by decreasing size (ties: decision order).
//
// Invariant: two slots busy at a common operator never share a byte, and every
// slot starts at a multiple of ARENA_ALIGNMENT and takes whole units of it (the
// region is sized like arena buffers; report/memory-report.ts reads the region
// size back from the graph the same way).

import { alignArena } from '../tflm/alignment.js';

export interface RegionSlot {
  /** Bytes the slot holds (a quantized slot's header and codes). */
  bytes: number;
  /** Op positions of the spill and of the fetch: the slot is busy over [from, to]. */
  from: number;
  to: number;
}

/**
 * Offsets of `slots` in the region (same order) and the region's size. `fixed`: slots already at their offsets
 * (an earlier spill pass's), which the new ones go around.
 */
export function layOutSpillRegion(
  slots: readonly RegionSlot[],
  fixed: readonly (RegionSlot & { offset: number })[] = [],
): { offsets: number[]; regionBytes: number } {
  const sized = slots.map((s) => ({ from: s.from, to: s.to, size: alignArena(s.bytes), offset: 0 }));
  const held = fixed.map((s) => ({ from: s.from, to: s.to, size: alignArena(s.bytes), offset: s.offset }));
  const order = sized.map((_, i) => i).sort((a, b) => sized[b]!.size - sized[a]!.size || a - b);
  const placed: number[] = [];
  let regionBytes = Math.max(0, ...held.map((h) => h.offset + h.size));
  for (const i of order) {
    const s = sized[i]!;
    const clash = [...held, ...placed.map((j) => sized[j]!)]
      .filter((o) => !(o.to < s.from || s.to < o.from))
      .sort((p, q) => p.offset - q.offset);
    let at = 0;
    for (const o of clash) {
      if (o.offset - at >= s.size) break;
      at = Math.max(at, o.offset + o.size);
    }
    s.offset = at;
    placed.push(i);
    regionBytes = Math.max(regionBytes, at + s.size);
  }
  return { offsets: sized.map((s) => s.offset), regionBytes };
}
