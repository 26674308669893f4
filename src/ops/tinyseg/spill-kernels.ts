// TinySeg's custom ops (ops/tinyseg/custom-ops.ts, docs/custom-ops.md): byte
// copies between the arena and the spill region. They never change a value,
// which is what keeps an optimized model bit-exact, except on a quantized slot
// (--lossy-spill), which the options name.

import { TinysegError } from '../../errors.js';
import { DTYPE_SIZE, type Tensor } from '../../graph/graph.js';
import {
  CONCAT_FETCH,
  decodeConcatFetchOptions,
  decodeFetchOptions,
  decodeSpillOptions,
  FETCH,
  fetchedShape,
  slotBytes,
  SPILL,
  type ConcatFetchOptions,
  type FetchOptions,
  type SpillOptions,
} from './custom-ops.js';
import { copyBytes, defineKernel, kernelError, requireInput, requireOutput, type Kernel, type KernelCall, type TensorData } from '../kernel.js';
import { dequantizeSlice, quantizeSlice } from './quantized-slot.js';
import { customKey } from '../../graph/op-key.js';

/** Bytes of one element and the number of rows (everything but the last axis) of a tensor. */
export function layout(t: Tensor): { element: number; rows: number; channels: number } {
  const element = DTYPE_SIZE[t.dtype];
  if (!Number.isInteger(element) || element < 1) throw new TinysegError('E_UNSUPPORTED', `tensor '${t.name}' of type ${t.dtype} cannot be spilled`);
  const channels = t.shape.length ? t.shape[t.shape.length - 1]! : 1;
  return { element, rows: channels === 0 ? 0 : t.shape.reduce((a, b) => a * b, 1) / channels, channels };
}

/** Copies a channel slice between a tensor (row stride `channels`) and a packed region. */
export function copySlice(
  tensor: Uint8Array,
  region: Uint8Array,
  at: number,
  l: { element: number; rows: number; channels: number },
  begin: number,
  count: number,
  toRegion: boolean,
): void {
  const rowBytes = l.channels * l.element;
  const sliceBytes = count * l.element;
  if (sliceBytes === rowBytes) {
    // Whole rows: one contiguous block.
    if (toRegion) region.set(tensor.subarray(0, l.rows * rowBytes), at);
    else tensor.set(region.subarray(at, at + l.rows * rowBytes));
    return;
  }
  for (let r = 0; r < l.rows; r++) {
    const t0 = r * rowBytes + begin * l.element;
    const s0 = at + r * sliceBytes;
    if (toRegion) copyBytes(region, s0, tensor, t0, sliceBytes);
    else copyBytes(tensor, t0, region, s0, sliceBytes);
  }
}

type Layout = ReturnType<typeof layout>;

/** Stores channels [begin, begin + count) of `tensor` in the region at `at`: packed bytes, or a quantized slot of float32 values. */
function writeSlot(tensor: Uint8Array, region: Uint8Array, at: number, l: Layout, begin: number, count: number, quantized: boolean | undefined): void {
  if (!quantized) return copySlice(tensor, region, at, l, begin, count, true);
  const values = new Float32Array(l.rows * count);
  copySlice(tensor, new Uint8Array(values.buffer), 0, l, begin, count, true);
  quantizeSlice(values, region.subarray(at, at + slotBytes(values.length, 4, true)));
}

/** Reads a slot stored by writeSlot into channels [begin, begin + count) of `tensor`. */
export function readSlot(tensor: Uint8Array, region: Uint8Array, at: number, l: Layout, begin: number, count: number, quantized: boolean | undefined): void {
  if (!quantized) return copySlice(tensor, region, at, l, begin, count, false);
  const values = new Float32Array(l.rows * count);
  dequantizeSlice(region.subarray(at, at + slotBytes(values.length, 4, true)), values);
  copySlice(tensor, new Uint8Array(values.buffer), 0, l, begin, count, false);
}

