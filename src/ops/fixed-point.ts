// Integer arithmetic of TFLM's reference kernels (gemmlowp-style double
// rounding: TFLM builds without TFLITE_SINGLE_ROUNDING), exact in JavaScript.
// Products of two int32 values exceed 2^53, so they are split into parts that
// float64 holds exactly; no BigInt on the hot path.

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const TWO_15 = 32768;
const TWO_31 = 2147483648;

/** gemmlowp SaturatingRoundingDoublingHighMul: (a*b + nudge) / 2^31, truncated toward zero. */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const ab = a * b;
  // |a*b| < 2^52: the product and the nudged sum are exact doubles.
  if (ab > -4503599627370496 && ab < 4503599627370496) {
    const v = ab + (ab >= 0 ? 1073741824 : 1 - 1073741824);
    return (v / TWO_31) | 0;
  }
  // Exact: a*b + nudge = t1 * 2^16 + t2, with t1 = a*bh and t2 = a*bl + nudge.
  const bh = b >> 16;
  const bl = b & 0xffff;
  const t1 = a * bh;
  const nudge = ab >= 0 ? 1073741824 : 1 - 1073741824;
  const t2 = a * bl + nudge;
  const q1 = Math.floor(t1 / TWO_15);
  const r1 = t1 - q1 * TWO_15;
  const s = r1 * 65536 + t2;
  const fl = q1 + Math.floor(s / TWO_31);
  const exact = s - Math.floor(s / TWO_31) * TWO_31 === 0;
  return (fl < 0 && !exact ? fl + 1 : fl) | 0;
}

/** gemmlowp RoundingDivideByPOT: x / 2^exponent, rounding half away from zero. */
export function roundingDivideByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  const mask = exponent >= 31 ? 0x7fffffff : (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/** tflite::MultiplyByQuantizedMultiplier(int32 x, int32 multiplier, int shift). */
export function multiplyByQuantizedMultiplier(x: number, multiplier: number, shift: number): number {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(left ? Math.imul(x, 1 << left) : x, multiplier), right);
}

/** tflite::MultiplyByQuantizedMultiplierSmallerThanOneExp (shift <= 0). */
export function multiplyByQuantizedMultiplierSmallerThanOneExp(x: number, multiplier: number, leftShift: number): number {
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(x, multiplier), -leftShift);
}

/** tflite::MultiplyByQuantizedMultiplierGreaterThanOne (shift >= 0). */
export function multiplyByQuantizedMultiplierGreaterThanOne(x: number, multiplier: number, leftShift: number): number {
  return saturatingRoundingDoublingHighMul(Math.imul(x, 1 << leftShift), multiplier);
}

export interface QuantizedMultiplier {
  multiplier: number;
  shift: number;
}

/** C's frexp: x = m * 2^e with 0.5 <= |m| < 1. */
export function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  let e = Math.max(-1073, Math.floor(Math.log2(Math.abs(x))) + 1);
  let m = x * 2 ** -e;
  // log2 can be off by one near powers of two; fix up so |m| is in [0.5, 1).
  while (Math.abs(m) < 0.5) {
    m *= 2;
    e--;
  }
  while (Math.abs(m) >= 1) {
    m /= 2;
    e++;
  }
  return [m, e];
}

/** std::round: half away from zero. */
export const roundHalfAway = (x: number): number => (x < 0 ? -Math.round(-x) : Math.round(x));

/** tflite::QuantizeMultiplier(double) as built without TFLITE_SINGLE_ROUNDING / TFLITE_EMULATE_FLOAT. */
export function quantizeMultiplier(real: number): QuantizedMultiplier {
  if (real === 0) return { multiplier: 0, shift: 0 };
  const [q, e] = frexp(real);
  let shift = e;
  let fixed = roundHalfAway(q * TWO_31);
  if (fixed === TWO_31) {
    fixed /= 2;
    shift++;
  }
  if (shift < -31) return { multiplier: 0, shift: 0 };
  return { multiplier: fixed, shift };
}

/** Saturate to a closed integer range. */
export const clamp = (x: number, lo: number, hi: number): number => (x < lo ? lo : x > hi ? hi : x);

// ---- gemmlowp fixed-point functions (int32 raw values) ----------------------

/** gemmlowp SaturatingRoundingMultiplyByPOT<exponent> on an int32 raw value. */
export function saturatingRoundingMultiplyByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  if (exponent < 0) return roundingDivideByPOT(x, -exponent);
  const threshold = (1 << (31 - exponent)) - 1;
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return x << exponent;
}

