// Our placement of a graph's arena, written as an offline plan that TFLM then
// follows: tensors at our offsets; kernel scratch is left to TFLM, which places
// it online around the fixed tensors with its greedy rule. The head reported is
// therefore what TFLM computes for the written model (planGreedyTflm with the
// offline offsets), not our planner's own figure.

import { inPlacePairs } from '../analysis/in-place.js';
import { aliasGroups, rowJoinSlices } from '../analysis/row-join.js';
import { ARENA_ALIGNMENT } from '../tflm/alignment.js';
import { lowerBound } from '../analysis/lower-bound.js';
import type { Subgraph } from '../graph/graph.js';
import { planGreedyTflm, type Placement } from '../tflm/greedy-planner.js';
import { ONLINE } from '../tflm/offline-plan.js';
import { planNearOptimal } from './plan-search.js';
import { REFERENCE_KERNELS, type Kernels } from '../ops/registry.js';
import { joinsWorthPlacing, tflmPlanBuffers, type ArenaBuffer } from '../tflm/arena.js';

export interface ArenaPlacement {
  /** One per tensor of the subgraph: its arena offset, or ONLINE (-1) for tensors TFLM does not plan. */
  offsets: Int32Array;
  /** TFLM's head for the model carrying `offsets` as its offline plan. */
  head: number;
  /** Which candidate won. */
  planner: 'near-optimal' | 'tflm-greedy';
}

function asOffline(sg: Subgraph, buffers: readonly ArenaBuffer[], placement: Placement): Int32Array {
  const offsets = new Int32Array(sg.tensors.length).fill(ONLINE);
  buffers.forEach((b, i) => {
    if (b.kind === 'tensor') offsets[b.tensor] = placement.offsets[i]!;
  });
  return offsets;
}

/** TFLM's head once `offsets` is the model's offline plan. */
export function tflmHeadWithOffline(sg: Subgraph, offsets: Int32Array, kernels: Kernels = REFERENCE_KERNELS): number {
  return planGreedyTflm(tflmPlanBuffers(sg, offsets, kernels)).head;
}

/**
 * The alias groups a plan may honour: in-place pairs (analysis/in-place.ts), and with `joins` (every one, or those
 * at these operator positions) row-join inputs in their output (analysis/row-join.ts).
 */
const aliasesOf = (sg: Subgraph, joins: boolean | ReadonlySet<number>) =>
  aliasGroups(inPlacePairs(sg), joins === false ? [] : rowJoinSlices(sg, ARENA_ALIGNMENT).filter((j) => joins === true || joins.has(j.op)));

/**
 * Our plan with alias groups as one buffer each: the bytes from the group's
 * lowest member to the end of its furthest over the union of its members'
 * lifetimes; every member gets the group's offset plus its own.
 */
type SearchOptions = { iterations?: number; seed?: number };

/**
 * How a slot's members narrow over time, as one step: after the last step at which the slot's full extent is in
 * use, only `size` bytes (the most any member alive later reaches) stay in use; undefined when nothing narrows.
 * A QUANTIZE or a CAST writing its narrower output over its dying input is the case: the rest of the input's bytes
 * are free once it dies.
 */
function slotShrink(members: readonly { end: number; first: number; last: number }[]): { after: number; size: number } | undefined {
  const full = Math.max(...members.map((m) => m.end));
  const after = Math.max(...members.filter((m) => m.end === full).map((m) => m.last));
  const size = (Math.max(0, ...members.filter((m) => m.last > after).map((m) => m.end)) + 15) & ~15;
  return size > 0 && size < full ? { after, size } : undefined;
}

/**
 * How a slot's members widen over time, as one step: before step `from` no member alive reaches below `skip` bytes
 * (16-aligned), so those bytes are free until then; undefined when nothing widens. A TinySegConvInPlace writing its
 * wider output over its dying input, which sits at the output's end, is the case.
 */
function slotGrow(members: readonly { offset: number; first: number }[]): { from: number; skip: number } | undefined {
  const start = Math.min(...members.map((m) => m.first));
  const skip = Math.min(...members.filter((m) => m.first === start).map((m) => m.offset)) & ~15;
  const from = Math.min(...members.filter((m) => m.offset < skip).map((m) => m.first));
  return skip > 0 && Number.isFinite(from) && from > start ? { from, skip } : undefined;
}

