// The gemmlowp fixed-point functions and tflite common.h helpers that TANH,
// RSQRT, L2_NORMALIZATION and LOG_SOFTMAX call, on int32 raw values, exact in
// JavaScript (built on fixed-point.ts). FixedPoint<int32, N> values are their raw
// int32; "Fn" below names the number of integer bits.

import {
  expOnNegativeValues,
  oneOverOnePlusXForXIn01,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul as mul,
  saturatingRoundingMultiplyByPOT,
} from '../fixed-point.js';

const INT32_MAX = 2147483647;
const INT32_MIN = -2147483648;

/** gemmlowp Rescale<dst>(FixedPoint<src>): a saturating rounding shift by src - dst. */
const rescale = (raw: number, srcBits: number, dstBits: number): number => saturatingRoundingMultiplyByPOT(raw, srcBits - dstBits);

/** tflite GetInvSqrtQuantizedMultiplierExp: [multiplier, shift] of 1/sqrt(input). */
export function getInvSqrtQuantizedMultiplierExp(inputIn: number, reverseShift: number): [number, number] {
  let input = inputIn;
  if (input <= 1) return [INT32_MAX, 0];
  let shift = 11;
  while (input >= 1 << 29) {
    input = Math.trunc(input / 4);
    shift++;
  }
  const maxLeftShiftBits = Math.clz32(input) - 1;
  const leftShiftBitPairs = (maxLeftShiftBits >>> 1) - 1;
  shift -= leftShiftBitPairs;
  input = input << (2 * leftShiftBitPairs);
  // F3 Newton-Raphson from x = 1.
  const fixedInput = input >> 1;
  const halfInput = roundingDivideByPOT(fixedInput, 1);
  const halfThree = (1 << 28) + (1 << 27);
  let x = 1 << 28;
  for (let i = 0; i < 5; i++) {
    const x3 = rescale(mul(mul(x, x), x), 9, 3);
    x = rescale((mul(halfThree, x) - mul(halfInput, x3)) | 0, 6, 3);
  }
  let inv = mul(x, 1518500250); // * sqrt(2)/2
  if (shift < 0) {
    inv = inv << -shift;
    shift = 0;
  }
  return [inv, shift * reverseShift];
}

/** gemmlowp RoundingHalfSum on int32. */
const roundingHalfSum = (a: number, b: number): number => {
  const sum = a + b;
  return Math.trunc((sum + (sum >= 0 ? 1 : -1)) / 2) | 0;
};

/** gemmlowp one_minus_x_over_one_plus_x_for_x_in_0_1 (Q0.31 in and out). */
function oneMinusXOverOnePlusXForXIn01(a: number): number {
  const halfDenominator = roundingHalfSum(a, INT32_MAX); // F0's One
  let x = (1515870810 + mul(halfDenominator, -1010580540)) | 0; // F2: 48/17 - 32/17 * d
  for (let i = 0; i < 3; i++) {
    const hdx = mul(halfDenominator, x);
    const oneMinus = ((1 << 29) - hdx) | 0;
    x = (x + rescale(mul(x, oneMinus), 4, 2)) | 0;
  }
  return rescale((x - (1 << 29)) | 0, 2, 0);
}

/** gemmlowp tanh(FixedPoint<int32, integerBits>) -> Q0.31 raw. */
export function fixedTanh(a: number, integerBits: number): number {
  if (a === 0) return 0;
  const negative = a < 0;
  const n = negative ? a : -a | 0;
  // neg_tanh_on_negative_values: ExactMulByPot<1> adds an integer bit to the same raw value.
  const t = oneMinusXOverOnePlusXForXIn01(expOnNegativeValues(n, integerBits + 1));
  return negative ? -t | 0 : t;
}

/** tflite SaturatingAddNonGemmlowp / SaturatingSub on int32. */
const satAdd = (a: number, b: number): number => Math.max(INT32_MIN, Math.min(INT32_MAX, a + b));
const satSub = (a: number, b: number): number => Math.max(INT32_MIN, Math.min(INT32_MAX, a - b));

/** tflite SaturatingRoundingMultiplyByPOTParam on int32 (exponent may be negative). */
const satPOT = (x: number, exponent: number): number => saturatingRoundingMultiplyByPOT(x, exponent);

/**
 * tflite log_x_for_x_greater_than_or_equal_to_1_impl<outputBits, inputBits>:
 * log of FixedPoint<int32, inputBits>, as FixedPoint<int32, outputBits> raw.
 */
export function logXForXGreaterThanOrEqualTo1(inputRaw: number, outputBits: number, inputBits: number): number {
  const accumBits = outputBits + 1;
  const log2 = 1488522236;
  const sqrtSqrtHalf = 1805811301;
  const sqrtHalf = 1518500250;
  const oneQuarter = 536870912;
  const alphaN = 117049297;
  const alphaD = 127690142;
  const alphaI = 1057819769;
  const alphaF = 638450708;
  const shiftedQuarter = rescale(oneQuarter, 0, accumBits);

  const zA = inputRaw;
  const zAHeadroomPlus1 = Math.clz32(zA);
  const rATmp = satPOT(zA, zAHeadroomPlus1 - 1);
  const rARaw = satPOT(mul(rATmp, sqrtHalf), 1);
  const zAPow2Adj = satAdd(satPOT(inputBits - zAHeadroomPlus1, 31 - accumBits), shiftedQuarter);

  const zB = mul(zA, sqrtHalf);
  const zBHeadroom = Math.clz32(zB) - 1;
  const rBRaw = satPOT(zA, zBHeadroom);
  const zBPow2Adj = satSub(satPOT(inputBits - zBHeadroom, 31 - accumBits), shiftedQuarter);

  const r = Math.min(rARaw, rBRaw);
  const zPow2Adj = Math.max(zAPow2Adj, zBPow2Adj);

  const p = roundingHalfSum(r, sqrtSqrtHalf);
  let q = (r - sqrtSqrtHalf) | 0;
  q = (q + q) | 0;
  const commonSq = mul(q, q);
  const num = (mul(q, r) + mul(mul(q, commonSq), alphaN)) | 0;
  const denomMinusOne0 = (mul(p, (((alphaI + q) | 0) + mul(alphaD, commonSq)) | 0) + mul(alphaF, q)) | 0;
  const recipDenom = oneOverOnePlusXForXIn01(denomMinusOne0);
  const numScaled = rescale(num, 0, accumBits);
  // FixedPointAccum * FixedPoint0 -> FixedPointAccum; the sum, rescaled to outputBits.
  return rescale((mul(zPow2Adj, log2) + mul(numScaled, recipDenom)) | 0, accumBits, outputBits);
}
