// RESIZE_BILINEAR (float32: reference_ops::ResizeBilinear in float
// arithmetic; int8: ResizeBilinearInteger in 10-bit fixed point) and
// RESIZE_NEAREST_NEIGHBOR (a copy of whole pixels, any 1/2/4-byte type).
// Source coordinates depend only on the output position, so prepare computes
// them once per row and column.

import { builtinOptions } from '../../graph/op-options.js';
import { roundHalfAway } from '../fixed-point.js';
import type { RowAxis } from '../row-rule.js';
import { simd, simdAligned, simdCopyOut, simdF32, simdHeap, simdI32, simdKept, simdReserve, simdScratch } from '../simd/simd.js';
import { defineKernel, dims4, f32, i32, i8, kernelError, requireInput, requireOutput, type Kernel, type KernelCall } from '../kernel.js';

function checkSize(call: KernelCall): [number, number] {
  const size = requireInput(call, 1);
  const output = requireOutput(call, 0);
  if (size.tensor.dtype !== 'int32' || size.tensor.kind !== 'constant' || size.bytes.byteLength !== 8) {
    throw kernelError(call, 'the size input must be a constant int32 tensor of 2 elements');
  }
  const [h, w] = i32(size);
  const [, outH, outW] = dims4(output, call);
  if (h !== outH || w !== outW) throw kernelError(call, `size input says ${h}x${w}, the output is ${outH}x${outW}`);
  const input = requireInput(call, 0);
  if (dims4(input, call)[3] !== dims4(output, call)[3] || dims4(input, call)[0] !== dims4(output, call)[0]) {
    throw kernelError(call, 'input and output differ in batch or depth');
  }
  return [outH, outW];
}

export interface Axis {
  lo: Int32Array;
  hi: Int32Array;
  /** float: the fractional source position; int8: the 10-bit fixed-point position. */
  pos: Float64Array;
}

/** ComputeInterpolationValues (float). */
function floatAxis(inSize: number, outSize: number, align: boolean, half: boolean): Axis {
  let scale = Math.fround(inSize / outSize);
  if (align && outSize > 1) scale = Math.fround((inSize - 1) / (outSize - 1));
  const a: Axis = { lo: new Int32Array(outSize), hi: new Int32Array(outSize), pos: new Float64Array(outSize) };
  for (let v = 0; v < outSize; v++) {
    const p = half ? Math.fround(Math.fround(Math.fround(v + 0.5) * scale) - 0.5) : Math.fround(v * scale);
    a.pos[v] = p;
    a.lo[v] = Math.max(Math.trunc(Math.floor(p)), 0);
    a.hi[v] = Math.min(Math.trunc(Math.ceil(p)), inSize - 1);
  }
  return a;
}

/** ComputeInterpolationValuesInteger: C's division truncates toward zero. */
export function integerAxis(inSize: number, outSize: number, align: boolean, half: boolean): Axis {
  let scale10 = Math.trunc((1024 * inSize + Math.trunc(outSize / 2)) / outSize);
  if (align && outSize > 1) scale10 = Math.trunc((1024 * (inSize - 1) + Math.trunc((outSize - 1) / 2)) / (outSize - 1));
  const a: Axis = { lo: new Int32Array(outSize), hi: new Int32Array(outSize), pos: new Float64Array(outSize) };
  for (let v = 0; v < outSize; v++) {
    const p = half ? v * scale10 + Math.trunc(scale10 / 2) - 512 : v * scale10;
    a.pos[v] = p;
    a.lo[v] = Math.max(Math.trunc(p / 1024), 0);
    a.hi[v] = Math.min(Math.trunc((p + 1023) / 1024), inSize - 1);
  }
  return a;
}

export interface BilinearState {
  float: boolean;
  /**
   * The axes as resizeBilinearI8 / resizeBilinearF32 read them (wasmAxis), or with a shift resizeBilinearI8Int16
   * (int16Axes), made once here rather than on every inference.
   */
  rows: Int32Array;
  cols: Int32Array;
  /** int8 where int16 sums are exact: resizeBilinearI8Int16's rounding divide by 2^shift (20 - 2k); else 0. */
  shift: number;
}

