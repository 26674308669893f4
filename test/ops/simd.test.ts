// The SIMD module: the embedded bytes are the assembled kernels.wat, and each
// function computes what the JavaScript transcriptions of TFLM's arithmetic do
// (the oracle corpus test then holds whole models to real TFLM's bytes).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { multiplyByQuantizedMultiplier } from '../../src/ops/fixed-point.js';
import { requantizeTableBytes, requantizeTableFresh, simd, simdF32, simdI16, simdI32, simdI8, simdReserve, simdWidenI8 } from '../../src/ops/simd/simd.js';
import { lookupBytes, lookupPairs } from '../../src/ops/simd/byte-lookup.js';
import { GENERATED_FILE, generatedKernelsModule } from '../helpers/assemble-wasm.mjs';
import { prng } from '../helpers/prng.js';

describe('SIMD kernels module', () => {
  const r = prng(7);
  const int = (lo: number, hi: number) => lo + (r() % (hi - lo + 1));
  const float = () => Math.fround(((r() / 2 ** 32) - 0.5) * 2 ** int(-8, 8));

  it('embeds exactly the assembled kernels.wat (run `npm run wasm` after editing it)', async () => {
    expect(readFileSync(GENERATED_FILE, 'utf8')).toBe(await generatedKernelsModule());
  });

  it('dotRows sums i16 products into int32 that wrap, for every row count and run length', () => {
    for (const [n, len, stride] of [[1, 1, 1], [3, 7, 9], [4, 8, 8], [5, 17, 20], [9, 33, 40], [8, 300, 301]] as const) {
      const x = Array.from({ length: len }, () => int(-32768, 32767));
      const w = Array.from({ length: n * stride }, () => int(-32768, 32767));
      const start = Array.from({ length: n }, () => r() | 0);
      const [xAt, wAt, accAt] = simdReserve([2 * len, 2 * n * stride, 4 * n]);
      simdI16(xAt, len).set(x);
      simdI16(wAt, n * stride).set(w);
      simdI32(accAt, n).set(start);
      simd().dotRows(xAt, wAt, stride, n, len, accAt);
      const want = start.map((a, j) => {
        let sum = a;
        for (let c = 0; c < len; c++) sum = (sum + Math.imul(x[c]!, w[j * stride + c]!)) | 0;
        return sum;
      });
      expect([...simdI32(accAt, n)]).toEqual(want);
    }
  });

  it('mulAddI16 and widenI8 add lane by lane', () => {
    const n = 37;
    const x8 = Int8Array.from({ length: n }, () => int(-128, 127));
    const w = Int16Array.from({ length: n }, () => int(-255, 255));
    const start = Int32Array.from({ length: n }, () => int(-1000, 1000));
    const [stageAt, xAt, wAt, accAt] = simdReserve([n, 2 * n, 2 * n, 4 * n]);
    simdWidenI8(x8, -17, stageAt, xAt);
    expect([...simdI16(xAt, n)]).toEqual([...x8].map((v) => v - 17));
    simdI16(wAt, n).set(w);
    simdI32(accAt, n).set(start);
    simd().mulAddI16(xAt, wAt, n, accAt);
    expect([...simdI32(accAt, n)]).toEqual([...start].map((a, i) => a + (x8[i]! - 17) * w[i]!));
  });

  it('float32 functions round every product and sum, in order, per lane', () => {
    const len = 13;
    // Output channels in blocks of 8, of 4 and single (outerAddF32 keeps each block's sums in registers).
    for (const n of [1, 4, 8, 11, 15, 16, 23]) {
      const x = Float32Array.from({ length: len }, float);
      const w = Float32Array.from({ length: len * n }, float);
      const start = Float32Array.from({ length: n }, float);
      const [xAt, wAt, accAt] = simdReserve([4 * len, 4 * len * n, 4 * n]);
      simdF32(xAt, len).set(x);
      simdF32(wAt, len * n).set(w);
      simdF32(accAt, n).set(start);
      simd().outerAddF32(xAt, wAt, len, n, accAt);
      const want = [...start].map((a, j) => {
        let acc = a;
        for (let c = 0; c < len; c++) acc = Math.fround(acc + Math.fround(x[c]! * w[c * n + j]!));
        return acc;
      });
      expect([...simdF32(accAt, n)], `${n} output channels`).toEqual(want);
    }
    const n = 11;
    const x = Float32Array.from({ length: n }, float);
    const w = Float32Array.from({ length: n }, float);
    const start = Float32Array.from({ length: n }, float);
    const [xAt, wAt, accAt] = simdReserve([4 * n, 4 * n, 4 * n]);
    simdF32(xAt, n).set(x);
    simdF32(wAt, n).set(w);

    simdF32(accAt, n).set(start);
    simd().mulAddF32(xAt, wAt, n, accAt);
    expect([...simdF32(accAt, n)]).toEqual([...start].map((a, i) => Math.fround(a + Math.fround(x[i]! * w[i]!))));
  });

  /**
   * Checks requantizeI8 against MultiplyByQuantizedMultiplier (on `sums` if given, with no bias); returns the table's
   * state (2 scalar; odd: vector, + 2 narrow, + 4 left shifts, + 8 float).
   */
  function requantizeCase(n: number, mult: Int32Array, shift: Int32Array, qmin = -128, qmax = 100, sums?: (i: number) => number, count = n * 301): number {
    const edge = [0, 1, -1, 2147483647, -2147483648, 1073741824, -1073741825, 65535, -65536, 2147483646, -2147483647, 1 << 20];
    const acc = Int32Array.from({ length: count }, (_, i) => (sums ? sums(i) : i < edge.length ? edge[i]! : r() % 5 === 0 ? r() | 0 : int(-100000, 100000)));
    const bias = Int32Array.from({ length: n }, (_, c) => (sums ? 0 : c === 0 ? 2147483647 : int(-5000, 5000)));
    // 32 bytes past the sums (the vector form may read them), 16 past the results (it may not write them).
    const [accAt, biasAt, multAt, shiftAt, outAt, tableAt] = simdReserve([4 * count + 32, 4 * n, 4 * n, 4 * n, count + 16, requantizeTableBytes(n)]);
    simdI32(accAt, count).set(acc);
    simdI8(outAt + count, 16).fill(0x5a);
    simdI32(biasAt, n).set(bias);
    simdI32(multAt, n).set(mult);
    simdI32(shiftAt, n).set(shift);
    requantizeTableFresh(tableAt);
    simd().requantizeI8(accAt, count, n, biasAt, multAt, shiftAt, -5, qmin, qmax, outAt, tableAt);
    const state = simdI32(tableAt, 1)[0]!;
    const want = [...acc].map((a, i) => {
      const c = i % n;
      // int32 arithmetic, as in C: the offset wraps a result near -2^31.
      const v = (multiplyByQuantizedMultiplier((a + bias[c]!) | 0, mult[c]!, shift[c]!) - 5) | 0;
      return Math.min(qmax, Math.max(qmin, v));
    });
    expect([...simdI8(outAt, count)]).toEqual(want);
    expect([...simdI8(outAt + count, 16)]).toEqual(new Array(16).fill(0x5a));
    return state;
  }

  it('requantizeI8 is MultiplyByQuantizedMultiplier with bias, offset and clamp (scalar form: 7 channels, a saturating multiplier)', () => {
    const mult = Int32Array.from({ length: 7 }, (_, c) => (c === 1 ? -2147483648 : c === 2 ? 0 : int(1073741824, 2147483647)));
    requantizeCase(7, mult, Int32Array.from([-31, 3, 0, -1, -12, 1, -7]));
  });

  it('requantizeI8 gives the same in its vector forms (channels in blocks of 8, of 4, of fewer), at every shift TFLM makes', () => {
    for (let first = -31; first <= 30; first += 8) {
      const shift = Int32Array.from({ length: 8 }, (_, c) => Math.min(30, first + c));
      const mult = Int32Array.from({ length: 8 }, (_, c) => (c === 2 ? 0 : c === 3 ? 2147483647 : c === 4 ? 1073741824 : int(1073741824, 2147483647)));
      requantizeCase(8, mult, shift);
    }
    // 12 channels: blocks of 4 but not of 8.
    const mult12 = Int32Array.from({ length: 12 }, (_, c) => (c === 5 ? 0 : int(1073741824, 2147483647)));
    requantizeCase(12, mult12, Int32Array.from({ length: 12 }, (_, c) => c * 5 - 31));
    // Channel counts that are no multiple of 8: lanes follow the channels over lcm(n, 8) elements, and the elements past
    // the last whole period (count is 301 pixels: all but 8 channels leave some) end in a step of fewer lanes.
    for (const n of [1, 2, 3, 4, 6, 19]) {
      const mult = Int32Array.from({ length: n }, () => int(1073741824, 2147483647));
      requantizeCase(n, mult, Int32Array.from({ length: n }, (_, c) => ((c * 7) % 40) - 31));
    }
    // A clamp narrower than int8 on both sides (a fused ReLU6's), in the vector form.
    requantizeCase(16, Int32Array.from({ length: 16 }, () => int(1073741824, 2147483647)), new Int32Array(16).fill(-9), -20, 40);
    // A negative multiplier (no TFLM kernel makes one) sends the whole call to the scalar form.
    requantizeCase(4, Int32Array.from([1073741824, -1073741824, 1500000000, 0]), Int32Array.from([-3, -2, 4, 0]));
  });

  it('requantizeI8 with bias -1 (sums that hold their bias) gives what it gives adding the bias, in the float, exact and scalar forms', () => {
    const cases: [n: number, mult: number[], shift: number[]][] = [
      [12, Array.from({ length: 12 }, () => int(1073741824, 2147483647)), new Array<number>(12).fill(-7)],
      [8, Array.from({ length: 8 }, () => int(1073741824, 2147483647)), [-1, -2, 0, 1, -2, -1, 0, 2]],
      [3, [1073741824, -1073741824, 1500000000], [-3, -2, 4]],
    ];
    for (const [n, mult, shift] of cases) {
      const count = n * 37;
      const sums = Array.from({ length: count }, () => int(-400000, 400000));
      const bias = Array.from({ length: n }, () => int(-50000, 50000));
      const [accAt, biasAt, multAt, shiftAt, tableAt, outAt] = simdReserve([4 * count + 32, 4 * n, 4 * n, 4 * n, requantizeTableBytes(n), count]);
      simdI32(multAt, n).set(mult);
      simdI32(shiftAt, n).set(shift);
      const run = (withBias: boolean) => {
        simdI32(accAt, count).set(withBias ? sums : sums.map((x, i) => (x + bias[i % n]!) | 0));
        simdI32(biasAt, n).set(bias);
        requantizeTableFresh(tableAt);
        simd().requantizeI8(accAt, count, n, withBias ? biasAt : -1, multAt, shiftAt, 3, -128, 127, outAt, tableAt);
        return { out: [...simdI8(outAt, count)], state: simdI32(tableAt, 1)[0]! };
      };
      const want = run(true);
      const got = run(false);
      expect(got.out).toEqual(want.out);
      expect(got.state).toBe(want.state);
    }
  });

  it('requantizeI8 stores only the results of a last step of fewer than 16 (counts 1 to 40, of 1, 3, 8 and 12 channels), in every vector form', () => {
    for (const n of [1, 3, 8, 12]) {
      for (let count = 1; count <= 40; count++) {
        const mult = Int32Array.from({ length: n }, () => int(1073741824, 2147483647));
        // A right shift of 9 takes the float form, 1 the exact form without it.
        for (const right of [9, 1]) expect(requantizeCase(n, mult, new Int32Array(n).fill(-right), -128, 127, undefined, count) & 1).toBe(1);
      }
    }
  });

  it('requantizeI8 divides by 2^right in its narrow form when the right shifts lie within [lo, 2 lo], and not beyond; it multiplies by 2^left only where some channel shifts left', () => {
    const mult = (n: number) => Int32Array.from({ length: n }, (_, c) => (c === 1 ? 2147483647 : c === 2 ? 1073741824 : int(1073741824, 2147483647)));
    // A typical per-channel conv: right shifts 7 to 10 (and at least 3: the float form, + 8).
    expect(requantizeCase(8, mult(8), Int32Array.from({ length: 8 }, (_, c) => -7 - (c % 4)))).toBe(11);
    // The widest spread the form takes (4 over a lowest right shift of 4), on 4 and 12 channels.
    expect(requantizeCase(4, mult(4), Int32Array.from([-4, -8, -6, -5]))).toBe(11);
    expect(requantizeCase(12, mult(12), Int32Array.from({ length: 12 }, (_, c) => -4 - (c % 5)))).toBe(11);
    // One more is the general form; so is a right shift of 0 beside others, and every shift equal to 0.
    expect(requantizeCase(4, mult(4), Int32Array.from([-4, -9, -6, -5]))).toBe(9);
    expect(requantizeCase(4, mult(4), Int32Array.from([0, -1, -2, -3]))).toBe(1);
    expect(requantizeCase(4, mult(4), Int32Array.from([0, 0, 0, 0]))).toBe(3);
    // The largest right shifts.
    expect(requantizeCase(8, mult(8), Int32Array.from({ length: 8 }, (_, c) => -31 + (c % 3)))).toBe(11);
    // A channel of multiplier 0 (a filter of zeros, quantized with shift 0) gives 0 whatever its shift: it keeps
    // neither the float form nor the narrow form from the others; every multiplier 0 takes both.
    const zero5 = (n: number) => Int32Array.from(mult(n), (m, c) => (c === 5 ? 0 : m));
    expect(requantizeCase(8, zero5(8), Int32Array.from({ length: 8 }, (_, c) => (c === 5 ? 0 : -7 - (c % 3))))).toBe(11);
    expect(requantizeCase(8, zero5(8), Int32Array.from({ length: 8 }, (_, c) => (c === 5 ? 3 : -7 - (c % 3))))).toBe(11);
    expect(requantizeCase(4, new Int32Array(4), Int32Array.from([0, 2, -31, 0]))).toBe(11);
    // Left shifts (state + 4): with no right shift at all, narrow; beside right shifts, general.
    expect(requantizeCase(4, mult(4), Int32Array.from([2, 0, 1, 3]))).toBe(7);
    expect(requantizeCase(8, mult(8), Int32Array.from({ length: 8 }, (_, c) => (c === 0 ? 3 : -5 - (c % 3))))).toBe(5);
  });

  it('requantizeI8 in its float form gives the exact bytes on sums next to every rounding tie, and below a right shift of 3 it is not used', () => {
    // Sums whose y = sum * m / 2^(31 + right) lies within a few units of the last place of k + 1/2 (where the float
    // product could round either way, and the double rounding of TFLM's output step differs from y's), half of them
    // exactly at the nearest sum, the rest random; k spans the int8 range and beyond: around 511, from where the
    // float form lets both results clamp, and far past it.
    const near = (mult: Int32Array, shift: Int32Array) => (i: number) => {
      const c = i % mult.length;
      const m = mult[c]!;
      if (m === 0 || r() % 4 === 0) return int(-3000000, 3000000);
      const sign = r() % 2 === 0 ? 1 : -1;
      const k = (r() % 3 === 0 ? sign * int(500, 530) : r() % 5 === 0 ? sign * int(531, 100000) : int(-300, 300)) + 0.5;
      const x = Math.round((k * 2 ** (31 - shift[c]!)) / m);
      return Math.max(-2147483648, Math.min(2147483647, x + int(-2, 2)));
    };
    const shiftSets = [
      [-3, -3, -3, -3, -3, -3, -3, -3],
      [-4, -8, -6, -5],
      [-7, -8, -9, -10, -7, -8, -9, -10, -11, -12, -13, -14],
      [-3, -6, -9, -12, -15, -18, -21, -24],
    ];
    for (const shifts of shiftSets) {
      const n = shifts.length;
      const shift = Int32Array.from(shifts);
      for (const [lo, hi] of [[1073741824, 1073741900], [2147483000, 2147483647], [1073741824, 2147483647]] as const) {
        const mult = Int32Array.from({ length: n }, () => int(lo, hi));
        expect(requantizeCase(n, mult, shift, -128, 127, near(mult, shift)) & 8).toBe(8);
        expect(requantizeCase(n, mult, shift, -100, 90, near(mult, shift)) & 8).toBe(8);
      }
    }
    // A right shift of 2: the exact forms only.
    const mult = Int32Array.from({ length: 8 }, () => int(1073741824, 2147483647));
    const shift = Int32Array.from({ length: 8 }, (_, c) => -2 - c);
    expect(requantizeCase(8, mult, shift, -128, 127, near(mult, shift)) & 8).toBe(0);
  });

  it('looks byte pairs and bytes up in kept tables, in the module for long operands and in JavaScript for short ones', () => {
    const pairs = Int8Array.from({ length: 65536 }, () => int(-128, 127));
    const bytes = Uint8Array.from({ length: 256 }, () => int(0, 255));
    for (const n of [100, 5000]) {
      const a = Uint8Array.from({ length: n }, () => int(0, 255));
      const b = Uint8Array.from({ length: n }, () => int(0, 255));
      const o = new Uint8Array(n);
      lookupPairs(o, a, b, pairs, n);
      expect([...o]).toEqual([...a].map((v, i) => pairs[(v << 8) | b[i]!]! & 255));
      lookupBytes(o, a, bytes, n);
      expect([...o]).toEqual([...a].map((v) => bytes[v]!));
    }
  });

  it('grows its memory for large operands and keeps the bytes', () => {
    const big = 3 * 1024 * 1024;
    const [, at] = simdReserve([16, big]);
    const view = simdI8(at, big);
    view[big - 1] = 42;
    expect(simdI8(at, big)[big - 1]).toBe(42);
    expect(simd().memory.buffer.byteLength).toBeGreaterThanOrEqual(at + big);
  });

  it("channelClampF32 is TFLM's float output step, std::min(std::max(sum + bias, lo), hi), and float ADD / MUL's, NaN and -0 included, in vectors and tails", () => {
    // std::max(x, lo) is (x < lo ? lo : x), std::min(y, hi) is (hi < y ? hi : y); sum + bias rounded to float32.
    const step = (x: number, b: number, lo: number, hi: number, mul: number) => {
      const v = Math.fround(mul ? x * b : x + b);
      const m = v < lo ? lo : v;
      return hi < m ? hi : m;
    };
    const edge = [NaN, -0, 0, 6, -6, 1, -1, Infinity, -Infinity, 3.4028234663852886e38, 1e-45, 0.1, 5.999999, 6.000001];
    for (const [lo, hi, mul] of [[0, 6, 0], [-1, 1, 0], [-3.4028234663852886e38, 3.4028234663852886e38, 0], [0, Infinity, 0], [0, 6, 1], [-1, 1, 1]] as const) {
      for (let n = 1; n <= 9; n++) {
        const pixels = 7;
        const count = pixels * n;
        const sums = Float32Array.from({ length: count }, (_, i) => (i < 3 * edge.length ? edge[i % edge.length]! : (((i * 7919) % 211) - 105) / 13));
        const bias = Float32Array.from({ length: n }, (_, c) => (c % 3 === 0 ? -0 : c === 1 ? 0.5 : c === 2 ? NaN : -c / 3));
        const [accAt, biasAt] = simdReserve([4 * count, 4 * n]);
        simdF32(accAt, count).set(sums);
        simdF32(biasAt, n).set(bias);
        simd().channelClampF32(accAt, pixels, n, biasAt, lo, hi, mul);
        const want = [...sums].map((x, i) => step(x, bias[i % n]!, Math.fround(lo), Math.fround(hi), mul));
        const got = [...simdF32(accAt, count)];
        // Object.is: -0 and +0 apart, NaN equal to NaN.
        got.forEach((v, i) => expect(Object.is(v, want[i]), `n ${n} [${lo}, ${hi}]${mul ? ' mul' : ''} element ${i}: ${v} against ${want[i]}`).toBe(true));
      }
    }
  });
});
