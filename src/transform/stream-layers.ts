// Layer streaming: the wide activations live in the spill region instead of
// the arena, and every operator that reads or writes one runs in row bands. A
// band fetches the rows of its inputs it needs from their slots, computes its
// rows of the output, and writes them to the output's slot. The arena then
// holds the graph's inputs and outputs, the narrow tensors and one band at a
// time: the streaming floor plus a band.
//
// Unlike row-band chains (split-row-bands.ts), no row is computed twice where
// it costs: a convolution's band pads its own rows (with the zero point, at the
// image's borders and at its sides: a fetch from its slot writes the frame
// itself, a band sliced from the arena gets a PAD) and runs VALID, which computes what
// the SAME convolution computes there (a padded tap adds zero to the same sum
// in the same order), so each band's output rows are all exact. An int8
// bilinear resize's band is a TinySegResizeBand, and an int8 transposed
// convolution's a TinySegTransposeConv band, which compute their own rows
// only. Other row-local operators run as one-operator chains of
// split-row-bands.ts's plans, keeping their exact rows.
//
// A convolution run as TinySegConcatConv whose output is streamed is one
// operator for the whole layer: it writes its rows to its slot itself, a
// band's rows per conv call (ConcatConvOptions.out), so its bands cost no
// operators, tensors or op data in TFLM's tail.
//
// Invariant: every slot is written row band by row band in order, each band
// its own rows, before any reader fetches rows of it; two slots busy at a
// common operator of the original graph never share a byte (spill-region.ts).

import type { Op, Subgraph, Tensor } from '../graph/graph.js';
import { builtinOptions } from '../graph/op-options.js';
import { lowerBound } from '../analysis/lower-bound.js';
import { predictOps } from '../analysis/compute.js';
import { PADDING } from '../ops/kernel.js';
import { perChannelMultipliers } from '../ops/conv-params.js';
import { REFERENCE_KERNELS, rowInput, rowRule, type Kernels, type RowRule } from '../ops/registry.js';
import { CONCAT_MAX_INPUTS } from '../ops/shape/kernel.js';
import {
  builtinConvWindow,
  CONCAT_CONV,
  decodeSpillOptions,
  encodeConcatConvOptions,
  encodeFetchOptions,
  encodeResizeBandOptions,
  encodeSpillOptions,
  FETCH,
  RESIZE_BAND,
  regionReads,
  SPILL,
  decodeTransposeConvGatherOptions,
  encodeTransposeConvGatherOptions,
  regionWrite,
  type ConcatConvOptions,
  TRANSPOSE_CONV_GATHER,
  type TransposeConvGatherOptions,
} from '../ops/tinyseg/custom-ops.js';
import { concatConvBandReads } from '../ops/tinyseg/concat-conv-kernel.js';
import { passTimeline } from '../tflm/arena.js';
import { bandOperands, sliceRows } from './band-operands.js';
import { joinOperand, wholeOperand } from '../ops/row-rule.js';
import { bandTypes, bandsUnder } from './band-chains.js';
import { activationLike, freshName, int32Const, newOp, removeUnusedTensors } from './rewrite.js';
import { planBands } from './split-row-bands.js';
import { resizeSourceRows, sameRow } from './resize-band.js';
import { transposeConvSourceRows } from './transpose-conv-band.js';
import { layOutSpillRegion } from './spill-region.js';
import { zeroOf } from './fold-pads-into-convs.js';
import { frameFetch, type SpillDecision, type SpillResult } from './spill-cold-ranges.js';
import { gatherable, gatherableOperands, gatherOptions } from './transpose-conv-gather.js';

/** What streaming did: the streamed tensors as spill decisions (written and fetched row by row), and the bands. */
export interface StreamLayersResult extends SpillResult {
  /** The layers run in bands, how many bands, and their operators' kinds (sorted, each once). */
  streamed: { layers: number; bands: number; ops: string[] };
  /**
   * Predicted instructions (the compute model's cost of the convolutions, analysis/compute.ts) of the taps SAME
   * convolutions have in their padding: TFLM's reference kernels skip those taps, which the compute model counts
   * all the same, and a band that pads its rows and runs VALID computes them. `all`: every SAME convolution of the
   * graph before; `streamed`: those now run VALID on padded bands. Zero for the convolutions whose kernels compute
   * padded taps (CMSIS-NN's int8 and int16 im2col).
   */
  paddedTaps: { all: number; streamed: number };
  /** For each operator of the streamed graph, the position in the graph before of the operator it computes a part of (-1: none). */
  origins: number[];
  /** The band count of each operator run in bands, by its position in the graph before. */
  bandCounts: Map<number, number>;
  /**
   * How it streamed: the band size, graph outputs or not, the TinySegConcatConv bands on slots, the band counts given
   * for some operators, the tensors it was limited to (absent: every wide one).
   */
  bandBytes: number;
  outputs: boolean;
  concatConv: ConcatConvBands;
  counts: ReadonlyMap<number, number>;
  only?: ReadonlySet<string>;
  /** Set by the stream pass (optimize/pipeline.ts): streaming only the tensors at the peak may give a lower arena. */
  atPeaksMayPay?: boolean;
}

/** How streamLayers streams. */
export interface StreamOptions {
  /** Graph outputs nothing reads are streamed too (streamedTensors). */
  outputs?: boolean;
  /**
   * Which convolutions' bands that read their input from its slot run as TinySegConcatConv bands where they may
   * (concatConvBands): every one (true), the depthwise ones, or none (fetched bands run by the builtin).
   */
  concatConv?: ConcatConvBands;
  /** Those whose input stays in the arena read it in place (PassContext.streamInPlace); false: they slice it. */
  inPlace?: boolean;
  /** Band counts for some operators (by position), in place of what `bandBytes` gives them (bandCount). */
  counts?: ReadonlyMap<number, number>;
  /** Only the wide tensors of these names are streamed (streamableTensors); absent: every one. */
  only?: ReadonlySet<string>;
}

