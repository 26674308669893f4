// Memory timeline as a standalone SVG: x = operators (op k runs at TFLM time
// step k+1; the first column is the inputs, before op 0), y = arena offset: each
// buffer live while it runs, drawn where the plan puts it, the peak marked, TFLM's head and the lower
// bound drawn as lines, a legend. Given the graph, custom operators are named
// by their code, TinySeg's spill and fetch operators are marked under the
// bars and spilled tensors drawn hatched. Before and after an optimization
// share one byte scale and one operator axis: each operator of the optimized
// model sits under the operator of the original it stands for
// (timeline-ops.ts), so the two charts line up. Sized to be read whole in a
// 1200x800 window; hover shows each buffer and operator.

import type { Graph } from '../graph/graph.js';
import { bytes, kib } from './format.js';
import type { MemoryReport } from './memory-report.js';
import { alignToOriginal, timelineGraph, type TimelineGraph } from './timeline-ops.js';

const W = 1200;
const M = { left: 78, right: 172 };
const PLOT_W = W - M.left - M.right;
const PLOT_H = 240;
/** A panel: its title, the plot, the operator marks, the tick labels and the axis label. */
const PANEL_H = 28 + PLOT_H + 52;
const LEGEND_TOP = 52;

const PALETTE = ['#4e79a7', '#76b7b2', '#59a14f', '#9c755f', '#b07aa1', '#8cd17d', '#a0cbe8', '#bab0ac', '#86bcb6'];
const SPILLED = '#f28e2b';
const SCRATCH = '#e15759';
const HEAD = '#d62728';
const BOUND = '#2ca02c';

export function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '?');
}

export interface TimelineOptions {
  title: string;
  /** The model's graph: operator and tensor names, spill and fetch marks. */
  graph?: Graph;
  /** Top of the byte axis; charts compared share one. */
  yMax?: number;
}

/** Where each TFLM time step is drawn: [x0, x1) per time, and the axis' ticks. */
interface Columns {
  x: [number, number][];
  ticks: { x: number; label: string; op: number | null }[];
  axisLabel: string;
}

/** One column per time step, evenly: the original's axis (or any model's without a graph). */
function evenColumns(steps: number, byOp: boolean): Columns {
  const w = PLOT_W / Math.max(1, steps);
  const x = Array.from({ length: steps }, (_, t): [number, number] => [M.left + t * w, M.left + (t + 1) * w]);
  return { x, ticks: ticks(x, byOp), axisLabel: byOp ? 'operator (the first column: the inputs, before op 0)' : 'TFLM time step' };
}

/** The optimized model's time steps under the original's columns: the operators standing for original op j share its column. */
function alignedColumns(original: Columns, alignment: number[]): Columns {
  const count = new Map<number, number>();
  for (const j of alignment) count.set(j, (count.get(j) ?? 0) + 1);
  const seen = new Map<number, number>();
  const x: [number, number][] = [original.x[0]!];
  for (const j of alignment) {
    const [x0, x1] = original.x[j + 1]!;
    const i = seen.get(j) ?? 0;
    seen.set(j, i + 1);
    const n = count.get(j)!;
    x.push([x0 + ((x1 - x0) * i) / n, x0 + ((x1 - x0) * (i + 1)) / n]);
  }
  return { x, ticks: original.ticks, axisLabel: 'operator of the original each one stands for (aligned with before)' };
}

function ticks(x: [number, number][], byOp: boolean): Columns['ticks'] {
  const every = Math.max(1, Math.ceil(x.length / 25));
  const out: Columns['ticks'] = [];
  for (let t = byOp ? 1 : 0; t < x.length; t += every) {
    out.push({ x: (x[t]![0] + x[t]![1]) / 2, label: String(byOp ? t - 1 : t), op: byOp ? t - 1 : null });
  }
  return out;
}

/** Byte-axis ticks at round KiB steps (1, 2 or 5 times a power of ten), four to six of them. */
function byteTicks(yMax: number): number[] {
  const rough = yMax / 1024 / 5;
  const power = 10 ** Math.floor(Math.log10(Math.max(rough, 1e-9)));
  const step = 1024 * power * ([1, 2, 5, 10].find((m) => m * power >= rough) ?? 10);
  const out: number[] = [];
  for (let v = 0; v <= yMax; v += step) out.push(v);
  return out;
}

const oneSubgraph = (g: Graph | undefined): g is Graph => g !== undefined && g.subgraphs.length === 1;

interface Panel {
  report: MemoryReport;
  title: string;
  top: number;
  yMax: number;
  columns: Columns;
  graph: TimelineGraph | null;
  name: string;
  /** For the optimized model on the original's axis: the original operator each operator stands for. */
  alignment?: number[];
}

