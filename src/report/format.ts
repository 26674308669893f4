// Number formatting shared by the text and SVG renderers.

// Thousands separators by hand: the first toLocaleString call loads ICU's
// locale data, ~20 ms that a cached `tinyseg optimize` would spend on nothing else.
const grouped = (fixed: string): string => fixed.replace(/^(-?\d+)/, (int) => int.replace(/\B(?=(\d{3})+$)/g, ','));

/** `1,234` (en-US grouping, rounded to a whole number). */
export const integer = (n: number): string => grouped(Math.round(n).toFixed(0));

/** `1,234 B` (en-US grouping, rounded to whole bytes). */
export const bytes = (n: number): string => `${integer(n)} B`;

/** `225 KiB`, `1.5 KiB`: at most one decimal, none when it is zero. */
export const kib = (n: number): string => `${grouped((n / 1024).toFixed(1).replace(/\.0$/, ''))} KiB`;

export const shape = (s: readonly number[]): string => `[${s.join('x')}]`;

/** Pads cells so that columns line up; numbers right-aligned. */
export function table(rows: string[][], rightAligned: ReadonlySet<number> = new Set()): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) =>
    r
      .map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** A lossy model's measured error in words (verify.ts's figures): "max abs error 0.119, PSNR 62.95 dB". */
export function outputError(v: { maxDiff: number; psnr: number | null }): string {
  return `max abs error ${+v.maxDiff.toPrecision(4)}${v.psnr !== null ? `, PSNR ${v.psnr} dB` : ''}`;
}
