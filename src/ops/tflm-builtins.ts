// Builtins of TFLM's op resolver that the interpreter has no kernel for, but
// whose reference kernels' scratch requests are known (TFLM 90b983c, 32-bit
// target): none, except ADD_N's pointer array. Their op data is not modelled,
// except MAXIMUM/MINIMUM's (none: no Init, no Prepare, in both sets).
// Builtins without a kernel that belong to a family with kernels are in that
// family's module; SVDF and UNIDIRECTIONAL_SEQUENCE_LSTM are in recurrent/,
// BATCH_MATMUL in batch-matmul/, control flow and resource variables in control/.

import { POINTER_BYTES, outputOf, type OpInfo } from './op-info.js';

// By the family that will give them a kernel (one list each, so each family's
// work removes its own list).
const BINARY = 'DIV EQUAL FLOOR_DIV FLOOR_MOD GREATER GREATER_EQUAL LESS LESS_EQUAL LOGICAL_AND LOGICAL_OR NOT_EQUAL SELECT_V2 SQUARED_DIFFERENCE SUB';
const NO_SCRATCH = BINARY.split(' ');

export const ops: readonly OpInfo[] = [
  ...NO_SCRATCH.map((key): OpInfo => ({ key, memory: { reference: {} } })),
  // TFLM registers both without Init or Prepare (cmsis_nn/maximum_minimum.cc too): nothing allocated, nothing fetched.
  ...['MAXIMUM', 'MINIMUM'].map((key): OpInfo => ({ key, memory: { reference: { opData: {}, prepareTemps: '' } } })),
  {
    key: 'ADD_N',
    // An array of input pointers, for float32 and int8 outputs.
    memory: {
      reference: {
        scratch: (op, tensors) => {
          const t = outputOf(op, tensors)?.dtype;
          return t === 'float32' || t === 'int8' ? [POINTER_BYTES * op.inputs.length] : [];
        },
      },
    },
  },
];
