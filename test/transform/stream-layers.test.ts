// Layer streaming against the original graph: the same bytes out of a small
// U-Net (SAME convs of stride 1 and 2 on odd and even heights, a VALID conv, a
// pool, a resize, a skip joined by CONCATENATION and one by ADD), int8 and
// float32, at every band size the optimizer tries; the wide tensors never
// exist whole, and convolutions compute each output row once.

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { loadGraph, saveGraph, type Graph } from '../../src/graph/graph.js';
import type { Quantization } from '../../src/graph/types.js';
import { verifyModels } from '../../src/interpreter/verify.js';
import { planTflmArena } from '../../src/tflm/arena.js';
import { streamedOutputs, streamLayers, type StreamLayersResult } from '../../src/transform/stream-layers.js';
import { spillWhereItPaysPass } from '../../src/optimize/pipeline.js';
import { kernelsFor, REFERENCE_KERNELS, scratchRequests } from '../../src/ops/registry.js';
import { estimateTail32 } from '../../src/tflm/tail.js';
import {
  CONCAT_CONV,
  decodeConcatConvOptions,
  decodeFetchOptions,
  decodeResizeBandOptions,
  decodeSpillOptions,
  encodeConcatConvOptions,
  encodeFetchOptions,
  encodeSpillOptions,
  FETCH,
  RESIZE_BAND,
  SPILL,
  regionWrite,
} from '../../src/ops/tinyseg/custom-ops.js';
import { runModel } from '../../src/interpreter/interpreter.js';
import { perChannelMultipliers } from '../../src/ops/conv-params.js';
import { graphCompute } from '../../src/analysis/compute.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { optimize } from '../../src/optimize/optimize.js';
import { repoRoot } from '../helpers/paths.js';
import { paddingFor } from '../../src/ops/kernel.js';

const conv = (padding: number, stride: number) => ({ type: 'Conv2DOptions', value: { padding, strideH: stride, strideW: stride, dilationHFactor: 1, dilationWFactor: 1 } });

/** x [1, H, 20, 3] -> conv 3x3 -> dw 3x3 s2 SAME -> maxpool 2x2 -> conv 3x3 VALID -> resize x2 -> concat skip -> conv 1x1 -> ADD skip -> conv 1x1. */
function unet(dtype: 'int8' | 'float32', H: number): Graph {
  const b = new GraphBuilder();
  let seed = 3;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const q = (scale: number, zp: number): Quantization | null => (dtype === 'int8' ? { scale: [scale], zeroPoint: [zp], quantizedDimension: 0 } : null);
  const weights = (name: string, shape: number[], channels: number) => {
    const n = shape.reduce((a, c) => a * c, 1);
    if (dtype === 'float32') return b.constant(name, { dtype, shape }, Float32Array.from({ length: n }, () => rand() * 0.4));
    const scale = Array.from({ length: channels }, (_, i) => 0.01 + 0.002 * i);
    const quantization = { scale, zeroPoint: new Array<number>(channels).fill(0), quantizedDimension: shape[0] === 1 ? 3 : 0 };
    return b.constant(name, { dtype, shape, quantization }, Int8Array.from({ length: n }, () => Math.round(rand() * 100)));
  };
  const t = (name: string, h: number, w: number, c: number, zp = -3) => b.tensor(name, { dtype, shape: [1, h, w, c], quantization: q(0.08, zp) });
  const W = 20;
  const x = b.input('x', { dtype, shape: [1, H, W, 3], quantization: q(0.05, 4) });
  const c1 = t('c1', H, W, 8);
  b.op({ opcode: 'CONV_2D', inputs: [x, weights('c1_w', [8, 3, 3, 3], 8), -1], outputs: [c1], options: conv(0, 1) });
  const h2 = Math.ceil(H / 2);
  const d2 = t('d2', h2, W / 2, 8);
  b.op({ opcode: 'DEPTHWISE_CONV_2D', inputs: [c1, weights('d2_w', [1, 3, 3, 8], 8), -1], outputs: [d2], options: { type: 'DepthwiseConv2DOptions', value: { padding: 0, strideH: 2, strideW: 2, depthMultiplier: 1, dilationHFactor: 1, dilationWFactor: 1 } } });
  const h3 = Math.floor(h2 / 2);
  const p3 = t('p3', h3, W / 4, 8);
  b.op({ opcode: 'MAX_POOL_2D', inputs: [d2], outputs: [p3], options: { type: 'Pool2DOptions', value: { padding: 1, strideH: 2, strideW: 2, filterHeight: 2, filterWidth: 2 } } });
  const v4 = t('v4', h3 - 2, W / 4 - 2, 16);
  b.op({ opcode: 'CONV_2D', inputs: [p3, weights('v4_w', [16, 3, 3, 8], 16), -1], outputs: [v4], options: conv(1, 1) });
  const r5 = t('r5', 2 * (h3 - 2), W / 2 - 4, 16);
  b.op({ opcode: 'RESIZE_BILINEAR', inputs: [v4, b.constant('r5_size', { dtype: 'int32', shape: [2] }, new Int32Array([2 * (h3 - 2), W / 2 - 4]))], outputs: [r5], options: { type: 'ResizeBilinearOptions', value: { halfPixelCenters: true } } });
  const d5 = t('d5', 2 * (h3 - 2), W / 2 - 4, 8);
  b.op({ opcode: 'CONV_2D', inputs: [r5, weights('d5_w', [8, 1, 1, 16], 8), -1], outputs: [d5], options: conv(0, 1) });
  // The skip, cropped to the decoder's rows and columns by a VALID conv of its own.
  const s5 = t('s5', 2 * (h3 - 2), W / 2 - 4, 8);
  b.op({ opcode: 'CONV_2D', inputs: [d2, weights('s5_w', [8, h2 - 2 * (h3 - 2) + 1, 5, 8], 8), -1], outputs: [s5], options: conv(1, 1) });
  const cat = t('cat', 2 * (h3 - 2), W / 2 - 4, 16);
  b.op({ opcode: 'CONCATENATION', inputs: [s5, d5], outputs: [cat], options: { type: 'ConcatenationOptions', value: { axis: 3 } } });
  const m6 = t('m6', 2 * (h3 - 2), W / 2 - 4, 8);
  b.op({ opcode: 'CONV_2D', inputs: [cat, weights('m6_w', [8, 1, 1, 16], 8), -1], outputs: [m6], options: conv(0, 1) });
  const a7 = t('a7', 2 * (h3 - 2), W / 2 - 4, 8);
  b.op({ opcode: 'ADD', inputs: [m6, s5], outputs: [a7], options: { type: 'AddOptions', value: {} } });
  const y = t('y', 2 * (h3 - 2), W / 2 - 4, 2);
  b.op({ opcode: 'CONV_2D', inputs: [a7, weights('y_w', [2, 1, 1, 8], 2), -1], outputs: [y], options: conv(0, 1) });
  b.output(y);
  return loadGraph(saveGraph(b.build()));
}

