// A PSPNet pyramid pooling head: the feature map pooled to 1, 2, 3 and 6 bins
// (AVERAGE_POOL_2D windows of the height or a part of it), each projected and
// spread back by a half-pixel RESIZE_BILINEAR, concatenated with the features,
// then the logits resized to the input and ARG_MAX. The pool of one bin reads
// every row of the features, so they are whole then (the streaming floor
// counts them: no band reads less); every spread branch, their concatenation
// and the full-resolution logits run in bands and are never whole.

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { saveGraph } from '../../src/graph/graph.js';
import { optimize } from '../../src/optimize/optimize.js';

const H = 48;

function pyramid(): Uint8Array {
  const b = new GraphBuilder();
  let seed = 9;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const q = (s: number, z = 0) => ({ scale: [s], zeroPoint: [z], quantizedDimension: 0 });
  const w = (name: string, shape: number[]) =>
    b.constant(name, { dtype: 'int8', shape, quantization: { scale: new Array(shape[0]).fill(0.01), zeroPoint: new Array(shape[0]).fill(0), quantizedDimension: 0 } }, Int8Array.from({ length: shape.reduce((p, c) => p * c, 1) }, () => Math.floor(rand() * 200) - 100));
  const bias = (name: string, n: number) => b.constant(name, { dtype: 'int32', shape: [n] }, Int32Array.from({ length: n }, (_, i) => 30 * i - 60));
  const t = (name: string, shape: number[]) => b.tensor(name, { dtype: 'int8', shape, quantization: q(0.1, -5) });
  const conv = (padding: number, stride: number) => ({ type: 'Conv2DOptions', value: { padding, strideH: stride, strideW: stride, fusedActivationFunction: 1 } });
  const resize = (name: string, x: number, h: number): number => {
    const y = t(name, [1, h, h, b.shapeOf(x)[3]!]);
    const size = b.constant(`${name}_size`, { dtype: 'int32', shape: [2] }, new Int32Array([h, h]));
    b.op({ opcode: 'RESIZE_BILINEAR', inputs: [x, size], outputs: [y], options: { type: 'ResizeBilinearOptions', value: { halfPixelCenters: true } } });
    return y;
  };
  const x = b.input('x', { dtype: 'int8', shape: [1, 2 * H, 2 * H, 3], quantization: q(0.02) });
  const f = t('f', [1, H, H, 32]);
  b.op({ opcode: 'CONV_2D', inputs: [x, w('f_w', [32, 3, 3, 3]), bias('f_b', 32)], outputs: [f], options: conv(0, 2) });
  const parts = [f];
  for (const bins of [1, 2, 3, 6]) {
    const k = H / bins;
    const p = t(`p${bins}`, [1, bins, bins, 32]);
    b.op({ opcode: 'AVERAGE_POOL_2D', inputs: [f], outputs: [p], options: { type: 'Pool2DOptions', value: { padding: 1, strideH: k, strideW: k, filterHeight: k, filterWidth: k } } });
    const pc = t(`pc${bins}`, [1, bins, bins, 8]);
    b.op({ opcode: 'CONV_2D', inputs: [p, w(`pc${bins}_w`, [8, 1, 1, 32]), bias(`pc${bins}_b`, 8)], outputs: [pc], options: conv(1, 1) });
    parts.push(resize(`up${bins}`, pc, H));
  }
  const cat = t('cat', [1, H, H, 64]);
  b.op({ opcode: 'CONCATENATION', inputs: parts, outputs: [cat], options: { type: 'ConcatenationOptions', value: { axis: 3 } } });
  const logits = t('logits', [1, H, H, 4]);
  b.op({ opcode: 'CONV_2D', inputs: [cat, w('l_w', [4, 3, 3, 64]), bias('l_b', 4)], outputs: [logits], options: conv(0, 1) });
  const full = resize('full', logits, 2 * H);
  const map = b.tensor('map', { dtype: 'int32', shape: [1, 2 * H, 2 * H] });
  b.op({ opcode: 'ARG_MAX', inputs: [full, b.constant('axis', { dtype: 'int32', shape: [] }, new Int32Array([3]))], outputs: [map], options: { type: 'ArgMaxOptions', value: { outputType: 2 } } });
  b.output(map);
  return saveGraph(b.build());
}

describe('a pyramid pooling head', () => {
  it.each(['reference', 'cmsis-nn'] as const)('(%s): the floor is the features the global pool reads whole; the head reaches it, proved', (kernels) => {
    const r = optimize(pyramid(), { file: 'pyramid.tflite', kernels, verify: { inputs: 1 } }).report;
    expect(r.verified).toBe(true);
    expect(r.streamingFloor).toBe(H * H * 32);
    expect(r.headOverStreamingFloor.after).toBeLessThanOrEqual(1.01);
    // Before: the features with their four spread branches (or the concatenation), then the logits at full resolution.
    expect(r.before.head / r.after.head).toBeGreaterThan(3);
    expect(r.compute.invoke[kernels].overhead).toBeLessThanOrEqual(0.05);
  });
});
