// ELU, LEAKY_RELU, PRELU, TANH, LOG_SOFTMAX and L2_NORMALIZATION, transcribed
// from TFLM's reference kernels (elu.cc, leaky_relu*.cc, prelu*.cc, tanh.cc,
// log_softmax.cc, l2norm.cc and the reference/integer_ops headers they call),
// and the int16 sigmoid/tanh table interpolation LOGISTIC and TANH share.

import { builtinOptions } from '../../graph/op-options.js';
import { clampInt, defineKernel, elementCount, kernelError, requireInput, requireOutput, scaleOf, viewOf, zeroPointOf, type Kernel, type KernelCall, type TensorData } from '../kernel.js';
import { expf, expOnNegativeValues, frexp, multiplyByQuantizedMultiplier, quantizeMultiplier, roundHalfAway, roundingDivideByPOT } from '../fixed-point.js';
import { binaryInvoke, planBroadcast, tabulate8, type BinaryState } from './binary.js';
import { fixedTanh, getInvSqrtQuantizedMultiplierExp, logXForXGreaterThanOrEqualTo1 } from './gemmlowp.js';
import { expm1f, logf, tanhf } from './libm.js';
import { sameTypeUnary, tfliteType } from './math.js';
import { unaryInvoke, unaryState, type UnaryState } from './unary.js';

const fr = Math.fround;
const RANGE: Record<string, [number, number]> = { int8: [-128, 127], int16: [-32768, 32767] };

// ---- ELU ------------------------------------------------------------------------------

const ELU = defineKernel<UnaryState>({
  prepare(call) {
    const [input, output] = sameTypeUnary(call, ['float32', 'int8']);
    if (input.tensor.dtype === 'float32') return { table: null, fn: (v) => (v < 0 ? expm1f(v) : v) };
    // elu.cc PopulateLookupTable<int8_t>: dequantize, exp(x) - 1 in float, requantize with TfLiteRound.
    const inScale = fr(scaleOf(input));
    const inZp = zeroPointOf(input);
    const outZp = zeroPointOf(output);
    const inverseScale = fr(1 / fr(scaleOf(output)));
    return unaryState('int8', 'int8', (v) => {
      const dequantized = fr(inScale * (v - inZp));
      const transformed = dequantized < 0 ? fr(expf(dequantized) - 1) : dequantized;
      const rescaled = roundHalfAway(fr(transformed * inverseScale));
      return clampInt(cvtt(fr(rescaled + outZp)), -128, 127);
    });
  },
  invoke: unaryInvoke,
});

/** static_cast<int32_t>(float) on x86-64 (cvttss2si: INT32_MIN out of range). */
const cvtt = (v: number): number => (v >= -2147483648 && v < 2147483648 ? Math.trunc(v) : -2147483648);

// ---- LEAKY_RELU ---------------------------------------------------------------------------

const LEAKY_RELU = defineKernel<UnaryState>({
  prepare(call) {
    const [input, output] = sameTypeUnary(call, ['float32', 'int8', 'int16']);
    const alpha = fr(builtinOptions(call.op, 'LeakyReluOptions').alpha);
    const t = input.tensor.dtype;
    if (t === 'float32') return { table: null, fn: (v) => (v > 0 ? v : fr(v * alpha)) };
    // leaky_relu_common.cc CalculateOpDataLeakyRelu: the multipliers from float products.
    const inScale = fr(scaleOf(input));
    const outScale = fr(scaleOf(output));
    const a = quantizeMultiplier(fr(fr(inScale * alpha) / outScale));
    const id = quantizeMultiplier(fr(inScale / outScale));
    const inZp = zeroPointOf(input);
    const outZp = zeroPointOf(output);
    const negative = a.multiplier < 0;
    const safeAlpha = negative ? -a.multiplier : a.multiplier;
    const [lo, hi] = RANGE[t]!;
    // reference_ops::QuantizeLeakyRelu
    return unaryState(t, t, (v) => {
      const x = v - inZp;
      let out = outZp;
      if (x >= 0) out += multiplyByQuantizedMultiplier(x, id.multiplier, id.shift);
      else {
        const scaled = multiplyByQuantizedMultiplier(x, safeAlpha, a.shift);
        out += negative ? -scaled : scaled;
      }
      return clampInt(out | 0, lo, hi);
    });
  },
  invoke: unaryInvoke,
});

