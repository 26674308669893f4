// optimize() end to end on the bundled Tiny U-Net: the arena is cut by more
// than half, the head meets the lower bound, TFLM's plan of the written file is
// the one reported, and the interpreter proved the bytes equal.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TinysegError } from '../../src/errors.js';
import { loadGraph, saveGraph } from '../../src/graph/graph.js';
import { buildTinyUnet } from '../../src/graph/tiny-unet.js';
import { verifyModels } from '../../src/interpreter/verify.js';
import { offlineOffsets } from '../../src/tflm/offline-plan.js';
import { planTflmArena } from '../../src/tflm/arena.js';
import { optimize } from '../../src/optimize/optimize.js';
import { memoryReport } from '../../src/report/memory-report.js';
import { renderReportText } from '../../src/report/text.js';
import { builtinTargetProfile } from '../../src/memory/target-profile.js';
import { regionWrite } from '../../src/ops/tinyseg/custom-ops.js';
import { repoRoot } from '../helpers/paths.js';

const example = new Uint8Array(readFileSync(join(repoRoot, 'examples/models/tiny-unet-80x120.tflite')));

describe('optimize on the Tiny U-Net', () => {
  const r = optimize(example, { file: 'tiny-unet-80x120.tflite', verify: { inputs: 1 } });

  it('cuts the TFLM arena head by more than half, verified bit-exact', () => {
    expect(r.report.after.head).toBeLessThan(r.report.before.head / 2);
    expect(r.report.verified).toBe(true);
    expect(r.report.verification!.cases).toHaveLength(2);
    expect(r.report.keptOriginal).toBe(false);
  });

  it('places the arena within 2% of the lower bound of the transformed graph', () => {
    expect(r.report.after.head).toBeLessThanOrEqual(1.02 * r.report.after.lowerBound);
  });

  it('reports the head TFLM computes for the written file, which carries the offline plan', () => {
    const g = loadGraph(r.bytes);
    expect(offlineOffsets(g)).not.toBeNull();
    const arena = planTflmArena(g);
    expect(arena.head).toBe(r.report.after.head);
    expect(arena.total).toBe(r.report.after.total);
    // Weights of rewritten operators are not carried along: the file grows by the new ops' metadata and their few
    // int32 operands (slice bounds, shared where equal), not by copies of weights.
    const constantBytes = (bytes: Uint8Array) => loadGraph(bytes).main.tensors.reduce((n, t) => n + (t.data?.byteLength ?? 0), 0);
    expect(constantBytes(r.bytes)).toBeLessThan(constantBytes(example) * 1.05);
    // The original's figures are TFLM's own.
    expect(planTflmArena(loadGraph(example)).head).toBe(r.report.before.head);
  });

  it('gives the JSON fields the issue asks for', () => {
    const j = JSON.parse(JSON.stringify(r.report));
    for (const path of ['before.head', 'after.head', 'after.lowerBound', 'spill.bytesOut', 'spill.bytesIn', 'verified']) {
      expect(path.split('.').reduce((o, k) => o?.[k], j), path).not.toBeUndefined();
    }
    expect(j.spill.bytesOut).toBeGreaterThan(0);
    // The tensors holding the original peak, with their cold ranges: the encoder skip, the longest, is spilled.
    type PeakTensor = { name: string; coldRange: { length: number } | null };
    const skip = (j.before.peakTensors as PeakTensor[]).reduce((a, b) => ((b.coldRange?.length ?? 0) > (a.coldRange?.length ?? 0) ? b : a));
    expect(skip.coldRange!.length).toBeGreaterThan(10);
    expect(j.spill.decisions.map((d: { tensor: string }) => d.tensor)).toContain(skip.name);
  });

  it('documents every field it writes in docs/plan-json.md', () => {
    const doc = readFileSync(join(repoRoot, 'docs/plan-json.md'), 'utf8');
    const withStorage = optimize(example, { file: 'tiny-unet-80x120.tflite', verify: { inputs: 1 }, storage: 'flash' }).report;
    const keys = new Set<string>();
    const walk = (o: unknown): void => {
      if (!o || typeof o !== 'object') return;
      for (const [k, v] of Object.entries(o)) {
        if (!/^\d+$/.test(k)) keys.add(k);
        walk(v);
      }
    };
    walk(withStorage);
    expect(keys.size).toBeGreaterThan(40);
    // Field names are code-formatted in the doc: as a name, a path (`a.b`), a list (`a[]`) or inside `{ ... }`.
    const code = [...doc.matchAll(/`([^`]+)`/g)].map((m) => m[1]!).join(' ');
    expect([...keys].filter((k) => !new RegExp(`(^|[^\\w])${k}([^\\w]|$)`).test(code))).toEqual([]);
  });

  it("has its spill region in `tinyseg report`'s figures for the written file", () => {
    const after = memoryReport({ file: 'optimized.tflite', bytes: r.bytes, graph: loadGraph(r.bytes) });
    // The operators that write the region: a decision whose slot row bands write takes one per band, and a streamed
    // convolution that writes its rows there itself is one.
    const spills = r.graph.main.ops.filter((op) => op.customCode && regionWrite(op.customCode, op.customOptions)).length;
    expect(r.graph.main.ops.some((op) => op.customCode === 'TinySegConcatConv' && regionWrite(op.customCode, op.customOptions))).toBe(true);
    expect(spills).toBeGreaterThanOrEqual(r.report.spill.decisions.length);
    expect(after.spillRegion).toEqual({ bytes: r.report.spill.regionBytes, spills, quantized: 0 });
    // Streamed layers, each wide tensor in a slot of its own while it lives, and the spill pass again around them.
    const region = `${after.spillRegion!.bytes.toLocaleString('en-US')} B besides the arena, for ${spills} spills`;
    expect(renderReportText(after)).toMatch(new RegExp(`^ {2}spill region {2}${region} \\(TinySeg operators\\)$`, 'm'));
    expect(r.report.spill.decisions.filter((d) => d.streamed).length).toBeGreaterThanOrEqual(20);
    expect(memoryReport({ file: 'original.tflite', bytes: example, graph: loadGraph(example) }).spillRegion).toBeNull();
  });

  it('still computes the original bytes on fresh inputs (a second, independent check)', () => {
    expect(verifyModels(loadGraph(example), loadGraph(r.bytes), { inputs: 2, seed: 99 }).equal).toBe(true);
  });
});

describe('optimize limits', () => {
  const smallModel = saveGraph(buildTinyUnet({ height: 16, width: 24 }));

  it('stops spilling once the arena budget is met, and fails clearly when nothing fits', () => {
    const free = optimize(smallModel, { verify: false });
    const budget = free.report.after.head + 4096;
    const r = optimize(smallModel, { arenaBudget: budget, verify: false });
    expect(r.report.after.head).toBeLessThanOrEqual(budget);
    expect(r.report.spill.bytesOut).toBeLessThanOrEqual(free.report.spill.bytesOut);
    expect(() => optimize(smallModel, { arenaBudget: 64, verify: false, file: 'small.tflite' })).toThrow(/no plan fits an arena head of 64 bytes/);
  });

  it('a larger --max-overhead never leaves a larger arena than the default (Tiny U-Net: its 20% bands alone end higher than 5%)', () => {
    const totals = [5, 10, 20].map((maxOverhead) => optimize(example, { verify: false, maxOverhead }).report.after.total);
    expect(totals[1]).toBeLessThanOrEqual(totals[0]!);
    expect(totals[2]).toBeLessThanOrEqual(totals[0]!);
  });

  it('never spills more than --max-spill-bytes allows', () => {
    const r = optimize(smallModel, { maxSpillBytes: 0, verify: false });
    expect(r.report.spill.bytesOut + r.report.spill.bytesIn).toBe(0);
  });

  it('rejects a negative or non-numeric budget with a usage error', () => {
    expect(() => optimize(smallModel, { maxSpillBytes: -1 })).toThrow(TinysegError);
    expect(() => optimize(smallModel, { arenaBudget: Number.NaN })).toThrow(/arenaBudget must be a non-negative number/);
  });
});

describe('optimize spill storage', () => {
  const smallModel = saveGraph(buildTinyUnet({ height: 32, width: 48 }));
  const target = builtinTargetProfile('mps2-an386')!;

  it('warns that spilling to flash wears it out, with the wear-levelled lifetime at the given inference rate', () => {
    const r = optimize(smallModel, { verify: false, storage: 'flash', target, inferencesPerSecond: 10 }).report;
    expect(r.spill.bytesOut).toBeGreaterThan(0);
    const s = r.storage!;
    const f = target.flash!;
    // The log rotates over every sector after the model: endurance x area / bytes written per inference.
    expect(s.reservedBytes % f.sectorBytes).toBe(0);
    expect(s.lifetimeInferences).toBe(Math.floor((f.enduranceCycles * (s.reservedBytes / f.sectorBytes)) / (r.spill.bytesOut / f.sectorBytes)));
    expect(r.warnings.some((w) => w.startsWith('spilling to NOR flash wears it out') && w.includes('at 10 per second'))).toBe(true);
  });

  it('gives external RAM its copy time and no warning', () => {
    const r = optimize(smallModel, { verify: false, storage: 'psram', target }).report;
    expect(r.storage!.summary).toMatch(/^external RAM at 0x21000000/);
    expect(r.warnings.filter((w) => w.includes('flash'))).toEqual([]);
  });

  it('rejects an unknown storage or a non-positive inference rate', () => {
    expect(() => optimize(smallModel, { verify: false, storage: 'tape' as never })).toThrow(/storage must be one of psram, flash, internal-flash, remote/);
    expect(() => optimize(smallModel, { verify: false, inferencesPerSecond: 0 })).toThrow(/inferencesPerSecond must be a positive number/);
  });
});
