// optimize() on every corpus model: never worse than TFLM, the head within 2%
// of the transformed graph's lower bound, TFLM's figures for the written file,
// and bit-exact outputs proven by the interpreter wherever it can run the model.

import { describe, expect, it } from 'vitest';
import { loadGraph, type Op, type Tensor } from '../../src/graph/graph.js';
import { planTflmArena } from '../../src/tflm/arena.js';
import { optimize } from '../../src/optimize/optimize.js';
import {
  CONCAT_CONV,
  decodeConcatConvOptions,
  decodeSpillOptions,
  decodeTransposeConvGatherOptions,
  regionReads,
  RESIZE_BAND,
  SPILL,
  TRANSPOSE_CONV_GATHER,
} from '../../src/ops/tinyseg/custom-ops.js';
import { concatConvOutput, concatConvReadsInPlace } from '../../src/ops/tinyseg/concat-conv-kernel.js';
import { corpusModels, golden, readCorpusModel } from '../helpers/shared.js';

/** Head before / after per model, filled by the per-model tests (they run first, in file order). */
const reductions = new Map<string, number>();

describe.each(corpusModels)('%s', (file) => {
  const runnable = golden[file]?.outputs !== null;

  it('is never worse, meets the lower bound within 2%, and is verified bit-exact', () => {
    // A model TFLM's Prepare refuses (selfie-seg's float16 DEQUANTIZE) is planned with allowRefused.
    const result = optimize(readCorpusModel(file), { file, verify: runnable ? { inputs: 1, seed: 3 } : false, ...(runnable ? {} : { allowRefused: true }) });
    const r = result.report;
    reductions.set(file, r.before.head / r.after.head);
    // A resident part spilled again keeps one `_resident` (mobilenet-v2 spills some five times over).
    expect(result.graph.main.tensors.map((t) => t.name).filter((n) => /_resident_resident/.test(n))).toEqual([]);
    expect(r.after.head).toBeLessThanOrEqual(r.before.head);
    expect(r.after.total).toBeLessThanOrEqual(r.before.total);
    expect(r.after.head).toBeLessThanOrEqual(1.02 * r.after.lowerBound);
    expect(r.verified).toBe(runnable ? true : null);
    // The default --max-overhead 5: the predicted reference Invoke() overhead stays within it.
    expect(r.compute.invoke.reference.overhead).toBeLessThanOrEqual(0.05 + 1e-9);
  });

  if (!runnable) {
    it('refuses what TFLM refuses; with allowRefused it plans it without claiming a proof it cannot make', () => {
      expect(() => optimize(readCorpusModel(file), { file, verify: false })).toThrow(/^operator \d+ \(DEQUANTIZE\): .*not supported/);
      const planned = optimize(readCorpusModel(file), { file, allowRefused: true }).report;
      expect(planned.verified).toBeNull();
      expect(planned.warnings).toContain('not proved: TFLM refuses the model, so neither it nor the optimized one runs to compare (memory planning only)');
    });
  }
});


/**
 * A TinySegConcatConv band reading its rows in place: the rows of one band (an output of its own), or, where its
 * output is streamed, all of them written to its slot more than one call's rows at a time but not all at once.
 */
function inChunks(op: Op, tensors: readonly Tensor[]): boolean {
  const o = decodeConcatConvOptions(op.customOptions);
  const rows = concatConvOutput(op, tensors, o)?.shape[1] ?? 0;
  return o.out ? o.out.chunk < rows : op.outputs.length === 1;
}

describe('selfie-seg (MediaPipe, float16 weights DEQUANTIZEd at run time)', () => {
  it.each(['reference', 'cmsis-nn'] as const)('(%s): its convs run in bands and its full-resolution squeeze-excite MULs are streamed: at the streaming floor within the default overhead limit', (kernels) => {
    const file = 'selfie-seg-f16w-256.tflite';
    const r = optimize(readCorpusModel(file), { file, kernels, verify: false, allowRefused: true }).report;
    // The floor no longer counts every conv's operands whole: only the decoder's last add and the mask around
    // MediaPipe's transpose conv (a custom operator of no row rule).
    expect(r.streamingFloor).toBe(1_310_992);
    expect(r.passes.spill.streamed!.ops).toEqual(expect.arrayContaining(['CONV_2D', 'MUL']));
    expect(r.headOverStreamingFloor.after).toBeLessThanOrEqual(1.25);
    expect(r.before.head / r.after.head).toBeGreaterThanOrEqual(3);
    expect(r.compute.invoke[kernels].overhead).toBeLessThanOrEqual(0.05);
  });
});