/** gemmlowp exp_on_interval_between_negative_one_quarter_and_0_excl (Q0.31 in, Q0.31 out). */
function expOnIntervalNegQuarterTo0(a: number): number {
  const constantTerm = 1895147668; // exp(-1/8)
  const constant1Over3 = 715827883;
  const x = (a + (1 << 28)) | 0;
  const x2 = saturatingRoundingDoublingHighMul(x, x);
  const x3 = saturatingRoundingDoublingHighMul(x2, x);
  const x4 = saturatingRoundingDoublingHighMul(x2, x2);
  const x4Over4 = roundingDivideByPOT(x4, 2);
  const poly = roundingDivideByPOT((saturatingRoundingDoublingHighMul((x4Over4 + x3) | 0, constant1Over3) + x2) | 0, 1);
  return (constantTerm + saturatingRoundingDoublingHighMul(constantTerm, (x + poly) | 0)) | 0;
}

const EXP_BARREL: readonly [number, number][] = [
  [-2, 1672461947],
  [-1, 1302514674],
  [0, 790015084],
  [1, 290630308],
  [2, 39332535],
  [3, 720401],
  [4, 242],
];

/** gemmlowp exp_on_negative_values: input FixedPoint<int32, integerBits> raw, result Q0.31 raw. */
export function expOnNegativeValues(a: number, integerBits: number): number {
  const fractionalBits = 31 - integerBits;
  const oneQuarter = 1 << (fractionalBits - 2);
  const mask = oneQuarter - 1;
  const aModQuarterMinusOneQuarter = ((a & mask) - oneQuarter) | 0;
  let result = expOnIntervalNegQuarterTo0(saturatingRoundingMultiplyByPOT(aModQuarterMinusOneQuarter, integerBits));
  const remainder = (aModQuarterMinusOneQuarter - a) | 0;
  for (const [exponent, multiplier] of EXP_BARREL) {
    if (integerBits > exponent) {
      const shiftAmount = fractionalBits + exponent;
      if (remainder & (1 << shiftAmount)) result = saturatingRoundingDoublingHighMul(result, multiplier);
    }
  }
  if (integerBits > 5) {
    const clampRaw = -(1 << (36 - integerBits));
    if (a < clampRaw) result = 0;
  }
  if (a === 0) result = INT32_MAX;
  return result;
}

/** gemmlowp RoundingHalfSum for int32. */
function roundingHalfSum(a: number, b: number): number {
  const sum = a + b; // exact in a double
  const sign = sum >= 0 ? 1 : -1;
  return Math.trunc((sum + sign) / 2) | 0;
}

/** gemmlowp one_over_one_plus_x_for_x_in_0_1: Q0.31 in, Q0.31 out. */
export function oneOverOnePlusXForXIn01(a: number): number {
  const halfDenominator = roundingHalfSum(a, INT32_MAX);
  const constant48Over17 = 1515870810;
  const constantNeg32Over17 = -1010580540;
  let x = (constant48Over17 + saturatingRoundingDoublingHighMul(halfDenominator, constantNeg32Over17)) | 0;
  const oneF2 = 1 << 29;
  for (let i = 0; i < 3; i++) {
    const halfDenominatorTimesX = saturatingRoundingDoublingHighMul(halfDenominator, x);
    const oneMinus = (oneF2 - halfDenominatorTimesX) | 0;
    x = (x + saturatingRoundingMultiplyByPOT(saturatingRoundingDoublingHighMul(x, oneMinus), 2)) | 0;
  }
  return saturatingRoundingMultiplyByPOT(x, 1);
}

/** gemmlowp logistic: input FixedPoint<int32, integerBits> raw, result Q0.31 raw. */
export function fixedLogistic(a: number, integerBits: number): number {
  if (a === 0) return 1 << 30;
  const abs = a > 0 ? a : -a | 0;
  const positive = oneOverOnePlusXForXIn01(expOnNegativeValues(-abs | 0, integerBits));
  return a > 0 ? positive : (INT32_MAX - positive) | 0;
}

/** tflite GetReciprocal (common.h): returns [Q0.31 reciprocal raw, num_bits_over_unit]. */
export function getReciprocal(x: number, xIntegerDigits: number): [number, number] {
  const headroomPlusOne = Math.clz32(x);
  const numBitsOverUnit = xIntegerDigits - headroomPlusOne;
  const shiftedSumMinusOne = ((x << headroomPlusOne) - 0x80000000) | 0;
  return [oneOverOnePlusXForXIn01(shiftedSumMinusOne), numBitsOverUnit];
}

/** gemmlowp SaturatingRoundingDoublingHighMul for int16. */
export function saturatingRoundingDoublingHighMul16(a: number, b: number): number {
  if (a === -32768 && b === -32768) return 32767;
  const ab = a * b;
  const nudge = ab >= 0 ? 1 << 14 : 1 - (1 << 14);
  return ((Math.trunc((ab + nudge) / 32768) << 16) >> 16);
}