/** Region bytes of a slot of `count` channels of `t`, or why `t` cannot have a quantized slot. */
export function slotBytesOf(t: Tensor, count: number, quantized: boolean | undefined): number | string {
  const l = layout(t);
  if (quantized && t.dtype !== 'float32') return `a quantized slot needs float32 data, '${t.name}' is ${t.dtype}`;
  return slotBytes(l.rows * count, l.element, quantized);
}

function checkSlice(call: KernelCall, o: SpillOptions, t: Tensor): void {
  const l = layout(t);
  if (o.count === 0 || o.begin + o.count > l.channels) throw kernelError(call, `channels [${o.begin}, ${o.begin + o.count}) are outside the ${l.channels} of '${t.name}'`);
  const want = slotBytesOf(t, o.count, o.quantized);
  if (typeof want === 'string') throw kernelError(call, want);
  if (o.bytes !== want) throw kernelError(call, `options say ${o.bytes} bytes, the ${o.quantized ? 'quantized ' : ''}slice has ${want}`);
  if (o.offset + o.bytes > call.storage.length) throw kernelError(call, `spill region is ${call.storage.length} bytes, the op reaches ${o.offset + o.bytes}`);
}

const spill = defineKernel<SpillOptions>({
  prepare(call) {
    const o = decodeSpillOptions(call.op.customOptions);
    checkSlice(call, o, requireInput(call, 0).tensor);
    return o;
  },
  invoke(call, o) {
    const x = requireInput(call, 0);
    writeSlot(x.bytes, call.storage, o.offset, layout(x.tensor), o.begin, o.count, o.quantized);
  },
});

/** Interleaves resident channels (in order, around the fetched slice) into y's rows. */
function copyResident(y: TensorData, r: TensorData, begin: number, count: number): void {
  const ly = layout(y.tensor);
  const rowY = ly.channels * ly.element;
  const rowR = (ly.channels - count) * ly.element;
  const head = begin * ly.element;
  for (let row = 0; row < ly.rows; row++) {
    const src = r.bytes.subarray(row * rowR, (row + 1) * rowR);
    y.bytes.set(src.subarray(0, head), row * rowY);
    y.bytes.set(src.subarray(head), row * rowY + head + count * ly.element);
  }
}

/** The values a padded fetch's frame may hold: a float32 frame is 0.0 (what PAD writes), an integer one the type's. */
const PAD_RANGE: Partial<Record<string, [number, number]>> = { float32: [0, 0], int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767] };

/** Checks a padded fetch: whole rows of a batch-1 4-D tensor, from a plain slot, no resident part. */
function checkPadded(call: KernelCall, o: FetchOptions, y: Tensor): void {
  const inside = fetchedShape(y.shape, o);
  if (y.shape.length !== 4 || y.shape[0] !== 1 || inside.some((n) => n < 1)) throw kernelError(call, `pads ${o.pad!.join(', ')} do not frame '${y.name}' ${JSON.stringify(y.shape)}`);
  if (o.begin !== 0 || o.count !== y.shape[3] || o.quantized || call.inputs.length > 0) throw kernelError(call, 'a padded fetch reads every channel of a plain slot, with no resident input');
  const range = PAD_RANGE[y.dtype] ?? [-(2 ** 31), 2 ** 31 - 1];
  if (!Number.isInteger(o.padValue) || o.padValue! < range[0] || o.padValue! > range[1]) throw kernelError(call, `pad value ${o.padValue} is not one of ${y.dtype}`);
}

