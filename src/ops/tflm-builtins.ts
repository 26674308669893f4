// Builtins of TFLM's op resolver that the interpreter has no kernel for, but
// whose reference kernels' scratch requests are known (TFLM 90b983c, 32-bit
// target): none. Their op data is not modelled.
// Builtins without a kernel that belong to a family with kernels (L2_POOL_2D,
// SUM, REDUCE_*) are in that family's module; SVDF and
// UNIDIRECTIONAL_SEQUENCE_LSTM are in recurrent/, BATCH_MATMUL in batch-matmul/.

import type { OpInfo } from './op-info.js';

// By the family that will give them a kernel (one list each, so each family's
// work removes its own list).
const UNARY = 'ABS CAST CEIL COS ELU EXP FLOOR L2_NORMALIZATION LEAKY_RELU LOG LOGICAL_NOT LOG_SOFTMAX NEG PRELU ROUND RSQRT SIN SQRT SQUARE TANH ZEROS_LIKE';
const DATA_MOVEMENT =
  'ARG_MAX ARG_MIN BATCH_TO_SPACE_ND BROADCAST_ARGS BROADCAST_TO CUMSUM DYNAMIC_UPDATE_SLICE EMBEDDING_LOOKUP FILL GATHER GATHER_ND PACK REVERSE_V2 SHAPE SLICE SPACE_TO_BATCH_ND SPACE_TO_DEPTH UNPACK';
const CONTROL_AND_STATE = 'ASSIGN_VARIABLE CALL_ONCE IF READ_VARIABLE VAR_HANDLE WHILE';
const NO_SCRATCH = [UNARY, DATA_MOVEMENT, CONTROL_AND_STATE].join(' ').split(' ');

export const ops: readonly OpInfo[] = [
  ...NO_SCRATCH.map((key): OpInfo => ({ key, memory: { reference: {} } })),
];
