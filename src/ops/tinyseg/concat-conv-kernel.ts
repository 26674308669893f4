// TinySegConcatConv (docs/custom-ops.md): CONV_2D on a virtual concatenation.
// The interpreter assembles the concatenation outside the arena (the device
// kernel stages only the input rows one output row needs, in its scratch) and
// runs TFLM's CONV_2D arithmetic on it: the reference conv sums filter row,
// filter column, input channel in order, and the parts are laid out in channel
// order, so even float32 sums round the same way.

import { withDefaults } from '../../tflite/describe.js';
import { Conv2DOptions, DepthwiseConv2DOptions } from '../../tflite/schema.js';
import { DTYPE_SIZE, type Tensor } from '../../graph/graph.js';
import type { GraphOp, GraphTensor } from '../../graph/types.js';
import { CONCAT_CONV, decodeConcatConvOptions, type ConcatConvOptions, type ConvWindow } from './custom-ops.js';
import { defineKernel, kernelError, PADDING, paddingFor, requireOutput, type Kernel, type KernelCall, type TensorData } from '../kernel.js';
import { kernels as conv } from '../conv/kernel.js';
import type { ConvArithmetic } from '../conv-params.js';
import { kernels as depthwiseConv } from '../depthwise-conv/kernel.js';
import { copySlice, layout, readSlot, slotBytesOf } from './spill-kernels.js';
import { customKey } from '../../graph/op-key.js';

const CONV_2D = conv['CONV_2D']!;
const DEPTHWISE_CONV_2D = depthwiseConv['DEPTHWISE_CONV_2D']!;

interface ConcatConvState {
  options: ConcatConvOptions;
  channels: number[];
  /** The conv's input: the whole virtual concatenation, or a band's rows of it in the frame of its padding. */
  input: TensorData;
  conv: KernelCall;
  /** The builtin whose arithmetic it runs: CONV_2D, or DEPTHWISE_CONV_2D for a depthwise band. */
  builtin: Kernel<unknown>;
  state: unknown;
  /** A band (options.firstRow): the input rows [s0, s1) it reads, at `top` rows and `left` columns into its frame. */
  band?: { s0: number; s1: number; top: number; left: number; width: number; rows: Uint8Array };
}

/**
 * A band's input rows and frame: output rows [r0, r1) of the conv on an `H` x `W` input read input rows [s0, s1),
 * framed by the padding the whole conv has there (top, bottom, left, right), so a VALID conv on the frame computes
 * them, each from the same taps in the same order (a padded tap adds zero: int32 sums exactly, float32 sums from
 * +0.0 never reach -0.0). Any TinySeg conv's window (`o`): TinySegConvInPlace's row calls read their rows so too.
 */
export function concatConvBand(o: ConvWindow, H: number, W: number, kh: number, kw: number, r0: number, r1: number) {
  const rows = paddingFor(o.padding, H, kh, o.strideH, o.dilationH);
  const cols = paddingFor(o.padding, W, kw, o.strideW, o.dilationW);
  const spanH = (kh - 1) * o.dilationH + 1;
  const spanW = (kw - 1) * o.dilationW + 1;
  const first = r0 * o.strideH - rows.pad;
  const end = (r1 - 1) * o.strideH - rows.pad + spanH;
  const s0 = Math.max(0, first);
  const s1 = Math.min(H, end);
  const right = Math.max(0, (cols.out - 1) * o.strideW + spanW - W - cols.pad);
  return { outH: rows.out, outW: cols.out, s0, s1, pad: [s0 - first, end - s1, cols.pad, right] as const };
}

/**
 * The builtin whose arithmetic a TinySegConcatConv runs, as an operator on the same operands shifted by one (input
 * 0 the concatenation): CONV_2D, or DEPTHWISE_CONV_2D for a depthwise band; `padding` in place of the options'.
 */