const RESIZE_BILINEAR = defineKernel<BilinearState>({
  prepare(call) {
    const [outH, outW] = checkSize(call);
    const input = requireInput(call, 0);
    const t = input.tensor.dtype;
    if ((t !== 'float32' && t !== 'int8') || requireOutput(call, 0).tensor.dtype !== t) {
      throw kernelError(call, `type ${t} is not supported (TFLM resizes float32 and int8)`);
    }
    const { alignCorners: align, halfPixelCenters: half } = builtinOptions(call.op, 'ResizeBilinearOptions');
    if (align && half) throw kernelError(call, 'align_corners and half_pixel_centers are exclusive');
    const [, inH, inW, depth] = dims4(input, call);
    const float = t === 'float32';
    const axis = float ? floatAxis : integerAxis;
    return bilinearState(float, axis(inH, outH, align, half), axis(inW, outW, align, half), depth);
  },
  invoke: invokeBilinear,
});

/** A bilinear resize's state from its axes: the output rows' may be a band's of a whole tensor's (TinySegResizeBand). */
export function bilinearState(float: boolean, ys: Axis, xs: Axis, depth: number): BilinearState {
  const int16 = float ? null : int16Axes(ys, xs, depth);
  return int16 ? { float, ...int16 } : { float, rows: wasmAxis(ys, float), cols: wasmAxis(xs, float), shift: 0 };
}

/** Input 0 resized into output 0 by the axes of `s`, which index input 0's rows and columns. */
export function invokeBilinear(call: KernelCall, s: BilinearState): void {
  const input = requireInput(call, 0);
  const output = requireOutput(call, 0);
  const [batches, inH, inW, depth] = dims4(input, call);
  const [, outH, outW] = dims4(output, call);
  if (s.float) resizeBilinearFloat(f32(input), f32(output), s, batches, inH, inW, depth, outH, outW);
  else resizeBilinearInt8(i8(input), i8(output), s, batches, inH, inW, depth, outH, outW);
}

/**
 * An axis as resizeBilinearI8 (resizeBilinearF32) reads it: per output position, lower and upper source index and the
 * 10-bit fraction (the float32 fraction, as its bits) above the lower one.
 */
function wasmAxis(a: Axis, float: boolean): Int32Array {
  const t = new Int32Array(3 * a.lo.length);
  const f = new Float32Array(t.buffer);
  for (let v = 0; v < a.lo.length; v++) {
    t[3 * v] = a.lo[v]!;
    t[3 * v + 1] = a.hi[v]!;
    if (float) f[3 * v + 2] = a.pos[v]! - a.lo[v]!;
    else t[3 * v + 2] = a.pos[v]! - 1024 * a.lo[v]!;
  }
  return t;
}

type Int16Axes = Pick<BilinearState, 'rows' | 'cols' | 'shift'>;

/**
 * resizeBilinearI8Int16's axes, where its int16 sums are exact: every 10-bit fraction f of both axes a multiple of 2^k,
 * k from 6 to 9 (a resize by 2, 4 or 8 with half-pixel centers: k = 8, 7, 6); else null. Each axis's two weights sum
 * to 2^(10 - k), and both are at least 0 except where a fraction below 0 (the first row or column with half-pixel
 * centers) has both read one source index. So a sum lies within int8's range times 2^(20 - 2k), and with k >= 6 it
 * and the rounding's half, 2^(19 - 2k), stay within int16: [-32768, 32512] and +-128.
 * rows: per output row, its lower and upper source row and their weights; cols: per output column 12 words, the lower
 * and upper column's weights as 8 int16 each, then their source columns times depth.
 */
function int16Axes(ys: Axis, xs: Axis, depth: number): Int16Axes | null {
  const fraction = (a: Axis, v: number) => a.pos[v]! - 1024 * a.lo[v]!;
  let k = 9;
  for (const a of [ys, xs]) for (let v = 0; v < a.lo.length; v++) while (k > 0 && (fraction(a, v) & ((1 << k) - 1)) !== 0) k--;
  if (k < 6) return null;
  const rows = new Int32Array(4 * ys.lo.length);
  for (let v = 0; v < ys.lo.length; v++) rows.set([ys.lo[v]!, ys.hi[v]!, (1024 - fraction(ys, v)) >> k, fraction(ys, v) >> k], 4 * v);
  const cols = new Int32Array(12 * xs.lo.length);
  const weights = new Int16Array(cols.buffer);
  for (let v = 0; v < xs.lo.length; v++) {
    weights.fill((1024 - fraction(xs, v)) >> k, 24 * v, 24 * v + 8);
    weights.fill(fraction(xs, v) >> k, 24 * v + 8, 24 * v + 16);
    cols[12 * v + 8] = xs.lo[v]! * depth;
    cols[12 * v + 9] = xs.hi[v]! * depth;
  }
  return { rows, cols, shift: 20 - 2 * k };
}

