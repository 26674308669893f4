// Data movement (reshapes, concatenation, splits, pads, transposes, slices,
// gathers, stacking, broadcasting): the interpreter's kernels, TFLM's
// allocations for them, and their row rules.

import type { GraphOp, GraphTensor } from '../../graph/types.js';
import { INT_BYTES, intArrayBytes, outputOf, type OpInfo } from '../op-info.js';
import { broadcastToRowRule, concatRowRule, depthToSpaceRowRule, gatherRowRule, mirrorPadRowRule, padRowRule, reshapeRowRule, reverseRowRule, transposeRowRule, sliceRowRule, spaceToDepthRowRule, stridedSliceRowRule } from '../row-rule.js';
import { kernels } from './kernel.js';
import { kernels as movement } from './movement.js';
import { kernels as stackFill } from './stack-fill.js';

/** CreateWritableTensorDimsWithCopy: Prepare moves the output dims into a persistent TfLiteIntArray. */
const outputDims = (op: GraphOp, tensors: readonly GraphTensor[]): number[] => [intArrayBytes(outputOf(op, tensors)?.shape.length ?? 0)];

/** Scratch known to be none; Prepare's temp tensors; op data modelled (Init allocates `init` bytes, if any). */
const known = (prepareTemps: string, init?: number, init64?: number): OpInfo['memory'] => ({
  reference: { prepareTemps, opData: init === undefined ? {} : { init, ...(init64 === undefined ? {} : { init64 }) } },
});

export const ops: readonly OpInfo[] = [
  // TfLiteReshapeParams. In place: TFLM's Eval copies only when the input and output buffers differ (reshape.cc).
  { key: 'RESHAPE', kernel: kernels['RESHAPE'], builtinParams: [36, 4], memory: known('i0 o0'), inPlace: 'bytes', rowRule: reshapeRowRule },
  // Not in place: TFLM's SQUEEZE memcpys its bytes and EXPAND_DIMS copies them element by element, over themselves too.
  { key: 'SQUEEZE', kernel: kernels['SQUEEZE'], builtinParams: [36, 4], memory: known('i0 o0'), reshapes: true }, // TfLiteSqueezeParams
  { key: 'EXPAND_DIMS', kernel: kernels['EXPAND_DIMS'], memory: known('i0 i1 o0'), reshapes: true },
  { key: 'CONCATENATION', kernel: kernels['CONCATENATION'], builtinParams: [8, 4], memory: known('i0 o0 i*', 24, 40), rowRule: concatRowRule },
  { key: 'SPLIT', kernel: kernels['SPLIT'], builtinParams: [4, 4], memory: known('i0') }, // TfLiteSplitParams; Prepare fetches the axis only
  { key: 'SPLIT_V', kernel: kernels['SPLIT_V'], builtinParams: [4, 4], memory: known('i2') },
  { key: 'PAD', kernel: kernels['PAD'], memory: known('i0 i1 i2 o0', 56), rowRule: padRowRule },
  { key: 'PADV2', kernel: kernels['PADV2'], memory: known('i0 i1 i2 o0', 56), rowRule: padRowRule },
  { key: 'TRANSPOSE', kernel: kernels['TRANSPOSE'], memory: known(''), rowRule: transposeRowRule },
  { key: 'STRIDED_SLICE', kernel: kernels['STRIDED_SLICE'], builtinParams: [24, 4], memory: known('i0 i1 i2 i3 o0', 84), rowRule: stridedSliceRowRule }, // StridedSliceParams
  {
    key: 'DEPTH_TO_SPACE',
    kernel: kernels['DEPTH_TO_SPACE'],
    builtinParams: [4, 4],
    // The output dims are moved out of the flatbuffer into the arena.
    memory: { reference: { prepareTemps: 'i0 o0', opData: { prepare: outputDims } } },
    rowRule: depthToSpaceRowRule,
  },
  // TfLiteGatherParams; Prepare fetches input, positions, output and rewrites the output dims.
  { key: 'GATHER', kernel: movement['GATHER'], builtinParams: [8, 4], memory: { reference: { prepareTemps: 'i0 i1 o0', opData: { prepare: outputDims } } }, rowRule: gatherRowRule },
  { key: 'GATHER_ND', kernel: movement['GATHER_ND'], memory: { reference: { prepareTemps: 'i0 i1 o0', opData: { prepare: outputDims } } } },
  { key: 'SLICE', kernel: movement['SLICE'], memory: known('i0 i1 i2 o0'), rowRule: sliceRowRule },
  // TfLitePackParams / TfLiteUnpackParams; no Prepare at all.
  { key: 'PACK', kernel: stackFill['PACK'], builtinParams: [8, 4], memory: known('') },
  { key: 'UNPACK', kernel: stackFill['UNPACK'], builtinParams: [8, 4], memory: known('') },
  { key: 'BATCH_TO_SPACE_ND', kernel: movement['BATCH_TO_SPACE_ND'], memory: known('i0 o0') },
  // Init allocates SpaceToBatchParams (one int32, the never-set pad value).
  { key: 'SPACE_TO_BATCH_ND', kernel: movement['SPACE_TO_BATCH_ND'], memory: known('i0 o0', 4) },
  // TfLiteSpaceToDepthParams; the output dims are rewritten.
  { key: 'SPACE_TO_DEPTH', kernel: movement['SPACE_TO_DEPTH'], builtinParams: [4, 4], memory: { reference: { prepareTemps: 'i0 o0', opData: { prepare: outputDims } } }, rowRule: spaceToDepthRowRule },
  { key: 'REVERSE_V2', kernel: movement['REVERSE_V2'], memory: known('i0 i1 o0'), rowRule: reverseRowRule },
  { key: 'BROADCAST_TO', kernel: movement['BROADCAST_TO'], memory: known('i0 i1 o0'), rowRule: broadcastToRowRule },
  { key: 'BROADCAST_ARGS', kernel: stackFill['BROADCAST_ARGS'], memory: known('i0 i1 o0') },
  // TfLiteShapeParams (a TfLiteType: one byte on arm-none-eabi, an int on x86-64); Prepare fetches nothing.
  { key: 'SHAPE', kernel: stackFill['SHAPE'], builtinParams: [1, 1], builtinParams64: [4, 4], memory: known('') },
  { key: 'FILL', kernel: stackFill['FILL'], memory: known('i0 i1 o0') },
  { key: 'DYNAMIC_UPDATE_SLICE', kernel: stackFill['DYNAMIC_UPDATE_SLICE'], memory: known('i0 i1 i2 o0') },
  {
    key: 'EMBEDDING_LOOKUP',
    kernel: stackFill['EMBEDDING_LOOKUP'],
    // The output dims, then OpData {float scale; size_t num_columns}: 8 bytes (16 on a 64-bit host: one 16-byte block either way).
    memory: { reference: { prepareTemps: 'i0 i1 o0', opData: { prepare: (op, tensors) => [...outputDims(op, tensors), 8] } } },
  },
  {
    key: 'MIRROR_PAD',
    kernel: movement['MIRROR_PAD'],
    // TfLiteMirrorPaddingParams (an enum); OpDataMirrorPad (5 ints); two int per input dim scratch arrays (output and input strides).
    builtinParams: [1, 1],
    builtinParams64: [4, 4],
    rowRule: mirrorPadRowRule,
    memory: {
      reference: {
        prepareTemps: 'i0 i1 o0',
        opData: { init: 20 },
        scratch: (op, tensors) => {
          const rank = tensors[op.inputs[0] ?? -1]?.shape.length ?? 0;
          return [INT_BYTES * rank, INT_BYTES * rank];
        },
      },
    },
  },
];
