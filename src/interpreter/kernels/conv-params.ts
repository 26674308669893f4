// What CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV (and the pooling window)
// share in Prepare: PopulateConvolutionQuantizationParams (kernel_util.cc),
// the zero-point offsets and TFLM's padding rule. Per-tensor filter scales are broadcast over the channels, as TFLM does.

import { quantizeMultiplier } from '../fixed-point.js';
import {
  activationOf,
  activationRangeFloat,
  activationRangeQuantized,
  kernelError,
  option,
  paddingFor,
  requireQuantized,
  scaleOf,
  zeroPointOf,
  type KernelCall,
  type TensorData,
} from '../kernel.js';

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

/** Strides, dilations and leading pads of a sliding window (conv, depthwise conv, pooling). */
export interface SlidingWindow {
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padH: number;
  padW: number;
}

/**
 * The window from the op's options, checked against the output size TFLM's
 * padding rule implies. Pooling has no dilation options; they default to 1.
 */
export function slidingWindow(call: KernelCall, [inH, inW]: [number, number], [kH, kW]: [number, number], [outH, outW]: [number, number]): SlidingWindow {
  const strideH = option(call, 'strideH', 1);
  const strideW = option(call, 'strideW', 1);
  const dilationH = option(call, 'dilationHFactor', 1);
  const dilationW = option(call, 'dilationWFactor', 1);
  const padding = option(call, 'padding', 0);
  if (Math.min(strideH, strideW, dilationH, dilationW) < 1) throw kernelError(call, `strides and dilations must be at least 1 (got stride ${strideH}x${strideW}, dilation ${dilationH}x${dilationW})`);
  const ph = paddingFor(padding, inH, kH, strideH, dilationH);
  const pw = paddingFor(padding, inW, kW, strideW, dilationW);
  if (ph.out !== outH || pw.out !== outW) throw kernelError(call, `output is ${outH}x${outW}, padding implies ${ph.out}x${pw.out}`);
  return { strideH, strideW, dilationH, dilationW, padH: ph.pad, padW: pw.pad };
}

/** What the conv family computes with, besides the window: int8 requantization or the float clamp. */
export interface ConvArithmetic {
  dtype: 'float32' | 'int8';
  quant: QuantizedConvParams | null;
  floatMin: number;
  floatMax: number;
}

export function convArithmetic(call: KernelCall, input: TensorData, filter: TensorData, output: TensorData, channels: number): ConvArithmetic {
  const dtype = convDtype(call, input, filter, output);
  const activation = activationOf(call);
  const [floatMin, floatMax] = dtype === 'float32' ? activationRangeFloat(call, activation) : [0, 0];
  return { dtype, quant: dtype === 'int8' ? quantizedConvParams(call, input, filter, output, channels, activation) : null, floatMin, floatMax };
}