/** StreamOptions.concatConv. */
export type ConcatConvBands = boolean | 'depthwise';

/** A tensor kept in the spill region: its slot and its row size. */
interface Slot {
  offset: number;
  rowBytes: number;
}

/** One band of an operator: output rows [r0, r1) kept of [c0, c1) computed, from row-input rows [s0, s1), padded by `pad`. */
interface Band {
  r0: number;
  r1: number;
  c0: number;
  c1: number;
  s0: number;
  s1: number;
  /** The convolution's padding of this band (top, bottom, left, right), run VALID; absent: the operator as it is. */
  pad?: [number, number, number, number];
}

/** TFLM's SAME padding before the first element (ComputePaddingHeightWidth) and in all, for `n` elements. */
function samePad(n: number, k: number, stride: number): { before: number; total: number } {
  const out = Math.ceil(n / stride);
  const total = Math.max((out - 1) * stride + k - n, 0);
  return { before: Math.floor(total / 2), total };
}

/** The share of a SAME convolution's taps that fall in its padding (none for VALID). */
function paddedTapShare(sg: Subgraph, op: Op): number {
  const o = builtinOptions(op, op.opcode === 'CONV_2D' ? 'Conv2DOptions' : 'DepthwiseConv2DOptions');
  if (o.padding !== PADDING.SAME) return 0;
  const x = sg.tensors[op.inputs[0]!]!;
  const w = sg.tensors[op.inputs[1]!]!;
  // Along one axis: the share of (output, tap) pairs inside the image.
  const inside = (n: number, k: number, stride: number) => {
    const { before } = samePad(n, k, stride);
    const out = Math.ceil(n / stride);
    let taps = 0;
    for (let i = 0; i < out; i++) for (let j = 0; j < k; j++) if (i * stride - before + j >= 0 && i * stride - before + j < n) taps++;
    return taps / (out * k);
  };
  return 1 - inside(x.shape[1]!, w.shape[1]!, o.strideH) * inside(x.shape[2]!, w.shape[2]!, o.strideW);
}

/** A CONV_2D or DEPTHWISE_CONV_2D a band may pad itself and run VALID: constant weights, no dilation, a padding PAD takes. */
function paddableConv(sg: Subgraph, op: Op): boolean {
  if (op.opcode !== 'CONV_2D' && op.opcode !== 'DEPTHWISE_CONV_2D') return false;
  if (!rowRule(sg, op)) return false;
  const o = builtinOptions(op, op.opcode === 'CONV_2D' ? 'Conv2DOptions' : 'DepthwiseConv2DOptions');
  if (o.dilationHFactor !== 1 || o.dilationWFactor !== 1) return false;
  const x = sg.tensors[op.inputs[0]!]!;
  return x.dtype === 'int8' || x.dtype === 'float32' || x.dtype === 'int16';
}

/** The convolution's bands: output rows split evenly, each reading the input rows its window reaches, padded where the image is. */
function convBands(sg: Subgraph, op: Op, count: number): Band[] {
  const o = builtinOptions(op, op.opcode === 'CONV_2D' ? 'Conv2DOptions' : 'DepthwiseConv2DOptions');
  const x = sg.tensors[op.inputs[0]!]!;
  const w = sg.tensors[op.inputs[1]!]!;
  const [H, W] = [x.shape[1]!, x.shape[2]!];
  const [kh, kw] = [w.shape[1]!, w.shape[2]!];
  const same = o.padding === PADDING.SAME;
  const rows = same ? samePad(H, kh, o.strideH) : { before: 0, total: 0 };
  const cols = same ? samePad(W, kw, o.strideW) : { before: 0, total: 0 };
  const outH = sg.tensors[op.outputs[0]!]!.shape[1]!;
  const bands: Band[] = [];
  for (let j = 0; j < count; j++) {
    const r0 = Math.round((j * outH) / count);
    const r1 = Math.round(((j + 1) * outH) / count);
    // Input rows [first, end) in the padded image's reach, of which [s0, s1) exist.
    const first = r0 * o.strideH - rows.before;
    const end = (r1 - 1) * o.strideH - rows.before + kh;
    const s0 = Math.max(0, first);
    const s1 = Math.min(H, end);
    bands.push({ r0, r1, c0: r0, c1: r1, s0, s1, pad: [s0 - first, end - s1, cols.before, cols.total - cols.before] });
  }
  return bands;
}

/**
 * Whether `op` runs its bands as TinySegResizeBand: an int8 RESIZE_BILINEAR. A float32 one runs its bands as the
 * builtin (whose rows around the band's own it slices off): its bytes depend on how the compiler contracts its
 * multiply-adds, which only TFLM's own compiled kernel reproduces.
 */
function resizeBandable(sg: Subgraph, op: Op): boolean {
  if (op.opcode !== 'RESIZE_BILINEAR' || sg.tensors[op.inputs[0]!]!.dtype !== 'int8') return false;
  const o = builtinOptions(op, 'ResizeBilinearOptions');
  return !(o.alignCorners && o.halfPixelCenters) && rowRule(sg, op)?.kind === 'resize';
}

/** `count` bands of `outH` output rows split evenly, each reading the input rows [s0, s1) `sources` gives its rows. */
function evenBands(outH: number, count: number, sources: (r0: number, r1: number) => [number, number]): Band[] {
  return Array.from({ length: count }, (_, j) => {
    const [r0, r1] = [Math.round((j * outH) / count), Math.round(((j + 1) * outH) / count)];
    const [s0, s1] = sources(r0, r1);
    return { r0, r1, c0: r0, c1: r1, s0, s1 };
  });
}

