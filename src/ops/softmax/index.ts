// SOFTMAX: the interpreter's kernel and TFLM's allocations for it.

import { inputOf, type OpInfo } from '../op-info.js';
import { kernels } from './kernel.js';

export const ops: readonly OpInfo[] = [
  {
    key: 'SOFTMAX',
    kernel: kernels['SOFTMAX'],
    builtinParams: [4, 4], // TfLiteSoftmaxParams
    memory: {
      reference: {
        // SoftmaxParams; int16 softmax builds two 513-entry int16 lookup tables.
        prepareTemps: 'i0 o0',
        opData: { init: 56, init64: 80, prepare: (op, tensors) => (inputOf(op, tensors, 0)?.dtype === 'int16' ? [2 * 513, 2 * 513] : []) },
      },
    },
  },
];
