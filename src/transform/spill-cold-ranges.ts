// Cold-range spilling (TinySeg): a tensor that is not touched for a while is
// copied to the spill region after its last use before the gap and fetched
// back just before its next use, so its arena bytes are free in between.
//
// The victim, the gap and the channel slice are chosen by a cost model, round
// by round: take the time where the live bytes peak; every tensor alive there
// but not used there is a candidate, spilled whole or in part (the last
// 1/4, 1/2 or 3/4 of its channels; the rest stays resident in a smaller
// buffer); score each by how much it lowers the peak of the whole timeline
// (the lower bound any placement must reach) against the bytes it moves.
// Fetching into a CONCATENATION on the channel axis or into an ADD is fused:
// the concatenation copies the part straight from the region into its output,
// the ADD reads its operand from the region, so the fetched tensor never has
// a buffer. A tensor that row bands read as a side input (split-row-bands.ts:
// every later reader a STRIDED_SLICE of its rows) is fetched row slice by row
// slice: each slice becomes a fetch of its rows from the middle of the slot
// (a batch-1 tensor's rows are consecutive bytes), so it is never whole again.
// Where only such slices read a tensor before a whole spill of it, a later
// round may move the spill up to its producer and fetch those slices too
// (hoistCandidate), once the peak sits where the tensor waits for its spill.
// A fetch whose one reader, right after it, is a PAD of rows and columns (a
// convolution's band) fetches its rows framed instead (frameFetchedRows).
// With `quantizeFloat` (--lossy-spill int8, the one lossy option)
// float32 slices are stored as int8 codes: a quarter of the traffic.

import { optionsWithDefaults } from '../graph/builder.js';
import type { Graph, Op, Subgraph, Tensor } from '../graph/graph.js';
import { builtinOptions } from '../graph/op-options.js';
import {
  ADD_FETCH,
  CONCAT_FETCH,
  decodeAddFetchOptions,
  encodeAddFetchOptions,
  decodeConcatFetchOptions,
  decodeFetchOptions,
  decodeSpillOptions,
  encodeConcatFetchOptions,
  encodeFetchOptions,
  encodeSpillOptions,
  FETCH,
  regionReads,
  regionWrite,
  slotBytes,
  SPILL,
  type ConcatFetchOptions,
} from '../ops/tinyseg/custom-ops.js';
import { alignArena } from '../tflm/alignment.js';
import { lowestJoinedTimeline, shareInPlacePairs, type TimelineBuffer } from '../tflm/arena.js';
import type { Kernels } from '../ops/registry.js';
import { opAt, opTime } from '../tflm/lifetimes.js';
import { activationLike, freshName, int32Const, newOp, redirectReads, removeUnusedTensors } from './rewrite.js';
import { paddingsOf, sliceBounds, stridedSliceRowRule } from '../ops/row-rule.js';
import { layOutSpillRegion } from './spill-region.js';
import { sameQuantization, zeroOf } from './fold-pads-into-convs.js';

export interface SpillOptionsInput {
  /** Stop before the spill traffic per inference (bytes written + read) would exceed this. */
  maxSpillBytes?: number;
  /** Stop as soon as the peak is at most this many bytes (least traffic that fits). */
  arenaBudget?: number;
  /** Stop after this many rounds, each a spill or an earlier spill moved up (the caller measured that more do not help the placed arena). */
  maxDecisions?: number;
  /** Called after each round with the edited subgraph (to measure what the placement makes of it); false: no more rounds. */
  afterDecision?: (sg: Subgraph) => boolean | void;
  /** Store float32 slices as quantized slots (docs/custom-ops.md): lossy, a quarter of the bytes. */
  quantizeFloat?: boolean;
  /** The kernels whose scratch the arena holds (default: reference). */
  kernels?: Kernels;
  /**
   * The graph has spills already (an earlier run of this pass): their slots stay where they are, taken as one block
   * of the region busy from the first of their operators to the last, and the new slots go around it.
   */
  keepRegion?: boolean;
  /** In-place pairs (TinySegConvInPlace among them) share their bytes at their operator, as the placement lays them out. */
  inPlaceShared?: boolean;
}

