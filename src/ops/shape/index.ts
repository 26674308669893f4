// Data movement (reshapes, concatenation, splits, pads, transposes, slices):
// the interpreter's kernels, TFLM's allocations for them and PAD's row rule.

import { intArrayBytes, outputOf, type OpInfo } from '../op-info.js';
import { padRowRule } from '../row-rule.js';
import { kernels } from './kernel.js';

/** Scratch known to be none; op data modelled (Init allocates `init` bytes, if any). */
const known = (init?: number): OpInfo['memory'] => ({ reference: { opData: init === undefined ? {} : { init } } });

export const ops: readonly OpInfo[] = [
  { key: 'RESHAPE', kernel: kernels['RESHAPE'], builtinParams: [36, 4], memory: known() }, // TfLiteReshapeParams
  { key: 'SQUEEZE', kernel: kernels['SQUEEZE'], builtinParams: [36, 4], memory: known() }, // TfLiteSqueezeParams
  { key: 'EXPAND_DIMS', kernel: kernels['EXPAND_DIMS'], memory: { reference: {} } },
  { key: 'CONCATENATION', kernel: kernels['CONCATENATION'], builtinParams: [8, 4], memory: known(24) },
  { key: 'SPLIT', kernel: kernels['SPLIT'], memory: { reference: {} } },
  { key: 'SPLIT_V', kernel: kernels['SPLIT_V'], builtinParams: [4, 4], memory: known() },
  { key: 'PAD', kernel: kernels['PAD'], memory: known(56), rowRule: padRowRule },
  { key: 'PADV2', kernel: kernels['PADV2'], memory: known(56) },
  { key: 'TRANSPOSE', kernel: kernels['TRANSPOSE'], memory: known() },
  { key: 'STRIDED_SLICE', kernel: kernels['STRIDED_SLICE'], builtinParams: [24, 4], memory: known(84) }, // StridedSliceParams
  {
    key: 'DEPTH_TO_SPACE',
    kernel: kernels['DEPTH_TO_SPACE'],
    builtinParams: [4, 4],
    // The output dims are moved out of the flatbuffer into the arena.
    memory: { reference: { opData: { prepare: (op, tensors) => [intArrayBytes(outputOf(op, tensors)?.shape.length ?? 0)] } } },
  },
];