describe('streamLayers', () => {
  for (const dtype of ['int8', 'float32'] as const) {
    for (const H of [48, 47]) {
      it(`${dtype}, ${H} rows: every band size computes the original's bytes, the wide tensors only in the region`, () => {
        const widest = Math.max(...unet(dtype, H).main.tensors.filter((t) => t.kind === 'activation').map((t) => t.byteSize));
        // Band size, bands of a slot as TinySegConcatConv, bands of an input in the arena in place.
        const trials = [
          [1 / 2, true, true],
          [1 / 8, true, true],
          [1 / 32, true, true],
          [1 / 8, false, true],
          [1 / 32, false, false],
          [1 / 8, true, false],
        ] as const;
        for (const [fraction, concatConv, inPlace] of trials) {
          const g = unet(dtype, H);
          const before = planTflmArena(g).lowerBound.bytes;
          const macs = graphCompute(g.main).macs;
          const r = streamLayers(g.main, Math.floor(widest * fraction), undefined, { concatConv, inPlace });
          expect(r.decisions.length).toBeGreaterThan(0);
          const after = loadGraph(saveGraph(g));
          const names = new Set(after.main.tensors.map((t) => t.name));
          // c1, the widest, lives in the region: only its bands exist.
          expect(r.decisions.map((d) => d.tensor)).toContain('c1');
          expect(names.has('c1')).toBe(false);
          expect(planTflmArena(after).lowerBound.bytes).toBeLessThan(before);
          // The convolutions pad their own bands and run VALID: no output row computed twice.
          expect(graphCompute(after.main).macs).toBe(macs);
          // Each slot is written once, row by row in order, and read only inside it.
          for (const d of r.decisions) {
            // Spills of bands, or a convolution that writes its rows there itself.
            const spills = after.main.ops.flatMap((op) => (op.customCode ? (regionWrite(op.customCode, op.customOptions) ?? []) : []));
            const writes = spills.filter((o) => o.offset >= d.offset && o.offset < d.offset + d.bytes);
            expect(writes.reduce((n, o) => n + o.bytes, 0)).toBeGreaterThanOrEqual(d.bytes);
          }
          expect(after.main.ops.some((op) => op.customCode === FETCH)).toBe(true);
          // No PAD copies a fetched band.
          const fetched = new Set(after.main.ops.filter((op) => op.customCode === FETCH).map((op) => op.outputs[0]));
          expect(after.main.ops.filter((op) => op.opcode === 'PAD' && fetched.has(op.inputs[0]!))).toEqual([]);
          const concatConvBands = after.main.ops.filter(
            (op) => op.customCode === CONCAT_CONV && decodeConcatConvOptions(op.customOptions).firstRow !== undefined,
          );
          const reads = (op: (typeof concatConvBands)[number]) => decodeConcatConvOptions(op.customOptions).parts[0]!;
          const bands = concatConvBands.filter((op) => 'offset' in reads(op));
          // c1 reads the graph input: in place, its bands read x where it is (no slice, no PAD); else slices of it.
          const x = after.main.inputs[0]!;
          const inPlaceBands = concatConvBands.filter((op) => 'input' in reads(op));
          const slices = after.main.ops.filter((op) => op.opcode === 'STRIDED_SLICE' && op.inputs[0] === x);
          expect(inPlaceBands.length > 0).toBe(inPlace);
          expect(slices.length > 0).toBe(!inPlace);
          expect(inPlaceBands.every((op) => op.inputs[2] === x && decodeConcatConvOptions(op.customOptions).height === undefined)).toBe(true);
          expect(after.main.ops.filter((op) => op.opcode === 'PAD').length).toBe(inPlace ? 0 : slices.length);
          const convsOnFetches = after.main.ops.filter((op) => (op.opcode === 'CONV_2D' || op.opcode === 'DEPTHWISE_CONV_2D') && fetched.has(op.inputs[0]!));
          if (concatConv) {
            // A convolution whose input is in a slot runs as TinySegConcatConv bands reading it there (the depthwise d2
            // among them): no convolution reads a fetch.
            expect(bands.some((op) => decodeConcatConvOptions(op.customOptions).depthMultiplier === 1)).toBe(true);
            expect(convsOnFetches).toEqual([]);
          } else {
            // Without them, a convolution's band fetched from its slot comes framed.
            expect(bands).toEqual([]);
            expect(convsOnFetches.length).toBeGreaterThan(0);
            expect(after.main.ops.some((op) => op.customCode === FETCH && decodeFetchOptions(op.customOptions).pad)).toBe(true);
          }
          expect(r.regionBytes).toBeGreaterThanOrEqual(Math.max(...r.decisions.map((d) => d.offset + d.bytes)));
          expect(verifyModels(unet(dtype, H), after, { inputs: 3, seed: 7 }).differingBytes).toBe(0);
        }
      });
    }
  }

  it('computes a streamed int8 resize band by band with TinySegResizeBand, each band its own rows; a float32 one with the builtin', () => {
    for (const dtype of ['int8', 'float32'] as const) {
      const widest = Math.max(...unet(dtype, 48).main.tensors.filter((t) => t.kind === 'activation').map((t) => t.byteSize));
      const g = unet(dtype, 48);
      streamLayers(g.main, Math.floor(widest / 32));
      const after = loadGraph(saveGraph(g));
      const bands = after.main.ops.filter((op) => op.customCode === RESIZE_BAND).map((op) => decodeResizeBandOptions(op.customOptions));
      if (dtype === 'float32') {
        expect(bands).toEqual([]);
        expect(after.main.ops.filter((op) => op.opcode === 'RESIZE_BILINEAR').length).toBeGreaterThan(1);
        expect(verifyModels(unet(dtype, 48), after, { inputs: 3, seed: 7 }).differingBytes).toBe(0);
        continue;
      }
      expect(bands.length).toBeGreaterThan(1);
      expect(after.main.ops.some((op) => op.opcode === 'RESIZE_BILINEAR')).toBe(false);
      // Consecutive, disjoint output rows covering r5: no row computed twice, none sliced off.
      const r5 = unet(dtype, 48).main.tensors.find((t) => t.name === 'r5')!;
      expect(bands.map((o) => o.firstOutRow)[0]).toBe(0);
      const rows = after.main.ops.filter((op) => op.customCode === RESIZE_BAND).reduce((n, op) => n + after.main.tensors[op.outputs[0]!]!.shape[1]!, 0);
      expect(rows).toBe(r5.shape[1]);
      expect(verifyModels(unet(dtype, 48), after, { inputs: 3, seed: 7 }).differingBytes).toBe(0);
    }
  });

  it('runs an ARG_MAX over the channels (a 3-D output) in bands, fetching its rows of a streamed resize: the resize output is never whole', () => {
    const head = () => {
      const b = new GraphBuilder();
      const q = { scale: [0.05], zeroPoint: [2], quantizedDimension: 0 };
      const x = b.input('x', { dtype: 'int8', shape: [1, 12, 10, 6], quantization: q });
      const r = b.tensor('r', { dtype: 'int8', shape: [1, 48, 40, 6], quantization: q });
      const size = b.constant('size', { dtype: 'int32', shape: [2] }, new Int32Array([48, 40]));
      b.op({ opcode: 'RESIZE_BILINEAR', inputs: [x, size], outputs: [r], options: { type: 'ResizeBilinearOptions', value: { halfPixelCenters: true } } });
      const y = b.tensor('y', { dtype: 'int32', shape: [1, 48, 40] });
      const axis = b.constant('axis', { dtype: 'int32', shape: [1] }, new Int32Array([3]));
      b.op({ opcode: 'ARG_MAX', inputs: [r, axis], outputs: [y], options: { type: 'ArgMaxOptions', value: { outputType: 2 } } });
      b.output(y);
      return loadGraph(saveGraph(b.build()));
    };
    const g = head();
    const r = streamLayers(g.main, 2048);
    expect(r.decisions.map((d) => d.tensor)).toEqual(['r']);
    const after = loadGraph(saveGraph(g));
    expect(after.main.ops.filter((op) => op.opcode === 'ARG_MAX').length).toBeGreaterThan(1);
    expect(after.main.ops.filter((op) => op.customCode === RESIZE_BAND).length).toBeGreaterThan(1);
    expect(after.main.tensors.some((t) => t.name === 'r')).toBe(false);
    // The output, its bands (placed inside it by the optimizer, row-join.ts) and a band of the resize: below the
    // resize output and the output together.
    expect(planTflmArena(after).lowerBound.bytes).toBeLessThan(planTflmArena(head()).lowerBound.bytes);
    expect(verifyModels(head(), after, { inputs: 3, seed: 7 }).differingBytes).toBe(0);

    // Graph outputs streamed too: the class map's bands go to its slot, one fetch writes it whole at the end, so it
    // is never whole beside its bands or the resize's (DeepLab's 512x512 int32 map: 2 MiB -> 1 MiB at the head).
    const h = head();
    const o = streamLayers(h.main, 2048, undefined, { outputs: true });
    expect(o.decisions.map((d) => d.tensor).sort()).toEqual(['r', 'y']);
    const streamed = loadGraph(saveGraph(h));
    const sg = streamed.main;
    const writer = sg.ops[sg.producerOf(sg.outputs[0]!)]!;
    expect(writer.customCode).toBe(FETCH);
    expect(sg.ops.at(-1)).toBe(writer);
    expect(sg.ops.some((op) => op.opcode === 'CONCATENATION')).toBe(false);
    expect(planTflmArena(streamed).lowerBound.bytes).toBeLessThan(planTflmArena(after).lowerBound.bytes);
    expect(verifyModels(head(), streamed, { inputs: 3, seed: 7 }).differingBytes).toBe(0);
  });

  it("streams a squeeze-excite MUL by its [1, 1, 1, C] scale: every band reads the scale whole, the scaled features never whole", () => {
    const block = () => {
      const b = new GraphBuilder();
      const q = (s: number, z = 0) => ({ scale: [s], zeroPoint: [z], quantizedDimension: 0 });
      const x = b.input('x', { dtype: 'int8', shape: [1, 40, 32, 16], quantization: q(0.05, -3) });
      const pooled = b.tensor('pooled', { dtype: 'int8', shape: [1, 1, 1, 16], quantization: q(0.05, -3) });
      const axes = b.constant('axes', { dtype: 'int32', shape: [2] }, new Int32Array([1, 2]));
      b.op({ opcode: 'MEAN', inputs: [x, axes], outputs: [pooled], options: { type: 'ReducerOptions', value: { keepDims: true } } });
      const s = b.tensor('s', { dtype: 'int8', shape: [1, 1, 1, 16], quantization: q(1 / 256, -128) });
      b.op({ opcode: 'LOGISTIC', inputs: [pooled], outputs: [s] });
      const scaled = b.tensor('scaled', { dtype: 'int8', shape: [1, 40, 32, 16], quantization: q(0.04, 1) });
      b.op({ opcode: 'MUL', inputs: [x, s], outputs: [scaled], options: { type: 'MulOptions', value: {} } });
      const y = b.tensor('y', { dtype: 'int8', shape: [1, 40, 32, 16], quantization: q(0.04, 1) });
      b.op({ opcode: 'RELU', inputs: [scaled], outputs: [y] });
      b.output(y);
      return loadGraph(saveGraph(b.build()));
    };
    const g = block();
    const r = streamLayers(g.main, 4096, undefined, { only: new Set(['scaled']) });
    expect(r.decisions.map((d) => d.tensor)).toEqual(['scaled']);
    const after = loadGraph(saveGraph(g));
    const muls = after.main.ops.filter((op) => op.opcode === 'MUL');
    expect(muls.length).toBeGreaterThan(1);
    // Each band's MUL reads the scale itself, whole.
    const scale = after.main.tensors.find((t) => t.name === 's')!.index;
    expect(muls.every((op) => op.inputs[1] === scale)).toBe(true);
    expect(after.main.tensors.some((t) => t.name === 'scaled')).toBe(false);
    expect(verifyModels(block(), after, { inputs: 3, seed: 7 }).differingBytes).toBe(0);
  });

  it('streams only the tensors it is given (StreamOptions.only), the others left whole', () => {
    const g = unet('int8', 48);
    const widest = Math.max(...g.main.tensors.filter((t) => t.kind === 'activation').map((t) => t.byteSize));
    const r = streamLayers(g.main, Math.floor(widest / 8), undefined, { only: new Set(['c1']) });
    expect(r.decisions.map((d) => d.tensor)).toEqual(['c1']);
    expect(r.only).toEqual(new Set(['c1']));
    const after = loadGraph(saveGraph(g));
    const names = new Set(after.main.tensors.map((t) => t.name));
    expect(names.has('c1')).toBe(false);
    expect(['d2', 'r5', 'cat', 'a7'].every((n) => names.has(n))).toBe(true);
    expect(verifyModels(unet('int8', 48), after, { inputs: 3, seed: 7 }).differingBytes).toBe(0);
  });

  it('streams a graph output nothing reads when asked: its bands go to its slot and one fetch writes it whole, no concatenation of them', () => {
    for (const dtype of ['int8', 'float32'] as const) {
      const widest = Math.max(...unet(dtype, 48).main.tensors.filter((t) => t.kind === 'activation').map((t) => t.byteSize));
      const joined = unet(dtype, 48);
      streamLayers(joined.main, Math.floor(widest / 32));
      const y = joined.main.outputs[0]!;
      expect(joined.main.ops[joined.main.producerOf(y)]!.opcode).toBe('CONCATENATION');
      expect(streamedOutputs(unet(dtype, 48).main, Math.floor(widest / 32), REFERENCE_KERNELS)).toBe(1);
      const g = unet(dtype, 48);
      const r = streamLayers(g.main, Math.floor(widest / 32), undefined, { outputs: true });
      expect(r.decisions.map((d) => d.tensor)).toContain('y');
      const after = loadGraph(saveGraph(g));
      const ops = after.main.ops;
      const writer = ops[after.main.producerOf(after.main.outputs[0]!)]!;
      expect(writer.customCode).toBe(FETCH);
      expect(ops.indexOf(writer)).toBe(ops.length - 1);
      const whole = decodeFetchOptions(writer.customOptions);
      const slot = r.decisions.find((d) => d.tensor === 'y')!;
      expect([whole.offset, whole.bytes]).toEqual([slot.offset, slot.bytes]);
      const inSlot = (at: number) => at >= slot.offset && at < slot.offset + slot.bytes;
      expect(ops.filter((op) => op.customCode === SPILL && inSlot(decodeSpillOptions(op.customOptions).offset)).length).toBeGreaterThan(1);
      expect(verifyModels(unet(dtype, 48), after, { inputs: 3, seed: 7 }).differingBytes).toBe(0);
    }
  });

  it('splits the operators at the peak into more bands while the arena drops (streamBands), each split proved', () => {
    for (const dtype of ['int8', 'float32'] as const) {
      const widest = Math.max(...unet(dtype, 48).main.tensors.filter((t) => t.kind === 'activation').map((t) => t.byteSize));
      // Bands run by the builtins, the graph input's sliced (a convolution that writes its rows to its slot itself is
      // one operator, with no bands to split).
      const context = { spill: true, quantizeFloat: false, kernels: REFERENCE_KERNELS, streamLayers: true, streamInPlace: false };
      const plain = unet(dtype, 48);
      const streamBands = { bandBytes: widest / 2, outputs: false, concatConv: false };
      const first = spillWhereItPaysPass.run(plain, { ...context, streamBands }) as StreamLayersResult;
      const arenaOf = (g: Graph) => planTflmArena(g).lowerBound.bytes + estimateTail32(g, null, REFERENCE_KERNELS).bytes;
      const unsplit = unet(dtype, 48);
      streamLayers(unsplit.main, widest / 2, undefined, { concatConv: false, inPlace: false });
      expect(first.counts.size, dtype).toBeGreaterThan(0);
      // Each split operator has twice the bands it had, and the arena is lower than without the splits.
      for (const [k, n] of first.counts) expect(first.bandCounts.get(k)).toBe(n);
      expect(arenaOf(plain)).toBeLessThan(arenaOf(unsplit));
      expect(verifyModels(unet(dtype, 48), loadGraph(saveGraph(plain)), { inputs: 2, seed: 9 }).differingBytes).toBe(0);
    }
  });

  it('leaves a graph with nothing wide enough alone', () => {
    const g = unet('int8', 16);
    const r = streamLayers(g.main, 1 << 20);
    expect(r.decisions).toEqual([]);
    expect(r.streamed.layers).toBe(0);
    expect(r.streamed.ops).toEqual([]);
  });

  it('optimize() keeps the streamed plan where its arena is the smaller (the Tiny U-Net), proved bit-exact; streamLayers: false leaves it out', () => {
    const example = new Uint8Array(readFileSync(join(repoRoot, 'examples/models/tiny-unet-80x120.tflite')));
    const plain = optimize(example, { streamLayers: false, verify: false }).report;
    expect(plain.passes.spill.streamed).toBeUndefined();
    const result = optimize(example, { verify: { inputs: 1 } });
    const streamed = result.report;
    // Bands sliced from a tensor the spill pass then sent to the region fetch their rows framed too: no PAD copies a
    // fetched band.
    const sg = result.graph.main;
    expect(sg.ops.filter((op) => op.opcode === 'PAD' && sg.ops[sg.producerOf(op.inputs[0]!)]?.customCode === FETCH)).toEqual([]);
    expect(streamed.passes.spill.streamed!.bands).toBeGreaterThan(streamed.passes.spill.streamed!.layers);
    // The kinds of the layers run in bands: the encoder's convs and pools, the decoder's upsampling and joins.
    expect(streamed.passes.spill.streamed!.ops).toEqual(['CONCATENATION', 'CONV_2D', 'DEPTH_TO_SPACE', 'MAX_POOL_2D']);
    expect(streamed.verified).toBe(true);
    expect(streamed.after.total).toBeLessThan(plain.after.total);
    expect(streamed.after.head).toBeLessThan(plain.after.head);
    // The streamed tensors, written and fetched row band by row band; no band chain.
    expect(streamed.spill.decisions.filter((d) => d.spilled === 'rows').length).toBeGreaterThan(10);
    expect(streamed.passes.splitRowBands.chains).toEqual([]);
    expect(streamed.compute.invoke.reference.overhead).toBeLessThanOrEqual(0.05);
  });
});