// ---- PRELU -------------------------------------------------------------------------------

const PRELU = defineKernel<BinaryState>({
  prepare(call) {
    const input = requireInput(call, 0);
    const alpha = requireInput(call, 1);
    const output = requireOutput(call, 0);
    const t = input.tensor.dtype;
    const plan = planBroadcast(input.tensor.shape, alpha.tensor.shape, output.tensor.shape);
    if (t !== 'float32' && t !== 'int8' && t !== 'int16') throw kernelError(call, `Input type '${tfliteType(t).split(' ')[0]}' is not supported.`);
    // PreluPrepare: an int16 output needs an int8 alpha. Eval reads alpha as the
    // input's type otherwise, and the output as the input's.
    const wantAlpha = t === 'int16' ? 'int8' : t;
    if (alpha.tensor.dtype !== wantAlpha || output.tensor.dtype !== t) {
      throw kernelError(call, `types ${t}, ${alpha.tensor.dtype} -> ${output.tensor.dtype} are not supported (alpha ${wantAlpha}, output ${t})`);
    }
    if (t === 'float32') return { plan, table: null, fn: (x, a) => (x >= 0 ? x : fr(x * a)) };
    // prelu_common.cc CalculatePreluParams: multipliers in double.
    const inScale = scaleOf(input);
    const outScale = scaleOf(output);
    const m1 = quantizeMultiplier(inScale / outScale);
    const m2 = quantizeMultiplier((inScale * scaleOf(alpha)) / outScale);
    const inputOffset = -zeroPointOf(input);
    const alphaOffset = -zeroPointOf(alpha);
    const outputOffset = zeroPointOf(output);
    const [lo, hi] = RANGE[t]!;
    const fn = (x: number, a: number) => {
      const v = inputOffset + x;
      const out =
        v >= 0
          ? multiplyByQuantizedMultiplier(v, m1.multiplier, m1.shift)
          : multiplyByQuantizedMultiplier(Math.imul(v, alphaOffset + a), m2.multiplier, m2.shift);
      return clampInt((out + outputOffset) | 0, lo, hi);
    };
    return t === 'int8' ? { plan, table: tabulate8(fn), fn: null } : { plan, table: null, fn };
  },
  invoke: binaryInvoke,
});

// ---- TANH and int16 LOGISTIC ------------------------------------------------------------

/** sigmoid(i/24) in 0.16 (common.h sigmoid_table_uint16), shared by the int16 LOGISTIC and TANH. */
// prettier-ignore
const SIGMOID_TABLE_UINT16 = new Uint16Array([
  32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149, 40794, 41432, 42064, 42688,
  43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369, 47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409,
  51865, 52311, 52745, 53169, 53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433,
  57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370, 60565, 60753, 60935, 61110,
  61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302, 62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186,
  63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308,
  64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786, 64816, 64845, 64873, 64900,
  64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079, 65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208,
  65221, 65234, 65246, 65258, 65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367,
  65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433, 65438, 65442, 65445, 65449,
  65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474, 65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491,
  65493, 65495, 65497, 65498, 65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513,
  65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524,
  65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530,
  65530, 65530, 65531, 65531, 65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
  65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65535,
]);

const LOG2F_INV = fr(1 / logf(2));

/** tflite CheckedLog2(float): [rounded log2, whether x is a power of two to 1e-3]. */
export function checkedLog2(x: number): [number, boolean] {
  const xLog2 = fr(logf(fr(x)) * LOG2F_INV);
  const rounded = roundHalfAway(xLog2);
  const frac = fr(xLog2 - rounded);
  return [cvtt(rounded), Math.abs(frac) < fr(1e-3)];
}

/**
 * The int16 LOGISTIC / TANH Prepare (logistic_common.cc, tanh.cc): zero
 * points of 0, a power-of-two output scale of 2^-15, and the input multiplier
 * and shift (multiplier 0: a power-of-two input scale).
 */