describe('the long-skip models', () => {
  it('cut the head by a geometric mean of at least 1.5x (prisma-unet, mnv3-unet, unet-f32, selfie-seg)', () => {
    const files = ['prisma-unet-int8-256.tflite', 'mnv3-unet-int8-256.tflite', 'unet-f32-128.tflite', 'selfie-seg-f16w-256.tflite'];
    const ratios = files.map((f) => reductions.get(f)!);
    expect(ratios.every((x) => x > 1)).toBe(true);
    expect(Math.exp(ratios.reduce((a, x) => a + Math.log(x), 0) / ratios.length)).toBeGreaterThanOrEqual(1.5);
  });
});

describe('the stem', () => {
  it("mnv3-unet: the first conv reads its quantized input where it is, in place (no slice per band): the head within 1.25x the streaming floor", () => {
    // The plan whose bands slice it (its quantized input spilled right after QUANTIZE, each band fetching its rows)
    // has the lower head but the higher total. The conv writes its rows to its slot itself, a chunk of them per call.
    const file = 'mnv3-unet-int8-256.tflite';
    const result = optimize(readCorpusModel(file), { file, verify: { inputs: 1, seed: 3 } });
    expect(result.report.verified).toBe(true);
    expect(result.report.headOverStreamingFloor.after).toBeLessThanOrEqual(1.25);
    const ops = result.graph.main.ops;
    const quantized = ops.find((op) => op.opcode === 'QUANTIZE')!.outputs[0]!;
    const bands = ops.filter((op) => op.customCode === CONCAT_CONV && op.inputs[2] === quantized);
    expect(bands.length).toBeGreaterThan(0);
    expect(bands.every((op) => concatConvReadsInPlace(decodeConcatConvOptions(op.customOptions)))).toBe(true);
    expect(bands.every((op) => inChunks(op, result.graph.main.tensors))).toBe(true);
    expect(ops.some((op) => op.opcode === 'STRIDED_SLICE' && op.inputs[0] === quantized)).toBe(false);
  });
});

describe('streamed layers whose convolutions read their rows from the slots (TinySegConcatConv bands)', () => {
  it('bring nano-u (depthwise bands, the peak operators split further) and unet-f32 (float32, the padded taps skipped) within 1.25x the streaming floor, verified, within the 5% default', () => {
    for (const file of ['nano-u-int8-60x80.tflite', 'unet-f32-128.tflite']) {
      const result = optimize(readCorpusModel(file), { file, verify: { inputs: 1, seed: 3 } });
      const r = result.report;
      expect(r.passes.spill.streamed!.layers, file).toBeGreaterThan(0);
      expect(result.graph.main.ops.some((op) => op.customCode === CONCAT_CONV && decodeConcatConvOptions(op.customOptions).firstRow !== undefined)).toBe(true);
      expect(r.headOverStreamingFloor.after, file).toBeLessThanOrEqual(1.25);
      expect(r.verified).toBe(true);
      expect(r.compute.invoke.reference.overhead).toBeLessThanOrEqual(0.05);
    }
  });

  it("prisma-unet: streamed with its TRANSPOSE_CONVs in TinySegTransposeConv bands of exactly their rows (no whole one keeps the decoder's widest tensors), no accumulator left to gather after the spills: at the streaming floor", () => {
    const file = 'prisma-unet-int8-256.tflite';
    const result = optimize(readCorpusModel(file), { file, verify: { inputs: 1, seed: 3 } });
    const r = result.report;
    expect(r.passes.spill.streamed!.layers).toBeGreaterThan(0);
    expect(r.passes.spillsAfterConvInPlace.count).toBeGreaterThan(0);
    const gathers = result.graph.main.ops.filter((op) => op.customCode === TRANSPOSE_CONV_GATHER);
    expect(gathers.length).toBeGreaterThan(4);
    expect(gathers.every((op) => decodeTransposeConvGatherOptions(op.customOptions).band !== undefined)).toBe(true);
    expect(result.graph.main.ops.some((op) => op.opcode === 'TRANSPOSE_CONV')).toBe(false);
    expect(r.passes.transposeConvGather.rewritten).toBe(0);
    expect(r.headOverStreamingFloor.after).toBeLessThanOrEqual(1.25);
    expect(r.verified).toBe(true);
    expect(r.compute.invoke.reference.overhead).toBeLessThanOrEqual(0.05);
    // Every band of a layer reads the one multipliers tensor of its layer.
    const bands = result.graph.main.ops.filter((op) => op.customCode === CONCAT_CONV && decodeConcatConvOptions(op.customOptions).multipliers !== undefined);
    const layers = new Set(bands.map((op) => op.inputs[0]));
    expect(new Set(bands.map((op) => op.inputs[decodeConcatConvOptions(op.customOptions).multipliers!])).size).toBe(layers.size);
  });
});

