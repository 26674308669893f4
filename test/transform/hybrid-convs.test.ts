// Dynamic-range ("hybrid") quantized models: float32 activations, int8 weights read as they are by the float convs.
// TFLM refuses them, so they are planned only (allowRefused). The stream pass bands them as it bands float convs, but
// with builtin bands: TinySegConcatConv has no hybrid arithmetic. Before, it made TinySegConcatConv bands of them anyway,
// which the compute model priced at about 9x the original's time (no hybrid conv of its own to price), so the streamed
// plan was always over the compute limit and the head never moved (prisma-net's uint8 file: 4,194,304 B, its floor
// 786,432).

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { loadGraph, saveGraph } from '../../src/graph/graph.js';
import { optimize } from '../../src/optimize/optimize.js';
import { concatConvBands } from '../../src/transform/stream-layers.js';

const H = 64;

/** A full-resolution stem and head: 3x3 convs to 32 channels twice, 1x1 to 2, with int8 (`hybrid`) or float32 weights. */
function stem(hybrid: boolean): Uint8Array {
  const b = new GraphBuilder();
  let seed = 3;
  const rand = () => Math.floor(((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 200) - 100;
  const conv = (name: string, x: number, cout: number, k: number) => {
    const cin = b.shapeOf(x)[3]!;
    const n = cout * k * k * cin;
    const w = hybrid
      ? b.constant(`${name}_w`, { dtype: 'int8', shape: [cout, k, k, cin], quantization: { scale: [0.01], zeroPoint: [0], quantizedDimension: 0 } }, Int8Array.from({ length: n }, rand))
      : b.constant(`${name}_w`, { dtype: 'float32', shape: [cout, k, k, cin] }, Float32Array.from({ length: n }, () => rand() / 100));
    const bias = b.constant(`${name}_b`, { dtype: 'float32', shape: [cout] }, Float32Array.from({ length: cout }, (_, i) => 0.01 * i));
    const y = b.tensor(name, { dtype: 'float32', shape: [1, H, H, cout] });
    b.op({ opcode: 'CONV_2D', inputs: [x, w, bias], outputs: [y], options: { type: 'Conv2DOptions', value: { padding: 0, strideH: 1, strideW: 1, fusedActivationFunction: 1 } } });
    return y;
  };
  const input = b.input('input', { dtype: 'float32', shape: [1, H, H, 3] });
  b.output(conv('logits', conv('mid', conv('stem', input, 32, 3), 32, 3), 2, 1));
  return saveGraph(b.build());
}

describe('hybrid convolutions (int8 weights, float32 activations)', () => {
  it('never run as TinySegConcatConv bands; their float32 twins do', () => {
    for (const hybrid of [true, false]) {
      const sg = loadGraph(stem(hybrid)).main;
      expect(sg.ops.map((op) => concatConvBands(sg, op))).toEqual([!hybrid, !hybrid, !hybrid]);
    }
  });

  it('stream in builtin bands within the compute limit: the head falls to the input beside a band, planned only', () => {
    const { report, bytes } = optimize(stem(true), { file: 'hybrid.tflite', allowRefused: true, verify: false });
    // Before: the two 32-channel maps whole together (the plan streamed as TinySegConcatConv bands was over the limit,
    // and bands within it held 540,672 B).
    const map = H * H * 32 * 4;
    expect(report.before.head).toBeGreaterThanOrEqual(2 * map);
    expect(report.compute.invoke.reference.overhead).toBeLessThan(0.05);
    expect(report.after.head).toBeLessThan(H * H * 3 * 4 + map / 4);
    const sg = loadGraph(bytes).main;
    expect(sg.ops.some((op) => op.customCode === 'TinySegConcatConv')).toBe(false);
    expect(sg.ops.filter((op) => op.opcode === 'CONV_2D').length).toBeGreaterThan(3);
  });
});
