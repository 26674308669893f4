// TinySeg's custom operators: their names and FlexBuffers options, shared by
// the passes that insert them, the interpreter that runs them and the C
// runtime that implements them on the device. docs/custom-ops.md is the spec.
//
// The spill ops move bytes between the arena and the spill region (external
// memory) without changing a value; TinySegTransposeConv computes exactly the
// bytes of TFLM's TRANSPOSE_CONV in another order. So an optimized model
// computes the same bytes as the original. Channel ranges are over the last axis: a slice of
// `count` channels from `begin` is, for each outer index in order, `count`
// consecutive elements — the layout of the slice stored in the spill region.

import * as flexbuffers from 'flatbuffers/mjs/flexbuffers.js';
import { TinysegError } from '../../errors.js';

export const SPILL = 'TinySegSpill';
export const FETCH = 'TinySegFetch';
export const CONCAT_FETCH = 'TinySegConcatFetch';
export const ADD_FETCH = 'TinySegAddFetch';
export const CONCAT_CONV = 'TinySegConcatConv';
export const TRANSPOSE_CONV_GATHER = 'TinySegTransposeConv';
/** The most filter taps (kH x kW) TinySegTransposeConv takes: its C kernel lists a pixel's taps on the stack. */
export const TRANSPOSE_CONV_GATHER_MAX_TAPS = 64;
export const CONV_IN_PLACE = 'TinySegConvInPlace';
export const RESIZE_BAND = 'TinySegResizeBand';
export const TINYSEG_OPS: readonly string[] = [SPILL, FETCH, CONCAT_FETCH, ADD_FETCH, CONCAT_CONV, TRANSPOSE_CONV_GATHER, CONV_IN_PLACE, RESIZE_BAND];

/**
 * TinySegSpill: inputs [x], no outputs. Copies channels [begin, begin+count)
 * of x to the spill region at `offset` (bytes = outer * count * element size),
 * or, `quantized`, stores a float32 slice as int8 codes after an 8-byte header
 * (bytes = QUANTIZED_HEADER + outer * count; docs/custom-ops.md "Quantized slots").
 */
export interface SpillOptions {
  offset: number;
  bytes: number;
  begin: number;
  count: number;
  quantized?: boolean;
}

/** Bytes before the codes of a quantized slot: float32 scale, int32 zero point. */
export const QUANTIZED_HEADER = 8;

/** Bytes a slot of `elements` elements of `elementSize` bytes takes in the region. */
export const slotBytes = (elements: number, elementSize: number, quantized: boolean | undefined): number =>
  quantized ? QUANTIZED_HEADER + elements : elements * elementSize;

/**
 * TinySegFetch: inputs [] or [resident], outputs [y]. Writes channels
 * [begin, begin+count) of y from the spill region at `offset`, and the other
 * channels of y, in order, from `resident` (shape of y with C - count channels).
 * With `pad` (top, bottom, left, right), y is a 4-D tensor of batch 1 framed by
 * that many rows and columns of `padValue` elements (what PAD writes), and its
 * inside, every channel, comes from the region: a padded fetch, so the
 * convolution of a band reads its padded rows without a PAD and its copy.
 */
export interface FetchOptions extends SpillOptions {
  pad?: [number, number, number, number];
  padValue?: number;
}

/** The inside of a padded fetch's output shape (the slice its bytes hold), or the shape itself. */
export const fetchedShape = (shape: readonly number[], o: FetchOptions): number[] =>
  o.pad ? shape.map((n, i) => (i === 1 ? n - o.pad![0] - o.pad![1] : i === 2 ? n - o.pad![2] - o.pad![3] : n)) : [...shape];

/**
 * TinySegConcatFetch: a CONCATENATION on the last axis whose parts come either
 * from an input tensor or straight from the spill region, so a fetched part
 * never needs a buffer of its own. parts[j] = { input: k } takes op input k;
 * parts[j] = { offset, channels } reads `channels` channels from the region.
 */
export interface ConcatFetchOptions {
  parts: ({ input: number } | { offset: number; channels: number; quantized?: boolean })[];
}

