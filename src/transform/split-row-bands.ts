// Tensor splitting (TinyMo): a chain of row-local operators whose
// intermediate tensors hold the memory peak is computed in horizontal bands,
// so no intermediate ever exists whole. Builtins only: per band, a
// STRIDED_SLICE takes the input rows the band needs (with a halo for the
// kernels' reach), the chain runs on them, a STRIDED_SLICE keeps the output
// rows that are exact, and one CONCATENATION on the row axis joins the bands.
//
// Exactness: every operator of a chain computes an output row from input rows
// at fixed relative positions (stride-1 convs with SAME padding, strided SAME
// convs, VALID convs of any stride, explicit PADs, resizes where the band's
// smaller tensors map its rows as the whole tensor's do (resize-band.ts),
// per-element ops and ops over the channels),
// and TFLM's arithmetic for a row does not depend on where the tensor starts —
// except at its first and last rows, where the kernel clamps or pads. So each
// stage tracks which of its computed rows are exact (their taps stay inside
// exact input rows, or hit the image's true border); a band pads only at the
// image's borders, starts a strided conv on a row the stride reaches, and keeps
// only exact rows.

import { optionsWithDefaults } from '../graph/builder.js';
import type { Graph, Op, Subgraph, SubgraphMark, Tensor } from '../graph/graph.js';
import { liveAtPeak, lowerBound } from '../analysis/lower-bound.js';
import { lowestJoinedBound, passTimeline, type TimelineBuffer } from '../tflm/arena.js';
import { opAt, opTime } from '../tflm/lifetimes.js';
import { estimateTail32 } from '../tflm/tail.js';
import type { Pass } from './pass.js';
import { REFERENCE_KERNELS, type Kernels } from '../ops/registry.js';
import { activationLike, freshName, newOp, ORDERED_OPCODES, removeUnusedTensors, shareEqualInt32Constants } from './rewrite.js';
import { bandOperands, sliceRows } from './band-operands.js';
import { rowInput, rowRule, storageExtent } from '../ops/registry.js';
import { wholeOperand } from '../ops/row-rule.js';
import { addFetchWriter, bandChains, bandTypes, forkChains, isRowTap, subChain, type Chain } from './band-chains.js';
import { graphCompute, predictOps } from '../analysis/compute.js';
import { CONCAT_MAX_INPUTS } from '../ops/shape/kernel.js';
import { resizeBand, resizeSourceRows } from './resize-band.js';
import { transposeConvBand, transposeConvSourceRows } from './transpose-conv-band.js';
import {
  ADD_FETCH,
  decodeAddFetchOptions,
  decodeSpillOptions,
  encodeAddFetchOptions,
  encodeSpillOptions,
  regionReads,
  regionWrite,
  slotReaders,
  SPILL,
  type SpillOptions,
} from '../ops/tinyseg/custom-ops.js';

export interface SplitRowBandsResult {
  /**
   * One entry per split chain: its opcodes, its output tensor, the band count, its intermediates' bytes (none of
   * which exists whole any more), and what the bands compute beyond the chain: the halo rows' MACs and element
   * ops recomputed, the slices' and the concatenation's. `carried`: the bands carry rows the band before computed
   * instead of computing them again, and read only the rows their output needs (Stage.read); absent otherwise.
   * `exits`: the tensors of the chain's exits (band-chains.ts), which the bands compute too; absent without.
   */
  chains: {
    ops: string[];
    output: string;
    bands: number;
    intermediateBytes: number;
    extraMacs: number;
    extraElementOps: number;
    carried?: true;
    exits?: string[];
  }[];
  /**
   * Candidate splits (a run of a chain in some band count) that would have lowered the arena most but were
   * over the limit (PassContext.maxInvoke), over all rounds.
   */
  overLimit: number;
  /** Of the chains, those split on a plateau (PassContext.bandsPlateau) and kept; absent when none. */
  plateau?: number;
}

// One CONCATENATION joins the bands, and TFLM's takes at most 10 inputs.
const BAND_COUNTS = [2, 4, 8, CONCAT_MAX_INPUTS];

/** TFLM's SAME padding above the first row (ComputePaddingHeightWidth) for an input of `h` rows. */
function sameTop(h: number, k: number, stride: number): number {
  const out = Math.ceil(h / stride);
  return Math.floor(Math.max((out - 1) * stride + k - h, 0) / 2);
}

interface Stage {
  /** Rows computed, [c0, c1), and the exact ones among them, [e0, e1), in the stage output's coordinates. */
  c0: number;
  c1: number;
  e0: number;
  e1: number;
  /**
   * The rows the stage's operator reads, where not the previous stage's (or the chain input's) as computed: rows
   * [from, own) the band before computed exact (carried, none when `from` is `own`), then its own band's [own, to),
   * joined on the row axis; rows below `to` that nothing after needs are not read.
   */
  read?: { from: number; own: number; to: number };
}

/** The rows a stage's operator reads: its source stage's (or the chain input's, [s0, s1)), or Stage.read's. */
const stageInput = (p: { s0: number; s1: number; stages: readonly Stage[] }, chain: Chain, i: number): { c0: number; c1: number } => {
  const read = p.stages[i]?.read;
  if (read) return { c0: read.from, c1: read.to };
  const from = chain.sources[i]!;
  return from < 0 ? { c0: p.s0, c1: p.s1 } : p.stages[from]!;
};

/** The span [first, last + 1) of rows in [n0, n1) that `exact` accepts (empty: n1, n0). */
function exactRows(n0: number, n1: number, exact: (row: number) => boolean): [number, number] {
  let first = n1;
  let end = n0;
  for (let r = n0; r < n1; r++) {
    if (!exact(r)) continue;
    first = Math.min(first, r);
    end = Math.max(end, r + 1);
  }
  return [first, end];
}

/**
 * What a band may read besides its own rows as computed (Stage.read): per stage, the first input row its operator
 * should read, from the band before's exact rows (`before`) where its own start later, or -1; and the first and
 * last of its own rows the band's output needs (rows outside them are not read).
 */
interface Reads {
  before?: readonly Stage[];
  want: readonly number[];
  /** Per stage, the first input row of its own band the output needs (after those carried). */
  start: readonly number[];
  end: readonly number[];
}

/**
 * Computed and exact rows of every stage when the chain's input is sliced to rows [s0, s1); null when a strided
 * stage's slice is misaligned. `reads`: stages may read rows the band before computed and leave rows unread.
 */
function forward(sg: Subgraph, chain: Chain, s0: number, s1: number, stockTflite: boolean, reads?: Reads): Stage[] | null {
  const stages: Stage[] = [];
  const stageOf = chainStages(sg, chain);
  const source: Stage = { c0: s0, c1: s1, e0: s0, e1: s1 };
  for (const [i, k] of chain.ops.entries()) {
    const from = chain.sources[i]!;
    // Along a chain the previous stage; through a fork, the one the operator reads.
    const rows = from < 0 ? source : stages[from]!;
    const inH = sg.tensors[from < 0 ? chain.input : sg.ops[chain.ops[from]!]!.outputs[0]!]!.shape[1]!;
    const outH = sg.tensors[sg.ops[k]!.outputs[0]!]!.shape[1]!;
    const at = (input: Stage) => stageRows(sg, chain, stages, stageOf, i, input, inH, outH, stockTflite);
    let stage: Stage | null = null;
    if (from >= 0 && reads) {
      const want = reads.want[i]!;
      const end = reads.end[i]!;
      const own = rows.e0;
      const before = reads.before?.[from];
      const carry = before && want >= 0 && want < own;
      if (carry && own > before.e1) return null;
      // Rows before the first and after the last one needed are left unread where the stage still lines up
      // without them (its own rows above those carried are never read).
      const start = Math.min(Math.max(rows.c0, reads.start[i]!), own);
      const tops = carry || start === rows.c0 ? [rows.c0] : [start, rows.c0];
      const ends = end < rows.c1 && end > own ? [end, rows.c1] : [rows.c1];
      for (const [lo, to] of tops.flatMap((lo) => ends.map((to) => [lo, to] as const))) {
        const e1 = Math.min(rows.e1, to);
        if (carry) {
          // The rows above its own exact ones from the band before, which computed them all exact; the first row
          // lines up with the operator's stride (tried upward from the one wanted).
          for (let from = want; from >= before.e0 && !stage; from--) {
            stage = at({ c0: from, c1: to, e0: from, e1 });
            if (stage) stage.read = { from, own, to };
          }
        } else if (lo > rows.c0 || to < rows.c1) {
          stage = at({ c0: lo, c1: to, e0: Math.max(rows.e0, lo), e1 });
          if (stage) stage.read = { from: lo, own: lo, to };
        } else {
          stage = at(rows);
        }
        if (stage) break;
      }
    } else {
      stage = at(rows);
    }
    if (!stage) return null;
    stages.push(stage);
  }
  return stages;
}

