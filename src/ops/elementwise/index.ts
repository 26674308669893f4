// Element-wise operators: the interpreter's kernels (arithmetic.ts,
// activations.ts, quantize.ts), TFLM's allocations for them, and which of them
// may run in place or split into row bands.

import type { OpInfo } from '../op-info.js';
import { unaryRowRule } from '../row-rule.js';
import { kernels as activations } from './activations.js';
import { kernels as arithmetic } from './arithmetic.js';
import { kernels as quantize } from './quantize.js';

/** Op data TFLM's reference kernel allocates in Init (sizeof its OpData) and the temp tensors its Prepare fetches; no Prepare buffers, no scratch. */
const opData = (init: number, prepareTemps: string): OpInfo['memory'] => ({ reference: { prepareTemps, opData: { init } } });

export const ops: readonly OpInfo[] = [
  // TfLiteAddParams / TfLiteMulParams (an enum: 4 bytes on a 64-bit host); OpDataAdd / OpDataMul.
  { key: 'ADD', kernel: arithmetic['ADD'], builtinParams: [2, 1], builtinParams64: [8, 4], memory: opData(60, 'i0 i1 o0'), inPlace: true },
  { key: 'MUL', kernel: arithmetic['MUL'], builtinParams: [1, 1], builtinParams64: [4, 4], memory: opData(36, 'i0 i1 o0'), inPlace: true },
  { key: 'RELU', kernel: activations['RELU'], memory: opData(28, 'i0 o0'), inPlace: true, rowRule: unaryRowRule }, // ReluOpData
  { key: 'RELU6', kernel: activations['RELU6'], memory: opData(8, 'i0'), inPlace: true, rowRule: unaryRowRule }, // Relu6OpData
  { key: 'LOGISTIC', kernel: activations['LOGISTIC'], memory: opData(16, 'i0 o0'), inPlace: true, rowRule: unaryRowRule }, // OpDataLogistic
  { key: 'HARD_SWISH', kernel: activations['HARD_SWISH'], memory: opData(20, 'i0 o0'), inPlace: true, rowRule: unaryRowRule }, // HardSwishParams
  { key: 'QUANTIZE', kernel: quantize['QUANTIZE'], memory: opData(32, 'i0 o0') }, // OpDataQuantizeReference
  { key: 'DEQUANTIZE', kernel: quantize['DEQUANTIZE'], memory: opData(32, 'i0 o0') }, // DequantizeOpData
];
