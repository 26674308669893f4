// Row joins written in place: a CONCATENATION on the row axis of a batch-1
// tensor copies each input as one contiguous block, in order, into the output
// (TFLM's reference Concatenation: outer size 1, one memcpy per input). When
// every input dies there, each can be computed straight into its slice of the
// output: placed at the output's offset plus the bytes of the inputs before it,
// the copy writes every byte onto itself, and the output exists, slice by
// slice, from the first input's writer on. Row bands (split-row-bands.ts) end in
// such a join, so a band chain ending in a graph output writes the output band
// by band instead of holding the bands and the output at once.
//
// The planner (memory/place-arena.ts) places such inputs inside the output, the
// passes' timeline (tflm/arena.ts) counts them as the output's bytes, and the
// interpreter's plan check accepts exactly these overlaps. On the device the
// join's memcpy then has the same source and destination: C leaves memcpy over
// overlapping objects undefined, though a copy of bytes onto themselves leaves
// them as they are in every memcpy a Cortex-M build links (a byte, word or
// block at a time); that is the one assumption beyond TFLM's own code.

import { builtinOptions } from '../graph/op-options.js';
import type { Subgraph } from '../graph/graph.js';
import type { InPlacePair } from './in-place.js';

/** One input of a row join written in place: `part` sits at `offset` bytes into `output`. */
export interface JoinSlice {
  op: number;
  output: number;
  part: number;
  offset: number;
}

/**
 * The inputs of row joins that may sit inside their output: CONCATENATION on axis 1 of a batch-1 output, no fused
 * activation, every input an activation of the output's type that the join alone reads, written by an operator
 * of the graph, not a graph input or output; each slice's offset a multiple of `alignment` (TFLM's arena alignment,
 * so every tensor keeps its aligned start).
 */
export function rowJoinSlices(sg: Subgraph, alignment: number): JoinSlice[] {
  const out: JoinSlice[] = [];
  const graphIo = new Set([...sg.inputs, ...sg.outputs]);
  sg.ops.forEach((op, k) => {
    if (op.opcode !== 'CONCATENATION' || op.outputs.length !== 1) return;
    const y = sg.tensors[op.outputs[0]!]!;
    const o = builtinOptions(op, 'ConcatenationOptions');
    const axis = o.axis < 0 ? o.axis + y.shape.length : o.axis;
    if (axis !== 1 || y.shape[0] !== 1 || o.fusedActivationFunction !== 0 || y.kind !== 'activation' || sg.inputs.includes(y.index)) return;
    if (new Set(op.inputs).size !== op.inputs.length) return;
    const slices: JoinSlice[] = [];
    let offset = 0;
    for (const t of op.inputs) {
      const x = sg.tensors[t];
      const readers = x ? sg.consumersOf(t) : [];
      const ok = x && x.kind === 'activation' && x.dtype === y.dtype && !graphIo.has(t) && sg.producerOf(t) >= 0 && readers.length === 1 && readers[0] === k && offset % alignment === 0;
      if (!ok) return;
      slices.push({ op: k, output: y.index, part: t, offset });
      offset += x.byteSize;
    }
    if (offset !== y.byteSize) return;
    out.push(...slices);
  });
  return out;
}

/** A tensor's place in its alias group: the group's root tensor and the tensor's byte offset from it. */
export interface AliasMember {
  root: number;
  offset: number;
}

/**
 * Groups of tensors that share bytes (in-place pairs at their offset, row-join slices inside their output), as
 * tensor -> root and offset from it, offsets of a group 0 or more. A link that would contradict the group's
 * offsets is left out.
 */
export function aliasGroups(pairs: readonly InPlacePair[], joins: readonly JoinSlice[]): Map<number, AliasMember> {
  const parent = new Map<number, AliasMember>();
  const find = (t: number): AliasMember => {
    let root = t;
    let offset = 0;
    for (let p = parent.get(root); p && p.root !== root; p = parent.get(root)) {
      offset += p.offset;
      root = p.root;
    }
    return { root, offset };
  };
  // `b` sits `delta` bytes after `a`.
  const link = (a: number, b: number, delta: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra.root === rb.root) return;
    // rb.root sits at (a's place + delta - rb.offset) from ra.root.
    parent.set(rb.root, { root: ra.root, offset: ra.offset + delta - rb.offset });
    if (!parent.has(ra.root)) parent.set(ra.root, { root: ra.root, offset: 0 });
  };
  for (const p of pairs) link(p.input, p.output, p.offset);
  for (const j of joins) link(j.output, j.part, j.offset);
  const members = new Map<number, AliasMember>();
  for (const t of parent.keys()) members.set(t, find(t));
  // Offsets from the group's lowest byte, so none is negative.
  const low = new Map<number, number>();
  for (const m of members.values()) low.set(m.root, Math.min(low.get(m.root) ?? 0, m.offset));
  for (const [t, m] of members) members.set(t, { root: m.root, offset: m.offset - low.get(m.root)! });
  return members;
}
