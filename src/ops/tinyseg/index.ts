// TinySeg's custom ops (docs/custom-ops.md): the interpreter's kernels, what
// TinySeg's TFLM kernels (emitted with the model) allocate, and the spill
// region each one touches. The kernels are TinySeg's own, so every kernel set
// links the same ones.

import type { Op, Tensor } from '../../graph/graph.js';
import { customKey } from '../../graph/op-key.js';
import type { GraphOp } from '../../graph/types.js';
import { inputOf, INT_BYTES, outputOf, perChannel, type KernelMemory, type OpInfo } from '../op-info.js';
import { kernels as addFetch } from './add-fetch-kernel.js';
import { kernels as concatConv } from './concat-conv-kernel.js';
import {
  ADD_FETCH,
  CONCAT_CONV,
  CONCAT_FETCH,
  decodeAddFetchOptions,
  decodeConcatConvOptions,
  decodeConcatFetchOptions,
  decodeSpillOptions,
  FETCH,
  slotBytes,
  SPILL,
  TRANSPOSE_CONV_GATHER,
  type ConcatFetchOptions,
} from './custom-ops.js';
import { kernels as spillKernels, layout } from './spill-kernels.js';
import { kernels as transposeConv } from './transpose-conv-kernel.js';

/** A spill or fetch moves one slot: options offset .. offset + bytes. */
const slotExtent =
  (code: string) =>
  (op: Op): number => {
    const o = decodeSpillOptions(op.customOptions, code);
    return o.offset + o.bytes;
  };

/** A part's slot holds the rows and element size of `like`: the output (fetch) or the resident parts (conv). */
function partsExtent(like: Tensor | undefined, parts: ConcatFetchOptions['parts']): number {
  if (!like) return 0;
  const l = layout(like);
  return Math.max(0, ...parts.map((p) => ('input' in p ? 0 : p.offset + slotBytes(l.rows * p.channels, l.element, p.quantized))));
}

/** Op data of the TFLM kernel's Init, and the kernels' scratch and per-channel buffers (docs/custom-ops.md). */
const memory = (m: KernelMemory): OpInfo['memory'] => ({ reference: m });

export const ops: readonly OpInfo[] = [
  // A spill or fetch keeps four int32 (the decoded options).
  { key: customKey(SPILL), kernel: spillKernels[customKey(SPILL)], memory: memory({ opData: { init: 16 } }), storageExtent: slotExtent(SPILL) },
  { key: customKey(FETCH), kernel: spillKernels[customKey(FETCH)], memory: memory({ opData: { init: 16 } }), storageExtent: slotExtent(FETCH) },
  {
    key: customKey(CONCAT_FETCH),
    kernel: spillKernels[customKey(CONCAT_FETCH)],
    // A count plus three int32 per part.
    memory: memory({ opData: { init: (op: GraphOp) => 4 + 12 * decodeConcatFetchOptions(op.customOptions).parts.length } }),
    storageExtent: (op, tensors) => partsExtent(tensors[op.outputs[0]!], decodeConcatFetchOptions(op.customOptions).parts),
  },
  {
    key: customKey(ADD_FETCH),
    kernel: addFetch[customKey(ADD_FETCH)],
    // ADD's op data and the region operand.
    memory: memory({ opData: { init: 64 } }),
    // It is TFLM's ADD loop, out[i] from the resident operand's element i.
    inPlace: true,
    storageExtent: (op) => {
      const o = decodeAddFetchOptions(op.customOptions);
      return o.offset + o.bytes;
    },
  },
  {
    key: customKey(CONCAT_CONV),
    kernel: concatConv[customKey(CONCAT_CONV)],
    memory: memory({
      // Stages the input rows of one output row: (kH - 1) * dilation + 1 rows of the parts' width and the filter's input channels.
      scratch: (op, tensors) => {
        const filter = inputOf(op, tensors, 0);
        const part = inputOf(op, tensors, 2);
        if (!filter || !part || part.shape.length !== 4) return [];
        const o = decodeConcatConvOptions(op.customOptions);
        const rows = (filter.shape[1]! - 1) * o.dilationH + 1;
        return [rows * part.shape[2]! * filter.shape[3]! * (part.dtype === 'float32' ? 4 : 1)];
      },
      // The conv's OpDataConv plus the parts; per-channel multipliers of the filter (input 0).
      opData: {
        init: (op) => 56 + 4 + 12 * decodeConcatConvOptions(op.customOptions).parts.length,
        prepare: (op, tensors) => perChannel(inputOf(op, tensors, 0)?.shape[0]),
      },
    }),
    storageExtent: (op, tensors) => partsExtent(tensors[op.inputs[2]!], decodeConcatConvOptions(op.customOptions).parts),
  },
  {
    key: customKey(TRANSPOSE_CONV_GATHER),
    kernel: transposeConv[customKey(TRANSPOSE_CONV_GATHER)],
    memory: memory({
      // Accumulates one output pixel at a time.
      scratch: (op, tensors) => {
        const output = outputOf(op, tensors);
        return [INT_BYTES * (output?.shape[output.shape.length - 1] ?? 0)];
      },
      // 48 bytes of options and requantization scalars; per-channel multipliers of the filter (input 1).
      opData: { init: 48, prepare: (op, tensors) => perChannel(inputOf(op, tensors, 1)?.shape[0]) },
    }),
  },
];