/**
 * The stage each tensor of the chain is the output of, for joins that read one as a side input (branches); an inner
 * exit's output (ChainExit.inner) is its stage's rows too, computed on them all.
 */
function chainStages(sg: Subgraph, chain: Chain): Map<number, number> {
  const stageOf = new Map(chain.ops.map((k, i) => [sg.ops[k]!.outputs[0]!, i]));
  for (const e of chain.exits) if (e.inner) stageOf.set(sg.ops[e.op]!.outputs[0]!, e.stage);
  return stageOf;
}

/** A stage's computed and exact rows from its input's (`rows`), or null when the band cannot line up with the tensor. */
function stageRows(
  sg: Subgraph,
  chain: Chain,
  stages: readonly Stage[],
  stageOf: ReadonlyMap<number, number>,
  i: number,
  rows: Stage,
  inH: number,
  outH: number,
  stockTflite: boolean,
): Stage | null {
  let { c0, c1, e0, e1 } = rows;
  const op = sg.ops[chain.ops[i]!]!;
  const rule = rowRule(sg, op)!;
  // A join reading an earlier stage row for row (an operand, or a slot the stage is spilled to): the band slices
  // those rows from that stage's band, which must have computed them; an output row is exact where that stage's
  // row is too.
  for (const t of [...op.inputs.filter((_, j) => j !== chain.rows[i]), chain.joins[i]!]) {
    const from = stageOf.get(t);
    if (from === undefined) continue;
    const side = stages[from]!;
    if (side.c0 > c0 || c1 > side.c1) return null;
    e0 = Math.max(e0, side.e0);
    e1 = Math.min(e1, side.e1);
  }
  if (rule.kind === 'same') {
    // An output row is exact when its reach stays inside exact rows, or the border it reaches is the image's.
    const ne0 = e0 === 0 ? 0 : e0 + rule.halo;
    const ne1 = e1 === inH ? inH : e1 - rule.halo;
    e0 = ne0;
    e1 = ne1;
  } else if (rule.kind === 'pad') {
    // A band pads only at the image's own borders; its rows are copies, exact where their source is.
    const top = c0 === 0 ? rule.top : 0;
    const bottom = c1 === inH ? rule.bottom : 0;
    const n0 = c0 + rule.top - top;
    const n1 = c1 + rule.top + bottom;
    if (rule.mirror === undefined) {
      e0 = e0 === 0 ? 0 : e0 + rule.top;
      e1 = e1 === inH ? outH : e1 + rule.top;
    } else {
      // A mirror takes its rows from the band's own, which must hold them, exact for the mirrored rows to be.
      const m = rule.mirror;
      if (Math.max(top, bottom) > c1 - c0 - m) return null;
      const topExact = e0 === 0 && e1 >= top + m;
      const bottomExact = e1 === inH && e0 <= inH - m - bottom;
      e0 = topExact ? 0 : e0 + rule.top;
      e1 = bottomExact ? outH : e1 + rule.top;
    }
    c0 = n0;
    c1 = n1;
  } else if (rule.kind === 'strided') {
    // The band's rows must line up with the tensor's: the same padding above, starting on a row the stride reaches.
    const top = sameTop(inH, rule.k, rule.stride);
    if (c0 % rule.stride !== 0 || sameTop(c1 - c0, rule.k, rule.stride) !== top) return null;
    const n0 = c0 / rule.stride;
    const n1 = n0 + Math.ceil((c1 - c0) / rule.stride);
    // A tap outside the band is padding in the band; exact only where the whole tensor pads there too.
    const tapOk = (t: number) => (t >= e0 && t < e1) || (t < 0 && e0 === 0) || (t >= inH && e1 === inH);
    [e0, e1] = exactRows(n0, n1, (g) => {
      for (let t = rule.stride * g - top; t < rule.stride * g - top + rule.k; t++) if (!tapOk(t)) return false;
      return true;
    });
    c0 = n0;
    c1 = n1;
  } else if (rule.kind === 'valid') {
    // Output row r of the band must be output row c0 / stride + r of the whole tensor.
    if (c0 % rule.stride !== 0 || c1 - c0 < rule.k || (rule.divides && (c1 - c0) % rule.stride !== 0)) return null;
    const n0 = c0 / rule.stride;
    const n1 = n0 + Math.floor((c1 - c0 - rule.k) / rule.stride) + 1;
    e0 = Math.ceil(e0 / rule.stride);
    e1 = Math.floor((e1 - rule.k) / rule.stride) + 1;
    c0 = n0;
    c1 = n1;
  } else if (rule.kind === 'crop') {
    // Rows kept as they are; cropped only where the band reaches the rows the slice drops.
    const keep = (r: number) => Math.min(Math.max(r, rule.top), inH - rule.bottom) - rule.top;
    [c0, c1, e0, e1] = [keep(c0), keep(c1), keep(e0), keep(e1)];
    if (c1 <= c0) return null;
  } else if (rule.kind === 'transpose') {
    const band = transposeConvBand(rule, inH, outH, c0, c1, e0, e1, stockTflite);
    if (!band || band.n1 <= band.n0) return null;
    [c0, c1, e0, e1] = [band.n0, band.n1, band.e0, band.e1];
  } else {
    // The band's resize clamps at its own first and last rows and takes its scale from its own heights.
    const band = resizeBand(rule, inH, outH, c0, c1, e0, e1);
    if (band.n1 <= band.n0) return null;
    [c0, c1, e0, e1] = [band.n0, band.n1, band.e0, band.e1];
  }
  e0 = Math.max(e0, c0);
  e1 = Math.min(e1, c1);
  return { c0, c1, e0, e1 };
}

/** The rows of stage `i`'s input its output rows [a, b) read (clamped to the tensor). */
function sourceRows(sg: Subgraph, chain: Chain, i: number, a: number, b: number): [number, number] {
  const op = sg.ops[chain.ops[i]!]!;
  const rule = rowRule(sg, op)!;
  const inH = sg.tensors[op.inputs[chain.rows[i]!]!]!.shape[1]!;
  if (rule.kind === 'resize') {
    [a, b] = resizeSourceRows(rule, inH, sg.tensors[op.outputs[0]!]!.shape[1]!, a, b);
  } else if (rule.kind === 'crop') {
    a += rule.top;
    b += rule.top;
  } else if (rule.kind === 'transpose') {
    [a, b] = transposeConvSourceRows(rule, inH, sg.tensors[op.outputs[0]!]!.shape[1]!, a, b);
  } else if (rule.kind === 'same') {
    a -= rule.halo;
    b += rule.halo;
  } else if (rule.kind === 'pad') {
    // Mirrored rows above come from rows mirror .. top + mirror - 1, those below from H - 1 - mirror upward.
    const m = rule.mirror;
    const lo = m !== undefined && b > rule.top + inH ? inH - m - (b - rule.top - inH) : Infinity;
    const hi = m !== undefined && a < rule.top ? rule.top + m - a : -Infinity;
    a = Math.min(a - rule.top, lo);
    b = Math.max(b - rule.top, hi);
  } else if (rule.kind === 'strided') {
    const top = sameTop(inH, rule.k, rule.stride);
    a = a * rule.stride - top;
    b = (b - 1) * rule.stride - top + rule.k;
  } else {
    a *= rule.stride;
    b = (b - 1) * rule.stride + rule.k;
  }
  return [Math.max(0, a), Math.min(inH, b)];
}