export function builtinOfConcatConv<T extends GraphOp>(op: T, o: ConcatConvOptions, padding = o.padding): T {
  const [strideH, strideW, dilationHFactor, dilationWFactor] = [o.strideH, o.strideW, o.dilationH, o.dilationW];
  const window = { padding, strideH, strideW, dilationHFactor, dilationWFactor, fusedActivationFunction: o.activation };
  const inputs = [-1, ...op.inputs];
  return o.depthMultiplier === undefined
    ? { ...op, opcode: 'CONV_2D', customCode: null, customOptions: null, inputs, optionsType: 'Conv2DOptions', options: withDefaults(Conv2DOptions, window) }
    : {
        ...op,
        opcode: 'DEPTHWISE_CONV_2D',
        customCode: null,
        customOptions: null,
        inputs,
        optionsType: 'DepthwiseConv2DOptions',
        options: withDefaults(DepthwiseConv2DOptions, { ...window, depthMultiplier: o.depthMultiplier }),
      };
}

/**
 * A TinySegConcatConv's output as a tensor: its output, or for a band that writes its rows to the spill region
 * (ConcatConvOptions.out) the rows those bytes hold of the conv's output width and channels, in the filter's type and
 * the options' quantization; null where the operands do not give it.
 */
export function concatConvOutput(op: GraphOp, tensors: readonly GraphTensor[], o = decodeConcatConvOptions(op.customOptions)): GraphTensor | null {
  if (!o.out) return tensors[op.outputs[0] ?? -1] ?? null;
  const filter = tensors[op.inputs[0] ?? -1];
  const x = concatConvInput(op, tensors, o);
  return filter && x && x.shape.length === 3 ? regionRows(o, filter, x.shape[2]!) : null;
}

/** The rows a band writes to the region (ConcatConvOptions.out) of a conv of `filter` on an input `width` wide. */
function regionRows<T extends GraphTensor>(o: ConcatConvOptions, filter: T, width: number): T | null {
  if (!o.out || filter.shape.length !== 4) return null;
  const outC = o.depthMultiplier === undefined ? filter.shape[0]! : filter.shape[3]!;
  const outW = paddingFor(o.padding, width, filter.shape[2]!, o.strideW, o.dilationW).out;
  const rowBytes = outW * outC * DTYPE_SIZE[filter.dtype];
  if (rowBytes <= 0 || o.out.bytes % rowBytes !== 0) return null;
  const shape = [1, o.out.bytes / rowBytes, outW, outC];
  const quantization = filter.dtype === 'float32' ? null : { scale: [o.out.scale], zeroPoint: [o.out.zeroPoint], quantizedDimension: 0 };
  return { ...filter, name: `${CONCAT_CONV} rows`, kind: 'activation', shape, byteSize: o.out.bytes, quantization };
}

/** The region bytes a TinySegConcatConv band reads from each of its region parts: the input rows its output rows reach. */
export function concatConvBandReads(op: GraphOp, tensors: readonly GraphTensor[]): { offset: number; bytes: number }[] {
  const o = decodeConcatConvOptions(op.customOptions);
  const filter = tensors[op.inputs[0]!];
  const y = concatConvOutput(op, tensors, o);
  if (o.firstRow === undefined || o.height === undefined || !filter || !y) return [];
  const [, kh, kw] = filter.shape as [number, number, number, number];
  const b = concatConvBand(o, o.height, o.width!, kh, kw, o.firstRow, o.firstRow + y.shape[1]!);
  const pixelRow = o.width! * DTYPE_SIZE[y.dtype];
  return o.parts.flatMap((p) => ('offset' in p ? [{ offset: p.offset + b.s0 * pixelRow * p.channels, bytes: (b.s1 - b.s0) * pixelRow * p.channels }] : []));
}

/** The op input of a TinySegConcatConv's first resident part (undefined: every part is in the spill region). */
export const firstResidentInput = (o: ConcatConvOptions): number | undefined => o.parts.find((p): p is { input: number } => 'input' in p)?.input;

/**
 * Whether a TinySegConcatConv band reads its rows where they are: its one part is resident, so its rows lie in one
 * tensor of the arena, whole and in order, and the kernel runs the conv on them in one call, staging nothing.
 */
export const concatConvReadsInPlace = (o: ConcatConvOptions): boolean => o.firstRow !== undefined && o.parts.length === 1 && 'input' in o.parts[0]!;

/**
 * Whether a TinySegConcatConv calls its conv once per output row: a band that stages its rows; not a whole operator,
 * nor a band whose rows are in place (one call), nor one that writes its rows to the region (one per chunk).
 */
