// The arena TFLM would build for a model: which buffers it plans (tensors in
// index order, then kernel scratch in request order), their TFLM lifetimes,
// the greedy placement, the head, the estimated 32-bit tail and the lower bound.

import { inPlacePairs } from '../analysis/in-place.js';
import { rowJoinSlices, type JoinSlice } from '../analysis/row-join.js';
import { lowerBound, type LowerBound } from '../analysis/lower-bound.js';
import { streamingFloor, type StreamingFloor } from '../analysis/streaming-floor.js';
import { opTime, tflmGraphLifetimes, tflmLifetimes } from './lifetimes.js';
import type { Graph, Subgraph, Tensor } from '../graph/graph.js';
import { planGreedyTflm, type PlanBuffer } from './greedy-planner.js';
import { offlineOffsets, offlineOffsetsAll, ONLINE } from './offline-plan.js';
import { estimateTail32, type TailEstimate } from './tail.js';
import { REFERENCE_KERNELS, scratchKnown, scratchRequests, type Kernels } from '../ops/registry.js';
import { opKey } from '../graph/op-key.js';
import { ARENA_ALIGNMENT, alignArena } from './alignment.js';

/** A planned buffer; `subgraph` (absent: 0) is the subgraph of its tensor or operator. */
export type ArenaBuffer = PlanBuffer & { subgraph?: number } & (
    | { kind: 'tensor'; tensor: number }
    | { kind: 'scratch'; op: number; scratchIndex: number; bytes: number }
  );