describe('streamed layers and convolutions in place (TinySegConvInPlace)', () => {
  // MIT TinyEngine's best plans need 32,256 B (person-detect) and 50,688 B (vww), the input image included.
  it('bring person-detect to at most 32,256 B and vww to at most 46,080 B (both streamed), verified, within the 5% default', () => {
    for (const [file, limit] of [['person-detect-int8-96.tflite', 32_256], ['vww-mnv1-int8-96.tflite', 46_080]] as const) {
      const r = optimize(readCorpusModel(file), { file }).report;
      expect(r.passes.spill.streamed!.layers).toBeGreaterThan(0);
      expect(r.after.head).toBeLessThanOrEqual(limit);
      expect(r.verified).toBe(true);
      expect(r.compute.invoke.reference.overhead).toBeLessThanOrEqual(0.05);
    }
  });
});

describe('without external memory (no spill), as TinyEngine runs: row bands and convolutions in place', () => {
  // TinyEngine's plans keep everything in SRAM. Before TinySegConvInPlace called CMSIS-NN's kernels in a CMSIS-NN
  // build (it ran the reference ones, priced about 11x the builtin's), no conv ran in place there: 36,864 B
  // (person-detect) and 46,192 B (vww).
  it.each(['reference', 'cmsis-nn'] as const)('(%s) bring person-detect to at most 32,256 B and vww to at most 46,080 B, verified, within the 5% default', (kernels) => {
    for (const [file, limit] of [['person-detect-int8-96.tflite', 32_256], ['vww-mnv1-int8-96.tflite', 46_080]] as const) {
      const r = optimize(readCorpusModel(file), { file, kernels, maxSpillBytes: 0, verify: { inputs: 1, seed: 3 } }).report;
      expect(r.spill.decisions).toHaveLength(0);
      expect(r.passes.convInPlace.rewritten).toBeGreaterThan(0);
      expect(r.after.head).toBeLessThanOrEqual(limit);
      expect(r.verified).toBe(true);
      expect(r.compute.invoke[kernels].overhead).toBeLessThanOrEqual(0.05);
    }
  });
});

describe('streamed layers whose bands read the graph input in place', () => {
  it('bring person-detect and vww within the TinyEngine bounds under CMSIS-NN too, verified, within the 5% default: no slice of the input per band', () => {
    for (const [file, limit] of [['person-detect-int8-96.tflite', 32_256], ['vww-mnv1-int8-96.tflite', 46_080]] as const) {
      const r = optimize(readCorpusModel(file), { file, kernels: 'cmsis-nn' });
      expect(r.report.passes.spill.streamed!.layers).toBeGreaterThan(0);
      expect(r.report.after.head).toBeLessThanOrEqual(limit);
      expect(r.report.verified).toBe(true);
      expect(r.report.compute.invoke['cmsis-nn'].overhead).toBeLessThanOrEqual(0.05);
      const g = loadGraph(r.bytes).main;
      const input = g.inputs[0]!;
      const bands = g.ops.filter((op) => op.customCode === CONCAT_CONV && op.inputs[2] === input);
      expect(bands.length).toBeGreaterThan(0);
      expect(bands.every((op) => concatConvReadsInPlace(decodeConcatConvOptions(op.customOptions)))).toBe(true);
      expect(bands.every((op) => inChunks(op, g.tensors))).toBe(true);
      expect(g.ops.some((op) => op.opcode === 'STRIDED_SLICE' && op.inputs[0] === input)).toBe(false);
    }
  });
});

