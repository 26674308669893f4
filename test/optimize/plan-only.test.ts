// A model no build runs (an old uint8 model TFLM refuses, planned with allowRefused): its segmentation head is
// streamed like an int8 one's (bands cut uint8 tensors too, the figures memory planning only), while in a model
// TFLM runs no band ever cuts a uint8 tensor (TFLM's STRIDED_SLICE and CONCATENATION refuse it).

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { loadGraph, saveGraph } from '../../src/graph/graph.js';
import type { DType } from '../../src/graph/types.js';
import { optimize } from '../../src/optimize/optimize.js';
import { TinysegError } from '../../src/errors.js';

const conv = (stride: number) => ({ type: 'Conv2DOptions', value: { padding: 0, strideH: stride, strideW: stride, dilationHFactor: 1, dilationWFactor: 1 } });

/**
 * x [1, 128, 64, 3] -> conv 3x3 s2 -> conv 1x1 (logits [1, 64, 32, 8]) -> RESIZE_BILINEAR x2 -> ARG_MAX [1, 128, 64]:
 * a DeepLab head, its peak the full-resolution logits and the class map. `act`: the activations' type; `input`: the
 * graph input's (a uint8 one quantized to int8 first); `classes`: the class map's (TensorFlow's tf.argmax makes int64,
 * which TFLM's ARG_MAX refuses).
 */
function segmentationHead(act: 'uint8' | 'int8', input: 'uint8' | 'int8' = act, classes: 'int32' | 'int64' = 'int32'): Uint8Array {
  const b = new GraphBuilder();
  let seed = 7;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const q = (scale: number, zp: number) => ({ scale: [scale], zeroPoint: [zp], quantizedDimension: 0 });
  const zero = act === 'uint8' ? 128 : 0;
  const weights = (name: string, shape: number[]) => {
    const n = shape.reduce((a, c) => a * c, 1);
    const data = act === 'uint8' ? Uint8Array.from({ length: n }, () => Math.floor(rand() * 256)) : Int8Array.from({ length: n }, () => Math.floor(rand() * 256) - 128);
    return b.constant(name, { dtype: act, shape, quantization: q(0.01, zero) }, data);
  };
  const bias = (name: string, n: number) => b.constant(name, { dtype: 'int32', shape: [n] }, Int32Array.from({ length: n }, (_, i) => 40 * i - 100));
  const t = (name: string, shape: number[], dtype: DType = act) => b.tensor(name, { dtype, shape, quantization: q(0.1, zero) });
  let x = b.input('x', { dtype: input, shape: [1, 128, 64, 3], quantization: q(0.05, input === 'uint8' ? 128 : 0) });
  if (input !== act) {
    const xq = t('x_q', [1, 128, 64, 3]);
    b.op({ opcode: 'QUANTIZE', inputs: [x], outputs: [xq] });
    x = xq;
  }
  const c1 = t('c1', [1, 64, 32, 16]);
  b.op({ opcode: 'CONV_2D', inputs: [x, weights('c1_w', [16, 3, 3, 3]), bias('c1_b', 16)], outputs: [c1], options: conv(2) });
  const logits = t('logits', [1, 64, 32, 8]);
  b.op({ opcode: 'CONV_2D', inputs: [c1, weights('l_w', [8, 1, 1, 16]), bias('l_b', 8)], outputs: [logits], options: conv(1) });
  const up = t('up', [1, 128, 64, 8]);
  const size = b.constant('size', { dtype: 'int32', shape: [2] }, new Int32Array([128, 64]));
  b.op({ opcode: 'RESIZE_BILINEAR', inputs: [logits, size], outputs: [up], options: { type: 'ResizeBilinearOptions', value: {} } });
  const map = b.tensor('classes', { dtype: classes, shape: [1, 128, 64] });
  const axis = b.constant('axis', { dtype: 'int32', shape: [] }, new Int32Array([3]));
  b.op({ opcode: 'ARG_MAX', inputs: [up, axis], outputs: [map], options: { type: 'ArgMaxOptions', value: { outputType: classes === 'int32' ? 2 : 4 } } });
  b.output(map);
  return saveGraph(b.build());
}

/** The tensors of type `dtype` any operator of `bytes` reads or writes. */
const touched = (bytes: Uint8Array, dtype: DType) => {
  const sg = loadGraph(bytes).main;
  return new Set(sg.ops.flatMap((op) => [...op.inputs, ...op.outputs].filter((t) => t >= 0 && sg.tensors[t]!.dtype === dtype && sg.tensors[t]!.kind !== 'constant')));
};

describe('a model no build runs (planned only)', () => {
  const uint8 = segmentationHead('uint8');

  it('is refused unless allowRefused, and then its full-resolution head is streamed as an int8 one', () => {
    expect(() => optimize(uint8, { file: 'seg-u8.tflite', verify: false })).toThrow(TinysegError);
    // No proof: the interpreter refuses uint8 as TFLM does, so neither model runs to compare.
    const planned = optimize(uint8, { file: 'seg-u8.tflite', allowRefused: true });
    expect(planned.report.verified).toBeNull();
    const int8 = optimize(segmentationHead('int8'), { file: 'seg-i8.tflite', verify: false });
    // The floor: the class map (32 KiB) whole at the end; the resize and the ARG_MAX are row-local in uint8 too.
    expect(planned.report.streamingFloor).toBe(int8.report.streamingFloor);
    expect(planned.report.after.head).toBeLessThanOrEqual(planned.report.before.head / 2);
    expect(planned.report.after.head).toBe(int8.report.after.head);
    expect(planned.report.passes.spill.streamed?.ops).toContain('RESIZE_BILINEAR');
    expect(planned.report.warnings.some((w) => w.includes('memory planning only'))).toBe(true);
  });

  it('an int64 class map (TFLM refuses it at Invoke) is streamed too, planned with allowRefused', () => {
    const bytes = segmentationHead('int8', 'int8', 'int64');
    const planned = optimize(bytes, { file: 'seg-i64.tflite', allowRefused: true }).report;
    expect(planned.verified).toBeNull();
    expect(planned.warnings.some((w) => w.includes('(TFLM refuses it at Invoke)'))).toBe(true);
    expect(planned.streamingFloor).toBe(128 * 64 * 8);
    expect(planned.after.head).toBe(planned.streamingFloor);
    expect(planned.passes.spill.streamed?.ops).toContain('ARG_MAX');
  });

  it('in a model TFLM runs, bands never cut its uint8 input: the QUANTIZE reads it whole, and the result is proved', () => {
    const bytes = segmentationHead('int8', 'uint8');
    const r = optimize(bytes, { file: 'seg-u8-in.tflite', verify: { inputs: 1 } });
    expect(r.report.verified).toBe(true);
    expect(r.report.after.head).toBeLessThan(r.report.before.head);
    // The graph input alone is uint8, read by the QUANTIZE alone.
    const sg = loadGraph(r.bytes).main;
    expect([...touched(r.bytes, 'uint8')]).toEqual([sg.inputs[0]]);
    expect(sg.consumersOf(sg.inputs[0]!).map((k) => sg.ops[k]!.opcode)).toEqual(['QUANTIZE']);
  });
});
