// TinySeg's custom ops (docs/custom-ops.md): the interpreter's kernels, what
// TinySeg's TFLM kernels (emitted with the model) allocate, and the spill
// region each one touches. The kernels are TinySeg's own, so every kernel set
// links the same ones.

import { DTYPE_SIZE, type Op } from '../../graph/graph.js';
import { customKey } from '../../graph/op-key.js';
import type { GraphOp, GraphTensor } from '../../graph/types.js';
import { convS8Buffer, depthwiseBuffer, type ConvGeometry } from '../cmsis-nn-sizes.js';
import { paddingFor } from '../kernel.js';
import { inputOf, outputOf, perChannel, quantizedPerChannel, type KernelMemory, type OpInfo, type SizeRule } from '../op-info.js';
import { kernels as addFetch } from './add-fetch-kernel.js';
import { concatConvBand, concatConvChunks, concatConvInput, concatConvOutput, concatConvReadsInPlace, kernels as concatConv } from './concat-conv-kernel.js';
import {
  ADD_FETCH,
  CONCAT_CONV,
  CONCAT_FETCH,
  decodeAddFetchOptions,
  decodeConcatConvOptions,
  decodeConcatFetchOptions,
  decodeSpillOptions,
  decodeTransposeConvGatherOptions,
  FETCH,
  slotBytes,
  SPILL,
  TRANSPOSE_CONV_GATHER,
  CONV_IN_PLACE,
  decodeConvInPlaceOptions,
  RESIZE_BAND,
  type ConcatConvOptions,
  type ConcatFetchOptions,
} from './custom-ops.js';
import { kernels as spillKernels, layout } from './spill-kernels.js';
import { kernels as transposeConv } from './transpose-conv-kernel.js';
import { kernels as resizeBand } from './resize-band-kernel.js';
import { convInPlaceRows, kernels as convInPlace } from './conv-in-place-kernel.js';
import { placedDelta, rowSchedule } from './conv-in-place-rows.js';
import { addFetchRowRule, transposeConvGatherRowRule } from '../row-rule.js';

/** A spill or fetch moves one slot: options offset .. offset + bytes. */
const slotExtent =
  (code: string) =>
  (op: Op): number => {
    const o = decodeSpillOptions(op.customOptions, code);
    return o.offset + o.bytes;
  };

/** A part's slot holds `rows` rows (everything but the channels) of `element`-byte values: the output's (fetch) or the conv input's. */
function partsExtent(rows: number, element: number, parts: ConcatFetchOptions['parts']): number {
  return Math.max(0, ...parts.map((p) => ('input' in p ? 0 : p.offset + slotBytes(rows * p.channels, element, p.quantized))));
}

/**
 * TinySegConcatConv stages the input rows of one output row: (kH - 1) * dilation + 1 rows of the parts' width and the
 * filter's input channels; a band that reads its rows in place stages none.
 */
function concatConvWindow(op: GraphOp, tensors: readonly GraphTensor[], o: ConcatConvOptions): number[] {
  const filter = inputOf(op, tensors, 0);
  const x = concatConvInput(op, tensors, o);
  const y = o.out ? concatConvOutput(op, tensors, o) : null;
  if (!filter || !x || concatConvReadsInPlace(o) || (o.out && !y)) return [];
  const [H, W, kh, kw] = [x.shape[1]!, x.shape[2]!, filter.shape[1]!, filter.shape[2]!];
  // Rows to the region: the input rows of its largest chunk.
  const rows = y
    ? Math.max(...concatConvChunks(o, y.shape[1]!).map(([r0, r1]) => concatConvBand(o, H, W, kh, kw, r0, r1)).map((b) => b.s1 - b.s0))
    : (kh - 1) * o.dilationH + 1;
  const inC = filter.shape[3]! / (o.depthMultiplier ?? 1);
  return [rows * W * inC * (x.dtype === 'float32' ? 4 : 1)];
}