describe('TinySegFetch with a frame (pad options)', () => {
  /** x [1, 3, 4, 2] spilled whole, then rows 1..3 fetched inside a frame of 1, 2, 0, 1 rows/columns of `padValue`. */
  function framed(dtype: 'int8' | 'int16' | 'float32', padValue: number, resident = false): Graph {
    const b = new GraphBuilder();
    const x = b.input('x', { dtype, shape: [1, 3, 4, 2] });
    const y = b.tensor('y', { dtype, shape: [1, 2 + 3, 4 + 1, 2] });
    const element = dtype === 'int8' ? 1 : dtype === 'int16' ? 2 : 4;
    b.op({ opcode: 'CUSTOM', customCode: SPILL, inputs: [x], outputs: [], customOptions: encodeSpillOptions({ offset: 0, bytes: 24 * element, begin: 0, count: 2 }) });
    const options = encodeFetchOptions({ offset: 8 * element, bytes: 16 * element, begin: 0, count: 2, pad: [1, 2, 0, 1], padValue });
    b.op({ opcode: 'CUSTOM', customCode: FETCH, inputs: resident ? [x] : [], outputs: [y], customOptions: options });
    b.output(y);
    return loadGraph(saveGraph(b.build()));
  }

  it('writes what PAD writes around the rows it reads (int8, int16, float32)', () => {
    for (const dtype of ['int8', 'int16', 'float32'] as const) {
      const pad = dtype === 'float32' ? 0 : -7;
      const x = dtype === 'int8' ? Int8Array.from({ length: 24 }, (_, i) => i + 1) : dtype === 'int16' ? Int16Array.from({ length: 24 }, (_, i) => 300 * i) : Float32Array.from({ length: 24 }, (_, i) => i + 0.5);
      const [out] = runModel(framed(dtype, pad), [new Uint8Array(x.buffer)]);
      const y = dtype === 'int8' ? new Int8Array(out!.buffer, out!.byteOffset, out!.length) : dtype === 'int16' ? new Int16Array(out!.buffer.slice(out!.byteOffset, out!.byteOffset + out!.length)) : new Float32Array(out!.buffer.slice(out!.byteOffset, out!.byteOffset + out!.length));
      const want: number[] = [];
      // Frame row r holds slot row r - 1, which is x's row r (the fetch starts at x's row 1).
      for (let r = 0; r < 5; r++) for (let c = 0; c < 5; c++) for (let ch = 0; ch < 2; ch++) want.push(r >= 1 && r < 3 && c < 4 ? x[r * 8 + c * 2 + ch]! : pad);
      expect(Array.from(y), dtype).toEqual(want);
    }
  });

  it('refuses a frame value the type cannot hold, and a frame with a resident input, naming the operator', () => {
    expect(() => runModel(framed('int8', 200), [new Uint8Array(24)])).toThrow(/TinySegFetch.*pad value 200 is not one of int8/);
    expect(() => runModel(framed('float32', 3), [new Uint8Array(96)])).toThrow(/TinySegFetch.*pad value 3 is not one of float32/);
    expect(() => runModel(framed('int8', 0, true), [new Uint8Array(24)])).toThrow(/TinySegFetch.*no resident input/);
  });
});

