// int8 CONV_2D (ungrouped, constant filter) through kernels.wat's convPacked:
// output channels across vector lanes, four output pixels per filter load,
// the filter packed once per prepared operator rather than on every
// inference (packed-window.ts). Bit-exact with
// reference_integer_ops::ConvPerChannel: the same int32 sums (wrapping, in any
// order), padding taps add 0, and the same output step.

import type { SlidingWindow } from '../conv-params.js';
import { paddedExtent, runPackedWindow, type PackedOperator, type WindowShapes } from '../packed-window.js';
import { simd, simdF32, simdFloatOutput, simdI16, simdKept, simdReserve } from '../simd/simd.js';

/** Output channels one convPacked step sums (two vectors of 4). */
export const BLOCK = 8;

/** Output channels pointwiseNarrow sums per pixel (one vector). */
const NARROW = 4;

/** Where a filter's weight (output channel o, tap t of `taps`, input channel c) lies: `ohwi` [outC][kH][kW][inC] as conv
 * filters, `ihwo` [1][kH][kW][outC] as a depthwise filter of one input channel (its multiplier the output channels). */
export type FilterLayout = 'ohwi' | 'ihwo';

/** Pairs of input elements in a filter row's run: kW * cp elements, the last pair padded with a 0 weight when odd. */
export const runPairs = (kW: number, cp: number): number => (kW * cp + 1) >> 1;

/**
 * The filter in convPacked's order: block of `lanes` output channels (8, or 16 for fullyConnectedPacked), filter row,
 * pair of the row's run of kW * cp elements (column, then channel; with cp even: column, channel pair), channel, pair
 * member; 0 past the real channels and elements, `offset` (the filter's zero-point offset) added to the real ones.
 */
export function packFilter(
  d: Pick<WindowShapes, 'outC' | 'kH' | 'kW'>, inC: number, cp: number, w8: Int8Array, at: number, packedBytes: number,
  lanes = BLOCK, offset = 0, layout: FilterLayout = 'ohwi',
): void {
  const { outC, kH, kW } = d;
  const taps = kH * kW;
  const run = 2 * runPairs(kW, cp);
  const packed = simdI16(at, packedBytes >> 1);
  packed.fill(0);
  // Weight (o, tap t, c) at w8[o * laneStride + t * tapStride + c]; index arithmetic, not a closure per weight (a cold
  // start runs this loop interpreted, once per operator of every model the proof runs).
  const laneStride = layout === 'ohwi' ? taps * inC : 1;
  const tapStride = layout === 'ohwi' ? inC : outC;
  let i = 0;
  for (let b = 0; b < outC; b += lanes) {
    const n = Math.min(lanes, outC - b);
    for (let ky = 0; ky < kH; ky++) {
      for (let e = 0; e < run; e++, i += e & 1 ? 0 : 2 * lanes) {
        const kx = (e / cp) | 0;
        const c = e - kx * cp;
        if (kx >= kW || c >= inC) continue;
        const from = b * laneStride + (ky * kW + kx) * tapStride + c;
        const to = i + (e & 1);
        for (let lane = 0; lane < n; lane++) packed[to + 2 * lane] = w8[from + lane * laneStride]! + offset;
      }
    }
  }
}

/**
 * A 1x1 filter as pointwiseFew reads it: per 4 input pairs (ceil(inC / 8) of them), per pair, per output channel (1 or
 * 2), the pair's 2 weights 4 times, one for each pixel of a vector (0 past the real channels).
 */
function packFilterAcross(inC: number, outC: number, w8: Int8Array, at: number, packedBytes: number, layout: FilterLayout): void {
  const packed = simdI16(at, packedBytes >> 1);
  packed.fill(0);
  for (let c = 0; c < inC; c++) {
    for (let o = 0; o < outC; o++) {
      const weight = layout === 'ohwi' ? w8[o * inC + c]! : w8[c * outC + o]!;
      const base = ((c >> 1) * outC + o) * 8 + (c & 1);
      for (let lane = 0; lane < 4; lane++) packed[base + 2 * lane] = weight;
    }
  }
}

/**
 * Runs the conv for `owner` (its prepared state keys the packed filter) into `out`. Without horizontal dilation the
 * input keeps its own channel count (a filter row's run of pairs may straddle pixels); with it, channels are padded
 * to an even count.
 */