export interface SpillDecision {
  tensor: string;
  /** Channels [begin, begin + count) of the last axis went to the spill region. */
  begin: number;
  count: number;
  channels: number;
  /** Bytes in the spill region (a quantized slot's header and codes). */
  bytes: number;
  /** Stored as int8 codes (--lossy-spill int8); absent when exact. */
  quantized?: true;
  /**
   * Indices of the spill operator and of the operator that brings the data back (row fetches: the last), in the
   * graph as this pass leaves it; optimize() reports them in the written model (optimize/spill-positions.ts).
   */
  spillOp: number;
  fetchOp: number;
  fused: Fusion | null;
  /**
   * `"rows"`: written to the slot by row bands, each band its own rows (a TinySegSpill each, `spillOp` the first),
   * so the tensor never exists whole (transform/split-row-bands.ts rowTaps); absent: one spill of the whole tensor.
   */
  spilled?: 'rows';
  /**
   * Written and fetched by the bands of streamed layers (transform/stream-layers.ts), one decision per streamed
   * tensor; `peakBefore` and `peakAfter` are then the graph's bound before and after all of them. Absent otherwise.
   */
  streamed?: true;
  /** Peak live bytes before and after this decision (lower bound of the timeline). */
  peakBefore: number;
  peakAfter: number;
  /** Offset in the spill region. */
  offset: number;
}

export interface SpillResult {
  decisions: SpillDecision[];
  /** Bytes written to / read from the spill region per inference. */
  bytesOut: number;
  bytesIn: number;
  /** Size of the spill region (slots are reused once their data has been fetched). */
  regionBytes: number;
  /** Streamed layers (transform/stream-layers.ts): the operators run in row bands and their bands; absent for cold-range spills. */
  streamed?: { layers: number; bands: number; ops: string[] };
}

/** Fetched into a concatenation, into an ADD, or row slice by row slice into the slices' outputs. */
type Fusion = 'concat' | 'add' | 'rows';

const FRACTIONS = [1, 3 / 4, 1 / 2, 1 / 4];
const SPILLABLE = new Set(['int8', 'uint8', 'int16', 'int32', 'float32']);

interface Candidate {
  tensor: number;
  /** Op index of the last use before the gap (-1: a graph input, spilled before op 0) and of the next use. */
  after: number;
  before: number;
  count: number;
  fused: Fusion | null;
  gain: number;
  /** Fewer stretches at the peak, when the peak itself stays. */
  plateauGain: number;
  peakAfter: number;
  traffic: number;
  /** Bytes of the slot in the spill region. */
  stored: number;
  quantized: boolean;
  /** Fused 'rows': the slices that become fetches, and the first row each reads. */
  rowSlices: { op: number; row: number }[];
  /** A whole spill of this run moved up to just after the producer, the row slices before it fetched from its slot. */
  hoist?: Op;
}

/**
 * Peak of live bytes over intervals with fractional times, and how many
 * stretches of the timeline sit at that peak: lowering either is progress
 * (a plateau of equal peaks needs several spills before the peak drops).
 */
function peakOf(intervals: readonly { size: number; first: number; last: number }[]): { peak: number; atPeak: number } {
  const events: [number, number][] = [];
  for (const b of intervals) {
    if (b.first < 0 || b.size === 0) continue;
    events.push([b.first, b.size], [b.last, -b.size]);
  }
  // Starts before ends at the same time: lifetimes are inclusive.
  events.sort((x, y) => x[0] - y[0] || y[1] - x[1]);
  let live = 0;
  let peak = 0;
  let atPeak = 0;
  for (const [, d] of events) {
    live += d;
    if (live > peak) {
      peak = live;
      atPeak = 1;
    } else if (live === peak && d > 0) atPeak++;
  }
  return { peak, atPeak };
}

