// A RESHAPE before operators that do not care about the shape (a Keras head's
// Reshape((H * W, classes)) + softmax) moves after them: they run on the 4-D
// tensor, where row bands cut them, the RESHAPE then in place. The bytes stay
// the original's (the interpreter, and the proof of optimize()).

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { loadGraph, saveGraph, type Graph } from '../../src/graph/graph.js';
import type { DType } from '../../src/graph/types.js';
import { runModel } from '../../src/interpreter/interpreter.js';
import { randomInput } from '../../src/interpreter/oracle-input.js';
import { inPlacePairs } from '../../src/analysis/in-place.js';
import { sinkReshapes } from '../../src/transform/sink-reshapes.js';
import { optimize } from '../../src/optimize/optimize.js';

const conv = (stride: number) => ({ type: 'Conv2DOptions', value: { padding: 0, strideH: stride, strideW: stride, dilationHFactor: 1, dilationWFactor: 1 } });

interface Head {
  /** The shape the logits are reshaped to. */
  flat: number[];
  /** The operators after the RESHAPE, in order (each reads the one before). */
  tail: ('SOFTMAX' | 'LOGISTIC' | 'QUANTIZE')[];
  /** Another reader of the flattened tensor, besides the first of `tail`. */
  secondReader?: boolean;
}

/** x [1, 64, 32, 3] -> conv 3x3 s2 -> conv 1x1 (logits [1, 32, 16, 6]) -> RESIZE_BILINEAR x2 -> RESHAPE -> tail. */
function head(dtype: 'int8' | 'float32', { flat, tail, secondReader }: Head): Graph {
  const b = new GraphBuilder();
  let seed = 11;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const q = (scale: number, zp: number) => (dtype === 'int8' ? { scale: [scale], zeroPoint: [zp], quantizedDimension: 0 } : null);
  const weights = (name: string, shape: number[]) => {
    const n = shape.reduce((a, c) => a * c, 1);
    if (dtype === 'float32') return b.constant(name, { dtype, shape }, Float32Array.from({ length: n }, () => rand() * 0.5));
    const quantization = { scale: [0.01], zeroPoint: [0], quantizedDimension: 0 };
    return b.constant(name, { dtype, shape, quantization }, Int8Array.from({ length: n }, () => Math.round(rand() * 120)));
  };
  const t = (name: string, shape: number[], type: DType = dtype, scale = 0.1, zp = 0) =>
    b.tensor(name, { dtype: type, shape, quantization: type === 'int8' ? { scale: [scale], zeroPoint: [zp], quantizedDimension: 0 } : q(scale, zp) });
  const x = b.input('x', { dtype, shape: [1, 64, 32, 3], quantization: q(0.05, 0) });
  const c1 = t('c1', [1, 32, 16, 12]);
  b.op({ opcode: 'CONV_2D', inputs: [x, weights('c1_w', [12, 3, 3, 3]), -1], outputs: [c1], options: conv(2) });
  const logits = t('logits', [1, 32, 16, 6]);
  b.op({ opcode: 'CONV_2D', inputs: [c1, weights('l_w', [6, 1, 1, 12]), -1], outputs: [logits], options: conv(1) });
  const up = t('up', [1, 64, 32, 6]);
  const size = b.constant('size', { dtype: 'int32', shape: [2] }, new Int32Array([64, 32]));
  b.op({ opcode: 'RESIZE_BILINEAR', inputs: [logits, size], outputs: [up], options: { type: 'ResizeBilinearOptions', value: {} } });
  let y = t('flat', flat);
  const shape = b.constant('flat_shape', { dtype: 'int32', shape: [flat.length] }, new Int32Array(flat));
  b.op({ opcode: 'RESHAPE', inputs: [up, shape], outputs: [y], options: { type: 'ReshapeOptions', value: { newShape: flat } } });
  if (secondReader) {
    const other = t('other', flat);
    b.op({ opcode: 'LOGISTIC', inputs: [y], outputs: [other] });
    b.output(other);
  }
  for (const [i, opcode] of tail.entries()) {
    const last = i === tail.length - 1;
    const out =
      opcode === 'SOFTMAX' || opcode === 'LOGISTIC'
        ? t(`${opcode.toLowerCase()}_${i}`, flat, dtype, 1 / 256, -128)
        : t(`quantized_${i}`, flat, 'int8', 1 / 128, 0);
    b.op({ opcode, inputs: [y], outputs: [out], ...(opcode === 'SOFTMAX' ? { options: { type: 'SoftmaxOptions', value: { beta: 1 } } } : {}) });
    y = out;
    if (last) b.output(y);
  }
  return loadGraph(saveGraph(b.build()));
}

