// A planner that searches placement orders for a lower head than TFLM's greedy.
//
// Invariants the search keeps:
// - a plan is fully determined by an order of the buffers: each buffer goes at
//   the lowest 16-aligned offset where it shares no byte with an already placed
//   buffer whose lifetime overlaps its own (inclusive on both ends), which is
//   the rule of TFLM's GreedyMemoryPlanner; a shrinking buffer (PlanBuffer.shrink)
//   holds only its first bytes against buffers that start after its shrink, a
//   growing one (PlanBuffer.grow) only its bytes past `skip` against buffers
//   that end before it grows;
// - searching orders loses nothing: placing the buffers of any valid plan in
//   that plan's offset order puts each at or below its offset there (every
//   earlier conflicting buffer ends at or before it), so some order reaches
//   the optimum;
// - the result is never worse than TFLM's greedy plan of the same buffers
//   (offline offsets dropped), which is one of the candidates;
// - the search stops at the lower bound, the most bytes live at one time,
//   because no plan can go below it;
// - everything random comes from one seeded generator, so equal input and seed
//   give equal offsets.

import { lowerBound } from '../analysis/lower-bound.js';
import { TinysegError } from '../errors.js';
import { planGreedyTflm, type Placement, type PlanBuffer } from '../tflm/greedy-planner.js';

const ALIGNMENT = 16;
// Offsets and sizes are non-negative int32: bit arithmetic rounds exactly like the division.
const alignUp = (n: number): number => (n + ALIGNMENT - 1) & ~(ALIGNMENT - 1);

/**
 * Hill-climbing steps by default. A step costs about (buffers + conflict
 * pairs) units of work, so the budget shrinks for dense conflict graphs to
 * keep ~200-buffer inputs under ~300 ms even when the bound is never reached.
 */
export const DEFAULT_PLAN_ITERATIONS = 3000;
const DEFAULT_PLAN_WORK = 20_000_000;
/** Up to this many buffers the order is searched exhaustively. */
const EXACT_MAX_BUFFERS = 10;

const conflicts = (a: PlanBuffer, b: PlanBuffer): boolean => !(a.first > b.last || b.first > a.last);

/**
 * The bytes [lo, hi) of `a` that a conflicting `b` must keep clear of: all of them, a shrunk buffer's first part
 * once b starts after the shrink, a growing buffer's part past `skip` when b ends before it grows.
 */
function extentSeenBy(a: PlanBuffer, b: PlanBuffer): [number, number] {
  const hi = a.shrink && b.first > a.shrink.after ? a.shrink.size : a.size;
  const lo = a.grow && b.last < a.grow.from ? a.grow.skip : 0;
  return [lo, hi];
}

/** Whether `a` at `oa` and `b` at `ob` share bytes they must keep clear of. */
function overlapping(a: PlanBuffer, oa: number, b: PlanBuffer, ob: number): boolean {
  const [alo, ahi] = extentSeenBy(a, b);
  const [blo, bhi] = extentSeenBy(b, a);
  return oa + alo < ob + bhi && ob + blo < oa + ahi;
}

/** The bytes a buffer holds over its lifetime, as intervals: less before it grows and after it shrinks. */
function heldOverTime(b: PlanBuffer): { size: number; first: number; last: number }[] {
  const from = b.grow ? Math.max(b.first, b.grow.from) : b.first;
  const after = b.shrink ? Math.min(b.last, b.shrink.after) : b.last;
  const parts = [{ size: b.size, first: from, last: after }];
  if (from > b.first) parts.push({ size: b.size - b.grow!.skip, first: b.first, last: from - 1 });
  if (after < b.last) parts.push({ size: b.shrink!.size, first: after + 1, last: b.last });
  return parts.filter((p) => p.first <= p.last);
}

/** mulberry32: small, fast and fully determined by its seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * First-fit placement state. `rank[b]` is b's position in the current order;
 * a buffer counts as placed for position k exactly when its rank is below k,
 * so unplaced buffers carry rank n.
 *
 * Each conflicting pair forbids b the offsets strictly between two bounds set by
 * the neighbour's offset: b at x shares bytes with o at y exactly when
 * y + below < x < y + above, where `below` and `above` depend on the pair alone
 * (the bytes each keeps clear of the other: extentSeenBy).
 */
