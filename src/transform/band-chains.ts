// Which runs of operators row bands can run through (split-row-bands.ts):
// chains of row-local operators, each reading the previous one's output (its
// only reader) as its row input. Every other operand is read whole by every
// band: a constant, or a side input — an activation a join (ADD, MUL,
// CONCATENATION on channels, ...) reads row for row with the chain's tensor
// (a skip connection, a residual's input, a second branch), which each band
// slices to the rows it computes. A side input may come from an operator
// between the chain's first and the join: no such operator reads the chain's
// tensors (each has one reader, the next chain operator), so the split runs it
// before the chain. A stage may also have readers outside the chain that map
// its rows one to one and read nothing else but constants (exits): each band
// computes its own rows of them, joined once the bands are done where the
// output is read after the chain (DeepLab's decoder projecting the encoder's
// low-level features), or sliced by a join of the chain as a branch (a
// residual block's projected shortcut).

import type { Op, Subgraph } from '../graph/graph.js';
import { REFERENCE_KERNELS, rowInput, rowRule, type Kernels } from '../ops/registry.js';
import { joinOperand, wholeOperand } from '../ops/row-rule.js';
import { cmsisNnTransposeConvPadsBefore } from './transpose-conv-gather.js';
import { ADD_FETCH, decodeAddFetchOptions, decodeSpillOptions, regionWrite, SPILL } from '../ops/tinyseg/custom-ops.js';

export interface Chain {
  ops: number[];
  /** Per op, the operand that carries the chain's rows. */
  rows: number[];
  /**
   * Per op, the stage whose output that operand is, or -1 for the chain's input: the previous one along a chain, an
   * earlier one where the chain runs through both branches of a fork (forkChains).
   */
  sources: number[];
  input: number;
  output: number;
  /**
   * Per op, the chain's own tensor a TinySegAddFetch reads back through a slot the chain spills it to whole (a
   * residual the spill pass sent away), or -1: each band adds its own rows of that tensor instead, as a join of
   * a branch (split-row-bands.ts).
   */
  joins: number[];
  /** Readers of a stage's output outside the chain that the bands compute too (exitOf), by op position. */
  exits: ChainExit[];
}

/**
 * An exit of a chain: operator `op` reads the output of the chain's `stage`-th operator, row for row; `inner`: a join
 * of the chain reads its output too (each band then computes it on all of the stage's rows it computes).
 */
export interface ChainExit {
  op: number;
  stage: number;
  inner: boolean;
}

/** The types both TFLM's STRIDED_SLICE and CONCATENATION take (a uint8 QUANTIZE output, say, neither does). */
const BAND_DTYPES: ReadonlySet<string> = new Set(['float32', 'int8', 'int16', 'int32', 'bool']);
/**
 * And uint8 and int64, in a model no build runs (Kernels.planOnly: an old uint8 model, TensorFlow's int64 ARG_MAX
 * class map), whose bands are memory planning only.
 */
const PLAN_ONLY_BAND_DTYPES: ReadonlySet<string> = new Set([...BAND_DTYPES, 'uint8', 'int64']);

/** The types bands slice and join under `kernels`. */
export const bandTypes = (kernels: Pick<Kernels, 'planOnly'>): ReadonlySet<string> => (kernels.planOnly ? PLAN_ONLY_BAND_DTYPES : BAND_DTYPES);

/**
 * Whether row bands of `op` compute under `kernels` what the whole operator computes there. Under CMSIS-NN an int8
 * TRANSPOSE_CONV that pads before its first row or column does not (cmsisNnTransposeConvPadsBefore): CMSIS-NN's
 * kernel computes other bytes there than the reference's, and others again on a band's shape and padding.
 */
export const bandsUnder = (sg: Subgraph, op: Op, kernels: Kernels): boolean =>
  kernels.set !== 'cmsis-nn' || op.opcode !== 'TRANSPOSE_CONV' || sg.tensors[op.inputs[2] ?? -1]?.dtype !== 'int8' || !cmsisNnTransposeConvPadsBefore(sg, op);