export function spillColdRanges(graph: Graph, opts: SpillOptionsInput): SpillResult {
  const sg = graph.main;
  const maxTraffic = opts.maxSpillBytes ?? Infinity;
  const decisions: SpillDecision[] = [];
  let traffic = 0;
  let bytesOut = 0;
  const slots: Slot[] = [];
  let rowsFetched = false;
  // The region as an earlier run left it: its operators (spills, and reads, which may read several slots' bytes).
  const touchesRegion = (op: Op) => op.customCode && (regionWrite(op.customCode, op.customOptions) || regionReads(op.customCode, op.customOptions));
  const earlier = opts.keepRegion ? sg.ops.filter(touchesRegion) : [];

  const rounds = Math.min(4 * sg.tensors.length, opts.maxDecisions ?? Infinity);
  for (let round = 0; round < rounds; round++) {
    const joined = lowestJoinedTimeline(sg, opts.kernels).buffers;
    const buffers = opts.inPlaceShared ? shareInPlacePairs(sg, joined) : joined;
    const base = peakOf(buffers);
    if (opts.arenaBudget !== undefined && base.peak <= opts.arenaBudget) break;
    const own = new Set(slots.map((s) => s.spill));
    const cand = bestCandidate(sg, buffers, base, maxTraffic - traffic, opts.arenaBudget !== undefined, opts.quantizeFloat === true, own);
    if (!cand) break;
    if (cand.hoist) {
      hoistSpill(sg, cand, slots.find((s) => s.spill === cand.hoist)!);
      traffic += cand.traffic;
      rowsFetched = true;
      if (opts.afterDecision?.(sg) === false) break;
      continue;
    }
    const x = sg.tensors[cand.tensor]!;
    const channels = x.shape[x.shape.length - 1]!;
    const bytes = cand.stored;
    const applied = applySpill(sg, cand, channels);
    traffic += cand.traffic;
    bytesOut += cand.stored;
    decisions.push({
      tensor: x.name,
      begin: channels - cand.count,
      count: cand.count,
      channels,
      bytes,
      ...(cand.quantized ? { quantized: true as const } : {}),
      spillOp: -1,
      fetchOp: -1,
      fused: cand.fused,
      peakBefore: base.peak,
      peakAfter: cand.peakAfter,
      offset: 0,
    });
    slots.push({ offset: 0, bytes, ...applied });
    if (opts.afterDecision?.(sg) === false) break;
  }
  const framed = frameFetchedRows(sg, slots);
  // Row fetches leave the slices' begin, end and strides unread; framed fetches their PADs' paddings.
  if (framed > 0 || rowsFetched || decisions.some((d) => d.fused === 'rows')) removeUnusedTensors(sg);

  // Region offsets, once the op positions are final: a slot is busy from its spill to its last read.
  const busy = slots.map((s) => ({ ...s, from: sg.ops.indexOf(s.spill), to: Math.max(...s.reads.map((r) => sg.ops.indexOf(r.op))) }));
  // Its bytes are taken as one slot, busy from its first operator to its last: the new slots go above it or beside it in time.
  const kept = earlier.map((op) => sg.ops.indexOf(op)).filter((k) => k >= 0);
  const keptSlots = earlier.flatMap((op) => regionWrite(op.customCode!, op.customOptions) ?? []);
  const keptBytes = Math.max(0, ...keptSlots.map((o) => o.offset + o.bytes));
  const held = kept.length > 0 && keptBytes > 0 ? [{ offset: 0, bytes: keptBytes, from: Math.min(...kept), to: Math.max(...kept) }] : [];
  const { offsets, regionBytes } = layOutSpillRegion(busy, held);
  busy.forEach((s, i) => {
    setRegionOffset(s.spill, offsets[i]!);
    for (const r of s.reads) setRegionOffset(r.op, offsets[i]! + r.at);
    decisions[i]!.offset = offsets[i]!;
    decisions[i]!.spillOp = s.from;
    decisions[i]!.fetchOp = s.to;
  });
  // Row fetches read back more than was written where the bands' slices overlap.
  return { decisions, bytesOut, bytesIn: traffic - bytesOut, regionBytes };
}