function planInPlace(
  sg: Subgraph,
  buffers: readonly ArenaBuffer[],
  withScratch: boolean,
  joins: boolean | ReadonlySet<number>,
  opts: SearchOptions,
): Int32Array {
  const groups = aliasesOf(sg, joins);
  const slots: { size: number; first: number; last: number; members: { buffer: number; offset: number }[] }[] = [];
  const slotOf = new Map<number, number>();
  buffers.forEach((b, i) => {
    if (b.kind === 'scratch' && !withScratch) return;
    const m = b.kind === 'tensor' ? groups.get(b.tensor) : undefined;
    const at = m === undefined ? undefined : slotOf.get(m.root);
    const offset = m?.offset ?? 0;
    if (at === undefined) {
      if (m !== undefined) slotOf.set(m.root, slots.length);
      slots.push({ size: offset + b.size, first: b.first, last: b.last, members: [{ buffer: i, offset }] });
    } else {
      const s = slots[at]!;
      s.size = Math.max(s.size, offset + b.size);
      s.first = Math.min(s.first, b.first);
      s.last = Math.max(s.last, b.last);
      s.members.push({ buffer: i, offset });
    }
  });
  const p = planNearOptimal(
    slots.map(({ size, first, last, members }) => {
      const shrink = slotShrink(members.map(({ buffer, offset }) => ({ ...buffers[buffer]!, end: offset + buffers[buffer]!.size })));
      const grow = slotGrow(members.map(({ buffer, offset }) => ({ offset, first: buffers[buffer]!.first })));
      return { size, first, last, ...(shrink ? { shrink } : {}), ...(grow ? { grow } : {}) };
    }),
    opts,
  );
  const offsets = new Int32Array(sg.tensors.length).fill(ONLINE);
  slots.forEach((s, k) => {
    for (const { buffer, offset } of s.members) {
      const b = buffers[buffer]!;
      if (b.kind === 'tensor') offsets[b.tensor] = p.offsets[k]! + offset;
    }
  });
  return offsets;
}

/**
 * A head no placement of `sg` goes below, placeArena's included: at every time the bytes of the live buffers, where
 * an alias group (in-place pairs, row joins: the only buffers a plan may lay over each other while both are live)
 * counts only its largest live member, as its slot must hold that member whole. Cheap beside a placement: the spill
 * pass places its trial graphs only where this floor leaves room for a better head.
 */
export function placementFloor(sg: Subgraph, kernels: Kernels = REFERENCE_KERNELS): number {
  return floorOf(sg, tflmPlanBuffers(sg, null, kernels));
}

function floorOf(sg: Subgraph, buffers: readonly ArenaBuffer[]): number {
  const groups = aliasesOf(sg, true);
  const end = Math.max(0, ...buffers.map((b) => b.last)) + 1;
  const delta = new Float64Array(end + 1);
  const members = new Map<number, { size: number; first: number; last: number }[]>();
  for (const b of buffers) {
    if (b.first < 0 || b.size === 0) continue;
    const root = b.kind === 'tensor' ? groups.get(b.tensor)?.root : undefined;
    if (root === undefined) {
      delta[b.first]! += b.size;
      delta[b.last + 1]! -= b.size;
    } else {
      const list = members.get(root) ?? [];
      list.push(b);
      members.set(root, list);
    }
  }
  const live = new Float64Array(end);
  for (let t = 0, sum = 0; t < end; t++) live[t] = sum += delta[t]!;
  for (const list of members.values()) {
    const first = Math.min(...list.map((m) => m.first));
    const widest = new Float64Array(Math.max(...list.map((m) => m.last)) - first + 1);
    for (const m of list) for (let t = m.first; t <= m.last; t++) widest[t - first] = Math.max(widest[t - first]!, m.size);
    widest.forEach((w, i) => (live[first + i]! += w));
  }
  return Math.max(0, ...live);
}