/**
 * The operand of `op` through which a chain passing tensor `t` may run, or -1. Side inputs (activations besides
 * `t`) are allowed only on ops that map rows one to one, with the output's rows.
 */
function rowOperand(sg: Subgraph, op: Op, t: number, sideInputs: boolean, kernels: Kernels): number {
  const rule = rowRule(sg, op);
  const at = op.inputs.indexOf(t);
  if (!rule || !bandsUnder(sg, op, kernels) || at < 0 || op.inputs.lastIndexOf(t) !== at) return -1;
  const rows = sg.tensors[op.outputs[0]!]!.shape[1];
  const join = rule.kind === 'same' && rule.halo === 0;
  // A side input of the output's rows is sliced per band; one that broadcasts along them (a squeeze-excite scale)
  // is read whole by every band.
  const sideOk = (s: number) => {
    const x = sg.tensors[s]!;
    return sideInputs && join && x.kind === 'activation' && joinOperand(x, rows);
  };
  if (at !== rowInput(op) && !(join && rowInput(op) === 0)) return -1;
  // The rows a join maps one to one are its output's: never those of an operand it broadcasts.
  if (join && sg.tensors[t]!.shape[1] !== rows) return -1;
  return op.inputs.every((s, i) => i === at || s < 0 || wholeOperand(sg, s) || sideOk(s)) ? at : -1;
}

/** Choices of the next operator tried per chain where a stage's readers fork (bandChains), at most. */
const FORK_TRIES = 6;

/**
 * Maximal chains (2+ ops) of row-local ops, each reading the previous one's output as its row input; `sideInputs`:
 * joins may read side inputs. A tensor between two ops of a chain has no reader outside it: its next op, and with
 * `branches` (side inputs only) also joins further along the chain that read it row for row (a residual block's
 * input made in the chain: the two branches from it meet again in the chain, each band slicing its rows from its
 * own band) and exits (exitOf), and with `rowSpills` spills of the whole tensor (isRowTap).
 */
export function bandChains(sg: Subgraph, sideInputs: boolean, branches = sideInputs, rowSpills = false, kernels: Kernels = REFERENCE_KERNELS): Chain[] {
  const out: Chain[] = [];
  const taken = new Set<number>();
  const types = bandTypes(kernels);
  sg.ops.forEach((first, i) => {
    if (taken.has(i)) return;
    const at = rowOperand(sg, first, first.inputs[rowInput(first)] ?? -1, sideInputs, kernels);
    if (at < 0) return;
    const x = first.inputs[at]!;
    if (sg.tensors[x]!.kind !== 'activation') return;
    // Where a stage's readers fork, the chain goes on through the first (its next operator) unless that leaves the
    // chain ending at the fork: then the next reader is tried, and the longest chain kept.
    const choice = new Map<number, number>();
    let best: { ops: number[]; rows: number[]; exits: ChainExit[] } | null = null;
    for (let attempt = 0; attempt < FORK_TRIES; attempt++) {
      const ops = [i];
      const rows = [at];
      const forks = new Map<number, number>();
      for (;;) {
        const y = sg.ops[ops[ops.length - 1]!]!.outputs[0]!;
        const readers = sg.consumersOf(y);
        if (readers.length === 0 || sg.outputs.includes(y)) break;
        // The next op is a reader but spills of the whole tensor (the bands write its rows to the slot); any
        // other must join the chain later or be an exit (checked once it ends).
        const others = readers.filter((r) => !(rowSpills && isRowTap(sg, r, y)));
        if (others.length === 0 || (others.length > 1 && !branches)) break;
        if (others.length > 1) forks.set(ops.length - 1, others.length);
        // A choice is only ever made below the count of readers recorded at its fork.
        const next = others[choice.get(ops.length - 1) ?? 0]!;
        const r = rowOperand(sg, sg.ops[next]!, y, sideInputs, kernels);
        if (r < 0) break;
        ops.push(next);
        rows.push(r);
      }
      // Ends where every tensor between its ops is read inside it alone (or by exits).
      let end = ops.length;
      let exits = closure(sg, ops, rows, rowSpills, branches, types);
      while (end >= 2 && !exits) exits = closure(sg, ops.slice(0, --end), rows, rowSpills, branches, types);
      if (end >= 2 && exits && (!best || end > best.ops.length)) best = { ops: ops.slice(0, end), rows: rows.slice(0, end), exits };
      // The stage whose output ended the chain: another of its readers next, if it forks.
      const fork = end - 1;
      if (end === ops.length || !forks.has(fork) || (choice.get(fork) ?? 0) + 1 >= forks.get(fork)!) break;
      choice.set(fork, (choice.get(fork) ?? 0) + 1);
    }
    if (!best) return;
    const { ops, rows, exits } = best;
    ops.forEach((k) => taken.add(k));
    out.push({ ops, rows, sources: ops.map((_, k) => k - 1), input: x, output: sg.ops[ops[ops.length - 1]!]!.outputs[0]!, joins: slotJoins(sg, ops), exits });
  });
  return out;
}