class Placer {
  readonly n: number;
  readonly sizes: Int32Array;
  /** Conflicting buffers of each buffer (never itself). */
  readonly neighbors: Int32Array[];
  readonly rank: Int32Array;
  /** Per neighbour entry: the forbidden interval's ends relative to the neighbour's offset. */
  private readonly below: Int32Array[];
  private readonly above: Int32Array[];
  /** Scratch of place(): `moved[b] === stamp` when a neighbour of b took a new offset in the current call. */
  private readonly moved: Int32Array;
  private stamp = 0;

  constructor(buffers: readonly PlanBuffer[]) {
    const n = buffers.length;
    this.n = n;
    this.sizes = Int32Array.from(buffers, (b) => b.size);
    this.rank = new Int32Array(n).fill(n);
    this.moved = new Int32Array(n);
    const lists: number[][] = buffers.map(() => []);
    // Sweep by start time: only buffers starting before b ends can conflict.
    const byFirst = buffers.map((_, i) => i).sort((a, b) => buffers[a]!.first - buffers[b]!.first);
    for (let x = 0; x < n; x++) {
      const a = byFirst[x]!;
      for (let y = x + 1; y < n; y++) {
        const b = byFirst[y]!;
        if (buffers[b]!.first > buffers[a]!.last) break;
        if (conflicts(buffers[a]!, buffers[b]!)) {
          lists[a]!.push(b);
          lists[b]!.push(a);
        }
      }
    }
    this.neighbors = lists.map((l) => Int32Array.from(l));
    // b at x and o at y overlap when x + bLo < y + oHi and y + oLo < x + bHi (overlapping()).
    const ends = (b: number, pick: (self: [number, number], other: [number, number]) => number) =>
      Int32Array.from(lists[b]!, (o) => pick(extentSeenBy(buffers[b]!, buffers[o]!), extentSeenBy(buffers[o]!, buffers[b]!)));
    this.below = lists.map((_, b) => ends(b, ([, hi], [lo]) => lo - hi));
    this.above = lists.map((_, b) => ends(b, ([lo], [, hi]) => hi - lo));
  }

  /**
   * Lowest 16-aligned offset for buffer b at position k, given offsets of buffers ranked below k: passes over the
   * placed neighbours move the offset past each interval that holds it until none does. Offsets only grow, and each
   * move is to the least offset clearing that interval (no valid offset lies between), so the result is the least
   * valid one, whatever the order of the neighbours. Usually a pass or two: cheaper than sorting them.
   */
  fit(b: number, k: number, offsets: Int32Array): number {
    const rank = this.rank;
    const neighbors = this.neighbors[b]!;
    const below = this.below[b]!;
    const above = this.above[b]!;
    let offset = 0;
    for (let again = true; again; ) {
      again = false;
      for (let q = 0; q < neighbors.length; q++) {
        const o = neighbors[q]!;
        if (rank[o]! >= k) continue;
        const at = offsets[o]!;
        if (at + below[q]! < offset && offset < at + above[q]!) {
          offset = alignUp(at + above[q]!);
          again = true;
        }
      }
    }
    return offset;
  }

  /**
   * Places order[from..] after order[..from) (whose offsets and prefix heads
   * must already be in `offsets` and `heads`). Returns the head, or Infinity
   * as soon as it would exceed `limit`, leaving the rest unplaced.
   *
   * With `settled`, `offsets` holds a placement of an order that differs from this one only before position
   * `settled`: from there on each buffer has the same neighbours placed before it, so it keeps its offset unless
   * one of its neighbours moved (a fit depends on nothing else), and only those are fitted again.
   */
  place(order: Int32Array, from: number, offsets: Int32Array, heads: Float64Array, limit: number, settled = this.n): number {
    const rank = this.rank;
    for (let k = 0; k < this.n; k++) rank[order[k]!] = k;
    const moved = this.moved;
    const stamp = ++this.stamp;
    let head = from > 0 ? heads[from - 1]! : 0;
    for (let k = from; k < this.n; k++) {
      const b = order[k]!;
      if (k < settled || moved[b] === stamp) {
        const offset = this.fit(b, k, offsets);
        if (offset !== offsets[b]) {
          offsets[b] = offset;
          const neighbors = this.neighbors[b]!;
          for (let q = 0; q < neighbors.length; q++) moved[neighbors[q]!] = stamp;
        }
      }
      head = Math.max(head, offsets[b]! + this.sizes[b]!);
      if (head > limit) return Infinity;
      heads[k] = head;
    }
    return head;
  }
}

