import { describe, expect, it } from 'vitest';
import { lowerBound } from '../../src/analysis/lower-bound.js';

describe('lowerBound', () => {
  it('is the largest sum of simultaneously live sizes, at its earliest time', () => {
    const lb = lowerBound(
      [
        { size: 10, first: 0, last: 2 },
        { size: 20, first: 1, last: 1 },
        { size: 5, first: 2, last: 3 },
        { size: 30, first: 3, last: 3 },
      ],
      3,
    );
    expect(lb.bytes).toBe(35);
    expect(lb.time).toBe(3);
    expect(Array.from(lb.liveBytes)).toEqual([10, 30, 15, 35]);
  });

  it('ignores buffers that are never used', () => {
    expect(lowerBound([{ size: 99, first: -1, last: -1 }], 2).bytes).toBe(0);
  });
});