/**
 * Whether operator `r`, reading tensor `t` that chain `ops` makes (`rows`: each op's row operand), can be an exit of
 * it: a builtin mapping rows one to one (no reach, no rows cropped), reading `t` alone as its row input and constants besides, writing
 * one tensor of the same rows that nothing reads before the chain ends (the bands' parts are joined there) but joins
 * of the chain, as a side input (`inner`: a residual block's projected shortcut, which each band adds to its own
 * rows). Null when it cannot.
 */
function exitOf(sg: Subgraph, r: number, t: number, ops: readonly number[], rows: readonly number[], types: ReadonlySet<string>): { inner: boolean } | null {
  const op = sg.ops[r]!;
  const rule = rowRule(sg, op);
  // A slice of some channels that keeps every row maps rows one to one too (a SPLIT's outputs: splits-to-slices.ts).
  const oneToOne = rule && ((rule.kind === 'same' && rule.halo === 0) || (rule.kind === 'crop' && rule.top === 0 && rule.bottom === 0));
  if (op.opcode === 'CUSTOM' || !oneToOne || op.outputs.length !== 1) return null;
  if (op.inputs[rowInput(op)] !== t || op.inputs.indexOf(t) !== op.inputs.lastIndexOf(t)) return null;
  // Constants only: an exit's operands are not run before the chain as the chain's own are (split-row-bands.ts).
  if (!op.inputs.every((s) => s < 0 || s === t || sg.tensors[s]!.kind === 'constant')) return null;
  const y = sg.tensors[op.outputs[0]!]!;
  if (y.shape.length !== 4 || y.shape[1] !== sg.tensors[t]!.shape[1] || !types.has(y.dtype) || !types.has(sg.tensors[t]!.dtype)) return null;
  const last = ops[ops.length - 1]!;
  let inner = false;
  for (const c of sg.consumersOf(y.index)) {
    if (c > last) continue;
    const at = ops.indexOf(c);
    const join = rowRule(sg, sg.ops[c]!);
    if (at < 0 || !join || join.kind !== 'same' || join.halo !== 0 || sg.ops[c]!.inputs[rows[at]!] === y.index) return null;
    inner = true;
  }
  return { inner };
}

/**
 * The exits of `ops` as a chain (`rows`: each op's row operand) when every tensor they write, but the last one's
 * output, is read by `ops` alone (after its writer), or, with `rowSpills`, also spilled whole (the bands then write
 * its rows to the slot), or with `exits` by exits (exitOf, of `types`); else null.
 */
function closure(
  sg: Subgraph,
  ops: readonly number[],
  rows: readonly number[],
  rowSpills: boolean,
  exits: boolean,
  types: ReadonlySet<string>,
): ChainExit[] | null {
  const inside = new Set(ops);
  const found: ChainExit[] = [];
  for (const [stage, k] of ops.slice(0, -1).entries()) {
    const t = sg.ops[k]!.outputs[0]!;
    for (const r of sg.consumersOf(t)) {
      if ((inside.has(r) && r > k) || (rowSpills && isRowTap(sg, r, t))) continue;
      const exit = exits && !inside.has(r) ? exitOf(sg, r, t, ops, rows, types) : null;
      if (!exit) return null;
      found.push({ op: r, stage, inner: exit.inner });
    }
  }
  return found;
}

