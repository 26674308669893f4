// CMSIS-NN's buffer-size functions (CMSIS-NN 4ab83cc, the pin of TFLM 90b983c)
// and the geometry TFLM's cmsis_nn kernels pass them, for the families'
// `memory['cmsis-nn']` rules. GCC is the compiler (armclang sizes differ for
// the DSP 1x1 fast conv), the speed build (KERNELS_OPTIMIZED_FOR_SPEED).
// /work/notes/cmsis-nn-memory.md (sections 2-11) is the researched source.

import { builtinOptions } from '../graph/op-options.js';
import type { GraphOp, GraphTensor } from '../graph/types.js';
import { paddingFor } from './kernel.js';
import type { CoreIsa } from './kernel-sets.js';
import { inputOf, outputOf } from './op-info.js';

const align4 = (x: number): number => Math.ceil(x / 4) * 4;
const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);

/** The sliding window TFLM's conv kernels hand CMSIS-NN: NHWC dims, strides, dilations, TFLM's leading pads. */
export interface ConvGeometry {
  n: number;
  inH: number;
  inW: number;
  inC: number;
  /** Filter height, width and its channel dim as the kernel reads it. */
  fh: number;
  fw: number;
  fc: number;
  outW: number;
  outC: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  padH: number;
  padW: number;
}

const dims4 = (t: GraphTensor | undefined): [number, number, number, number] => {
  const s = t?.shape ?? [];
  return [s[0] ?? 1, s[1] ?? 1, s[2] ?? 1, s[3] ?? 1];
};

/** CONV_2D (filter [O, kH, kW, I]) or DEPTHWISE_CONV_2D (filter [1, kH, kW, C]). */
export function convGeometry(op: GraphOp, tensors: readonly GraphTensor[], depthwise: boolean): ConvGeometry {
  const [n, inH, inW, inC] = dims4(inputOf(op, tensors, 0));
  const [, fh, fw, fc] = dims4(inputOf(op, tensors, 1));
  const [, , outW, outC] = dims4(outputOf(op, tensors));
  const o = depthwise ? builtinOptions(op, 'DepthwiseConv2DOptions') : builtinOptions(op, 'Conv2DOptions');
  const dh = o.dilationHFactor;
  const dw = o.dilationWFactor;
  const padH = paddingFor(o.padding, inH, fh, o.strideH, dh).pad;
  const padW = paddingFor(o.padding, inW, fw, o.strideW, dw).pad;
  return { n, inH, inW, inC, fh, fw, fc, outW, outC, sh: o.strideH, sw: o.strideW, dh, dw, padH, padW };
}

/** MVE im2col of the 1xN conv (arm_convolve_get_buffer_sizes_s8.c:53-82), C integer division. */
function mve1xN(g: ConvGeometry, k: number): number {
  const div = (a: number, b: number): number => Math.trunc(a / b);
  const totalPad = (g.outW - 1) * g.sw + g.fw - g.inW;
  const asym = totalPad % 2;
  const rightN = g.padW + asym !== 0 ? Math.max(1, div(g.padW + asym + g.sw - 1, g.sw)) : 0;
  const leftN = g.padW !== 0 ? Math.max(1, div(g.padW + g.sw - 1, g.sw)) : 0;
  const noPadN = Math.max(g.outW - (rightN + leftN), 0);
  if (rightN + noPadN + leftN !== g.outW) return 64 * ceilDiv(k, 16);
  const padL = g.padW * g.inC;
  const padR = asym ? rightN * g.inC : padL;
  const eL = g.fw * g.inC;
  return Math.max(eL + padL, eL - g.inC + padR);
}

/** arm_convolve_wrapper_s8_get_buffer_size (int8 input, int8 or int4 filter). */
export function convS8Buffer(g: ConvGeometry, isa: CoreIsa): number {
  const k = g.fw * g.fh * g.inC;
  const dil1 = g.dw === 1 && g.dh === 1;
  const is1x1 = g.padW === 0 && g.padH === 0 && g.fw === 1 && g.fh === 1 && dil1 && g.inC === g.fc;
  if (is1x1) return 0; // the fast 1x1 buffer is 4*Cin only with armclang
  const is1xN = g.inH === 1 && g.dw === 1 && g.fh === 1 && (g.sw * g.inC) % 4 === 0 && g.inC === g.fc;
  if (isa === 'mve') return is1xN ? mve1xN(g, k) : 64 * ceilDiv(k, 16);
  return 4 * align4(k);
}

/** arm_convolve_wrapper_s16_get_buffer_size: no special cases. */
export const convS16Buffer = (g: ConvGeometry, isa: CoreIsa): number => {
  const k = g.fw * g.fh * g.inC;
  return isa === 'mve' ? 64 * ceilDiv(k, 8) : 4 * k;
};

/** arm_depthwise_conv_wrapper_s8/s4_get_buffer_size, with the dims TFLM passes (filter c = Cout). */
export function depthwiseBuffer(g: ConvGeometry, isa: CoreIsa, int4Filter: boolean): number {
  const opt = g.inC === g.outC && g.n === 1 && g.dw === 1 && g.dh === 1;
  const window = g.fw * g.fh;
  if (int4Filter) return opt ? (isa === 'mve' ? 496 * window : 2 * g.inC * window) : 0;
  if (isa === 'none') return 0;
  if (isa === 'dsp') return opt && !(g.fw === 3 && g.fh === 3 && g.padH <= 1 && g.padW <= 1) ? 2 * g.inC * window : 0;
  if (g.inC === 1 && g.outC > 1) {
    // One input channel runs as a conv (GCC threshold Cout > 1). Its 1xN case reads an
    // uninitialized stride in TFLM; modelled as the general size.
    const pointwise = g.fw === 1 && g.fh === 1 && g.padH === 0 && g.padW === 0 && g.dw === 1 && g.dh === 1;
    return (pointwise ? 0 : 64 * ceilDiv(window, 16)) + g.outC * window;
  }
  return opt ? 496 * window : 0;
}

/** arm_transpose_conv_s8_get_buffer_size and _get_reverse_conv_buffer_size: always both requested. */
export function transposeConvS8Buffers(op: GraphOp, tensors: readonly GraphTensor[], isa: CoreIsa): [number, number] {
  const [, , inW, inC] = dims4(inputOf(op, tensors, 2));
  const [cout, fh, fw] = dims4(inputOf(op, tensors, 1));
  const o = builtinOptions(op, 'TransposeConvOptions');
  const [sh, sw] = [o.strideH, o.strideW];
  const rev = sw <= 2 && sh <= 2 && inC > 16; // REVERSE_TCOL_EFFICIENT_THRESHOLD
  if (!rev) return [((inW - 1) * sw + Math.max(fw, sh)) * cout * Math.max(fh, sh) * 4, 0]; // `sh` in the first max, as CMSIS-NN writes it
  const k = fw * fh * inC;
  return [isa === 'mve' ? 64 * ceilDiv(k, 16) : 4 * align4(k), inC * fw * fh * cout];
}