const signedInt = (o: Record<string, unknown>, key: string, op: string): number => {
  const v = o[key];
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || Math.abs(n) > 2 ** 31) throw new TinysegError('E_MODEL', `${op} options: '${key}' must be an integer, got ${String(v)}`);
  return n;
};

const nonNegativeNumber = (o: Record<string, unknown>, key: string, op: string): number => {
  const v = o[key];
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) throw new TinysegError('E_MODEL', `${op} options: '${key}' must be a non-negative number, got ${String(v)}`);
  return n;
};

const int = (o: Record<string, unknown>, key: string, op: string): number => {
  const v = o[key];
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new TinysegError('E_MODEL', `${op} options: '${key}' must be a non-negative integer, got ${String(v)}`);
  }
  return n;
};

/** An optional 0/1 flag (absent: false); written only when set, so options without it keep their bytes. */
const flag = (o: Record<string, unknown>, key: string, op: string): boolean => {
  if (o[key] === undefined) return false;
  const n = int(o, key, op);
  if (n > 1) throw new TinysegError('E_MODEL', `${op} options: '${key}' must be 0 or 1, got ${n}`);
  return n === 1;
};

// The passes read the same operators' options over and over (row rules, slot readers): each buffer is decoded once.
// Options are never edited in place (a pass that changes them encodes a new buffer), and the maps are only read.
const decoded = new WeakMap<Uint8Array, Record<string, unknown>>();

function decodeMap(bytes: Uint8Array | null, op: string): Record<string, unknown> {
  if (!bytes || bytes.length === 0) throw new TinysegError('E_MODEL', `${op} has no custom options`);
  const known = decoded.get(bytes);
  if (known) return known;
  let o: unknown;
  try {
    o = flexbuffers.toObject(bytes.slice().buffer);
  } catch (e) {
    throw new TinysegError('E_MODEL', `${op} custom options are not a FlexBuffers map: ${(e as Error).message}`);
  }
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw new TinysegError('E_MODEL', `${op} custom options are not a FlexBuffers map`);
  decoded.set(bytes, o as Record<string, unknown>);
  return o as Record<string, unknown>;
}

export function encodeSpillOptions(o: SpillOptions): Uint8Array {
  return flexbuffers.encode({ offset: o.offset, bytes: o.bytes, begin: o.begin, count: o.count, ...(o.quantized ? { quantized: 1 } : {}) });
}

export function decodeSpillOptions(bytes: Uint8Array | null, op = SPILL): SpillOptions {
  const m = decodeMap(bytes, op);
  const o: SpillOptions = { offset: int(m, 'offset', op), bytes: int(m, 'bytes', op), begin: int(m, 'begin', op), count: int(m, 'count', op) };
  if (flag(m, 'quantized', op)) o.quantized = true;
  return o;
}

const PAD_KEYS = ['pad_top', 'pad_bottom', 'pad_left', 'pad_right'] as const;

export function encodeFetchOptions(o: FetchOptions): Uint8Array {
  if (!o.pad || o.pad.every((n) => n === 0)) return encodeSpillOptions(o);
  const pad = Object.fromEntries(PAD_KEYS.map((k, i) => [k, o.pad![i]!]));
  return flexbuffers.encode({ offset: o.offset, bytes: o.bytes, begin: o.begin, count: o.count, ...pad, pad_value: o.padValue ?? 0 });
}

export function decodeFetchOptions(bytes: Uint8Array | null): FetchOptions {
  const o: FetchOptions = decodeSpillOptions(bytes, FETCH);
  const m = decodeMap(bytes, FETCH);
  if (PAD_KEYS.some((k) => m[k] !== undefined)) {
    o.pad = PAD_KEYS.map((k) => int(m, k, FETCH)) as [number, number, number, number];
    o.padValue = signedInt(m, 'pad_value', FETCH);
  }
  return o;
}

/** Parts as parallel int vectors (input index or -1; channels; offsets; quantized, only when a part is), so no map nesting is needed in C. */
function encodeParts(parts: ConcatFetchOptions['parts']): Record<string, number[]> {
  const quantized = parts.map((p) => ('input' in p || !p.quantized ? 0 : 1));
  return {
    part_input: parts.map((p) => ('input' in p ? p.input : -1)),
    part_channels: parts.map((p) => ('input' in p ? 0 : p.channels)),
    part_offset: parts.map((p) => ('input' in p ? 0 : p.offset)),
    ...(quantized.includes(1) ? { part_quantized: quantized } : {}),
  };
}

