// TRANSPOSE_CONV: the interpreter's kernel and TFLM's allocations for it.

import { transposeConvS8Buffers } from '../cmsis-nn-sizes.js';
import { elements, inputOf, outputOf, perChannel, type OpInfo } from '../op-info.js';
import type { GraphOp, GraphTensor } from '../../graph/types.js';
import { kernels } from './kernel.js';
import { transposeConvRowRule } from '../row-rule.js';

/**
 * int16 input (both sets): the 64-bit accumulator over the output (Prepare), then a 16-bit bias widened to 64
 * (CalculateOpData, which Prepare calls after its own request).
 */
function int16Scratch(op: GraphOp, tensors: readonly GraphTensor[]): number[] {
  if (inputOf(op, tensors, 2)?.dtype !== 'int16') return [];
  const bias = inputOf(op, tensors, 3);
  return [elements(outputOf(op, tensors)) * 8, ...(bias?.dtype === 'int16' ? [elements(bias) * 8] : [])];
}

/**
 * Both sets' Prepare fetches the output, input and filter; for a quantized
 * input CalculateOpData then fetches input, filter, bias and output again.
 */
const prepareTemps = (op: GraphOp, tensors: readonly GraphTensor[]): string => (inputOf(op, tensors, 2)?.dtype === 'float32' ? 'o0 i2 i1' : 'o0 i2 i1 i2 i1 i3 o0');

export const ops: readonly OpInfo[] = [
  {
    key: 'TRANSPOSE_CONV',
    kernel: kernels['TRANSPOSE_CONV'],
    builtinParams: [16, 4], // TfLiteTransposeConvParams
    builtinParams64: [20, 4],
    rowRule: transposeConvRowRule,
    rowInput: 2,
    memory: {
      reference: {
        // inputs: output_shape, filter, input, bias. The reference kernel accumulates the whole output.
        scratch: (op, tensors) => (inputOf(op, tensors, 2)?.dtype === 'int8' ? [elements(outputOf(op, tensors)) * 4] : int16Scratch(op, tensors)),
        prepareTemps,
        opData: { init: 72, init64: 80, prepare: (op, tensors) => perChannel(inputOf(op, tensors, 1)?.shape[0]) },
      },
      'cmsis-nn': {
        // int8: CMSIS-NN's accumulator (or im2col) and reversed-filter buffers, both requested even when 0 bytes.
        scratch: (op, tensors, { isa }) => (inputOf(op, tensors, 2)?.dtype === 'int8' ? transposeConvS8Buffers(op, tensors, isa) : int16Scratch(op, tensors)),
        // The same temps as the reference (prepareTemps).
        // ConvParams + three buffer indices + two pointers; per-channel multipliers for every type.
        opData: { init: 76, prepare: (op, tensors) => perChannel(inputOf(op, tensors, 1)?.shape[0]) },
      },
    },
  },
];
