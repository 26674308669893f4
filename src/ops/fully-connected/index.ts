// FULLY_CONNECTED: the interpreter's kernel and TFLM's allocations for it.

import type { GraphOp, GraphTensor } from '../../graph/types.js';
import { inputOf, int4FilterScratch, outputOf, perChannel, type OpInfo } from '../op-info.js';
import { kernels } from './kernel.js';
import { fullyConnectedRowRule } from '../row-rule.js';

/** The filter's scale count when it is per-channel (more than one scale), else undefined. */
function filterScales(op: GraphOp, tensors: readonly GraphTensor[]): number | undefined {
  const scales = inputOf(op, tensors, 1)?.quantization?.scale.length ?? 0;
  return scales > 1 ? scales : undefined;
}

/** Constant filter and constant or absent bias: CMSIS-NN's speed build keeps MVE kernel sums persistent. */
const kernelSumsPersistent = (op: GraphOp, tensors: readonly GraphTensor[]): boolean => {
  const bias = inputOf(op, tensors, 2);
  return inputOf(op, tensors, 1)?.kind === 'constant' && (bias === undefined || bias.kind === 'constant');
};

export const ops: readonly OpInfo[] = [
  {
    key: 'FULLY_CONNECTED',
    kernel: kernels['FULLY_CONNECTED'],
    builtinParams: [5, 1], // TfLiteFullyConnectedParams
    builtinParams64: [16, 4],
    rowRule: fullyConnectedRowRule,
    memory: {
      reference: {
        scratch: int4FilterScratch(1),
        // OpDataFullyConnected; per-channel multipliers only for a per-channel quantized filter.
        prepareTemps: 'i0 i1 i2 o0',
        opData: { init: 48, init64: 64 /* two pointers */, prepare: (op, tensors) => perChannel(filterScales(op, tensors)) },
      },
      'cmsis-nn': {
        scratch: (op, tensors, { isa }) => {
          const [x, w] = [inputOf(op, tensors, 0), inputOf(op, tensors, 1)];
          if (x?.dtype !== 'int8' || w?.dtype !== 'int8') return [];
          const output = outputOf(op, tensors);
          const cout = output?.shape[output.shape.length - 1] ?? 0;
          // The 1x1-conv path: per-tensor filters emulate per-channel (mult + shift per channel);
          // its fast buffer is 4*accum_depth with armclang only, 0 with GCC.
          if ((output?.shape.length ?? 0) > 2 && (w.shape[w.shape.length - 1] ?? 0) % 4 === 0) return filterScales(op, tensors) ? [] : [8 * cout];
          return isa === 'mve' && !kernelSumsPersistent(op, tensors) ? [4 * cout] : [];
        },
        opData: {
          // OpDataFullyConnected + the CMSIS-NN buffer indices, kernel sums and dims.
          init: 72,
          prepare: (op, tensors, { isa }) => {
            const out = perChannel(filterScales(op, tensors));
            const [x, w] = [inputOf(op, tensors, 0), inputOf(op, tensors, 1)];
            const output = outputOf(op, tensors);
            const conv1x1 = (output?.shape.length ?? 0) > 2 && (w?.shape[w.shape.length - 1] ?? 0) % 4 === 0;
            // MVE, speed build: constant weights get their kernel sums once, in a persistent buffer.
            if (isa === 'mve' && x?.dtype === 'int8' && w?.dtype === 'int8' && !conv1x1 && kernelSumsPersistent(op, tensors)) {
              out.push(4 * (output?.shape[output.shape.length - 1] ?? 0));
            }
            return out;
          },
        },
      },
    },
  },
];