function int16SigmoidParams(call: KernelCall, input: TensorData, output: TensorData, allowShiftOne: boolean): { multiplier: number; shift: number } {
  if (zeroPointOf(input) !== 0 || zeroPointOf(output) !== 0) throw kernelError(call, 'int16 needs zero points of 0');
  const [inLog2, inPot] = checkedLog2(scaleOf(input));
  let shift = 12 + inLog2;
  let multiplier: number;
  if (inPot && (shift === 0 || (allowShiftOne && shift === 1))) multiplier = 0;
  else {
    let m = scaleOf(input) * 4096 * 3;
    shift = 0;
    while (m <= 32767 / 2 && shift <= 30) {
      shift++;
      m *= 2;
    }
    multiplier = Math.trunc(m);
  }
  const [outLog2, outPot] = checkedLog2(scaleOf(output));
  if (!outPot) throw kernelError(call, 'int16 output scale is not a power of two');
  if (outLog2 !== -15) throw kernelError(call, `int16 output scale 2^${outLog2} is not 2^-15`);
  // Eval: the power-of-two case scales by 3 << shift with no shift.
  return multiplier === 0 ? { multiplier: 3 << shift, shift: 0 } : { multiplier, shift };
}

/** reference_integer_ops::Logistic (int16). */
export function logisticInt16(call: KernelCall, input: TensorData, output: TensorData): (v: number) => number {
  const { multiplier, shift } = int16SigmoidParams(call, input, output, false);
  return logisticInt16Core(multiplier, shift);
}

/** The element function of reference_integer_ops::Logistic (int16), for a multiplier already made non-zero. */
export function logisticInt16Core(multiplier: number, shift: number): (v: number) => number {
  const round = shift > 0 ? 1 << (shift - 1) : 0;
  return (v) => {
    const x = (v * multiplier + round) >> shift;
    const abs = Math.abs(x);
    const uh = abs >>> 9;
    let result: number;
    if (uh >= 255) result = 0x7fff << 10;
    else {
      const ua = SIGMOID_TABLE_UINT16[uh]!;
      const ub = SIGMOID_TABLE_UINT16[uh + 1]!;
      result = ua * 512 + (abs & 0x1ff) * (ub - ua);
    }
    result = x >= 0 ? result + 512 : (1 << 25) - result + 511;
    return ((result >>> 0) >>> 10) << 16 >> 16;
  };
}

/** reference_integer_ops::Tanh (int16). */
function tanhInt16(call: KernelCall, input: TensorData, output: TensorData): (v: number) => number {
  const { multiplier, shift } = int16SigmoidParams(call, input, output, true);
  return tanhInt16Core(multiplier, shift);
}

/** The element function of reference_integer_ops::Tanh (int16), for a multiplier already made non-zero. */
export function tanhInt16Core(multiplier: number, shift: number): (v: number) => number {
  const round = shift > 0 ? 1 << (shift - 1) : 0;
  return (v) => {
    const x = (v * multiplier + round) >> shift;
    const abs = Math.abs(x);
    const uh = abs >>> 8;
    let result: number;
    if (uh >= 255) result = 0xffff << 8;
    else {
      const ua = SIGMOID_TABLE_UINT16[uh]!;
      const ub = SIGMOID_TABLE_UINT16[uh + 1]!;
      result = ua * 256 + (abs & 0xff) * (ub - ua);
    }
    result = x >= 0 ? result - (1 << 23) + (1 << 7) : -result + (1 << 23) + (1 << 7) - 1;
    return (result >> 8) << 16 >> 16;
  };
}

/** The int8 LOGISTIC / TANH input rescale (kInputIntegerBits = 4): multiplier, left shift and range radius. */
export function int8SigmoidParams(inputScale: number): { multiplier: number; shift: number; radius: number } {
  const [q, shift] = frexp(inputScale * 2 ** 27);
  let multiplier = roundHalfAway(q * 2 ** 31);
  if (multiplier >= 2 ** 31) multiplier = -2147483648; // the int32 conversion on the oracle host
  // CalculateInputRadius(4, shift, 31)
  const radius = Math.floor((15 * 2 ** 27) / 2 ** shift);
  return { multiplier, shift, radius };
}

