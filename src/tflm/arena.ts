// The arena TFLM would build for a model: which buffers it plans (tensors in
// index order, then kernel scratch in request order), their TFLM lifetimes,
// the greedy placement, the head, the estimated 32-bit tail and the lower bound.

import { inPlacePairs } from '../analysis/in-place.js';
import { lowerBound, type LowerBound } from '../analysis/lower-bound.js';
import { opTime, tflmLifetimes } from './lifetimes.js';
import type { Graph, Subgraph } from '../graph/graph.js';
import { planGreedyTflm, type PlanBuffer } from './greedy-planner.js';
import { offlineOffsets, ONLINE } from './offline-plan.js';
import { estimateTail32, type TailEstimate } from './tail.js';
import { REFERENCE_KERNELS, scratchKnown, scratchRequests, type Kernels } from '../ops/registry.js';
import { opKey } from '../graph/op-key.js';
import { alignArena } from './alignment.js';

export type ArenaBuffer = PlanBuffer &
  ({ kind: 'tensor'; tensor: number } | { kind: 'scratch'; op: number; scratchIndex: number; bytes: number });

export interface TflmArena {
  buffers: ArenaBuffer[];
  /** offsets[i] is the head offset of buffers[i]. */
  offsets: Int32Array;
  head: number;
  tail: TailEstimate;
  /** head + tail: what arena_used_bytes() reports on a 32-bit target. */
  total: number;
  lowerBound: LowerBound;
  /** The kernels the figures assume. */
  kernels: Kernels;
  /** Ops whose scratch TinySeg does not know for these kernels (the head may be low for them). */
  unknownScratchOps: string[];
}

/** A buffer of the current graph as the memory planner sees it (tensor index, or null for kernel scratch). */
export interface TimelineBuffer {
  tensor: number | null;
  /** Planned (aligned) bytes. */
  size: number;
  /** TFLM times (lifetimes.ts), inclusive. */
  first: number;
  last: number;
}

/** The planned buffers as the transform passes' cost models take them, recomputed after every edit. */
export function passTimeline(sg: Subgraph, kernels: Kernels = REFERENCE_KERNELS): TimelineBuffer[] {
  return tflmPlanBuffers(sg, null, kernels).map((b) => ({ tensor: b.kind === 'tensor' ? b.tensor : null, size: b.size, first: b.first, last: b.last }));
}

/**
 * The buffers TFLM hands to its planner for subgraph `sg`: the planned tensors,
 * then the scratch the `kernels` request in Prepare, each live for the
 * duration of its operator only.
 */
export function tflmPlanBuffers(sg: Subgraph, offline: Int32Array | null = null, kernels: Kernels = REFERENCE_KERNELS): ArenaBuffer[] {
  const life = tflmLifetimes(sg);
  const buffers: ArenaBuffer[] = [];
  for (const t of sg.tensors) {
    const fixed = offline ? offline[t.index]! : ONLINE;
    // TFLM plans non-constant, non-variable tensors of non-zero size; an offline
    // offset also pulls a variable tensor into the head.
    const planned = t.kind === 'activation' || (t.kind === 'variable' && fixed !== ONLINE);
    if (!planned || t.byteSize === 0) continue;
    buffers.push({
      kind: 'tensor',
      tensor: t.index,
      size: alignArena(t.byteSize),
      first: life.first[t.index]!,
      last: life.last[t.index]!,
      ...(fixed !== ONLINE ? { offlineOffset: fixed } : {}),
    });
  }
  let scratchIndex = 0;
  sg.ops.forEach((op, i) => {
    for (const bytes of scratchRequests(op, sg.tensors, kernels)) {
      const time = opTime(i);
      buffers.push({ kind: 'scratch', op: i, scratchIndex: scratchIndex++, bytes, size: alignArena(bytes), first: time, last: time });
    }
  });
  return buffers;
}

/**
 * Buffers as the lower bound sees them: members of an in-place pair that the
 * offline plan puts at the same offset are one buffer (they never hold two
 * values at once), with the larger size over both lifetimes.
 */
function mergeInPlace(sg: Subgraph, buffers: readonly ArenaBuffer[]): PlanBuffer[] {
  const merged = buffers.map(({ size, first, last }) => ({ size, first, last }));
  const index = new Map<number, number>();
  buffers.forEach((b, i) => b.kind === 'tensor' && index.set(b.tensor, i));
  const into = merged.map((_, i) => i);
  const rootOf = (i: number): number => (into[i] === i ? i : (into[i] = rootOf(into[i]!)));
  for (const p of inPlacePairs(sg)) {
    const a = index.get(p.input);
    const b = index.get(p.output);
    if (a === undefined || b === undefined) continue;
    const [ba, bb] = [buffers[a]!, buffers[b]!];
    if (ba.offlineOffset === undefined || ba.offlineOffset !== bb.offlineOffset) continue;
    const [ra, rb] = [rootOf(a), rootOf(b)];
    const x = merged[ra]!;
    const y = merged[rb]!;
    merged[ra] = { size: Math.max(x.size, y.size), first: Math.min(x.first, y.first), last: Math.max(x.last, y.last) };
    merged[rb] = { size: 0, first: -1, last: -1 };
    into[rb] = ra;
  }
  return merged;
}

export function planTflmArena(graph: Graph, kernels: Kernels = REFERENCE_KERNELS): TflmArena {
  const sg = graph.main;
  const offline = offlineOffsets(graph);
  const buffers = tflmPlanBuffers(sg, offline, kernels);
  const { offsets, head } = planGreedyTflm(buffers);
  const tail = estimateTail32(graph, offline, kernels);
  const unknownScratchOps = [...new Set(sg.ops.filter((o) => !scratchKnown(o, kernels)).map((o) => opKey(o)))];
  return {
    buffers,
    offsets,
    head,
    kernels,
    tail,
    total: head + tail.bytes,
    lowerBound: lowerBound(mergeInPlace(sg, buffers), sg.ops.length),
    unknownScratchOps,
  };
}