function bestCandidate(
  sg: Subgraph,
  buffers: readonly TimelineBuffer[],
  base: { peak: number; atPeak: number },
  trafficLeft: number,
  perByte: boolean,
  quantizeFloat: boolean,
  ownSpills: ReadonlySet<Op>,
): Candidate | null {
  // Every time step where the live bytes reach the peak.
  const starts = [...new Set(buffers.map((b) => b.first))].filter((t) => t >= 0).sort((a, b) => a - b);
  const peakTimes = starts.filter((t) => buffers.reduce((n, b) => (b.first <= t && t <= b.last ? n + b.size : n), 0) === base.peak);
  const inputs = new Set(sg.inputs);
  const seen = new Set<string>();
  let best: Candidate | null = null;
  const score = (k: Candidate) => (perByte ? (k.gain + k.plateauGain * 1e-9) / k.traffic : k.gain + k.plateauGain * 1e-9);
  for (const b of buffers) {
    if (b.tensor === null) continue;
    const x = sg.tensors[b.tensor]!;
    if (x.kind !== 'activation' || !SPILLABLE.has(x.dtype) || x.shape.length === 0) continue;
    // Uses, in TFLM time: the producer (or 0 for a graph input) and the readers.
    const producer = sg.producerOf(x.index);
    const uses = [producer >= 0 ? opTime(producer) : inputs.has(x.index) ? 0 : -1, ...sg.consumersOf(x.index).map(opTime)];
    if (uses[0]! < 0) continue;
    const hoist = peakTimes.some((pt) => b.first < pt && pt <= b.last) ? hoistCandidate(sg, x, b, uses[0]!, buffers, base, trafficLeft, ownSpills) : null;
    if (hoist && (!best || score(hoist) > score(best) || (score(hoist) === score(best) && hoist.traffic < best.traffic))) best = hoist;
    for (const pt of peakTimes) {
      if (!(b.first < pt && pt <= b.last)) continue;
      // The gap around the peak: u0 < pt < u1, or pt = u1 when the use there is a fusable concatenation.
      let j = 0;
      while (j + 1 < uses.length && uses[j + 1]! < pt) j++;
      if (j + 1 >= uses.length) continue; // alive at the peak only as a graph output
      const [u0, u1] = [uses[j]!, uses[j + 1]!];
      if (u1 - u0 < 2 || seen.has(`${x.index}:${u0}`)) continue;
      const beforeOp = opAt(u1);
      const laterUses = uses.length > j + 2 || sg.outputs.includes(x.index);
      const fusion = laterUses ? null : fusionInto(sg, sg.ops[beforeOp]!, x);
      const rowSlices = sg.outputs.includes(x.index) ? null : rowSlicesFrom(sg, x, uses.slice(j + 1).map(opAt));
      if (pt === u1 && !fusion && !rowSlices) continue;
      seen.add(`${x.index}:${u0}`);
      const channels = x.shape[x.shape.length - 1]!;
      const lossy = quantizeFloat && x.dtype === 'float32';
      for (const f of FRACTIONS) {
        const count = Math.round(channels * f);
        if (count < 1 || (f < 1 && count >= channels)) continue;
        const sliceBytes = (x.byteSize / channels) * count;
        const resident = alignArena(x.byteSize - sliceBytes);
        // ADD reads whole operands: its fused fetch takes the whole tensor. Row fetches take whole rows from a plain
        // slot (a quantized slot's header sits at its start): exact, also under --lossy-spill.
        const fusions: (Fusion | null)[] = fusion && (fusion === 'concat' || count === channels) ? [fusion, null] : [null];
        if (rowSlices && count === channels) fusions.unshift('rows');
        for (const fused of fusions) {
          const quantized = lossy && fused !== 'rows';
          // A quantized slot holds one byte per float32 element, after its header.
          const stored = quantized ? slotBytes(sliceBytes / 4, 4, true) : sliceBytes;
          // Row slices overlap where bands recompute halo rows: each is read back on its own.
          const traffic = fused === 'rows' ? stored + rowSlices!.reduce((n, r) => n + sg.tensors[sg.ops[r.op]!.outputs[0]!]!.byteSize, 0) : 2 * stored;
          if (traffic > trafficLeft) continue;
          if (pt === u1 && !fused) continue;
          // The timeline after the edit, with inserted ops between integer times.
          const spillAt = u0 + 0.5;
          const fetchAt = u1 - 0.5;
          const intervals: { size: number; first: number; last: number }[] = buffers.filter((o) => o !== b);
          intervals.push({ size: b.size, first: b.first, last: spillAt });
          if (count < channels) intervals.push({ size: resident, first: spillAt, last: fused ? u1 : fetchAt });
          if (!fused) intervals.push({ size: b.size, first: fetchAt, last: b.last });
          // Fetched as rows, x never comes back: each slice's output is written from the region where it was cut.
          const after = peakOf(intervals);
          const gain = base.peak - after.peak;
          const plateauGain = gain === 0 ? base.atPeak - after.atPeak : 0;
          if (gain < 0 || (gain === 0 && plateauGain <= 0)) continue;
          const c: Candidate = {
            tensor: x.index, after: opAt(u0), before: beforeOp, count, fused, gain, plateauGain, peakAfter: after.peak, traffic, stored, quantized,
            rowSlices: fused === 'rows' ? rowSlices! : [],
          };
          if (!best || score(c) > score(best) || (score(c) === score(best) && c.traffic < best.traffic)) best = c;
        }
      }
    }
  }
  return best;
}