/** The candidate orders tried before local search. */
function seedOrders(buffers: readonly PlanBuffer[]): Int32Array[] {
  const ids = (): number[] => buffers.map((_, i) => i);
  const len = (b: PlanBuffer): number => b.last - b.first + 1;
  const orders: number[][] = [
    // TFLM's: largest first, the last added first among equal sizes.
    ids()
      .reverse()
      .sort((a, b) => buffers[b]!.size - buffers[a]!.size),
    ids().sort((a, b) => buffers[b]!.size - buffers[a]!.size || a - b),
    ids().sort((a, b) => buffers[b]!.size * len(buffers[b]!) - buffers[a]!.size * len(buffers[a]!) || a - b),
    ids().sort((a, b) => buffers[a]!.first - buffers[b]!.first || buffers[b]!.size - buffers[a]!.size || a - b),
    ids().sort((a, b) => len(buffers[b]!) - len(buffers[a]!) || buffers[b]!.size - buffers[a]!.size || a - b),
  ];
  return orders.map((o) => Int32Array.from(o));
}

/**
 * Exhaustive search over orders for tiny inputs. Only orders whose placed
 * (offset, index) pairs strictly increase are explored: first-fit in offset
 * order never raises an offset, so repeating it from an optimal plan settles
 * on such an order with a head no larger.
 */
function exactSearch(placer: Placer, bestHead: number): { head: number; offsets: Int32Array } | null {
  const n = placer.n;
  const offsets = new Int32Array(n);
  const used = new Uint8Array(n);
  let best: { head: number; offsets: Int32Array } | null = null;
  placer.rank.fill(n);
  const dfs = (k: number, lastOffset: number, lastId: number, head: number): void => {
    if (k === n) {
      bestHead = head;
      best = { head, offsets: offsets.slice() };
      return;
    }
    for (let b = 0; b < n; b++) {
      if (used[b]) continue;
      const offset = placer.fit(b, k, offsets);
      if (offset < lastOffset || (offset === lastOffset && b < lastId)) continue;
      const h = Math.max(head, offset + placer.sizes[b]!);
      if (h >= bestHead) continue;
      used[b] = 1;
      offsets[b] = offset;
      placer.rank[b] = k;
      dfs(k + 1, offset, b, h);
      placer.rank[b] = n;
      used[b] = 0;
    }
  };
  dfs(0, 0, -1, 0);
  return best;
}

/**
 * Places every buffer (offline offsets are ignored: this planner decides all
 * of them) with a head no larger than TFLM's greedy planner would reach.
 */