/** A band that writes its rows to the region computes a chunk of output rows at a time into its scratch. */
function concatConvOutRows(op: GraphOp, tensors: readonly GraphTensor[], o: ConcatConvOptions): number[] {
  const y = o.out ? concatConvOutput(op, tensors, o) : null;
  return y ? [Math.min(o.out!.chunk, y.shape[1]!) * (y.byteSize / y.shape[1]!)] : [];
}

/** TinySegConcatConv's output channels: the filter's first axis, or its last for a depthwise band. */
const concatConvOutChannels = (op: GraphOp, tensors: readonly GraphTensor[]): number | undefined => {
  const filter = inputOf(op, tensors, 0);
  return decodeConcatConvOptions(op.customOptions).depthMultiplier === undefined ? filter?.shape[0] : filter?.shape[3];
};

// int8 only (the filter's type is the conv's).
const concatConvMultipliers = quantizedPerChannel(concatConvOutChannels);

/**
 * The conv's OpDataConv plus the parts (its CMSIS-NN buffer index fits in OpDataConv's padding), and a band's input
 * height, width, first output row, depth multiplier and multipliers input; per-channel multipliers of the output
 * channels, unless a band reads them from that input.
 */
const concatConvOpData = {
  init: (op: GraphOp) => {
    const o = decodeConcatConvOptions(op.customOptions);
    return 56 + 4 + 12 * o.parts.length + (o.firstRow === undefined ? 0 : 16) + (o.out ? 12 : 0);
  },
  // A band whose multipliers are a constant input (the layer's, in the model) keeps none; float32 has none.
  prepare: ((op, tensors, ctx) =>
    decodeConcatConvOptions(op.customOptions).multipliers !== undefined ? [] : concatConvMultipliers(op, tensors, ctx)) satisfies SizeRule,
};

/**
 * What the kernel passes CMSIS-NN for one output row of an int8
 * TinySegConcatConv, a conv or a depthwise band (null: not int8, so no
 * CMSIS-NN call): the staged rows (span rows, fewer at the image's edges), a
 * 1-row output, the window's top padding. CMSIS-NN's conv buffer depends on
 * the filter, the input channels, the width padding and, for the 1 x N case
 * (filter height 1), the row count and width geometry; a 1-row filter stages
 * exactly one row with no top padding, so every row asks the same. Its
 * depthwise buffer grows with the top padding (a 3x3 padded by more than one
 * row leaves the 3x3 kernel), which the first row has most of. The kernel
 * requests the largest any row asks for. A band that reads its rows in place
 * makes one call: its input rows in the image, its output rows, its own top
 * padding.
 */
function concatConvCallGeometries(op: GraphOp, tensors: readonly GraphTensor[], o: ConcatConvOptions): ConvGeometry[] {
  const filter = inputOf(op, tensors, 0);
  const x = concatConvInput(op, tensors, o);
  const y = concatConvOutput(op, tensors, o);
  if (!filter || !x || !y || x.dtype !== 'int8' || filter.shape.length !== 4) return [];
  // A depthwise band's filter is [1, kH, kW, C x multiplier].
  const depthwise = o.depthMultiplier !== undefined;
  const [outC, fh, fw, inC] = depthwise
    ? [filter.shape[3]!, filter.shape[1]!, filter.shape[2]!, filter.shape[3]! / o.depthMultiplier!]
    : (filter.shape as [number, number, number, number]);
  const inW = x.shape[2]!;
  const span = (fh - 1) * o.dilationH + 1;
  const rowsPad = paddingFor(o.padding, x.shape[1]!, fh, o.strideH, o.dilationH).pad;
  // One call per chunk of the rows it writes to the region, or on its rows in place; else one per row.
  const calls = o.out || concatConvReadsInPlace(o) ? concatConvChunks(o, y.shape[1]!) : [null];
  return calls.map((rows) => {
    const band = rows ? concatConvBand(o, x.shape[1]!, inW, fh, fw, rows[0], rows[1]) : null;
    return {
      n: 1,
      inH: band ? band.s1 - band.s0 : fh === 1 ? 1 : span,
      inW,
      inC,
      fh,
      fw,
      // TFLM passes CMSIS-NN a depthwise filter's channels as the output's.
      fc: depthwise ? outC : inC,
      outW: y.shape[2] ?? 1,
      outC,
      sh: o.strideH,
      sw: o.strideW,
      dh: o.dilationH,
      dw: o.dilationW,
      padH: band ? band.pad[0] : fh === 1 ? 0 : rowsPad,
      padW: paddingFor(o.padding, inW, fw, o.strideW, o.dilationW).pad,
    };
  });
}