/**
 * The chain input's rows band [r0, r1) of the output needs, widened until the output rows are exact. `carry`: the
 * stages read only the rows the output needs, and those the band before computed exact (its stages, `before`) are
 * carried rather than computed again (Stage.read).
 */
function inputRows(
  sg: Subgraph,
  chain: Chain,
  r0: number,
  r1: number,
  stockTflite: boolean,
  carry = false,
  before?: readonly Stage[],
): { s0: number; s1: number; stages: Stage[] } | null {
  const H = sg.tensors[chain.input]!.shape[1]!;
  const { a, b, own0, want, start, end } = neededRows(sg, chain, r0, r1, carry ? before : undefined);
  // Rows carried and rows left unread where the band still comes out exact; else carried only; else neither (its
  // own rows from the chain's input, as without `carry`).
  const unread = { ...(before ? { before } : {}), want, start, end };
  const carriedOnly = { ...unread, start: start.map(() => 0), end: end.map(() => Infinity) };
  const attempts: (Reads | undefined)[] = carry ? [unread, ...(before ? [carriedOnly] : []), undefined] : [undefined];
  for (const reads of attempts) {
    // Where the band computes its own rows alone, from the chain input's rows its output needs.
    const from = reads?.before ? a : own0;
    // Widen, each end on its own (a stride lines up the start, SAME padding the
    // height's parity), until every stage lines up and the band's rows come out exact.
    for (let widen = 0; widen <= 16; widen++) {
      for (let up = 0; up <= widen; up++) {
        const s0 = Math.max(0, from - up);
        const s1 = Math.min(H, b + widen - up);
        const stages = forward(sg, chain, s0, s1, stockTflite, reads);
        const last = stages?.[stages.length - 1];
        if (stages && last && last.e0 <= r0 && r1 <= last.e1) return { s0, s1, stages };
      }
    }
  }
  return null;
}

/** Whether each op of the chain reads its rows from the one before it. */
const linearChain = (chain: Chain): boolean => chain.sources.every((s, i) => s === i - 1);

/**
 * Walking back from the chain's output rows [r0, r1): the chain input's rows they need, [a, b), and the first of
 * them without carried rows (`own0`); per op, the first row of its input it needs carried from the band before
 * (`want`, -1 for none: rows the band before computed exact, its stages `before`, are carried and this band computes
 * its own from where they end), the first of its own (`start`) and the end (`end`). Through a fork (Chain.sources),
 * a stage's rows are those its readers need, spanned, the joins reading it as a side input among them.
 */
function neededRows(
  sg: Subgraph,
  chain: Chain,
  r0: number,
  r1: number,
  before?: readonly Stage[],
): { a: number; b: number; own0: number; want: number[]; start: number[]; end: number[] } {
  const n = chain.ops.length;
  const want = chain.ops.map(() => -1);
  const start = chain.ops.map(() => 0);
  const end = chain.ops.map(() => Infinity);
  // Per stage, and for the chain's input (last), the rows needed and the first of them without carried rows.
  const need = Array.from({ length: n + 1 }, () => ({ a: Infinity, b: -Infinity, own: Infinity }));
  const into = (k: number, a: number, b: number, own: number) => {
    const x = need[k < 0 ? n : k]!;
    x.a = Math.min(x.a, a);
    x.b = Math.max(x.b, b);
    x.own = Math.min(x.own, own);
  };
  into(n - 1, r0, r1, r0);
  const stageOf = linearChain(chain) ? null : chainStages(sg, chain);
  for (let i = n - 1; i >= 0; i--) {
    const x = need[i]!;
    // A stage nothing in the chain reads the rows of (none: closure).
    if (x.a === Infinity) continue;
    const from = chain.sources[i]!;
    const [own] = sourceRows(sg, chain, i, x.own, x.b);
    const [a0, b] = sourceRows(sg, chain, i, x.a, x.b);
    let a = a0;
    end[i] = b;
    const prev = from >= 0 ? before?.[from] : undefined;
    if (prev && prev.e0 <= a && a < prev.e1 && prev.e1 < b) {
      want[i] = a;
      a = prev.e1;
    }
    start[i] = a;
    into(from, a, b, own);
    // A join reads the stages of its other branches row for row.
    sg.ops[chain.ops[i]!]!.inputs.forEach((t, j) => {
      const side = stageOf?.get(t);
      if (j !== chain.rows[i] && side !== undefined && side < i) into(side, x.a, x.b, x.own);
    });
  }
  const x = need[n]!;
  return x.a < x.b ? { a: x.a, b: x.b, own0: x.own, want, start, end } : { a: r0, b: r1, own0: r0, want, start, end };
}

/** A band's output rows [r0, r1), the chain input's rows [s0, s1) it reads, and its stages' rows. */
type BandPlan = { r0: number; r1: number; s0: number; s1: number; stages: Stage[] };

/**
 * Each band's output rows, the input rows it reads and its stages; null when some band cannot be made exact or the
 * chain's input or output is of a type bands do not cut (`types`: bandTypes).
 * `carry`: a band takes the rows the band before computed exact where a stage's window reaches them, instead of
 * computing them again, and its stages read only the rows its output needs (Stage.read; a plain chain only: no
 * branch, join or spill of a stage); null when no stage does.
 */
export function planBands(sg: Subgraph, chain: Chain, bands: number, stockTflite: boolean, types: ReadonlySet<string>, carry = false): BandPlan[] | null {
  const H = sg.tensors[chain.output]!.shape[1]!;
  if (bands > H || !types.has(sg.tensors[chain.input]!.dtype) || !types.has(sg.tensors[chain.output]!.dtype)) return null;
  if (carry && !carriesRows(sg, chain)) return null;
  const plans: BandPlan[] = [];
  for (let j = 0; j < bands; j++) {
    const r0 = Math.round((j * H) / bands);
    const r1 = Math.round(((j + 1) * H) / bands);
    const p = inputRows(sg, chain, r0, r1, stockTflite, carry, plans[j - 1]?.stages);
    if (!p) return null;
    plans.push({ r0, r1, ...p });
  }
  return !carry || plans.some((p) => p.stages.some((st) => st.read)) ? plans : null;
}

/**
 * Whether the bands of a chain may carry rows (Stage.read): a plain chain, or one through a fork whose stages its own
 * operators alone read (no exit, spill or slot join: their rows are taken from each band's own).
 */
function carriesRows(sg: Subgraph, chain: Chain): boolean {
  if (linearChain(chain)) return plainChain(sg, chain);
  if (chain.joins.some((t) => t >= 0) || chain.exits.length > 0) return false;
  const inside = new Set(chain.ops);
  return chain.ops.slice(0, -1).every((k) => sg.consumersOf(sg.ops[k]!.outputs[0]!).every((r) => inside.has(r)));
}

