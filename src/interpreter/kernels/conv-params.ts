// What CONV_2D, DEPTHWISE_CONV_2D and TRANSPOSE_CONV share in Prepare:
// PopulateConvolutionQuantizationParams (kernel_util.cc) and the zero-point
// offsets. Per-tensor filter scales are broadcast over the channels, as TFLM does.

import { quantizeMultiplier } from '../fixed-point.js';
import { activationRangeQuantized, kernelError, requireQuantized, scaleOf, zeroPointOf, type KernelCall, type TensorData } from '../kernel.js';

export interface QuantizedConvParams {
  multipliers: Int32Array;
  shifts: Int32Array;
  inputOffset: number;
  outputOffset: number;
  qmin: number;
  qmax: number;
}

export function quantizedConvParams(
  call: KernelCall,
  input: TensorData,
  filter: TensorData,
  output: TensorData,
  channels: number,
  activation: number,
): QuantizedConvParams {
  requireQuantized(call, input, 'input');
  requireQuantized(call, filter, 'filter');
  requireQuantized(call, output, 'output');
  const filterScales = filter.tensor.quantization!.scale;
  if (filterScales.length > 1 && filterScales.length !== channels) {
    throw kernelError(call, `filter has ${filterScales.length} scales for ${channels} output channels`);
  }
  const multipliers = new Int32Array(channels);
  const shifts = new Int32Array(channels);
  const inputScale = scaleOf(input);
  const outputScale = scaleOf(output);
  for (let c = 0; c < channels; c++) {
    // double(input_scale) * double(filter_scale) / double(output_scale), as TFLM computes it.
    const m = quantizeMultiplier((inputScale * filterScales[filterScales.length > 1 ? c : 0]!) / outputScale);
    multipliers[c] = m.multiplier;
    shifts[c] = m.shift;
  }
  const [qmin, qmax] = activationRangeQuantized(call, output, activation);
  return { multipliers, shifts, inputOffset: -zeroPointOf(input), outputOffset: zeroPointOf(output), qmin, qmax };
}

/** Types the conv family computes in TFLM's reference kernels (input, filter, output). */
export function convDtype(call: KernelCall, input: TensorData, filter: TensorData, output: TensorData): 'float32' | 'int8' {
  const key = `${input.tensor.dtype}/${filter.tensor.dtype}/${output.tensor.dtype}`;
  if (key === 'float32/float32/float32') return 'float32';
  if (key === 'int8/int8/int8') return 'int8';
  throw kernelError(call, `input/filter/output types ${key} are not supported (float32 and int8 are)`);
}
