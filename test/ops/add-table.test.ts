// The int8 ADD table by F's step points (add-table.ts) against evaluating the
// output step on all 65,536 input pairs, over random quantization parameters.

import { describe, expect, it } from 'vitest';
import { addInt8TableBySteps } from '../../src/ops/elementwise/add-table.js';
import { tabulate8 } from '../../src/ops/elementwise/binary.js';
import { multiplyByQuantizedMultiplierSmallerThanOneExp, quantizeMultiplier } from '../../src/ops/fixed-point.js';
import { prng } from '../helpers/prng.js';

describe('addInt8TableBySteps', () => {
  it('equals the output step on every input pair, whatever the scales, zero points and activation range', () => {
    const r = prng(7);
    const uniform = (lo: number, hi: number) => lo + ((r() >>> 0) / 2 ** 32) * (hi - lo);
    let checked = 0;
    for (let trial = 0; trial < 40; trial++) {
      const s1 = 2 ** uniform(-12, 2);
      const s2 = trial % 5 === 0 ? s1 : 2 ** uniform(-12, 2);
      const so = 2 ** uniform(-12, 3);
      const twiceMax = 2 * Math.max(s1, s2);
      const m1 = quantizeMultiplier(s1 / twiceMax);
      const m2 = quantizeMultiplier(s2 / twiceMax);
      const mo = quantizeMultiplier(twiceMax / ((1 << 20) * so));
      if (mo.shift > 0) continue;
      const off1 = Math.round(uniform(-127, 128));
      const off2 = Math.round(uniform(-127, 128));
      const outOffset = Math.round(uniform(-128, 127));
      const [qmin, qmax] = trial % 3 === 0 ? [Math.max(-128, outOffset), 127] : [-128, 127];
      const scale = (off: number, m: { multiplier: number; shift: number }) =>
        Int32Array.from({ length: 256 }, (_, byte) =>
          multiplyByQuantizedMultiplierSmallerThanOneExp(Math.imul(off + ((byte << 24) >> 24), 1 << 20), m.multiplier, m.shift),
        );
      const scaled1 = scale(off1, m1);
      const scaled2 = scale(off2, m2);
      const finish = (raw: number) =>
        Math.min(qmax, Math.max(qmin, multiplyByQuantizedMultiplierSmallerThanOneExp(raw, mo.multiplier, mo.shift) + outOffset));
      const fast = addInt8TableBySteps({ scaled1, scaled2, finish, outputMultiplier: mo.multiplier, qmin, qmax, key: '' });
      const slow = tabulate8((a, b) => finish((scaled1[a & 255]! + scaled2[b & 255]!) | 0));
      expect(fast).toEqual(slow);
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('declines a negative output multiplier (F would fall as the sum grows)', () => {
    const scaled = Int32Array.from({ length: 256 }, (_, byte) => ((byte << 24) >> 24) * 1000);
    expect(addInt8TableBySteps({ scaled1: scaled, scaled2: scaled, finish: (s) => -s, outputMultiplier: -1, qmin: -128, qmax: 127, key: '' })).toBeNull();
  });
});
