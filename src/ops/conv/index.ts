// CONV_2D: the interpreter's kernel, TFLM's allocations for it and its row rule.

import { inputOf, int4FilterScratch, perChannel, type OpInfo } from '../op-info.js';
import { convRowRule } from '../row-rule.js';
import { kernels } from './kernel.js';

export const ops: readonly OpInfo[] = [
  {
    key: 'CONV_2D',
    kernel: kernels['CONV_2D'],
    builtinParams: [28, 4], // TfLiteConvParams
    memory: {
      reference: {
        scratch: int4FilterScratch(1),
        // OpDataConv; per-channel multipliers of the filter's output channels ([O, kH, kW, I]).
        // Temps: CalculateOpDataConv's input, filter, bias, output, then ConvPrepare's output, input, filter.
        prepareTemps: 'i0 i1 i2 o0 o0 i0 i1',
        opData: { init: 56, init64: 72, prepare: (op, tensors) => perChannel(inputOf(op, tensors, 1)?.shape[0]) },
      },
    },
    rowRule: convRowRule,
  },
];
