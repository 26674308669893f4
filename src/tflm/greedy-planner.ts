// TFLM's GreedyMemoryPlanner (memory_planner/greedy_memory_planner.cc),
// reproduced decision for decision so that offsets and head size are TFLM's.
//
// Invariants the port keeps:
// - offline buffers come first, in the order they were added, at their offsets;
// - online buffers follow, largest first; among equal sizes the LAST added goes
//   first (TFLM fills its sort array from the back, then bubble-sorts stably);
// - a buffer goes at the lowest offset where it fits between buffers that are
//   placed and live at an overlapping time (inclusive on both ends), scanning
//   those in offset order; equal offsets keep placement order.

export interface PlanBuffer {
  /** Planned size in bytes (TFLM rounds to 16 before planning). */
  size: number;
  first: number;
  last: number;
  /** Fixed offset from an offline plan, or undefined to be placed online. */
  offlineOffset?: number;
  /**
   * From the step after `after` on, the buffer holds only its first `size` bytes (a narrowing in-place pair: the
   * wide input dies where its narrower output is born over it). TFLM's planner knows no such thing and ignores it;
   * our plan search (memory/plan-search.ts) lets later buffers use the rest.
   */
  shrink?: { after: number; size: number };
  /**
   * Before step `from`, the buffer's first `skip` bytes hold nothing (a widening in-place pair: the output is born
   * over its narrower input, which sits at its end). Ignored by TFLM's planner, as `shrink`.
   */
  grow?: { from: number; skip: number };
}

export interface Placement {
  offsets: Int32Array;
  /** max(offset + size): the arena head. */
  head: number;
}

export function planGreedyTflm(buffers: readonly PlanBuffer[]): Placement {
  const n = buffers.length;
  const offsets = new Int32Array(n).fill(-1);
  if (n === 0) return { offsets, head: 0 };

  const offline: number[] = [];
  const online: number[] = [];
  buffers.forEach((b, i) => (b.offlineOffset === undefined ? online : offline).push(i));
  online.reverse();
  // Array.prototype.sort is stable, like TFLM's bubble sort.
  online.sort((a, b) => buffers[b]!.size - buffers[a]!.size);
  const order = [...offline, ...online];

  // Placed buffers as a list sorted by offset (ties: earlier placement first).
  const placed: number[] = [];
  const overlaps = (i: number, first: number, last: number): boolean =>
    !(buffers[i]!.first > last || first > buffers[i]!.last);

  for (const id of order) {
    const want = buffers[id]!;
    let offset: number;
    if (want.offlineOffset !== undefined) {
      offset = want.offlineOffset;
    } else {
      offset = 0;
      for (const other of placed) {
        if (!overlaps(other, want.first, want.last)) continue;
        if (offsets[other]! - offset >= want.size) break;
        offset = Math.max(offset, offsets[other]! + buffers[other]!.size);
      }
    }
    offsets[id] = offset;
    let at = placed.length;
    while (at > 0 && offsets[placed[at - 1]!]! > offset) at--;
    placed.splice(at, 0, id);
  }

  let head = 0;
  buffers.forEach((b, i) => (head = Math.max(head, offsets[i]! + b.size)));
  return { offsets, head };
}