const TANH = defineKernel<UnaryState>({
  prepare(call) {
    const [input, output] = sameTypeUnary(call, ['float32', 'int8', 'int16']);
    const t = input.tensor.dtype;
    if (t === 'float32') return { table: null, fn: tanhf };
    if (t === 'int16') return unaryState('int16', 'int16', tanhInt16(call, input, output));
    const zp = zeroPointOf(input);
    const { multiplier, shift, radius } = int8SigmoidParams(scaleOf(input));
    // reference_integer_ops::Tanh (int8): output in Q0.7, no output zero point.
    return unaryState('int8', 'int8', (v) => {
      const x = v - zp;
      if (x <= -radius) return -128;
      if (x >= radius) return 127;
      const q4 = multiplyByQuantizedMultiplier(x, multiplier, shift);
      return clampInt(roundingDivideByPOT(fixedTanh(q4, 4), 24), -128, 127);
    });
  },
  invoke: unaryInvoke,
});

// ---- LOG_SOFTMAX ------------------------------------------------------------------------

interface RowState {
  depth: number;
  outer: number;
  row: (I: ArrayLike<number>, O: { [i: number]: number }, base: number, depth: number) => void;
}

function rowInvoke(call: KernelCall, s: RowState): void {
  const I = viewOf(requireInput(call, 0));
  const O = viewOf(requireOutput(call, 0));
  for (let i = 0; i < s.outer; i++) s.row(I, O, i * s.depth, s.depth);
}

/** Trailing dimension and the product of the others. */
function rows(d: TensorData): { depth: number; outer: number } {
  const shape = d.tensor.shape;
  const depth = shape.length > 0 ? shape[shape.length - 1]! : 1;
  return { depth, outer: depth === 0 ? 0 : elementCount(d) / depth };
}

/** std::max(a, b) on floats: b only where a < b. */
const fmax = (a: number, b: number) => (a < b ? b : a);

const LOWEST = -3.4028234663852886e38;

const LOG_SOFTMAX = defineKernel<RowState>({
  prepare(call) {
    const input = requireInput(call, 0);
    const output = requireOutput(call, 0);
    const t = input.tensor.dtype;
    if (output.tensor.dtype !== t) throw kernelError(call, `input type ${tfliteType(t)} != output type ${tfliteType(output.tensor.dtype)}`);
    const si = input.tensor.shape;
    const so = output.tensor.shape;
    if (si.length !== so.length || si.some((d, i) => d !== so[i])) throw kernelError(call, 'input and output shapes differ');
    if (t !== 'float32' && t !== 'int8') throw kernelError(call, `LOG_SOFTMAX only supports float32, int8, got ${tfliteType(t).split(' ')[0]}.`);
    const { depth, outer } = rows(input);
    if (t === 'float32') {
      // reference_ops::LogSoftmax (float)
      return {
        depth,
        outer,
        row: (I, O, base, n) => {
          let max = LOWEST;
          for (let c = 0; c < n; c++) max = fmax(max, I[base + c]!);
          let sum = 0;
          for (let c = 0; c < n; c++) sum = fr(sum + expf(fr(I[base + c]! - max)));
          const logSum = logf(sum);
          for (let c = 0; c < n; c++) O[base + c] = fr(fr(I[base + c]! - max) - logSum);
        },
      };
    }
    // log_softmax.cc CalculateOpData (int8): fixed output quantization, PreprocessLogSoftmaxScalingExp.
    if (fr(scaleOf(output)) !== 16 / 256) throw kernelError(call, `int8 output scale ${scaleOf(output)} is not 16/256`);
    if (zeroPointOf(output) !== 127) throw kernelError(call, `int8 output zero point ${zeroPointOf(output)} is not 127`);
    const realMultiplier = Math.min(scaleOf(input) * 2 ** 26, 2 ** 31 - 1);
    const im = quantizeMultiplier(realMultiplier);
    if (im.shift < 0) throw kernelError(call, 'LOG_SOFTMAX input multiplier is below one');
    const inputMultiplier = im.multiplier;
    const inputLeftShift = im.shift;
    const reverse = quantizeMultiplier((1 << (31 - inputLeftShift)) / inputMultiplier);
    if (reverse.shift > 0) throw kernelError(call, 'LOG_SOFTMAX reverse scaling divisor is above one');
    const diffMin = -Math.floor((31 * 2 ** 26) / 2 ** inputLeftShift);
    // reference_ops::LogSoftmaxQuantized<int8_t>
    return {
      depth,
      outer,
      row: (I, O, base, n) => {
        let max = -128;
        for (let c = 0; c < n; c++) max = Math.max(max, I[base + c]!);
        let sumQ12 = 0;
        for (let c = 0; c < n; c++) {
          const diff = I[base + c]! - max;
          if (diff >= diffMin) {
            const q5 = multiplyByQuantizedMultiplier(diff, inputMultiplier, inputLeftShift);
            sumQ12 = (sumQ12 + roundingDivideByPOT(expOnNegativeValues(q5, 5), 12)) | 0;
          }
        }
        const logSumQ5 = logXForXGreaterThanOrEqualTo1(sumQ12, 5, 12);
        const shifted = (logSumQ5 - 2147483648) | 0;
        const adjustedDiffMin = Math.max(diffMin - 1, multiplyByQuantizedMultiplier(shifted, reverse.multiplier, reverse.shift));
        for (let c = 0; c < n; c++) {
          const diff = I[base + c]! - max;
          if (diff > adjustedDiffMin) {
            const q5 = multiplyByQuantizedMultiplier(diff, inputMultiplier, inputLeftShift);
            O[base + c] = clampInt(roundingDivideByPOT((q5 - logSumQ5) | 0, 22) + 127, -128, 127);
          } else O[base + c] = -128;
        }
      },
    };
  },
  invoke: rowInvoke,
});