// ---- C library float functions ----------------------------------------------

// glibc's expf (sysdeps/ieee754/flt-32/e_expf.c, the algorithm the x86-64 host
// build of TFLM calls for std::exp(float)): 2^(k/32) from a table times a cubic.
const EXP2F_TAB: Float64Array = (() => {
  const bits = [
    0x3ff0000000000000n, 0x3fefd9b0d3158574n, 0x3fefb5586cf9890fn, 0x3fef9301d0125b51n,
    0x3fef72b83c7d517bn, 0x3fef54873168b9aan, 0x3fef387a6e756238n, 0x3fef1e9df51fdee1n,
    0x3fef06fe0a31b715n, 0x3feef1a7373aa9cbn, 0x3feedea64c123422n, 0x3feece086061892dn,
    0x3feebfdad5362a27n, 0x3feeb42b569d4f82n, 0x3feeab07dd485429n, 0x3feea47eb03a5585n,
    0x3feea09e667f3bcdn, 0x3fee9f75e8ec5f74n, 0x3feea11473eb0187n, 0x3feea589994cce13n,
    0x3feeace5422aa0dbn, 0x3feeb737b0cdc5e5n, 0x3feec49182a3f090n, 0x3feed503b23e255dn,
    0x3feee89f995ad3adn, 0x3feeff76f2fb5e47n, 0x3fef199bdd85529cn, 0x3fef3720dcef9069n,
    0x3fef5818dcfba487n, 0x3fef7c97337b9b5fn, 0x3fefa4afa2a490dan, 0x3fefd0765b6e4540n,
  ];
  // tab[i] holds bits(2^(i/32)) - (i << 47); undo the pre-subtraction.
  const u = new BigUint64Array(bits.map((b, i) => b + (BigInt(i) << 47n)));
  return new Float64Array(u.buffer);
})();
const bitsToDouble = (b: bigint): number => new Float64Array(new BigUint64Array([b]).buffer)[0]!;
const EXPF_INVLN2N = bitsToDouble(0x3ff71547652b82fen) * 32;
const EXPF_C0 = bitsToDouble(0x3fac6af84b912394n) / 32 / 32 / 32;
const EXPF_C1 = bitsToDouble(0x3fcebfce50fac4f3n) / 32 / 32;
const EXPF_C2 = bitsToDouble(0x3fe62e42ff0c52d6n) / 32;
const EXPF_SHIFT = 6755399441055744; // 0x1.8p52
const EXPF_OFLOW = 88.72283172607421875; // 0x1.62e42ep6f
const EXPF_UFLOW = -103.972076416015625; // -0x1.9fe368p6f
const POW2 = new Float64Array(320).map((_, i) => 2 ** (i - 160));

/** C expf as glibc computes it, for a float32 argument; returns a float32 value. */
export function expf(x: number): number {
  if (!(x < 88 && x > -88)) {
    if (x === -Infinity) return 0;
    if (Number.isNaN(x) || x === Infinity) return x + x;
    if (x > EXPF_OFLOW) return Infinity;
    if (x < EXPF_UFLOW) return 0;
  }
  const z = EXPF_INVLN2N * x;
  const kd = z + EXPF_SHIFT - EXPF_SHIFT;
  const r = z - kd;
  const k = kd | 0;
  const s = EXP2F_TAB[k & 31]! * POW2[(k >> 5) + 160]!;
  const zz = EXPF_C0 * r + EXPF_C1;
  const r2 = r * r;
  let y = EXPF_C2 * r + 1;
  y = zz * r2 + y;
  y = y * s;
  return Math.fround(y);
}

/**
 * tflite::MultiplyByQuantizedMultiplier(int64 x, ...) without
 * TFLITE_SINGLE_ROUNDING: the multiplier reduced to 16 bits, one rounding
 * shift. Used by the 16x8 kernels with 64-bit accumulators (|x| < 2^47).
 */
export function multiplyByQuantizedMultiplier64(x: number, multiplier: number, shift: number): number {
  const reduced = multiplier < 0x7fff0000 ? (multiplier + 32768) >> 16 : 0x7fff;
  const total = 15 - shift;
  const product = x * reduced;
  if (Math.abs(product) < 2 ** 52) return Math.floor((product + 2 ** (total - 1)) / 2 ** total) | 0;
  // Beyond 2^53 the product is not exact in float64.
  return Number((BigInt(x) * BigInt(reduced) + (1n << BigInt(total - 1))) >> BigInt(total)) | 0;
}
