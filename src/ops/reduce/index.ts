// Reductions (MEAN, SUM, REDUCE_MAX, REDUCE_MIN, REDUCE_ALL, which share
// TFLM's reduce_common.cc, and ARG_MAX, ARG_MIN, CUMSUM): the interpreter's
// kernels and TFLM's allocations for them.

import { elements, inputOf, INT_BYTES, outputOf, type OpInfo, type SizeRule } from '../op-info.js';
import type { GraphOp, GraphTensor } from '../../graph/types.js';
import { kernels } from './kernel.js';
import { kernels as scan } from './scan.js';
import { argRowRule, rowReduceRowRule, cumsumRowRule } from '../row-rule.js';

/** The resolved axes and the temp index of the reference Reduce: one int each per input dim and per axis. */
const axesScratch: SizeRule = (op, tensors) => [INT_BYTES * (inputOf(op, tensors, 0)?.shape.length ?? 0), INT_BYTES * elements(inputOf(op, tensors, 1))];

/** MEAN and SUM: an int32 accumulator per output element first, for quantized inputs. */
const meanScratch: SizeRule = (op, tensors, ctx) => {
  const x = inputOf(op, tensors, 0);
  const out: number[] = [];
  if (x?.dtype === 'int8' || x?.dtype === 'int16') out.push(INT_BYTES * elements(outputOf(op, tensors)));
  return [...out, ...axesScratch(op, tensors, ctx)];
};

const int8Input = (op: GraphOp, tensors: readonly GraphTensor[]): boolean => inputOf(op, tensors, 0)?.dtype === 'int8';

// Prepare's temp tensors, in order. MEAN and SUM fetch input, output, axis, then
// PrepareSimple's input, axis and (int8 inputs only) output; REDUCE_MAX/MIN
// call PrepareSimple first; REDUCE_ALL's bool input never fetches PrepareSimple's output.
const MEAN_TEMPS = (op: GraphOp, tensors: readonly GraphTensor[]): string => (int8Input(op, tensors) ? 'i0 o0 i1 i0 i1 o0' : 'i0 o0 i1 i0 i1');
const MIN_MAX_TEMPS = (op: GraphOp, tensors: readonly GraphTensor[]): string => (int8Input(op, tensors) ? 'i0 i1 o0 i0 o0 i1' : 'i0 i1 i0 o0 i1');

/** The reference Reduce kernels: TfLiteReducerParams (a bool); Init's OpDataReduce (44 bytes). */
const reducer = (key: string, scratch: SizeRule, prepareTemps: (op: GraphOp, tensors: readonly GraphTensor[]) => string): OpInfo => ({
  key,
  kernel: kernels[key],
  builtinParams: [1, 1],
  memory: { reference: { scratch, prepareTemps, opData: { init: 44 } } },
  rowRule: rowReduceRowRule,
});

export const ops: readonly OpInfo[] = [
  reducer('MEAN', meanScratch, MEAN_TEMPS),
  reducer('SUM', meanScratch, MEAN_TEMPS),
  reducer('REDUCE_MAX', axesScratch, MIN_MAX_TEMPS),
  reducer('REDUCE_MIN', axesScratch, MIN_MAX_TEMPS),
  reducer('REDUCE_ALL', axesScratch, () => 'i0 o0 i1 i0 i1'),
  // TfLiteArgMaxParams / TfLiteArgMinParams (a TfLiteType: one byte on arm-none-eabi, an int on x86-64); no Prepare.
  { key: 'ARG_MAX', kernel: scan['ARG_MAX'], builtinParams: [1, 1], builtinParams64: [4, 4], memory: { reference: { prepareTemps: '', opData: {} } }, rowRule: argRowRule },
  { key: 'ARG_MIN', kernel: scan['ARG_MIN'], builtinParams: [1, 1], builtinParams64: [4, 4], memory: { reference: { prepareTemps: '', opData: {} } }, rowRule: argRowRule },
  {
    key: 'CUMSUM',
    kernel: scan['CUMSUM'],
    // TfLiteCumsumParams (two bools); int8 Prepare allocates its OpData (9 int32).
    builtinParams: [2, 1],
    memory: { reference: { prepareTemps: 'i0 i1 o0', opData: { prepare: (op, tensors) => (int8Input(op, tensors) ? [36] : []) } } },
    rowRule: cumsumRowRule,
  },
];
