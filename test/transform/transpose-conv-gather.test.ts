// TinySegTransposeConv against the interpreter's TRANSPOSE_CONV (itself held
// to TFLM by the corpus oracle): same bytes for the strides, paddings and
// kernel shapes that overlap (kernel != stride), and the int32 scratch shrinks
// from the whole output to one pixel's channels.

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { loadGraph, saveGraph, type Graph } from '../../src/graph/graph.js';
import type { Quantization } from '../../src/graph/types.js';
import { runGuarded } from '../../src/interpreter/interpreter.js';
import { randomInput } from '../../src/interpreter/oracle-input.js';
import { planTflmArena } from '../../src/tflm/arena.js';
import { estimateTail32 } from '../../src/tflm/tail.js';
import { decodeTransposeConvGatherOptions, encodeTransposeConvGatherOptions, TRANSPOSE_CONV_GATHER } from '../../src/ops/tinyseg/custom-ops.js';
import { gatherPeakTransposeConvs, transposeConvGatherAfterSpillsPass } from '../../src/transform/transpose-conv-gather.js';
import { streamLayers } from '../../src/transform/stream-layers.js';
import { splitRowBands } from '../../src/transform/split-row-bands.js';
import { graphCompute, predictInvoke } from '../../src/analysis/compute.js';
import { verifyModels } from '../../src/interpreter/verify.js';
import { REFERENCE_KERNELS } from '../../src/ops/registry.js';
import { kernelsFor } from '../../src/ops/kernel-sets.js';

interface Case {
  name: string;
  inHW: [number, number];
  outHW: [number, number];
  kernel: [number, number];
  stride: [number, number];
  padding: 0 | 1;
  activation: number;
  bias: boolean;
}

/** With `bigInput`, x is an 8x8 max pool of an input 64 times its size: the peak is there, not at the transpose conv. */
function transposeConv(c: Case, bigInput = false): Graph {
  const [CI, CO] = [5, 7];
  let s = 11;
  const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const wq: Quantization = { scale: Array.from({ length: CO }, (_, o) => 0.01 + 0.004 * o), zeroPoint: new Array(CO).fill(0), quantizedDimension: 0 };
  const b = new GraphBuilder();
  const xq: Quantization = { scale: [0.05], zeroPoint: [3], quantizedDimension: 0 };
  const x = bigInput ? b.tensor('x', { dtype: 'int8', shape: [1, ...c.inHW, CI], quantization: xq }) : b.input('x', { dtype: 'int8', shape: [1, ...c.inHW, CI], quantization: xq });
  if (bigInput) {
    const z = b.input('z', { dtype: 'int8', shape: [1, c.inHW[0] * 8, c.inHW[1] * 8, CI], quantization: xq });
    b.op({ opcode: 'MAX_POOL_2D', inputs: [z], outputs: [x], options: { type: 'Pool2DOptions', value: { padding: 1, strideH: 8, strideW: 8, filterHeight: 8, filterWidth: 8 } } });
  }
  const y = b.tensor('y', { dtype: 'int8', shape: [1, ...c.outHW, CO], quantization: { scale: [0.09], zeroPoint: [-4], quantizedDimension: 0 } });
  const shape = b.constant('shape', { dtype: 'int32', shape: [4] }, new Int32Array([1, ...c.outHW, CO]));
  const w = b.constant('w', { dtype: 'int8', shape: [CO, ...c.kernel, CI], quantization: wq }, Int8Array.from({ length: CO * c.kernel[0] * c.kernel[1] * CI }, () => Math.round(rand() * 127)));
  const biasQ: Quantization = { scale: wq.scale.map((v) => v * 0.05), zeroPoint: new Array(CO).fill(0), quantizedDimension: 0 };
  const bias = c.bias ? b.constant('b', { dtype: 'int32', shape: [CO], quantization: biasQ }, Int32Array.from({ length: CO }, () => Math.round(rand() * 800))) : -1;
  b.op({
    opcode: 'TRANSPOSE_CONV',
    version: 4,
    inputs: [shape, w, x, bias],
    outputs: [y],
    options: { type: 'TransposeConvOptions', value: { padding: c.padding, strideH: c.stride[0], strideW: c.stride[1], fusedActivationFunction: c.activation } },
  });
  b.output(y);
  return loadGraph(saveGraph(b.build()));
}

