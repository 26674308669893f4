// Builtins of TFLM's op resolver that the interpreter has no kernel for, but
// whose reference kernels' scratch requests are known (TFLM 90b983c, 32-bit
// target): none, except ADD_N's pointer array. Their op data is not modelled,
// except MAXIMUM/MINIMUM's (none: no Init, no Prepare, in both sets).
// Builtins without a kernel that belong to a family with kernels (L2_POOL_2D,
// SUM, REDUCE_*) are in that family's module; SVDF and
// UNIDIRECTIONAL_SEQUENCE_LSTM are in recurrent/, BATCH_MATMUL in batch-matmul/.

import { POINTER_BYTES, outputOf, type OpInfo } from './op-info.js';

const NO_SCRATCH = (
  'ABS ARG_MAX ARG_MIN ASSIGN_VARIABLE BATCH_TO_SPACE_ND BROADCAST_ARGS BROADCAST_TO CALL_ONCE CAST CEIL ' +
  'COS CUMSUM DIV DYNAMIC_UPDATE_SLICE ELU EMBEDDING_LOOKUP EQUAL EXP FILL FLOOR FLOOR_DIV FLOOR_MOD GATHER GATHER_ND ' +
  'GREATER GREATER_EQUAL IF L2_NORMALIZATION LEAKY_RELU LESS LESS_EQUAL LOG LOGICAL_AND LOGICAL_NOT LOGICAL_OR ' +
  'LOG_SOFTMAX NEG NOT_EQUAL PACK PRELU READ_VARIABLE REVERSE_V2 ROUND RSQRT SELECT_V2 SHAPE SIN ' +
  'SLICE SPACE_TO_BATCH_ND SPACE_TO_DEPTH SQRT SQUARE SQUARED_DIFFERENCE SUB TANH UNPACK VAR_HANDLE WHILE ZEROS_LIKE'
).split(' ');

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