/** A resize's bands: each reading the input rows the whole tensor maps its rows to, no more. */
function resizeBands(sg: Subgraph, op: Op, count: number): Band[] {
  const rule = rowRule(sg, op) as Extract<RowRule, { kind: 'resize' }>;
  const [inH, outH] = [sg.tensors[op.inputs[0]!]!.shape[1]!, sg.tensors[op.outputs[0]!]!.shape[1]!];
  return evenBands(outH, count, (r0, r1) => resizeSourceRows(rule, inH, outH, r0, r1));
}

/**
 * The options of the TinySegTransposeConv bands of `op` (null: none): an int8 TRANSPOSE_CONV with a constant filter
 * and bias, or a TinySegTransposeConv of a whole one. A band gathers exactly the taps that land on its own rows.
 */
function transposeOptions(sg: Subgraph, op: Op, kernels: Kernels = REFERENCE_KERNELS): TransposeConvGatherOptions | null {
  if (op.opcode === 'CUSTOM') {
    if (op.customCode !== TRANSPOSE_CONV_GATHER) return null;
    const o = decodeTransposeConvGatherOptions(op.customOptions);
    return o.band || !gatherableOperands(sg, op) ? null : o;
  }
  return gatherable(sg, op, kernels) ? gatherOptions(op) : null;
}

/** Whether `op`'s bands run as TinySegTransposeConv bands under `kernels` (transposeOptions). */
const transposeBandable = (sg: Subgraph, op: Op, kernels: Kernels = REFERENCE_KERNELS): boolean =>
  transposeOptions(sg, op, kernels) !== null && rowRule(sg, op)?.kind === 'transpose';

/** A transposed conv's bands: each reading the input rows whose taps reach its rows. */
function transposeBands(sg: Subgraph, op: Op, count: number): Band[] {
  const rule = rowRule(sg, op) as Extract<RowRule, { kind: 'transpose' }>;
  const [inH, outH] = [sg.tensors[op.inputs[2]!]!.shape[1]!, sg.tensors[op.outputs[0]!]!.shape[1]!];
  return evenBands(outH, count, (r0, r1) => {
    // A band no input row reaches (a VALID stride past the filter) still reads one: its op needs an input.
    const [a, b] = transposeConvSourceRows(rule, inH, outH, r0, r1);
    const s0 = Math.min(inH - 1, a);
    return [s0, Math.max(s0 + 1, b)];
  });
}

/**
 * Bands of a resize of a one-row input (DeepLab's image pooling spread over the ASPP's rows), each the builtin on
 * that row to its own rows, where every band maps its rows as the whole tensor does (align_corners: row 0, weight 0;
 * nearest); null otherwise. A one-operator chain's band (chainBands) computes every row of such a resize: the rows
 * a band of its input reaches are all of them.
 */
function broadcastResizeBands(sg: Subgraph, op: Op, count: number): Band[] | null {
  const rule = rowRule(sg, op);
  const [inH, outH] = [sg.tensors[op.inputs[0]!]!.shape[1]!, sg.tensors[op.outputs[0]!]!.shape[1]!];
  if (rule?.kind !== 'resize' || inH !== 1) return null;
  const whole = rule.rows(1, outH);
  const bands = evenBands(outH, count, () => [0, 1]);
  for (const b of bands) {
    const band = rule.rows(1, b.r1 - b.r0);
    for (let v = b.r0; v < b.r1; v++) if (!sameRow(whole, v, band, v - b.r0, 0)) return null;
  }
  return bands;
}

/** Bands of another row-local operator: a one-operator chain's plans (split-row-bands.ts), or null when none lines up. */
function chainBands(sg: Subgraph, k: number, count: number, types: ReadonlySet<string>): Band[] | null {
  const op = sg.ops[k]!;
  const row = rowInput(op);
  const chain = { ops: [k], rows: [row], sources: [-1], input: op.inputs[row]!, output: op.outputs[0]!, joins: [-1], exits: [] };
  const plans = planBands(sg, chain, count, false, types);
  return plans && plans.map((p) => ({ r0: p.r0, r1: p.r1, c0: p.stages[0]!.c0, c1: p.stages[0]!.c1, s0: p.s0, s1: p.s1 }));
}

/**
 * Whether `op` may run in bands: one 4-D output of batch 1 of a type bands slice and join (`types`), a row rule, and every
 * operand but constants and the row input of the row input's rows, read row for row (a join: an ADD's other term,
 * a concatenation's other parts).
 */
function bandable(sg: Subgraph, op: Op, types: ReadonlySet<string>): boolean {
  if ((op.opcode === 'CUSTOM' && !transposeBandable(sg, op)) || op.outputs.length !== 1) return false;
  const y = sg.tensors[op.outputs[0]!]!;
  // A 3-D output (ARG_MAX's over the channels) runs in bands too (streamedTensors: read whole from its slot).
  if (y.shape.length < 3 || y.shape.length > 4 || y.shape[0] !== 1 || !types.has(y.dtype)) return false;
  const rule = rowRule(sg, op);
  if (!rule) return false;
  const row = rowInput(op);
  const x = sg.tensors[op.inputs[row]!]!;
  if (!types.has(x.dtype)) return false;
  const others = op.inputs.filter((t, i) => i !== row && t >= 0 && !wholeOperand(sg, t));
  if (others.length === 0) return true;
  const join = rule.kind === 'same' && rule.halo === 0;
  // A join's other operands: of the row input's rows, or broadcast along them (a squeeze-excite scale), which every
  // band reads whole (bandOperands; never streamed: one row).
  return join && new Set(op.inputs).size === op.inputs.length && others.every((t) => {
    const s = sg.tensors[t]!;
    return s.kind === 'activation' && types.has(s.dtype) && joinOperand(s, x.shape[1]);
  });
}

