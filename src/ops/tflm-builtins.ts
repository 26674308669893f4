// Builtins of TFLM's op resolver that the interpreter has no kernel for, but
// whose reference kernels' scratch requests are known (TFLM 90b983c, 32-bit
// target): none, except ADD_N's pointer array and SVDF's state; BATCH_MATMUL's CMSIS-NN
// kernel requests one on MVE cores. Their op data is not modelled.
// Builtins without a kernel that belong to a family with kernels (L2_POOL_2D,
// SUM, REDUCE_*) are in that family's module.

import { builtinOptions } from '../graph/op-options.js';
import { inputOf, POINTER_BYTES, outputOf, type OpInfo, type SizeRule } from './op-info.js';

/**
 * SVDF (both sets, TFLM svdf_common.cc / cmsis_nn/svdf.cc): the state scratch B*F*4, and for int8 the
 * per-rank output B*U*4 (B batch, F filters, U = F / rank). CMSIS-NN's MVE kernel sums are
 * persistent in the speed build: op data is not modelled for SVDF in either set.
 */
const svdfScratch: SizeRule = (op, tensors) => {
  const b = inputOf(op, tensors, 0)?.shape[0] ?? 1;
  const f = inputOf(op, tensors, 1)?.shape[0] ?? 0;
  const rank = Math.max(1, builtinOptions(op, 'SVDFOptions').rank);
  return inputOf(op, tensors, 0)?.dtype === 'int8' ? [b * f * 4, b * Math.trunc(f / rank) * 4] : [b * f * 4];
};

/** CMSIS-NN's int8 BATCH_MATMUL: arm_fully_connected_s8's buffer, 4 * the output's last dim on MVE only. */
const batchMatmulScratch: SizeRule = (op, tensors, { isa }) => {
  const out = outputOf(op, tensors);
  return isa === 'mve' && inputOf(op, tensors, 0)?.dtype === 'int8' ? [4 * (out?.shape[out.shape.length - 1] ?? 0)] : [];
};

const NO_SCRATCH = (
  'ABS ARG_MAX ARG_MIN ASSIGN_VARIABLE BATCH_TO_SPACE_ND BROADCAST_ARGS BROADCAST_TO CALL_ONCE CAST CEIL ' +
  'COS CUMSUM DIV DYNAMIC_UPDATE_SLICE ELU EMBEDDING_LOOKUP EQUAL EXP FILL FLOOR FLOOR_DIV FLOOR_MOD GATHER GATHER_ND ' +
  'GREATER GREATER_EQUAL IF L2_NORMALIZATION LEAKY_RELU LESS LESS_EQUAL LOG LOGICAL_AND LOGICAL_NOT LOGICAL_OR ' +
  'LOG_SOFTMAX MAXIMUM MINIMUM NEG NOT_EQUAL PACK PRELU READ_VARIABLE REVERSE_V2 ROUND RSQRT SELECT_V2 SHAPE SIN ' +
  'SLICE SPACE_TO_BATCH_ND SPACE_TO_DEPTH SQRT SQUARE SQUARED_DIFFERENCE SUB TANH UNPACK VAR_HANDLE WHILE ZEROS_LIKE'
).split(' ');

export const ops: readonly OpInfo[] = [
  ...NO_SCRATCH.map((key): OpInfo => ({ key, memory: { reference: {} } })),
  { key: 'BATCH_MATMUL', memory: { reference: {}, 'cmsis-nn': { scratch: batchMatmulScratch } } },
  { key: 'SVDF', memory: { reference: { scratch: svdfScratch } } },
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