export const concatConvRowByRow = (o: ConcatConvOptions): boolean => o.firstRow !== undefined && o.out === undefined && !concatConvReadsInPlace(o);

/** The output rows [r0, r1) of each conv call of a band that writes its rows to the region: a chunk each. */
export function concatConvChunks(o: ConcatConvOptions, rows: number): [number, number][] {
  const chunk = o.out?.chunk ?? rows;
  const out: [number, number][] = [];
  for (let r = 0; r < rows; r += chunk) out.push([o.firstRow! + r, o.firstRow! + Math.min(rows, r + chunk)]);
  return out;
}

/**
 * TinySegConcatConv's input shape but the channels ([N, H, W]) and type: its first resident part's, or a band's own
 * (its options' height and width, the filter's type).
 */
export function concatConvInput(op: GraphOp, tensors: readonly GraphTensor[], o: ConcatConvOptions): { shape: number[]; dtype: GraphTensor['dtype'] } | null {
  const k = firstResidentInput(o);
  const part = k === undefined ? undefined : tensors[op.inputs[k] ?? -1];
  if (part) return part.shape.length === 4 ? { shape: part.shape.slice(0, 3), dtype: part.dtype } : null;
  const filter = tensors[op.inputs[0] ?? -1];
  return o.height === undefined || !filter ? null : { shape: [1, o.height, o.width!], dtype: filter.dtype };
}

/**
 * What a TinySegConcatConv band's kernel stages for its output rows (null: not a band): the kernel calls, one per
 * output row, and the bytes it moves into its window, read from the parts or moved up from the rows the previous
 * output row staged, as tinyseg_tflm_kernels.cc's ConcatConvEval does; one call and nothing staged in place.
 */
export function concatConvStaging(op: GraphOp, tensors: readonly GraphTensor[]): { rows: number; bytes: number } | null {
  const o = decodeConcatConvOptions(op.customOptions);
  const filter = tensors[op.inputs[0]!];
  const y = concatConvOutput(op, tensors, o);
  const x = concatConvInput(op, tensors, o);
  if (o.firstRow === undefined || !filter || !y || !x) return null;
  // In place: nothing staged, one call on its rows (or on each chunk it writes to the region).
  if (concatConvReadsInPlace(o)) return { rows: o.out ? 0 : 1, bytes: 0 };
  const [, H, W] = x.shape as [number, number, number];
  const kh = filter.shape[1]!;
  const channels = o.depthMultiplier === undefined ? filter.shape[3]! : filter.shape[3]! / o.depthMultiplier;
  const rowBytes = W * channels * DTYPE_SIZE[y.dtype];
  const span = (kh - 1) * o.dilationH + 1;
  const pad = paddingFor(o.padding, H, kh, o.strideH, o.dilationH).pad;
  // One staging per output row, or per chunk of the rows it writes to the region.
  const rows = y.shape[1]!;
  const calls = o.out ? concatConvChunks(o, rows) : Array.from({ length: rows }, (_, r): [number, number] => [o.firstRow! + r, o.firstRow! + r + 1]);
  let [stagedFrom, stagedTo, bytes] = [0, 0, 0];
  for (const [r0, r1] of calls) {
    const origin = r0 * o.strideH - pad;
    const [from, to] = [Math.max(0, origin), Math.min(H, (r1 - 1) * o.strideH - pad + span)];
    let ready = from;
    if (from >= stagedFrom && from < stagedTo) {
      ready = Math.min(stagedTo, to);
      if (from > stagedFrom) bytes += (ready - from) * rowBytes;
    }
    bytes += (to - ready) * rowBytes;
    [stagedFrom, stagedTo] = [from, to];
  }
  return { rows: calls.length, bytes };
}