/**
 * The tensors to stream: activations of batch 1 wider than `minBytes`, made by an operator that may run in bands,
 * not a graph input. A graph output is streamed only where nothing reads it and `outputs` holds: its bands go to
 * its slot and one fetch writes it whole after the last (wholeOutput), where a concatenation of its bands would
 * have held the bands and the output at once.
 */
function streamedTensors(sg: Subgraph, minBytes: number, outputs: boolean, types: ReadonlySet<string>): Set<number> {
  const out = new Set<number>();
  sg.ops.forEach((op) => {
    if (!bandable(sg, op, types)) return;
    const t = op.outputs[0]!;
    const y = sg.tensors[t]!;
    // A 3-D one too (ARG_MAX's over the channels: a segmentation's class map): its bands to its slot, fetched whole
    // for its readers (no row rule reads a 3-D tensor), or written whole by the fetch after the last as an output.
    // Weights widened at run time, and tensors of one row (a band is all of it), are read whole by every band: never
    // streamed.
    if (y.kind !== 'activation' || y.shape.length < 3 || y.byteSize <= minBytes || sg.inputs.includes(t) || wholeOperand(sg, t) || (y.shape.length === 4 && y.shape[1] === 1)) return;
    const readers = sg.consumersOf(t).length;
    if (sg.outputs.includes(t) ? !outputs || readers > 0 : readers === 0) return;
    out.add(t);
  });
  return out;
}

/** How many graph outputs streamLayers(sg, bandBytes, kernels, true) streams. */
export const streamedOutputs = (sg: Subgraph, bandBytes: number, kernels: Kernels): number =>
  [...streamedTensors(sg, bandBytes / 4, true, bandTypes(kernels))].filter((t) => sg.outputs.includes(t)).length;

/** The tensors streamLayers(sg, bandBytes, kernels, { outputs }) streams: those StreamOptions.only may limit it to. */
export const streamableTensors = (sg: Subgraph, bandBytes: number, kernels: Kernels, outputs = false): Set<number> =>
  streamedTensors(sg, bandBytes / 4, outputs, bandTypes(kernels));

/** The TinySegFetch that writes graph output `y` whole from its slot, once its last band is there. */
function wholeOutput(sg: Subgraph, y: Tensor, slot: Slot): Omit<Op, 'source'> {
  const f = fetchRows(sg, y, slot, 0, y.shape[1]!, `${y.name}_whole`);
  return { ...f.op, outputs: [y.index] };
}

/**
 * A TinySegFetch of rows [r0, r1) of the tensor `like` from its slot into a new tensor named `name`, framed by `pad`
 * (top, bottom, left, right) rows and columns of the zero point: what the PAD of a convolution's band would write.
 */
function fetchRows(sg: Subgraph, like: Tensor, slot: Slot, r0: number, r1: number, name: string, pad?: Band['pad']): { op: Omit<Op, 'source'>; y: Tensor } {
  const [top, bottom, left, right] = pad ?? [0, 0, 0, 0];
  const y = activationLike(sg, like, freshName(sg, name), like.shape.map((n, i) => (i === 1 ? r1 - r0 + top + bottom : i === 2 ? n + left + right : n)));
  const rows = { offset: slot.offset + r0 * slot.rowBytes, bytes: (r1 - r0) * slot.rowBytes, begin: 0, count: like.shape.at(-1)! };
  const options = encodeFetchOptions(pad ? { ...rows, pad, padValue: zeroOf(like) } : rows);
  return { op: newOp({ opcode: 'CUSTOM', customCode: FETCH, inputs: [], outputs: [y.index], customOptions: options }), y };
}

/** A TinySegSpill of tensor `x` (rows r0.. of the tensor whose slot it is) to its place in the slot. */
const spillRows = (x: Tensor, slot: Slot, r0: number): Omit<Op, 'source'> =>
  newOp({
    opcode: 'CUSTOM',
    customCode: SPILL,
    inputs: [x.index],
    outputs: [],
    customOptions: encodeSpillOptions({ offset: slot.offset + r0 * slot.rowBytes, bytes: x.byteSize, begin: 0, count: x.shape.at(-1)! }),
  });

/** The region bytes a fetch, or a TinySegConcatConv band (the input rows its output rows reach), reads. */
function bytesRead(sg: Subgraph, op: Op): number {
  if (op.customCode !== CONCAT_CONV) return decodeSpillOptions(op.customOptions).bytes;
  return concatConvBandReads(op, sg.tensors).reduce((n, r) => n + r.bytes, 0);
}

/** TFLite's PAD version for a type (its op_version rules). */
const padVersion = (dtype: string): number => (dtype === 'int8' ? 2 : dtype === 'int16' ? 4 : 1);

/** `op` with other operands, outputs or options: a band's copy, without the original's table. */
const withOperands = (op: Op, inputs: readonly number[], outputs: readonly number[], options = op.options): Omit<Op, 'source'> =>
  newOp({
    ...{ opcode: op.opcode, version: op.version, customCode: op.customCode, customOptions: op.customOptions, optionsType: op.optionsType },
    options,
    inputs: [...inputs],
    outputs: [...outputs],
  });

/**
 * The operators that compute operator `op` (at position `k`) band by band: `bands` of it, its streamed inputs fetched
 * rows by rows, its output written to its slot, or joined on the row axis where it stays in the arena.
 */
