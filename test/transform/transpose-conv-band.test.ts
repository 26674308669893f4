// transposeConvBand's rows for a band of a TRANSPOSE_CONV, and with
// sameAdjustment (builtinsOnly) only output heights as far from what the
// padding gives as the whole operator's: stock TFLite hands XNNPACK only a
// TRANSPOSE_CONV whose output and padding agree, so a band whose do not would
// run on another kernel, which rounds otherwise (builtins-only.system.test.ts
// shows it on portrait-video's 4x4 VALID upsampling).

import { describe, expect, it } from 'vitest';
import { transposeConvBand } from '../../src/transform/transpose-conv-band.js';

const VALID = 1;
const SAME = 0;

describe('transposeConvBand', () => {
  // portrait-video: 4x4 stride 2 VALID, 14 rows -> 30 = (14 - 1) * 2 + 4.
  const valid = { kind: 'transpose', k: 4, stride: 2, padding: VALID } as const;

  it('gives a top band of a VALID transpose conv twice its rows, 2 short of what VALID gives for them', () => {
    const band = transposeConvBand(valid, 14, 30, 0, 7, 0, 7)!;
    expect([band.n0, band.n1]).toEqual([0, 14]);
  });

  it('with sameAdjustment, gives it (7 - 1) * 2 + 4 = 16 rows, the last 2 not exact, as the whole operator has none to spare', () => {
    const band = transposeConvBand(valid, 14, 30, 0, 7, 0, 7, true)!;
    expect([band.n0, band.n1]).toEqual([0, 16]);
    expect([band.e0, band.e1]).toEqual([0, 14]);
    // The bottom band already ends where the tensor does: the same rows either way.
    expect(transposeConvBand(valid, 14, 30, 7, 14, 7, 14, true)).toEqual(transposeConvBand(valid, 14, 30, 7, 14, 7, 14));
  });

  it('leaves SAME transpose convs as they are: a band of n rows gives 2n, as the padding does', () => {
    const same = { kind: 'transpose', k: 3, stride: 2, padding: SAME } as const;
    expect(transposeConvBand(same, 16, 32, 0, 8, 0, 8, true)).toEqual(transposeConvBand(same, 16, 32, 0, 8, 0, 8));
  });
});