const run = (g: Graph, seed: number) => {
  const x = randomInput(g.main.tensors[g.main.inputs[0]!]!, seed);
  return runModel(loadGraph(saveGraph(g)), [x]).map((o) => Buffer.from(o));
};

describe('sinkReshapes', () => {
  for (const dtype of ['int8', 'float32'] as const) {
    it(`${dtype}: a softmax after the flattening RESHAPE runs on the 4-D logits, the RESHAPE last and in place; the same bytes`, () => {
      const original = head(dtype, { flat: [1, 64 * 32, 6], tail: ['SOFTMAX'] });
      const g = head(dtype, { flat: [1, 64 * 32, 6], tail: ['SOFTMAX'] });
      expect(sinkReshapes(g).moved).toBe(1);
      const ops = g.main.ops;
      expect(ops.map((op) => op.opcode)).toEqual(['CONV_2D', 'CONV_2D', 'RESIZE_BILINEAR', 'SOFTMAX', 'RESHAPE']);
      expect(g.main.tensors[ops[3]!.outputs[0]!]!.shape).toEqual([1, 64, 32, 6]);
      // The graph output keeps its name and shape.
      const out = g.main.tensors[g.main.outputs[0]!]!;
      expect([out.name, out.shape]).toEqual(['softmax_0', [1, 64 * 32, 6]]);
      expect(inPlacePairs(g.main).some((p) => p.op === 4 && p.input === ops[3]!.outputs[0])).toBe(true);
      for (const seed of [1, 2]) expect(run(g, seed)).toEqual(run(original, seed));
    });
  }

  it('moves it after a chain of such operators (LOGISTIC, then QUANTIZE), one at a time', () => {
    const original = head('float32', { flat: [64 * 32, 6], tail: ['LOGISTIC', 'QUANTIZE'] });
    const g = head('float32', { flat: [64 * 32, 6], tail: ['LOGISTIC', 'QUANTIZE'] });
    expect(sinkReshapes(g).moved).toBe(2);
    expect(g.main.ops.map((op) => op.opcode).slice(-3)).toEqual(['LOGISTIC', 'QUANTIZE', 'RESHAPE']);
    expect(run(g, 3)).toEqual(run(original, 3));
  });

  it('leaves it where the operator would see other vectors (a softmax over the flattened rows and channels) or other readers need the flat tensor', () => {
    const wide = head('float32', { flat: [1, 64 * 32 * 6], tail: ['SOFTMAX'] });
    expect(sinkReshapes(wide).moved).toBe(0);
    const shared = head('float32', { flat: [1, 64 * 32, 6], tail: ['SOFTMAX'], secondReader: true });
    expect(sinkReshapes(shared).moved).toBe(0);
  });

  it('optimize(): the head falls to the softmax output alone, at the streaming floor, proved', () => {
    const bytes = saveGraph(head('int8', { flat: [1, 64 * 32, 6], tail: ['SOFTMAX'] }));
    const r = optimize(bytes, { file: 'keras-head.tflite', verify: { inputs: 1 } }).report;
    expect(r.verified).toBe(true);
    expect(r.passes.sinkReshapes.moved).toBe(1);
    // Before: the resized logits and the flat copy, then the flat copy and the probabilities (12 KiB each).
    expect(r.before.head).toBe(2 * 64 * 32 * 6);
    expect(r.streamingFloor).toBe(64 * 32 * 6);
    expect(r.after.head).toBe(r.streamingFloor);
    expect(r.passes.spill.streamed?.ops).toContain('SOFTMAX');
  });
});