/** One chart: bars, lines, peak, operator marks and the axis, at `top`. */
function renderPanel(p: Panel): string {
  const r = p.report;
  const plotTop = p.top + 28;
  const y = (b: number): number => plotTop + PLOT_H - (b / p.yMax) * PLOT_H;
  const cols = p.columns.x;
  const out: string[] = [`<g class="panel" data-panel="${p.name}">`];
  out.push(`<text x="${M.left}" y="${p.top + 16}" font-size="14" font-weight="bold">${escapeXml(p.title)}</text>`);
  for (const v of byteTicks(p.yMax)) {
    out.push(
      `<line x1="${M.left}" x2="${M.left + PLOT_W}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e4e4e4"/>` +
        `<text x="${M.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" fill="#444">${escapeXml(kib(v))}</text>`,
    );
  }
  // Each buffer where the plan puts it: bytes that buffers share (an output over its dying input, a row join's
  // parts inside it) are drawn once, and no bar rises above the head. In order of creation, for the colours.
  const live = r.buffers
    .map((b, i) => ({ ...b, i }))
    .filter((b) => b.first >= 0 && b.size > 0 && (b.subgraph ?? 0) === 0)
    .sort((a, b) => a.first - b.first || a.i - b.i);
  live.forEach((b, k) => {
    const spilled = b.kind === 'tensor' && p.graph?.spilled.has(b.tensor!) === true;
    const fill = b.kind === 'scratch' ? SCRATCH : spilled ? 'url(#spilled)' : PALETTE[k % PALETTE.length]!;
    const name = b.kind === 'tensor' ? (p.graph?.tensorNames.get(b.tensor!) ?? `tensor ${b.tensor}`) : '';
    const label =
      b.kind === 'scratch'
        ? `scratch of op ${b.op} (${p.graph?.ops[b.op!]?.name ?? ''}): ${bytes(b.size)}`
        : `${name}: ${bytes(b.size)}${spilled ? ', spilled' : ''}, live from step ${b.first} to ${b.last}`;
    const [x0, y0] = [cols[b.first]![0], y(b.offset + b.size)];
    const rect = `<rect x="${x0.toFixed(2)}" y="${y0.toFixed(2)}" width="${(cols[b.last]![1] - x0).toFixed(2)}" height="${(y(b.offset) - y0).toFixed(2)}"/>`;
    out.push(`<g class="${b.kind === 'scratch' ? 'scratch' : spilled ? 'tensor spilled' : 'tensor'}" fill="${fill}" stroke="#fff" stroke-width="0.3"><title>${escapeXml(`${label}, at offset ${bytes(b.offset)}`)}</title>${rect}</g>`);
  });
  // A hover target per operator: its name and the bytes live while it runs.
  const opName = (t: number): string => (t === 0 ? 'inputs' : `op ${t - 1}${p.graph ? ` ${p.graph.ops[t - 1]?.name ?? ''}` : ''}`);
  out.push(
    `<g class="columns" fill="transparent">${cols
      .map(([x0, x1], t) => `<rect data-step="${t}" x="${x0.toFixed(2)}" y="${plotTop}" width="${(x1 - x0).toFixed(2)}" height="${PLOT_H}"><title>${escapeXml(`${p.graph ? opName(t) : `step ${t}`}: ${bytes(r.liveBytes[t] ?? 0)} live`)}</title></rect>`)
      .join('')}</g>`,
  );
  out.push(`<line x1="${M.left}" x2="${M.left}" y1="${plotTop}" y2="${plotTop + PLOT_H}" stroke="#333"/>`);
  out.push(`<line x1="${M.left}" x2="${M.left + PLOT_W}" y1="${plotTop + PLOT_H}" y2="${plotTop + PLOT_H}" stroke="#333"/>`);
  out.push(...marks(p, plotTop + PLOT_H));
  for (const t of p.columns.ticks) {
    out.push(`<text class="tick" data-op="${t.op ?? ''}" x="${t.x.toFixed(2)}" y="${plotTop + PLOT_H + 32}" text-anchor="middle" fill="#444">${t.label}</text>`);
  }
  out.push(`<text x="${M.left + PLOT_W / 2}" y="${plotTop + PLOT_H + 48}" text-anchor="middle" fill="#444">${escapeXml(p.columns.axisLabel)}</text>`);
  const hLine = (v: number, color: string, label: string, dash: string, dy = 0): string =>
    `<line x1="${M.left}" x2="${M.left + PLOT_W}" y1="${y(v).toFixed(2)}" y2="${y(v).toFixed(2)}" stroke="${color}" stroke-width="2" stroke-dasharray="${dash}"/>` +
    `<text x="${M.left + PLOT_W + 6}" y="${(y(v) + 4 + dy).toFixed(2)}" fill="${color}">${escapeXml(label)}</text>`;
  const boundShift = Math.abs(y(r.arena.head) - y(r.lowerBound)) < 14 ? 14 : 0;
  out.push(hLine(r.arena.head, HEAD, `TFLM head ${kib(r.arena.head)}`, '6 3'));
  out.push(hLine(r.lowerBound, BOUND, `lower bound ${kib(r.lowerBound)}`, '2 2', boundShift));
  // The peak: the column of the operator running at it, and that operator named.
  const [px0, px1] = cols[r.peak.time] ?? [M.left, M.left];
  const peakX = (px0 + px1) / 2;
  const peakName = p.graph ? (p.graph.ops[r.peak.op]?.name ?? r.peak.opcode) : r.peak.opcode;
  const under = p.alignment?.[r.peak.op];
  const where = under === undefined || under === r.peak.op ? '' : ` (under original op ${under})`;
  const left = peakX > M.left + PLOT_W * 0.6;
  out.push(
    `<g class="peak" data-op="${r.peak.op}" data-step="${r.peak.time}">` +
      `<line x1="${peakX.toFixed(2)}" x2="${peakX.toFixed(2)}" y1="${plotTop}" y2="${plotTop + PLOT_H}" stroke="#000" stroke-dasharray="4 4"/>` +
      `<text x="${(left ? peakX - 5 : peakX + 5).toFixed(2)}" y="${plotTop + 12}" text-anchor="${left ? 'end' : 'start'}">peak: op ${r.peak.op} ${escapeXml(peakName)}${where}, ${escapeXml(kib(r.peak.liveBytes))} live</text></g>`,
  );
  out.push('</g>');
  return out.join('\n');
}

