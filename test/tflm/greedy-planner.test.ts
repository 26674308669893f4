import { describe, expect, it } from 'vitest';
import { planGreedyTflm, type PlanBuffer } from '../../src/tflm/greedy-planner.js';

const overlapFree = (bufs: PlanBuffer[], offsets: Int32Array): boolean =>
  bufs.every((a, i) =>
    bufs.every((b, j) => {
      if (i >= j) return true;
      const timeOverlap = !(a.first > b.last || b.first > a.last);
      const spaceOverlap = offsets[i]! < offsets[j]! + b.size && offsets[j]! < offsets[i]! + a.size;
      return !(timeOverlap && spaceOverlap);
    }),
  );

describe('planGreedyTflm', () => {
  it('places the largest buffer first at offset 0 and reuses memory across disjoint lifetimes', () => {
    const bufs: PlanBuffer[] = [
      { size: 32, first: 0, last: 1 },
      { size: 64, first: 1, last: 2 },
      { size: 32, first: 2, last: 3 },
    ];
    const { offsets, head } = planGreedyTflm(bufs);
    expect(Array.from(offsets)).toEqual([64, 0, 64]);
    expect(head).toBe(96);
  });

  it('treats lifetimes as inclusive: touching at one step means overlap', () => {
    const { offsets, head } = planGreedyTflm([
      { size: 16, first: 0, last: 2 },
      { size: 16, first: 2, last: 4 },
    ]);
    expect(head).toBe(32);
    expect(new Set(offsets).size).toBe(2);
  });

  it('puts equal sizes in reverse order of addition, as TFLM fills its sort array from the back', () => {
    const { offsets } = planGreedyTflm([
      { size: 16, first: 0, last: 5 },
      { size: 16, first: 0, last: 5 },
      { size: 16, first: 0, last: 5 },
    ]);
    expect(Array.from(offsets)).toEqual([32, 16, 0]);
  });

  it('fills a gap between placed buffers when the new one fits', () => {
    const { offsets } = planGreedyTflm([
      { size: 100, first: 0, last: 1 }, // at 0
      { size: 80, first: 3, last: 4 }, // at 0 (disjoint in time)
      { size: 48, first: 1, last: 3 }, // overlaps both, goes above the 100
      { size: 16, first: 5, last: 5 }, // free at 0
    ]);
    expect(Array.from(offsets)).toEqual([0, 0, 100, 0]);
  });

  it('keeps offline offsets and fits online buffers around them', () => {
    const bufs: PlanBuffer[] = [
      { size: 32, first: 0, last: 3, offlineOffset: 16 },
      { size: 16, first: 1, last: 2 },
      { size: 64, first: 2, last: 2 },
    ];
    const { offsets, head } = planGreedyTflm(bufs);
    expect(offsets[0]).toBe(16);
    expect(offsets[1]).toBe(0); // the 16-byte gap below the offline buffer
    expect(offsets[2]).toBe(48);
    expect(head).toBe(112);
    expect(overlapFree(bufs, offsets)).toBe(true);
  });

  it('never overlaps live buffers on random instances', () => {
    let seed = 7;
    const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    for (let round = 0; round < 200; round++) {
      const bufs: PlanBuffer[] = Array.from({ length: 1 + rand(30) }, () => {
        const first = rand(20);
        return { size: 16 * (1 + rand(20)), first, last: first + rand(8) };
      });
      const { offsets, head } = planGreedyTflm(bufs);
      expect(overlapFree(bufs, offsets)).toBe(true);
      expect(head).toBe(Math.max(...bufs.map((b, i) => offsets[i]! + b.size)));
    }
  });
});
