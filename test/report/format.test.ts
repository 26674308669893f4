// The hand-made number grouping reads as en-US's toLocaleString (which the
// CLI avoids: its first call loads ICU's locale data, ~15 ms of a short run).

import { describe, expect, it } from 'vitest';
import { bytes, integer, kib } from '../../src/report/format.js';

describe('number formatting', () => {
  it('groups thousands as en-US does, for every length and sign', () => {
    for (const n of [0, 7, 42, 999, 1000, 12345, 123456, 1234567, 98765432, 1234567890123, -1, -1000, -987654, 2.5, 1234.4, 1234.5]) {
      expect(integer(n)).toBe(Math.round(n).toLocaleString('en-US'));
      expect(bytes(n)).toBe(`${Math.round(n).toLocaleString('en-US')} B`);
    }
    expect(kib(1536)).toBe('1.5 KiB');
    expect(kib(1024 * 1234)).toBe('1,234 KiB');
  });
});
