// QUANTIZE and DEQUANTIZE, transcribed from TFLM's reference kernels
// (quantize*.cc, dequantize*.cc and the reference headers they call).

import { clampInt, defineKernel, elementCount, kernelError, requireInput, requireOutput, requireQuantized, scaleOf, zeroPointOf, type Kernel } from '../kernel.js';
import { multiplyByQuantizedMultiplier, quantizeMultiplier, roundHalfAway } from '../fixed-point.js';
import { unaryInvoke, unaryState, type UnaryState } from './unary.js';

const INT_RANGE: Record<string, [number, number]> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
};

const REQUANTIZE_PAIRS = new Set([
  'int16>int8',
  'int8>int8',
  'int8>uint8',
  'uint8>int8',
  'int8>int16',
  'int8>int32',
  'int16>int16',
  'int16>int32',
  'int32>int8',
  'int32>int16',
]);

/** float -> int32 conversion as x86-64 cvttss2si does it (out of range and NaN give INT32_MIN). */
const toInt32Trunc = (v: number): number => (v >= -2147483648 && v < 2147483648 ? Math.trunc(v) : -2147483648);

const QUANTIZE = defineKernel<UnaryState>({
  prepare(call) {
    const input = requireInput(call, 0);
    const output = requireOutput(call, 0);
    const ti = input.tensor.dtype;
    const to = output.tensor.dtype;
    const q = output.tensor.quantization;
    if (!q || q.scale.length !== 1) throw kernelError(call, 'QUANTIZE needs per-tensor output quantization');
    if (elementCount(input) !== elementCount(output)) throw kernelError(call, 'input and output sizes differ');
    const outZp = zeroPointOf(output);
    const outScale = scaleOf(output);
    if (ti === 'float32') {
      if (to !== 'int8' && to !== 'int16') throw kernelError(call, `types ${ti} -> ${to} are not supported`);
      // reference_ops::AffineQuantize
      const [lo, hi] = INT_RANGE[to]!;
      const scaleF = Math.fround(outScale);
      return {
        table: null,
        fn: (v) => clampInt((toInt32Trunc(roundHalfAway(Math.fround(v / scaleF))) + outZp) | 0, lo, hi),
      };
    }
    if (!REQUANTIZE_PAIRS.has(`${ti}>${to}`)) throw kernelError(call, `types ${ti} -> ${to} are not supported`);
    requireQuantized(call, input, 'input');
    // quantize_common.cc: effective_scale = input scale / output scale; reference_ops::Requantize
    const m = quantizeMultiplier(scaleOf(input) / outScale);
    const inZp = zeroPointOf(input);
    const [lo, hi] = INT_RANGE[to]!;
    return unaryState(ti, to, (v) => clampInt((multiplyByQuantizedMultiplier((v - inZp) | 0, m.multiplier, m.shift) + outZp) | 0, lo, hi));
  },
  invoke: unaryInvoke,
});

const DEQUANTIZE = defineKernel<UnaryState>({
  prepare(call) {
    const input = requireInput(call, 0);
    const output = requireOutput(call, 0);
    const ti = input.tensor.dtype;
    if ((ti !== 'int8' && ti !== 'int16' && ti !== 'uint8') || output.tensor.dtype !== 'float32') {
      throw kernelError(call, `types ${ti} -> ${output.tensor.dtype} are not supported (TFLM dequantizes int8/int16/uint8 to float32)`);
    }
    if (elementCount(input) !== elementCount(output)) throw kernelError(call, 'input and output sizes differ');
    requireQuantized(call, input, 'input');
    // reference_ops::Dequantize: float(double(scale) * (val - zero_point))
    const scale = scaleOf(input);
    const zp = zeroPointOf(input);
    return unaryState(ti, 'float32', (v) => Math.fround(scale * (v - zp)));
  },
  invoke: unaryInvoke,
});

export const kernels: Record<string, Kernel<any>> = { QUANTIZE, DEQUANTIZE };
