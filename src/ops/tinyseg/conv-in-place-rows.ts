// The row queue of TinySegConvInPlace (docs/custom-ops.md), one definition
// for the interpreter's kernel, the scratch the registry counts and the pass
// that places an output over its input. The C kernel runs the same rule on its
// tensors' addresses.
//
// Output rows are computed in order into a queue; a queued row is written to
// its place (first in, first out) once its bytes no longer meet an input row
// that a later output row still reads. Invariant: an input byte is overwritten
// only after the last output row that reads it has been computed, so every row
// sees the input as it was.

/** Rows and row bytes of a batch-1 NHWC conv, and its vertical window. */
export interface RowGeometry {
  inH: number;
  outH: number;
  inRowBytes: number;
  outRowBytes: number;
  strideH: number;
  padH: number;
}

/** The first input row that output rows `y` and later read (inH when none is left). */
export function firstRowRead(g: RowGeometry, y: number): number {
  return y >= g.outH ? g.inH : Math.min(g.inH, Math.max(0, y * g.strideH - g.padH));
}

/**
 * Whether output row `q` may be written now that the output rows before `next` are computed: `delta` is the input's
 * start minus the output's start, in bytes (any value: the output may lie before, over or apart from the input).
 */
export function rowWritable(g: RowGeometry, q: number, next: number, delta: number): boolean {
  const lo = firstRowRead(g, next);
  if (lo >= g.inH) return true;
  const start = q * g.outRowBytes - delta;
  return start + g.outRowBytes <= lo * g.inRowBytes || start >= g.inH * g.inRowBytes;
}

/** Where the optimizer puts the output: over the input's bytes, starting earlier by what the output has more. */
export const placedDelta = (g: RowGeometry): number => Math.max(0, g.outH * g.outRowBytes - g.inH * g.inRowBytes);

/**
 * The rows written after each output row is computed (written[y]: rows 0 .. written[y] - 1 are in place once row y
 * is), and the most rows the queue holds at once.
 */
export function rowSchedule(g: RowGeometry, delta: number): { written: Int32Array; queueRows: number } {
  const written = new Int32Array(g.outH);
  let done = 0;
  let queueRows = 0;
  for (let y = 0; y < g.outH; y++) {
    queueRows = Math.max(queueRows, y + 1 - done);
    while (done <= y && rowWritable(g, done, y + 1, delta)) done++;
    written[y] = done;
  }
  return { written, queueRows };
}
