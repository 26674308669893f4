// The fixed-point helpers against a BigInt transcription of gemmlowp's definitions.

import { describe, expect, it } from 'vitest';
import {
  frexp,
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
} from '../../src/ops/fixed-point.js';
import { prng } from '../helpers/prng.js';

function refSrdhm(a: number, b: number): number {
  if (a === -2147483648 && b === -2147483648) return 2147483647;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n)); // BigInt division truncates toward zero, like C++
}

function refRdbpot(x: number, e: number): number {
  const mask = (1n << BigInt(e)) - 1n;
  const bx = BigInt(x);
  const rem = bx & mask;
  const threshold = (mask >> 1n) + (bx < 0n ? 1n : 0n);
  return Number((bx >> BigInt(e)) + (rem > threshold ? 1n : 0n));
}

describe('fixed point', () => {
  const r = prng(42);
  const int32 = () => r() | 0;
  const edge = [0, 1, -1, 2147483647, -2147483648, 1073741824, -1073741824, 65535, -65536, 12345678];

  it('SaturatingRoundingDoublingHighMul is exact for edge and random operands', () => {
    for (const a of edge) for (const b of edge) expect(saturatingRoundingDoublingHighMul(a, b), `${a}*${b}`).toBe(refSrdhm(a, b));
    for (let i = 0; i < 200000; i++) {
      const a = i % 3 === 0 ? int32() >> (r() % 31) : int32();
      const b = int32();
      const got = saturatingRoundingDoublingHighMul(a, b);
      if (got !== refSrdhm(a, b)) expect(got, `${a}*${b}`).toBe(refSrdhm(a, b));
    }
  });

  it('RoundingDivideByPOT rounds half away from zero', () => {
    for (let i = 0; i < 100000; i++) {
      const x = int32();
      const e = r() % 32;
      const got = roundingDivideByPOT(x, e);
      if (got !== refRdbpot(x, e)) expect(got, `${x}/2^${e}`).toBe(refRdbpot(x, e));
    }
    expect(roundingDivideByPOT(5, 1)).toBe(3);
    expect(roundingDivideByPOT(-5, 1)).toBe(-3);
    expect(roundingDivideByPOT(-6, 2)).toBe(-2);
  });

  it('MultiplyByQuantizedMultiplier composes the two with shifts', () => {
    for (let i = 0; i < 50000; i++) {
      const x = int32() >> (r() % 16);
      const m = (r() >>> 1) | 0x40000000;
      const shift = (r() % 20) - 15;
      const left = Math.max(shift, 0);
      const expected = refRdbpot(refSrdhm(Math.imul(x, 1 << left), m), Math.max(-shift, 0));
      expect(multiplyByQuantizedMultiplier(x, m, shift)).toBe(expected);
    }
  });

  it('QuantizeMultiplier matches frexp and round-half-away', () => {
    expect(quantizeMultiplier(0)).toEqual({ multiplier: 0, shift: 0 });
    expect(quantizeMultiplier(0.5)).toEqual({ multiplier: 1073741824, shift: 0 });
    expect(quantizeMultiplier(1)).toEqual({ multiplier: 1073741824, shift: 1 });
    expect(quantizeMultiplier(0.75)).toEqual({ multiplier: 1610612736, shift: 0 });
    expect(quantizeMultiplier(1e-12).multiplier).toBe(0);
    for (let i = 0; i < 20000; i++) {
      const x = (r() / 2 ** 32) * 2 ** ((r() % 40) - 30);
      const [m, e] = frexp(x);
      expect(m * 2 ** e).toBe(x);
      expect(Math.abs(m) >= 0.5 && Math.abs(m) < 1).toBe(true);
    }
  });
});
