// RELU, RELU6, LOGISTIC and HARD_SWISH, transcribed from TFLM's reference
// kernels (activations*.cc, logistic*.cc, hard_swish*.cc and the
// reference/integer_ops headers they call).

import { clampInt, defineKernel, kernelError, requireQuantized, scaleOf, zeroPointOf, type Kernel } from '../kernel.js';
import {
  expf,
  fixedLogistic,
  frexp,
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  roundHalfAway,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul16,
} from '../fixed-point.js';
import { logisticInt16 } from './nonlinear.js';
import { checkUnary, unaryInvoke, unaryState, type UnaryState } from './unary.js';

const RELU = defineKernel<UnaryState>({
  prepare(call) {
    const [input, output] = checkUnary(call, ['float32', 'int8', 'int16']);
    const t = input.tensor.dtype;
    if (t === 'float32') return { table: null, fn: (v) => (v < 0 ? 0 : v) };
    requireQuantized(call, input, 'input');
    requireQuantized(call, output, 'output');
    // activations_common.cc CalculateReluOpData
    const [tmin, tmax] = t === 'int8' ? [-128, 127] : [-32768, 32767];
    const inZp = zeroPointOf(input);
    const outZp = zeroPointOf(output);
    if (t === 'int16' && (inZp !== 0 || outZp !== 0)) throw kernelError(call, 'int16 RELU needs zero points of 0');
    const m = quantizeMultiplier(Math.fround(scaleOf(input) / scaleOf(output)));
    const qmin = Math.max(tmin, outZp + roundHalfAway(Math.fround(0 / scaleOf(output))));
    const qmax = tmax;
    return unaryState(t, t, (v) => clampInt(outZp + multiplyByQuantizedMultiplier(v - inZp, m.multiplier, m.shift), qmin, qmax));
  },
  invoke: unaryInvoke,
});

const RELU6 = defineKernel<UnaryState>({
  prepare(call) {
    const [input] = checkUnary(call, ['float32', 'int8', 'int16']);
    const t = input.tensor.dtype;
    if (t === 'float32') return { table: null, fn: (v) => (v > 6 ? 6 : v < 0 ? 0 : v) };
    requireQuantized(call, input, 'input');
    // activations_common.cc Relu6Prepare: FloatToQuantizedType(6.0f, scale, zero_point)
    const [tmin, tmax] = t === 'int8' ? [-128, 127] : [-32768, 32767];
    const zero = zeroPointOf(input);
    const six = clampInt(roundHalfAway(Math.fround(6 / scaleOf(input))) + zero, tmin, tmax);
    return unaryState(t, t, (v) => (v > six ? six : v < zero ? zero : v));
  },
  invoke: unaryInvoke,
});

const LOGISTIC_CUTOFF_UPPER = Math.fround(16.619047164916992188);

/** reference_ops::Logistic<float> with glibc's expf. */
export function logisticFloat(v: number): number {
  if (v > LOGISTIC_CUTOFF_UPPER) return 1;
  if (v < -9) return expf(v);
  return Math.fround(1 / Math.fround(1 + expf(-v)));
}

const LOGISTIC = defineKernel<UnaryState>({
  prepare(call) {
    const [input, output] = checkUnary(call, ['float32', 'int8', 'int16']);
    const t = input.tensor.dtype;
    if (t === 'float32') return { table: null, fn: logisticFloat };
    requireQuantized(call, input, 'input');
    requireQuantized(call, output, 'output');
    if (t === 'int16') return unaryState('int16', 'int16', logisticInt16(call, input, output));
    if (zeroPointOf(output) !== -128) throw kernelError(call, 'int8 LOGISTIC needs an output zero point of -128');
    // logistic_common.cc CalculateArithmeticOpDataLogistic (kInputIntegerBits = 4)
    const inputZeroPoint = zeroPointOf(input);
    const inputRealMultiplier = scaleOf(input) * 2 ** 27;
    const [q, leftShift] = frexp(inputRealMultiplier);
    let inputMultiplier = roundHalfAway(q * 2 ** 31);
    if (inputMultiplier >= 2 ** 31) inputMultiplier = -2147483648; // int32 conversion as on the oracle host
    const inputRangeRadius = Math.floor((15 * 2 ** 27) / 2 ** leftShift);
    // reference_integer_ops::Logistic (int8)
    return unaryState('int8', 'int8', (x) => {
      const v = x - inputZeroPoint;
      if (v <= -inputRangeRadius) return -128;
      if (v >= inputRangeRadius) return 127;
      const inQ4 = multiplyByQuantizedMultiplier(v, inputMultiplier, leftShift);
      const outQ0 = fixedLogistic(inQ4, 4);
      return clampInt(roundingDivideByPOT(outQ0, 23) - 128, -128, 127);
    });
  },
  invoke: unaryInvoke,
});

