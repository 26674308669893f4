// FULLY_CONNECTED: the interpreter's kernel and TFLM's allocations for it.

import { inputOf, int4FilterScratch, perChannel, type OpInfo } from '../op-info.js';
import { kernels } from './kernel.js';

export const ops: readonly OpInfo[] = [
  {
    key: 'FULLY_CONNECTED',
    kernel: kernels['FULLY_CONNECTED'],
    builtinParams: [5, 1], // TfLiteFullyConnectedParams
    builtinParams64: [16, 4],
    memory: {
      reference: {
        scratch: int4FilterScratch(1),
        // OpDataFullyConnected; per-channel multipliers only for a per-channel quantized filter.
        prepareTemps: 'i0 i1 i2 o0',
        opData: {
          init: 48,
          init64: 64, // two pointers
          prepare: (op, tensors) => {
            const scales = inputOf(op, tensors, 1)?.quantization?.scale.length ?? 0;
            return scales > 1 ? perChannel(scales) : [];
          },
        },
      },
    },
  },
];