/** Whether each tensor between the chain's operators is read by the next alone: no branch, join or spill of a stage. */
function plainChain(sg: Subgraph, chain: Chain): boolean {
  if (chain.joins.some((t) => t >= 0)) return false;
  return chain.ops.slice(0, -1).every((k, i) => {
    const next = chain.ops[i + 1]!;
    const readers = sg.consumersOf(sg.ops[k]!.outputs[0]!);
    return readers.length === 1 && readers[0] === next && sg.ops[next]!.inputs.filter((t) => t === sg.ops[k]!.outputs[0]).length === 1;
  });
}

/**
 * Moves the operators after the chain's first that its side inputs come from, and what they read from operators
 * after it, to just before it (in their order), so that every band can read them; the chain as it then is, or
 * null when one of them cannot move. None of them reads a tensor of the chain (band-chains.ts), so the order
 * stays valid.
 */
function hoistSideProducers(sg: Subgraph, chain: Chain): Chain | null {
  const first = chain.ops[0]!;
  const moved = new Set<number>();
  // An inner exit's output is a side input made by the bands too.
  const inChain = new Set([...chain.ops, ...chain.exits.map((e) => e.op)]);
  const visit = (t: number): void => {
    const p = sg.producerOf(t);
    // A side input made by the chain itself (a branch) is sliced from the band's own tensor.
    if (p <= first || moved.has(p) || inChain.has(p)) return;
    moved.add(p);
    for (const u of sg.ops[p]!.inputs) if (u >= 0) visit(u);
  };
  chain.ops.forEach((k, i) => sg.ops[k]!.inputs.forEach((t, j) => j !== chain.rows[i] && t >= 0 && visit(t)));
  if (moved.size === 0) return chain;
  const order = [...moved].sort((a, b) => a - b);
  // Custom operators may have effects too (the spill region's): never moved either.
  if (order.some((k) => chain.ops.includes(k) || sg.ops[k]!.opcode === 'CUSTOM' || ORDERED_OPCODES.has(sg.ops[k]!.opcode))) return null;
  const chainOps = chain.ops.map((k) => sg.ops[k]!);
  const exitOps = chain.exits.map((e) => sg.ops[e.op]!);
  const ops = order.map((k) => sg.ops[k]!);
  for (const k of [...order].reverse()) sg.removeOp(k);
  ops.forEach((op, i) => sg.insertOp(first + i, op));
  const exits = chain.exits.map((e, i) => ({ ...e, op: sg.ops.indexOf(exitOps[i]!) }));
  return { ...chain, ops: chainOps.map((op) => sg.ops.indexOf(op)), exits };
}

/** A spill of a whole stage of the chain (band-chains.ts isRowTap): its operator, stage, slot, and the rows each band writes. */
interface RowTap {
  op: number;
  stage: number;
  slot: SpillOptions;
  /**
   * Band j writes rows [pieces[j], pieces[j + 1]) of the stage: exact rows of its own band, together every row. Null
   * when every reader of the slot is a join of the chain (Chain.joins): the bands add their own rows, none is written.
   */
  pieces: number[] | null;
}

/**
 * The spills of the chain's stages the bands take over, or null when they cannot: the bands must together write
 * every row, each from its exact ones; and writing the slot from the first band on must not overwrite bytes of the
 * spill region another operator reads or writes before the spill did (so none may touch the region in between).
 * The slot's readers after the chain read the bytes the spill wrote (an exact slot: plain bytes, whatever wrote them).
 */
function rowTaps(sg: Subgraph, chain: Chain, plans: readonly BandPlan[]): RowTap[] | null {
  const inChain = new Set(chain.ops);
  const joined = new Set(chain.ops.filter((_, i) => chain.joins[i]! >= 0));
  const found = chain.ops.slice(0, -1).flatMap((k, stage) => {
    const t = sg.ops[k]!.outputs[0]!;
    return sg.consumersOf(t).flatMap((op) => {
      if (!isRowTap(sg, op, t)) return [];
      const slot = decodeSpillOptions(sg.ops[op]!.customOptions);
      return [{ op, stage, slot, t, unread: slotReaders(sg.ops, op, slot.offset, slot.bytes).every((m) => joined.has(m)) }];
    });
  });
  // Spills the bands drop touch nothing; the others write from the first band on.
  const dropped = new Set(found.filter((x) => x.unread).map((x) => x.op));
  const taps: RowTap[] = [];
  for (const { op, stage: i, slot, t, unread } of found) {
    if (unread) {
      taps.push({ op, stage: i, slot, pieces: null });
      continue;
    }
    for (let m = chain.ops[0]!; m < op; m++) {
      if (inChain.has(m) || dropped.has(m)) continue;
      const span = regionSpan(sg, sg.ops[m]!);
      if (span && span[0] < slot.offset + slot.bytes && slot.offset < span[1]) return null;
    }
    const pieces = stagePieces(plans, i, sg.tensors[t]!.shape[1]!);
    if (!pieces) return null;
    taps.push({ op, stage: i, slot, pieces });
  }
  return taps;
}

/**
 * The rows of stage `i` (a tensor of `H` rows) each band takes as its own, band j rows [pieces[j], pieces[j + 1]):
 * exact rows of its band, together every row once (a spill the bands write, an exit they compute); null where the
 * bands' exact rows leave a gap.
 */
function stagePieces(plans: readonly BandPlan[], i: number, H: number): number[] | null {
  const pieces = [0];
  for (let j = 1; j < plans.length; j++) pieces.push(Math.max(plans[j]!.stages[i]!.e0, pieces[j - 1]!));
  pieces.push(H);
  const ok = plans.every((p, j) => pieces[j + 1]! <= pieces[j]! || (p.stages[i]!.e0 <= pieces[j]! && pieces[j + 1]! <= p.stages[i]!.e1));
  return ok ? pieces : null;
}

/** The bytes of the spill region an operator writes or reads, [first, end) (covering them all), or null for none. */
function regionSpan(sg: Subgraph, op: Op): [number, number] | null {
  if (op.opcode !== 'CUSTOM' || !op.customCode) return null;
  const reads = regionReads(op.customCode, op.customOptions);
  const write = regionWrite(op.customCode, op.customOptions);
  if (!reads && !write) return null;
  return [Math.min(...(reads ?? []), ...(write ? [write.offset] : [])), storageExtent(op, sg.tensors)];
}

/**
 * Makes every TinySegAddFetch of the chain that is no join read a slot written before the chain's first op, where
 * the bands run: a spill after it, of a tensor made before it (the chain's input, say), moves to just before it,
 * when no operator in between touches the bytes it writes. The chain as it then is, or null when a slot cannot be
 * written in time.
 */
function hoistSlotWriters(sg: Subgraph, chain: Chain): Chain | null {
  let ops = chain.ops;
  let exits = chain.exits;
  for (let i = 0; i < ops.length; i++) {
    // Positions as they are now: a spill moved before the chain shifts the ops between.
    if (sg.ops[ops[i]!]!.customCode !== ADD_FETCH || chain.joins[i]! >= 0) continue;
    const first = ops[0]!;
    const w = addFetchWriter(sg, ops[i]!)?.at ?? -1;
    if (w < first) continue;
    const spill = sg.ops[w]!;
    const span = regionSpan(sg, spill)!;
    if (sg.producerOf(spill.inputs[0]!) >= first) return null;
    for (let m = first; m < w; m++) {
      const other = regionSpan(sg, sg.ops[m]!);
      if (other && other[0] < span[1] && span[0] < other[1]) return null;
    }
    sg.removeOp(w);
    sg.insertOp(first, spill);
    ops = ops.map((m) => (m < w ? m + 1 : m));
    exits = exits.map((e) => (e.op < w ? { ...e, op: e.op + 1 } : e));
  }
  return ops === chain.ops ? chain : { ...chain, ops, exits };
}

