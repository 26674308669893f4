// Element-wise operators: the interpreter's kernels (arithmetic.ts,
// binary-ops.ts, compare.ts, select-add-n.ts, activations.ts, quantize.ts),
// TFLM's allocations for them, and which of them may run in place or split
// into row bands.

import type { OpInfo } from '../op-info.js';
import type { GraphOp, GraphTensor } from '../../graph/types.js';
import { binaryRowRule, channelRowRule, unaryRowRule } from '../row-rule.js';
import { kernels as activations } from './activations.js';
import { kernels as arithmetic } from './arithmetic.js';
import { kernels as math } from './math.js';
import { kernels as nonlinear } from './nonlinear.js';
import { kernels as binaryOps } from './binary-ops.js';
import { kernels as compare } from './compare.js';
import { kernels as selectAddN } from './select-add-n.js';
import { POINTER_BYTES, outputOf } from '../op-info.js';
import { kernels as quantize } from './quantize.js';

/** Op data TFLM's reference kernel allocates in Init (sizeof its OpData) and the temp tensors its Prepare fetches; no Prepare buffers, no scratch. */
const opData = (init: number, prepareTemps: string): OpInfo['memory'] => ({ reference: { prepareTemps, opData: { init } } });
/** No Init (no op data), and the temp tensors Prepare fetches ('' where TFLM registers no Prepare). */
const noOpData = (prepareTemps: string): OpInfo['memory'] => ({ reference: { prepareTemps, opData: {} } });

/** An element-wise record: out[i] from in[i] alone, so in place and row-local. */
const elementwise = (key: string, kernel: OpInfo['kernel'], memory: OpInfo['memory']): OpInfo => ({ key, kernel, memory, inPlace: true, rowRule: unaryRowRule });

const addNType = (op: GraphOp, tensors: readonly GraphTensor[]) => outputOf(op, tensors)?.dtype;

