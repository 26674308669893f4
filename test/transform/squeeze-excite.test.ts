// A squeeze-excite block at full resolution (MobileNetV3's, MediaPipe's segmenters'): the expanded features x are
// pooled to one [1, 1, 1, C] scale s, and MUL(x, s) feeds the projection. The pool reads x whole; the MUL and the
// projection need not make their outputs whole: each band reads s whole (it broadcasts along the rows) and its own
// rows of x, so the scaled copy of x never exists whole.

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { loadGraph, saveGraph } from '../../src/graph/graph.js';
import { rowRule } from '../../src/ops/registry.js';
import { optimize } from '../../src/optimize/optimize.js';

const H = 48;
const C = 48;

function squeezeExcite(): Uint8Array {
  const b = new GraphBuilder();
  let seed = 11;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const q = (s: number, z = 0) => ({ scale: [s], zeroPoint: [z], quantizedDimension: 0 });
  const t = (name: string, shape: number[], quantization = q(0.05, -10)) => b.tensor(name, { dtype: 'int8', shape, quantization });
  const w = (name: string, shape: number[]) =>
    b.constant(name, { dtype: 'int8', shape, quantization: { scale: new Array(shape[0]).fill(0.01), zeroPoint: new Array(shape[0]).fill(0), quantizedDimension: 0 } }, Int8Array.from({ length: shape.reduce((p, c) => p * c, 1) }, () => Math.floor(rand() * 200) - 100));
  const bias = (name: string, n: number) => b.constant(name, { dtype: 'int32', shape: [n] }, Int32Array.from({ length: n }, (_, i) => 25 * i - 300));
  const conv = (name: string, x: number, cout: number, k: number, act = 1) => {
    const [, h, wd, cin] = b.shapeOf(x) as number[];
    const y = t(name, [1, h!, wd!, cout]);
    b.op({ opcode: 'CONV_2D', inputs: [x, w(`${name}_w`, [cout, k, k, cin!]), bias(`${name}_b`, cout)], outputs: [y], options: { type: 'Conv2DOptions', value: { padding: 0, strideH: 1, strideW: 1, fusedActivationFunction: act } } });
    return y;
  };
  const input = b.input('input', { dtype: 'int8', shape: [1, H, H, 3], quantization: q(0.02) });
  const x = conv('x', conv('stem', input, 4, 3), C, 1);
  const pooled = t('pooled', [1, 1, 1, C]);
  b.op({ opcode: 'MEAN', inputs: [x, b.constant('axes', { dtype: 'int32', shape: [2] }, new Int32Array([1, 2]))], outputs: [pooled], options: { type: 'ReducerOptions', value: { keepDims: true } } });
  const gate = conv('gate', conv('squeeze', pooled, 12, 1), C, 1, 0);
  const s = t('s', [1, 1, 1, C], q(1 / 256, -128));
  b.op({ opcode: 'LOGISTIC', inputs: [gate], outputs: [s] });
  const scaled = t('scaled', [1, H, H, C]);
  b.op({ opcode: 'MUL', inputs: [x, s], outputs: [scaled], options: { type: 'MulOptions', value: {} } });
  const logits = conv('logits', conv('project', scaled, 16, 1, 0), 2, 3, 0);
  b.output(logits);
  return saveGraph(b.build());
}

describe('a squeeze-excite block', () => {
  it('has a row-local MUL by its [1, 1, 1, C] scale, which is no join of rows', () => {
    const g = loadGraph(squeezeExcite());
    const mul = g.main.ops.find((op) => op.opcode === 'MUL')!;
    expect(rowRule(g.main, mul)).toEqual({ kind: 'same', halo: 0 });
  });

  it.each(['reference', 'cmsis-nn'] as const)('(%s): within 1.25x the floor, proved', (kernels) => {
    const { report } = optimize(squeezeExcite(), { file: 'se.tflite', kernels, maxSpillBytes: 0, verify: { inputs: 1 } });
    expect(report.verified).toBe(true);
    // Whole at once: x, which the pool reads whole, beside the pooled vector; nothing of x's size besides.
    expect(report.streamingFloor).toBe(H * H * C + C);
    expect(report.before.head).toBeGreaterThanOrEqual(2 * H * H * C);
    expect(report.headOverStreamingFloor.after).toBeLessThanOrEqual(1.25);
  });

  it('(builtins only) runs the MUL, the projection and the logits in bands: the scaled features never exist whole', () => {
    // With TinySeg's kernels the floor is reached otherwise: the MUL in place over x, the projection as
    // TinySegConvInPlace. With builtins only there is no such conv; there, before the MUL was row-local, x and the
    // projection were whole together.
    const { report, graph } = optimize(squeezeExcite(), { file: 'se.tflite', kernels: 'cmsis-nn', maxSpillBytes: 0, builtinsOnly: true, verify: { inputs: 1 } });
    expect(report.passes.splitRowBands.chains.map((c) => c.ops)).toContainEqual(['MUL', 'CONV_2D', 'CONV_2D']);
    expect(graph.main.tensors.some((t) => t.name === 'scaled')).toBe(false);
    expect(report.after.head).toBeLessThan(H * H * (C + 16));
  });
});
