// Memory timeline as a standalone SVG: x = TFLM time step (operator), stacked
// bars of the buffers live at each step, the peak marked, TFLM's head and the
// lower bound drawn as lines. Opens in any browser; hover shows each buffer.

import { bytes, kib } from './format.js';
import type { MemoryReport } from './memory-report.js';

const W = 1100;
const H = 560;
const M = { left: 80, right: 180, top: 50, bottom: 50 };

const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac', '#e15759'];

export function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '?');
}

export interface TimelineOptions {
  title: string;
  /** Names for tensor indices (tooltips). */
  tensorNames?: ReadonlyMap<number, string>;
  /** Top of the byte axis; two charts compared side by side share one. */
  yMax?: number;
}

export function renderTimelineSvg(r: MemoryReport, opts: TimelineOptions): string {
  const steps = r.liveBytes.length;
  const yMax = opts.yMax ?? Math.max(r.arena.head, r.lowerBound, 1) * 1.08;
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const x = (t: number): number => M.left + (t / steps) * plotW;
  const y = (b: number): number => M.top + plotH - (b / yMax) * plotH;
  const barW = Math.max(plotW / steps, 0.5);

  // Stack buffers in order of creation so that each one's band stays put while
  // older ones live; record runs of equal base to draw few rectangles.
  const live = r.buffers
    .map((b, i) => ({ ...b, i }))
    .filter((b) => b.first >= 0)
    .sort((a, b) => a.first - b.first || a.i - b.i);
  const base = new Float64Array(steps);
  const parts: string[] = [];
  live.forEach((b, k) => {
    const color = b.kind === 'scratch' ? '#e15759' : PALETTE[k % (PALETTE.length - 1)]!;
    const label =
      b.kind === 'scratch'
        ? `scratch of op ${b.op}: ${bytes(b.size)}`
        : `tensor ${b.tensor}${opts.tensorNames?.get(b.tensor!) ? ` ${opts.tensorNames.get(b.tensor!)}` : ''}: ${bytes(b.size)}, live ${b.first}..${b.last}`;
    const rects: string[] = [];
    let runStart = b.first;
    for (let t = b.first; t <= b.last + 1; t++) {
      if (t > b.last || base[t] !== base[runStart]) {
        const y0 = y(base[runStart]! + b.size);
        const h = y(base[runStart]!) - y0;
        rects.push(`<rect x="${x(runStart).toFixed(2)}" y="${y0.toFixed(2)}" width="${(barW * (t - runStart)).toFixed(2)}" height="${h.toFixed(2)}"/>`);
        runStart = t;
      }
    }
    for (let t = b.first; t <= b.last; t++) base[t]! += b.size;
    parts.push(`<g fill="${color}" stroke="#fff" stroke-width="0.2"><title>${escapeXml(label)}</title>${rects.join('')}</g>`);
  });

  const ticks: string[] = [];
  for (let k = 0; k <= 5; k++) {
    const v = (yMax / 1.08) * (k / 5);
    ticks.push(
      `<line x1="${M.left}" x2="${M.left + plotW}" y1="${y(v).toFixed(2)}" y2="${y(v).toFixed(2)}" stroke="#ddd"/>` +
        `<text x="${M.left - 6}" y="${(y(v) + 4).toFixed(2)}" text-anchor="end">${escapeXml(kib(v))}</text>`,
    );
  }
  const xTicks: string[] = [];
  const every = Math.max(1, Math.ceil(steps / 20));
  for (let t = 0; t < steps; t += every) {
    xTicks.push(`<text x="${(x(t) + barW / 2).toFixed(2)}" y="${M.top + plotH + 16}" text-anchor="middle">${t}</text>`);
  }
  const peakX = x(r.peak.time) + barW / 2;
  const hLine = (v: number, color: string, label: string, dash: string, labelShift = 0): string =>
    `<line x1="${M.left}" x2="${M.left + plotW}" y1="${y(v).toFixed(2)}" y2="${y(v).toFixed(2)}" stroke="${color}" stroke-width="2" stroke-dasharray="${dash}"/>` +
    `<text x="${M.left + plotW + 6}" y="${(y(v) + 4 + labelShift).toFixed(2)}" fill="${color}">${escapeXml(label)}</text>`;
  // Keep the two line labels legible when head and bound (nearly) coincide.
  const boundShift = Math.abs(y(r.arena.head) - y(r.lowerBound)) < 14 ? 14 : 0;
  const peakLabelLeft = peakX > M.left + plotW * 0.7;

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${M.left}" y="24" font-size="16" font-weight="bold">${escapeXml(opts.title)}</text>`,
    `<text x="${M.left}" y="40" fill="#555">live arena buffers per operator (stacked; red = kernel scratch), TFLM greedy head and lower bound</text>`,
    ...ticks,
    ...parts,
    `<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + plotH}" stroke="#333"/>`,
    `<line x1="${M.left}" x2="${M.left + plotW}" y1="${M.top + plotH}" y2="${M.top + plotH}" stroke="#333"/>`,
    ...xTicks,
    `<text x="${M.left + plotW / 2}" y="${H - 12}" text-anchor="middle">TFLM time step (operator k runs at step k+1)</text>`,
    hLine(r.arena.head, '#d62728', `TFLM head ${kib(r.arena.head)}`, '6 3'),
    hLine(r.lowerBound, '#2ca02c', `lower bound ${kib(r.lowerBound)}`, '2 2', boundShift),
    `<line x1="${peakX.toFixed(2)}" x2="${peakX.toFixed(2)}" y1="${M.top}" y2="${M.top + plotH}" stroke="#000" stroke-dasharray="4 4"/>`,
    `<text x="${(peakLabelLeft ? peakX - 4 : peakX + 4).toFixed(2)}" y="${M.top + 12}" text-anchor="${peakLabelLeft ? 'end' : 'start'}">peak: op ${r.peak.op} ${escapeXml(r.peak.opcode)}, ${escapeXml(kib(r.peak.liveBytes))}</text>`,
    `</svg>`,
    '',
  ].join('\n');
}

/** Before and after an optimization, stacked on one byte scale so the saving is visible at a glance. */
export function renderBeforeAfterSvg(
  before: MemoryReport,
  after: MemoryReport,
  opts: { title: string; beforeNames?: ReadonlyMap<number, string>; afterNames?: ReadonlyMap<number, string> },
): string {
  const yMax = Math.max(before.arena.head, before.lowerBound, after.arena.head, after.lowerBound, 1) * 1.08;
  const strip = (svg: string) => svg.replace(/^<svg [^>]*>/, '').replace(/<\/svg>\s*$/, '');
  const one = (r: MemoryReport, title: string, names: ReadonlyMap<number, string> | undefined, dy: number) =>
    `<g transform="translate(0 ${dy})">${strip(renderTimelineSvg(r, { title, yMax, ...(names ? { tensorNames: names } : {}) }))}</g>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${2 * H}" viewBox="0 0 ${W} ${2 * H}" font-family="sans-serif" font-size="12">`,
    one(before, `${opts.title}: before`, opts.beforeNames, 0),
    one(after, `${opts.title}: after`, opts.afterNames, H),
    '</svg>',
    '',
  ].join('\n');
}