describe('streamed layers under the 5% default with CMSIS-NN, where every wide tensor streamed is over it', () => {
  it('mnv3-unet: its decoder resizes run as TinySegResizeBand bands (no row computed twice): head within 1.25x the streaming floor, verified', () => {
    const file = 'mnv3-unet-int8-256.tflite';
    const r = optimize(readCorpusModel(file), { file, kernels: 'cmsis-nn', verify: { inputs: 1, seed: 3 } });
    expect(loadGraph(r.bytes).main.ops.filter((op) => op.customCode === RESIZE_BAND).length).toBeGreaterThan(1);
    expect(r.report.headOverStreamingFloor.after).toBeLessThanOrEqual(1.25);
    expect(r.report.verified).toBe(true);
    expect(r.report.compute.invoke['cmsis-nn'].overhead).toBeLessThanOrEqual(0.05);
  });
  it('nano-u: the tensors at its peak are streamed, a third of the band chains\' 42,240 B, within 1.25x its streaming floor, verified', () => {
    const file = 'nano-u-int8-60x80.tflite';
    const r = optimize(readCorpusModel(file), { file, kernels: 'cmsis-nn', verify: { inputs: 1, seed: 3 } }).report;
    // Its convolutions write their rows to their slots themselves, a band's rows per conv call and write: the bands'
    // operators cost no tail and the rows no call each, so narrow bands fit the 5% default (before, 19,200 B, 1.333x).
    expect(r.passes.spill.streamed!.layers).toBeGreaterThan(0);
    expect(r.after.head).toBeLessThanOrEqual(42_240 / 2.5);
    expect(r.headOverStreamingFloor.after).toBeLessThanOrEqual(1.25);
    expect(r.verified).toBe(true);
    expect(r.compute.invoke['cmsis-nn'].overhead).toBeLessThanOrEqual(0.05);
    // A 10% limit never ends above the default's plan.
    const wide = optimize(readCorpusModel(file), { file, kernels: 'cmsis-nn', maxOverhead: 10, verify: false }).report;
    expect(wide.after.total).toBeLessThanOrEqual(r.after.total);
  });
});

describe('streamed transposed convs under CMSIS-NN: TinySegTransposeConv bands that compute their own rows', () => {
  it('prisma: its decoder upsamples in exact bands, head within 1.25x the streaming floor and faster than the original, verified', () => {
    const file = 'prisma-unet-int8-256.tflite';
    const r = optimize(readCorpusModel(file), { file, kernels: 'cmsis-nn', verify: { inputs: 1, seed: 3 } });
    const bands = loadGraph(r.bytes).main.ops.filter((op) => op.customCode === TRANSPOSE_CONV_GATHER);
    expect(bands.length).toBeGreaterThan(4);
    expect(bands.every((op) => decodeTransposeConvGatherOptions(op.customOptions).band !== undefined)).toBe(true);
    expect(r.report.headOverStreamingFloor.after).toBeLessThanOrEqual(1.25);
    expect(r.report.verified).toBe(true);
    // CMSIS-NN's TRANSPOSE_CONV costs about 7 instructions a MAC, the gather about 3.
    expect(r.report.compute.invoke['cmsis-nn'].overhead).toBeLessThan(0);
  });
});

