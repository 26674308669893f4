// Element-wise operators: the interpreter's kernels (arithmetic.ts,
// activations.ts, quantize.ts), TFLM's allocations for them, and which of them
// may run in place or split into row bands.

import type { OpInfo } from '../op-info.js';
import { unaryRowRule } from '../row-rule.js';
import { kernels as activations } from './activations.js';
import { kernels as arithmetic } from './arithmetic.js';
import { kernels as quantize } from './quantize.js';

/** Op data TFLM's reference kernel allocates in Init (sizeof its OpData); no Prepare buffers, no scratch. */
const opData = (init: number): OpInfo['memory'] => ({ reference: { opData: { init } } });

export const ops: readonly OpInfo[] = [
  // TfLiteAddParams / TfLiteMulParams; OpDataAdd / OpDataMul.
  { key: 'ADD', kernel: arithmetic['ADD'], builtinParams: [2, 1], memory: opData(60), inPlace: true },
  { key: 'MUL', kernel: arithmetic['MUL'], builtinParams: [1, 1], memory: opData(36), inPlace: true },
  { key: 'RELU', kernel: activations['RELU'], memory: opData(28), inPlace: true, rowRule: unaryRowRule }, // ReluOpData
  { key: 'RELU6', kernel: activations['RELU6'], memory: opData(8), inPlace: true, rowRule: unaryRowRule }, // Relu6OpData
  { key: 'LOGISTIC', kernel: activations['LOGISTIC'], memory: opData(16), inPlace: true, rowRule: unaryRowRule }, // OpDataLogistic
  { key: 'HARD_SWISH', kernel: activations['HARD_SWISH'], memory: opData(20), inPlace: true, rowRule: unaryRowRule }, // HardSwishParams
  { key: 'QUANTIZE', kernel: quantize['QUANTIZE'], memory: opData(32) }, // OpDataQuantizeReference
  { key: 'DEQUANTIZE', kernel: quantize['DEQUANTIZE'], memory: opData(32) }, // DequantizeOpData
];