export function encodeConcatFetchOptions(o: ConcatFetchOptions): Uint8Array {
  return flexbuffers.encode(encodeParts(o.parts));
}

export function decodeConcatFetchOptions(bytes: Uint8Array | null): ConcatFetchOptions {
  return { parts: decodeParts(decodeMap(bytes, CONCAT_FETCH), CONCAT_FETCH) };
}

function decodeParts(m: Record<string, unknown>, op: string): ConcatFetchOptions['parts'] {
  const vec = (key: string): number[] => {
    const v = m[key];
    if (!Array.isArray(v)) throw new TinysegError('E_MODEL', `${op} options: '${key}' must be a vector`);
    return v.map((x) => (typeof x === 'bigint' ? Number(x) : (x as number)));
  };
  const inputs = vec('part_input');
  const channels = vec('part_channels');
  const offsets = vec('part_offset');
  const quantized = m['part_quantized'] === undefined ? inputs.map(() => 0) : vec('part_quantized');
  if (channels.length !== inputs.length || offsets.length !== inputs.length || quantized.length !== inputs.length) {
    throw new TinysegError('E_MODEL', `${op} options: part vectors differ in length`);
  }
  return inputs.map((k, j) => {
    if (!Number.isInteger(k) || k < -1) throw new TinysegError('E_MODEL', `${op} options: part ${j} has input ${k}`);
    const q = quantized[j]!;
    if (q !== 0 && (q !== 1 || k >= 0)) throw new TinysegError('E_MODEL', `${op} options: part ${j} has part_quantized ${q}`);
    if (k >= 0) return { input: k };
    const c = channels[j]!;
    const off = offsets[j]!;
    if (!Number.isInteger(c) || c <= 0 || !Number.isInteger(off) || off < 0) {
      throw new TinysegError('E_MODEL', `${op} options: part ${j} reads ${c} channels at offset ${off}`);
    }
    return q === 1 ? { offset: off, channels: c, quantized: true } : { offset: off, channels: c };
  });
}

/**
 * TinySegTransposeConv: TRANSPOSE_CONV's inputs (output_shape, filter, input,
 * bias) and output, computed output pixel by output pixel, so it needs no int32
 * accumulators of the whole output. The options are TransposeConvOptions'
 * (padding 0 SAME / 1 VALID, fused activation). A band (`band`) computes output
 * rows [firstOutRow, firstOutRow + rows(y)) of an output of `outHeight` rows (its
 * padding is that output's) from an input of `inHeight` rows, its input holding
 * those rows from `firstInRow` on; its multipliers and shifts may be a constant int32 [2, O]
 * input (`multipliers`: its index), shared by the bands of one layer.
 */
export interface TransposeConvGatherOptions {
  padding: number;
  strideH: number;
  strideW: number;
  activation: number;
  band?: { outHeight: number; inHeight: number; firstOutRow: number; firstInRow: number; multipliers?: number };
}

export function encodeTransposeConvGatherOptions(o: TransposeConvGatherOptions): Uint8Array {
  const b = o.band;
  return flexbuffers.encode({
    padding: o.padding,
    stride_h: o.strideH,
    stride_w: o.strideW,
    activation: o.activation,
    ...(b ? { out_height: b.outHeight, in_height: b.inHeight, first_out_row: b.firstOutRow, first_in_row: b.firstInRow } : {}),
    ...(b?.multipliers !== undefined ? { multipliers: b.multipliers } : {}),
  });
}