// ---- L2_NORMALIZATION -----------------------------------------------------------------------

const EPSILON = fr(1e-6);

const L2_NORMALIZATION = defineKernel<RowState>({
  prepare(call) {
    const input = requireInput(call, 0);
    const output = requireOutput(call, 0);
    if (input.tensor.shape.length > 4) throw kernelError(call, `NumDimensions(input) ${input.tensor.shape.length} > 4`);
    const t = output.tensor.dtype;
    if (t !== 'float32' && t !== 'int8') throw kernelError(call, `output type ${tfliteType(t)} is not float32 or int8`);
    if (input.tensor.dtype !== t) throw kernelError(call, `input type ${tfliteType(input.tensor.dtype)} != output type ${tfliteType(t)}`);
    if (builtinOptions(call.op, 'L2NormOptions').fusedActivationFunction !== 0) throw kernelError(call, 'fused activations are not supported (activation must be NONE)');
    if (elementCount(input) !== elementCount(output)) throw kernelError(call, 'input and output sizes differ');
    const { depth, outer } = rows(input);
    if (t === 'float32') {
      // reference_ops::L2Normalization (float), epsilon 1e-6f
      return {
        depth,
        outer,
        row: (I, O, base, n) => {
          let squared = 0;
          for (let c = 0; c < n; c++) {
            const v = I[base + c]!;
            squared = fr(squared + fr(v * v));
          }
          const l2 = fmax(fr(Math.sqrt(squared)), EPSILON);
          for (let c = 0; c < n; c++) O[base + c] = fr(I[base + c]! / l2);
        },
      };
    }
    const zp = zeroPointOf(input);
    // reference_integer_ops::L2Normalization (int8): output in Q0.7.
    return {
      depth,
      outer,
      row: (I, O, base, n) => {
        let acc = 0;
        for (let c = 0; c < n; c++) {
          const v = I[base + c]! - zp;
          acc = (acc + v * v) | 0;
        }
        const [mul, shift] = getInvSqrtQuantizedMultiplierExp(acc, -1);
        for (let c = 0; c < n; c++) O[base + c] = clampInt(multiplyByQuantizedMultiplier(I[base + c]! - zp, mul, shift + 7), -128, 127);
      },
    };
  },
  invoke: rowInvoke,
});

export const kernels: Record<string, Kernel<any>> = { ELU, LEAKY_RELU, PRELU, TANH, LOG_SOFTMAX, L2_NORMALIZATION };
