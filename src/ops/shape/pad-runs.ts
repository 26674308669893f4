// PAD's copies and fills as runs, so an inference copies whole input rows and
// fills whole pad rows instead of moving one element at a time.

import { copyBytes } from '../kernel.js';

/**
 * Byte runs [output byte, input byte or -1 for padding, length in bytes], flat, of PAD from inShape to outShape with
 * `paddings` (before and after, per axis; validated by the caller), elements of `size` bytes. Built row by row, not
 * element by element: the trailing axes without padding are contiguous alike in input and output, so they join the
 * last padded axis' rows (a PAD with no padding at all is one run); adjacent runs that continue each other merge.
 */
export function padRuns(inShape: readonly number[], outShape: readonly number[], paddings: ArrayLike<number>, size: number): Int32Array {
  const runs: number[] = [];
  const add = (to: number, from: number, n: number): void => {
    if (n === 0) return;
    const k = runs.length - 3;
    const continues = k >= 0 && runs[k]! + runs[k + 2]! === to && (from < 0 ? runs[k + 1]! < 0 : runs[k + 1]! >= 0 && runs[k + 1]! + runs[k + 2]! === from);
    if (continues) runs[k + 2]! += n;
    else runs.push(to, from, n);
  };
  let last = inShape.length - 1;
  let inner = size;
  while (last >= 0 && paddings[2 * last] === 0 && paddings[2 * last + 1] === 0) inner *= inShape[last--]!;
  if (last < 0) {
    add(0, 0, inner);
    return Int32Array.from(runs);
  }
  // Input strides in bytes, the collapsed axes inside `inner`.
  const inStrides: number[] = [];
  for (let d = last, stride = inner; d >= 0; stride *= inShape[d]!, d--) inStrides[d] = stride;
  const before = paddings[2 * last]! * inner;
  const along = inShape[last]! * inner;
  const rowBytes = outShape[last]! * inner;
  const idx = new Array<number>(last).fill(0);
  const rows = outShape.slice(0, last).reduce((a, b) => a * b, 1);
  for (let r = 0, o = 0; r < rows; r++, o += rowBytes) {
    let src = 0;
    for (let d = 0; d < last && src >= 0; d++) {
      const i = idx[d]! - paddings[2 * d]!;
      src = i < 0 || i >= inShape[d]! ? -1 : src + i * inStrides[d]!;
    }
    if (src < 0) add(o, -1, rowBytes);
    else {
      add(o, -1, before);
      add(o + before, src, along);
      add(o + before + along, -1, rowBytes - before - along);
    }
    for (let d = last - 1; d >= 0; d--) {
      if (++idx[d]! < outShape[d]!) break;
      idx[d] = 0;
    }
  }
  return Int32Array.from(runs);
}

/** dst from src through the runs; a padding run repeats the element `value`. */
export function copyPadRuns(runs: Int32Array, src: Uint8Array, dst: Uint8Array, value: Uint8Array): void {
  const size = value.length;
  for (let r = 0; r < runs.length; r += 3) {
    const to = runs[r]!;
    const from = runs[r + 1]!;
    const n = runs[r + 2]!;
    if (from >= 0) copyBytes(dst, to, src, from, n);
    else if (size === 1) dst.fill(value[0]!, to, to + n);
    else for (let k = 0; k < n; k++) dst[to + k] = value[k % size]!;
  }
}