export function decodeTransposeConvGatherOptions(bytes: Uint8Array | null): TransposeConvGatherOptions {
  const op = TRANSPOSE_CONV_GATHER;
  const m = decodeMap(bytes, op);
  const o: TransposeConvGatherOptions = { padding: int(m, 'padding', op), strideH: int(m, 'stride_h', op), strideW: int(m, 'stride_w', op), activation: int(m, 'activation', op) };
  if (o.padding > 1 || o.strideH < 1 || o.strideW < 1 || o.strideH > 0x7fff || o.strideW > 0x7fff || o.activation > 3) {
    throw new TinysegError('E_MODEL', `${op} options: padding ${o.padding}, strides ${o.strideH}x${o.strideW} or activation ${o.activation} out of range`);
  }
  if (m.out_height === undefined) return o;
  const band = { outHeight: int(m, 'out_height', op), inHeight: int(m, 'in_height', op), firstOutRow: int(m, 'first_out_row', op), firstInRow: int(m, 'first_in_row', op) };
  const multipliers = m.multipliers === undefined ? undefined : int(m, 'multipliers', op);
  // What the C kernel's Init refuses (tinyseg_tflm_kernels.cc).
  const tall = (n: number) => n < 1 || n > 0x7fffffff;
  const rows = band.firstOutRow < band.outHeight && band.firstInRow < band.inHeight;
  if (tall(band.outHeight) || tall(band.inHeight) || !rows || (multipliers !== undefined && (multipliers < 4 || multipliers > 15))) {
    throw new TinysegError('E_MODEL', `${op} options: a band's out_height, first rows or multipliers input out of range`);
  }
  return { ...o, band: multipliers === undefined ? band : { ...band, multipliers } };
}

/**
 * TinySegAddFetch: an ADD (same shapes, no broadcast) whose operand
 * `regionInput` (0 or 1) is read straight from the spill region at `offset`
 * instead of from a fetched buffer. inputs [other operand], outputs [y]. The
 * region operand's quantization travels in the options (`scale`, `zeroPoint`;
 * 0 and 0 for float32), since its tensor no longer exists in the model.
 */
export interface AddFetchOptions {
  offset: number;
  bytes: number;
  regionInput: 0 | 1;
  activation: number;
  scale: number;
  zeroPoint: number;
  /** The region operand is a quantized slot of a float32 tensor. */
  quantized?: boolean;
}

export function encodeAddFetchOptions(o: AddFetchOptions): Uint8Array {
  return flexbuffers.encode({
    offset: o.offset,
    bytes: o.bytes,
    region_input: o.regionInput,
    activation: o.activation,
    scale: o.scale,
    zero_point: o.zeroPoint,
    ...(o.quantized ? { quantized: 1 } : {}),
  });
}

export function decodeAddFetchOptions(bytes: Uint8Array | null): AddFetchOptions {
  const op = ADD_FETCH;
  const m = decodeMap(bytes, op);
  const scale = nonNegativeNumber(m, 'scale', op);
  const regionInput = int(m, 'region_input', op);
  const activation = int(m, 'activation', op);
  if (regionInput > 1 || activation > 3) throw new TinysegError('E_MODEL', `${op} options: region_input ${regionInput} or activation ${activation} out of range`);
  const o: AddFetchOptions = { offset: int(m, 'offset', op), bytes: int(m, 'bytes', op), regionInput: regionInput as 0 | 1, activation, scale, zeroPoint: signedInt(m, 'zero_point', op) };
  if (flag(m, 'quantized', op)) o.quantized = true;
  return o;
}

/**
 * TinySegConcatConv: a CONV_2D whose input is the channel concatenation of
 * parts (as TinySegConcatFetch's: op inputs or region slices), so the
 * concatenation never exists. inputs [filter, bias or -1, resident parts...];
 * the conv's options, and the vanished input's quantization, are in the options.
 */
/** The window of TinySeg's conv operators: the builtin conv options they take over (TFLM's enums for padding and activation). */
export interface ConvWindow {
  padding: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  activation: number;
}

/** A builtin CONV_2D / DEPTHWISE_CONV_2D's options as a ConvWindow. */
export function builtinConvWindow(o: {
  padding: number;
  strideH: number;
  strideW: number;
  dilationHFactor: number;
  dilationWFactor: number;
  fusedActivationFunction: number;
}): ConvWindow {
  const { padding, strideH, strideW } = o;
  return { padding, strideH, strideW, dilationH: o.dilationHFactor, dilationW: o.dilationWFactor, activation: o.fusedActivationFunction };
}