const isLastAxis = (axis: number, rank: number) => axis === rank - 1 || axis === -1;

/**
 * A whole, plain spill of `x` made earlier in this run that only row slices read before: moved up to just after the
 * producer (TFLM time `made`), with those slices fetched from its slot, x's life ends there. An earlier spill is
 * chosen against a later one on a tie of the peak (less traffic); once the peak sits where x waits for its spill
 * beside the first bands, this takes the bands' rows from the slot too.
 */
function hoistCandidate(
  sg: Subgraph,
  x: Tensor,
  b: TimelineBuffer,
  made: number,
  buffers: readonly TimelineBuffer[],
  base: { peak: number; atPeak: number },
  trafficLeft: number,
  ownSpills: ReadonlySet<Op>,
): Candidate | null {
  const readers = sg.consumersOf(x.index);
  const at = readers[readers.length - 1];
  const spill = at === undefined ? undefined : sg.ops[at]!;
  if (!spill || !ownSpills.has(spill) || readers.length < 2 || sg.outputs.includes(x.index)) return null;
  const o = decodeSpillOptions(spill.customOptions);
  if (o.quantized || o.begin !== 0 || o.count !== x.shape[x.shape.length - 1] || o.bytes !== x.byteSize) return null;
  const slices = rowSlicesFrom(sg, x, readers.slice(0, -1));
  if (!slices) return null;
  const traffic = slices.reduce((n, r) => n + sg.tensors[sg.ops[r.op]!.outputs[0]!]!.byteSize, 0);
  if (traffic > trafficLeft) return null;
  const after = peakOf([...buffers.filter((o) => o !== b), { size: b.size, first: b.first, last: made + 0.5 }]);
  const gain = base.peak - after.peak;
  const plateauGain = gain === 0 ? base.atPeak - after.atPeak : 0;
  if (gain < 0 || (gain === 0 && plateauGain <= 0)) return null;
  return {
    tensor: x.index, after: opAt(made), before: at!, count: o.count, fused: 'rows', gain, plateauGain, peakAfter: after.peak, traffic, stored: 0, quantized: false,
    rowSlices: slices, hoist: spill,
  };
}

/**
 * The fetch at `k`, when its one reader is a PAD of rows and columns right after it (a convolution's band, or a band
 * of a PAD, fetched from a slot), as a fetch of its rows framed instead (TinySegFetch's pad options: what the PAD
 * writes, into the PAD's output): no PAD, no second copy of the band. The new fetch, or null where none is made.
 */
