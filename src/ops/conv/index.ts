// CONV_2D: the interpreter's kernel, TFLM's allocations for it and its row rule.

import { inputOf, int4FilterScratch, perChannel, quantizedPerChannel, type OpInfo } from '../op-info.js';
import { convGeometry, convS16Buffer, convS8Buffer } from '../cmsis-nn-sizes.js';
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
      'cmsis-nn': {
        // One im2col buffer: int8 input (int8 or int4 filter, both sized by the s8 rule) when it is not
        // empty; int16 input always (the kernel reads the bias type off a missing output, so never int32).
        scratch: (op, tensors, { isa }) => {
          const x = inputOf(op, tensors, 0)?.dtype;
          if (x === 'int8') return [convS8Buffer(convGeometry(op, tensors, false), isa)].filter((b) => b > 0);
          return x === 'int16' ? [convS16Buffer(convGeometry(op, tensors, false), isa)] : [];
        },
        // OpDataConv + buffer_idx; per-channel multipliers for quantized inputs only.
        opData: { init: 60, prepare: quantizedPerChannel((op, tensors) => inputOf(op, tensors, 1)?.shape[0]) },
      },
    },
    rowRule: convRowRule,
  },
];