/** reference_ops::SaturatingLeftShift (int16). */
const saturatingLeftShift16 = (v: number, amount: number) => clampInt(v * 2 ** amount, -32768, 32767);
/** reference_ops::SaturatingDoublingHighMul (int16, truncating). */
const saturatingDoublingHighMul16 = (a: number, b: number) =>
  a === -32768 && b === -32768 ? 32767 : (Math.trunc((a * b) / 32768) << 16) >> 16;
const toInt16 = (v: number) => (v << 16) >> 16;

const HARD_SWISH = defineKernel<UnaryState>({
  prepare(call) {
    const [input, output] = checkUnary(call, ['float32', 'int8']);
    const t = input.tensor.dtype;
    if (t === 'float32') {
      return {
        table: null,
        fn: (x) => {
          const p = Math.fround(x + 3);
          const r = 0 < p ? p : 0;
          const m = r < 6 ? r : 6;
          return Math.fround(Math.fround(x * m) / 6);
        },
      };
    }
    requireQuantized(call, input, 'input');
    requireQuantized(call, output, 'output');
    // hard_swish_common.cc HardSwishPrepare
    const inputZeroPoint = zeroPointOf(input);
    const outputZeroPoint = zeroPointOf(output);
    const hiresInputScale = Math.fround(Math.fround(1 / 128) * scaleOf(input));
    const reluishScale = Math.fround(3 / 32768);
    const om = quantizeMultiplier(Math.fround(hiresInputScale / scaleOf(output)));
    const outputMultiplierExponent = om.shift;
    const outputMultiplier16 = downScaleInt32ToInt16Multiplier(om.multiplier);
    if (outputMultiplierExponent > 0) throw kernelError(call, 'HARD_SWISH output multiplier exponent is positive');
    const rm = quantizeMultiplier(Math.fround(hiresInputScale / reluishScale));
    const reluishExponent = rm.shift;
    const reluishMultiplier16 = downScaleInt32ToInt16Multiplier(rm.multiplier);
    // reference_ops::HardSwish<int8_t>
    return unaryState('int8', 'int8', (x) => {
      const inputValue = toInt16(x - inputZeroPoint);
      const hires = toInt16(inputValue * 128);
      const preshiftOutputScale = saturatingRoundingDoublingHighMul16(hires, outputMultiplier16);
      let reluish = hires;
      if (reluishExponent > 0) reluish = saturatingLeftShift16(reluish, reluishExponent - 1);
      reluish = saturatingRoundingDoublingHighMul16(reluish, reluishMultiplier16);
      if (reluishExponent > 0) reluish = saturatingLeftShift16(reluish, 1);
      if (reluishExponent < 0) reluish = toInt16(roundingDivideByPOT(reluish, -reluishExponent));
      reluish = toInt16((reluish + 32768) >> 1);
      const preshiftOutput = saturatingDoublingHighMul16(reluish, preshiftOutputScale);
      let outputValue = toInt16(roundingDivideByPOT(preshiftOutput, -outputMultiplierExponent));
      outputValue = toInt16(outputValue + outputZeroPoint);
      return clampInt(outputValue, -128, 127);
    });
  },
  invoke: unaryInvoke,
});

/** tflite DownScaleInt32ToInt16Multiplier. */
function downScaleInt32ToInt16Multiplier(m: number): number {
  if (m >= 2147483647 - 32768) return 32767;
  return toInt16((m + 32768) >> 16);
}

export const kernels: Record<string, Kernel<any>> = { RELU, RELU6, LOGISTIC, HARD_SWISH };
