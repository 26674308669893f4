// Where each spill decision's operators sit in the written model. The spill
// pass records positions when it lays out the region; the passes after it
// (row bands again, the conv on a virtual concatenation, convs in place) insert
// and merge operators, so the report takes them from the final graph: the
// spill that writes the decision's slot (the first, where row bands write it
// row by row), and the last operator that reads the slot back before another
// spill writes over its bytes.

//
// A decision whose slot no operator writes any more is gone: row bands that
// run through a residual block the spill pass sent to the region add each
// band's own rows instead (transform/split-row-bands.ts, Chain.joins), and the
// spill and its TinySegAddFetch go. The traffic and the region's size are the
// remaining decisions'.

import type { Graph } from '../graph/graph.js';
import { CONCAT_CONV, decodeConcatConvOptions, decodeSpillOptions, slotReaders, SPILL, type SpillOptions } from '../ops/tinyseg/custom-ops.js';
import { concatConvOutput } from '../ops/tinyseg/concat-conv-kernel.js';
import type { SpillDecision, SpillResult } from '../transform/spill-cold-ranges.js';
import { alignArena } from '../tflm/alignment.js';

/** The spill pass's result as the written model has it: its decisions placed there, the absorbed ones dropped. */
export function writtenSpills(graph: Graph, spill: SpillResult): Pick<SpillResult, 'bytesOut' | 'bytesIn' | 'regionBytes' | 'decisions'> {
  const placed = spillPositions(graph, spill.decisions);
  const decisions = placed.filter((d): d is SpillDecision => d !== null);
  if (decisions.length === placed.length) return { bytesOut: spill.bytesOut, bytesIn: spill.bytesIn, regionBytes: spill.regionBytes, decisions };
  // An absorbed slot was written once and read once, whole, by the TinySegAddFetch the bands replaced.
  const gone = spill.decisions.filter((_, i) => placed[i] === null).reduce((n, d) => n + d.bytes, 0);
  return {
    bytesOut: spill.bytesOut - gone,
    bytesIn: spill.bytesIn - gone,
    regionBytes: Math.max(0, ...decisions.map((d) => d.offset + alignArena(d.bytes))),
    decisions,
  };
}

/** Two spill passes' results as one: the second laid its slots out around the first's, so its region holds both. */
export function joinSpills(first: SpillResult, second: SpillResult): SpillResult {
  if (second.decisions.length === 0) return first;
  return {
    decisions: [...first.decisions, ...second.decisions],
    bytesOut: first.bytesOut + second.bytesOut,
    bytesIn: first.bytesIn + second.bytesIn,
    regionBytes: Math.max(first.regionBytes, second.regionBytes),
  };
}

/** Each decision with the positions of its operators in the written model, or null where no operator writes its slot. */
function spillPositions(graph: Graph, decisions: readonly SpillDecision[]): (SpillDecision | null)[] {
  const sg = graph.main;
  const used = new Set<number>();
  const spills = sg.ops.flatMap((op, k) => (op.opcode === 'CUSTOM' && op.customCode === SPILL ? [{ k, o: decodeSpillOptions(op.customOptions) }] : []));
  // Convolutions that write a slot's rows themselves (ConcatConvOptions.out), every channel, in model order: no tensor
  // names them, and two slots of the same bytes are written in the order of their decisions (streamLayers').
  const rowWriters = sg.ops.flatMap((op, k) => {
    const o = op.customCode === CONCAT_CONV ? decodeConcatConvOptions(op.customOptions) : undefined;
    const out = o?.out;
    const channels = out ? concatConvOutput(op, sg.tensors, o)?.shape[3] : undefined;
    return out && channels ? [{ k, o: { ...out, begin: 0, count: channels } }] : [];
  });
  const read = (k: number) => sg.tensors[sg.ops[k]!.inputs[0]!]?.name ?? '';
  const same = (o: SpillOptions, d: SpillDecision) => o.offset === d.offset && o.bytes === d.bytes && o.begin === d.begin && o.count === d.count;
  const wholeSpill = (d: SpillDecision, named: (name: string) => boolean) => {
    const found = spills.find(({ k, o }) => !used.has(k) && same(o, d) && named(read(k)));
    if (found) used.add(found.k);
    return found;
  };
  // The spills that read the decision's tensor by its name first, for every decision: a spill of the same tensor
  // made later by the pass, fetching it back before this one's spill, has that spill read the fetched copy
  // (`<name>_fetched`, `<name>_fetched_1`, ...; spill-cold-ranges.ts redirects every later read), and the copy
  // may carry the name of another decision's tensor.
  const byName = decisions.map((d) => wholeSpill(d, (name) => name === d.tensor));
  return decisions.map((d, i) => {
    const end = d.offset + d.bytes;
    const whole = byName[i] ?? wholeSpill(d, (name) => isFetchedCopy(name, d.tensor));
    // Or written by row bands, each its rows (split-row-bands.ts rowTaps): spills of whole rows inside the slot, one
    // after the other in the model, that together write every byte of it.
    // The bands name their tensors after the tensor they compute (`<name>_band<j>`, `<name>_spill<j>`): another
    // decision's slot may have the same bytes at another time, written by other bands.
    const inSlot = whole ? [] : spills.filter(({ k, o }) => !used.has(k) && o.offset >= d.offset && o.offset + o.bytes <= end && read(k).startsWith(`${d.tensor}_`));
    // Else a convolution that writes the whole slot itself: the first not taken yet of its bytes and channels.
    const writer = whole || d.quantized ? undefined : rowWriters.find(({ k, o }) => !used.has(k) && same(o, d));
    const parts = whole ? [whole] : (rowParts(inSlot, d) ?? (writer ? [writer] : null));
    if (!parts) return null;
    for (const p of parts) used.add(p.k);
    const spillOp = parts[0]!.k;
    const fetchOp = slotReaders(sg.ops, parts[parts.length - 1]!.k, d.offset, d.bytes).at(-1) ?? -1;
    const rows = whole ? {} : { spilled: 'rows' as const };
    return fetchOp < 0 ? { ...d, spillOp, ...rows } : { ...d, spillOp, fetchOp, ...rows };
  });
}

/** `name` is a copy of `tensor` fetched back from the spill region, once or more. */
const isFetchedCopy = (name: string, tensor: string): boolean => name.startsWith(tensor) && /^(?:_fetched(?:_\d+)?)+$/.test(name.slice(tensor.length));

/** `inside` (in model order) as the consecutive pieces of `d`'s slot from its start to its end, or null. */
function rowParts<T extends { o: { offset: number; bytes: number; begin: number } }>(inside: readonly T[], d: SpillDecision): T[] | null {
  if (d.quantized || d.begin !== 0 || d.count !== d.channels) return null;
  let at = d.offset;
  const parts: T[] = [];
  for (const p of inside) {
    if (p.o.offset !== at || p.o.begin !== 0) continue;
    parts.push(p);
    at += p.o.bytes;
  }
  return parts.length > 0 && at === d.offset + d.bytes ? parts : null;
}