function bandOps(sg: Subgraph, op: Op, bands: readonly Band[], slots: ReadonlyMap<number, Slot>, via: BandKernel): Omit<Op, 'source'>[] {
  const ops: Omit<Op, 'source'>[] = [];
  const row = rowInput(op);
  const X = sg.tensors[op.inputs[row]!]!;
  const Y = sg.tensors[op.outputs[0]!]!;
  const parts: Tensor[] = [];
  const partOps: Omit<Op, 'source'>[] = [];
  const multipliers = via === 'concatConv' ? layerMultipliers(sg, op, 0, 1) : via === 'transposeBand' ? layerMultipliers(sg, op, 2, 1) : -1;
  // A convolution whose output has a slot writes its rows there itself, all of them in one operator: no band tensor,
  // no spill, a band's rows at a time in its scratch.
  const ySlot = slots.get(Y.index);
  if (via === 'concatConv' && ySlot) {
    // Written a band's rows at a time: the band size's head, one operator's op data.
    const chunk = Math.max(...bands.map((b) => b.r1 - b.r0));
    const out = { offset: ySlot.offset, bytes: Y.byteSize, chunk, scale: Y.quantization?.scale[0] ?? 0, zeroPoint: Y.quantization?.zeroPoint[0] ?? 0 };
    return [concatConvBand(sg, op, 0, slots.get(X.index) ?? null, out, multipliers)];
  }
  bands.forEach((b, j) => {
    if (via !== 'builtin') {
      // The band's output rows computed from its input rows where they are, window by window (a conv), or its own
      // rows fetched (a resize in its slot): no copy of the band, no row computed twice.
      const out = activationLike(sg, Y, freshName(sg, `${Y.name}_band${j}`), Y.shape.map((n, i) => (i === 1 ? b.r1 - b.r0 : n)));
      const slotX = slots.get(X.index) ?? null;
      if (via === 'concatConv') ops.push(concatConvBand(sg, op, b.r0, slotX, out, multipliers));
      else {
        const input = slotX ? fetchRows(sg, X, slotX, b.s0, b.s1, `${X.name}_in${j}`) : null;
        if (input) ops.push(input.op);
        const x = input?.y ?? X;
        ops.push(via === 'resizeBand' ? resizeBand(sg, op, b, x, slotX ? b.s0 : 0, out) : transposeBand(sg, op, b, x, slotX ? b.s0 : 0, out, multipliers));
      }
      const slot = slots.get(Y.index);
      if (slot) ops.push(spillRows(out, slot, b.r0));
      else {
        parts.push(out);
        partOps.push(ops[ops.length - 1]!);
      }
      return;
    }
    // A convolution's band fetched from a slot is fetched padded: no PAD, no second copy of its rows.
    const padded = b.pad && slots.has(X.index) && b.pad.some((n) => n > 0) ? b.pad : undefined;
    // This band's rows of an operand: fetched from its slot, sliced from the whole tensor, or the tensor itself.
    const rowsOf = (t: Tensor, pad?: Band['pad']): Tensor => {
      const slot = slots.get(t.index);
      if (slot) {
        const f = fetchRows(sg, t, slot, b.s0, b.s1, `${t.name}_in${j}`, pad);
        ops.push(f.op);
        return f.y;
      }
      if (b.s0 === 0 && b.s1 === t.shape[1]) return t;
      const s = sliceRows(sg, t, b.s0, b.s1, `${t.name}_in${j}`);
      ops.push(s.op);
      return s.y;
    };
    let input = rowsOf(X, padded);
    // Joins read the same rows of their other operands; those in slots are fetched (the rest bandOperands slices).
    const branches = new Map<number, { tensor: number; c0: number }>();
    op.inputs.forEach((t, i) => {
      if (i !== row && slots.has(t)) branches.set(t, { tensor: rowsOf(sg.tensors[t]!).index, c0: b.s0 });
    });
    const shape = Y.shape.map((n, i) => (i === 1 ? b.c1 - b.c0 : n));
    const out = activationLike(sg, Y, freshName(sg, `${Y.name}_band${j}`), shape);
    if (b.pad) {
      const [top, bottom, left, right] = b.pad;
      if (!padded && top + bottom + left + right > 0) {
        const shape = input.shape.map((n, i) => (i === 1 ? n + top + bottom : i === 2 ? n + left + right : n));
        const withPad = activationLike(sg, input, freshName(sg, `${X.name}_pad${j}`), shape);
        const paddings = int32Const(sg, `${X.name}_pad${j}_paddings`, [0, 0, top, bottom, left, right, 0, 0], [4, 2]);
        ops.push(newOp({ opcode: 'PAD', version: padVersion(X.dtype), inputs: [input.index, paddings], outputs: [withPad.index], optionsType: 'PadOptions', options: {} }));
        input = withPad;
      }
      const inputs = op.inputs.map((t, i) => (i === row ? input.index : t));
      ops.push(withOperands(op, inputs, [out.index], { ...op.options, padding: PADDING.VALID }));
    } else {
      const operands = bandOperands(sg, op, row, input.index, { c0: b.s0, c1: b.s1, height: X.shape[1]! }, shape, `${Y.name}_band${j}`, branches);
      ops.push(...operands.slices);
      ops.push(withOperands(op, operands.inputs, [out.index], operands.options));
    }
    let kept = out;
    if (b.c0 !== b.r0 || b.c1 !== b.r1) {
      const s = sliceRows(sg, out, b.r0 - b.c0, b.r1 - b.c0, `${Y.name}_rows${j}`);
      ops.push(s.op);
      kept = s.y;
    }
    const slot = slots.get(Y.index);
    if (slot) {
      ops.push(spillRows(kept, slot, b.r0));
    } else {
      parts.push(kept);
      partOps.push(ops[ops.length - 1]!);
    }
  });
  if (parts.length === 1) {
    // One band: its last operator writes the output itself.
    const last = partOps[0]!;
    ops[ops.indexOf(last)] = { ...last, outputs: [Y.index] };
  } else if (parts.length > 1) {
    ops.push(newOp({ opcode: 'CONCATENATION', inputs: parts.map((p) => p.index), outputs: [Y.index], optionsType: 'ConcatenationOptions', options: { axis: 1, fusedActivationFunction: 0 } }));
  }
  return ops;
}