describe('streamLayers under CMSIS-NN', () => {
  it("int8 conv and depthwise bands read their slot as TinySegConcatConv bands, with CMSIS-NN's buffer after their window", () => {
    const g = unet('int8', 48);
    const widest = Math.max(...g.main.tensors.filter((t) => t.kind === 'activation').map((t) => t.byteSize));
    streamLayers(g.main, Math.floor(widest / 8), kernelsFor('cmsis-nn'));
    const after = loadGraph(saveGraph(g));
    const all = after.main.ops.filter((op) => op.customCode === CONCAT_CONV);
    const inPlace = all.filter((op) => 'input' in decodeConcatConvOptions(op.customOptions).parts[0]!);
    const bands = all.filter((op) => !inPlace.includes(op));
    // c1 reads the graph input in place and writes its rows to c1's slot: one operator, one CMSIS-NN conv call per
    // chunk of rows, no window, the conv's context (3x3 over 3 channels: 4 x align4(27) bytes, 64 x ceil(27 / 16) on
    // Helium), then a chunk of output rows (20 x 8 each).
    expect(inPlace.length).toBe(1);
    for (const op of inPlace) {
      const o = decodeConcatConvOptions(op.customOptions);
      expect(o.depthMultiplier).toBeUndefined();
      expect(o.out?.bytes).toBe(48 * 20 * 8);
      expect(o.out!.chunk).toBeGreaterThan(1);
      expect(o.out!.chunk).toBeLessThan(48);
      expect(op.outputs).toEqual([]);
      const rows = o.out!.chunk * 160;
      expect(scratchRequests(op, after.main.tensors, kernelsFor('cmsis-nn', 'dsp'))).toEqual([112, rows]);
      expect(scratchRequests(op, after.main.tensors, kernelsFor('cmsis-nn', 'mve'))).toEqual([128, rows]);
      expect(scratchRequests(op, after.main.tensors, REFERENCE_KERNELS)).toEqual([rows]);
    }
    const depthwise = bands.filter((op) => decodeConcatConvOptions(op.customOptions).depthMultiplier === 1);
    expect(depthwise.length).toBeGreaterThan(0);
    expect(depthwise.length).toBeLessThan(bands.length);
    for (const op of bands.filter((op) => !depthwise.includes(op))) {
      // A conv band calls CMSIS-NN's conv once per output row on its window (the rows one output row reads); one
      // that writes its rows to a slot, once per chunk of them on the input rows the chunk reads. Then the conv's
      // context (none for a 1x1), then the chunk of output rows.
      const o = decodeConcatConvOptions(op.customOptions);
      const [outC, kh, kw, c] = after.main.tensors[op.inputs[0]!]!.shape as [number, number, number, number];
      const span = (kh - 1) * o.dilationH + 1;
      const window = (o.out ? Math.min(o.height!, (o.out.chunk - 1) * o.strideH + span) : span) * o.width! * c;
      const context = kh === 1 && kw === 1 ? [] : [4 * 4 * Math.ceil((kh * kw * c) / 4)];
      const row = o.out ? [o.out.chunk * paddingFor(o.padding, o.width!, kw, o.strideW, o.dilationW).out * outC] : [];
      expect(scratchRequests(op, after.main.tensors, kernelsFor('cmsis-nn', 'dsp'))).toEqual([window, ...context, ...row]);
    }
    for (const op of depthwise) {
      const o = decodeConcatConvOptions(op.customOptions);
      // d2: 3x3 stride 2 over 8 channels, 20 wide; SAME on 48 rows pads no top row: CMSIS-NN's 3x3 kernel, no buffer
      // on a core with the DSP extension or none, its generic one's 496 x 9 on Helium.
      // Its chunk of output rows (10 x 8 each) last where it writes its rows to d2's slot, its window the chunk's
      // input rows.
      const window = (o.out ? Math.min(48, (o.out.chunk - 1) * 2 + 3) : 3) * 20 * 8;
      const row = o.out ? [o.out.chunk * 10 * 8] : [];
      expect(o.width).toBe(20);
      expect(scratchRequests(op, after.main.tensors, kernelsFor('cmsis-nn', 'dsp'))).toEqual([window, ...row]);
      expect(scratchRequests(op, after.main.tensors, kernelsFor('cmsis-nn', 'none'))).toEqual([window, ...row]);
      expect(scratchRequests(op, after.main.tensors, kernelsFor('cmsis-nn', 'mve'))).toEqual([window, 496 * 9, ...row]);
    }
    expect(verifyModels(unet('int8', 48), after, { inputs: 2, seed: 5 }).differingBytes).toBe(0);
  });
});

