// SOFTMAX: the interpreter's kernel and TFLM's allocations for it.

import { inputOf, type OpInfo, type SizeRule } from '../op-info.js';
import { channelRowRule } from '../row-rule.js';
import { kernels } from './kernel.js';

const int16Tables: SizeRule = (op, tensors) => (inputOf(op, tensors, 0)?.dtype === 'int16' ? [2 * 513, 2 * 513] : []);

export const ops: readonly OpInfo[] = [
  {
    key: 'SOFTMAX',
    kernel: kernels['SOFTMAX'],
    builtinParams: [4, 4], // TfLiteSoftmaxParams
    memory: {
      // SoftmaxParams (CMSIS-NN: + num_rows, row_size); int16 softmax builds two 513-entry int16 lookup tables.
      reference: { prepareTemps: 'i0 o0', opData: { init: 56, init64: 80, prepare: int16Tables } },
      'cmsis-nn': { opData: { init: 64, prepare: int16Tables } },
    },
    rowRule: channelRowRule,
  },
];