const encodeWindow = (o: ConvWindow) => ({
  padding: o.padding,
  stride_h: o.strideH,
  stride_w: o.strideW,
  dilation_h: o.dilationH,
  dilation_w: o.dilationW,
  activation: o.activation,
});

function decodeWindow(m: Record<string, unknown>, op: string): ConvWindow {
  return {
    padding: int(m, 'padding', op),
    strideH: int(m, 'stride_h', op),
    strideW: int(m, 'stride_w', op),
    dilationH: int(m, 'dilation_h', op),
    dilationW: int(m, 'dilation_w', op),
    activation: int(m, 'activation', op),
  };
}

export interface ConcatConvOptions extends ConvWindow {
  parts: ConcatFetchOptions['parts'];
  inputScale: number;
  inputZeroPoint: number;
  /**
   * A band: `y` holds the conv's output rows [firstRow, firstRow + y's rows), computed from the input rows they
   * reach (docs/custom-ops.md); absent, `y` is the whole output.
   */
  firstRow?: number;
  /** A band's input rows and columns (batch 1), where no part is an op input to give them. */
  height?: number;
  width?: number;
  /** A band of a DEPTHWISE_CONV_2D of this depth multiplier (filter [1, kH, kW, C x multiplier]); absent: CONV_2D. */
  depthMultiplier?: number;
  /**
   * An int8 band's per-channel multipliers and shifts: the op input of this index, an int32 [2, output channels]
   * constant (the multipliers, then the shifts), which every band of the layer shares; absent, Prepare computes them.
   */
  multipliers?: number;
  /**
   * A band that writes its rows to the spill region, not to an output (the op has none): region bytes [offset,
   * offset + bytes) get output rows from `firstRow` on, as many as fill them, in a plain slot of every channel,
   * `chunk` rows at a time (computed into its scratch, then written); the output's quantization (int8) in `scale` and
   * `zeroPoint`. A whole layer so runs as one operator: no band tensor, no spill, one chunk of output in its scratch.
   */
  out?: { offset: number; bytes: number; chunk: number; scale: number; zeroPoint: number };
}

export function encodeConcatConvOptions(o: ConcatConvOptions): Uint8Array {
  return flexbuffers.encode({
    ...encodeParts(o.parts),
    ...encodeWindow(o),
    // A float32 scale (what the kernels read) keeps the FlexBuffer's widths at 32 bits.
    input_scale: Math.fround(o.inputScale),
    input_zero_point: o.inputZeroPoint,
    ...(o.firstRow !== undefined ? { first_row: o.firstRow } : {}),
    ...(o.height !== undefined ? { height: o.height, width: o.width } : {}),
    ...(o.depthMultiplier !== undefined ? { depth_multiplier: o.depthMultiplier } : {}),
    ...(o.multipliers !== undefined ? { multipliers: o.multipliers } : {}),
    ...(o.out
      ? { out_offset: o.out.offset, out_bytes: o.out.bytes, out_chunk: o.out.chunk, out_scale: Math.fround(o.out.scale), out_zero_point: o.out.zeroPoint }
      : {}),
  });
}

