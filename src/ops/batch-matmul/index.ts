// BATCH_MATMUL: the interpreter's kernel (kernel.ts) and TFLM's allocations for
// it (TFLM 90b983c batch_matmul.cc and cmsis_nn/batch_matmul.cc over CMSIS-NN
// 4ab83cc, 32-bit target).

import { builtinOptions } from '../../graph/op-options.js';
import type { GraphOp, GraphTensor } from '../../graph/types.js';
import { DTYPE_SIZE } from '../../graph/types.js';
import { kernels } from './kernel.js';
import { elements, inputOf, intArrayBytes, outputOf, type OpInfo, type SizeRule } from '../op-info.js';
import { batchMatmulRowRule } from '../row-rule.js';

/** sizeof(TfLiteEvalTensor) on a 32-bit target: data pointer, dims pointer, type. */
const EVAL_TENSOR_BYTES = 12;
/** QuantizationOpDataBatchMatmul: multiplier, shift, activation range, three zero points. */
const QUANTIZATION_BYTES = 28;

/**
 * A transposed copy of operand t that Prepare keeps: a TfLiteEvalTensor, its
 * dims array and its data, three persistent buffers (each 16-byte aligned).
 */
const transposedCopy = (t: GraphTensor | undefined): number[] =>
  t ? [EVAL_TENSOR_BYTES, intArrayBytes(t.shape.length), elements(t) * DTYPE_SIZE[t.dtype]] : [];

/** The operands Prepare transposes: lhs when adj_x, rhs unless adj_y (the kernels multiply by rhs^T). */
function transposed(op: GraphOp, tensors: readonly GraphTensor[]): number[] {
  const o = builtinOptions(op, 'BatchMatMulOptions');
  return [...(o.adjX ? transposedCopy(inputOf(op, tensors, 0)) : []), ...(o.adjY ? [] : transposedCopy(inputOf(op, tensors, 1)))];
}

/** ReshapeOutputTensor gives the output a writable copy of its dims (CreateWritableTensorDimsWithCopy). */
const outputDims = (op: GraphOp, tensors: readonly GraphTensor[]): number => intArrayBytes(outputOf(op, tensors)?.shape.length ?? 0);

const quantized = (op: GraphOp, tensors: readonly GraphTensor[]): boolean => {
  const t = inputOf(op, tensors, 0)?.dtype;
  return t === 'int8' || t === 'int16';
};

/** CMSIS-NN's int8 kernel: arm_fully_connected_s8's buffer for a filter of the output's last dim, 4 bytes each on MVE only. */
const cmsisScratch: SizeRule = (op, tensors, { isa }) => {
  const out = outputOf(op, tensors);
  return isa === 'mve' && inputOf(op, tensors, 0)?.dtype === 'int8' ? [4 * (out?.shape[out.shape.length - 1] ?? 0)] : [];
};

export const ops: readonly OpInfo[] = [
  {
    key: 'BATCH_MATMUL',
    kernel: kernels['BATCH_MATMUL'],
    builtinParams: [3, 1], // TfLiteBatchMatMulParams: three bools
    rowRule: batchMatmulRowRule,
    memory: {
      reference: {
        // OpDataBatchMatmul: three pointers, three bools. Prepare: the quantization parameters (int8, int16), the
        // transposed copies, the output's dims.
        prepareTemps: 'i0 i1 o0',
        opData: {
          init: 16,
          init64: 32,
          prepare: (op, tensors) => [...(quantized(op, tensors) ? [QUANTIZATION_BYTES] : []), ...transposed(op, tensors), outputDims(op, tensors)],
        },
      },
      'cmsis-nn': {
        scratch: cmsisScratch,
        // The reference op data + cmsis_nn_dims of the output + a buffer index. Prepare: the transposed copies, the
        // output's dims, then the quantization parameters (every non-float type).
        opData: {
          init: 36,
          prepare: (op, tensors) => [...transposed(op, tensors), outputDims(op, tensors), ...(quantized(op, tensors) ? [QUANTIZATION_BYTES] : [])],
        },
      },
    },
  },
];