export function convInt8Packed(
  owner: object, s: PackedOperator, d: WindowShapes, inC: number, x8: Int8Array, w8: Int8Array, out: Int8Array, layout: FilterLayout = 'ohwi',
): void {
  const pointwise = d.kH === 1 && d.kW === 1 && s.strideH === 1 && s.strideW === 1 && s.padH === 0 && s.padW === 0;
  const pixels = d.batches * d.outH * d.outW;
  // A 1x1 conv of stride 1 with 1 or 2 output channels: pixels across lanes (pointwiseFew), 4 pixels per vector.
  if (pointwise && d.outC <= 2) {
    const acrossBytes = Math.ceil(inC / 8) * 4 * d.outC * 16;
    runPackedWindow(owner, s, d, x8, inC, inC, acrossBytes, (at) => packFilterAcross(inC, d.outC, w8, at, acrossBytes, layout), (o) =>
      simd().pointwiseFew(o.xAt, o.wAt, o.accAt, pixels, inC, d.outC, o.biasAt, o.quantAt, o.outAt), out);
    return;
  }
  // With 3 or 4: one vector of 4 channels per pixel, eight pixels per filter load.
  if (pointwise && d.outC <= NARROW) {
    const packedBytes = runPairs(1, inC) * 4 * NARROW;
    runPackedWindow(owner, s, d, x8, inC, inC, packedBytes, (at) => packFilter(d, inC, inC, w8, at, packedBytes, NARROW, 0, layout), (o) =>
      simd().pointwiseNarrow(o.xAt, o.wAt, o.accAt, pixels, inC, d.outC, o.biasAt, o.quantAt, o.outAt), out);
    return;
  }
  const cp = s.dilationW === 1 ? inC : inC + (inC & 1);
  const pairs = s.dilationW === 1 ? runPairs(d.kW, cp) : d.kW * (cp >> 1);
  const packedBytes = Math.ceil(d.outC / BLOCK) * d.kH * pairs * 4 * BLOCK;
  runPackedWindow(owner, s, d, x8, inC, cp, packedBytes, (at) => packFilter(d, inC, cp, w8, at, packedBytes, BLOCK, 0, layout), (o) =>
    simd().convPacked(
      o.xAt, o.wAt, o.accAt,
      d.batches, o.hp, o.wp, cp, d.outC, d.kH, d.kW,
      d.outH, d.outW, s.strideH, s.strideW, s.dilationH, s.dilationW, 0, o.biasAt, o.quantAt, o.outAt,
    ), out);
}

/** What convFloatPacked needs of a float32 conv's state: its window, bias and activation range. */
export interface FloatConvOperator extends SlidingWindow {
  bias: Float64Array | null;
  floatMin: number;
  floatMax: number;
}

/**
 * A float32 conv (ungrouped, a constant filter of finite weights: a padding 0 times an infinite weight would not add
 * nothing) through convPacked's float form, the filter and bias packed once for `owner`, TFLM's output step in the
 * module (channelClampF32), into `out`.
 */
export function convFloatPacked(owner: object, s: FloatConvOperator, d: WindowShapes, inC: number, x: Float32Array, w: Float32Array, out: Float32Array): void {
  const { batches, inH, inW, outC, kH, kW, outH, outW } = d;
  const run = kW * inC;
  const packedBytes = Math.ceil(outC / BLOCK) * kH * run * 4 * BLOCK;
  const wAt = simdKept(owner, packedBytes + 4 * outC, (at) => {
    const packed = simdF32(at, packedBytes >> 2);
    packed.fill(0);
    const laneStride = kH * run;
    let i = 0;
    for (let b = 0; b < outC; b += BLOCK) {
      const n = Math.min(BLOCK, outC - b);
      for (let ky = 0; ky < kH; ky++) {
        for (let e = 0; e < run; e++, i += BLOCK) {
          const from = b * laneStride + ky * run + e;
          for (let lane = 0; lane < n; lane++) packed[i + lane] = w[from + lane * laneStride]!;
        }
      }
    }
    // No bias adds +0, as TFLM's bias_value does.
    simdF32(at + packedBytes, outC).set(s.bias ?? new Float64Array(outC));
  });
  const { hp, wp } = paddedExtent(s, d);
  const padded = batches * hp * wp * inC;
  const count = batches * outH * outW * outC;
  // 32 bytes past the sums: the kernel stores whole blocks of 8.
  const [xAt, accAt] = simdReserve([padded * 4, count * 4 + 32]);
  const xp = simdF32(xAt, padded);
  if (hp !== inH || wp !== inW) xp.fill(0);
  const rowLength = inW * inC;
  for (let n = 0; n < batches; n++) {
    for (let iy = 0; iy < inH; iy++) {
      const from = (n * inH + iy) * rowLength;
      xp.set(x.subarray(from, from + rowLength), ((n * hp + iy + s.padH) * wp + s.padW) * inC);
    }
  }
  simd().convPacked(xAt, wAt, accAt, batches, hp, wp, inC, outC, kH, kW, outH, outW, s.strideH, s.strideW, s.dilationH, s.dilationW, 1, -1, 0, 0);
  simdFloatOutput(accAt, count, outC, wAt + packedBytes, s.floatMin, s.floatMax, out);
}
