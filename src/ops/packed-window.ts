// What the packed int8 window kernels (conv/conv-packed.ts,
// depthwise-conv/depthwise-packed.ts) share: the filter packed once per
// prepared operator (simdKept) with the output step's per-channel bias,
// multipliers and shifts after it, the input widened into a zero-padded
// layout in which every window is whole (a 0 adds nothing to an integer sum,
// which is what TFLM's skipping of a tap outside the input does), and TFLM's
// int8 output step (requantizeI8) on the sums.

import type { QuantizedConvParams, SlidingWindow } from './conv-params.js';
import { requantizeTableBytes, requantizeTableFresh, simd, simdCopyOut, simdHeap, simdI32, simdKept, simdReserve } from './simd/simd.js';

export interface WindowShapes {
  batches: number;
  inH: number;
  inW: number;
  outC: number;
  kH: number;
  kW: number;
  outH: number;
  outW: number;
}

export interface PackedOperator extends SlidingWindow {
  quant: QuantizedConvParams | null;
  bias: Float64Array | null;
}

/** Where the operands are, and the padded input's geometry, for the kernel call. */
export interface PackedOperands {
  xAt: number;
  wAt: number;
  accAt: number;
  /** The outC int32 biases (0 for none), followed by the multipliers: `run` starts its sums from them. */
  biasAt: number;
  /** The output offset, qmin and qmax (int32), for a kernel that runs the output step itself into outAt. */
  quantAt: number;
  /** Where the int8 results go (8 bytes of slack past them). */
  outAt: number;
  hp: number;
  wp: number;
}

/**
 * The address of `owner`'s packed filter (`pack` writes its `packedBytes` once)
 * followed by the output step's int32 bias, multipliers and shifts (outC each),
 * requantizeI8's table, which its first call builds, and the output offset, qmin
 * and qmax.
 */
export function keptPackedFilter(owner: object, s: Pick<PackedOperator, 'quant' | 'bias'>, outC: number, packedBytes: number, pack: (at: number) => void): number {
  const q = s.quant!;
  const tableBytes = requantizeTableBytes(outC);
  return simdKept(owner, packedBytes + 12 * outC + tableBytes + 12, (at) => {
    pack(at);
    const params = simdI32(at + packedBytes, 3 * outC);
    // int32 biases are exact in the Float64Array; no bias adds 0.
    for (let k = 0; k < outC; k++) params[k] = s.bias ? s.bias[k]! : 0;
    params.set(q.multipliers, outC);
    params.set(q.shifts, 2 * outC);
    requantizeTableFresh(at + packedBytes + 12 * outC);
    simdI32(at + packedBytes + 12 * outC + tableBytes, 3).set([q.outputOffset, q.qmin, q.qmax]);
  });
}

/** The padded input's rows and columns: those the last output pixel's window reaches, and the input itself. */
export function paddedExtent(s: SlidingWindow, d: WindowShapes): { hp: number; wp: number } {
  return {
    hp: Math.max((d.outH - 1) * s.strideH + (d.kH - 1) * s.dilationH + 1, s.padH + d.inH),
    wp: Math.max((d.outW - 1) * s.strideW + (d.kW - 1) * s.dilationW + 1, s.padW + d.inW),
  };
}

/**
 * Runs one packed window kernel for `owner` (its prepared state keys the packed
 * filter): `x8` [batches][inH][inW][c] int8, padded to `cp` channels; `pack`
 * writes the filter's `packedBytes` at an address once; `run` sums into
 * accAt (outC int32 sums per output pixel, started from the biases at biasAt: the output step adds none), or returns 1
 * when it ran the output step itself into outAt; the int8 results go to `out`.
 */
export function runPackedWindow(
  owner: object,
  s: PackedOperator,
  d: WindowShapes,
  x8: Int8Array,
  c: number,
  cp: number,
  packedBytes: number,
  pack: (at: number) => void,
  run: (o: PackedOperands) => number,
  out: Int8Array,
): void {
  const { batches, inH, inW, outC } = d;
  const count = out.length;
  if (count === 0) return;
  const q = s.quant!;
  const wAt = keptPackedFilter(owner, s, outC, packedBytes, pack);
  const paramsAt = wAt + packedBytes;
  const { hp, wp } = paddedExtent(s, d);
  const padded = batches * hp * wp * cp;
  const tableAt = paramsAt + 12 * outC;
  // 32 bytes past the sums: the kernels store whole blocks of 8 (8 past the results they store); 16 past the staged
  // input: widenPadded reads vectors; 16 past the padded input: depthwisePacked4 reads a vector from a row's last window.
  const [xAt, accAt, stageAt] = simdReserve([padded * 2 + 16, count * 4 + 32, Math.max(count + 8, x8.length + 16)]);
  const k = simd();
  // widenPadded writes every element, the padding's 0s included.
  simdHeap().i8.set(x8, stageAt);
  k.widenPadded(stageAt, batches, inH, inW, c, q.inputOffset, xAt, hp, wp, cp, s.padH, s.padW);
  const quantAt = tableAt + requantizeTableBytes(outC);
  if (!run({ xAt, wAt, accAt, biasAt: paramsAt, quantAt, outAt: stageAt, hp, wp })) {
    k.requantizeI8(accAt, count, outC, -1, paramsAt + 4 * outC, paramsAt + 8 * outC, q.outputOffset, q.qmin, q.qmax, stageAt, tableAt);
  }
  simdCopyOut(stageAt, count, out);
}
