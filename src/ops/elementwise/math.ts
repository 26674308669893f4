// Element-wise math of TFLM's reference kernels: elementwise.cc (ABS, SIN, COS,
// LOG, SQRT, RSQRT, SQUARE, LOGICAL_NOT), neg.cc, floor.cc, ceil.cc, round.cc,
// exp.cc, cast.cc and zeros_like.cc. Float paths call the C library in float
// (libm.ts); ABS and RSQRT have integer paths of their own.

import { tflmType } from '../tflm-type.js';
import { clampInt, defineKernel, elementCount, kernelError, requireInput, requireOutput, requireQuantized, scaleOf, viewOf, zeroPointOf, type Kernel, type KernelCall, type TensorData } from '../kernel.js';
import { expf, multiplyByQuantizedMultiplier, quantizeMultiplier } from '../fixed-point.js';
import { getInvSqrtQuantizedMultiplierExp } from './gemmlowp.js';
import { cosf, logf, sinf } from './libm.js';
import { unaryInvoke, unaryState, type UnaryState } from './unary.js';

const fr = Math.fround;

/** TfLiteType's name and number, as TFLM's messages print a type. */
export const tfliteType = tflmType;

/** One input, one output of the same type and element count (TF_LITE_ENSURE_TYPES_EQ), the type among `types`. */
export function sameTypeUnary(call: KernelCall, types: readonly string[]): [TensorData, TensorData] {
  const input = requireInput(call, 0);
  const output = requireOutput(call, 0);
  const t = input.tensor.dtype;
  if (output.tensor.dtype !== t) throw kernelError(call, `input type ${tfliteType(t)} != output type ${tfliteType(output.tensor.dtype)}`);
  if (!types.includes(t)) throw kernelError(call, `Input data type ${tfliteType(t)} is not supported.`);
  if (elementCount(input) !== elementCount(output)) throw kernelError(call, 'input and output sizes differ');
  return [input, output];
}

/** A float32-only element-wise kernel of fn. */
const floatUnary = (fn: (x: number) => number): Kernel<UnaryState> =>
  defineKernel<UnaryState>({
    prepare(call) {
      sameTypeUnary(call, ['float32']);
      return { table: null, fn };
    },
    invoke: unaryInvoke,
  });

/** True when a tensor has no quantization parameters (TFLM's kTfLiteNoQuantization). */
const unquantized = (d: TensorData) => !d.tensor.quantization || d.tensor.quantization.scale.length === 0;

const RANGE: Record<string, [number, number]> = { int8: [-128, 127], int16: [-32768, 32767] };

/** elementwise.cc PrepareAbsRsqrt's quantized checks: affine parameters on both sides, zero points of 0 for int16. */
function absRsqrtParams(call: KernelCall, input: TensorData, output: TensorData): { inZp: number; outZp: number; inScale: number; outScale: number } {
  requireQuantized(call, input, 'input');
  requireQuantized(call, output, 'output');
  const inZp = zeroPointOf(input);
  const outZp = zeroPointOf(output);
  if (input.tensor.dtype === 'int16' && (inZp !== 0 || outZp !== 0)) throw kernelError(call, 'int16 needs zero points of 0');
  return { inZp, outZp, inScale: fr(scaleOf(input)), outScale: fr(scaleOf(output)) };
}

const ABS = defineKernel<UnaryState>({
  prepare(call) {
    const [input, output] = sameTypeUnary(call, ['float32', 'int8', 'int16']);
    const t = input.tensor.dtype;
    if (t === 'float32') return { table: null, fn: Math.abs };
    // int16 without quantization: std::abs on the promoted value, stored back to int16.
    if (t === 'int16' && unquantized(input)) return { table: null, fn: (v) => (Math.abs(v) << 16) >> 16 };
    const { inZp, outZp, inScale, outScale } = absRsqrtParams(call, input, output);
    const [lo, hi] = RANGE[t]!;
    if (inScale === outScale) return unaryState(t, t, (v) => clampInt(Math.abs(v - inZp) + outZp, lo, hi));
    const m = quantizeMultiplier(fr(inScale / outScale));
    return unaryState(t, t, (v) => clampInt((multiplyByQuantizedMultiplier(Math.abs(v - inZp), m.multiplier, m.shift) + outZp) | 0, lo, hi));
  },
  invoke: unaryInvoke,
});

/** RSQRT's state: float fn, or the int8 table with the input offset, below which TFLM's Eval fails. */
interface RsqrtState extends UnaryState {
  inZp: number;
}

const RSQRT = defineKernel<RsqrtState>({
  prepare(call) {
    // IsRsqrtSupportedType: float32 and int8 (Eval's int16 case is unreachable).
    const [input, output] = sameTypeUnary(call, ['float32', 'int8']);
    if (input.tensor.dtype === 'float32') return { table: null, fn: (v) => fr(1 / fr(Math.sqrt(v))), inZp: 0 };
    const { inZp, outZp, inScale, outScale } = absRsqrtParams(call, input, output);
    // SetRsqrtOutputMultiplier: 1 / double(sqrtf(input scale) * output scale)
    const m = quantizeMultiplier(1 / fr(fr(Math.sqrt(inScale)) * outScale));
    const kShift = 20;
    const state = unaryState('int8', 'int8', (v) => {
      const value = v - inZp;
      if (value < 0) return 0; // refused at invoke
      if (value === 0) return 127;
      const [mul, shift] = getInvSqrtQuantizedMultiplierExp(value, -1);
      const data = multiplyByQuantizedMultiplier(1, mul, shift + kShift);
      return clampInt((multiplyByQuantizedMultiplier(data, m.multiplier, m.shift - kShift) + outZp) | 0, -128, 127);
    });
    return { ...state, inZp };
  },
  invoke(call, s) {
    if (s.table) {
      const I = viewOf(requireInput(call, 0));
      for (let i = 0; i < I.length; i++) {
        if (I[i]! < s.inZp) throw kernelError(call, 'Rsqrt is only defined for positive values');
      }
    }
    unaryInvoke(call, s);
  },
});

