// The before/after memory chart (`--svg`, `?timeline`) of the bundled Tiny
// U-Net: a legend, TinySeg's operators named and their spill and fetch marked,
// the peak's label and line on the same operator, before and after on one
// operator axis; a 1200x800 document (svg.system.test.ts: laid out in Chromium).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadGraph, saveGraph } from '../../src/graph/graph.js';
import { buildTinyUnet } from '../../src/graph/tiny-unet.js';
import { optimize, type OptimizeResult } from '../../src/optimize/optimize.js';
import { memoryReport } from '../../src/report/memory-report.js';
import { renderBeforeAfterSvg, renderTimelineSvg } from '../../src/report/svg.js';
import { alignToOriginal } from '../../src/report/timeline-ops.js';
import { CONCAT_CONV, decodeConcatConvOptions, regionReads } from '../../src/ops/tinyseg/custom-ops.js';
import { repoRoot } from '../helpers/paths.js';

const example = join(repoRoot, 'examples', 'models', 'tiny-unet-80x120.tflite');
let result: OptimizeResult;
let svg: string;

beforeAll(() => {
  const bytes = new Uint8Array(readFileSync(example));
  result = optimize(bytes, { file: 'tiny-unet.tflite', verify: false });
  svg = renderBeforeAfterSvg(result.before, result.after, { title: 'tiny-unet.tflite', beforeGraph: loadGraph(bytes), afterGraph: result.graph });
});

/** One panel's part of the document (of `doc`, the Tiny U-Net's chart unless given). */
function panel(name: string, doc = svg): string {
  const start = doc.indexOf(`<g class="panel" data-panel="${name}">`);
  expect(start).toBeGreaterThan(0);
  return doc.slice(start, doc.indexOf('\n</g>', start));
}

/** The [x0, x1) of the column drawn for TFLM time step `step` in a panel. */
function column(part: string, step: number): [number, number] {
  const m = new RegExp(`<rect data-step="${step}" x="([\\d.]+)" y="[\\d.]+" width="([\\d.]+)"`).exec(part);
  expect(m, `column ${step}`).not.toBeNull();
  return [Number(m![1]), Number(m![1]) + Number(m![2])];
}

