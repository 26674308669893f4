// Resizes: the interpreter's kernels, TFLM's allocations for them and the
// bilinear resize's row rule.

import type { OpInfo } from '../op-info.js';
import { resizeRowRule } from '../row-rule.js';
import { kernels } from './kernel.js';

export const ops: readonly OpInfo[] = [
  // TfLiteResizeBilinearParams / TfLiteResizeNearestNeighborParams; no op data. Prepare fetches input, size, output.
  { key: 'RESIZE_BILINEAR', kernel: kernels['RESIZE_BILINEAR'], builtinParams: [2, 1], memory: { reference: { prepareTemps: 'i0 i1 o0', opData: {} } }, rowRule: resizeRowRule },
  { key: 'RESIZE_NEAREST_NEIGHBOR', kernel: kernels['RESIZE_NEAREST_NEIGHBOR'], builtinParams: [2, 1], memory: { reference: { prepareTemps: 'i0 i1 o0', opData: {} } } },
];