/** Fills y with the pad value, then writes its inside, row by row, from the region at `at`. */
function readPadded(y: TensorData, region: Uint8Array, at: number, o: FetchOptions): void {
  const [top, , left] = o.pad!;
  const [, , width, channels] = y.tensor.shape as [number, number, number, number];
  const inside = fetchedShape(y.tensor.shape, o);
  const element = DTYPE_SIZE[y.tensor.dtype];
  const one = new Uint8Array(element);
  const view = new DataView(one.buffer);
  if (y.tensor.dtype === 'float32') view.setFloat32(0, o.padValue!, true);
  else for (let b = 0; b < element; b++) view.setUint8(b, Number((BigInt(o.padValue!) >> BigInt(8 * b)) & 0xffn));
  for (let i = 0; i < y.bytes.length; i += element) y.bytes.set(one, i);
  const rowBytes = inside[2]! * channels * element;
  for (let r = 0; r < inside[1]!; r++) {
    y.bytes.set(region.subarray(at + r * rowBytes, at + (r + 1) * rowBytes), ((top + r) * width + left) * channels * element);
  }
}

const fetch = defineKernel<FetchOptions>({
  prepare(call) {
    const o = decodeFetchOptions(call.op.customOptions);
    const y = requireOutput(call, 0).tensor;
    if (o.pad) {
      checkPadded(call, o, y);
      checkSlice(call, o, { ...y, shape: fetchedShape(y.shape, o) });
      return o;
    }
    checkSlice(call, o, y);
    const l = layout(y);
    const r = call.inputs[0];
    if (o.count < l.channels) {
      if (!r) throw kernelError(call, `fetches ${o.count} of ${l.channels} channels but has no resident input`);
      if (r.tensor.dtype !== y.dtype || r.bytes.length !== l.rows * (l.channels - o.count) * l.element) {
        throw kernelError(call, `resident input '${r.tensor.name}' does not hold the other ${l.channels - o.count} channels`);
      }
    }
    return o;
  },
  invoke(call, o) {
    const y = requireOutput(call, 0);
    if (o.pad) return readPadded(y, call.storage, o.offset, o);
    const r = call.inputs[0];
    if (r) copyResident(y, r, o.begin, o.count);
    readSlot(y.bytes, call.storage, o.offset, layout(y.tensor), o.begin, o.count, o.quantized);
  },
});

interface ConcatFetchState {
  options: ConcatFetchOptions;
  /** Per part: channels. */
  channels: number[];
}

const concatFetch = defineKernel<ConcatFetchState>({
  prepare(call) {
    const options = decodeConcatFetchOptions(call.op.customOptions);
    const y = requireOutput(call, 0).tensor;
    const l = layout(y);
    const channels = options.parts.map((p, j) => {
      if ('input' in p) {
        const x = call.inputs[p.input];
        if (!x) throw kernelError(call, `part ${j} reads input ${p.input}, which the op does not have`);
        const lx = layout(x.tensor);
        if (x.tensor.dtype !== y.dtype || lx.rows !== l.rows) throw kernelError(call, `part ${j} ('${x.tensor.name}') does not match the output's rows and type`);
        return lx.channels;
      }
      const bytes = slotBytesOf(y, p.channels, p.quantized);
      if (typeof bytes === 'string') throw kernelError(call, `part ${j}: ${bytes}`);
      if (p.offset + bytes > call.storage.length) throw kernelError(call, `part ${j} reaches past the spill region`);
      return p.channels;
    });
    if (channels.reduce((a, b) => a + b, 0) !== l.channels) throw kernelError(call, `parts add up to ${channels.reduce((a, b) => a + b, 0)} channels, the output has ${l.channels}`);
    return { options, channels };
  },
  invoke(call, s) {
    const y = requireOutput(call, 0);
    const l = layout(y.tensor);
    let begin = 0;
    s.options.parts.forEach((p, j) => {
      const c = s.channels[j]!;
      if ('input' in p) {
        // An input part is a packed slice of c channels per row, like a region slice.
        copySlice(y.bytes, call.inputs[p.input]!.bytes, 0, l, begin, c, false);
      } else {
        readSlot(y.bytes, call.storage, p.offset, l, begin, c, p.quantized);
      }
      begin += c;
    });
  },
});

export const kernels: Record<string, Kernel<any>> = {
  [customKey(SPILL)]: spill,
  [customKey(FETCH)]: fetch,
  [customKey(CONCAT_FETCH)]: concatFetch,
};