export function decodeConcatConvOptions(bytes: Uint8Array | null): ConcatConvOptions {
  const op = CONCAT_CONV;
  const m = decodeMap(bytes, op);
  const scale = nonNegativeNumber(m, 'input_scale', op);
  const o: ConcatConvOptions = {
    parts: decodeParts(m, op),
    ...decodeWindow(m, op),
    inputScale: scale,
    inputZeroPoint: signedInt(m, 'input_zero_point', op),
  };
  if (o.padding > 1 || o.activation > 3 || Math.min(o.strideH, o.strideW, o.dilationH, o.dilationW) < 1) {
    throw new TinysegError('E_MODEL', `${op} options: padding, strides, dilations or activation out of range`);
  }
  if (m['first_row'] !== undefined) o.firstRow = int(m, 'first_row', op);
  if (m['height'] !== undefined || m['width'] !== undefined) {
    if (o.firstRow === undefined) throw new TinysegError('E_MODEL', `${op} options: 'height' and 'width' are a band's (with 'first_row')`);
    o.height = int(m, 'height', op);
    o.width = int(m, 'width', op);
    if (o.height < 1 || o.width < 1) throw new TinysegError('E_MODEL', `${op} options: 'height' and 'width' must be at least 1`);
  }
  if (m['depth_multiplier'] !== undefined) {
    if (o.firstRow === undefined) throw new TinysegError('E_MODEL', `${op} options: 'depth_multiplier' is a band's (with 'first_row')`);
    o.depthMultiplier = int(m, 'depth_multiplier', op);
    if (o.depthMultiplier < 1 || o.depthMultiplier > 0x7fff) throw new TinysegError('E_MODEL', `${op} options: 'depth_multiplier' must be in 1..32767`);
  }
  if (m['multipliers'] !== undefined) {
    if (o.firstRow === undefined) throw new TinysegError('E_MODEL', `${op} options: 'multipliers' is a band's (with 'first_row')`);
    o.multipliers = int(m, 'multipliers', op);
    if (o.multipliers < 2) throw new TinysegError('E_MODEL', `${op} options: 'multipliers' names op input ${o.multipliers}, the filter's or the bias's`);
  }
  if (m['out_offset'] !== undefined) {
    if (o.firstRow === undefined) throw new TinysegError('E_MODEL', `${op} options: 'out_offset' is a band's (with 'first_row')`);
    o.out = {
      offset: int(m, 'out_offset', op),
      bytes: int(m, 'out_bytes', op),
      chunk: int(m, 'out_chunk', op),
      scale: nonNegativeNumber(m, 'out_scale', op),
      zeroPoint: signedInt(m, 'out_zero_point', op),
    };
    if (o.out.bytes < 1 || o.out.chunk < 1 || o.out.chunk > 0xffff) throw new TinysegError('E_MODEL', `${op} options: 'out_bytes' must be at least 1, 'out_chunk' in 1..65535`);
  }
  return o;
}

/**
 * TinySegConvInPlace: an int8 CONV_2D (`depthwise` false) or DEPTHWISE_CONV_2D
 * (true) with the builtin's inputs (input, filter, bias or -1) and output,
 * computed output row by output row through a queue of rows in its scratch, so
 * its output may be placed over its dying input (docs/custom-ops.md).
 */
export interface ConvInPlaceOptions extends ConvWindow {
  depthwise: boolean;
  /** DEPTHWISE_CONV_2D's depth multiplier; 1 for CONV_2D. */
  depthMultiplier: number;
}

export function encodeConvInPlaceOptions(o: ConvInPlaceOptions): Uint8Array {
  return flexbuffers.encode({ depthwise: o.depthwise ? 1 : 0, ...encodeWindow(o), depth_multiplier: o.depthMultiplier });
}

export function decodeConvInPlaceOptions(bytes: Uint8Array | null): ConvInPlaceOptions {
  const op = CONV_IN_PLACE;
  const m = decodeMap(bytes, op);
  const depthwise = int(m, 'depthwise', op);
  const o: ConvInPlaceOptions = {
    depthwise: depthwise === 1,
    ...decodeWindow(m, op),
    depthMultiplier: int(m, 'depth_multiplier', op),
  };
  // What the C kernel's Init refuses (tinyseg_tflm_kernels.cc): the reference kernels take strides, dilations and the
  // multiplier as int16, and a conv's multiplier is 1.
  const steps = [o.strideH, o.strideW, o.dilationH, o.dilationW, o.depthMultiplier];
  const convMultiplier = !o.depthwise && o.depthMultiplier !== 1;
  if (depthwise > 1 || o.padding > 1 || o.activation > 3 || Math.min(...steps) < 1 || Math.max(...steps) > 0x7fff || convMultiplier) {
    throw new TinysegError('E_MODEL', `${op} options: depthwise, padding, strides, dilations, depth multiplier (1 for a conv) or activation out of range`);
  }
  return o;
}

/**
 * TinySegResizeBand: inputs [x], outputs [y]. Output rows [firstOutRow, firstOutRow + rows(y)) of a RESIZE_BILINEAR
 * from `inHeight` to `outHeight` rows (the whole tensors'; the widths are x's and y's), x holding the input rows from
 * `firstInRow` on: each row computed from the whole tensor's row mapping, so a band computes exactly its own rows.
 */