/** 64 bytes of options and requantization scalars; per-channel multipliers of the output channels. */
const convInPlaceOpData = { init: 64, prepare: (op: GraphOp, tensors: readonly GraphTensor[]) => perChannel(outputOf(op, tensors)?.shape[3]) };

/** TinySegConvInPlace's row queue: the most output rows its schedule holds for the optimizer's placement. */
function convInPlaceQueue(op: GraphOp, tensors: readonly GraphTensor[]): number[] {
  const x = inputOf(op, tensors, 0);
  const w = inputOf(op, tensors, 1);
  const y = outputOf(op, tensors);
  if (!x || !w || !y || x.shape.length !== 4 || w.shape.length !== 4 || y.shape.length !== 4) return [];
  const g = convInPlaceRows(decodeConvInPlaceOptions(op.customOptions), x.shape, w.shape, y.shape);
  return [Math.max(1, rowSchedule(g, placedDelta(g)).queueRows) * g.outRowBytes];
}

/**
 * What TinySegConvInPlace passes CMSIS-NN for each output row: the input rows its window reaches inside the image
 * (fewer at the edges), a 1-row output, the window's top padding (as TFLM's conv, whose padding it keeps).
 */
function convInPlaceCallGeometries(op: GraphOp, tensors: readonly GraphTensor[]): ConvGeometry[] {
  const x = inputOf(op, tensors, 0);
  const w = inputOf(op, tensors, 1);
  const y = outputOf(op, tensors);
  if (!x || !w || !y || x.shape.length !== 4 || w.shape.length !== 4 || y.shape.length !== 4) return [];
  const o = decodeConvInPlaceOptions(op.customOptions);
  const [, H, W, inC] = x.shape as [number, number, number, number];
  const [, fh, fw] = w.shape as [number, number, number, number];
  const [, outH, outW, outC] = y.shape as [number, number, number, number];
  // TFLM passes CMSIS-NN a depthwise filter's channels as the output's.
  const fc = o.depthwise ? outC : inC;
  const [sh, sw, dh, dw] = [o.strideH, o.strideW, o.dilationH, o.dilationW];
  return Array.from({ length: outH }, (_, oy) => {
    // A 1-row band of the conv: its rows in the image and its top and left padding.
    const b = concatConvBand(o, H, W, fh, fw, oy, oy + 1);
    return { n: 1, inH: b.s1 - b.s0, inW: W, inC, fh, fw, fc, outW, outC, sh, sw, dh, dw, padH: b.pad[0], padW: b.pad[2] };
  });
}

/** Op data of the TFLM kernel's Init, and the kernels' scratch and per-channel buffers (docs/custom-ops.md). */
const memory = (m: KernelMemory): OpInfo['memory'] => ({ reference: m });