export interface TflmArena {
  buffers: ArenaBuffer[];
  /** offsets[i] is the head offset of buffers[i]. */
  offsets: Int32Array;
  head: number;
  tail: TailEstimate;
  /** head + tail: what arena_used_bytes() reports on a 32-bit target. */
  total: number;
  lowerBound: LowerBound;
  /** What must exist whole whatever the row bands (analysis/streaming-floor.ts), subgraph 0. */
  streamingFloor: StreamingFloor;
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

/**
 * The planned buffers as the transform passes' cost models take them, recomputed after every edit. With
 * `joinsInPlace` (every row join, or the row joins at these operator positions), the inputs of a row join written
 * in place (analysis/row-join.ts) are bytes of the join's output, as our placement may put them: the output's
 * buffer starts with the first of them, theirs hold nothing of their own. (Whether that pays depends on the rest:
 * the output's whole bytes are then reserved from the first input on; joinsWorthPlacing() picks the joins for
 * which it does.)
 */
export function passTimeline(sg: Subgraph, kernels: Kernels = REFERENCE_KERNELS, joinsInPlace: boolean | ReadonlySet<number> = false): TimelineBuffer[] {
  const buffers = tflmPlanBuffers(sg, null, kernels).map(timelineBuffer);
  if (joinsInPlace === false) return buffers;
  const joins = rowJoinSlices(sg, ARENA_ALIGNMENT).filter((j) => joinsInPlace === true || joinsInPlace.has(j.op));
  return joinedTimeline(buffers, joins);
}

/**
 * `buffers` (edited) with each in-place pair's two tensors (analysis/in-place.ts) counted as the larger at their
 * operator, as the placement lays them out: they share a slot there.
 */
export function shareInPlacePairs(sg: Subgraph, buffers: TimelineBuffer[]): TimelineBuffer[] {
  const of = new Map<number, TimelineBuffer>();
  for (const b of buffers) if (b.tensor !== null) of.set(b.tensor, b);
  for (const p of inPlacePairs(sg)) {
    const [x, y] = [of.get(p.input), of.get(p.output)];
    if (!x || !y || x.last !== opTime(p.op) || y.first !== opTime(p.op)) continue;
    if (x.size <= y.size) x.last--;
    else y.first++;
  }
  return buffers;
}

/** A planned buffer as the passes' cost models see it. */
const timelineBuffer = (b: ArenaBuffer): TimelineBuffer => ({ tensor: b.kind === 'tensor' ? b.tensor : null, size: b.size, first: b.first, last: b.last });

/** `buffers` (left as they are) with the parts of `joins` counted as bytes of their join's output. */
function joinedTimeline(buffers: readonly TimelineBuffer[], joins: readonly JoinSlice[]): TimelineBuffer[] {
  const out = buffers.map((b) => ({ ...b }));
  if (joins.length === 0) return out;
  const of = new Map<number, TimelineBuffer>();
  for (const b of out) if (b.tensor !== null) of.set(b.tensor, b);
  for (const j of joins) {
    const [part, y] = [of.get(j.part), of.get(j.output)];
    if (!part || !y) continue;
    y.first = Math.min(y.first, part.first);
    part.size = 0;
  }
  return out;
}

/**
 * The row joins (operator positions) whose writing in place lowers the most bytes live at once, chosen greedily:
 * a join in place frees its parts' own bytes but holds its output's from the first part on, which pays where the
 * parts and the output would meet at the peak (a band chain ending in a large tensor) and costs where the bands
 * run at a peak of their own. Starting from none, the join that lowers the bound most (or, at the same bound, the time
 * steps that reach it) is added while one does. `planned`: tflmPlanBuffers(sg, null, kernels), when the caller has them.
 */
export function joinsWorthPlacing(sg: Subgraph, kernels: Kernels = REFERENCE_KERNELS, planned?: readonly ArenaBuffer[]): ReadonlySet<number> {
  const slices = rowJoinSlices(sg, ARENA_ALIGNMENT);
  if (slices.length === 0) return new Set();
  return chooseJoins(planned ? planned.map(timelineBuffer) : passTimeline(sg, kernels), slices, sg.ops.length + 1);
}

/**
 * The lowest bound of `sg`'s timeline with its row joins written in place as the placement may write them
 * (place-arena.ts): none, every one, or those joinsWorthPlacing() picks. One timeline for the three.
 */
export function lowestJoinedBound(sg: Subgraph, kernels: Kernels = REFERENCE_KERNELS): LowerBound {
  return lowestJoinedTimeline(sg, kernels).bound;
}

/** lowestJoinedBound's timeline (passTimeline with the joins it writes in place), and its bound. */
export function lowestJoinedTimeline(sg: Subgraph, kernels: Kernels = REFERENCE_KERNELS): { buffers: TimelineBuffer[]; bound: LowerBound } {
  const buffers = passTimeline(sg, kernels);
  const end = sg.ops.length + 1;
  const none = { buffers, bound: lowerBound(buffers, end) };
  const slices = rowJoinSlices(sg, ARENA_ALIGNMENT);
  if (slices.length === 0) return none;
  const worth = chooseJoins(buffers, slices, end);
  const timeline = (joins: readonly JoinSlice[]) => {
    const joined = joinedTimeline(buffers, joins);
    return { buffers: joined, bound: lowerBound(joined, end) };
  };
  return [none, timeline(slices), timeline(slices.filter((j) => worth.has(j.op)))].reduce((a, b) => (b.bound.bytes < a.bound.bytes ? b : a));
}

/**
 * joinsWorthPlacing's greedy on the live bytes: a join in place adds its output's bytes from its first part's
 * first step to the output's own first, and takes each part's bytes off its lifetime (joinedTimeline's edit, as
 * ranges, so that a candidate costs one pass over the steps).
 */
function chooseJoins(buffers: readonly TimelineBuffer[], slices: readonly JoinSlice[], end: number): Set<number> {
  const of = new Map<number, TimelineBuffer>();
  for (const b of buffers) if (b.tensor !== null) of.set(b.tensor, b);
  // Per join: [from, to, bytes] added to the live bytes at steps from..to.
  const effects = new Map<number, [number, number, number][]>();
  for (const op of new Set(slices.map((j) => j.op))) {
    const parts = slices.flatMap((j) => (j.op === op && of.has(j.part) ? [of.get(j.part)!] : []));
    const y = of.get(slices.find((j) => j.op === op)!.output);
    if (!y) continue;
    const list = parts.flatMap((p): [number, number, number][] => (p.first >= 0 && p.size > 0 ? [[p.first, p.last, -p.size]] : []));
    // The output as lowerBound counts it, from its (earlier) first step.
    const first = Math.min(y.first, ...parts.map((p) => p.first));
    if (y.size > 0 && first >= 0 && first < y.first) list.push([first, y.first - 1, y.size]);
    effects.set(op, list);
  }
  const live = Float64Array.from(lowerBound(buffers, end).liveBytes);
  const trial = new Float64Array(live.length);
  const keyOf = (a: Float64Array): [number, number] => {
    let max = 0;
    let at = 0;
    for (const v of a) {
      if (v > max) [max, at] = [v, 1];
      else if (v === max) at++;
    }
    return [max, at];
  };
  const apply = (a: Float64Array, list: readonly [number, number, number][]) => {
    for (const [from, to, bytes] of list) for (let t = Math.max(0, from); t <= to && t < a.length; t++) a[t]! += bytes;
  };
  // The bound, then how many time steps reach it: fewer is progress where several stretches peak alike.
  const lower = (a: [number, number], b: [number, number]) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
  const chosen = new Set<number>();
  let key = keyOf(live);
  for (;;) {
    let best: { op: number; key: [number, number] } | null = null;
    for (const [op, list] of effects) {
      if (chosen.has(op)) continue;
      trial.set(live);
      apply(trial, list);
      const k = keyOf(trial);
      if (lower(k, key) && (!best || lower(k, best.key))) best = { op, key: k };
    }
    if (!best) return chosen;
    chosen.add(best.op);
    apply(live, effects.get(best.op)!);
    key = best.key;
  }
}

/**
 * The buffers TFLM hands to its planner for subgraph `sg` (of a one-subgraph
 * model, or seen on its own by the passes): the planned tensors, then the
 * scratch the `kernels` request in Prepare, each live for the duration of its
 * operator only.
 */
export function tflmPlanBuffers(sg: Subgraph, offline: Int32Array | null = null, kernels: Kernels = REFERENCE_KERNELS): ArenaBuffer[] {
  const life = tflmLifetimes(sg);
  const ops = sg.ops.map((_, i) => opTime(i));
  return subgraphBuffers(sg, 0, offline, life.first, life.last, ops, ops, kernels, { next: 0 });
}

/**
 * Whether TFLM plans tensor `t` in the head: a non-constant, non-variable
 * tensor of non-zero size whose data VAR_HANDLE's Prepare has not pointed at
 * its op data; an offline offset also pulls a variable tensor into the head.
 */
function plannedInHead(t: Tensor, fixed: number, handles: ReadonlySet<number>): boolean {
  if (t.kind === 'variable') return fixed !== ONLINE && t.byteSize > 0;
  return t.kind === 'activation' && t.byteSize > 0 && !handles.has(t.index);
}

/** Outputs of VAR_HANDLE: their data is the operator's resource id, never an arena buffer. */
const handleOutputs = (sg: Subgraph): Set<number> => new Set(sg.ops.filter((op) => op.opcode === 'VAR_HANDLE').map((op) => op.outputs[0] ?? -1));

function subgraphBuffers(
  sg: Subgraph,
  subgraph: number,
  offline: Int32Array | null,
  first: Int32Array,
  last: Int32Array,
  scratchFirst: readonly number[] | Int32Array,
  scratchLast: readonly number[] | Int32Array,
  kernels: Kernels,
  scratchCount: { next: number },
  tensorsOnly = false,
  scratchOnly = false,
): ArenaBuffer[] {
  const buffers: ArenaBuffer[] = [];
  const at = subgraph === 0 ? {} : { subgraph };
  if (!scratchOnly) {
    const handles = handleOutputs(sg);
    for (const t of sg.tensors) {
      const fixed = offline ? offline[t.index]! : ONLINE;
      if (!plannedInHead(t, fixed, handles)) continue;
      buffers.push({
        kind: 'tensor',
        tensor: t.index,
        ...at,
        size: alignArena(t.byteSize),
        first: first[t.index]!,
        last: last[t.index]!,
        ...(fixed !== ONLINE ? { offlineOffset: fixed } : {}),
      });
    }
  }
  if (tensorsOnly) return buffers;
  sg.ops.forEach((op, i) => {
    for (const bytes of scratchRequests(op, sg.tensors, kernels)) {
      buffers.push({ kind: 'scratch', op: i, ...at, scratchIndex: scratchCount.next++, bytes, size: alignArena(bytes), first: scratchFirst[i]!, last: scratchLast[i]! });
    }
  });
  return buffers;
}

/**
 * Every buffer TFLM plans for the model, in the order it adds them to its
 * planner: the tensors of every subgraph (subgraph by subgraph), then every
 * scratch request in Prepare order, with the lifetimes of one time line over
 * all subgraphs (tflmGraphLifetimes). For a one-subgraph model this is
 * tflmPlanBuffers of the main subgraph with the model's offline plan.
 */
export function tflmGraphBuffers(graph: Graph, kernels: Kernels = REFERENCE_KERNELS): ArenaBuffer[] {
  if (graph.subgraphs.length === 1) return tflmPlanBuffers(graph.main, offlineOffsets(graph), kernels);
  const life = tflmGraphLifetimes(graph);
  const all = offlineOffsetsAll(graph);
  let start = 0;
  const offline = graph.subgraphs.map((sg) => {
    const part = all ? all.subarray(start, start + sg.tensors.length) : null;
    start += sg.tensors.length;
    return part;
  });
  const count = { next: 0 };
  const parts = (scratch: boolean): ArenaBuffer[] =>
    graph.subgraphs.flatMap((sg, s) =>
      subgraphBuffers(sg, s, offline[s]!, life.first[s]!, life.last[s]!, life.scratchFirst[s]!, life.scratchLast[s]!, kernels, count, !scratch, scratch),
    );
  return [...parts(false), ...parts(true)];
}

/**
 * Buffers as the lower bound sees them: members of an in-place pair that the
 * offline plan puts at their offset are one buffer (they never hold two
 * values at once), with the larger size over both lifetimes; so are a row
 * join's output and the inputs the plan puts at their slices of it.
 */
function mergeInPlace(sg: Subgraph, buffers: readonly ArenaBuffer[]): PlanBuffer[] {
  const merged = buffers.map(({ size, first, last }) => ({ size, first, last }));
  const index = new Map<number, number>();
  buffers.forEach((b, i) => b.kind === 'tensor' && (b.subgraph ?? 0) === 0 && index.set(b.tensor, i));
  const into = merged.map((_, i) => i);
  const rootOf = (i: number): number => (into[i] === i ? i : (into[i] = rootOf(into[i]!)));
  // In-place pairs at one offset, and row-join inputs at their slice of the output (analysis/row-join.ts).
  const links = [
    ...inPlacePairs(sg).map((p) => ({ from: p.input, to: p.output, offset: p.offset, inPlace: true })),
    ...rowJoinSlices(sg, ARENA_ALIGNMENT).map((j) => ({ from: j.output, to: j.part, offset: j.offset, inPlace: false })),
  ];
  for (const p of links) {
    const a = index.get(p.from);
    const b = index.get(p.to);
    if (a === undefined || b === undefined) continue;
    const [ba, bb] = [buffers[a]!, buffers[b]!];
    if (ba.offlineOffset === undefined || bb.offlineOffset !== ba.offlineOffset + p.offset) continue;
    if (p.inPlace && p.offset === 0 && bb.size < ba.size && into[b] === b) {
      // A narrower output over its dying input: the input's bytes until it dies, then the output's, never both.
      merged[b] = { ...merged[b]!, first: Math.max(merged[b]!.first, ba.last + 1) };
      continue;
    }
    if (p.inPlace && bb.size > ba.size && into[a] === a) {
      // A wider output over its dying input (at the output's end): the input's bytes until the output is born, then the output's.
      merged[a] = { ...merged[a]!, last: Math.min(merged[a]!.last, bb.first - 1) };
      continue;
    }
    const [ra, rb] = [rootOf(a), rootOf(b)];
    if (ra === rb) continue;
    const x = merged[ra]!;
    const y = merged[rb]!;
    merged[ra] = { size: Math.max(x.size, y.size), first: Math.min(x.first, y.first), last: Math.max(x.last, y.last) };
    merged[rb] = { size: 0, first: -1, last: -1 };
    into[rb] = ra;
  }
  return merged;
}

const floorBuffer = (b: ArenaBuffer) => ({ tensor: b.kind === 'tensor' ? b.tensor : null, size: b.size, first: b.first, last: b.last });

export function planTflmArena(graph: Graph, kernels: Kernels = REFERENCE_KERNELS): TflmArena {
  const sg = graph.main;
  const buffers = tflmGraphBuffers(graph, kernels);
  const { offsets, head } = planGreedyTflm(buffers);
  const tail = estimateTail32(graph, offlineOffsets(graph), kernels);
  const ops = graph.subgraphs.flatMap((g) => g.ops);
  const unknownScratchOps = [...new Set(ops.filter((o) => !scratchKnown(o, kernels)).map((o) => opKey(o)))];
  const end = buffers.reduce((t, b) => Math.max(t, b.last), sg.ops.length);
  return {
    buffers,
    offsets,
    head,
    kernels,
    tail,
    total: head + tail.bytes,
    lowerBound: lowerBound(mergeInPlace(sg, buffers), end),
    // With several subgraphs the time line is the calls' (tflmGraphLifetimes): the floor reads subgraph 0's own.
    streamingFloor: streamingFloor(sg, graph.subgraphs.length === 1 ? buffers.map(floorBuffer) : passTimeline(sg, kernels), kernels.customOps),
    unknownScratchOps,
  };
}