describe('TinySegConcatConv bands (first_row)', () => {
  /**
   * x [1, H, 9, 3] -> CONV_2D -> y, and the same conv as bands of `rows` output rows, each a TinySegConcatConv
   * reading x from the region (spilled whole first) or as its resident part, joined by a CONCATENATION.
   */
  function graphs(
    dtype: 'int8' | 'float32',
    H: number,
    conv: { padding: number; stride: number; dilation: number; k: number; multiplier?: number },
    rows: number,
    fromRegion: boolean,
    multipliers?: (m: Int32Array) => Int32Array,
  ) {
    // A depthwise conv (multiplier set) has 3 x multiplier output channels, a conv 4.
    const outC = conv.multiplier ? 3 * conv.multiplier : 4;
    const filterShape = conv.multiplier ? [1, conv.k, conv.k, outC] : [4, conv.k, conv.k, 3];
    const build = (banded: boolean) => {
      const b = new GraphBuilder();
      let seed = 11;
      const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
      const q = (scale: number, zeroPoint: number) => (dtype === 'int8' ? { scale: [scale], zeroPoint: [zeroPoint], quantizedDimension: 0 } : null);
      const x = b.input('x', { dtype, shape: [1, H, 9, 3], quantization: q(0.05, 5) });
      const n = filterShape.reduce((a, c) => a * c, 1);
      const scales = Array.from({ length: outC }, (_, i) => 0.01 + 0.005 * i);
      const filterQuantization = { scale: scales, zeroPoint: scales.map(() => 0), quantizedDimension: conv.multiplier ? 3 : 0 };
      const w =
        dtype === 'float32'
          ? b.constant('w', { dtype, shape: filterShape }, Float32Array.from({ length: n }, () => rand()))
          : b.constant('w', { dtype, shape: filterShape, quantization: filterQuantization }, Int8Array.from({ length: n }, () => Math.round(rand() * 90)));
      const biases = Array.from({ length: outC }, (_, i) => (i % 4) - 1.5);
      const bias = dtype === 'float32' ? b.constant('b', { dtype, shape: [outC] }, Float32Array.from(biases)) : b.constant('b', { dtype: 'int32', shape: [outC] }, Int32Array.from(biases.map((v) => v * 80)));
      const span = (conv.k - 1) * conv.dilation + 1;
      const outH = conv.padding === 0 ? Math.ceil(H / conv.stride) : Math.floor((H - span) / conv.stride) + 1;
      const outW = conv.padding === 0 ? Math.ceil(9 / conv.stride) : Math.floor((9 - span) / conv.stride) + 1;
      const y = b.tensor('y', { dtype, shape: [1, outH, outW, outC], quantization: q(0.1, -2) });
      const window = { padding: conv.padding, strideH: conv.stride, strideW: conv.stride, dilationH: conv.dilation, dilationW: conv.dilation, activation: 1 };
      if (!banded) {
        const [padding, stride, dilation] = [conv.padding, conv.stride, conv.dilation];
        const value = { padding, strideH: stride, strideW: stride, dilationHFactor: dilation, dilationWFactor: dilation, fusedActivationFunction: 1 };
        if (conv.multiplier) b.op({ opcode: 'DEPTHWISE_CONV_2D', inputs: [x, w, bias], outputs: [y], options: { type: 'DepthwiseConv2DOptions', value: { ...value, depthMultiplier: conv.multiplier } } });
        else b.op({ opcode: 'CONV_2D', inputs: [x, w, bias], outputs: [y], options: { type: 'Conv2DOptions', value } });
      } else {
        if (fromRegion) b.op({ opcode: 'CUSTOM', customCode: SPILL, inputs: [x], outputs: [], customOptions: encodeSpillOptions({ offset: 16, bytes: H * 27 * (dtype === 'int8' ? 1 : 4), begin: 0, count: 3 }) });
        const parts: number[] = [];
        // The layer's multipliers and shifts as a constant input after the resident part, if any (int8).
        let m = -1;
        if (multipliers) {
          const { multipliers: ms, shifts } = perChannelMultipliers(Math.fround(0.05), scales.map(Math.fround), Math.fround(0.1), outC);
          const values = multipliers(Int32Array.from([...ms, ...shifts]));
          m = b.constant('m', { dtype: 'int32', shape: [2, outC] }, values);
        }
        for (let r0 = 0; r0 < outH; r0 += rows) {
          const part = b.tensor(`y${r0}`, { dtype, shape: [1, Math.min(rows, outH - r0), outW, outC], quantization: q(0.1, -2) });
          const options = {
            parts: fromRegion ? [{ offset: 16, channels: 3 }] : [{ input: 2 }],
            ...window,
            inputScale: dtype === 'int8' ? Math.fround(0.05) : 0,
            inputZeroPoint: dtype === 'int8' ? 5 : 0,
            firstRow: r0,
            ...(fromRegion ? { height: H, width: 9 } : {}),
            ...(conv.multiplier ? { depthMultiplier: conv.multiplier } : {}),
            ...(m >= 0 ? { multipliers: fromRegion ? 2 : 3 } : {}),
          };
          const inputs = [w, bias, ...(fromRegion ? [] : [x]), ...(m >= 0 ? [m] : [])];
          b.op({ opcode: 'CUSTOM', customCode: CONCAT_CONV, inputs, outputs: [part], customOptions: encodeConcatConvOptions(options) });
          parts.push(part);
        }
        b.op({ opcode: 'CONCATENATION', inputs: parts, outputs: [y], options: { type: 'ConcatenationOptions', value: { axis: 1 } } });
      }
      b.output(y);
      return loadGraph(saveGraph(b.build()));
    };
    return { original: build(false), banded: build(true) };
  }

  it('computes the conv’s rows byte for byte: int8 and float32, SAME and VALID, strides and dilations, depthwise, bands at the image’s edges, from the region or a resident part', () => {
    const convs = [
      { padding: 0, stride: 1, dilation: 1, k: 3 },
      { padding: 0, stride: 2, dilation: 1, k: 3 },
      { padding: 0, stride: 1, dilation: 2, k: 3 },
      { padding: 1, stride: 2, dilation: 1, k: 3 },
      { padding: 0, stride: 1, dilation: 1, k: 1 },
      { padding: 0, stride: 1, dilation: 1, k: 3, multiplier: 1 },
      { padding: 0, stride: 2, dilation: 1, k: 3, multiplier: 2 },
      { padding: 1, stride: 1, dilation: 2, k: 3, multiplier: 1 },
    ];
    for (const dtype of ['int8', 'float32'] as const) {
      for (const conv of convs) {
        for (const [H, rows] of [[11, 2], [10, 3], [7, 1]] as const) {
          for (const fromRegion of [true, false]) {
            for (const multipliers of dtype === 'int8' ? [undefined, (m: Int32Array) => m] : [undefined]) {
              const { original, banded } = graphs(dtype, H, conv, rows, fromRegion, multipliers);
              const label = `${dtype} ${JSON.stringify(conv)} H ${H} rows ${rows} ${fromRegion} ${multipliers ? 'multipliers' : ''}`;
              expect(verifyModels(original, banded, { inputs: 2, seed: 5 }).differingBytes, label).toBe(0);
            }
          }
        }
      }
    }
  });

  it("runs with the multipliers input's values (the proof covers them), and refuses one of another shape or type", () => {
    const conv = { padding: 0, stride: 1, dilation: 1, k: 3 };
    // One channel's shift one lower: that channel's outputs double.
    const { original, banded } = graphs('int8', 11, conv, 4, true, (m) => m.map((v, i) => (i === 4 + 2 ? v - 1 : v)));
    expect(verifyModels(original, banded, { inputs: 2, seed: 5 }).differingBytes).toBeGreaterThan(0);
    // Input 2 of a band with a resident part is that part.
    const wrong = graphs('int8', 11, conv, 4, false, (m) => m).banded;
    for (const op of wrong.main.ops.filter((o) => o.customCode === CONCAT_CONV)) {
      op.customOptions = encodeConcatConvOptions({ ...decodeConcatConvOptions(op.customOptions), multipliers: 2 });
    }
    expect(() => runModel(loadGraph(saveGraph(wrong)), [new Uint8Array(11 * 27)])).toThrow(/TinySegConcatConv.*multipliers \(input 2\) must be a constant int32 \[2, 4\] tensor/);
    expect(() => decodeConcatConvOptions(encodeConcatConvOptions({ parts: [{ offset: 0, channels: 3 }], padding: 0, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, activation: 0, inputScale: 1, inputZeroPoint: 0, multipliers: 2 }))).toThrow(/'multipliers' is a band's/);
  });

  it('refuses a band outside the output, and height and width beside a resident part, naming the operator', () => {
    const bad = (edit: (o: ReturnType<typeof decodeConcatConvOptions>) => void) => {
      const { banded } = graphs('int8', 11, { padding: 0, stride: 1, dilation: 1, k: 3 }, 4, false);
      const op = banded.main.ops.find((o) => o.customCode === CONCAT_CONV && decodeConcatConvOptions(o.customOptions).firstRow === 8)!;
      const o = decodeConcatConvOptions(op.customOptions);
      edit(o);
      op.customOptions = encodeConcatConvOptions(o);
      return () => runModel(loadGraph(saveGraph(banded)), [new Uint8Array(11 * 27)]);
    };
    expect(bad((o) => (o.firstRow = 9))).toThrow(/TinySegConcatConv.*output rows \[9, 12\) x 9 are not a band of the 11 x 9 output/);
    expect(bad((o) => Object.assign(o, { height: 11, width: 9 }))).toThrow(/TinySegConcatConv.*has a resident part and a height and width of its own/);
    expect(() => decodeConcatConvOptions(encodeConcatConvOptions({ parts: [{ offset: 0, channels: 3 }], padding: 0, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, activation: 0, inputScale: 1, inputZeroPoint: 0, height: 4, width: 4 }))).toThrow(/'height' and 'width' are a band's/);
  });
});