const cases: Case[] = [
  { name: '3x3 stride 2 SAME (U-Net decoder)', inHW: [6, 7], outHW: [12, 14], kernel: [3, 3], stride: [2, 2], padding: 0, activation: 0, bias: true },
  { name: '3x3 stride 1 VALID', inHW: [5, 6], outHW: [7, 8], kernel: [3, 3], stride: [1, 1], padding: 1, activation: 1, bias: true },
  { name: '4x4 stride 2 SAME, no bias', inHW: [4, 5], outHW: [8, 10], kernel: [4, 4], stride: [2, 2], padding: 0, activation: 0, bias: false },
  { name: '5x3 stride 3x2 VALID, RELU6', inHW: [3, 4], outHW: [11, 9], kernel: [5, 3], stride: [3, 2], padding: 1, activation: 3, bias: true },
];

describe('TinySegTransposeConv', () => {
  for (const c of cases) {
    it(`computes TRANSPOSE_CONV's bytes: ${c.name}`, () => {
      const original = transposeConv(c);
      const edited = transposeConv(c);
      const r = gatherPeakTransposeConvs(edited);
      expect(r.rewritten).toBe(1);
      const op = edited.main.ops[0]!;
      expect(op.customCode).toBe(TRANSPOSE_CONV_GATHER);
      expect(decodeTransposeConvGatherOptions(op.customOptions)).toEqual({
        padding: c.padding,
        strideH: c.stride[0],
        strideW: c.stride[1],
        activation: c.activation,
      });
      const reloaded = loadGraph(saveGraph(edited));
      const input = original.main.tensors[original.main.inputs[0]!]!;
      for (const seed of [1, 2, 3]) {
        const x = randomInput(input, seed);
        const a = runGuarded(original, [x])[0]!;
        const b = runGuarded(reloaded, [x])[0]!;
        expect(Buffer.from(b).equals(Buffer.from(a))).toBe(true);
        expect(new Set(a).size).toBeGreaterThan(8);
      }
      // The scratch: 4 bytes per output element before (16-byte aligned), none after.
      const yBytes = original.main.tensors[original.main.outputs[0]!]!.byteSize;
      expect(r.scratchBytes).toBe(yBytes * 4);
      expect(planTflmArena(original).head - planTflmArena(reloaded).head).toBe(Math.ceil((yBytes * 4) / 16) * 16);
      // Its op data is modelled, not flagged unknown.
      expect(estimateTail32(reloaded).unknownOps).toEqual([]);
    });
  }

  it('leaves a TRANSPOSE_CONV alone when its scratch is not at the peak', () => {
    // A big input pooled down before it: the peak is at the pool.
    const g = transposeConv(cases[0]!, true);
    const r = gatherPeakTransposeConvs(g);
    expect(r.rewritten).toBe(0);
    expect(g.main.ops[1]!.opcode).toBe('TRANSPOSE_CONV');
  });

  it('once the other passes have run, gathers one off the peak too where the gather is faster: less time, no accumulator, less op data, bit-exact', () => {
    for (const kernels of [REFERENCE_KERNELS, kernelsFor('cmsis-nn')]) {
      const original = transposeConv(cases[0]!, true);
      const g = transposeConv(cases[0]!, true);
      const before = { invoke: graphCompute(g.main).kinds, head: planTflmArena(g, kernels).head, tail: estimateTail32(g, null, kernels).bytes };
      const r = transposeConvGatherAfterSpillsPass.run(g, { kernels, maxInvoke: Infinity } as never);
      expect(r.rewritten).toBe(1);
      expect(g.main.ops[1]!.customCode).toBe(TRANSPOSE_CONV_GATHER);
      expect(planTflmArena(g, kernels).head).toBeLessThanOrEqual(before.head);
      expect(estimateTail32(g, null, kernels).bytes).toBeLessThan(before.tail);
      expect(predictInvoke(graphCompute(g.main), kernels)).toBeLessThan(predictInvoke({ kinds: before.invoke }, kernels) / 2);
      expect(verifyModels(original, loadGraph(saveGraph(g)), { inputs: 2, seed: 4 }).equal).toBe(true);
    }
    // Not under CMSIS-NN where its TRANSPOSE_CONV computes other bytes (a fused RELU6), nor for stock TFLite.
    const run = (c: Case, context: object) => transposeConvGatherAfterSpillsPass.run(transposeConv(c, true), { maxInvoke: Infinity, ...context } as never);
    expect(run(cases[3]!, { kernels: kernelsFor('cmsis-nn') }).rewritten).toBe(0);
    expect(run(cases[0]!, { kernels: REFERENCE_KERNELS, builtinsOnly: true }).rewritten).toBe(0);
  });

  it('refuses malformed options with a message naming the operator', () => {
    expect(() => decodeTransposeConvGatherOptions(new Uint8Array([1, 2, 3]))).toThrow(/TinySegTransposeConv/);
    const band = { outHeight: 12, inHeight: 6, firstOutRow: 4, firstInRow: 1, multipliers: 4 };
    const o = { padding: 0, strideH: 2, strideW: 2, activation: 0 };
    expect(decodeTransposeConvGatherOptions(encodeTransposeConvGatherOptions({ ...o, band }))).toEqual({ ...o, band });
    for (const bad of [{ firstInRow: 6 }, { firstOutRow: 12 }, { multipliers: 3 }, { outHeight: 0 }]) {
      expect(() => decodeTransposeConvGatherOptions(encodeTransposeConvGatherOptions({ ...o, band: { ...band, ...bad } }))).toThrow(/TinySegTransposeConv options: a band's/);
    }
  });

  it('leaves a filter of more taps than its C kernel lists (kH x kW > 64) to TRANSPOSE_CONV', () => {
    const g = transposeConv({ ...cases[1]!, inHW: [3, 3], outHW: [11, 11], kernel: [9, 9] });
    expect(gatherPeakTransposeConvs(g).rewritten).toBe(0);
    expect(g.main.ops[0]!.opcode).toBe('TRANSPOSE_CONV');
  });
});

describe('the gather after the other passes (transposeConvGatherAfterSpills)', () => {
  /** x [1, 24, 24, 8] -> conv 3x3 -> TRANSPOSE_CONV k x k / 2 SAME (fused `activation`) -> conv 1x1 -> y [1, 48, 48, 2], int8. */
  function decoder(activation = 0, k = 3): Graph {
    const b = new GraphBuilder();
    let s = 5;
    const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
    const q = (scale: number, zeroPoint: number): Quantization => ({ scale: [scale], zeroPoint: [zeroPoint], quantizedDimension: 0 });
    const weights = (name: string, shape: number[]) => {
      const wq = { scale: new Array(shape[0]!).fill(0.02), zeroPoint: new Array(shape[0]!).fill(0), quantizedDimension: 0 };
      return b.constant(name, { dtype: 'int8', shape, quantization: wq }, Int8Array.from({ length: shape.reduce((a, c) => a * c, 1) }, () => Math.round(rand() * 100)));
    };
    const conv = { type: 'Conv2DOptions', value: { padding: 0, strideH: 1, strideW: 1, dilationHFactor: 1, dilationWFactor: 1 } };
    const x = b.input('x', { dtype: 'int8', shape: [1, 24, 24, 8], quantization: q(0.05, 2) });
    const c = b.tensor('c', { dtype: 'int8', shape: [1, 24, 24, 8], quantization: q(0.06, -1) });
    b.op({ opcode: 'CONV_2D', inputs: [x, weights('cw', [8, 3, 3, 8]), -1], outputs: [c], options: conv });
    const t = b.tensor('t', { dtype: 'int8', shape: [1, 48, 48, 8], quantization: q(0.07, 3) });
    const shape = b.constant('shape', { dtype: 'int32', shape: [4] }, new Int32Array([1, 48, 48, 8]));
    b.op({ opcode: 'TRANSPOSE_CONV', version: 4, inputs: [shape, weights('tw', [8, k, k, 8]), c, -1], outputs: [t], options: { type: 'TransposeConvOptions', value: { padding: 0, strideH: 2, strideW: 2, fusedActivationFunction: activation } } });
    const y = b.tensor('y', { dtype: 'int8', shape: [1, 48, 48, 2], quantization: q(0.08, 0) });
    b.op({ opcode: 'CONV_2D', inputs: [t, weights('yw', [2, 1, 1, 8]), -1], outputs: [y], options: conv });
    b.output(y);
    return loadGraph(saveGraph(b.build()));
  }

  it('gathers the TRANSPOSE_CONV bands of band chains left at the peak (each band its own int32 accumulator), lowering the head, bit-exact', () => {
    const banded = decoder();
    splitRowBands(banded);
    const bands = banded.main.ops.filter((op) => op.opcode === 'TRANSPOSE_CONV').length;
    expect(bands).toBeGreaterThan(1);
    const before = planTflmArena(banded).head;
    const gathered = loadGraph(saveGraph(banded));
    const r = transposeConvGatherAfterSpillsPass.run(gathered, { spill: true, quantizeFloat: false, kernels: REFERENCE_KERNELS });
    expect(r.rewritten).toBeGreaterThan(0);
    expect(r.rewritten).toBeLessThanOrEqual(bands);
    expect(planTflmArena(gathered).head).toBeLessThan(before);
    expect(verifyModels(decoder(), gathered, { inputs: 2, seed: 4 }).differingBytes).toBe(0);
    // Stock TFLite cannot load TinySeg's operator: builtins-only plans keep the builtin.
    const builtins = loadGraph(saveGraph(banded));
    const builtinsOnly = { spill: true, quantizeFloat: false, kernels: REFERENCE_KERNELS, builtinsOnly: true };
    expect(transposeConvGatherAfterSpillsPass.run(builtins, builtinsOnly).rewritten).toBe(0);
  });

  it('streams a TRANSPOSE_CONV as TinySegTransposeConv bands that compute their own rows only, bit-exact', () => {
    for (const [bandBytes, from] of [[2048, 'arena'], [2048, 'slot'], [700, 'slot']] as const) {
      const streamed = decoder();
      const sg = streamed.main;
      // With its input streamed too, each band fetches the input rows its taps need.
      const r = streamLayers(sg, bandBytes, REFERENCE_KERNELS, from === 'arena' ? { only: new Set(['t']) } : {});
      expect(r.streamed.layers).toBeGreaterThan(0);
      const bands = sg.ops.filter((op) => op.customCode === TRANSPOSE_CONV_GATHER);
      expect(bands.length).toBeGreaterThan(1);
      expect(sg.ops.some((op) => op.opcode === 'TRANSPOSE_CONV')).toBe(false);
      // Band j computes output rows [first_out_row, + its rows): together every row of t once.
      const rows = bands.map((op) => {
        const o = decodeTransposeConvGatherOptions(op.customOptions).band!;
        expect(o.outHeight).toBe(48);
        expect(o.inHeight).toBe(24);
        expect(o.multipliers).toBe(4);
        return [o.firstOutRow, o.firstOutRow + sg.tensors[op.outputs[0]!]!.shape[1]!];
      });
      expect(rows.map(([a]) => a)).toEqual(rows.map((_, j) => (j === 0 ? 0 : rows[j - 1]![1])));
      expect(rows.at(-1)![1]).toBe(48);
      // An input in its slot is fetched a band's rows at a time: no more than its taps reach.
      if (from === 'slot') for (const op of bands) expect(sg.tensors[op.inputs[2]!]!.shape[1]).toBeLessThanOrEqual(Math.ceil(sg.tensors[op.outputs[0]!]!.shape[1]! / 2) + 1);
      expect(estimateTail32(streamed).unknownOps).toEqual([]);
      expect(verifyModels(decoder(), loadGraph(saveGraph(streamed)), { inputs: 2, seed: 4 }).differingBytes).toBe(0);
    }
  });

  it("under CMSIS-NN only where CMSIS-NN's TRANSPOSE_CONV computes the reference's bytes: no fused activation, no padding before the first row or column", () => {
    const cmsis = kernelsFor('cmsis-nn');
    // 3x3 stride 2 SAME pads after the last row and column only (TFLM's padding 0, offset 1): gathered in both sets.
    const plain = decoder();
    streamLayers(plain.main, 2048, cmsis);
    expect(plain.main.ops.filter((op) => op.customCode === TRANSPOSE_CONV_GATHER).length).toBeGreaterThan(1);
    expect(gatherPeakTransposeConvs(transposeConv(cases[0]!), cmsis).rewritten).toBe(1);
    // A fused RELU6 (CMSIS-NN's Prepare ignores it) or a 4x4 stride-2 SAME one (padding before): the builtin.
    expect(gatherPeakTransposeConvs(transposeConv(cases[3]!), cmsis).rewritten).toBe(0);
    expect(gatherPeakTransposeConvs(transposeConv(cases[2]!), cmsis).rewritten).toBe(0);
    expect(gatherPeakTransposeConvs(transposeConv(cases[2]!)).rewritten).toBe(1);
    const relu = decoder(1);
    streamLayers(relu.main, 2048, cmsis);
    expect(relu.main.ops.some((op) => op.customCode === TRANSPOSE_CONV_GATHER)).toBe(false);
    expect(relu.main.ops.filter((op) => op.opcode === 'TRANSPOSE_CONV').length).toBeGreaterThan(1);
    const reluReference = decoder(1);
    streamLayers(reluReference.main, 2048);
    expect(reluReference.main.ops.filter((op) => op.customCode === TRANSPOSE_CONV_GATHER).length).toBeGreaterThan(1);
  });

  it("under CMSIS-NN runs whole a TRANSPOSE_CONV that pads before its first row (CMSIS-NN's bytes differ there, whole and in bands)", () => {
    const cmsis = kernelsFor('cmsis-nn');
    // 4x4 stride 2 SAME: one row of padding before, one after.
    const transposes = (g: Graph) => g.main.ops.filter((op) => op.opcode === 'TRANSPOSE_CONV' || op.customCode === TRANSPOSE_CONV_GATHER).length;
    const streamed = decoder(0, 4);
    const r = streamLayers(streamed.main, 2048, cmsis);
    expect(r.streamed.layers).toBeGreaterThan(0);
    expect(transposes(streamed)).toBe(1);
    const banded = decoder(0, 4);
    splitRowBands(banded, Infinity, cmsis);
    expect(transposes(banded)).toBe(1);
    // The reference kernels band it both ways.
    const reference = decoder(0, 4);
    streamLayers(reference.main, 2048);
    expect(transposes(reference)).toBeGreaterThan(1);
    const chains = decoder(0, 4);
    splitRowBands(chains);
    expect(transposes(chains)).toBeGreaterThan(1);
  });

  it('prices a band at the taps it gathers: the bands of a layer add up to the whole operator', () => {
    const whole = decoder();
    gatherPeakTransposeConvs(whole);
    const wholeOp = whole.main.ops.find((op) => op.customCode === TRANSPOSE_CONV_GATHER);
    const streamed = decoder();
    streamLayers(streamed.main, 2048, REFERENCE_KERNELS, { only: new Set(['t']) });
    const bands = streamed.main.ops.filter((op) => op.customCode === TRANSPOSE_CONV_GATHER);
    const macs = (g: Graph, ops: typeof bands) => graphCompute(g.main, ops).macs;
    expect(wholeOp).toBeDefined();
    expect(macs(streamed, bands)).toBe(macs(whole, [wholeOp!]));
    // 3 taps at stride 2 over 48 outputs of 24 inputs, no padding before: 2 on even rows but the first, 1 on odd
    // ones, 71 in all; per axis, so 71 x 71 (pixel, tap) pairs of 8 x 8 MACs (the scatter's 24 x 24 x 9 less those
    // landing past the last row or column).
    expect(macs(whole, [wholeOp!])).toBe(71 * 71 * 8 * 8);
  });
});
