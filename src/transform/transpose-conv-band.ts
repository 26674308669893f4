// Row bands through a TRANSPOSE_CONV (split-row-bands.ts). TFLM derives the
// kernel's padding from the output's height, and a band's output is its own
// output_shape operand: a band of input rows [c0, c1) computes output rows
// [off, off + h) of the whole tensor, off = stride * c0 - pad + pad(h), so h is
// chosen for the band to start on the whole tensor's row grid (and, at the
// image's ends, to start and end where the tensor does). The kernel scatters
// input rows in order, so an output row is exact once every input row that
// reaches it is exact.

import { PADDING } from '../ops/kernel.js';
import { transposePad, transposeSources } from '../ops/transpose-conv/kernel.js';
import type { RowRule } from '../ops/registry.js';

type TransposeRule = Extract<RowRule, { kind: 'transpose' }>;

/** TFLM's padding above the first row for an output of `outRows` rows. */
const padFor = (rule: TransposeRule, outRows: number): number => transposePad(rule.padding, outRows, rule.k, rule.stride);

/** Input rows [lo, hi] of a tensor of `inH` rows whose taps reach output row `o` (lo > hi: none does). */
const sourcesOf = (rule: TransposeRule, inH: number, pad: number, o: number): [number, number] => transposeSources(inH, pad, rule.k, rule.stride, o);

/** The output rows beyond what the padding gives for `inRows` input rows ((in - 1) * stride + k for VALID, in * stride for SAME). */
const adjustment = (rule: TransposeRule, inRows: number, outRows: number): number =>
  outRows - (rule.padding === PADDING.VALID ? (inRows - 1) * rule.stride + rule.k : inRows * rule.stride);

/**
 * The rows [n0, n1) a band of input rows [c0, c1) computes and the exact ones [e0, e1), given exact input rows
 * [x0, x1); null when no output height lines up. `sameAdjustment`: only an output height as far from what the
 * padding gives for the band's input rows as the whole tensor's is from it for its own (stock TFLite hands
 * XNNPACK only a TRANSPOSE_CONV whose output and padding agree, and computes the others with a kernel that rounds
 * otherwise: a band must go where the whole operator went).
 */
export function transposeConvBand(
  rule: TransposeRule,
  inH: number,
  outH: number,
  c0: number,
  c1: number,
  x0: number,
  x1: number,
  sameAdjustment = false,
): { n0: number; n1: number; e0: number; e1: number } | null {
  const pad = padFor(rule, outH);
  const natural = c1 === inH ? outH - rule.stride * c0 : rule.stride * (c1 - c0);
  for (let d = 0; d <= outH; d++) {
    for (const h of d === 0 ? [natural] : [natural - d, natural + d]) {
      if (h < 1 || h > outH) continue;
      if (sameAdjustment && adjustment(rule, c1 - c0, h) !== adjustment(rule, inH, outH)) continue;
      const off = rule.stride * c0 - pad + padFor(rule, h);
      if (off < 0 || off + h > outH || (c0 === 0 && off !== 0) || (c1 === inH && off + h !== outH)) continue;
      let [e0, e1] = [off + h, off];
      for (let o = off; o < off + h; o++) {
        const [lo, hi] = sourcesOf(rule, inH, pad, o);
        if (lo <= hi && (lo < x0 || hi >= x1)) continue;
        e0 = Math.min(e0, o);
        e1 = Math.max(e1, o + 1);
      }
      return { n0: off, n1: off + h, e0, e1 };
    }
  }
  return null;
}

/** The input rows [a, b) output rows [r0, r1) of the whole tensor read. */
export function transposeConvSourceRows(rule: TransposeRule, inH: number, outH: number, r0: number, r1: number): [number, number] {
  const pad = padFor(rule, outH);
  return [sourcesOf(rule, inH, pad, r0)[0], sourcesOf(rule, inH, pad, r1 - 1)[1] + 1];
}