/** Spill and fetch operators as triangles under the bars (named when there are few), other TinySeg operators as diamonds. */
function marks(p: Panel, axisY: number): string[] {
  if (!p.graph) return [];
  const ops = p.graph.ops.map((op, k) => ({ ...op, k })).filter((op) => op.mark !== null);
  const named = ops.length <= 8;
  return ops.map((op) => {
    const [x0, x1] = p.columns.x[op.k + 1]!;
    const x = (x0 + x1) / 2;
    const y = axisY + 10;
    const shape =
      op.mark === 'spill'
        ? `<path d="M${(x - 5).toFixed(2)} ${y - 5}h10l-5 8z" fill="${SPILLED}"/>`
        : op.mark === 'fetch'
          ? `<path d="M${(x - 5).toFixed(2)} ${y + 3}h10l-5 -8z" fill="${SPILLED}" stroke="#333" stroke-width="0.6"/>`
          : `<path d="M${x.toFixed(2)} ${y - 5}l4 5l-4 5l-4 -5z" fill="#555"/>`;
    const what = op.mark === 'spill' ? `spill ${op.tensor}` : op.mark === 'fetch' ? `fetch ${op.tensor}` : op.name;
    const text = named ? `<text x="${(x + 8).toFixed(2)}" y="${y + 4}" font-size="11" fill="#333">${escapeXml(op.mark === 'tinyseg' ? op.name : `${op.name}: ${what}`)}</text>` : '';
    return `<g class="op-mark" data-mark="${op.mark}" data-op="${op.k}"><title>${escapeXml(`op ${op.k} ${op.name}${op.tensor ? `: ${what}` : ''}`)}</title>${shape}${text}</g>`;
  });
}