function prepare(call: KernelCall): ConcatConvState {
  const options = decodeConcatConvOptions(call.op.customOptions);
  const filter = call.inputs[0];
  if (!filter || filter.tensor.shape.length !== 4) throw kernelError(call, 'needs a 4-D filter');
  const resident = firstResidentInput(options);
  const first = resident === undefined ? null : call.inputs[resident];
  const band = options.firstRow !== undefined;
  if (!first && !(band && options.height !== undefined)) throw kernelError(call, 'has no resident part to take the rows and type from, nor a band\'s height and width');
  if (first && options.height !== undefined) throw kernelError(call, 'has a resident part and a height and width of its own');
  const rowsShape = first ? first.tensor.shape.slice(0, -1) : [1, options.height!, options.width!];
  const dtype = first ? first.tensor.dtype : filter.tensor.dtype;
  const y = regionOutput(call, options, filter.tensor, rowsShape) ?? requireOutput(call, 0);
  if (y.tensor.shape.length !== 4) throw kernelError(call, 'needs a 4-D output');
  const element = DTYPE_SIZE[dtype];
  const channels = options.parts.map((p, j) => {
    if ('input' in p) {
      const x = p.input >= 2 ? call.inputs[p.input] : null;
      if (!x) throw kernelError(call, `part ${j} reads input ${p.input}, which is not a resident part`);
      if (x.tensor.dtype !== dtype || x.tensor.shape.slice(0, -1).join() !== rowsShape.join()) throw kernelError(call, `part ${j} ('${x.tensor.name}') does not match the other parts' rows and type`);
      return layout(x.tensor).channels;
    }
    if (band && p.quantized) throw kernelError(call, `part ${j}: a band reads rows of plain slots only`);
    const bytes = slotBytesOf({ ...filter.tensor, dtype, shape: [...rowsShape, p.channels] }, p.channels, p.quantized);
    if (typeof bytes === 'string') throw kernelError(call, `part ${j}: ${bytes}`);
    if (p.offset + bytes > call.storage.length) throw kernelError(call, `part ${j} reaches past the spill region`);
    return p.channels;
  });
  const inC = channels.reduce((a, b) => a + b, 0);
  const multiplier = options.depthMultiplier;
  const takes = multiplier === undefined ? filter.tensor.shape[3]! : filter.tensor.shape[3]! / multiplier;
  if (inC !== takes) throw kernelError(call, `parts add up to ${inC} channels, the filter takes ${takes}`);
  const quantized = dtype !== 'float32';
  const like = first?.tensor ?? y.tensor;
  const inputTensor = (shape: number[]): Tensor => ({
    ...like,
    name: `${CONCAT_CONV} input`,
    dtype,
    shape,
    byteSize: shape.reduce((a, b) => a * b, 1) * element,
    quantization: quantized ? { scale: [options.inputScale], zeroPoint: [options.inputZeroPoint], quantizedDimension: 0 } : null,
  });
  let virtual = inputTensor([...rowsShape, inC]);
  let window: ConcatConvState['band'];
  let padding = options.padding;
  if (band) {
    const [n, H, W] = rowsShape as [number, number, number];
    const [, kh, kw] = filter.tensor.shape as [number, number, number, number];
    const r0 = options.firstRow!;
    const r1 = r0 + y.tensor.shape[1]!;
    const b = concatConvBand(options, H, W, kh, kw, r0, r1);
    if (n !== 1 || r1 > b.outH || y.tensor.shape[2] !== b.outW || b.s1 <= b.s0 || (multiplier !== undefined && filter.tensor.shape[0] !== 1)) {
      throw kernelError(call, `output rows [${r0}, ${r1}) x ${y.tensor.shape[2]} are not a band of the ${b.outH} x ${b.outW} output of a batch-1 input`);
    }
    const [top, bottom, left, right] = b.pad;
    virtual = inputTensor([1, b.s1 - b.s0 + top + bottom, W + left + right, inC]);
    window = { s0: b.s0, s1: b.s1, top, left, width: W, rows: new Uint8Array((b.s1 - b.s0) * W * inC * element) };
    padding = PADDING.VALID;
  }
  const input: TensorData = { tensor: virtual, bytes: new Uint8Array(virtual.byteSize) };
  const inputs = [input, filter, call.inputs[1] ?? null];
  const convCall: KernelCall = { ...call, op: builtinOfConcatConv(call.op, options, padding), inputs, outputs: [y], scratch: [] };
  const builtin = multiplier === undefined ? CONV_2D : DEPTHWISE_CONV_2D;
  const state = builtin.prepare(convCall);
  if (options.multipliers !== undefined) useMultipliers(call, options.multipliers, state, y.tensor.shape[3]!);
  return { options, channels, input, conv: convCall, builtin, state, ...(window ? { band: window } : {}) };
}

