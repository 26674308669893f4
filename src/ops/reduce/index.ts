// Reductions: the interpreter's MEAN kernel and TFLM's allocations for MEAN and
// the reductions without a kernel, which share its reference kernel's scratch.

import { elements, inputOf, INT_BYTES, outputOf, type OpInfo, type SizeRule } from '../op-info.js';
import { kernels } from './kernel.js';

/** The resolved axes and the temp index of the reference Reduce: one int each per input dim and per axis. */
const axesScratch: SizeRule = (op, tensors) => [INT_BYTES * (inputOf(op, tensors, 0)?.shape.length ?? 0), INT_BYTES * elements(inputOf(op, tensors, 1))];

/** MEAN and SUM: an int32 accumulator per output element first, for quantized inputs. */
const meanScratch: SizeRule = (op, tensors, ctx) => {
  const x = inputOf(op, tensors, 0);
  const out: number[] = [];
  if (x?.dtype === 'int8' || x?.dtype === 'int16') out.push(INT_BYTES * elements(outputOf(op, tensors)));
  return [...out, ...axesScratch(op, tensors, ctx)];
};

const MEAN_TEMPS = 'i0 o0 i1 i0 i1 o0';

// TfLiteReducerParams; OpDataReduce. MEAN and SUM fetch input, output, axis, then
// PrepareSimple's input, axis, output (its output only for quantized inputs: counted always).
export const ops: readonly OpInfo[] = [
  { key: 'MEAN', kernel: kernels['MEAN'], builtinParams: [1, 1], memory: { reference: { scratch: meanScratch, prepareTemps: MEAN_TEMPS, opData: { init: 44 } } } },
  { key: 'SUM', builtinParams: [1, 1], memory: { reference: { scratch: meanScratch, prepareTemps: MEAN_TEMPS, opData: { init: 44 } } } },
  { key: 'REDUCE_MAX', builtinParams: [1, 1], memory: { reference: { scratch: axesScratch, opData: { init: 44 } } } },
  { key: 'REDUCE_MIN', builtinParams: [1, 1], memory: { reference: { scratch: axesScratch, opData: { init: 44 } } } },
  { key: 'REDUCE_ALL', memory: { reference: { scratch: axesScratch } } },
];