/** ResizeBilinearInteger in the SIMD module (simd/resize.wat). */
function resizeBilinearInt8(
  x: Int8Array, out: Int8Array, s: BilinearState, batches: number, inH: number, inW: number, depth: number, outH: number, outW: number,
): void {
  const { rows, cols } = s;
  const [xAt, outAt, rowsAt, colsAt] = simdReserve([x.length, out.length + 8, rows.byteLength, cols.byteLength]);
  const h = simdHeap();
  h.i8.set(x, xAt);
  h.i32.set(rows, rowsAt >> 2);
  h.i32.set(cols, colsAt >> 2);
  if (s.shift) simd().resizeBilinearI8Int16(xAt, outAt, batches, inH, inW, depth, outH, outW, rowsAt, colsAt, s.shift);
  else simd().resizeBilinearI8(xAt, outAt, batches, inH, inW, depth, outH, outW, rowsAt, colsAt);
  simdCopyOut(outAt, out.length, out);
}

/** reference_ops::ResizeBilinear (float32) in the SIMD module (simd/resize.wat). */
function resizeBilinearFloat(
  x: Float32Array, out: Float32Array, s: BilinearState, batches: number, inH: number, inW: number, depth: number, outH: number, outW: number,
): void {
  const { rows, cols } = s;
  const [xAt, outAt, rowsAt, colsAt] = simdReserve([4 * x.length, 4 * out.length, rows.byteLength, cols.byteLength]);
  const h = simdHeap();
  simdF32(xAt, x.length).set(x);
  h.i32.set(rows, rowsAt >> 2);
  h.i32.set(cols, colsAt >> 2);
  simd().resizeBilinearF32(xAt, outAt, batches, inH, inW, depth, outH, outW, rowsAt, colsAt);
  out.set(simdF32(outAt, out.length));
}

/** GetNearestNeighbor. */
function nearest(v: number, inSize: number, outSize: number, align: boolean, half: boolean): number {
  const scale = align && outSize > 1 ? Math.fround((inSize - 1) / (outSize - 1)) : Math.fround(inSize / outSize);
  const p = Math.fround(Math.fround(v + (half ? 0.5 : 0)) * scale);
  let r = Math.min(align ? roundHalfAway(p) : Math.floor(p), inSize - 1);
  if (half) r = Math.max(0, r);
  return r;
}

/**
 * How the kernel maps a tensor's output rows to input rows (row-rule.ts's RowAxis): the rows and weight it
 * computes for each output row of a tensor of `outSize` rows read from one of `inSize` rows. Null for a type the
 * kernel refuses, but uint8: TFLM refuses it too, yet an old uint8 model planned only (Kernels.planOnly) streams its
 * head like an int8 one, its rows mapped as TFLite's reference kernel maps uint8 (in float; nearest: as any type).
 */
export function resizeRowAxis(op: KernelCall['op'], dtype: string): ((inSize: number, outSize: number) => RowAxis) | null {
  if (op.opcode === 'RESIZE_NEAREST_NEIGHBOR') {
    if (!['float32', 'int8', 'int16', 'uint8'].includes(dtype)) return null;
    const { alignCorners: align, halfPixelCenters: half } = builtinOptions(op, 'ResizeNearestNeighborOptions');
    return (inSize, outSize) => {
      const rows = Int32Array.from({ length: outSize }, (_, v) => nearest(v, inSize, outSize, align, half));
      return { lo: rows, hi: rows, weight: new Float64Array(outSize) };
    };
  }
  if (dtype !== 'float32' && dtype !== 'int8' && dtype !== 'uint8') return null;
  const { alignCorners: align, halfPixelCenters: half } = builtinOptions(op, 'ResizeBilinearOptions');
  if (align && half) return null;
  const axis = dtype === 'int8' ? integerAxis : floatAxis;
  return (inSize, outSize) => {
    const a = axis(inSize, outSize, align, half);
    // What the kernel interpolates with: the float fraction above the lower row, or its 10-bit fixed-point one.
    const weight = a.pos.map((p, v) => (dtype !== 'int8' ? Math.fround(p - a.lo[v]!) : p - 1024 * a.lo[v]!));
    return { lo: a.lo, hi: a.hi, weight };
  };
}

