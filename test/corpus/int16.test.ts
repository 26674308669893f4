// The 16x8 kernels (int16 activations, int8 weights) against real TFLite
// (tfjs-tflite), which runs them with TFLite's reference integer kernels, the
// code TFLM shares. No corpus model is int16, so small models are built here.

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { saveGraph } from '../../src/graph/graph.js';
import type { Quantization } from '../../src/graph/types.js';
import { runModel } from '../../src/interpreter/interpreter.js';
import { randomInput } from '../../src/interpreter/oracle-input.js';
import { tfliteRunInt16 } from '../helpers/tfjs-tflite.js';

const q = (scale: number): Quantization => ({ scale: [scale], zeroPoint: [0], quantizedDimension: 0 });
const perChannel = (scales: number[], dim = 0): Quantization => ({ scale: scales, zeroPoint: scales.map(() => 0), quantizedDimension: dim });

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

function model16(op: 'CONV_2D' | 'DEPTHWISE_CONV_2D' | 'FULLY_CONNECTED', biasType: 'int32' | 'int64'): Uint8Array {
  const r = lcg(op.length * 7 + biasType.length);
  const b = new GraphBuilder();
  const C = 8;
  const O = op === 'DEPTHWISE_CONV_2D' ? 8 : 6;
  const inShape = op === 'FULLY_CONNECTED' ? [2, 24] : [1, 6, 5, C];
  const x = b.input('x', { dtype: 'int16', shape: inShape, quantization: q(0.002) });
  const wShape = op === 'CONV_2D' ? [O, 3, 3, C] : op === 'DEPTHWISE_CONV_2D' ? [1, 3, 3, O] : [O, 24];
  const n = wShape.reduce((a, v) => a * v, 1);
  const scales = Array.from({ length: O }, () => 0.004 + 0.004 * Math.abs(r()));
  const w = b.constant('w', { dtype: 'int8', shape: wShape, quantization: perChannel(scales, op === 'DEPTHWISE_CONV_2D' ? 3 : 0) }, Int8Array.from({ length: n }, () => Math.round(r() * 127)));
  const biasValues = Array.from({ length: O }, () => Math.round(r() * 20000));
  const bias = b.constant(
    'b',
    { dtype: biasType, shape: [O], quantization: perChannel(scales.map((s) => s * 0.002)) },
    biasType === 'int32' ? Int32Array.from(biasValues) : BigInt64Array.from(biasValues.map(BigInt)),
  );
  const outShape = op === 'FULLY_CONNECTED' ? [2, O] : [1, 6, 5, O];
  const y = b.tensor('y', { dtype: 'int16', shape: outShape, quantization: q(0.003) });
  const window = { padding: 0, strideH: 1, strideW: 1, dilationHFactor: 1, dilationWFactor: 1, fusedActivationFunction: 1 };
  if (op === 'CONV_2D') b.op({ opcode: op, version: 4, inputs: [x, w, bias], outputs: [y], options: { type: 'Conv2DOptions', value: window } });
  else if (op === 'DEPTHWISE_CONV_2D') b.op({ opcode: op, version: 5, inputs: [x, w, bias], outputs: [y], options: { type: 'DepthwiseConv2DOptions', value: { ...window, depthMultiplier: 1 } } });
  else b.op({ opcode: op, version: 7, inputs: [x, w, bias], outputs: [y], options: { type: 'FullyConnectedOptions', value: { fusedActivationFunction: 0 } } });
  b.output(y);
  return saveGraph(b.build());
}

const cases: ['CONV_2D' | 'DEPTHWISE_CONV_2D' | 'FULLY_CONNECTED', 'int32' | 'int64'][] = [
  ['CONV_2D', 'int64'],
  ['CONV_2D', 'int32'],
  ['DEPTHWISE_CONV_2D', 'int64'],
  ['FULLY_CONNECTED', 'int64'],
  ['FULLY_CONNECTED', 'int32'],
];

describe.each(cases)('16x8 %s with %s bias', (op, biasType) => {
  it('equals TFLite byte for byte on seeded random inputs', async () => {
    const bytes = model16(op, biasType);
    const { loadGraph } = await import('../../src/graph/graph.js');
    const graph = loadGraph(bytes);
    const input = graph.main.tensors[graph.main.inputs[0]!]!;
    for (const seed of [1, 2, 3]) {
      const raw = randomInput(input, seed);
      const ours = new Int16Array(runModel(graph, [raw])[0]!.slice().buffer);
      const theirs = await tfliteRunInt16(bytes, new Int16Array(raw.slice().buffer));
      expect(new Set(ours).size, 'a non-degenerate output').toBeGreaterThan(Math.min(10, ours.length / 2));
      expect(Array.from(ours), `seed ${seed}`).toEqual(Array.from(theirs));
    }
  });
});
