// Row bands through a resize of any scale and mode (split-row-bands.ts): which
// output rows a band of input rows computes, and which of them come out exactly
// as the whole tensor's. The kernel derives its scale and source rows from its
// own tensors' heights, so a band computes an output row exactly only where its
// smaller tensors give the kernel's row mapping (source rows and interpolation
// weight, in the kernel's own arithmetic) the whole tensor's values: checked
// row by row against the ops registry's mapping (ResizeRowRule's `rows`).

import type { RowRule } from '../ops/registry.js';
import type { RowAxis } from '../ops/row-rule.js';

type ResizeRule = Extract<RowRule, { kind: 'resize' }>;

/** The output rows [n0, n1) a band of input rows [c0, c1) computes: the whole tensor's scale carried to the band. */
export function resizeBandRows(rule: ResizeRule, inH: number, outH: number, c0: number, c1: number): [number, number] {
  if (rule.align && inH > 1 && outH > 1) {
    // align_corners: the first and last rows are the tensor's, scale (in - 1) / (out - 1).
    const r = (outH - 1) / (inH - 1);
    return [Math.round(c0 * r), c1 === inH ? outH : Math.min(outH, Math.round((c1 - 1) * r) + 1)];
  }
  return [Math.round((c0 * outH) / inH), c1 === inH ? outH : Math.min(outH, Math.round((c1 * outH) / inH))];
}

/**
 * The rows [n0, n1) a band of input rows [c0, c1) computes, and the exact ones among them [e0, e1): those the
 * band maps as the whole tensor does, from input rows inside the exact input rows [x0, x1).
 */
export interface ResizeBandRows {
  n0: number;
  n1: number;
  e0: number;
  e1: number;
}

export function resizeBand(rule: ResizeRule, inH: number, outH: number, c0: number, c1: number, x0: number, x1: number): ResizeBandRows {
  const [n0, n1] = resizeBandRows(rule, inH, outH, c0, c1);
  if (n1 <= n0) return { n0, n1: n0, e0: n0, e1: n0 };
  const whole = rule.rows(inH, outH);
  const band = rule.rows(c1 - c0, n1 - n0);
  // Exact rows need not be contiguous (a scale that is not a power of two rounds differently in the band), and a
  // stage's exact rows are one span: the longest run of them.
  let [e0, e1] = [n0, n0];
  let start = n0;
  for (let v = n0; v < n1; v++) {
    if (!sameRow(whole, v, band, v - n0, c0) || whole.lo[v]! < x0 || whole.hi[v]! >= x1) {
      start = v + 1;
      continue;
    }
    if (v + 1 - start > e1 - e0) [e0, e1] = [start, v + 1];
  }
  return { n0, n1, e0, e1 };
}

/**
 * Whether output row `b` of a band whose input starts at row `c0` of the tensor (`band`, its own mapping) reads the
 * rows and weight output row `v` of the whole tensor does: the kernel then computes it alike.
 */
export const sameRow = (whole: RowAxis, v: number, band: RowAxis, b: number, c0: number): boolean =>
  band.lo[b]! + c0 === whole.lo[v] && band.hi[b]! + c0 === whole.hi[v] && band.weight[b] === whole.weight[v];

/** The input rows [a, b) output rows [r0, r1) of the whole tensor read. */
export function resizeSourceRows(rule: ResizeRule, inH: number, outH: number, r0: number, r1: number): [number, number] {
  const whole = rule.rows(inH, outH);
  let a = inH;
  let b = 0;
  for (let v = Math.max(0, r0); v < Math.min(outH, r1); v++) {
    a = Math.min(a, whole.lo[v]!);
    b = Math.max(b, whole.hi[v]! + 1);
  }
  return b > a ? [a, b] : [0, 0];
}
