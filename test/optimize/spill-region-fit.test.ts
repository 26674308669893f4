// With a target, the spill region goes to its external RAM: optimize() keeps to
// plans whose region fits it (a streamed plan's holds every wide tensor), down
// to one that spills nothing, instead of failing after choosing one that does not.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { optimize } from '../../src/optimize/optimize.js';
import { parseTargetProfile } from '../../src/memory/target-profile.js';
import { repoRoot } from '../helpers/paths.js';

const bytes = new Uint8Array(readFileSync(join(repoRoot, 'examples/models/tiny-unet-80x120.tflite')));
const withPsram = (size: number) =>
  parseTargetProfile({ name: 'small-psram', cpu: 'cortex-m4', sram: { size: 1 << 20 }, psram: { base: 0x6000_0000, size, bytesPerSecond: 50_000_000 } }, 'small-psram.json');

describe('a spill region that must fit the target', () => {
  const free = optimize(bytes, { file: 'tiny-unet.tflite', verify: false }).report;

  it('without a target the plan streams every wide tensor through a region of 300 KiB', () => {
    expect(free.spill.regionBytes).toBe(307_200);
  });

  for (const size of [200_000, 50_000]) {
    it(`${size} bytes of external RAM: the best plan whose region fits, still well below the original's arena`, () => {
      const r = optimize(bytes, { file: 'tiny-unet.tflite', verify: false, target: withPsram(size), storage: 'psram' }).report;
      expect(r.spill.regionBytes).toBeLessThanOrEqual(size);
      expect(r.storage!.reservedBytes).toBe(r.spill.regionBytes);
      expect(r.after.head).toBeGreaterThan(free.after.head);
      expect(r.after.total).toBeLessThan(0.75 * r.before.total);
      if (size < 76_800) expect(r.spill.regionBytes).toBe(0);
    });
  }
});