describe('the before/after chart', () => {
  it('has a legend for every colour, line and mark', () => {
    const legend = /<g class="legend"[^]*?<\/g><\/g>/.exec(svg)?.[0] ?? '';
    for (const entry of ['tensor', 'spilled tensor', 'kernel scratch', 'TFLM head', 'lower bound', 'spill: to the spill region', 'fetch: back from it', 'other TinySeg operator']) {
      expect(legend).toContain(`>${entry}`);
    }
  });

  it('names custom operators by their code and marks the spill, its fetch and the spilled tensor', () => {
    // The stem's conv_5, the skip that lives longest, streamed: its conv writes its rows to its slot itself (reading
    // conv_2's rows from theirs, so marked as that fetch), and its readers fetch them back.
    const conv5 = result.report.spill.decisions.find((d) => d.tensor === 'conv_5')!;
    expect(conv5.streamed).toBe(true);
    expect(svg).not.toMatch(/CUSTOM/);
    const after = panel('after');
    const marks = (mark: string) => [...after.matchAll(new RegExp(`<g class="op-mark" data-mark="${mark}" data-op="(\\d+)">[^]*?</g>`, 'g'))];
    const ops = result.graph.main.ops;
    const writesRows = (k: number) => ops[k]!.customCode === CONCAT_CONV && decodeConcatConvOptions(ops[k]!.customOptions).out !== undefined;
    // Spills, and the convolutions that write their rows to a slot without reading one.
    const spills = marks('spill');
    expect(spills.length).toBe(ops.filter((op, k) => op.customCode === 'TinySegSpill' || (writesRows(k) && !regionReads(op.customCode!, op.customOptions))).length);
    expect(writesRows(conv5.spillOp)).toBe(true);
    expect(decodeConcatConvOptions(ops[conv5.spillOp]!.customOptions).out!.offset).toBe(conv5.offset);
    expect(marks('fetch').find((m) => Number(m[1]) === conv5.spillOp)![0]).toContain('TinySegConcatConv: fetch conv_2');
    // The stem's first conv reads the graph input in place: marked as the spill of its rows.
    expect(spills.some((m) => m[0].includes('TinySegConcatConv: spill conv_2'))).toBe(true);
    // Fetched back band by band by the decoder's row bands, each fetch naming the slot's tensor; the report's
    // fetchOp is the last of them.
    const fetches = marks('fetch').filter((m) => m[0].includes('TinySegFetch: fetch conv_5'));
    expect(fetches.length).toBeGreaterThan(1);
    expect(Number(fetches.at(-1)![1])).toBe(conv5.fetchOp);
    // Row bands write pool_6's slot band by band (its parts are the spilled tensors: pool_6 [band <j>]).
    expect(after).toMatch(/<g class="tensor spilled" fill="url\(#spilled\)"[^>]*><title>pool_6 \[band \d+\]: [\d,]+ B, spilled,/);
    expect(panel('before')).not.toContain('class="tensor spilled"');
  });

  it('draws each buffer at its arena offset: bytes shared (a conv written in place, row joins) once, nothing above the head', () => {
    // The bundled model, and a smaller Tiny U-Net under a 100% limit, whose stem conv runs in place (the band plan:
    // streamed layers make a smaller one).
    const small = optimize(saveGraph(buildTinyUnet({ height: 32, width: 48 })), { verify: false, maxOverhead: 100, streamLayers: false });
    const smallSvg = renderBeforeAfterSvg(small.before, small.after, { title: 'small.tflite', afterGraph: small.graph });
    for (const [r, doc] of [
      [result, svg],
      [small, smallSvg],
    ] as const) {
      const after = panel('after', doc);
      // The head line's y, and every buffer's top edge: none above it (y grows downwards).
      const head = Number(/<line x1="[\d.]+" x2="[\d.]+" y1="([\d.]+)" y2="[\d.]+" stroke="#d62728"/.exec(after)![1]);
      const tops = [...after.matchAll(/<g class="(?:tensor|tensor spilled|scratch)"[^>]*><title>[^<]*<\/title><rect x="[\d.]+" y="([\d.]+)"/g)].map((m) => Number(m[1]));
      expect(tops.length).toBe(r.after.buffers.filter((b) => b.first >= 0 && b.size > 0 && !b.subgraph).length);
      expect(Math.min(...tops)).toBeGreaterThanOrEqual(head - 0.01);
    }
    // The small model shares bytes: at some step its live buffers' sizes add up to more than the head.
    expect(small.report.passes.convInPlace.rewritten).toBeGreaterThan(0);
    const sizesAt = (t: number) => small.after.buffers.reduce((n, b) => (b.first <= t && t <= b.last ? n + b.size : n), 0);
    expect(Math.max(...small.after.liveBytes.map((_, t) => sizesAt(t)))).toBeGreaterThan(small.after.arena.head);
  });

  it('draws the peak line on the operator its label names', () => {
    for (const [name, report] of [['before', result.before], ['after', result.after]] as const) {
      const part = panel(name);
      const m = /<g class="peak" data-op="(\d+)" data-step="(\d+)"><line x1="([\d.]+)"[^]*?<text[^>]*>peak: op (\d+) ([A-Za-z_0-9]+)/.exec(part);
      expect(m, name).not.toBeNull();
      const [, op, step, x, labelOp, opName] = m!;
      expect(Number(op)).toBe(report.peak.op);
      expect(Number(labelOp)).toBe(report.peak.op);
      // Operator k runs at TFLM time step k+1 (step 0 holds the graph inputs alone, before operator 0, which the
      // label then names): the line is in the peak step's column, at its middle.
      expect(Number(step)).toBe(report.peak.time);
      expect(report.peak.op).toBe(Math.max(0, report.peak.time - 1));
      const [x0, x1] = column(part, Number(step));
      expect(Number(x)).toBeCloseTo((x0 + x1) / 2, 1);
      expect(opName).not.toBe('CUSTOM');
    }
  });

  it('puts before and after on one operator axis, each optimized operator under the original it stands for', () => {
    const before = panel('before');
    const after = panel('after');
    const ticks = (part: string) => [...part.matchAll(/<text class="tick" data-op="(\d+)" x="([\d.]+)"/g)].map((m) => [m[1], m[2]]);
    expect(ticks(before).length).toBeGreaterThan(5);
    expect(ticks(after)).toEqual(ticks(before));
    const original = loadGraph(new Uint8Array(readFileSync(example)));
    const alignment = alignToOriginal(original, result.graph);
    expect(alignment).toHaveLength(result.graph.main.ops.length);
    alignment.forEach((j, k) => {
      const [a0, a1] = column(after, k + 1);
      const [b0, b1] = column(before, j + 1);
      expect(a0).toBeGreaterThanOrEqual(b0 - 0.01);
      expect(a1).toBeLessThanOrEqual(b1 + 0.01);
    });
    // The last operator (the output's producer) is the same one on both sides; a removed PAD leaves its column empty.
    expect(alignment.at(-1)).toBe(original.main.ops.length - 1);
    const pads = original.main.ops.flatMap((op, i) => (op.opcode === 'PAD' ? [i] : []));
    expect(pads.length).toBe(result.report.passes.removeIdentityPads.removed);
    for (const p of pads) expect(alignment).not.toContain(p);
  });

  it('is 1200 px wide and at most 800 high, also for one model (svg.system.test.ts lays it out in Chromium)', () => {
    const single = renderTimelineSvg(result.after, { title: 'tiny-unet.tflite: memory timeline', graph: result.graph });
    for (const doc of [svg, single]) {
      const [, w, h] = /^<svg [^>]*width="(\d+)" height="(\d+)"/.exec(doc)!;
      expect(Number(w)).toBe(1200);
      expect(Number(h)).toBeLessThanOrEqual(800);
    }
  });
});

describe('a chart without the graph', () => {
  it('still draws, on an even axis of time steps', () => {
    const bytes = new Uint8Array(readFileSync(example));
    const report = memoryReport({ file: 'm.tflite', bytes, graph: loadGraph(bytes) });
    const doc = renderTimelineSvg(report, { title: 't' });
    expect(doc).toContain('TFLM time step');
    expect(doc).toContain(`peak: op ${report.peak.op} ${report.peak.opcode}`);
  });
});