interface NearestState {
  ys: Int32Array;
  xs: Int32Array;
}

/** From this many output bytes the SIMD module copies the pixels (a loop per pixel in JavaScript costs ~1 ns a byte). */
const NEAREST_IN_MODULE = 2048;

/** The input copied into the module, its pixels copied there (movement.wat), the output copied out; ys and xs kept per operator. */
function resizeNearestInModule(s: NearestState, x: Uint8Array, out: Uint8Array, batches: number, inH: number, inW: number, pixel: number): void {
  const { ys, xs } = s;
  const axesAt = simdKept(s, 4 * (ys.length + xs.length), (at) => {
    simdI32(at, ys.length).set(ys);
    simdI32(at + 4 * ys.length, xs.length).set(xs);
  });
  const xAt = simdScratch(simdAligned(x.length) + out.length);
  const outAt = xAt + simdAligned(x.length);
  const bytes = simdHeap().u8;
  bytes.set(x, xAt);
  simd().resizeNearest(xAt, outAt, batches, inH, inW, pixel, axesAt, ys.length, axesAt + 4 * ys.length, xs.length);
  out.set(bytes.subarray(outAt, outAt + out.length));
}

const RESIZE_NEAREST_NEIGHBOR = defineKernel<NearestState>({
  prepare(call) {
    const [outH, outW] = checkSize(call);
    const input = requireInput(call, 0);
    if (input.tensor.dtype !== requireOutput(call, 0).tensor.dtype || !['float32', 'int8', 'int16'].includes(input.tensor.dtype)) {
      throw kernelError(call, `type ${input.tensor.dtype} is not supported`);
    }
    const { alignCorners: align, halfPixelCenters: half } = builtinOptions(call.op, 'ResizeNearestNeighborOptions');
    const [, inH, inW] = dims4(input, call);
    return {
      ys: Int32Array.from({ length: outH }, (_, y) => nearest(y, inH, outH, align, half)),
      xs: Int32Array.from({ length: outW }, (_, x) => nearest(x, inW, outW, align, half)),
    };
  },
  invoke(call, s) {
    const input = requireInput(call, 0);
    const output = requireOutput(call, 0);
    const [batches, inH, inW] = dims4(input, call);
    const pixelBytes = input.bytes.byteLength / (batches * inH * inW || 1);
    if (output.bytes.length >= NEAREST_IN_MODULE) {
      resizeNearestInModule(s, input.bytes, output.bytes, batches, inH, inW, pixelBytes);
      return;
    }
    // Whole 32-bit words where pixels are (arena tensors are 16-byte aligned): a quarter of the element moves.
    const words = pixelBytes % 4 === 0 && input.bytes.byteOffset % 4 === 0 && output.bytes.byteOffset % 4 === 0;
    const src = words ? i32(input) : input.bytes;
    const dst = words ? i32(output) : output.bytes;
    const pixel = words ? pixelBytes / 4 : pixelBytes; // elements of src and dst per pixel
    const rowElements = s.xs.length * pixel;
    let o = 0;
    for (let n = 0; n < batches; n++) {
      for (let r = 0; r < s.ys.length; r++) {
        const y = s.ys[r]!;
        // An output row that reads the same input row as the one before is a copy of it (every row of an upscale but one in k).
        if (r > 0 && y === s.ys[r - 1]) {
          dst.copyWithin(o, o - rowElements, o);
          o += rowElements;
          continue;
        }
        for (const x of s.xs) {
          const at = ((n * inH + y) * inW + x) * pixel;
          for (let k = 0; k < pixel; k++) dst[o + k] = src[at + k]!;
          o += pixel;
        }
      }
    }
  },
});

export const kernels: Record<string, Kernel<any>> = { RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR };
