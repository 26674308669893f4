// Data movement (reshapes, concatenation, splits, pads, transposes, slices):
// the interpreter's kernels, TFLM's allocations for them and PAD's row rule.

import { intArrayBytes, outputOf, type OpInfo } from '../op-info.js';
import { padRowRule } from '../row-rule.js';
import { kernels } from './kernel.js';

/** Scratch known to be none; Prepare's temp tensors; op data modelled (Init allocates `init` bytes, if any). */
const known = (prepareTemps: string, init?: number, init64?: number): OpInfo['memory'] => ({
  reference: { prepareTemps, opData: init === undefined ? {} : { init, ...(init64 === undefined ? {} : { init64 }) } },
});

export const ops: readonly OpInfo[] = [
  { key: 'RESHAPE', kernel: kernels['RESHAPE'], builtinParams: [36, 4], memory: known('i0 o0') }, // TfLiteReshapeParams
  { key: 'SQUEEZE', kernel: kernels['SQUEEZE'], builtinParams: [36, 4], memory: known('i0 o0') }, // TfLiteSqueezeParams
  { key: 'EXPAND_DIMS', kernel: kernels['EXPAND_DIMS'], memory: { reference: {} } },
  { key: 'CONCATENATION', kernel: kernels['CONCATENATION'], builtinParams: [8, 4], memory: known('i0 o0 i*', 24, 40) },
  { key: 'SPLIT', kernel: kernels['SPLIT'], memory: { reference: {} } },
  { key: 'SPLIT_V', kernel: kernels['SPLIT_V'], builtinParams: [4, 4], memory: known('i2') },
  { key: 'PAD', kernel: kernels['PAD'], memory: known('i0 i1 i2 o0', 56), rowRule: padRowRule },
  { key: 'PADV2', kernel: kernels['PADV2'], memory: known('i0 i1 i2 o0', 56) },
  { key: 'TRANSPOSE', kernel: kernels['TRANSPOSE'], memory: known('') },
  { key: 'STRIDED_SLICE', kernel: kernels['STRIDED_SLICE'], builtinParams: [24, 4], memory: known('i0 i1 i2 i3 o0', 84) }, // StridedSliceParams
  {
    key: 'DEPTH_TO_SPACE',
    kernel: kernels['DEPTH_TO_SPACE'],
    builtinParams: [4, 4],
    // The output dims are moved out of the flatbuffer into the arena.
    memory: { reference: { prepareTemps: 'i0 o0', opData: { prepare: (op, tensors) => [intArrayBytes(outputOf(op, tensors)?.shape.length ?? 0)] } } },
  },
];