export interface ResizeBandOptions {
  inHeight: number;
  outHeight: number;
  firstInRow: number;
  firstOutRow: number;
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

export function encodeResizeBandOptions(o: ResizeBandOptions): Uint8Array {
  return flexbuffers.encode({
    in_height: o.inHeight,
    out_height: o.outHeight,
    first_in_row: o.firstInRow,
    first_out_row: o.firstOutRow,
    align_corners: o.alignCorners ? 1 : 0,
    half_pixel_centers: o.halfPixelCenters ? 1 : 0,
  });
}

export function decodeResizeBandOptions(bytes: Uint8Array | null): ResizeBandOptions {
  const op = RESIZE_BAND;
  const m = decodeMap(bytes, op);
  const o: ResizeBandOptions = {
    inHeight: int(m, 'in_height', op),
    outHeight: int(m, 'out_height', op),
    firstInRow: int(m, 'first_in_row', op),
    firstOutRow: int(m, 'first_out_row', op),
    alignCorners: flag(m, 'align_corners', op),
    halfPixelCenters: flag(m, 'half_pixel_centers', op),
  };
  // What the C kernel's Init refuses (tinyseg_tflm_kernels.cc): heights up to 2^20 keep TFLM's 10-bit positions
  // (1024 x a height) inside int32.
  if (o.inHeight < 1 || o.outHeight < 1 || Math.max(o.inHeight, o.outHeight) > 1 << 20 || o.firstInRow >= o.inHeight || o.firstOutRow >= o.outHeight) {
    throw new TinysegError('E_MODEL', `${op} options: heights must be 1 to 2^20 and the first rows inside them`);
  }
  if (o.alignCorners && o.halfPixelCenters) throw new TinysegError('E_MODEL', `${op} options: align_corners and half_pixel_centers are exclusive`);
  return o;
}

/**
 * The spill-region offsets an operator with custom code `code` reads back (a fetch, a fused fetch, a conv on a
 * virtual concatenation with region parts), or null for one that reads nothing from the region.
 */
export function regionReads(code: string, options: Uint8Array | null): number[] | null {
  const offsets = (parts: ConcatFetchOptions['parts']) => parts.flatMap((p) => ('offset' in p ? [p.offset] : []));
  if (code === FETCH) return [decodeFetchOptions(options).offset];
  if (code === ADD_FETCH) return [decodeAddFetchOptions(options).offset];
  if (code === CONCAT_FETCH) return offsets(decodeConcatFetchOptions(options).parts);
  if (code === CONCAT_CONV) {
    const read = offsets(decodeConcatConvOptions(options).parts);
    return read.length > 0 ? read : null;
  }
  return null;
}

/**
 * The spill-region bytes an operator with custom code `code` writes: a spill's slot, or the rows a TinySegConcatConv
 * band writes there (ConcatConvOptions.out); null for one that writes none.
 */
export function regionWrite(code: string, options: Uint8Array | null): { offset: number; bytes: number } | null {
  if (code === SPILL) {
    const o = decodeSpillOptions(options);
    return { offset: o.offset, bytes: o.bytes };
  }
  if (code === CONCAT_CONV) return decodeConcatConvOptions(options).out ?? null;
  return null;
}

/**
 * Positions of the operators after position `after` that read bytes of the slot [offset, offset + bytes) back, up to
 * the first spill that writes over any of them (the slot's data ends there).
 */
export function slotReaders(
  ops: readonly { customCode?: string | null; customOptions?: Uint8Array | null }[],
  after: number,
  offset: number,
  bytes: number,
): number[] {
  const readers: number[] = [];
  for (let k = after + 1; k < ops.length; k++) {
    const { customCode, customOptions = null } = ops[k]!;
    if (!customCode) continue;
    // An operator reads its operands before it writes its rows.
    if (regionReads(customCode, customOptions)?.some((at) => at >= offset && at < offset + bytes)) readers.push(k);
    const w = regionWrite(customCode, customOptions);
    if (w && w.offset < offset + bytes && offset < w.offset + w.bytes) break;
  }
  return readers;
}
