// TRANSPOSE_CONV: the interpreter's kernel and TFLM's allocations for it.

import { elements, inputOf, outputOf, perChannel, type OpInfo } from '../op-info.js';
import { kernels } from './kernel.js';

export const ops: readonly OpInfo[] = [
  {
    key: 'TRANSPOSE_CONV',
    kernel: kernels['TRANSPOSE_CONV'],
    builtinParams: [16, 4], // TfLiteTransposeConvParams
    builtinParams64: [20, 4],
    memory: {
      reference: {
        // inputs: output_shape, filter, input, bias. The reference kernel accumulates the whole output.
        scratch: (op, tensors) => {
          const x = inputOf(op, tensors, 2);
          const bias = inputOf(op, tensors, 3);
          const output = outputOf(op, tensors);
          if (x?.dtype === 'int8') return [elements(output) * 4];
          if (x?.dtype === 'int16') {
            const out: number[] = [];
            if (bias?.dtype === 'int16') out.push(elements(bias) * 8); // 16-bit bias widened to 64
            out.push(elements(output) * 8);
            return out;
          }
          return [];
        },
        prepareTemps: 'i2 i3 o0 i2 i1', // input, bias, output; then CalculateOpData's input, filter
        opData: { init: 72, init64: 80, prepare: (op, tensors) => perChannel(inputOf(op, tensors, 1)?.shape[0]) },
      },
    },
  },
];