describe('--max-overhead', () => {
  // nano-u is the corpus model the 5% default shapes most. Its decoder's RESIZE_NEAREST_NEIGHBOR is row-local, so
  // its bands start at the resize: under the 5% default with reference kernels, 4 bands of resize -> depthwise ->
  // 1x1 and then 2 of the next such run take the head 76,800 -> 38,400 (predicted +3.7%). With CMSIS-NN's fast
  // convolutions the bands' slices weigh more (a strided slice costs ~54 instructions per row run,
  // docs/compute-model.md): one split of 4 bands fits (42,240), the rest is over the limit. A large limit splits
  // the whole 6-op decoder tail in 4 bands at once, to the same 38,400.
  // The band chains alone (streamed layers, the default's other plan, take the reference head to 22,032).
  const file = 'nano-u-int8-60x80.tflite';
  it('nano-u: splits from the resize in 4 and 2 bands under the 5% default, once with CMSIS-NN, the whole tail with a large limit', () => {
    const capped = optimize(readCorpusModel(file), { file, verify: false, streamLayers: false }).report;
    expect(capped.keptOriginal).toBe(false);
    expect(capped.compute.splits.map((s) => s.bands)).toEqual([4, 2]);
    expect(capped.passes.splitRowBands.chains.every((c) => c.ops[0] === 'RESIZE_NEAREST_NEIGHBOR')).toBe(true);
    expect(capped.after.head).toBe(38_400);
    expect(capped.compute.invoke.reference.overhead).toBeLessThanOrEqual(0.05);
    const cmsis = optimize(readCorpusModel(file), { file, verify: false, kernels: 'cmsis-nn', streamLayers: false }).report;
    expect(cmsis.compute.splits.map((s) => s.bands)).toEqual([4]);
    // Its convs at the peak then run in place, CMSIS-NN's kernels row by row (42,240 B while they could not).
    expect(cmsis.passes.convInPlace.rewritten).toBeGreaterThan(0);
    expect(cmsis.after.head).toBe(39_680);
    expect(cmsis.compute.invoke['cmsis-nn'].overhead).toBeLessThanOrEqual(0.05);
    expect(cmsis.passes.splitRowBands.overLimit).toBeGreaterThan(0);
    const free = optimize(readCorpusModel(file), { file, verify: false, maxOverhead: 1000, streamLayers: false }).report;
    // The whole tail in bands leaves a conv at the peak, which then runs in place (TinySegConvInPlace); the peak then
    // moves where spills pay (28,000 B without them).
    expect(free.passes.convInPlace.rewritten).toBeGreaterThan(0);
    expect(free.passes.spillsAfterConvInPlace.count).toBeGreaterThan(0);
    expect(free.after.head).toBe(24_000);
    expect(free.compute.splits.map((s) => s.bands)).toEqual([4]);
    expect(free.compute.splits[0]!.extraMacs).toBeGreaterThan(0);
    expect(free.compute.invoke.reference.overhead).toBeGreaterThan(0.05);
  });
  it('nano-u: a 10% limit splits the tail in 4 bands, within it', () => {
    // The band chains' plan (the streamed one is the smaller here).
    const r = optimize(readCorpusModel(file), { file, verify: false, maxOverhead: 10, streamLayers: false }).report;
    expect(r.compute.splits.map((s) => s.bands)).toEqual([4]);
    expect(r.after.head).toBeLessThan(76_800);
    expect(r.compute.invoke.reference.overhead).toBeLessThanOrEqual(0.1);
  });
});

describe('--arena-budget', () => {
  // Aimed at a budget, the passes stop at the widest bands and fewest spills that fit it: on nano-u no such plan
  // fit, and the plans of the narrower splits the plain search makes were never tried, so a budget the default met
  // failed (reference 16,000 B: "needs 19,840"; CMSIS-NN 19,200 B: "needs 24,000").
  const file = 'nano-u-int8-60x80.tflite';
  it.each(['reference', 'cmsis-nn'] as const)('nano-u (%s): a budget the default plan meets is met, verified', (kernels) => {
    const free = optimize(readCorpusModel(file), { file, kernels, verify: false }).report;
    const r = optimize(readCorpusModel(file), { file, kernels, arenaBudget: free.after.head, verify: { inputs: 1 } }).report;
    expect(r.after.head).toBeLessThanOrEqual(free.after.head);
    expect(r.verified).toBe(true);
  });
  it('nano-u (CMSIS-NN): a budget of 1.25x its streaming floor is met within the 5% default, and a budget below the floor names the lowest head found', () => {
    const r = optimize(readCorpusModel(file), { file, kernels: 'cmsis-nn', arenaBudget: 18_000, verify: { inputs: 1 } }).report;
    expect(r.after.head).toBeLessThanOrEqual(18_000);
    expect(r.headOverStreamingFloor.after).toBeLessThanOrEqual(1.25);
    expect(r.verified).toBe(true);
    expect(r.compute.invoke['cmsis-nn'].overhead).toBeLessThanOrEqual(0.05);
    const below = r.streamingFloor - 400;
    let message = '';
    try {
      optimize(readCorpusModel(file), { file, kernels: 'cmsis-nn', arenaBudget: below, verify: false });
    } catch (e) {
      message = (e as Error).message;
    }
    const needs = Number(/the best found needs (\d+)/.exec(message)?.[1]);
    expect(needs).toBeGreaterThan(below);
    expect(needs).toBeLessThanOrEqual(r.after.head);
  });
});

