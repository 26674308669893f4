// Tensor lifetimes exactly as TFLM's AllocationInfoBuilder marks them
// (micro_allocation_info.cc), in TFLM's allocation-scope time:
//   0        before the first operator (graph inputs are created here),
//   k + 1    while operator k runs,
//   -1       never touched (TFLM's kUninitializedLifetime).
// Invariant: for every touched tensor, 0 <= first <= last <= ops.length.

import { TinysegError } from '../errors.js';
import type { Graph, Subgraph } from '../graph/graph.js';
import { checkedCalls } from '../graph/subgraph-calls.js';

export const NEVER = -1;

export interface Lifetimes {
  first: Int32Array;
  last: Int32Array;
  /** The time of the last operator; graph outputs live until here. */
  end: number;
}

/** Time at which operator `op` runs. */
export const opTime = (op: number): number => op + 1;

/** The operator that runs at `time` (the inverse of opTime; -1 before the first). */
export const opAt = (time: number): number => time - 1;

export function tflmLifetimes(sg: Subgraph): Lifetimes {
  const n = sg.tensors.length;
  const first = new Int32Array(n).fill(NEVER);
  const last = new Int32Array(n).fill(NEVER);
  const create = (t: number, time: number): void => {
    if (first[t] === NEVER) first[t] = time;
  };
  for (const t of sg.inputs) {
    create(t, 0);
    last[t] = 0;
  }
  sg.ops.forEach((op, i) => {
    const time = opTime(i);
    for (const t of op.outputs) create(t, time);
    for (const t of op.inputs) if (t >= 0) last[t] = time;
    for (const t of op.outputs) last[t] = time;
  });
  const end = sg.ops.length;
  for (const t of sg.outputs) {
    create(t, end);
    last[t] = end;
  }
  return { first, last, end };
}

/**
 * Lifetimes of every subgraph's tensors in one time line, as TFLM marks them
 * for a model with several subgraphs: the marking starts in subgraph 0 and,
 * at each IF, WHILE or CALL_ONCE, enters the subgraphs it calls (each entry a
 * new scope) before the operator's inputs get their last use, so the calling
 * operator's inputs and scratch stay live over the whole call. A subgraph
 * entered twice keeps its first creation and its last use; a subgraph never
 * entered stays NEVER. For a single subgraph this is tflmLifetimes.
 */
export interface GraphLifetimes {
  /** Per subgraph, per tensor. */
  first: Int32Array[];
  last: Int32Array[];
  /** Per subgraph, per operator: the scope its scratch buffers span (NEVER when never reached). */
  scratchFirst: Int32Array[];
  scratchLast: Int32Array[];
  /** Per subgraph, per operator: the time it runs at (its first visit; NEVER when never reached). */
  opTimes: Int32Array[];
  /** How often the marking entered each subgraph (subgraph 0 once). */
  entries: Int32Array;
  /** The last scope count. */
  end: number;
}

/** Control-flow nesting deeper than this is taken for a recursion (TFLM would recurse until its stack overflows). */
const MAX_CALL_DEPTH = 64;

export function tflmGraphLifetimes(graph: Graph): GraphLifetimes {
  const subgraphs = graph.subgraphs;
  const fill = (n: number): Int32Array => new Int32Array(n).fill(NEVER);
  const first = subgraphs.map((sg) => fill(sg.tensors.length));
  const last = subgraphs.map((sg) => fill(sg.tensors.length));
  const scratchFirst = subgraphs.map((sg) => fill(sg.ops.length));
  const scratchLast = subgraphs.map((sg) => fill(sg.ops.length));
  const opTimes = subgraphs.map((sg) => fill(sg.ops.length));
  const entries = new Int32Array(subgraphs.length);
  let scope = 0;
  const created = (f: Int32Array, i: number): void => {
    if (f[i] === NEVER) f[i] = scope;
  };
  const mark = (s: number, depth: number): void => {
    if (depth > MAX_CALL_DEPTH) throw new TinysegError('E_MODEL', `subgraph ${s} is called ${MAX_CALL_DEPTH} levels deep: recursive control flow`);
    const sg = subgraphs[s]!;
    entries[s]!++;
    const [f, l] = [first[s]!, last[s]!];
    for (const t of sg.inputs) {
      created(f, t);
      l[t] = scope;
    }
    sg.ops.forEach((op, i) => {
      scope++;
      if (opTimes[s]![i] === NEVER) opTimes[s]![i] = scope;
      for (const t of op.outputs) created(f, t);
      const start = scope;
      for (const callee of checkedCalls(op, subgraphs.length, `subgraph ${s} operator ${i}`)) {
        scope++;
        mark(callee, depth + 1);
      }
      for (const t of op.inputs) if (t >= 0) l[t] = scope;
      for (const t of op.outputs) l[t] = scope;
      if (scratchFirst[s]![i] === NEVER) scratchFirst[s]![i] = start;
      scratchLast[s]![i] = scope;
    });
    for (const t of sg.outputs) {
      created(f, t);
      l[t] = scope;
    }
  };
  mark(0, 0);
  return { first, last, scratchFirst, scratchLast, opTimes, entries, end: scope };
}
