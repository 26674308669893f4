// Resizes: the interpreter's kernels, TFLM's allocations for them and their
// row rule.

import type { OpInfo } from '../op-info.js';
import { builtinOptions } from '../../graph/op-options.js';
import type { RowRuleOf } from '../row-rule.js';
import { kernels, resizeRowAxis } from './kernel.js';

/**
 * A resize of any scale and mode: the rows each output row reads are the kernel's own (resizeRowAxis), so a band
 * is exact where its smaller tensor's mapping agrees with the whole tensor's (split-row-bands.ts checks row by row).
 */
const resizeRowRule: RowRuleOf = (_sg, op, { x, out }) => {
  const rows = x.dtype === out.dtype ? resizeRowAxis(op, x.dtype) : null;
  if (!rows || out.shape.length !== 4) return null;
  const align = op.opcode === 'RESIZE_BILINEAR' ? builtinOptions(op, 'ResizeBilinearOptions').alignCorners : builtinOptions(op, 'ResizeNearestNeighborOptions').alignCorners;
  return { kind: 'resize', rows, align };
};

export const ops: readonly OpInfo[] = [
  // TfLiteResizeBilinearParams / TfLiteResizeNearestNeighborParams; no op data. Prepare fetches input, size, output.
  { key: 'RESIZE_BILINEAR', kernel: kernels['RESIZE_BILINEAR'], builtinParams: [2, 1], memory: { reference: { prepareTemps: 'i0 i1 o0', opData: {} } }, rowRule: resizeRowRule },
  { key: 'RESIZE_NEAREST_NEIGHBOR', kernel: kernels['RESIZE_NEAREST_NEIGHBOR'], builtinParams: [2, 1], memory: { reference: { prepareTemps: 'i0 i1 o0', opData: {} } }, rowRule: resizeRowRule },
];