/**
 * Whether TinySegConcatConv computes conv `op`'s arithmetic: int8 or float32, its filter of the input's type (the
 * kernel has no hybrid arithmetic and no int4 unpack buffer), a constant or widened from one at run time (a float16
 * or weight-only model's DEQUANTIZE: the kernel reads it at Eval, as the builtin does).
 */
export function concatConvComputes(sg: Subgraph, op: Op): boolean {
  const x = sg.tensors[op.inputs[0]!]!;
  const filter = op.inputs[1] ?? -1;
  return (x.dtype === 'int8' || x.dtype === 'float32') && sg.tensors[filter]?.dtype === x.dtype && wholeOperand(sg, filter);
}

/**
 * Whether `op`'s bands run as TinySegConcatConv bands (concatConvBand): a CONV_2D or DEPTHWISE_CONV_2D it computes
 * (concatConvComputes) whose bias is a constant or widened from one too. The band runs the set's kernel: TFLM's
 * reference arithmetic, which skips the taps in its padding as the whole conv does, or for int8 in a CMSIS-NN build
 * CMSIS-NN's conv or depthwise conv (row by row on the staged rows, or once on the rows in place), whose padded taps
 * add the zero point's nothing as the builtin's do.
 */
export function concatConvBands(sg: Subgraph, op: Op): boolean {
  if (op.opcode !== 'CONV_2D' && op.opcode !== 'DEPTHWISE_CONV_2D') return false;
  return concatConvComputes(sg, op) && op.inputs.slice(2).every((t) => t < 0 || wholeOperand(sg, t));
}

/**
 * Output rows [r0, r0 + out's rows) of CONV_2D or DEPTHWISE_CONV_2D `op` as a TinySegConcatConv band, its padding
 * skipped as the whole conv skips it: its input read from its slot window by window, or (`slot` null) read where it
 * is in the arena, the band's rows in one call (concatConvReadsInPlace).
 */
function concatConvBand(sg: Subgraph, op: Op, r0: number, slot: Slot | null, out: Tensor | ConcatConvRegionRows, multipliers: number): Omit<Op, 'source'> {
  const x = sg.tensors[op.inputs[0]!]!;
  const [, H, W, C] = x.shape as [number, number, number, number];
  const depthwise = op.opcode === 'DEPTHWISE_CONV_2D' ? builtinOptions(op, 'DepthwiseConv2DOptions') : null;
  // Op inputs: the filter, the bias, then the resident input (in place) and the multipliers.
  const resident = slot ? [] : [x.index];
  const options = {
    parts: [slot ? { offset: slot.offset, channels: C } : { input: 2, channels: C }],
    ...builtinConvWindow(depthwise ?? builtinOptions(op, 'Conv2DOptions')),
    ...(depthwise ? { depthMultiplier: depthwise.depthMultiplier } : {}),
    inputScale: x.quantization?.scale[0] ?? 0,
    inputZeroPoint: x.quantization?.zeroPoint[0] ?? 0,
    firstRow: r0,
    ...(slot ? { height: H, width: W } : {}),
    ...(multipliers >= 0 ? { multipliers: 2 + resident.length } : {}),
    ...('index' in out ? {} : { out }),
  };
  const inputs = [op.inputs[1]!, op.inputs[2] ?? -1, ...resident, ...(multipliers >= 0 ? [multipliers] : [])];
  const outputs = 'index' in out ? [out.index] : [];
  return newOp({ opcode: 'CUSTOM', customCode: CONCAT_CONV, inputs, outputs, customOptions: encodeConcatConvOptions(options) });
}

/** The rows a TinySegConcatConv writes to a slot (ConcatConvOptions.out). */
type ConcatConvRegionRows = NonNullable<ConcatConvOptions['out']>;

/** How bandOps computes a band: the operator itself, a TinySegConcatConv band, a TinySegResizeBand or a TinySegTransposeConv band. */
type BandKernel = 'builtin' | 'concatConv' | 'resizeBand' | 'transposeBand';

/**
 * The TinySegTransposeConv band of transposed conv `op` that writes band `b`'s rows to `out` from `x`, whose first row
 * is `s0`; `multipliers`: the layer's multipliers and shifts (layerMultipliers).
 */
function transposeBand(sg: Subgraph, op: Op, b: Band, x: Tensor, s0: number, out: Tensor, multipliers: number): Omit<Op, 'source'> {
  const band = {
    outHeight: sg.tensors[op.outputs[0]!]!.shape[1]!,
    inHeight: sg.tensors[op.inputs[2]!]!.shape[1]!,
    firstOutRow: b.r0,
    firstInRow: s0,
    ...(multipliers >= 0 ? { multipliers: 4 } : {}),
  };
  const inputs = [-1, op.inputs[1]!, x.index, op.inputs[3] ?? -1, ...(multipliers >= 0 ? [multipliers] : [])];
  const options = encodeTransposeConvGatherOptions({ ...transposeOptions(sg, op)!, band });
  return newOp({ opcode: 'CUSTOM', customCode: TRANSPOSE_CONV_GATHER, inputs, outputs: [out.index], customOptions: options });
}