/** The ADD a TinySegAddFetch computes, with the tensor its slot holds (`t`) in place of the slot: its row operand's position too. */
function addOfSlot(op: Op, t: number): { op: Op; row: number } {
  const o = decodeAddFetchOptions(op.customOptions);
  const x = op.inputs[0]!;
  return {
    op: {
      ...op,
      opcode: 'ADD',
      customCode: null,
      customOptions: null,
      inputs: o.regionInput === 0 ? [t, x] : [x, t],
      options: optionsWithDefaults('AddOptions', { fusedActivationFunction: o.activation }),
      optionsType: 'AddOptions',
    },
    row: o.regionInput === 0 ? 1 : 0,
  };
}

/** A TinySegAddFetch's options for the band's rows [c0, c1) of its slot (its output's rows: addFetchRowRule). */
function addFetchRows(op: Op, out: Tensor, rows: { c0: number; c1: number }): Uint8Array {
  const o = decodeAddFetchOptions(op.customOptions);
  const rowBytes = out.byteSize / out.shape[1]!;
  return encodeAddFetchOptions({ ...o, offset: o.offset + rows.c0 * rowBytes, bytes: (rows.c1 - rows.c0) * rowBytes });
}

/** TFLite's ADD version for a type (its op_version rules: int8 2, int16 3, float32 1). */
const addVersion = (dtype: string): number => (dtype === 'int8' ? 2 : dtype === 'int16' ? 3 : 1);

/**
 * Rewrites `chain` into the row bands `plans` lays out (planBands): the position of the bands' first operator, or -1
 * when a side input's producer cannot move. `trial`: the chain's tensors are left unreferenced rather than dropped
 * (no tensor is renumbered, so Subgraph.rollback() undoes the split).
 */
function splitChain(sg: Subgraph, whole: Chain, plans: readonly BandPlan[], trial = false): number {
  const hoisted = hoistSideProducers(sg, whole);
  const chain = hoisted && hoistSlotWriters(sg, hoisted);
  if (!chain) return -1;
  const taps = rowTaps(sg, chain, plans);
  if (!taps) return -1;
  // Each exit's rows, band by band, and the parts the bands make of its output.
  const exits = chain.exits.map((e) => {
    const op = sg.ops[e.op]!;
    // Read after the chain: its parts are joined once the bands are done.
    const outer = sg.consumersOf(op.outputs[0]!).some((c) => c > chain.ops[chain.ops.length - 1]!) || sg.outputs.includes(op.outputs[0]!);
    return { ...e, op, outer, pieces: stagePieces(plans, e.stage, sg.tensors[op.inputs[rowInput(op)]!]!.shape[1]!), parts: [] as Omit<Op, 'source'>[] };
  });
  if (exits.some((e) => e.outer && !e.pieces)) return -1;
  const Y = sg.tensors[chain.output]!;
  const chainOps = chain.ops.map((k) => sg.ops[k]!);
  const at = chain.ops[0]!;
  const X = sg.tensors[chain.input]!;
  const newOps: Omit<Op, 'source'>[] = [];
  const parts: number[] = [];
  const stageOf = new Map(chainOps.map((op, i) => [op.outputs[0]!, i]));
  // This band's tensor of each inner exit (ChainExit.inner), by the exit's output, which joins slice as a branch.
  const exitBands = new Map<number, { tensor: number; c0: number }>();
  // Rows a band leaves for the next one to carry (Stage.read), by the stage that reads them.
  let carries = new Map<number, Tensor>();
  plans.forEach((p, j) => {
    const next = new Map<number, Tensor>();
    let input = X;
    if (p.s0 > 0 || p.s1 < X.shape[1]!) {
      const s = sliceRows(sg, X, p.s0, p.s1, `${X.name}_band${j}`);
      newOps.push(s.op);
      input = s.y;
    }
    let cur = input;
    // This band's tensor of each stage: a join reading an earlier stage takes its rows from there (forward()).
    const bandOf: { tensor: number; c0: number }[] = [];
    chainOps.forEach((chainOp, i) => {
      const st = p.stages[i]!;
      const orig = sg.tensors[chainOp.outputs[0]!]!;
      const shape = [...orig.shape];
      shape[1] = st.c1 - st.c0;
      const out = activationLike(sg, orig, freshName(sg, `${orig.name}_band${j}`), shape);
      const before = stageInput(p, chain, i);
      // The band's tensor of the stage the operator reads its rows from.
      const from = chain.sources[i]!;
      cur = from < 0 ? input : sg.tensors[bandOf[from]!.tensor]!;
      const read = st.read;
      if (read) {
        // This band's own rows it reads, after the band before's.
        const ownRows = p.stages[from]!;
        let own = cur;
        if (read.own > ownRows.c0 || read.to < ownRows.c1) {
          const s = sliceRows(sg, cur, read.own - ownRows.c0, read.to - ownRows.c0, `${cur.name}_own`);
          newOps.push(s.op);
          own = s.y;
        }
        cur = own;
        if (read.from < read.own) {
          const joined = activationLike(sg, own, freshName(sg, `${cur.name}_carried`), own.shape.map((n, k) => (k === 1 ? before.c1 - before.c0 : n)));
          newOps.push(rowConcat([carries.get(i)!.index, own.index], joined.index));
          cur = joined;
        }
      }
      // A TinySegAddFetch of a slot the chain itself fills is the ADD of that stage's band rows.
      const { op, row } = chain.joins[i]! >= 0 ? addOfSlot(chainOp, chain.joins[i]!) : { op: chainOp, row: chain.rows[i]! };
      const bandOfTensor = (t: number) => exitBands.get(t) ?? (stageOf.has(t) ? bandOf[stageOf.get(t)!] : undefined);
      const branches = new Map(op.inputs.flatMap((t, k) => (k !== row && bandOfTensor(t) ? [[t, bandOfTensor(t)!] as const] : [])));
      const band = bandOperands(sg, op, row, cur.index, { ...before, height: sg.tensors[op.inputs[row]!]!.shape[1]! }, shape, `${orig.name}_band${j}`, branches);
      const { inputs, options } = band;
      newOps.push(...band.slices);
      newOps.push(
        newOp({
          opcode: op.opcode,
          version: chain.joins[i]! >= 0 ? addVersion(orig.dtype) : op.version,
          customCode: op.customCode,
          customOptions: op.customCode === ADD_FETCH ? addFetchRows(op, orig, before) : op.customOptions,
          inputs,
          outputs: [out.index],
          options,
          optionsType: op.optionsType,
        }),
      );
      bandOf.push({ tensor: out.index, c0: st.c0 });
      cur = out;
      // The rows the next band carries to each reader of the stage, taken now: this band's tensor of the stage need
      // not outlive its readers.
      chain.sources.forEach((source, k) => {
        const taken = source === i ? plans[j + 1]?.stages[k]?.read : undefined;
        if (!taken || taken.from >= taken.own) return;
        const s = sliceRows(sg, out, taken.from - st.c0, taken.own - st.c0, `${orig.name}_carry${j}`);
        newOps.push(s.op);
        next.set(k, s.y);
      });
      // Rows [q0, q1) of the stage (of its coordinates) from this band's tensor of it: sliced unless that is all of them.
      const stageRowsOf = (out: Tensor, q0: number, q1: number, name: string): Tensor => {
        if (q0 === st.c0 && q1 === st.c1) return out;
        const s = sliceRows(sg, out, q0 - st.c0, q1 - st.c0, name);
        newOps.push(s.op);
        return s.y;
      };
      // This band's rows of a spilled stage, written to their place in its slot.
      for (const tap of taps.filter((x) => x.stage === i)) {
        if (!tap.pieces) continue;
        const [q0, q1] = [tap.pieces[j]!, tap.pieces[j + 1]!];
        if (q1 <= q0) continue;
        const rows = stageRowsOf(out, q0, q1, `${orig.name}_spill${j}`);
        const rowBytes = orig.byteSize / orig.shape[1]!;
        const options = encodeSpillOptions({ offset: tap.slot.offset + q0 * rowBytes, bytes: (q1 - q0) * rowBytes, begin: 0, count: orig.shape[3]! });
        newOps.push(newOp({ opcode: 'CUSTOM', customCode: SPILL, inputs: [rows.index], outputs: [], customOptions: options }));
      }
      // This band's rows of each exit reading the stage: an inner one on all the stage's rows the band computes
      // (joins further on slice theirs), an outer one on the band's own rows alone.
      for (const exit of exits.filter((x) => x.stage === i)) {
        const [q0, q1] = exit.inner ? [st.c0, st.c1] : [exit.pieces![j]!, exit.pieces![j + 1]!];
        if (q1 <= q0) continue;
        const rows = stageRowsOf(out, q0, q1, `${orig.name}_exit${j}`);
        const whole = sg.tensors[exit.op.outputs[0]!]!;
        const exitShape = whole.shape.map((n, k) => (k === 1 ? q1 - q0 : n));
        const part = activationLike(sg, whole, freshName(sg, `${whole.name}_band${j}`), exitShape);
        const row = rowInput(exit.op);
        const band = bandOperands(sg, exit.op, row, rows.index, { c0: q0, c1: q1, height: orig.shape[1]! }, exitShape, `${whole.name}_band${j}`);
        const { opcode, version, optionsType } = exit.op;
        const partOp = newOp({ opcode, version, optionsType, inputs: band.inputs, outputs: [part.index], options: band.options });
        newOps.push(...band.slices, partOp);
        if (exit.inner) exitBands.set(whole.index, { tensor: part.index, c0: q0 });
        if (!exit.outer) continue;
        // The band's own rows of an inner exit read after the chain too.
        const [o0, o1] = [exit.pieces![j]!, exit.pieces![j + 1]!];
        if (o1 <= o0) continue;
        if (o0 === q0 && o1 === q1) {
          exit.parts.push(partOp);
          continue;
        }
        const s = sliceRows(sg, part, o0 - q0, o1 - q0, `${whole.name}_rows${j}`);
        newOps.push(s.op);
        exit.parts.push(s.op);
      }
    });
    const last = p.stages[p.stages.length - 1]!;
    if (last.c0 !== p.r0 || last.c1 !== p.r1) {
      const s = sliceRows(sg, cur, p.r0 - last.c0, p.r1 - last.c0, `${Y.name}_rows${j}`);
      newOps.push(s.op);
      cur = s.y;
    }
    parts.push(cur.index);
    carries = next;
  });
  newOps.push(rowConcat(parts, Y.index));
  for (const exit of exits.filter((x) => x.outer)) {
    // One band's part is the exit's output itself.
    const out = exit.op.outputs[0]!;
    if (exit.parts.length === 1) {
      // Not where joins of the chain read that part as it is.
      if (exit.inner && exit.parts[0]!.opcode !== 'STRIDED_SLICE') return -1;
      newOps[newOps.indexOf(exit.parts[0]!)] = { ...exit.parts[0]!, outputs: [out] };
    }
    else newOps.push(rowConcat(exit.parts.map((op) => op.outputs[0]!), out));
  }
  // Remove the chain's ops (and the spills the bands now make, and the exits) from the last, then insert the bands
  // where the first was: an operator between them that is none of these reads no tensor of the chain (closure), and
  // what it writes is read after the chain or by other such operators, which keep their order.
  for (const k of [...chain.ops, ...taps.map((x) => x.op), ...chain.exits.map((e) => e.op)].sort((a, b) => b - a)) sg.removeOp(k);
  newOps.forEach((op, i) => sg.insertOp(at + i, op));
  if (!trial) removeUnusedTensors(sg);
  return at;
}