export function placeArena(sg: Subgraph, opts: { iterations?: number; seed?: number; kernels?: Kernels } = {}): ArenaPlacement {
  const kernels = opts.kernels ?? REFERENCE_KERNELS;
  const buffers = tflmPlanBuffers(sg, null, kernels);
  const online = buffers.map(({ size, first, last }) => ({ size, first, last }));
  const sharing = inPlacePairs(sg).length > 0;
  const joinOps = new Set(rowJoinSlices(sg, ARENA_ALIGNMENT).map((j) => j.op));
  const joins = joinOps.size > 0;
  // Some joins in place but not all, when that lowers the most bytes live at once more than all or none.
  const worth = joins ? joinsWorthPlacing(sg, kernels, buffers) : null;
  const someJoins = worth && worth.size > 0 && worth.size < joinOps.size ? worth : null;
  // Without scratch buffers a plan with the scratch is the plan without: each is planned once.
  const hasScratch = buffers.some((b) => b.kind === 'scratch');
  const planned = new Map<string, Int32Array>();
  const once = (withScratch: boolean, what: string, plan: () => Int32Array) => {
    const key = `${withScratch && hasScratch}:${what}`;
    const known = planned.get(key) ?? plan();
    planned.set(key, known);
    return known;
  };
  const inPlace = (withScratch: boolean, which: 'all' | 'none' | 'some'): Int32Array =>
    once(withScratch, which, () => planInPlace(sg, buffers, withScratch, which === 'all' ? joins : which === 'some' ? someJoins! : false, opts));
  // Candidates in order of preference (ties keep the earlier one), computed only when they can still win.
  const candidates: { planner: ArenaPlacement['planner']; offsets: () => Int32Array }[] = [
    // Element-wise outputs over their dying inputs, with and without the scratch in our plan.
    { planner: 'near-optimal', offsets: () => inPlace(true, 'all') },
    { planner: 'near-optimal', offsets: () => inPlace(false, 'all') },
    // Row joins written in place reserve their output from the first input on: the same without, when there are any,
    // and with only the joins for which that pays (joinsWorthPlacing).
    ...(joins
      ? ([
          { planner: 'near-optimal', offsets: () => inPlace(true, 'none') },
          { planner: 'near-optimal', offsets: () => inPlace(false, 'none') },
        ] as const)
      : []),
    ...(someJoins
      ? ([
          { planner: 'near-optimal', offsets: () => inPlace(true, 'some') },
          { planner: 'near-optimal', offsets: () => inPlace(false, 'some') },
        ] as const)
      : []),
    // Without in-place pairs these two are the first two (or, with row joins, the two just above), buffer for buffer.
    ...(sharing
      ? ([
          // Our plan of tensors and scratch together; TFLM re-places the scratch, usually where we put it.
          { planner: 'near-optimal', offsets: () => once(true, 'apart', () => asOffline(sg, buffers, planNearOptimal(online, opts))) },
          // Our plan of the tensors alone: the scratch then goes wherever TFLM's greedy finds room.
          {
            planner: 'near-optimal',
            offsets: () =>
              once(false, 'apart', () => {
                const tensorsOnly = buffers.filter((b) => b.kind === 'tensor');
                const p = planNearOptimal(tensorsOnly.map(({ size, first, last }) => ({ size, first, last })), opts);
                return asOffline(sg, tensorsOnly, p);
              }),
          },
        ] as const)
      : []),
    // TFLM's own plan, frozen: never worse than what TFLM would do.
    { planner: 'tflm-greedy', offsets: () => asOffline(sg, buffers, planGreedyTflm(buffers)) },
  ];
  // Only plans that share an in-place pair's or a row join's bytes (the planInPlace ones, first) can go below the most bytes live at once.
  const floor = lowerBound(online, Math.max(0, ...online.map((b) => b.last))).bytes;
  const sharingPlans = 2 + (joins ? 2 : 0) + (someJoins ? 2 : 0);
  // No placement goes below the floor with every alias group shared: a candidate there is not beaten by a later one.
  const lowest = floorOf(sg, buffers);
  let best: ArenaPlacement | null = null;
  for (const [k, c] of candidates.entries()) {
    if (best && ((k >= sharingPlans && best.head <= floor) || best.head <= lowest)) break;
    const offsets = c.offsets();
    const head = tflmHeadWithOffline(sg, offsets, kernels);
    if (!best || head < best.head) best = { planner: c.planner, offsets, head };
  }
  return best!;
}