/** The TinySegResizeBand of RESIZE_BILINEAR `op` that writes band `b`'s rows to `out` from `x`, whose first row is `s0`. */
function resizeBand(sg: Subgraph, op: Op, b: Band, x: Tensor, s0: number, out: Tensor): Omit<Op, 'source'> {
  const o = builtinOptions(op, 'ResizeBilinearOptions');
  const options = encodeResizeBandOptions({
    inHeight: sg.tensors[op.inputs[0]!]!.shape[1]!,
    outHeight: sg.tensors[op.outputs[0]!]!.shape[1]!,
    firstInRow: s0,
    firstOutRow: b.r0,
    alignCorners: o.alignCorners,
    halfPixelCenters: o.halfPixelCenters,
  });
  return newOp({ opcode: 'CUSTOM', customCode: RESIZE_BAND, inputs: [x.index], outputs: [out.index], customOptions: options });
}

/**
 * The per-channel multipliers and shifts of int8 conv or transposed conv `op` (its input and filter operands `input`
 * and `weights`) as an int32 [2, output channels] constant its bands share (-1 for float32): in the model, not in
 * each band's op data for the whole run.
 */
function layerMultipliers(sg: Subgraph, op: Op, input: number, weights: number): number {
  const [x, filter] = [sg.tensors[op.inputs[input]!]!, sg.tensors[op.inputs[weights]!]!];
  const y = sg.tensors[op.outputs[0]!]!;
  if (x.dtype !== 'int8' || !x.quantization || !filter.quantization || !y.quantization) return -1;
  const channels = y.shape[3]!;
  const { multipliers, shifts } = perChannelMultipliers(x.quantization.scale[0]!, filter.quantization.scale, y.quantization.scale[0]!, channels);
  return int32Const(sg, `${filter.name}_multipliers`, [...multipliers, ...shifts], [2, channels]);
}

/**
 * The band count for operator `op` given `bandBytes`: enough bands that one band's operands and output take at most
 * that many bytes, at most one per output row, and at most CONCAT_MAX_INPUTS where the output stays whole.
 */
function bandCount(sg: Subgraph, op: Op, slots: ReadonlyMap<number, Slot>, bandBytes: number, count?: number): number {
  const y = sg.tensors[op.outputs[0]!]!;
  const wide = op.inputs.filter((t) => t >= 0 && !wholeOperand(sg, t)).reduce((n, t) => n + sg.tensors[t]!.byteSize, y.byteSize);
  const most = slots.has(y.index) ? y.shape[1]! : Math.min(y.shape[1]!, CONCAT_MAX_INPUTS);
  return Math.max(1, Math.min(most, count ?? Math.ceil(wide / bandBytes)));
}

/**
 * Streams the wide tensors of `sg` (in place): each activation wider than a quarter of `bandBytes` made by an
 * operator that may run in bands lives in the spill region, and every operator that reads or writes one runs in
 * bands of at most about `bandBytes` (their operands and output). Readers that cannot run in bands fetch the tensor
 * whole just before them.
 */