/** A CONCATENATION of `inputs` on the row axis into `output`. */
const rowConcat = (inputs: number[], output: number): Omit<Op, 'source'> =>
  newOp({ opcode: 'CONCATENATION', inputs, outputs: [output], options: optionsWithDefaults('ConcatenationOptions', { axis: 1 }), optionsType: 'ConcatenationOptions' });

/**
 * Bytes the split of `chain` into `plans` surely holds at once, read from the current timeline `buffers` without
 * making the split: while any band but the last runs one of its operators, the chain's input (the bands after it
 * slice it), the buffers alive across the run (made before it and read by the chain or after it), the rows the
 * bands before have left, and that operator's band input, output and side-input slices are all live. A lower bound
 * of the split's bound with its join written in place or not (the join's output then holds at least the rows
 * before), and with any other join in place (a part alive across the run has its join's output, no smaller, alive
 * over it).
 */
function bandsFloor(sg: Subgraph, chain: Chain, plans: readonly BandPlan[], buffers: readonly TimelineBuffer[]): number {
  const start = opTime(chain.ops[0]!);
  const end = opTime(chain.ops[chain.ops.length - 1]!);
  const inChain = new Set(chain.ops);
  const readByChain = (t: number) => chain.ops.some((k) => sg.ops[k]!.inputs.includes(t));
  let held = 0;
  for (const b of buffers) {
    if (b.tensor === null) continue;
    // A tensor whose last reader is an operator between the chain's that is not of it may be read before the bands.
    const across = b.first >= 0 && b.first < start && b.last >= start && (b.last > end || inChain.has(opAt(b.last)) || readByChain(b.tensor));
    if (b.tensor === chain.input || across) held += b.size;
  }
  const rowBytes = (t: number) => sg.tensors[t]!.byteSize / sg.tensors[t]!.shape[1]!;
  let floor = 0;
  for (const p of plans.slice(0, -1)) {
    chain.ops.forEach((k, i) => {
      const op = sg.ops[k]!;
      const row = op.inputs[chain.rows[i]!]!;
      const from = stageInput(p, chain, i);
      const n = from.c1 - from.c0;
      const whole = n === sg.tensors[row]!.shape[1]!;
      // A band of every row reads the chain's input itself (held already) and its side inputs whole.
      let bytes = i === 0 && whole ? 0 : n * rowBytes(row);
      // Weights widened at run time (wholeOperand) are read whole by every band.
      if (!whole) for (const t of op.inputs) if (t >= 0 && t !== row && sg.tensors[t]!.kind !== 'constant') bytes += wholeOperand(sg, t) ? sg.tensors[t]!.byteSize : n * rowBytes(t);
      const st = p.stages[i]!;
      floor = Math.max(floor, held + bytes + (st.c1 - st.c0) * rowBytes(op.outputs[0]!));
    });
    held += (p.r1 - p.r0) * rowBytes(chain.output);
  }
  return floor;
}

/** Whether `a` comes before `b`, compared element by element. */
function lexLess(a: readonly number[], b: readonly number[]): boolean {
  const k = a.findIndex((x, i) => x !== b[i]);
  return k >= 0 && a[k]! < b[k]!;
}

/** Splits made on a plateau, at most, before one must lower the cost. */
const PLATEAU_MOVES = 2;

/** Longest run of a chain tried besides the whole chain. */
const MAX_RUN = 6;

/** [from, to] op positions of the runs of a chain of n ops to try: the whole chain first, then runs of 2..MAX_RUN ops. */
function runs(n: number): [number, number][] {
  const out: [number, number][] = [[0, n - 1]];
  for (let len = 2; len <= Math.min(MAX_RUN, n - 1); len++) for (let from = 0; from + len <= n; from++) out.push([from, from + len - 1]);
  return out;
}