export function frameFetch(sg: Subgraph, k: number): Op | null {
  const fetch = sg.ops[k]!;
  const pad = sg.ops[k + 1];
  if (fetch.customCode !== FETCH || fetch.inputs.length > 0 || pad?.opcode !== 'PAD' || pad.inputs[0] !== fetch.outputs[0]) return null;
  const x = sg.tensors[fetch.outputs[0]!]!;
  const y = sg.tensors[pad.outputs[0]!]!;
  const o = decodeFetchOptions(fetch.customOptions);
  const pads = paddingsOf(sg, pad);
  const plain = !o.quantized && !o.pad && o.begin === 0 && o.count === x.shape[3];
  if (!plain || !pads || x.shape.length !== 4 || x.shape[0] !== 1 || sg.consumersOf(x.index).length !== 1 || sg.outputs.includes(y.index)) return null;
  // Rows and columns only: what a frame holds.
  const rowsAndColumns = [...pads[0]!, ...pads[3]!].every((n) => n === 0) && [...pads[1]!, ...pads[2]!].every((n) => n >= 0);
  if (x.dtype !== y.dtype || !sameQuantization(x, y) || !rowsAndColumns) return null;
  const frame: [number, number, number, number] = [pads[1]![0]!, pads[1]![1]!, pads[2]![0]!, pads[2]![1]!];
  const options = encodeFetchOptions({ ...o, pad: frame, padValue: zeroOf(y) });
  return sg.replaceOps(k, 2, [newOp({ opcode: 'CUSTOM', customCode: FETCH, inputs: [], outputs: [y.index], customOptions: options })])[0]!;
}

/** frameFetch on every fetch of this run (those of slots laid out before keep their places). The count. */
function frameFetchedRows(sg: Subgraph, slots: Slot[]): number {
  let framed = 0;
  for (const slot of slots) {
    slot.reads = slot.reads.map((read) => {
      const op = frameFetch(sg, sg.ops.indexOf(read.op));
      if (!op) return read;
      framed++;
      return { op, at: read.at };
    });
  }
  return framed;
}

/** Edits the graph for a hoist candidate: the spill moves up, and each slice before it reads its rows from `slot`. */
function hoistSpill(sg: Subgraph, c: Candidate, slot: Slot): void {
  const x = sg.tensors[c.tensor]!;
  const slices = c.rowSlices.map((r) => ({ op: sg.ops[r.op]!, row: r.row }));
  slot.spill = sg.insertOp(c.after + 1, sg.removeOp(sg.ops.indexOf(c.hoist!)));
  slot.reads.push(...rowFetches(sg, x, slices));
}

/**
 * When every one of `readers` (op positions) is a STRIDED_SLICE of whole rows of the batch-1 tensor `x` (every
 * column and channel: consecutive bytes of x), each with its first row; otherwise null.
 */
function rowSlicesFrom(sg: Subgraph, x: Tensor, readers: number[]): { op: number; row: number }[] | null {
  if (readers.length === 0 || x.shape.length !== 4 || x.shape[0] !== 1) return null;
  const out: { op: number; row: number }[] = [];
  for (const k of readers) {
    const op = sg.ops[k]!;
    if (op.opcode !== 'STRIDED_SLICE' || op.inputs[0] !== x.index || op.inputs.lastIndexOf(x.index) !== 0) return null;
    const y = sg.tensors[op.outputs[0]!]!;
    if (y.dtype !== x.dtype || y.shape.some((n, i) => i !== 1 && n !== x.shape[i])) return null;
    const rule = stridedSliceRowRule(sg, op, { x, out: y });
    // The crop rule keeps rows [top, H - bottom); the other axes are whole: x's sizes, from 0, stride 1.
    if (!rule || rule.kind !== 'crop' || !startsWhole(sg, op)) return null;
    out.push({ op: k, row: rule.top });
  }
  return out;
}

