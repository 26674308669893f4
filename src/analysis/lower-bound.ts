// The physical limit for a fixed operator order: no placement can use fewer
// bytes than the largest sum of buffers that are alive at the same time.

export interface Interval {
  /** Bytes as planned (already aligned). */
  size: number;
  /** Inclusive lifetime in TFLM allocation-scope time. */
  first: number;
  last: number;
}

export interface LowerBound {
  bytes: number;
  /** Earliest time at which `bytes` are live. */
  time: number;
  /** Live bytes at every time 0..end (index = time). */
  liveBytes: Float64Array;
}

export function lowerBound(intervals: readonly Interval[], end: number): LowerBound {
  const delta = new Float64Array(end + 2);
  for (const b of intervals) {
    if (b.first < 0 || b.size === 0) continue; // never-touched buffers are never live together with real ones
    delta[b.first]! += b.size;
    delta[b.last + 1]! -= b.size;
  }
  const liveBytes = new Float64Array(end + 1);
  let live = 0;
  let bytes = 0;
  let time = 0;
  for (let t = 0; t <= end; t++) {
    live += delta[t]!;
    liveBytes[t] = live;
    if (live > bytes) {
      bytes = live;
      time = t;
    }
  }
  return { bytes, time, liveBytes };
}

/** Whether an interval's lifetime [first, last] includes a time at which the live bytes reach the bound. */
export function liveAtPeak(bound: LowerBound, first: number, last: number): boolean {
  for (let t = Math.max(0, first); t <= last && t < bound.liveBytes.length; t++) if (bound.liveBytes[t] === bound.bytes) return true;
  return false;
}