/**
 * An int8 band's multipliers and shifts from its constant input `k` (int32 [2, C]) in place of those the conv's
 * Prepare computed: the kernel runs with the model's values, so the proof covers them.
 */
function useMultipliers(call: KernelCall, k: number, state: ConvArithmetic, channels: number): void {
  const t = call.inputs[k];
  if (!t || t.tensor.kind !== 'constant' || t.tensor.dtype !== 'int32' || t.tensor.shape.join() !== `2,${channels}`) {
    throw kernelError(call, `its multipliers (input ${k}) must be a constant int32 [2, ${channels}] tensor`);
  }
  if (!state.quant) throw kernelError(call, 'has multipliers but is not int8');
  const values = new Int32Array(t.bytes.slice(0, 8 * channels).buffer);
  state.quant.multipliers.set(values.subarray(0, channels));
  state.quant.shifts.set(values.subarray(channels));
}

/** Writes the parts' channels of `l.rows` input pixels from pixel `firstPixel` on into `into` (every channel, `l`). */
function stageParts(call: KernelCall, s: ConcatConvState, into: Uint8Array, l: ReturnType<typeof layout>, firstPixel: number): void {
  let begin = 0;
  s.options.parts.forEach((p, j) => {
    const c = s.channels[j]!;
    const skip = firstPixel * c * l.element;
    if ('input' in p) copySlice(into, call.inputs[p.input]!.bytes, skip, l, begin, c, false);
    else readSlot(into, call.storage, p.offset + skip, l, begin, c, p.quantized);
    begin += c;
  });
}

/**
 * The rows a band writes to the region (ConcatConvOptions.out) as a tensor of its own, outside the arena; null for
 * an operator with an output.
 */
function regionOutput(call: KernelCall, o: ConcatConvOptions, filter: Tensor, rowsShape: readonly number[]): TensorData | null {
  if (!o.out) return null;
  if (call.op.outputs.length > 0) throw kernelError(call, 'writes its rows to the spill region and has an output too');
  const tensor = regionRows(o, filter, rowsShape[2]!);
  if (!tensor) throw kernelError(call, `out_bytes ${o.out.bytes} is not a whole number of the conv's output rows`);
  if (o.out.offset + o.out.bytes > call.storage.length) throw kernelError(call, `spill region is ${call.storage.length} bytes, the op reaches ${o.out.offset + o.out.bytes}`);
  return { tensor: tensor as Tensor, bytes: new Uint8Array(tensor.byteSize) };
}

function invoke(call: KernelCall, s: ConcatConvState): void {
  run(call, s);
  const out = s.options.out;
  if (out) call.storage.set(s.conv.outputs[0]!.bytes, out.offset);
}

function run(call: KernelCall, s: ConcatConvState): void {
  const b = s.band;
  if (!b) {
    stageParts(call, s, s.input.bytes, layout(s.input.tensor), 0);
    return s.builtin.invoke(s.conv, s.state);
  }
  const [, , frameW, inC] = s.input.tensor.shape as [number, number, number, number];
  const element = DTYPE_SIZE[s.input.tensor.dtype];
  stageParts(call, s, b.rows, { element, rows: (b.s1 - b.s0) * b.width, channels: inC }, b.s0 * b.width);
  // The frame holds the zero point (0.0 for float32), what the padding stands for.
  s.input.bytes.fill(s.input.tensor.dtype === 'float32' ? 0 : s.options.inputZeroPoint & 0xff);
  const rowBytes = b.width * inC * element;
  for (let r = 0; r < b.s1 - b.s0; r++) s.input.bytes.set(b.rows.subarray(r * rowBytes, (r + 1) * rowBytes), ((b.top + r) * frameW + b.left) * inC * element);
  s.builtin.invoke(s.conv, s.state);
}

export const kernels: Record<string, Kernel<any>> = { [customKey(CONCAT_CONV)]: defineKernel<ConcatConvState>({ prepare, invoke, evalInputs: [1] }) };