/** Whether a STRIDED_SLICE steps by 1 on every axis and starts every axis but the rows at 0. */
function startsWhole(sg: Subgraph, op: Op): boolean {
  const b = sliceBounds(sg, op);
  const mask = builtinOptions(op, 'StridedSliceOptions').beginMask;
  return b !== null && b.strides.every((v) => v === 1) && b.begin.every((v, i) => i === 1 || v === 0 || (mask & (1 << i)) !== 0);
}

/** How a fetch of `x` for `consumer` can be fused into it, if at all. */
function fusionInto(sg: Subgraph, consumer: Op, x: Tensor): Fusion | null {
  if (consumer.outputs.length !== 1 || consumer.inputs.filter((t) => t === x.index).length !== 1) return null;
  if (consumer.opcode === 'CONCATENATION') {
    const { axis, fusedActivationFunction } = builtinOptions(consumer, 'ConcatenationOptions');
    return fusedActivationFunction === 0 && isLastAxis(axis, x.shape.length) ? 'concat' : null;
  }
  if (consumer.opcode === 'ADD' && consumer.inputs.length === 2) {
    const y = sg.tensors[consumer.outputs[0]!]!;
    const same = (t: Tensor) => t.dtype === y.dtype && t.shape.join() === y.shape.join();
    const other = sg.tensors[consumer.inputs.find((t) => t !== x.index)!];
    const activation = builtinOptions(consumer, 'AddOptions').fusedActivationFunction;
    const typed = ['int8', 'int16', 'float32'].includes(y.dtype) && (y.dtype === 'float32' || (x.quantization?.scale.length ?? 0) === 1);
    return other && same(x) && same(other) && typed && activation <= 3 ? 'add' : null;
  }
  return null;
}

/** An operator that reads a slot, and where in the slot it starts reading (bytes). */
interface RegionRead {
  op: Op;
  at: number;
}

/** A slot of this run: where it goes in the region (set once laid out), its spill and its reads. */
interface Slot {
  offset: number;
  bytes: number;
  spill: Op;
  reads: RegionRead[];
}

/** Each slice of rows [r0, r1) of x becomes a fetch of those rows from x's whole slot: bytes [r0, r1) * rowBytes of it. */
function rowFetches(sg: Subgraph, x: Tensor, slices: readonly { op: Op; row: number }[]): RegionRead[] {
  const rowBytes = x.byteSize / x.shape[1]!;
  return slices.map(({ op, row }) => {
    const y = sg.tensors[op.outputs[0]!]!;
    const k = sg.ops.indexOf(op);
    sg.removeOp(k);
    const read = sg.insertOp(k, newOp({ opcode: 'CUSTOM', customCode: FETCH, inputs: [], outputs: [y.index], customOptions: encodeFetchOptions({ offset: 0, bytes: y.byteSize, begin: 0, count: x.shape[3]! }) }));
    return { op: read, at: row * rowBytes };
  });
}

