// The packed form of an int8 FULLY_CONNECTED's constant weights that
// fullyConnectedRecordsI8 reads (packed.wat), shared by the kernel and by
// chains of such operators (chain.ts): where the weights and the output
// step's params are, the scratch an operator needs, and its record.

import type { KernelCall, TensorData } from '../kernel.js';
import { simdAligned, simdHeap, simdKeptAt, simdReserve } from '../simd/simd.js';
import { keptPackedFilter } from '../packed-window.js';
import { packFilter } from '../conv/conv-packed.js';
import { int8Filter } from '../int4-filter.js';
import type { FcState } from './kernel.js';

/** Rows (batches) from which a constant int8 weight matrix is a 1x1 conv (convPacked: four rows share a weight load). */
const CONV_MIN_ROWS = 4;

/** Output channels per group of fullyConnectedPacked (two blocks of 8 sharing each input load). */
const GROUP = 16;

/**
 * Weights from which fullyConnectedPacked reads them as int8 (half the bytes, widened as it reads), when their zero
 * point is 0: past a core's L2 as i16 the reads cost more than the widening (mobilenet-v2's 1280x1000: 210 -> 170 us);
 * below, the widening costs more (ad-autoencoder's 640x128: 2.6 -> 3.2 us).
 */
const INT8_WEIGHTS_FROM = 262144;

/**
 * Whether an int8 operator takes fullyConnectedRecordsI8: constant weights, and few rows or a zero point (more rows without
 * one take the packed 1x1 conv, kernel.ts).
 */
export const packedFullyConnected = (s: FcState, filter: TensorData): boolean =>
  s.dtype === 'int8' && filter.tensor.kind === 'constant' && (s.batches < CONV_MIN_ROWS || s.filterOffset !== 0);

/** Where fullyConnectedRecordsI8 finds an operator's packed weights (`w`, read as `bytes`-byte values) and its output step's params. */
export interface PackedFcWeights {
  w: number;
  bytes: 1 | 2;
  params: number;
  /** The input's length rounded up to even. */
  cp: number;
}

/**
 * Constant weights packed once per prepared operator (with their offset added) in groups of 16 output channels, and
 * the output step's params after them (the address may change when other regions are added: simdKeptChanges).
 */
export function packedFcWeights(s: FcState, call: KernelCall, filter: TensorData): PackedFcWeights {
  const { depth, accum } = s;
  const cp = accum + (accum & 1);
  const bytes = s.filterOffset === 0 && depth * accum >= INT8_WEIGHTS_FROM ? 1 : 2;
  const packedBytes = Math.ceil(depth / GROUP) * cp * bytes * GROUP;
  const w = simdKeptAt(s) ?? packWeights(s, call, filter, cp, packedBytes, bytes);
  return { w, bytes, params: w + packedBytes, cp };
}

/**
 * fullyConnectedRecordsI8's scratch bytes for an operator: the widened input, then the sums (64 bytes past them: a short
 * last group stores all 16).
 */
export const packedFcScratch = (s: FcState, cp: number): { x: number; acc: number } => ({
  x: simdAligned(2 * s.batches * cp),
  acc: simdAligned(4 * s.batches * s.depth + 64),
});

/**
 * The weights packed for fullyConnectedPacked, once per prepared operator (a closure made on every call costs a small
 * model): as i16, or (`bytes` 1) the same values as int8, packed as i16 above the kept regions first.
 */
function packWeights(s: FcState, call: KernelCall, filter: TensorData, cp: number, packedBytes: number, bytes: 1 | 2): number {
  const shape = { outC: s.depth, kH: 1, kW: 1 };
  const w8 = int8Filter(call, filter);
  return keptPackedFilter(s, s, s.depth, packedBytes, (at) => {
    if (bytes === 2) {
      packFilter(shape, s.accum, cp, w8, at, packedBytes, GROUP, s.filterOffset);
      return;
    }
    const [wide] = simdReserve([2 * packedBytes]);
    packFilter(shape, s.accum, cp, w8, wide, 2 * packedBytes, GROUP, 0);
    const h = simdHeap();
    for (let i = 0; i < packedBytes; i++) h.i8[at + i] = h.i16[(wide >> 1) + i]!;
  });
}

/** i32 words of an operator's record in fullyConnectedRecordsI8 (fullyConnectedRecord's 14, then 2 unused). */
export const FC_RECORD_WORDS = 16;

/** Where an operator's staged input is, its widened input and sums, and where its int8 results go, in the module. */
export interface FcStaging {
  src: number;
  x: number;
  acc: number;
  out: number;
}

/** Writes the record of fullyConnectedRecordsI8 (packed.wat's fullyConnectedRecord) for one operator at word `at`. */
export function writeFcRecord(words: Int32Array, at: number, s: FcState, w: PackedFcWeights, st: FcStaging): void {
  const q = s.quant!;
  words.set([st.src, s.batches, s.accum, q.inputOffset, st.x, w.w, w.bytes, st.acc, s.depth, w.params, q.outputOffset, q.qmin, q.qmax, st.out], at);
}
