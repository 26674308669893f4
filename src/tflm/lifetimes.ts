// Tensor lifetimes exactly as TFLM's AllocationInfoBuilder marks them
// (micro_allocation_info.cc), in TFLM's allocation-scope time:
//   0        before the first operator (graph inputs are created here),
//   k + 1    while operator k runs,
//   -1       never touched (TFLM's kUninitializedLifetime).
// Invariant: for every touched tensor, 0 <= first <= last <= ops.length.

import type { Subgraph } from '../graph/graph.js';

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
