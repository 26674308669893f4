// ARG_MAX, ARG_MIN (reference_ops::ArgMinMax) and CUMSUM (reference_ops::CumSum)
// as TFLM's arg_min_max.cc and cumsum.cc call them. Both read their axis
// tensor at Eval, so a non-constant axis works.

import { builtinOptions } from '../../graph/op-options.js';
import { multiplyByQuantizedMultiplierSmallerThanOneExp, quantizeMultiplier } from '../fixed-point.js';
import { defineKernel, elementCount, i32, kernelError, requireInput, requireOutput, scaleOf, viewOf, zeroPointOf, type Kernel, type KernelCall } from '../kernel.js';
import { requireSameDtype, requireType, tflmType } from '../tflm-type.js';

/** The axis a one-element axis tensor names, wrapped for `rank`. */
function axisOf(call: KernelCall, rank: number, what: string): number {
  const a = i32(requireInput(call, 1))[0] ?? 0;
  const r = a < 0 ? a + rank : a;
  if (r < 0 || r >= rank) throw kernelError(call, `${what} Invalid axis: ${a}`);
  return r;
}

const split = (shape: readonly number[], axis: number) => ({
  outer: shape.slice(0, axis).reduce((a, b) => a * b, 1),
  depth: shape[axis]!,
  inner: shape.slice(axis + 1).reduce((a, b) => a * b, 1),
});

// ---- ARG_MAX, ARG_MIN -----------------------------------------------------------------

// No Prepare in TFLM: its Eval takes int32 axes, int32 outputs, float32 and int8 inputs.
const argMinMax = (max: boolean) =>
  defineKernel<null>({
    prepare(call) {
      const input = requireInput(call, 0);
      const output = requireOutput(call, 0);
      requireType(call, requireInput(call, 1), ['int32'], 'Axis type', 'Invoke');
      if (output.tensor.dtype !== 'int32') throw kernelError(call, `Only int32_t are supported currently, got ${tflmType(output.tensor.dtype)}. (TFLM refuses it at Invoke)`);
      if (input.tensor.dtype !== 'float32' && input.tensor.dtype !== 'int8') {
        throw kernelError(call, `Only float32, uint8_t and int8_t are supported currently, got ${tflmType(input.tensor.dtype)}. (TFLM refuses it at Invoke)`);
      }
      if (input.tensor.shape.length < 1) throw kernelError(call, 'the input is a scalar');
      return null;
    },
    invoke(call) {
      const input = requireInput(call, 0);
      const x = viewOf(input);
      const out = i32(requireOutput(call, 0));
      const { outer, depth, inner } = split(input.tensor.shape, axisOf(call, input.tensor.shape.length, 'ARG_MIN_MAX'));
      if (out.length !== outer * inner) throw kernelError(call, `the output has ${out.length} elements, the reduction gives ${outer * inner}`);
      const float = input.tensor.dtype === 'float32';
      for (let o = 0; o < outer; o++) {
        for (let k = 0; k < inner; k++) {
          let best = x[o * depth * inner + k]!;
          let at = 0;
          for (let i = 1; i < depth; i++) {
            const v = x[(o * depth + i) * inner + k]!;
            // Floats: a NaN candidate never wins, a NaN current always loses.
            const wins = float ? !Number.isNaN(v) && (Number.isNaN(best) || (max ? v > best : v < best)) : max ? v > best : v < best;
            if (wins) {
              best = v;
              at = i;
            }
          }
          out[o * inner + k] = at;
        }
      }
    },
  });

// ---- CUMSUM -----------------------------------------------------------------------------

interface CumsumState {
  exclusive: boolean;
  reverse: boolean;
  /** int8: input offset, multipliers and shifts (QuantizeMultiplierSmallerThanOneExp), output offset. */
  q: { inputOffset: number; outputOffset: number; inMul: number; inShift: number; outMul: number; outShift: number } | null;
}

/** kCumSumIntegerShift: inputs are shifted left by 20 before rescaling. */
const LEFT_SHIFT = 20;

const CUMSUM = defineKernel<CumsumState>({
  prepare(call) {
    const input = requireInput(call, 0);
    const axis = requireInput(call, 1);
    const output = requireOutput(call, 0);
    requireType(call, input, ['float32', 'int8']);
    requireType(call, axis, ['int32'], 'Axis type');
    if (elementCount(axis) !== 1) throw kernelError(call, 'the axis must have one element');
    if (input.tensor.shape.length < 1) throw kernelError(call, 'the input is a scalar');
    requireSameDtype(call, input, output);
    if (input.tensor.shape.join() !== output.tensor.shape.join()) throw kernelError(call, 'input and output shapes differ');
    const { exclusive, reverse } = builtinOptions(call.op, 'CumsumOptions');
    let q: CumsumState['q'] = null;
    if (input.tensor.dtype === 'int8') {
      // In double, from the float32 scales: input / (2 * input) and 2 * input / (2^20 * output).
      const inScale = scaleOf(input);
      const twice = 2 * inScale;
      const i = quantizeMultiplier(inScale / twice);
      const o = quantizeMultiplier(twice / ((1 << LEFT_SHIFT) * scaleOf(output)));
      // QuantizeMultiplierSmallerThanOneExp: TFLM only DCHECKs that the real multiplier is below 1.
      if (o.shift > 0) throw kernelError(call, 'the output scale is too small for the input scale (the output multiplier is not below 1)');
      const [inMul, inShift, outMul, outShift] = [i.multiplier, i.shift, o.multiplier, o.shift];
      q = { inputOffset: -zeroPointOf(input), outputOffset: zeroPointOf(output), inMul, inShift, outMul, outShift };
    }
    return { exclusive, reverse, q };
  },
  invoke(call, s) {
    const input = requireInput(call, 0);
    const x = viewOf(input);
    const out = viewOf(requireOutput(call, 0));
    const shape = input.tensor.shape;
    const { outer, depth, inner } = split(shape, axisOf(call, shape.length, 'CUMSUM'));
    const q = s.q;
    const scale = (v: number) => multiplyByQuantizedMultiplierSmallerThanOneExp(v, q!.inMul, q!.inShift);
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < inner; k++) {
        // int8: the accumulator starts at the rescaled input offset, as TFLM's does.
        let acc = q ? scale((q.inputOffset * (1 << LEFT_SHIFT)) | 0) : 0;
        for (let d = 0; d < depth; d++) {
          const i = (o * depth + (s.reverse ? depth - 1 - d : d)) * inner + k;
          if (!q) {
            if (s.exclusive) {
              out[i] = acc;
              acc = Math.fround(acc + x[i]!);
            } else {
              acc = Math.fround(acc + x[i]!);
              out[i] = acc;
            }
            continue;
          }
          const y = scale(((q.inputOffset + x[i]!) * (1 << LEFT_SHIFT)) | 0);
          let sum: number;
          if (s.exclusive) {
            sum = acc;
            acc = (acc + y) | 0;
          } else {
            acc = (acc + y) | 0;
            sum = acc;
          }
          const v = multiplyByQuantizedMultiplierSmallerThanOneExp(sum, q.outMul, q.outShift) + q.outputOffset;
          out[i] = v < -128 ? -128 : v > 127 ? 127 : v;
        }
      }
    }
  },
});

export const kernels: Record<string, Kernel<any>> = { ARG_MAX: argMinMax(true), ARG_MIN: argMinMax(false), CUMSUM };