export function planNearOptimal(buffers: readonly PlanBuffer[], opts: { iterations?: number; seed?: number } = {}): Placement {
  const n = buffers.length;
  if (n === 0) return { offsets: new Int32Array(0), head: 0 };
  const random = rng(opts.seed ?? 1);

  const online = buffers.map(({ size, first, last }) => ({ size, first, last }));
  const greedy = planGreedyTflm(online);
  const end = Math.max(0, ...buffers.map((b) => b.last));
  const bound = Math.max(lowerBound(buffers.flatMap(heldOverTime), end).bytes, ...buffers.map((b) => b.size));

  const placer = new Placer(buffers);
  const pairs = placer.neighbors.reduce((sum, l) => sum + l.length, 0);
  const iterations =
    opts.iterations ?? Math.min(DEFAULT_PLAN_ITERATIONS, Math.max(200, Math.floor(DEFAULT_PLAN_WORK / (n + pairs))));
  let order: Int32Array = new Int32Array(n);
  let offsets = new Int32Array(n);
  let heads = new Float64Array(n);
  let head = Infinity;
  let trialOrder: Int32Array = new Int32Array(n);
  let trialOffsets = new Int32Array(n);
  let trialHeads = new Float64Array(n);

  for (const candidate of seedOrders(buffers)) {
    const h = placer.place(candidate, 0, trialOffsets, trialHeads, head - 1);
    if (h < head) {
      head = h;
      order = candidate;
      [offsets, trialOffsets] = [trialOffsets, offsets];
      [heads, trialHeads] = [trialHeads, heads];
    }
  }

  if (head > bound && n <= EXACT_MAX_BUFFERS) {
    const exact = exactSearch(placer, head);
    if (exact) return pickBest(greedy, exact);
    return pickBest(greedy, { offsets, head });
  }

  // Hill climbing over the order. A change at positions >= from leaves the
  // placement of order[..from) untouched, so only the suffix is re-placed, and
  // a trial stops as soon as its head passes the current one. Equal heads are
  // accepted so the search can drift across plateaus.
  for (let it = 0; it < iterations && head > bound && n > 1; it++) {
    trialOrder.set(order);
    let i: number;
    if (random() < 0.5) {
      // Move a buffer that reaches the head earlier: only such moves can lower it.
      const top: number[] = [];
      for (let k = 0; k < n; k++) if (offsets[order[k]!]! + placer.sizes[order[k]!]! === head) top.push(k);
      i = top[Math.floor(random() * top.length)]!;
    } else {
      i = Math.floor(random() * n);
    }
    let j = Math.floor(random() * (n - 1));
    if (j >= i) j++;
    if (random() < 0.5) {
      trialOrder[i] = order[j]!;
      trialOrder[j] = order[i]!;
    } else {
      // Move order[i] to position j, shifting what lies between by one.
      if (i < j) trialOrder.copyWithin(i, i + 1, j + 1);
      else trialOrder.copyWithin(j + 1, j, i);
      trialOrder[j] = order[i]!;
    }
    const from = Math.min(i, j);
    trialOffsets.set(offsets);
    if (from > 0) trialHeads.set(heads.subarray(0, from));
    const h = placer.place(trialOrder, from, trialOffsets, trialHeads, head, Math.max(i, j) + 1);
    if (h <= head) {
      head = h;
      [order, trialOrder] = [trialOrder, order];
      [offsets, trialOffsets] = [trialOffsets, offsets];
      [heads, trialHeads] = [trialHeads, heads];
    }
  }
  return pickBest(greedy, { offsets, head });
}

/** Greedy wins ties: its plan is TFLM's, which is easier to compare against. */
function pickBest(greedy: Placement, found: Placement): Placement {
  return found.head < greedy.head ? found : greedy;
}

/**
 * Throws E_PLAN when a placement is unusable: an offset negative or not
 * 16-aligned, or two buffers alive at a common time sharing a byte.
 */
export function validatePlacement(buffers: readonly PlanBuffer[], offsets: ArrayLike<number>): void {
  if (offsets.length !== buffers.length) {
    throw new TinysegError('E_PLAN', `placement has ${offsets.length} offsets for ${buffers.length} buffers`);
  }
  buffers.forEach((_, i) => {
    const o = offsets[i]!;
    if (!Number.isInteger(o) || o < 0 || o % ALIGNMENT !== 0) {
      throw new TinysegError('E_PLAN', `buffer ${i} has offset ${o}, not a non-negative multiple of ${ALIGNMENT}`);
    }
  });
  // Sorted by start time, only buffers starting before a's end can conflict with it.
  const byFirst = buffers.map((_, i) => i).sort((a, b) => buffers[a]!.first - buffers[b]!.first || a - b);
  for (let x = 0; x < byFirst.length; x++) {
    const i = byFirst[x]!;
    const a = buffers[i]!;
    for (let y = x + 1; y < byFirst.length; y++) {
      const j = byFirst[y]!;
      const b = buffers[j]!;
      if (b.first > a.last) break;
      if (!conflicts(a, b)) continue;
      if (overlapping(a, offsets[i]!, b, offsets[j]!)) {
        const [p, q] = i < j ? [i, j] : [j, i];
        throw new TinysegError(
          'E_PLAN',
          `buffers ${p} and ${q} are alive at the same time and overlap in memory ` +
            `([${offsets[p]}, ${offsets[p]! + buffers[p]!.size}) and [${offsets[q]}, ${offsets[q]! + buffers[q]!.size}))`,
        );
      }
    }
  }
}
