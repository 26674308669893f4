// The real segmentation models in test/models/segmentation (provenance in the
// README there), whose peak sits at the stem or at the full-resolution head:
// optimize() proves each bit-exact, never worse, within the default compute
// limit, and row bands run through the operators these heads and stems are
// made of (TRANSPOSE_CONV, a cropping STRIDED_SLICE, joins with a skip, dilated convs). An old uint8 model TFLM
// refuses is planned only (allowRefused), its head cut as its int8 sibling's; so is a hybrid one (int8 weights read by
// float convs).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { optimize, type OptimizeResult } from '../../src/optimize/optimize.js';
import { repoRoot } from '../helpers/paths.js';
import { CONCAT_CONV, decodeConcatConvOptions, FETCH, RESIZE_BAND } from '../../src/ops/tinyseg/custom-ops.js';
import { loadGraph } from '../../src/graph/graph.js';
import { rowRule } from '../../src/ops/registry.js';

const dir = join(repoRoot, 'test', 'models', 'segmentation');
const results = new Map<string, OptimizeResult>();
const run = (file: string): OptimizeResult => {
  if (!results.has(file)) results.set(file, optimize(new Uint8Array(readFileSync(join(dir, file))), { file, verify: { inputs: 1, seed: 3 } }));
  return results.get(file)!;
};
// The band chains alone (no streamed layers): the plan the default weighs the streamed one against.
const chainsOnly = new Map<string, OptimizeResult>();
const runChains = (file: string): OptimizeResult => {
  if (!chainsOnly.has(file)) chainsOnly.set(file, optimize(new Uint8Array(readFileSync(join(dir, file))), { file, verify: false, streamLayers: false }));
  return chainsOnly.get(file)!;
};

describe.each([
  'deeplabv3-mnv2-ade20k-int8-512.tflite',
  'portrait-video-int8-224.tflite',
  'mnv3-seg-f32io-256.tflite',
  'fastscnn-uav-int8-320.tflite',
  'bodypix-mnv1-f32-257.tflite',
  'deeplabv3-mnv2-dm05-f32-513.tflite',
])('%s', (file) => {
  it('is proved bit-exact, lower in head and total, within the 5% default compute limit', () => {
    const r = run(file).report;
    expect(r.verified).toBe(true);
    expect(r.after.head).toBeLessThan(r.before.head);
    expect(r.after.total).toBeLessThan(r.before.total);
    expect(r.compute.invoke.reference.overhead).toBeLessThanOrEqual(0.05 + 1e-9);
    // The floor is what no row band can remove: the head never goes below it.
    expect(r.headOverStreamingFloor.after).toBeGreaterThanOrEqual(1);
    expect(r.headOverStreamingFloor.after).toBeLessThan(r.headOverStreamingFloor.before);
  });
});

