// int8 CONV_2D (ungrouped, constant filter) through kernels.wat's convPacked:
// output channels across vector lanes, four output pixels per filter load,
// the filter packed once per prepared operator rather than on every
// inference (packed-window.ts). Bit-exact with
// reference_integer_ops::ConvPerChannel: the same int32 sums (wrapping, in any
// order), padding taps add 0, and the same output step.

import { runPackedWindow, type PackedOperator, type WindowShapes } from '../packed-window.js';
import { simd, simdI16 } from '../simd/simd.js';

/** Output channels one convPacked step sums (two vectors of 4). */
export const BLOCK = 8;

/**
 * The filter [outC][kH][kW][inC] in convPacked's order: block of `lanes` output channels (8, or 16 for
 * fullyConnectedPacked), tap, input channel pair, channel, pair member (0 past the real ones), with `offset` (the
 * filter's zero-point offset) added to the real ones.
 */
export function packFilter(d: Pick<WindowShapes, 'outC' | 'kH' | 'kW'>, inC: number, cp: number, w8: Int8Array, at: number, packedBytes: number, lanes = BLOCK, offset = 0): void {
  const { outC, kH, kW } = d;
  const taps = kH * kW;
  const packed = simdI16(at, packedBytes >> 1);
  packed.fill(0);
  let i = 0;
  for (let b = 0; b < outC; b += lanes) {
    for (let t = 0; t < taps; t++) {
      for (let c = 0; c < cp; c += 2, i += 2 * lanes) {
        for (let lane = 0; lane < lanes && b + lane < outC; lane++) {
          const from = ((b + lane) * taps + t) * inC + c;
          packed[i + 2 * lane] = w8[from]! + offset;
          if (c + 1 < inC) packed[i + 2 * lane + 1] = w8[from + 1]! + offset;
        }
      }
    }
  }
}

/** Runs the conv for `owner` (its prepared state keys the packed filter) into `out`. */
export function convInt8Packed(owner: object, s: PackedOperator, d: WindowShapes, inC: number, x8: Int8Array, w8: Int8Array, out: Int8Array): void {
  const cp = inC + (inC & 1);
  const packedBytes = Math.ceil(d.outC / BLOCK) * d.kH * d.kW * (cp >> 1) * 4 * BLOCK;
  runPackedWindow(owner, s, d, x8, inC, cp, packedBytes, (at) => packFilter(d, inC, cp, w8, at, packedBytes), (o) =>
    simd().convPacked(
      o.xAt, o.wAt, o.accAt,
      d.batches, o.hp, o.wp, cp, d.outC, d.kH, d.kW,
      d.outH, d.outW, s.strideH, s.strideW, s.dilationH, s.dilationW,
    ), out);
}
