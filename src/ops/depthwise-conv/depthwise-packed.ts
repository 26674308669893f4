// int8 DEPTHWISE_CONV_2D (constant filter) through kernels.wat's
// depthwisePacked: one channel per lane, each output pixel's sums kept in
// registers over all its taps, the filter packed once per prepared operator
// (packed-window.ts). A depth multiplier above 1 repeats each input channel
// for its output channels first, so every output channel reads its own lane.
// Bit-exact with reference_integer_ops::DepthwiseConvPerChannel: the same
// int32 sums, padding taps add 0, and the same output step.

import { convInt8Packed } from '../conv/conv-packed.js';
import { runPackedWindow, type PackedOperator, type WindowShapes } from '../packed-window.js';
import { simd, simdI16 } from '../simd/simd.js';

/**
 * The filter [1][kH][kW][outC] as depthwisePacked reads it: per block of 8
 * channels, per tap, the even channels' weights at even lanes of one i16x8
 * vector and the odd channels' at odd lanes of the next (0 elsewhere and past
 * the real channels).
 */
function packFilter(d: WindowShapes, cp: number, w8: Int8Array, at: number): void {
  const { outC, kH, kW } = d;
  const taps = kH * kW;
  const packed = simdI16(at, taps * cp * 2);
  packed.fill(0);
  for (let c = 0; c < outC; c++) {
    const base = (c >> 3) * taps * 16 + (c & 1) * 8 + (c & 7 & ~1) + (c & 1);
    for (let t = 0; t < taps; t++) packed[base + t * 16] = w8[t * outC + c]!;
  }
}

/** The filter of at most 4 channels as depthwisePacked4 reads it: per tap packFilter's two vectors, each channel in both halves. */
function packFilterTwice(d: WindowShapes, w8: Int8Array, at: number): void {
  const { outC, kH, kW } = d;
  const packed = simdI16(at, kH * kW * 16);
  packed.fill(0);
  for (let t = 0; t < kH * kW; t++) {
    for (let c = 0; c < outC; c++) {
      const lane = (c & 1) * 8 + c;
      packed[t * 16 + lane] = w8[t * outC + c]!;
      packed[t * 16 + lane + 4] = w8[t * outC + c]!;
    }
  }
}

/** x8 [pixels][inC] as [pixels][inC * multiplier], output channel oc reading input channel floor(oc / multiplier). */
function repeatChannels(x8: Int8Array, inC: number, multiplier: number): Int8Array {
  if (multiplier === 1) return x8;
  const outC = inC * multiplier;
  const pixels = x8.length / inC;
  const y = new Int8Array(pixels * outC);
  for (let p = 0; p < pixels; p++) for (let oc = 0; oc < outC; oc++) y[p * outC + oc] = x8[p * inC + ((oc / multiplier) | 0)]!;
  return y;
}

/** Runs the depthwise conv for `owner` (its prepared state keys the packed filter) into `out`. */
export function depthwiseInt8Packed(
  owner: object,
  s: PackedOperator,
  d: WindowShapes,
  inC: number,
  multiplier: number,
  x8: Int8Array,
  w8: Int8Array,
  out: Int8Array,
): void {
  const few = d.outC <= 4 && s.strideW === 1;
  // One input channel (its multiplier the output channels): a conv with one filter of one channel per output channel,
  // whose pairs run along the filter row, two taps per product, where a repeated input wastes half of every product.
  if (inC === 1 && s.dilationW === 1 && !few) {
    convInt8Packed(owner, s, d, 1, x8, w8, out, 'ihwo');
    return;
  }
  // A few channels along a row of stride 1: two pixels per vector (depthwisePacked4), their filter taps twice.
  if (few) {
    const packedBytes = 32 * d.kH * d.kW;
    runPackedWindow(owner, s, d, repeatChannels(x8, inC, multiplier), d.outC, 4, packedBytes, (at) => packFilterTwice(d, w8, at), (o) =>
      simd().depthwisePacked4(
        o.xAt, o.wAt, o.accAt,
        d.batches, o.hp, o.wp, d.outC, d.kH, d.kW,
        d.outH, d.outW, s.strideH, s.dilationH, s.dilationW, o.biasAt, o.quantAt, o.outAt,
      ), out);
    return;
  }
  const cp = (d.outC + 7) & ~7;
  const packedBytes = 4 * d.kH * d.kW * cp;
  runPackedWindow(owner, s, d, repeatChannels(x8, inC, multiplier), d.outC, cp, packedBytes, (at) => packFilter(d, cp, w8, at), (o) =>
    simd().depthwisePacked(
      o.xAt, o.wAt, o.accAt,
      d.batches, o.hp, o.wp, cp, d.outC, d.kH, d.kW,
      d.outH, d.outW, s.strideH, s.strideW, s.dilationH, s.dilationW, o.biasAt, o.quantAt, o.outAt,
    ), out);
}