describe('where the bands run', () => {
  it('portrait-video: bands through the TRANSPOSE_CONV head and its crop cut the head more than 2x; streamed layers cut the arena further', () => {
    const file = 'portrait-video-int8-224.tflite';
    // The band chains alone (no streamed layers): the plan the default weighs the streamed one against.
    const r = optimize(new Uint8Array(readFileSync(join(dir, file))), { file, verify: false, streamLayers: false }).report;
    const ops = r.passes.splitRowBands.chains.flatMap((c) => c.ops);
    expect(ops).toContain('TRANSPOSE_CONV');
    expect(ops).toContain('STRIDED_SLICE');
    expect(r.before.head / r.after.head).toBeGreaterThan(2);
    const streamed = run(file).report;
    expect(streamed.passes.spill.streamed!.layers).toBeGreaterThan(0);
    expect(streamed.after.total).toBeLessThan(r.after.total);
  });

  it('portrait-video: streamed, its convolutions and depthwise convolutions as TinySegConcatConv bands reading their rows from the slots: the head within 1.25x the streaming floor', () => {
    const result = run('portrait-video-int8-224.tflite');
    const r = result.report;
    expect(r.passes.spill.streamed!.layers).toBeGreaterThan(0);
    const bands = result.graph.main.ops.filter((op) => op.customCode === CONCAT_CONV).map((op) => decodeConcatConvOptions(op.customOptions));
    expect(bands.some((o) => o.firstRow !== undefined && o.depthMultiplier === undefined)).toBe(true);
    expect(bands.some((o) => o.firstRow !== undefined && o.depthMultiplier !== undefined)).toBe(true);
    expect(r.headOverStreamingFloor.after).toBeLessThanOrEqual(1.25);
    expect(r.verified).toBe(true);
  });

  it('portrait-video: its PADs before depthwise convs become their SAME padding, and the head falls 3.5x (2.6x with the padded copies)', () => {
    const r = run('portrait-video-int8-224.tflite').report;
    expect(r.passes.foldPads.folded).toBeGreaterThanOrEqual(20);
    expect(r.before.head / r.after.head).toBeGreaterThan(3.5);
  });

  it('deeplabv3 ADE20K: bands from the ASPP through the 4x resize, the decoder CONCATENATION with its low-level projection (written after the resize) and the 512x512 resize into ARG_MAX, cutting the head more than 2x', () => {
    const r = runChains('deeplabv3-mnv2-ade20k-int8-512.tflite').report;
    const decoder = r.passes.splitRowBands.chains.find((c) => c.output === 'ArgMax')!;
    expect(decoder.ops.filter((op) => op === 'RESIZE_BILINEAR')).toHaveLength(2);
    expect(decoder.ops).toContain('CONCATENATION');
    expect(decoder.ops[decoder.ops.length - 1]).toBe('ARG_MAX');
    expect(r.before.head / r.after.head).toBeGreaterThan(2);
  });

  it('deeplabv3 ADE20K: the bands through the encoder stage at stride 4 compute its low-level projection for the decoder too (an exit), so its 2.3 MB depthwise output never exists whole', () => {
    const r = runChains('deeplabv3-mnv2-ade20k-int8-512.tflite').report;
    const encoder = r.passes.splitRowBands.chains.find((c) => c.exits?.some((t) => t.startsWith('decoder/feature_projection0')))!;
    expect(encoder.ops).toContain('DEPTHWISE_CONV_2D');
    // Below that output alone (128x128x144); the chains still join the ARG_MAX bands beside the 1 MiB class map, where
    // the streamed default writes them to a slot (next test).
    expect(r.after.head).toBeLessThan(128 * 128 * 144);
  });

  it('deeplabv3 ADE20K: streamed, its resizes as TinySegResizeBand bands and its ARG_MAX in bands of the streamed 512x512 resize, the class map streamed too: the head at the streaming floor (the class map), below the band chains\' arena, predicted within 0.1%', () => {
    const result = run('deeplabv3-mnv2-ade20k-int8-512.tflite');
    const r = result.report;
    expect(r.passes.spill.streamed!.layers).toBeGreaterThan(0);
    const ops = result.graph.main.ops;
    expect(ops.filter((op) => op.customCode === RESIZE_BAND).length).toBeGreaterThan(1);
    expect(ops.filter((op) => op.opcode === 'ARG_MAX').length).toBeGreaterThan(1);
    expect(r.headOverStreamingFloor.after).toBe(1);
    expect(r.after.head).toBe(512 * 512 * 4);
    expect(result.graph.main.ops.at(-1)!.customCode).toBe(FETCH);
    expect(r.after.total).toBeLessThan(runChains('deeplabv3-mnv2-ade20k-int8-512.tflite').report.after.total);
    // The 1 MiB class map fetched whole once its last band is in the slot.
    expect(r.compute.invoke.reference.overhead).toBeLessThanOrEqual(0.001);
  });

  it('bodypix and Fast-SCNN: their dilated convs (rate 2 and 4) run in bands, so neither exists whole; the heads within 1.25x their floors, cut 2x or more', () => {
    for (const file of ['bodypix-mnv1-f32-257.tflite', 'fastscnn-uav-int8-320.tflite']) {
      const result = run(file);
      const r = result.report;
      // Every dilated conv of the original has a row rule: none is part of the floor.
      const original = loadGraph(new Uint8Array(readFileSync(join(dir, file)))).main;
      const dilated = original.ops.filter((op) => ((op.options as { dilationHFactor?: number } | null)?.dilationHFactor ?? 1) > 1);
      expect(dilated.length, file).toBeGreaterThan(0);
      for (const op of dilated) expect(rowRule(original, op), file).not.toBeNull();
      expect(r.headOverStreamingFloor.after, file).toBeLessThanOrEqual(1.25);
      expect(r.before.head / r.after.head, file).toBeGreaterThanOrEqual(2);
    }
  });

  it('mnv3-seg: bands from the full-resolution resize through QUANTIZE and DEQUANTIZE into the float output (the band chains; the default streams, to a smaller arena)', () => {
    const chains = runChains('mnv3-seg-f32io-256.tflite').report;
    expect(chains.passes.splitRowBands.chains.some((c) => c.ops.includes('RESIZE_BILINEAR') && c.ops.includes('DEQUANTIZE'))).toBe(true);
    expect(run('mnv3-seg-f32io-256.tflite').report.after.total).toBeLessThanOrEqual(chains.after.total);
  });

  it('deeplabv3 dm0.5 at 513: its ASPP image pooling, spread over 65x65 by an align_corners resize of one row, streamed in bands of the rows each needs (never whole): the head at the float input, its floor, 6x lower', () => {
    const result = run('deeplabv3-mnv2-dm05-f32-513.tflite');
    const r = result.report;
    const sg = result.graph.main;
    const spread = sg.ops.filter((op) => op.opcode === 'RESIZE_BILINEAR' && sg.tensors[op.inputs[0]!]!.shape[1] === 1);
    expect(spread.length).toBeGreaterThan(1);
    for (const op of spread) expect(sg.tensors[op.outputs[0]!]!.shape[1]).toBeLessThan(65);
    expect(r.streamingFloor).toBe(513 * 513 * 3 * 4 + 4);
    expect(r.headOverStreamingFloor.after).toBe(1);
    expect(r.before.head / r.after.head).toBeGreaterThan(5.5);
  });

  it('deeplabv3 ADE20K in uint8, which TFLM refuses (no uint8 kernels): refused by default; planned with allowRefused, its head streamed as the int8 sibling\'s, cut over 10x to within 1.25x the class map, the floor', () => {
    const file = 'deeplabv3-mnv2-ade20k-uint8-512.tflite';
    const bytes = new Uint8Array(readFileSync(join(dir, file)));
    expect(() => optimize(bytes, { file, verify: false })).toThrow(/operator 0 \(CONV_2D\)/);
    const r = optimize(bytes, { file, allowRefused: true, verify: false }).report;
    expect(r.verified).toBeNull();
    expect(r.warnings.some((w) => w.includes('memory planning only'))).toBe(true);
    // The resizes and the ARG_MAX are row-local in uint8 too: the floor is the int32 class map, as the int8 sibling's.
    expect(r.streamingFloor).toBe(512 * 512 * 4);
    expect(r.passes.spill.streamed!.ops).toEqual(expect.arrayContaining(['RESIZE_BILINEAR', 'ARG_MAX', 'CONCATENATION']));
    expect(r.before.head / r.after.head).toBeGreaterThan(10);
    expect(r.headOverStreamingFloor.after).toBeLessThanOrEqual(1.25);
    expect(r.compute.invoke.reference.overhead).toBeLessThanOrEqual(0.05 + 1e-9);
    // For a CMSIS-NN build too: CMSIS-NN has no uint8 kernels, so the budget is kept on the reference arithmetic.
    const cmsis = optimize(bytes, { file, allowRefused: true, verify: false, kernels: 'cmsis-nn' }).report;
    expect(cmsis.headOverStreamingFloor.after).toBeLessThanOrEqual(1.25);
    expect(cmsis.compute.invoke['cmsis-nn'].overhead).toBeLessThanOrEqual(0.05 + 1e-9);
  });

  it.each(['reference', 'cmsis-nn'] as const)(
    'prisma-net dynamic-range quantized, which TFLM refuses (hybrid convs), under %s: planned with allowRefused, streamed in builtin bands (no TinySeg conv has hybrid arithmetic), cut over 10x to within 1.25x the float input, its floor',
    (kernels) => {
      const file = 'prisma-net-hybrid-256.tflite';
      const bytes = new Uint8Array(readFileSync(join(dir, file)));
      const { report: r, bytes: out } = optimize(bytes, { file, allowRefused: true, verify: false, kernels });
      expect(r.warnings.some((w) => w.includes('Hybrid models are not supported'))).toBe(true);
      expect(r.streamingFloor).toBe(256 * 256 * 3 * 4);
      expect(r.passes.spill.streamed!.ops).toEqual(expect.arrayContaining(['CONV_2D', 'DEPTHWISE_CONV_2D', 'TRANSPOSE_CONV', 'ADD']));
      expect(r.before.head / r.after.head).toBeGreaterThan(10);
      expect(r.headOverStreamingFloor.after).toBeLessThanOrEqual(1.25);
      expect(r.compute.invoke[kernels].overhead).toBeLessThanOrEqual(0.05 + 1e-9);
      const sg = loadGraph(out).main;
      for (const op of sg.ops.filter((o) => o.customCode === CONCAT_CONV)) expect(sg.tensors[op.inputs[0]!]!.dtype).toBe('float32');
    },
  );
});