/** Edits the graph: (slice +) spill after `after`, fetch (or fused concat or ADD fetch, or row fetches) before `before`. */
function applySpill(sg: Subgraph, c: Candidate, channels: number): { spill: Op; reads: RegionRead[] } {
  const x = sg.tensors[c.tensor]!;
  const begin = channels - c.count;
  const beforeOp = sg.ops[c.before]!;
  // The slices to become row fetches, taken before any insertion moves them.
  const slices = c.rowSlices.map((r) => ({ op: sg.ops[r.op]!, row: r.row }));
  let at = c.after + 1;
  let resident: Tensor | null = null;
  if (c.count < channels) {
    // Keep channels [0, begin) in a smaller buffer.
    // A resident part spilled again stays `<name>_resident` (freshName numbers it), not `_resident_resident`.
    resident = activationLike(sg, x, freshName(sg, `${x.name.replace(/(?:_resident(?:_\d+)?)+$/, '')}_resident`), [...x.shape.slice(0, -1), begin]);
    const rank = x.shape.length;
    const ints = (name: string, v: number[]) => int32Const(sg, `${x.name}_${name}`, v);
    sg.insertOp(
      at++,
      newOp({
        opcode: 'STRIDED_SLICE',
        version: 2,
        inputs: [x.index, ints('slice_begin', new Array(rank).fill(0)), ints('slice_end', [...x.shape.slice(0, -1), begin]), ints('slice_strides', new Array(rank).fill(1))],
        outputs: [resident.index],
        options: optionsWithDefaults('StridedSliceOptions', {}),
        optionsType: 'StridedSliceOptions',
      }),
    );
  }
  const spill = sg.insertOp(at, newOp({ opcode: 'CUSTOM', customCode: SPILL, inputs: [x.index], outputs: [], customOptions: encodeSpillOptions({ offset: 0, bytes: c.stored, begin, count: c.count, quantized: c.quantized }) }));
  let b = sg.ops.indexOf(beforeOp);
  let fetch: Op;
  if (c.fused === 'rows') return { spill, reads: rowFetches(sg, x, slices) };
  if (c.fused === 'add') {
    const add = sg.ops[b]!;
    const regionInput = add.inputs[0] === x.index ? 0 : 1;
    sg.removeOp(b);
    fetch = sg.insertOp(
      b,
      newOp({
        opcode: 'CUSTOM',
        customCode: ADD_FETCH,
        inputs: [add.inputs[1 - regionInput]!],
        outputs: [...add.outputs],
        customOptions: encodeAddFetchOptions({
          offset: 0,
          bytes: c.stored,
          quantized: c.quantized,
          regionInput,
          activation: builtinOptions(add, 'AddOptions').fusedActivationFunction,
          scale: x.quantization?.scale[0] ?? 0,
          zeroPoint: x.quantization?.zeroPoint[0] ?? 0,
        }),
      }),
    );
  } else if (c.fused === 'concat') {
    const concat = sg.ops[b]!;
    const inputs: number[] = [];
    const parts: ConcatFetchOptions['parts'] = [];
    for (const t of concat.inputs) {
      if (t === x.index) {
        if (resident) parts.push({ input: inputs.push(resident.index) - 1 });
        parts.push({ offset: 0, channels: c.count, ...(c.quantized ? { quantized: true } : {}) });
      } else {
        parts.push({ input: inputs.push(t) - 1 });
      }
    }
    sg.removeOp(b);
    fetch = sg.insertOp(b, newOp({ opcode: 'CUSTOM', customCode: CONCAT_FETCH, inputs, outputs: [...concat.outputs], customOptions: encodeConcatFetchOptions({ parts }) }));
  } else {
    const fetched = activationLike(sg, x, freshName(sg, `${x.name}_fetched`));
    fetch = sg.insertOp(
      b,
      newOp({ opcode: 'CUSTOM', customCode: FETCH, inputs: resident ? [resident.index] : [], outputs: [fetched.index], customOptions: encodeFetchOptions({ offset: 0, bytes: c.stored, begin, count: c.count, quantized: c.quantized }) }),
    );
    b++;
    redirectReads(sg, x.index, fetched.index, b - 1);
  }
  return { spill, reads: [{ op: fetch, at: 0 }] };
}

/** Sets the region offset of a spill, fetch or fused fetch (which reads exactly one region part) once the region is laid out. */
function setRegionOffset(op: Op, offset: number): void {
  if (op.customCode === SPILL) op.customOptions = encodeSpillOptions({ ...decodeSpillOptions(op.customOptions), offset });
  else if (op.customCode === FETCH) op.customOptions = encodeFetchOptions({ ...decodeFetchOptions(op.customOptions), offset });
  else if (op.customCode === ADD_FETCH) op.customOptions = encodeAddFetchOptions({ ...decodeAddFetchOptions(op.customOptions), offset });
  else if (op.customCode === CONCAT_FETCH) {
    const { parts } = decodeConcatFetchOptions(op.customOptions);
    op.customOptions = encodeConcatFetchOptions({ parts: parts.map((p) => ('input' in p ? p : { ...p, offset })) });
  }
}
