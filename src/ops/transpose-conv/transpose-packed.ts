// int8 TRANSPOSE_CONV with a constant filter through kernels.wat's
// transposeConvPacked: the scatter of reference_integer_ops::TransposeConv
// with output channels across vector lanes, the filter packed once per
// prepared operator (conv-packed.ts's layout), then TFLM's output step.
// Integer sums wrap alike in any order, so the sums are TFLM's.

import { BLOCK, packFilter } from '../conv/conv-packed.js';
import { keptPackedFilter, type PackedOperator, type WindowShapes } from '../packed-window.js';
import { simd, simdCopyOut, simdHeap, simdReserve } from '../simd/simd.js';

/** The window's shapes plus the input's channels (the input is not padded). */
export type TransposeShapes = WindowShapes & { inC: number };

/**
 * Runs the int8 transpose conv of `owner` (its prepared state keys the packed
 * filter): the int8 results go to `out`, the last `sums.length` int32 sums to
 * `sums` (the arena scratch the kernel's sums pass through on the device: all
 * of them for TRANSPOSE_CONV, the last pixel's for TinySegTransposeConv).
 */
export function transposeConvInt8Packed(
  owner: object,
  s: Pick<PackedOperator, 'quant' | 'bias' | 'strideH' | 'strideW' | 'padH' | 'padW'>,
  d: TransposeShapes,
  x8: Int8Array,
  w8: Int8Array,
  out: Int8Array,
  sums: Int32Array,
): void {
  const { batches, inH, inW, inC, outC, kH, kW, outH, outW } = d;
  const count = out.length;
  if (count === 0) return;
  const q = s.quant!;
  const cp = inC + (inC & 1);
  const packedBytes = Math.ceil(outC / BLOCK) * kH * kW * (cp >> 1) * 4 * BLOCK;
  const wAt = keptPackedFilter(owner, s, outC, packedBytes, (at) => packFilter(d, inC, cp, w8, at, packedBytes));
  const paramsAt = wAt + packedBytes;
  const pixels = batches * inH * inW;
  const tableAt = paramsAt + 12 * outC;
  // 16 bytes past the staged input: widenPadded reads vectors.
  const [xAt, accAt, stageAt] = simdReserve([pixels * cp * 2, count * 4, Math.max(count, x8.length + 16)]);
  const k = simd();
  const h = simdHeap();
  // widenPadded writes an odd channel count's padding channel as 0 (it must add 0).
  h.i8.set(x8, stageAt);
  k.widenPadded(stageAt, batches, inH, inW, inC, q.inputOffset, xAt, inH, inW, cp, 0, 0);
  h.i32.fill(0, accAt >> 2, (accAt >> 2) + count);
  k.transposeConvPacked(xAt, wAt, accAt, batches, inH, inW, cp, outC, kH, kW, outH, outW, s.strideH, s.strideW, s.padH, s.padW);
  sums.set(h.i32.subarray((accAt >> 2) + count - sums.length, (accAt >> 2) + count));
  k.requantizeI8(accAt, count, outC, paramsAt, paramsAt + 4 * outC, paramsAt + 8 * outC, q.outputOffset, q.qmin, q.qmax, stageAt, tableAt);
  simdCopyOut(stageAt, count, out);
}
