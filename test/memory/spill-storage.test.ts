// The spill area a flash needs: the runtime's log starts every spill's write on a page of its
// own (templates/runtime/tinyseg_runtime.c flash_erase), so many small spills take more of the
// area than their bytes.

import { describe, expect, it } from 'vitest';
import { planSpillStorage } from '../../src/memory/spill-storage.js';
import { builtinTargetProfile } from '../../src/memory/target-profile.js';

describe('planSpillStorage in flash', () => {
  const an386 = builtinTargetProfile('mps2-an386')!;
  const flash = an386.internalFlash!;
  // Room for exactly 12 KB of one inference's writes plus the two sectors the log keeps free.
  const sized = { ...an386, internalFlash: { ...flash, size: 3 * flash.sectorBytes + 2 * flash.sectorBytes } };
  const small = Math.floor(flash.pageBytes / 2);
  const writes = new Array<number>(Math.floor((3 * flash.sectorBytes) / small)).fill(small);
  const bytes = writes.reduce((n, w) => n + w, 0);

  it('counts each spill from a page of its own: writes of half a page each need twice their bytes', () => {
    const traffic = { regionBytes: bytes, bytesOut: bytes, bytesIn: bytes };
    expect(planSpillStorage('internal-flash', traffic, sized, 0, 'm.tflite').reservedBytes).toBe(5 * flash.sectorBytes);
    expect(() => planSpillStorage('internal-flash', { ...traffic, writes }, sized, 0, 'm.tflite')).toThrow(
      new RegExp(`spilling there needs ${8 * flash.sectorBytes} \\(one inference's ${writes.length * flash.pageBytes} bytes written, each spill from a page of its own, plus two sectors\\)`),
    );
    const whole = new Array<number>(writes.length / 2).fill(2 * small);
    expect(planSpillStorage('internal-flash', { ...traffic, writes: whole }, sized, 0, 'm.tflite').reservedBytes).toBe(5 * flash.sectorBytes);
  });
});