describe('the written file', () => {
  it('carries the plan TFLM will use: its head is the one reported (prisma, spilled and rewritten)', () => {
    const file = 'prisma-unet-int8-256.tflite';
    const r = optimize(readCorpusModel(file), { file, verify: false });
    expect(r.report.spill.decisions.length).toBeGreaterThan(0);
    expect(planTflmArena(loadGraph(r.bytes)).head).toBe(r.report.after.head);
    expect(r.report.after.head).toBeLessThan(r.report.before.head);
  });

  it('unet-f32-128.tflite: its stem is computed in row bands that write the skip to its slot row by row, so the skip is never whole', () => {
    const file = 'unet-f32-128.tflite';
    // The band chains' plan (streamed layers, the default's other plan, stream every wide tensor).
    const r = optimize(readCorpusModel(file), { file, verify: { inputs: 1 }, streamLayers: false }).report;
    expect(r.spill.decisions[0]).toMatchObject({ fused: 'rows', spilled: 'rows' });
    expect(r.passes.spill.count).toBe(1);
    expect(r.verified).toBe(true);
    // With the skip whole until its spill, the head was 950,272 B (its stem in bands beside it); with the skip
    // alone spilled, 835,584 B. No conv runs in place: the spill pass runs once more on the best such plan.
    expect(r.passes.convInPlace.rewritten).toBe(0);
    expect(r.passes.spillsAfterConvInPlace.count).toBeGreaterThan(0);
    expect(r.after.head).toBeLessThan(835_584);
  });

  it('unet-f32-128.tflite: under CMSIS-NN the spill pass does not run once more (its compute model errs low there)', () => {
    const file = 'unet-f32-128.tflite';
    const r = optimize(readCorpusModel(file), { file, verify: false, kernels: 'cmsis-nn' }).report;
    expect(r.passes.convInPlace.rewritten).toBe(0);
    expect(r.passes.spillsAfterConvInPlace.count).toBe(0);
  });

  it.each(['unet-f32-128.tflite', 'prisma-unet-int8-256.tflite'])(
    '%s: each spill decision names the operators of the written file that write and last read its slot',
    (file) => {
      // unet-f32's stem is split in bands after its skip is spilled: the operators move after the spill pass.
      const r = optimize(readCorpusModel(file), { file, verify: false });
      const sg = loadGraph(r.bytes).main;
      expect(r.report.spill.decisions.length).toBeGreaterThan(0);
      for (const d of r.report.spill.decisions) {
        const spill = sg.ops[d.spillOp]!;
        if (spill.customCode === CONCAT_CONV) {
          // A streamed convolution that writes the whole slot itself, its rows in chunks.
          expect(d.spilled).toBe('rows');
          const out = decodeConcatConvOptions(spill.customOptions).out!;
          expect([out.offset, out.bytes]).toEqual([d.offset, d.bytes]);
          // A graph output streamed so exists whole only once its slot is fetched into it, after the last row.
          const whole = sg.tensors.find((t) => t.name === d.tensor);
          if (whole) expect([sg.outputs.includes(whole.index), sg.producerOf(whole.index)]).toEqual([true, sg.ops.length - 1]);
        } else if (d.spilled === 'rows') {
          // Written by the bands, each its rows: the slot's spills from spillOp on cover it end to end, and the
          // tensor never exists whole.
          expect([spill.customCode, decodeSpillOptions(spill.customOptions).offset]).toEqual([SPILL, d.offset]);
          const spills = sg.ops.slice(d.spillOp, d.fetchOp).filter((op) => op.customCode === SPILL);
          const inSlot = spills.map((op) => decodeSpillOptions(op.customOptions)).filter((o) => o.offset >= d.offset && o.offset < d.offset + d.bytes);
          // Rows of the decision's own tensor (another slot may have had the same bytes before, or after).
          const first = spills.find((op) => decodeSpillOptions(op.customOptions).offset === d.offset)!;
          expect(sg.tensors[first.inputs[0]!]!.name.startsWith(`${d.tensor}_`)).toBe(true);
          // A streamed operator that runs in one band writes its slot with one spill.
          expect(inSlot.length).toBeGreaterThan(d.streamed ? 0 : 1);
          expect(inSlot.reduce((at, o) => (o.offset === at ? at + o.bytes : -1), d.offset)).toBe(d.offset + d.bytes);
          expect(sg.tensors.some((t) => t.name === d.tensor)).toBe(false);
        } else {
          expect([spill.customCode, decodeSpillOptions(spill.customOptions).offset, sg.tensors[spill.inputs[0]!]!.name]).toEqual([SPILL, d.offset, d.tensor]);
        }
        const fetch = sg.ops[d.fetchOp]!;
        expect(d.fetchOp).toBeGreaterThan(d.spillOp);
        expect(regionReads(fetch.customCode ?? '', fetch.customOptions)?.some((at) => at >= d.offset && at < d.offset + d.bytes)).toBe(true);
      }
    },
  );
});

