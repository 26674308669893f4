// Scratch buffers the TFLM reference kernels request in Prepare
// (RequestScratchBufferInArena), at TFLM commit 90b983c, for a 32-bit target.
// They live in the head for the duration of their operator only. Optimized
// kernel libraries (CMSIS-NN, ...) request different scratch: these sizes hold
// for the reference kernels, which is what the oracle measured.

import type { GraphOp, GraphTensor } from '../graph/types.js';
import { CONCAT_CONV, decodeConcatConvOptions, TRANSPOSE_CONV_GATHER } from '../ops/tinyseg/custom-ops.js';

const POINTER_BYTES = 4;
const INT_BYTES = 4;

/** Builtins of TFLM's op resolver whose reference kernel's scratch requests are modelled here. */
export const SCRATCH_KNOWN_OPS: ReadonlySet<string> = new Set(
  (
    'ABS ADD ADD_N ARG_MAX ARG_MIN ASSIGN_VARIABLE AVERAGE_POOL_2D BATCH_MATMUL BATCH_TO_SPACE_ND BROADCAST_ARGS ' +
    'BROADCAST_TO CALL_ONCE CAST CEIL CONCATENATION CONV_2D COS CUMSUM DEPTHWISE_CONV_2D DEPTH_TO_SPACE DEQUANTIZE ' +
    'DIV DYNAMIC_UPDATE_SLICE ELU EMBEDDING_LOOKUP EQUAL EXP EXPAND_DIMS FILL FLOOR FLOOR_DIV FLOOR_MOD ' +
    'FULLY_CONNECTED GATHER GATHER_ND GREATER GREATER_EQUAL HARD_SWISH IF L2_NORMALIZATION L2_POOL_2D LEAKY_RELU ' +
    'LESS LESS_EQUAL LOG LOGICAL_AND LOGICAL_NOT LOGICAL_OR LOGISTIC LOG_SOFTMAX MAXIMUM MAX_POOL_2D MEAN MINIMUM ' +
    'MUL NEG NOT_EQUAL PACK PAD PADV2 PRELU QUANTIZE READ_VARIABLE REDUCE_ALL REDUCE_MAX REDUCE_MIN RELU RELU6 ' +
    'RESHAPE RESIZE_BILINEAR RESIZE_NEAREST_NEIGHBOR REVERSE_V2 ROUND RSQRT SELECT_V2 SHAPE SIN SLICE SOFTMAX ' +
    'SPACE_TO_BATCH_ND SPACE_TO_DEPTH SPLIT SPLIT_V SQRT SQUARE SQUARED_DIFFERENCE SQUEEZE STRIDED_SLICE SUB SUM ' +
    'TANH TRANSPOSE TRANSPOSE_CONV UNPACK VAR_HANDLE WHILE ZEROS_LIKE'
  ).split(' '),
);

const elements = (t: GraphTensor | undefined): number => (t ? t.shape.reduce((a, b) => a * b, 1) : 0);

/** Byte sizes (before 16-byte rounding) of the op's scratch requests, in request order. */
export function kernelScratchRequests(op: GraphOp, tensors: readonly GraphTensor[]): number[] {
  const input = (i: number): GraphTensor | undefined => (op.inputs[i] !== undefined && op.inputs[i]! >= 0 ? tensors[op.inputs[i]!] : undefined);
  const output = tensors[op.outputs[0] ?? -1];
  if (op.opcode === 'CUSTOM') {
    // TinySeg's transpose conv accumulates one output pixel at a time; the
    // virtual-concatenation conv stages the input rows of one output row
    // (docs/custom-ops.md); the spill ops need nothing.
    if (op.customCode === TRANSPOSE_CONV_GATHER) return [INT_BYTES * (output?.shape[output.shape.length - 1] ?? 0)];
    if (op.customCode === CONCAT_CONV) {
      const filter = input(0);
      const part = input(2);
      if (!filter || !part || part.shape.length !== 4) return [];
      const o = decodeConcatConvOptions(op.customOptions);
      const rows = (filter.shape[1]! - 1) * o.dilationH + 1;
      return [rows * part.shape[2]! * filter.shape[3]! * (part.dtype === 'float32' ? 4 : 1)];
    }
    return [];
  }
  switch (op.opcode) {
    case 'CONV_2D':
    case 'DEPTHWISE_CONV_2D':
    case 'FULLY_CONNECTED': {
      // int4 filters are unpacked into a scratch copy of the whole filter.
      const filter = input(1);
      return filter?.dtype === 'int4' ? [elements(filter)] : [];
    }
    case 'TRANSPOSE_CONV': {
      // inputs: output_shape, filter, input, bias
      const x = input(2);
      const bias = input(3);
      if (x?.dtype === 'int8') return [elements(output) * 4];
      if (x?.dtype === 'int16') {
        const out: number[] = [];
        if (bias?.dtype === 'int16') out.push(elements(bias) * 8); // 16-bit bias widened to 64
        out.push(elements(output) * 8);
        return out;
      }
      return [];
    }
    case 'MEAN':
    case 'SUM': {
      const x = input(0);
      const out: number[] = [];
      if (x?.dtype === 'int8' || x?.dtype === 'int16') out.push(INT_BYTES * elements(output)); // accumulator
      out.push(INT_BYTES * (x?.shape.length ?? 0), INT_BYTES * elements(input(1)));
      return out;
    }
    case 'REDUCE_MAX':
    case 'REDUCE_MIN':
    case 'REDUCE_ALL':
      return [INT_BYTES * (input(0)?.shape.length ?? 0), INT_BYTES * elements(input(1))];
    case 'ADD_N': {
      const t = output?.dtype;
      return t === 'float32' || t === 'int8' ? [POINTER_BYTES * op.inputs.length] : [];
    }
    default:
      return [];
  }
}