/**
 * Whether operator `k` spills the whole of tensor `t` (every channel, exact) to its slot: the bands can write the
 * slot themselves, each its own rows (a batch-1 tensor's rows are consecutive bytes of the slot), so `t` need not
 * exist whole for it (split-row-bands.ts).
 */
export function isRowTap(sg: Subgraph, k: number, t: number): boolean {
  const op = sg.ops[k]!;
  if (op.opcode !== 'CUSTOM' || op.customCode !== SPILL || op.inputs.length !== 1 || op.inputs[0] !== t) return false;
  const x = sg.tensors[t]!;
  const o = decodeSpillOptions(op.customOptions);
  return x.shape.length === 4 && x.shape[0] === 1 && o.quantized !== true && o.begin === 0 && o.count === x.shape[3];
}

/**
 * Ops from..to of a chain, as a chain of its own; null when a tensor between them is read after the run (a branch
 * that meets the chain beyond it): the run's tensors must all end in it.
 */
export function subChain(sg: Subgraph, chain: Chain, from: number, to: number, types: ReadonlySet<string>, rowSpills = false): Chain | null {
  const ops = chain.ops.slice(from, to + 1);
  const rows = chain.rows.slice(from, to + 1);
  const input = sg.ops[ops[0]!]!.inputs[rows[0]!]!;
  // Every op of a run through a fork reads its rows from the run's input or from an op of the run.
  const sources = rowSources(sg, ops, rows, input);
  const exits = sources && closure(sg, ops, rows, rowSpills, chain.exits.length > 0, types);
  if (!sources || !exits) return null;
  return { ops, rows, sources, input, output: sg.ops[ops[ops.length - 1]!]!.outputs[0]!, joins: slotJoins(sg, ops), exits };
}

/** Chain.sources of `ops` (`rows`: their row operands) reading `input`, or null where an op reads its rows from neither. */
function rowSources(sg: Subgraph, ops: readonly number[], rows: readonly number[], input: number): number[] | null {
  const stageOf = new Map(ops.map((k, i) => [sg.ops[k]!.outputs[0]!, i]));
  const sources = ops.map((k, i) => {
    const t = sg.ops[k]!.inputs[rows[i]!]!;
    const from = stageOf.get(t);
    return from !== undefined && from < i ? from : t === input ? -1 : -2;
  });
  return sources.includes(-2) ? null : sources;
}

/** Operators a chain through a fork takes, at most. */
const FORK_CHAIN_OPS = 48;

/**
 * Chains that run through both branches of a fork (side inputs, branches, exits): from each row-local op, the
 * operators that read what the chain made so far join it in their order, each reading its rows from the latest
 * stage among its operands (the other operands it reads row for row are side inputs: the branch it joins), and the
 * longest run of them that every tensor but the last one's output ends in (closure) is kept. Operators that could
 * be exits are tried both ways: as exits, and as ops of the chain. Only chains with a fork (an op reading its rows
 * from a stage not just before it) are returned: the others are bandChains'.
 */
