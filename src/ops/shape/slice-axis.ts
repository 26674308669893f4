// TFLM's strided_slice_logic.h StartForAxis / StopForAxis for one axis: the
// STRIDED_SLICE kernel and its row rule (row-rule.ts) resolve begin and end alike.

const clampTo = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

/** The first index an axis of `n` elements takes and the index it stops before (after, for a negative stride). */
export function sliceAxisRange(
  n: number,
  begin: number,
  end: number,
  stride: number,
  masks: { begin: boolean; end: boolean; shrink: boolean },
): { start: number; stop: number } {
  let start = masks.begin ? (stride > 0 ? -(2 ** 31) : 2 ** 31 - 1) : begin;
  if (start < 0) start += n;
  start = stride > 0 ? clampTo(start, 0, n) : clampTo(start, -1, n - 1);
  if (masks.shrink) return { start, stop: start + 1 };
  let stop = masks.end ? (stride > 0 ? 2 ** 31 - 1 : -(2 ** 31)) : end;
  if (stop < 0) stop += n;
  stop = stride > 0 ? clampTo(stop, 0, n) : clampTo(stop, -1, n - 1);
  return { start, stop };
}