export function streamLayers(sg: Subgraph, bandBytes: number, kernels: Kernels = REFERENCE_KERNELS, options: StreamOptions = {}): StreamLayersResult {
  const { outputs = false, concatConv = true, inPlace = true, counts, only } = options;
  const boundBefore = lowerBound(passTimeline(sg, kernels), sg.ops.length + 1).bytes;
  const types = bandTypes(kernels);
  const order = [...streamedTensors(sg, bandBytes / 4, outputs, types)].filter((t) => !only || only.has(sg.tensors[t]!.name));
  // Slots busy from the writer to the last reader, in the graph's own operator positions: each operator's bands take its place.
  const spans = order.map((t) => ({ bytes: sg.tensors[t]!.byteSize, from: sg.producerOf(t), to: Math.max(sg.producerOf(t), ...sg.consumersOf(t)) }));
  const region = layOutSpillRegion(spans);
  const slots = new Map(order.map((t, i) => [t, { offset: region.offsets[i]!, rowBytes: sg.tensors[t]!.byteSize / sg.tensors[t]!.shape[1]! }]));
  const names = order.map((t) => ({ name: sg.tensors[t]!.name, channels: sg.tensors[t]!.shape.at(-1)! }));
  let layers = 0;
  let bandTotal = 0;
  const kinds = new Set<string>();
  const paddedTaps = { all: 0, streamed: 0 };
  // The kernels that skip them: the reference ones, which CMSIS-NN's build also runs for float32.
  const skipsPadding = (op: Op) => kernels.set === 'reference' || sg.tensors[op.inputs[0]!]!.dtype === 'float32';
  const tapCost = (op: Op) => (skipsPadding(op) && rowRule(sg, op) ? predictOps(sg, [op], kernels) * paddedTapShare(sg, op) : 0);
  for (const op of sg.ops) if (op.opcode === 'CONV_2D' || op.opcode === 'DEPTHWISE_CONV_2D') paddedTaps.all += tapCost(op);
  // The slot (its place in `order`) each new TinySegSpill writes and each TinySegFetch reads.
  const slotOf = new Map<Op, number>();
  // The slot each new operator that writes to the region (a spill, a convolution writing its rows) writes.
  const writerOf = new Map<Op, number>();
  const ops = [...sg.ops];
  // Each operator's origin, kept in step with sg.ops as operators are replaced (from the last, so positions hold).
  const origins = ops.map((_, k) => k);
  const bandCounts = new Map<number, number>();
  for (let k = ops.length - 1; k >= 0; k--) {
    const op = ops[k]!;
    if (!op.inputs.some((t) => slots.has(t)) && !slots.has(op.outputs[0] ?? -1)) continue;
    let replacement: Omit<Op, 'source'>[] | null = null;
    if (bandable(sg, op, types) && bandsUnder(sg, op, kernels)) {
      const count = bandCount(sg, op, slots, bandBytes, counts?.get(k));
      const padded = paddableConv(sg, op);
      const resize = resizeBandable(sg, op);
      const transpose = !padded && !resize && transposeBandable(sg, op, kernels);
      const bands = padded
        ? convBands(sg, op, count)
        : resize
          ? resizeBands(sg, op, count)
          : transpose
            ? transposeBands(sg, op, count)
            : (broadcastResizeBands(sg, op, count) ?? chainBands(sg, k, count, types) ?? chainBands(sg, k, 1, types));
      // A band of an input left in the arena (a graph input) reads its rows where they are: no slice, no PAD, no
      // staging. Without inPlace the bands slice it, and a later spill pass may fetch those slices.
      const inSlot = slots.has(op.inputs[0]!);
      const fromSlot = concatConv === true || (concatConv === 'depthwise' && op.opcode === 'DEPTHWISE_CONV_2D');
      const viaConcatConv = (inSlot ? fromSlot : inPlace) && padded && concatConvBands(sg, op);
      if (padded && !viaConcatConv) paddedTaps.streamed += tapCost(op);
      if (bands) {
        // A convolution whose output is streamed writes its rows to its slot as one operator, a band's rows at a
        // time (bandOps).
        replacement = bandOps(sg, op, bands, slots, viaConcatConv ? 'concatConv' : resize ? 'resizeBand' : transpose ? 'transposeBand' : 'builtin');
        bandCounts.set(k, count);
        layers++;
        bandTotal += bands.length;
        kinds.add(op.opcode);
      }
    }
    if (!replacement) {
      // Whole: its streamed inputs fetched whole just before it, its output (a slot's) written whole after it.
      const whole: Omit<Op, 'source'>[] = [];
      const inputs = op.inputs.map((t) => {
        const slot = slots.get(t);
        if (!slot) return t;
        const x = sg.tensors[t]!;
        const f = fetchRows(sg, x, slot, 0, x.shape[1]!, `${x.name}_whole`);
        whole.push(f.op);
        return f.y.index;
      });
      const outSlot = slots.get(op.outputs[0]!);
      const y = sg.tensors[op.outputs[0]!]!;
      const out = outSlot ? activationLike(sg, y, freshName(sg, `${y.name}_whole`)) : y;
      whole.push(withOperands(op, inputs, [out.index, ...op.outputs.slice(1)]));
      if (outSlot) whole.push(spillRows(out, outSlot, 0));
      replacement = whole;
    }
    const y = op.outputs[0] ?? -1;
    const ySlot = slots.get(y);
    if (ySlot && sg.outputs.includes(y)) replacement.push(wholeOutput(sg, sg.tensors[y]!, ySlot));
    // A spill here writes the output's slot; a fetch reads the slot of the operand whose bytes it reads (a graph
    // output's own slot for the fetch that writes it whole).
    const read = [...op.inputs, y].flatMap((t) => (slots.has(t) ? [order.indexOf(t)] : []));
    origins.splice(k, 1, ...replacement.map(() => k));
    sg.replaceOps(k, 1, replacement).forEach((full, i) => {
      const r = replacement[i]!;
      if (r.customCode && regionWrite(r.customCode, r.customOptions ?? null)) writerOf.set(full, order.indexOf(op.outputs[0]!));
      const at = regionReads(r.customCode ?? '', r.customOptions ?? null)?.[0];
      if (at === undefined) return;
      slotOf.set(full, read.find((s) => at >= region.offsets[s]! && at < region.offsets[s]! + spans[s]!.bytes)!);
    });
  }
  // A band of a PAD (one SAME cannot take) fetched from a slot is fetched framed, as a convolution's band is.
  for (let k = 0; k < sg.ops.length; k++) {
    const slot = slotOf.get(sg.ops[k]!);
    const framed = slot === undefined ? null : frameFetch(sg, k);
    if (!framed) continue;
    slotOf.set(framed, slot!);
    // The fetch and its PAD became one operator.
    origins.splice(k, 2, origins[k]!);
  }
  removeUnusedTensors(sg);
  const boundAfter = lowerBound(passTimeline(sg, kernels), sg.ops.length + 1).bytes;
  const touches = order.map(() => ({ writes: [] as number[], reads: [] as number[], bytesIn: 0 }));
  sg.ops.forEach((op, k) => {
    const w = writerOf.get(op);
    if (w !== undefined) touches[w]!.writes.push(k);
    const i = slotOf.get(op);
    if (i === undefined) return;
    touches[i]!.reads.push(k);
    touches[i]!.bytesIn += bytesRead(sg, op);
  });
  const decisions: SpillDecision[] = order.map((_, i) => ({
    tensor: names[i]!.name,
    begin: 0,
    count: names[i]!.channels,
    channels: names[i]!.channels,
    bytes: spans[i]!.bytes,
    spillOp: touches[i]!.writes[0] ?? -1,
    fetchOp: touches[i]!.reads.at(-1) ?? -1,
    fused: 'rows',
    spilled: 'rows',
    streamed: true,
    peakBefore: boundBefore,
    peakAfter: boundAfter,
    offset: slots.get(order[i]!)!.offset,
  }));
  const bytesIn = touches.reduce((n, t) => n + t.bytesIn, 0);
  const bytesOut = spans.reduce((n, s) => n + s.bytes, 0);
  const streamed = { layers, bands: bandTotal, ops: [...kinds].sort() };
  const how = { bandBytes, outputs, concatConv, counts: counts ?? new Map<number, number>(), ...(only ? { only } : {}) };
  return { decisions, bytesOut, bytesIn, regionBytes: region.regionBytes, streamed, paddedTaps, origins, bandCounts, ...how };
}