/** Fractions of the largest tensor at the peak below which a chain's tensor counts as narrow (regionRuns). */
const NARROW = [1 / 2, 1 / 4, 1 / 8];

/**
 * Runs longer than MAX_RUN that cover a wide region of the chain: a stretch of stages whose outputs are all wider
 * than a fraction of the widest at the peak, from its first op (reading a narrow tensor) to the op after it (making
 * one), so that the run's input and output are narrow and nothing wide stays whole (a decoder stage at full
 * resolution through its residual blocks, say).
 */
function regionRuns(sg: Subgraph, chain: Chain, atPeak: (t: number) => boolean): [number, number][] {
  const bytes = chain.ops.map((k) => sg.tensors[sg.ops[k]!.outputs[0]!]!.byteSize);
  const widest = Math.max(0, ...chain.ops.map((k, i) => (atPeak(sg.ops[k]!.outputs[0]!) ? bytes[i]! : 0)));
  const out: [number, number][] = [];
  for (const f of NARROW) {
    for (let a = 0; a < bytes.length; ) {
      if (bytes[a]! <= f * widest) {
        a++;
        continue;
      }
      let b = a;
      while (b + 1 < bytes.length && bytes[b + 1]! > f * widest) b++;
      const to = Math.min(b + 1, bytes.length - 1);
      const peak = chain.ops.slice(a, b + 1).some((k) => atPeak(sg.ops[k]!.outputs[0]!));
      if (peak && to - a + 1 > MAX_RUN && to - a + 1 < bytes.length && !out.some(([x, y]) => x === a && y === to)) out.push([a, to]);
      a = b + 1;
    }
  }
  return out;
}

/**
 * Splits the chains that lower the arena most, one at a time. `maxInvoke`: the
 * predicted Invoke() instructions (analysis/compute.ts, reference kernels) a
 * split may bring the graph to; the halo rows each band recomputes cost time,
 * more with more bands, so a limit makes fewer bands or no split. `stockTflite`
 * (builtinsOnly): only bands stock TFLite computes as it computes the whole
 * chain (transpose-conv-band.ts). `lowLocalPeak`: of two splits that leave the same bound, the one with fewer bytes
 * live while its bands run (more bands, say), though it costs more op data: it leaves less where the spill pass
 * lowers the peak elsewhere next. `rowSpills`: chains may run through a stage spilled whole, the bands writing its
 * rows to the slot (rowTaps). `plateau`: where no split lowers the cost, up to PLATEAU_MOVES splits that lower the
 * bound or the steps at it are made on trial (the bound tied by peaks no one split lowers alone, a U-Net's stem and
 * its last decoder stage, say), kept once a split after them lowers the cost below the one before them, else undone.
 * `carryRows`: where bands that compute their halo rows again are over the limit, bands that carry them from the band
 * before are tried too (Stage.read).
 */