/** reference_ops::RoundToNearest: floor, then half to even by the parity of (int)floor. */
function roundToNearest(v: number): number {
  const floorVal = Math.floor(v);
  const diff = fr(v - floorVal);
  // (int)floor on x86-64: cvttss2si gives INT32_MIN (even) out of range.
  const asInt = floorVal >= -2147483648 && floorVal < 2147483648 ? floorVal : -2147483648;
  if (diff < 0.5 || (diff === 0.5 && asInt % 2 === 0)) return floorVal;
  return fr(floorVal + 1);
}

const LOGICAL_NOT = defineKernel<UnaryState>({
  prepare(call) {
    sameTypeUnary(call, ['bool']);
    return { table: null, fn: (v) => (v ? 0 : 1) };
  },
  invoke: unaryInvoke,
});

// ---- CAST -------------------------------------------------------------------------

const CAST_FROM = ['int8', 'int16', 'int32', 'uint32', 'float32', 'bool'];
const CAST_TO = ['int8', 'int16', 'int32', 'uint32', 'float32'];

/** Typed views CAST reads and writes (uint32 included, which viewOf lacks). */
function castView(d: TensorData): Int8Array | Uint8Array | Int16Array | Int32Array | Uint32Array | Float32Array {
  if (d.tensor.dtype !== 'uint32') return viewOf(d);
  const b = d.bytes;
  if (b.byteOffset % 4 === 0) return new Uint32Array(b.buffer, b.byteOffset, b.byteLength >> 2);
  const copy = new Uint32Array(b.byteLength >> 2);
  new Uint8Array(copy.buffer).set(b);
  return copy;
}

/** static_cast<To>(float) as x86-64 code does it: truncation (cvttss2si), then the low bits. */
function floatTo(to: string): (v: number) => number {
  const trunc32 = (v: number) => (v >= -2147483648 && v < 2147483648 ? Math.trunc(v) : -2147483648);
  switch (to) {
    case 'uint32':
      // Through a 64-bit conversion: INT64_MIN (low bits 0) out of range.
      return (v) => {
        if (!(v > -9223372036854775808 && v < 9223372036854775808)) return 0;
        const r = Math.trunc(v) % 4294967296; // exact: an integral double
        return r < 0 ? r + 4294967296 : r;
      };
    case 'float32':
      return (v) => v;
    default:
      return trunc32;
  }
}

const CAST = defineKernel<{ fn: (v: number) => number }>({
  prepare(call) {
    const input = requireInput(call, 0);
    const output = requireOutput(call, 0);
    const from = input.tensor.dtype;
    const to = output.tensor.dtype;
    // CastPrepare checks nothing; CastEval refuses these types.
    if (!CAST_FROM.includes(from)) throw kernelError(call, `Input type ${tfliteType(from)} not supported.`);
    if (!CAST_TO.includes(to)) throw kernelError(call, `Output type ${tfliteType(to)} not supported.`);
    if (elementCount(input) !== elementCount(output)) throw kernelError(call, 'input and output sizes differ');
    if (from === 'float32') return { fn: floatTo(to) };
    if (to === 'float32') return { fn: fr }; // int -> float rounds to nearest; bool is 0/1
    return { fn: (v) => v }; // the typed array's store wraps to the output's width
  },
  invoke(call, s) {
    const I = castView(requireInput(call, 0));
    const O = castView(requireOutput(call, 0));
    const n = Math.min(I.length, O.length);
    const fn = s.fn;
    if (requireInput(call, 0).tensor.dtype === 'bool') {
      for (let i = 0; i < n; i++) O[i] = I[i] ? 1 : 0;
      return;
    }
    for (let i = 0; i < n; i++) O[i] = fn(I[i]!);
  },
});

// ---- ZEROS_LIKE ---------------------------------------------------------------------

const ZEROS_LIKE_TYPES: Record<string, number> = { int64: 8, int32: 4, int8: 1, float32: 4 };

const ZEROS_LIKE = defineKernel<{ bytes: number }>({
  prepare(call) {
    const input = requireInput(call, 0);
    const output = requireOutput(call, 0);
    const size = ZEROS_LIKE_TYPES[input.tensor.dtype];
    if (size === undefined) {
      throw kernelError(call, `ZerosLike only currently supports int64, int32, and float32, got ${tfliteType(input.tensor.dtype).replace(/.* \((\d+)\)$/, '$1')}.`);
    }
    if (elementCount(input) !== elementCount(output)) throw kernelError(call, 'input and output sizes differ');
    return { bytes: size * elementCount(input) };
  },
  invoke(call, s) {
    const out = requireOutput(call, 0).bytes;
    out.fill(0, 0, Math.min(s.bytes, out.length));
  },
});

export const kernels: Record<string, Kernel<any>> = {
  ABS,
  NEG: floatUnary((v) => -v),
  SQRT: floatUnary((v) => fr(Math.sqrt(v))), // sqrtf: correctly rounded, as the double root rounded to float is
  RSQRT,
  SQUARE: floatUnary((v) => fr(v * v)),
  EXP: floatUnary(expf),
  LOG: floatUnary(logf),
  SIN: floatUnary(sinf),
  COS: floatUnary(cosf),
  FLOOR: floatUnary(Math.floor),
  CEIL: floatUnary(Math.ceil),
  ROUND: floatUnary(roundToNearest),
  LOGICAL_NOT,
  CAST,
  ZEROS_LIKE,
};