export const ops: readonly OpInfo[] = [
  // A spill or fetch keeps four int32 (the decoded options).
  { key: customKey(SPILL), kernel: spillKernels[customKey(SPILL)], memory: memory({ opData: { init: 16 } }), storageExtent: slotExtent(SPILL) },
  { key: customKey(FETCH), kernel: spillKernels[customKey(FETCH)], memory: memory({ opData: { init: 16 } }), storageExtent: slotExtent(FETCH) },
  {
    key: customKey(CONCAT_FETCH),
    kernel: spillKernels[customKey(CONCAT_FETCH)],
    // A count plus three int32 per part.
    memory: memory({ opData: { init: (op: GraphOp) => 4 + 12 * decodeConcatFetchOptions(op.customOptions).parts.length } }),
    storageExtent: (op, tensors) => {
      const y = tensors[op.outputs[0]!];
      const l = y && layout(y);
      return l ? partsExtent(l.rows, l.element, decodeConcatFetchOptions(op.customOptions).parts) : 0;
    },
  },
  {
    key: customKey(ADD_FETCH),
    kernel: addFetch[customKey(ADD_FETCH)],
    // ADD's op data and the region operand.
    memory: memory({ opData: { init: 64 } }),
    // It is TFLM's ADD loop, out[i] from the resident operand's element i.
    inPlace: true,
    rowRule: addFetchRowRule,
    storageExtent: (op) => {
      const o = decodeAddFetchOptions(op.customOptions);
      return o.offset + o.bytes;
    },
  },
  {
    key: customKey(CONCAT_CONV),
    kernel: concatConv[customKey(CONCAT_CONV)],
    memory: {
      reference: {
        scratch: (op, tensors) => {
          const o = decodeConcatConvOptions(op.customOptions);
          return [...concatConvWindow(op, tensors, o), ...concatConvOutRows(op, tensors, o)];
        },
        opData: concatConvOpData,
      },
      // The same kernel calls CMSIS-NN's int8 conv once per output row on the window (or once on the band's rows in
      // place): its buffer after the window's, then a region band's output row.
      'cmsis-nn': {
        scratch: (op, tensors, { isa }) => {
          const o = decodeConcatConvOptions(op.customOptions);
          const window = concatConvWindow(op, tensors, o);
          // The largest buffer any call asks for.
          const buffer = (g: ConvGeometry) => (o.depthMultiplier !== undefined ? depthwiseBuffer(g, isa, false) : convS8Buffer(g, isa));
          const context = Math.max(0, ...concatConvCallGeometries(op, tensors, o).map(buffer));
          return [...window, ...(context > 0 ? [context] : []), ...concatConvOutRows(op, tensors, o)];
        },
        opData: concatConvOpData,
      },
    },
    storageExtent: (op, tensors) => {
      const o = decodeConcatConvOptions(op.customOptions);
      const x = concatConvInput(op, tensors, o);
      const written = o.out ? o.out.offset + o.out.bytes : 0;
      return Math.max(written, x ? partsExtent(x.shape.reduce((a, b) => a * b, 1), DTYPE_SIZE[x.dtype], o.parts) : 0);
    },
  },
  {
    key: customKey(TRANSPOSE_CONV_GATHER),
    kernel: transposeConv[customKey(TRANSPOSE_CONV_GATHER)],
    rowRule: transposeConvGatherRowRule,
    rowInput: 2,
    memory: memory({
      // Sums one output channel of one pixel at a time, in a register: no scratch.
      // 48 bytes of options and requantization scalars, 16 more for a band; per-channel multipliers of the filter
      // (input 1), unless a band reads them from an input.
      opData: {
        init: (op) => 48 + (decodeTransposeConvGatherOptions(op.customOptions).band ? 16 : 0),
        prepare: (op, tensors) =>
          decodeTransposeConvGatherOptions(op.customOptions).band?.multipliers !== undefined ? [] : perChannel(inputOf(op, tensors, 1)?.shape[0]),
      },
    }),
  },
  {
    key: customKey(CONV_IN_PLACE),
    kernel: convInPlace[customKey(CONV_IN_PLACE)],
    memory: {
      reference: { scratch: convInPlaceQueue, opData: convInPlaceOpData },
      // Each output row is one call of CMSIS-NN's conv or depthwise conv: its buffer, the largest any row asks for,
      // after the ring.
      'cmsis-nn': {
        scratch: (op, tensors, { isa }) => {
          const depthwise = decodeConvInPlaceOptions(op.customOptions).depthwise;
          const buffer = (g: ConvGeometry) => (depthwise ? depthwiseBuffer(g, isa, false) : convS8Buffer(g, isa));
          const context = Math.max(0, ...convInPlaceCallGeometries(op, tensors).map(buffer));
          return [...convInPlaceQueue(op, tensors), ...(context > 0 ? [context] : [])];
        },
        opData: convInPlaceOpData,
      },
    },
    inPlaceRows: true,
  },
  // Its options as four int32 and two flags.
  { key: customKey(RESIZE_BAND), kernel: resizeBand[customKey(RESIZE_BAND)], memory: memory({ opData: { init: 20 } }) },
];