export const ops: readonly OpInfo[] = [
  // TfLiteAddParams / TfLiteMulParams (an enum: 4 bytes on a 64-bit host); OpDataAdd / OpDataMul.
  { key: 'ADD', kernel: arithmetic['ADD'], builtinParams: [2, 1], builtinParams64: [8, 4], memory: opData(60, 'i0 i1 o0'), inPlace: true, rowRule: binaryRowRule },
  { key: 'MUL', kernel: arithmetic['MUL'], builtinParams: [1, 1], builtinParams64: [4, 4], memory: opData(36, 'i0 i1 o0'), inPlace: true, rowRule: binaryRowRule },
  // TfLiteSubParams (as TfLiteAddParams); OpDataSub.
  { key: 'SUB', kernel: binaryOps['SUB'], builtinParams: [2, 1], builtinParams64: [8, 4], memory: opData(52, 'i0 i1 o0'), rowRule: binaryRowRule },
  // TfLiteDivParams (an enum); OpDataDiv: seven int32.
  { key: 'DIV', kernel: binaryOps['DIV'], builtinParams: [1, 1], builtinParams64: [4, 4], memory: opData(28, 'i0 i1 o0'), rowRule: binaryRowRule },
  // OpData: a bool, then ArithmeticParams (104 bytes, 8-aligned for its int64 members).
  { key: 'SQUARED_DIFFERENCE', kernel: binaryOps['SQUARED_DIFFERENCE'], memory: opData(112, 'i0 i1 o0'), rowRule: binaryRowRule },
  // Init returns no op data; Prepare only checks types.
  { key: 'FLOOR_DIV', kernel: binaryOps['FLOOR_DIV'], memory: { reference: { prepareTemps: 'i0 i1 o0', opData: {} } }, rowRule: binaryRowRule },
  { key: 'FLOOR_MOD', kernel: binaryOps['FLOOR_MOD'], memory: { reference: { prepareTemps: 'i0 i1 o0', opData: {} } }, rowRule: binaryRowRule },
  // Registered without Init or Prepare (cmsis_nn/maximum_minimum.cc too): nothing allocated, nothing fetched.
  { key: 'MAXIMUM', kernel: binaryOps['MAXIMUM'], memory: { reference: { opData: {}, prepareTemps: '' } }, rowRule: binaryRowRule },
  { key: 'MINIMUM', kernel: binaryOps['MINIMUM'], memory: { reference: { opData: {}, prepareTemps: '' } }, rowRule: binaryRowRule },
  // comparisons.cc OpData: ComparisonParams (seven int32, a bool); Prepare fetches the two inputs only.
  ...['EQUAL', 'NOT_EQUAL', 'GREATER', 'GREATER_EQUAL', 'LESS', 'LESS_EQUAL'].map(
    (key): OpInfo => ({ key, kernel: compare[key], memory: opData(32, 'i0 i1'), rowRule: binaryRowRule }),
  ),
  // Registered without Init or Prepare.
  { key: 'LOGICAL_AND', kernel: compare['LOGICAL_AND'], memory: { reference: { opData: {}, prepareTemps: '' } }, rowRule: binaryRowRule },
  { key: 'LOGICAL_OR', kernel: compare['LOGICAL_OR'], memory: { reference: { opData: {}, prepareTemps: '' } }, rowRule: binaryRowRule },
  // select.cc OpData: one bool.
  { key: 'SELECT_V2', kernel: selectAddN['SELECT_V2'], memory: opData(1, 'i0 i1 i2 o0'), rowRule: binaryRowRule },
  {
    key: 'ADD_N',
    kernel: selectAddN['ADD_N'],
    // Its inputs all have the output's shape: the others are branches read row for row.
    rowRule: binaryRowRule,
    // No Init. Prepare fetches input 0, the output, then every other input; int8 allocates its OpData (ten int32)
    // then, as float32, requests an array of input pointers.
    memory: {
      reference: {
        prepareTemps: (op) => ['i0', 'o0', ...op.inputs.slice(1).map((_, i) => `i${i + 1}`)].join(' '),
        opData: { prepare: (op, tensors) => (addNType(op, tensors) === 'int8' ? [40] : []) },
        scratch: (op, tensors) => {
          const t = addNType(op, tensors);
          return t === 'float32' || t === 'int8' ? [POINTER_BYTES * op.inputs.length] : [];
        },
      },
    },
  },
  { key: 'RELU', kernel: activations['RELU'], memory: opData(28, 'i0 o0'), inPlace: true, rowRule: unaryRowRule }, // ReluOpData
  { key: 'RELU6', kernel: activations['RELU6'], memory: opData(8, 'i0'), inPlace: true, rowRule: unaryRowRule }, // Relu6OpData
  { key: 'LOGISTIC', kernel: activations['LOGISTIC'], memory: opData(16, 'i0 o0'), inPlace: true, rowRule: unaryRowRule }, // OpDataLogistic
  { key: 'HARD_SWISH', kernel: activations['HARD_SWISH'], memory: opData(20, 'i0 o0'), inPlace: true, rowRule: unaryRowRule }, // HardSwishParams
  // QUANTIZE and CAST loop out[i] = f(in[i]) upwards: in place even when the output is narrower (analysis/in-place.ts).
  { key: 'QUANTIZE', kernel: quantize['QUANTIZE'], memory: opData(32, 'i0 o0'), inPlace: true, rowRule: unaryRowRule }, // OpDataQuantizeReference
  { key: 'DEQUANTIZE', kernel: quantize['DEQUANTIZE'], memory: opData(32, 'i0 o0'), rowRule: unaryRowRule }, // DequantizeOpData
  // elementwise.cc: ABS and RSQRT allocate OpDataAbsRsqrt (4 ints, a bool and two
  // enums: 20 bytes with ARM's one-byte enums, 28 on x86-64); the others have no Init.
  elementwise('ABS', math['ABS'], { reference: { prepareTemps: 'i0 o0', opData: { init: 20, init64: 28 } } }),
  elementwise('RSQRT', math['RSQRT'], { reference: { prepareTemps: 'i0 o0', opData: { init: 20, init64: 28 } } }),
  ...['SIN', 'COS', 'LOG', 'SQRT', 'SQUARE', 'LOGICAL_NOT'].map((key) => elementwise(key, math[key], noOpData('i0 o0'))),
  // neg.cc and floor.cc register neither Init nor Prepare.
  ...['NEG', 'FLOOR'].map((key) => elementwise(key, math[key], noOpData(''))),
  ...['CEIL', 'ROUND', 'EXP', 'ZEROS_LIKE'].map((key) => elementwise(key, math[key], noOpData('i0 o0'))),
  // TfLiteCastParams: two TfLiteType enums. The output's element size may differ: not in place.
  { key: 'CAST', kernel: math['CAST'], builtinParams: [2, 1], builtinParams64: [8, 4], memory: noOpData('i0 o0'), inPlace: true, rowRule: unaryRowRule },
  elementwise('ELU', nonlinear['ELU'], opData(256, 'i0 o0')), // OpData: the int8 lookup table
  // TfLiteLeakyReluParams (a float); LeakyReluOpData (6 int32).
  { ...elementwise('LEAKY_RELU', nonlinear['LEAKY_RELU'], opData(24, 'i0 o0')), builtinParams: [4, 4] },
  // TanhPrepare fetches the input, then CalculateArithmeticOpData the input and output again.
  elementwise('TANH', nonlinear['TANH'], opData(16, 'i0 i0 o0')), // OpData
  // PreluParams (7 int32); row-local when alpha broadcasts along the rows (or is another branch's).
  { key: 'PRELU', kernel: nonlinear['PRELU'], memory: opData(28, 'i0 i1 o0'), rowRule: binaryRowRule },
  // No Init; Prepare allocates LogSoftmaxOpData (5 int32, 2 size_t) for int8 only.
  {
    key: 'LOG_SOFTMAX',
    kernel: nonlinear['LOG_SOFTMAX'],
    memory: { reference: { prepareTemps: 'i0 o0', opData: { prepare: (op, tensors) => (tensors[op.inputs[0] ?? -1]?.dtype === 'int8' ? [28] : []) } } },
    rowRule: channelRowRule,
  },
  // TfLiteL2NormParams (an enum: 4 bytes on a 64-bit host); L2NormalizationParams (one int32).
  { key: 'L2_NORMALIZATION', kernel: nonlinear['L2_NORMALIZATION'], builtinParams: [1, 1], builtinParams64: [4, 4], memory: opData(4, 'i0 o0'), rowRule: channelRowRule },
];