export function splitRowBands(
  graph: Graph,
  maxInvoke = Infinity,
  kernels: Kernels = REFERENCE_KERNELS,
  sideInputs = true,
  stockTflite = false,
  lowLocalPeak = false,
  rowSpills = false,
  plateau = false,
  carryRows = true,
): SplitRowBandsResult {
  const result: SplitRowBandsResult = { chains: [], overLimit: 0 };
  // The tail counts too: more operators cost op data, so a split must pay for it. The bands' joins may be written
  // in place (analysis/row-join.ts), all, none or some, whichever the placement finds lower: the lowest bound.
  const lowest = (g: Graph) => lowestJoinedBound(g.main, kernels);
  // A chain's band plans depend on its operators alone, which keep their objects (not their positions) over the rounds.
  const opIds = new Map<Op, number>();
  const plansOf = new Map<string, BandPlan[] | null>();
  // What each operator costs, by object for the same reason: a trial prices only the operators it adds.
  const opInvoke = new WeakMap<Op, number>();
  const predictedInvoke = (sg: Subgraph) =>
    sg.ops.reduce((n, op) => n + (opInvoke.get(op) ?? opInvoke.set(op, predictOps(sg, [op], kernels)).get(op)!), 0);
  const plansFor = (sg: Subgraph, chain: Chain, bands: number, carry: boolean): BandPlan[] | null => {
    const key = `${chain.ops.map((k) => opIds.get(sg.ops[k]!) ?? opIds.set(sg.ops[k]!, opIds.size).get(sg.ops[k]!)).join()}/${bands}/${carry}`;
    if (!plansOf.has(key)) plansOf.set(key, planBands(sg, chain, bands, stockTflite, bandTypes(kernels), carry));
    return plansOf.get(key)!;
  };
  // Whole chains first; runs of chains only once no whole chain pays any more:
  // a run split early can leave a whole chain that would have split better.
  let wholeOnly = true;
  // Splits on a plateau (the bound held by two or more peaks, none of which one split lowers alone), made on trial:
  // the graph as it was before the first, its cost, and the chains reported by then. Kept once a later split lowers
  // the cost below that; undone if none does.
  let explore: { mark: SubgraphMark; cost: number; chains: number; overLimit: number; moves: number } | null = null;
  let kept = 0;
  for (let round = 0; round < 16; round++) {
    const sg = graph.main;
    // The chains that end where a join further on reads a tensor too, and (side inputs) those that go on through
    // such branches: each kind splits where the other cannot, and the greedy takes whichever pays most.
    const key = (c: Chain) => c.ops.join();
    const plain = bandChains(sg, sideInputs, false, rowSpills, kernels);
    const branched = sideInputs ? bandChains(sg, true, true, rowSpills, kernels).filter((c) => !plain.some((p) => key(p) === key(c))) : [];
    // And chains through both branches of a fork, where a branch has more than one operator (forkChains).
    const found = [...plain, ...branched, ...(sideInputs ? forkChains(sg, rowSpills, kernels) : [])];
    const baseLowest = lowest(graph);
    const baseBound = baseLowest.bytes;
    // While exploring, the trial splits made leave their chains' tensors unreferenced.
    const base: number = baseBound + estimateTail32(graph, null, kernels, explore ? { referencedOnly: true } : undefined).bytes;
    const stepsAt = (live: Float64Array, bytes: number) => live.reduce((n, v) => (v >= bytes ? n + 1 : n), 0);
    const baseSteps = stepsAt(baseLowest.liveBytes, baseBound);
    // The graph's operators keep their operands while this round's trials come and go (a trial adds its own).
    const trialTail = { referencedOnly: true, memo: new WeakMap() };
    const buffers = passTimeline(sg, kernels);
    const bound = lowerBound(buffers, sg.ops.length + 1);
    const peakTensors = new Set(buffers.flatMap((b) => (b.tensor !== null && liveAtPeak(bound, b.first, b.last) ? [b.tensor] : [])));
    const atPeak = (t: number) => peakTensors.has(t);
    // Live bytes at each time step: a split changes them only while its run's ops run.
    const live = new Array<number>(sg.ops.length + 2).fill(0);
    for (const b of buffers) for (let t = Math.max(0, b.first); t <= b.last && t < live.length; t++) live[t]! += b.size;
    // The most bytes live before each time step (0 before the first), and at it or after.
    const until = [0];
    for (let t = 1; t < live.length; t++) until.push(Math.max(until[t - 1]!, live[t - 1]!));
    const since = [...live];
    for (let t = live.length - 2; t >= 0; t--) since[t] = Math.max(since[t + 1]!, live[t]!);
    // opTime(first) >= 1 and opTime(last) + 1 <= the last time step: both index the arrays.
    const peakOutside = (first: number, last: number) => Math.max(until[opTime(first)]!, since[opTime(last) + 1]!);
    type Best = { chain: number; from: number; to: number; bands: number; carry: boolean; cost: number; bound: number; local: number; steps: number };
    // On a plateau: the lower bound, then the fewer steps at it, then the lower cost.
    const plateauKey = (x: Pick<Best, 'bound' | 'steps' | 'cost'>) => [x.bound, x.steps, x.cost];
    /**
     * The split that lowers the cost most; `plateau`: the one that lowers the bound, or else the steps at it, most,
     * whatever it costs (a peak elsewhere may hold the bound).
     */
    const search = (plateau: boolean): Best | null => {
      const priced = new Set<string>();
      let best: Best | null = null;
      found.forEach((whole, ci) => {
        // The whole chain, and the shorter runs of it around the peak: a long chain
        // through several strides rarely splits exactly, a run whose ends are small does.
        // On a plateau, the whole chain and the wide regions of it: a run lowers one peak of several only if it
        // covers all of that peak's stages.
        const n = whole.ops.length;
        const spans = wholeOnly ? [[0, n - 1] as [number, number]] : plateau ? [[0, n - 1] as [number, number], ...regionRuns(sg, whole, atPeak)] : runs(n);
        for (const [from, to] of spans) {
          const chain = subChain(sg, whole, from, to, bandTypes(kernels), rowSpills);
          if (!chain || !chain.ops.slice(0, -1).some((k) => atPeak(sg.ops[k]!.outputs[0]!))) continue;
          // A run through no branch is also a run of a chain that ends at the branch: priced once.
          if (priced.has(key(chain))) continue;
          priced.add(key(chain));
          // The run's input and output stay whole and live while its bands run, and the
          // rest of the timeline keeps its peak: if either reaches the bound, no split lowers it.
          if (sg.tensors[chain.input]!.byteSize + sg.tensors[chain.output]!.byteSize >= bound.bytes) continue;
          // The bands compute the chain's exits too, some of which may run after its last operator.
          if (!plateau && peakOutside(chain.ops[0]!, Math.max(...chain.ops, ...chain.exits.map((e) => e.op))) >= bound.bytes) continue;
          // Bands that carry rows from the band before are tried where those that compute them again are over the
          // limit: they compute less, but copy rows and add operators.
          const flavours = BAND_COUNTS.flatMap((bands) => (carryRows ? [false, true] : [false]).map((carry) => ({ bands, carry })));
          let over = -1;
          for (const { bands, carry } of flavours) {
            if (carry && over !== bands) continue;
            // Only a split that can be made exact is worth a copy of the graph.
            const plans = plansFor(sg, chain, bands, carry);
            if (!plans) continue;
            // A split only adds operators and tensors (its tail is no smaller): one that surely holds the bound lowers nothing.
            if (bandsFloor(sg, chain, plans, buffers) >= baseBound) continue;
            // Tried first, then undone (the graph as it was, op for op and tensor for tensor): only a split that
            // lowers the cost is made.
            const mark = sg.mark();
            try {
              const at = splitChain(sg, chain, plans, true);
              if (at < 0) continue;
              const b = lowest(graph);
              // The chain's own tensors are left unreferenced by the trial: the tail of the graph without them.
              const tail = estimateTail32(graph, null, kernels, trialTail).bytes;
              const c = b.bytes + tail;
              const steps = plateau ? stepsAt(b.liveBytes, baseBound) : 0;
              if (plateau ? b.bytes === baseBound && steps >= baseSteps : c >= base) continue;
              // The lower cost wins; with `lowLocalPeak`, at the same bound, the fewer bytes live while the bands run:
              // where the peak is elsewhere (one the spill pass may lower next), splits differ only there.
              const last = at + sg.ops.length - (mark.ops.length - chain.ops.length - chain.exits.length) - 1;
              const local = Math.max(...b.liveBytes.subarray(opTime(at), opTime(last) + 1)) + tail;
              if (best && plateau && !lexLess(plateauKey({ bound: b.bytes, steps, cost: c }), plateauKey(best))) continue;
              if (best && !plateau && (lowLocalPeak && b.bytes === best.bound ? local >= best.local : c >= best.cost)) continue;
              if (predictedInvoke(sg) > maxInvoke) {
                result.overLimit++;
                over = bands;
                continue;
              }
              best = { chain: ci, from, to, bands, carry, cost: c, bound: b.bytes, local, steps };
            } finally {
              sg.rollback(mark);
            }
          }
        }
      });
      return best;
    };
    let best = search(false);
    if (!best && wholeOnly) {
      wholeOnly = false;
      continue;
    }
    const onPlateau = plateau && !best && (explore?.moves ?? 0) < PLATEAU_MOVES;
    if (onPlateau) best = search(true);
    if (!best) break;
    if (onPlateau) {
      explore ??= { mark: sg.mark(), cost: base, chains: result.chains.length, overLimit: result.overLimit, moves: 0 };
      explore.moves++;
    }
    const { chain: ci, from, to, bands, carry } = best;
    const chain = subChain(sg, found[ci]!, from, to, bandTypes(kernels), rowSpills)!;
    const inner = chain.ops.slice(0, -1).map((k) => sg.tensors[sg.ops[k]!.outputs[0]!]!);
    const ops = chain.ops.map((k) => sg.ops[k]!);
    const chainCompute = graphCompute(sg, ops);
    const entry = {
      ops: ops.map((op) => op.opcode),
      output: sg.tensors[chain.output]!.name,
      bands,
      intermediateBytes: inner.reduce((n, t) => n + t.byteSize, 0),
      ...(chain.exits.length > 0 ? { exits: chain.exits.map((e) => sg.tensors[sg.ops[e.op]!.outputs[0]!]!.name) } : {}),
    };
    const opsBefore = sg.ops.length;
    const at = splitChain(sg, chain, plansFor(sg, chain, bands, carry)!, explore !== null);
    // The bands replace the chain's ops where its first one was (after the side inputs' producers it moved there).
    const bandCompute = graphCompute(sg, sg.ops.slice(at, at + sg.ops.length - opsBefore + ops.length));
    const extra = { extraMacs: bandCompute.macs - chainCompute.macs, extraElementOps: bandCompute.elementOps - chainCompute.elementOps };
    result.chains.push({ ...entry, ...extra, ...(carry ? { carried: true as const } : {}) });
    if (explore && best.cost < explore.cost) {
      removeUnusedTensors(sg);
      kept += result.chains.length - explore.chains;
      explore = null;
    }
  }
  if (explore) {
    graph.main.rollback(explore.mark);
    result.chains.length = explore.chains;
    result.overLimit = explore.overLimit;
  }
  if (kept > 0) result.plateau = kept;
  if (result.chains.length > 0) shareEqualInt32Constants(graph.main);
  return result;
}

export const splitRowBandsPass: Pass<'splitRowBands', SplitRowBandsResult> = {
  name: 'splitRowBands',
  // Streamed layers run in bands of their own (stream-layers.ts).
  run: (graph, context) =>
    context.streamLayers ? { chains: [], overLimit: 0 } : splitRowBands(
      graph,
      context.maxInvoke,
      context.kernels,
      context.bandSideInputs ?? true,
      context.builtinsOnly === true,
      context.bandsLowLocalPeak === true,
      context.bandRowSpills === true,
      context.bandsPlateau === true,
      context.bandsCarry ?? true,
    ),
};

/**
 * The same splits once the spill pass has run: a spill moves the peak (a skip connection gone to the spill region
 * leaves the stem that produced it at the top), and a chain that paid nothing before may pay there.
 */
export const bandsAfterSpillsPass: Pass<'bandsAfterSpills', SplitRowBandsResult> = {
  name: 'bandsAfterSpills',
  // Without a spill the graph is the one the band pass left: it would find nothing more.
  run: (graph, context) => (graph.main.ops.some((op) => op.customCode === SPILL) ? splitRowBandsPass.run(graph, context) : { chains: [], overLimit: 0 }),
};
