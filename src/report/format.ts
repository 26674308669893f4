// Number formatting shared by the text and SVG renderers.

export const bytes = (n: number): string => `${Math.round(n).toLocaleString('en-US')} B`;

export const kib = (n: number): string => `${(n / 1024).toLocaleString('en-US', { maximumFractionDigits: 1 })} KiB`;

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
