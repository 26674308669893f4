// PAD's element map (output element -> input element, or -1 for the pad
// value) as runs, so an inference copies whole input rows and fills whole pad
// rows instead of moving one element at a time.

import { copyBytes } from '../kernel.js';

/** Byte runs [output byte, input byte or -1 for padding, length in bytes], flat. */
export function padRuns(map: Int32Array, size: number): Int32Array {
  const runs: number[] = [];
  for (let o = 0; o < map.length; ) {
    const at = map[o]!;
    let end = o + 1;
    if (at < 0) while (end < map.length && map[end]! < 0) end++;
    else while (end < map.length && map[end] === at + (end - o)) end++;
    runs.push(o * size, at < 0 ? -1 : at * size, (end - o) * size);
    o = end;
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