describe('--lossy-spill int8 on the float models that spill', () => {
  it('resnet8-f32-32.tflite: a quarter of the traffic, the same arena, a measured small error', () => {
    const file = 'resnet8-f32-32.tflite';
    // The cold-range spills' plan: streamed layers (the default's smaller plan here) keep no whole slot to quantize.
    const exact = optimize(readCorpusModel(file), { file, verify: false, streamLayers: false }).report;
    const lossy = optimize(readCorpusModel(file), { file, lossySpill: 'int8', verify: { inputs: 2, seed: 3 }, streamLayers: false }).report;
    expect(lossy.after.head).toBe(exact.after.head);
    expect(lossy.spill.decisions.length).toBe(exact.spill.decisions.length);
    expect(lossy.spill.decisions.every((d) => d.quantized)).toBe(true);
    // Each slot: the 8-byte header and one byte per float32 element.
    lossy.spill.decisions.forEach((d, i) => expect(d.bytes).toBe(8 + exact.spill.decisions[i]!.bytes / 4));
    expect(lossy.spill.bytesOut).toBe(exact.spill.bytesOut / 4 + 8 * exact.spill.decisions.length);
    expect(lossy.verified).toBe(false);
    expect(lossy.verification!.psnr).toBeGreaterThan(50);
  });

  it('unet-f32-128.tflite: its skip, fetched back by the decoder\'s row bands row by row, stays exact; the spills after it go as int8', () => {
    const file = 'unet-f32-128.tflite';
    // The band chains' plan: streamed layers (the default's other plan) keep no whole slot to quantize. Its whole
    // spills come once the bands' float32 resizes and adds are paid for (priced since 1526504): at 5.5%, not 5%.
    const limits = { streamLayers: false, maxOverhead: 5.5 };
    const exact = optimize(readCorpusModel(file), { file, verify: false, ...limits }).report;
    const lossy = optimize(readCorpusModel(file), { file, lossySpill: 'int8', verify: { inputs: 2, seed: 3 }, ...limits }).report;
    expect(exact.spill.decisions.map((d) => d.fused)).toContain('rows');
    // A quantized slot's scale sits at its start: a slot read in part is never quantized.
    expect(lossy.spill.decisions.filter((d) => d.fused === 'rows' && d.quantized)).toEqual([]);
    expect(lossy.spill.decisions[0]).toMatchObject({ fused: 'rows', spilled: 'rows' });
    expect(lossy.spill.decisions[0]!.quantized).toBeUndefined();
    expect(lossy.after.head).toBe(exact.after.head);
    // The spill pass's second run (no conv in place) sends whole tensors, those go as int8 codes.
    const quantized = lossy.spill.decisions.filter((d) => d.quantized).length;
    expect(quantized).toBeGreaterThan(0);
    expect(lossy.lossySpill).toEqual({ type: 'int8', slots: quantized });
    expect(lossy.spill.bytesOut).toBeLessThan(exact.spill.bytesOut);
    expect(lossy.verified).toBe(false);
    expect(lossy.verification!.psnr).toBeGreaterThan(40);
  });
});
