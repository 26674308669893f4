// Which build of the SIMD module the interpreter runs, and that its relaxed
// build computes the same bytes. The relaxed project (vitest.config.ts) runs
// this file, simd.test.ts and the kernels' vector tests again on a host with
// relaxed SIMD, where simd() takes the relaxed build.

import { describe, expect, inject, it } from 'vitest';
import { requantizeTableBytes, simdBuild, simdModuleBytes, type SimdKernels } from '../../src/ops/simd/simd.js';
import { prng } from '../helpers/prng.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set by the relaxed project: its host has relaxed SIMD, so simd() must take the relaxed build. */
    relaxedSimd?: boolean;
  }
}

const relaxedValidates = WebAssembly.validate(simdModuleBytes(true));

describe('SIMD module build', () => {
  it('is the relaxed build where the host validates it, the SIMD module elsewhere; the relaxed project runs it', () => {
    expect(WebAssembly.validate(simdModuleBytes(false))).toBe(true);
    if (inject('relaxedSimd')) expect(relaxedValidates).toBe(true);
    expect(simdBuild()).toBe(relaxedValidates ? 'relaxed-simd' : 'simd');
  });

  it.runIf(relaxedValidates)('relaxed build: the same int8 output steps as the SIMD module, byte for byte, over every float-form shift', () => {
    const instance = (relaxed: boolean) => new WebAssembly.Instance(new WebAssembly.Module(simdModuleBytes(relaxed))).exports as unknown as SimdKernels;
    const builds = [instance(false), instance(true)];
    const r = prng(11);
    const int = (lo: number, hi: number) => lo + (r() % (hi - lo + 1));
    for (const n of [1, 3, 8, 12, 16, 19]) {
      for (let right = 3; right <= 31; right += 2) {
        const count = n * int(1, 40);
        const mult = Array.from({ length: n }, () => int(1 << 30, 2 ** 31 - 1));
        const bias = Array.from({ length: n }, () => int(-5000, 5000));
        // Sums over the whole int32 range and next to the output's rounding ties: x = (k + 1/2) 2^(31 + right) / m.
        const sums = Array.from({ length: count }, (_, i) => {
          const m = mult[i % n]!;
          if (i % 3 === 0) return r() | 0;
          const tie = Math.round(((int(-130, 130) + 0.5) * 2 ** (31 + right)) / m) - bias[i % n]!;
          return Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, tie + int(-2, 2)));
        });
        const outOffset = int(-128, 127);
        const outs = builds.map((k) => {
          // One layout in each instance's memory, past its data: sums (32 bytes of slack), params, table, results.
          const acc = 1 << 16;
          const params = acc + 4 * count + 32;
          const table = params + 12 * n;
          const out = table + requantizeTableBytes(n);
          if (k.memory.buffer.byteLength < out + count + 16) k.memory.grow(Math.ceil((out + count + 16 - k.memory.buffer.byteLength) / 65536));
          const words = new Int32Array(k.memory.buffer);
          words.set(sums, acc >> 2);
          words.set([...bias, ...mult, ...new Array<number>(n).fill(-right)], params >> 2);
          words.fill(0, table >> 2, (table >> 2) + 4);
          k.requantizeI8(acc, count, n, params, params + 4 * n, params + 8 * n, outOffset, -128, 127, out, table);
          expect(words[table >> 2]! & 9).toBe(9);
          return [...new Int8Array(k.memory.buffer, out, count)];
        });
        expect(outs[1]).toEqual(outs[0]);
      }
    }
  });
});
