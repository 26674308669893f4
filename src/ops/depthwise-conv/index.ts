// DEPTHWISE_CONV_2D: the interpreter's kernel, TFLM's allocations for it and its row rule.

import { inputOf, int4FilterScratch, perChannel, quantizedPerChannel, type OpInfo } from '../op-info.js';
import { convGeometry, depthwiseBuffer } from '../cmsis-nn-sizes.js';
import { convRowRule } from '../row-rule.js';
import { kernels } from './kernel.js';

export const ops: readonly OpInfo[] = [
  {
    key: 'DEPTHWISE_CONV_2D',
    kernel: kernels['DEPTHWISE_CONV_2D'],
    builtinParams: [28, 4], // TfLiteDepthwiseConvParams
    memory: {
      reference: {
        scratch: int4FilterScratch(1),
        // OpDataConv; per-channel multipliers of the filter's channels ([1, kH, kW, C]).
        prepareTemps: 'i0 i1 i2 o0 o0 i0 i1', // as CONV_2D
        opData: { init: 56, init64: 72, prepare: (op, tensors) => perChannel(inputOf(op, tensors, 1)?.shape[3]) },
      },
      'cmsis-nn': {
        // int8 input only, when not empty (int16 runs without a buffer).
        scratch: (op, tensors, { isa }) => {
          if (inputOf(op, tensors, 0)?.dtype !== 'int8') return [];
          const int4 = inputOf(op, tensors, 1)?.dtype === 'int4';
          return [depthwiseBuffer(convGeometry(op, tensors, true), isa, int4)].filter((b) => b > 0);
        },
        // OpDataConv + buffer_idx; per-channel multipliers for quantized inputs only.
        opData: { init: 60, prepare: quantizedPerChannel((op, tensors) => inputOf(op, tensors, 1)?.shape[3]) },
      },
    },
    rowRule: convRowRule,
  },
];
