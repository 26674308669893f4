// Reflection padding, as PyTorch models exported to TFLite have it at their stem and before their full-resolution
// convs: MIRROR_PAD then a VALID conv. Row bands run through MIRROR_PAD as through PAD: a band at the image's top or
// bottom mirrors its own rows (it holds those it mirrors), one in between copies its rows. So the stem and the head
// are never whole, the proof holds, and the head reaches the streaming floor.

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { saveGraph } from '../../src/graph/graph.js';
import { rowRule } from '../../src/ops/registry.js';
import { optimize } from '../../src/optimize/optimize.js';

const H = 64;
const REFLECT = 0;
const SYMMETRIC = 1;

/** x -> MIRROR_PAD 3 -> 7x7 conv -> MIRROR_PAD 1 -> 3x3 conv stride 2 -> ... -> resize x2 -> MIRROR_PAD 1 -> 3x3 conv -> logits. */
function reflectionPadded(dtype: 'int8' | 'float32'): Uint8Array {
  const b = new GraphBuilder();
  let seed = 5;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const int8 = dtype === 'int8';
  const q = (s: number, z = 0) => (int8 ? { quantization: { scale: [s], zeroPoint: [z], quantizedDimension: 0 } } : {});
  const t = (name: string, shape: number[]) => b.tensor(name, { dtype, shape, ...q(0.1, -3) });
  const w = (name: string, shape: number[]) => {
    const n = shape.reduce((p, c) => p * c, 1);
    return int8
      ? b.constant(name, { dtype: 'int8', shape, quantization: { scale: new Array(shape[0]).fill(0.01), zeroPoint: new Array(shape[0]).fill(0), quantizedDimension: 0 } }, Int8Array.from({ length: n }, () => Math.floor(rand() * 200) - 100))
      : b.constant(name, { dtype: 'float32', shape }, Float32Array.from({ length: n }, () => rand() - 0.5));
  };
  const bias = (name: string, n: number) =>
    int8 ? b.constant(name, { dtype: 'int32', shape: [n] }, Int32Array.from({ length: n }, (_, i) => 20 * i - 40)) : b.constant(name, { dtype: 'float32', shape: [n] }, Float32Array.from({ length: n }, (_, i) => 0.01 * i));
  const mirror = (name: string, x: number, p: number, mode: number, int64 = false): number => {
    const [, h, wd, c] = b.shapeOf(x) as number[];
    const y = t(name, [1, h! + 2 * p, wd! + 2 * p, c!]);
    const pads = [0, 0, p, p, p, p, 0, 0];
    const paddings = int64
      ? b.constant(`${name}_p`, { dtype: 'int64', shape: [4, 2] }, BigInt64Array.from(pads.map(BigInt)))
      : b.constant(`${name}_p`, { dtype: 'int32', shape: [4, 2] }, Int32Array.from(pads));
    b.op({ opcode: 'MIRROR_PAD', inputs: [x, paddings], outputs: [y], options: { type: 'MirrorPadOptions', value: { mode } } });
    return y;
  };
  const conv = (name: string, x: number, k: number, stride: number, c: number, relu = true): number => {
    const [, h, wd, ci] = b.shapeOf(x) as number[];
    const y = t(name, [1, Math.floor((h! - k) / stride) + 1, Math.floor((wd! - k) / stride) + 1, c]);
    const options = { type: 'Conv2DOptions', value: { padding: 1, strideH: stride, strideW: stride, fusedActivationFunction: relu ? 1 : 0 } };
    b.op({ opcode: 'CONV_2D', inputs: [x, w(`${name}_w`, [c, k, k, ci!]), bias(`${name}_b`, c)], outputs: [y], options });
    return y;
  };
  const x = b.input('x', { dtype, shape: [1, H, H, 3], ...q(0.02) });
  const stem = conv('stem', mirror('pad7', x, 3, REFLECT, true), 7, 1, 16);
  const down = conv('down', mirror('pad_down', stem, 1, SYMMETRIC), 3, 2, 32);
  const mid = conv('mid', mirror('pad_mid', down, 1, REFLECT), 3, 1, 32);
  const up = t('up', [1, H, H, 32]);
  const size = b.constant('up_size', { dtype: 'int32', shape: [2] }, new Int32Array([H, H]));
  b.op({ opcode: 'RESIZE_BILINEAR', inputs: [mid, size], outputs: [up], options: { type: 'ResizeBilinearOptions', value: { halfPixelCenters: true } } });
  const logits = conv('logits', mirror('pad_head', up, 1, REFLECT), 3, 1, 2, false);
  b.output(logits);
  return saveGraph(b.build());
}

describe('MIRROR_PAD in row bands', () => {
  // Row bands alone (no spill region): the bands of one chain from the input to the logits, at most ten.
  const split = (dtype: 'int8' | 'float32', kernels: 'reference' | 'cmsis-nn') =>
    optimize(reflectionPadded(dtype), { file: 'mirror.tflite', kernels, maxSpillBytes: 0, verify: { inputs: 1 } });

  it('is row-local in both modes, with int32 or int64 paddings: the streaming floor is the input alone', () => {
    const r = split('int8', 'reference');
    expect(r.report.streamingFloor).toBe(H * H * 3);
    const rules = r.graph.main.ops.filter((op) => op.opcode === 'MIRROR_PAD').map((op) => rowRule(r.graph.main, op));
    expect(rules.length).toBeGreaterThan(4);
    expect(new Set(rules.map((rule) => (rule?.kind === 'pad' ? rule.mirror : 'none')))).toEqual(new Set([0, 1]));
  });

  it.each([
    ['int8', 'reference'],
    ['int8', 'cmsis-nn'],
    ['float32', 'reference'],
  ] as const)('(%s, %s): the stem, the middle and the head run in bands from the input to the logits, proved', (dtype, kernels) => {
    const { report } = split(dtype, kernels);
    expect(report.verified).toBe(true);
    const chain = report.passes.splitRowBands.chains[0]!;
    expect(chain.ops.filter((op) => op === 'MIRROR_PAD')).toHaveLength(4);
    expect(chain.output).toBe('logits');
    // Before: the padded input beside the stem's 16 channels, and the resized features beside their padded copy.
    expect(report.before.head / report.after.head).toBeGreaterThan(2.5);
    expect(report.compute.invoke[kernels].overhead).toBeLessThanOrEqual(0.05);
  });
});