/** The legend: what each colour, line and mark means, in rows that fit the width; returns its SVG and height. */
function legend(top: number, withMarks: boolean): { svg: string; height: number } {
  const items: [string, string][] = [
    [`<rect width="14" height="10" fill="${PALETTE[0]}"/><rect x="7" width="7" height="10" fill="${PALETTE[1]}"/>`, 'tensor (a colour per buffer)'],
    [`<rect width="14" height="10" fill="url(#spilled)"/>`, 'spilled tensor'],
    [`<rect width="14" height="10" fill="${SCRATCH}"/>`, 'kernel scratch'],
    [`<line y1="5" x2="18" y2="5" stroke="${HEAD}" stroke-width="2" stroke-dasharray="6 3"/>`, "TFLM head: the planned arena"],
    [`<line y1="5" x2="18" y2="5" stroke="${BOUND}" stroke-width="2" stroke-dasharray="2 2"/>`, 'lower bound'],
  ];
  if (withMarks) {
    items.push(
      [`<path d="M2 1h10l-5 8z" fill="${SPILLED}"/>`, 'spill: to the spill region'],
      [`<path d="M2 9h10l-5 -8z" fill="${SPILLED}" stroke="#333" stroke-width="0.6"/>`, 'fetch: back from it'],
      ['<path d="M7 0l4 5l-4 5l-4 -5z" fill="#555"/>', 'other TinySeg operator'],
    );
  }
  let x = M.left;
  let y = top;
  const parts = items.map(([swatch, text]) => {
    // ~7 px per character of 12 px sans-serif, with room to spare.
    const width = 40 + text.length * 7;
    if (x + width > W - 10) {
      x = M.left;
      y += 18;
    }
    const g = `<g transform="translate(${x} ${y})">${swatch}<text x="22" y="10">${escapeXml(text)}</text></g>`;
    x += width;
    return g;
  });
  return { svg: `<g class="legend" font-size="12">${parts.join('')}</g>`, height: y - top + 22 };
}

const DEFS =
  '<defs><pattern id="spilled" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">' +
  `<rect width="6" height="6" fill="${SPILLED}"/><line x1="0" y1="0" x2="0" y2="6" stroke="#fff" stroke-width="2"/></pattern></defs>`;

function svgDocument(height: number, title: string, subtitle: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="sans-serif" font-size="12">`,
    DEFS,
    `<rect width="${W}" height="${height}" fill="#fff"/>`,
    `<text x="${M.left}" y="24" font-size="16" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="${M.left}" y="42" fill="#555">${escapeXml(subtitle)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

const SUBTITLE = 'the TFLM arena while each operator runs: each buffer at its offset (shared bytes drawn once); hover for names';

export function renderTimelineSvg(r: MemoryReport, opts: TimelineOptions): string {
  const yMax = opts.yMax ?? Math.max(r.arena.head, r.lowerBound, 1) * 1.1;
  const graph = opts.graph ? timelineGraph(opts.graph) : null;
  const columns = evenColumns(r.liveBytes.length, oneSubgraph(opts.graph));
  const marked = graph?.ops.some((o) => o.mark !== null) ?? false;
  const key = legend(LEGEND_TOP, marked);
  const top = LEGEND_TOP + key.height;
  const panel = renderPanel({ report: r, title: `${kib(r.arena.head)} head, ${r.ops} operators`, top, yMax, columns, graph, name: 'model' });
  return svgDocument(top + PANEL_H + 8, opts.title, SUBTITLE, [key.svg, panel]);
}

/** Before and after an optimization, on one byte scale and one operator axis, so the saving is visible at a glance. */
export function renderBeforeAfterSvg(before: MemoryReport, after: MemoryReport, opts: { title: string; beforeGraph?: Graph; afterGraph?: Graph }): string {
  const yMax = Math.max(before.arena.head, before.lowerBound, after.arena.head, after.lowerBound, 1) * 1.1;
  const aligned = oneSubgraph(opts.beforeGraph) && oneSubgraph(opts.afterGraph);
  // Without both graphs, each chart gets its own even axis.
  const beforeColumns = evenColumns(before.liveBytes.length, aligned);
  const alignment = aligned ? alignToOriginal(opts.beforeGraph!, opts.afterGraph!) : undefined;
  const afterColumns = alignment ? alignedColumns(beforeColumns, alignment) : evenColumns(after.liveBytes.length, false);
  const beforeGraph = opts.beforeGraph ? timelineGraph(opts.beforeGraph) : null;
  const afterGraph = opts.afterGraph ? timelineGraph(opts.afterGraph, opts.beforeGraph) : null;
  const marked = afterGraph?.ops.some((o) => o.mark !== null) ?? false;
  const head = (r: MemoryReport) => `${kib(r.arena.head)} head, ${r.ops} operators`;
  const key = legend(LEGEND_TOP, marked);
  const top = LEGEND_TOP + key.height;
  const panels = [
    renderPanel({ report: before, title: `before: ${head(before)}`, top, yMax, columns: beforeColumns, graph: beforeGraph, name: 'before' }),
    renderPanel({
      report: after,
      title: `after: ${head(after)}`,
      top: top + PANEL_H,
      yMax,
      columns: afterColumns,
      graph: afterGraph,
      name: 'after',
      ...(alignment ? { alignment } : {}),
    }),
  ];
  return svgDocument(top + 2 * PANEL_H + 8, `${opts.title}: memory before and after TinySeg`, SUBTITLE, [key.svg, ...panels]);
}
