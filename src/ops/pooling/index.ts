// Pooling: the interpreter's kernels and TFLM's allocations for them. L2_POOL_2D
// has no kernel; its allocations are known.

import type { OpInfo } from '../op-info.js';
import { kernels } from './kernel.js';

export const ops: readonly OpInfo[] = [
  // TfLitePoolParams; OpDataPooling. Prepare fetches the input and output.
  { key: 'AVERAGE_POOL_2D', kernel: kernels['AVERAGE_POOL_2D'], builtinParams: [40, 4], memory: { reference: { prepareTemps: 'i0 o0', opData: { init: 32 } } } },
  { key: 'MAX_POOL_2D', kernel: kernels['MAX_POOL_2D'], builtinParams: [40, 4], memory: { reference: { prepareTemps: 'i0 o0', opData: { init: 32 } } } },
  { key: 'L2_POOL_2D', builtinParams: [40, 4], memory: { reference: { opData: {} } } },
];
