// Pooling: the interpreter's kernels and TFLM's allocations for them.

import { inputOf, intArrayBytes, type OpInfo, type SizeRule } from '../op-info.js';
import { poolRowRule } from '../row-rule.js';
import { kernels } from './kernel.js';

/** CMSIS-NN's int8/int16 average pool: a 4*C buffer on DSP cores only. */
const avgPoolScratch: SizeRule = (op, tensors, { isa }) => {
  const x = inputOf(op, tensors, 0);
  return isa === 'dsp' && (x?.dtype === 'int8' || x?.dtype === 'int16') ? [4 * (x.shape[x.shape.length - 1] ?? 0)] : [];
};

export const ops: readonly OpInfo[] = [
  // TfLitePoolParams; OpDataPooling (CMSIS-NN: + buffer_idx). Prepare fetches the input and output.
  {
    key: 'AVERAGE_POOL_2D',
    kernel: kernels['AVERAGE_POOL_2D'],
    builtinParams: [40, 4],
    // CMSIS-NN's Prepare fetches the input and output once more.
    memory: {
      reference: { prepareTemps: 'i0 o0', opData: { init: 32 } },
      'cmsis-nn': { scratch: avgPoolScratch, prepareTemps: 'i0 o0 i0 o0', opData: { init: 36 } },
    },
    rowRule: poolRowRule,
  },
  { key: 'MAX_POOL_2D', kernel: kernels['MAX_POOL_2D'], builtinParams: [40, 4], memory: { reference: { prepareTemps: 'i0 o0', opData: { init: 32 } }, 'cmsis-nn': { opData: { init: 36 } } }, rowRule: poolRowRule },
  // No Init; Prepare fetches the output, then the input, and rewrites the output dims (4-D).
  { key: 'L2_POOL_2D', kernel: kernels['L2_POOL_2D'], builtinParams: [40, 4], memory: { reference: { prepareTemps: 'o0 i0', opData: { prepare: () => [intArrayBytes(4)] } } }, rowRule: poolRowRule },
];
