// A segmentation's class map (ARG_MAX over the channels, [1, H, W]) streamed
// whether it is the graph output or a RESHAPE to [H, W] makes the output: its
// bands go to its slot, and the RESHAPE reads it whole, fetched, in place. A
// SQUEEZE to [H, W] likewise, written as that RESHAPE.

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { loadGraph, saveGraph } from '../../src/graph/graph.js';
import { optimize } from '../../src/optimize/optimize.js';

const conv = (stride: number) => ({ type: 'Conv2DOptions', value: { padding: 0, strideH: stride, strideW: stride, dilationHFactor: 1, dilationWFactor: 1 } });

type Tail = 'RESHAPE' | 'SQUEEZE';

/** x [1, 128, 64, 3] int8 -> conv 3x3 s2 -> conv 1x1 (logits [1, 64, 32, 8]) -> RESIZE_BILINEAR x2 -> ARG_MAX [1, 128, 64] (-> `tail`). */
function classMap(tail: Tail | null): Uint8Array {
  const b = new GraphBuilder();
  let seed = 7;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const q = (scale: number) => ({ scale: [scale], zeroPoint: [0], quantizedDimension: 0 });
  const weights = (name: string, shape: number[]) =>
    b.constant(name, { dtype: 'int8', shape, quantization: q(0.01) }, Int8Array.from({ length: shape.reduce((p, c) => p * c, 1) }, () => Math.floor(rand() * 256) - 128));
  const bias = (name: string, n: number) => b.constant(name, { dtype: 'int32', shape: [n] }, Int32Array.from({ length: n }, (_, i) => 40 * i - 100));
  const t = (name: string, shape: number[]) => b.tensor(name, { dtype: 'int8', shape, quantization: q(0.1) });
  const x = b.input('x', { dtype: 'int8', shape: [1, 128, 64, 3], quantization: q(0.05) });
  const c1 = t('c1', [1, 64, 32, 16]);
  b.op({ opcode: 'CONV_2D', inputs: [x, weights('c1_w', [16, 3, 3, 3]), bias('c1_b', 16)], outputs: [c1], options: conv(2) });
  const logits = t('logits', [1, 64, 32, 8]);
  b.op({ opcode: 'CONV_2D', inputs: [c1, weights('l_w', [8, 1, 1, 16]), bias('l_b', 8)], outputs: [logits], options: conv(1) });
  const up = t('up', [1, 128, 64, 8]);
  b.op({ opcode: 'RESIZE_BILINEAR', inputs: [logits, b.constant('size', { dtype: 'int32', shape: [2] }, new Int32Array([128, 64]))], outputs: [up], options: { type: 'ResizeBilinearOptions', value: {} } });
  const map = b.tensor('map', { dtype: 'int32', shape: [1, 128, 64] });
  const axis = b.constant('axis', { dtype: 'int32', shape: [] }, new Int32Array([3]));
  b.op({ opcode: 'ARG_MAX', inputs: [up, axis], outputs: [map], options: { type: 'ArgMaxOptions', value: { outputType: 2 } } });
  if (!tail) {
    b.output(map);
    return saveGraph(b.build());
  }
  const y = b.tensor('y', { dtype: 'int32', shape: [128, 64] });
  if (tail === 'RESHAPE') b.op({ opcode: 'RESHAPE', inputs: [map, b.constant('shape', { dtype: 'int32', shape: [2] }, new Int32Array([128, 64]))], outputs: [y] });
  if (tail === 'SQUEEZE') b.op({ opcode: 'SQUEEZE', inputs: [map], outputs: [y], options: { type: 'SqueezeOptions', value: { squeezeDims: [0] } } });
  b.output(y);
  return saveGraph(b.build());
}

describe('the class map streamed', () => {
  for (const tail of [null, 'RESHAPE', 'SQUEEZE'] as const) {
    it(`${tail ? `through a ${tail} for the output` : 'as the graph output'}: the head at the floor, the class map alone; proved`, () => {
      const { report: r, bytes } = optimize(classMap(tail), { file: 'class-map.tflite', verify: { inputs: 1 } });
      expect(r.verified).toBe(true);
      // Before: the resized logits (64 KiB) and the class map (32 KiB).
      expect(r.before.head).toBe(128 * 64 * 8 + 128 * 64 * 4);
      expect(r.streamingFloor).toBe(128 * 64 * 4);
      expect(r.after.head).toBe(r.streamingFloor);
      expect(r.passes.spill.streamed?.ops).toContain('ARG_MAX');
      // TFLM's SQUEEZE copies even onto itself: it is written as a RESHAPE, in place.
      expect(r.passes.squeezesToReshapes.rewritten).toBe(tail === 'SQUEEZE' ? 1 : 0);
      expect(loadGraph(bytes).main.ops.map((op) => op.opcode)).not.toContain('SQUEEZE');
    });
  }
});