export function forkChains(sg: Subgraph, rowSpills = false, kernels: Kernels = REFERENCE_KERNELS): Chain[] {
  const types = bandTypes(kernels);
  const out: Chain[] = [];
  const taken = new Set<number>();
  sg.ops.forEach((first, i) => {
    if (taken.has(i)) return;
    const at = rowOperand(sg, first, first.inputs[rowInput(first)] ?? -1, true, kernels);
    if (at < 0 || sg.tensors[first.inputs[at]!]!.kind !== 'activation') return;
    let best: { ops: number[]; rows: number[]; exits: ChainExit[] } | null = null;
    for (const asExits of [true, false]) {
      const ops = [i];
      const rows = [at];
      // The stage of each tensor the chain made.
      const made = new Map([[first.outputs[0]!, 0]]);
      const seen = new Set([i]);
      while (ops.length < FORK_CHAIN_OPS) {
        // No tensor of the chain but its output is a graph output.
        if ([...made.keys()].some((t) => sg.outputs.includes(t))) break;
        let next = Infinity;
        for (const t of made.keys()) for (const r of sg.consumersOf(t)) if (r < next && !seen.has(r) && !(rowSpills && isRowTap(sg, r, t))) next = r;
        if (next === Infinity) break;
        seen.add(next);
        const op = sg.ops[next]!;
        // Its rows from the latest stage it reads; any other stage it reads, it reads row for row (a join).
        const read = op.inputs.filter((u) => made.has(u)).sort((a, b) => made.get(b)! - made.get(a)!);
        const t = read[0]!;
        if (asExits && exitOf(sg, next, t, ops, rows, types)) continue;
        const rule = rowRule(sg, op);
        const join = rule?.kind === 'same' && rule.halo === 0;
        const r = rowOperand(sg, op, t, true, kernels);
        if (r < 0 || op.outputs.length !== 1 || (read.length > 1 && !join)) break;
        ops.push(next);
        rows.push(r);
        made.set(op.outputs[0]!, ops.length - 1);
        const exits = ops.length > 2 ? closure(sg, ops, rows, rowSpills, true, types) : null;
        if (exits && (!best || ops.length > best.ops.length)) best = { ops: [...ops], rows: [...rows], exits };
      }
    }
    if (!best) return;
    const sources = rowSources(sg, best.ops, best.rows, first.inputs[at]!)!;
    if (sources.every((s, k) => s === k - 1)) return;
    best.ops.forEach((k) => taken.add(k));
    const { ops, rows, exits } = best;
    out.push({ ops, rows, sources, input: first.inputs[at]!, output: sg.ops[ops[ops.length - 1]!]!.outputs[0]!, joins: slotJoins(sg, ops), exits });
  });
  return out;
}

/**
 * The last spill before TinySegAddFetch `k` that writes bytes of the slot it reads (its position), and the tensor
 * it spills whole to exactly that slot (isRowTap), else -1; null when no spill before it writes there.
 */
export function addFetchWriter(sg: Subgraph, k: number): { at: number; tensor: number } | null {
  const o = decodeAddFetchOptions(sg.ops[k]!.customOptions);
  for (let m = k - 1; m >= 0; m--) {
    const op = sg.ops[m]!;
    const s = op.customCode ? regionWrite(op.customCode, op.customOptions) : null;
    if (!s || s.offset >= o.offset + o.bytes || o.offset >= s.offset + s.bytes) continue;
    // A convolution that writes its rows there itself is no whole tensor's spill.
    if (op.customCode !== SPILL) return { at: m, tensor: -1 };
    const t = op.inputs[0]!;
    return { at: m, tensor: s.offset === o.offset && s.bytes === o.bytes && isRowTap(sg, m, t) ? t : -1 };
  }
  return null;
}

/** Per op of `ops`, the tensor an earlier op of them makes that a TinySegAddFetch among them reads back from its slot, or -1 (Chain.joins). */
function slotJoins(sg: Subgraph, ops: readonly number[]): number[] {
  const made = new Set<number>();
  return ops.map((k) => {
    const op = sg.ops[k]!;
    const t = op.customCode === ADD_FETCH ? (addFetchWriter(sg, k)?.tensor ?? -1) : -1;
    made.add(op.outputs[0]!);
    return made.has(t) ? t : -1;
  });
}

/** Whether some chain runs further with side inputs than without: only then do bands through joins differ. */
export function hasSideInputChains(sg: Subgraph): boolean {
  const key = (chains: Chain[]) => chains.map((c) => c.ops.join()).join(';');
  return key(bandChains(sg, true)) !== key(bandChains(sg, false));
}
