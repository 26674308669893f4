// DEPTHWISE_CONV_2D: the interpreter's kernel, TFLM's allocations for it and its row rule.

import { inputOf, int4FilterScratch, perChannel, type OpInfo } from '../op-info.js';
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
    },
    rowRule: convRowRule,
  },
];
