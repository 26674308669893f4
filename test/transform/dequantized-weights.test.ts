// Weights widened at run time: TensorFlow Lite's float16 and weight-only quantization store a float32 model's weights
// narrow and DEQUANTIZE them before their convolution. The convolution is as row-local as with constant weights: every
// band reads the widened weights whole, and the split runs their DEQUANTIZE before the bands. Before, such convs had no
// row rule: bands stopped at them, and the streaming floor counted their operands whole.

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { loadGraph, saveGraph } from '../../src/graph/graph.js';
import { rowRule } from '../../src/ops/registry.js';
import { wholeOperand } from '../../src/ops/row-rule.js';
import { optimize } from '../../src/optimize/optimize.js';

const H = 64;

/**
 * A float32 stem and head at full resolution whose conv filters are int8 constants DEQUANTIZEd at run time, and the
 * biases too where `biases` is 'widened' (as float16 models write them).
 */
function widenedWeights(biases: 'constant' | 'widened' = 'constant'): Uint8Array {
  const b = new GraphBuilder();
  let seed = 7;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const widened = (name: string, shape: number[]) => {
    const n = shape.reduce((p, c) => p * c, 1);
    const narrow = b.constant(`${name}_i8`, { dtype: 'int8', shape, quantization: { scale: [0.01], zeroPoint: [0], quantizedDimension: 0 } }, Int8Array.from({ length: n }, () => Math.floor(rand() * 200) - 100));
    const wide = b.tensor(name, { dtype: 'float32', shape });
    b.op({ opcode: 'DEQUANTIZE', inputs: [narrow], outputs: [wide] });
    return wide;
  };
  const conv = (name: string, x: number, cout: number, k: number, depthwise = false) => {
    const [, h, w, cin] = b.shapeOf(x) as number[];
    const y = b.tensor(name, { dtype: 'float32', shape: [1, h!, w!, cout] });
    const filter = widened(`${name}_w`, depthwise ? [1, k, k, cout] : [cout, k, k, cin!]);
    const bias =
      biases === 'widened'
        ? widened(`${name}_b`, [cout])
        : b.constant(`${name}_b`, { dtype: 'float32', shape: [cout] }, Float32Array.from({ length: cout }, (_, i) => 0.01 * i - 0.05));
    b.op(
      depthwise
        ? { opcode: 'DEPTHWISE_CONV_2D', inputs: [x, filter, bias], outputs: [y], options: { type: 'DepthwiseConv2DOptions', value: { padding: 0, strideH: 1, strideW: 1, depthMultiplier: 1, fusedActivationFunction: 1 } } }
        : { opcode: 'CONV_2D', inputs: [x, filter, bias], outputs: [y], options: { type: 'Conv2DOptions', value: { padding: 0, strideH: 1, strideW: 1, fusedActivationFunction: 1 } } },
    );
    return y;
  };
  const input = b.input('input', { dtype: 'float32', shape: [1, H, H, 3] });
  const features = conv('expand', conv('stem', input, 16, 3), 16, 1);
  b.output(conv('logits', features, 2, 1));
  return saveGraph(b.build());
}

describe('convolutions whose weights are DEQUANTIZEd at run time', () => {
  it('are row-local: their widened filters are read whole by every band', () => {
    const g = loadGraph(widenedWeights());
    const sg = g.main;
    const convs = sg.ops.filter((op) => op.opcode === 'CONV_2D' || op.opcode === 'DEPTHWISE_CONV_2D');
    expect(convs.map((op) => rowRule(sg, op))).toEqual([{ kind: 'same', halo: 1 }, { kind: 'same', halo: 0 }, { kind: 'same', halo: 0 }]);
    for (const op of convs) expect(wholeOperand(sg, op.inputs[1]!) && sg.tensors[op.inputs[1]!]!.kind === 'activation').toBe(true);
    // An activation the network computes is no such operand.
    expect(wholeOperand(sg, convs[1]!.inputs[0]!)).toBe(false);
  });

  it.each(['reference', 'cmsis-nn'] as const)('(%s) run in bands from the graph input to its output, proved: no 16-channel map is ever whole', (kernels) => {
    const { report } = optimize(widenedWeights(), { file: 'widened.tflite', kernels, maxSpillBytes: 0, verify: { inputs: 1 } });
    expect(report.verified).toBe(true);
    // Whole at once: the input beside the stem's widened filter (a DEQUANTIZE of a [16, 3, 3, 3] filter has no rows);
    // the convs' operands no longer.
    expect(report.streamingFloor).toBe(H * H * 3 * 4 + 16 * 3 * 3 * 3 * 4);
    // Before, the stem's and the expansion's float32 maps whole together.
    const map = H * H * 16 * 4;
    expect(report.before.head).toBeGreaterThanOrEqual(2 * map);
    expect(report.passes.splitRowBands.chains[0]!.ops).toEqual(['CONV_2D', 'CONV_2D', 'CONV_2D']);
    expect(report.after.head).toBeLessThan(map);
  });

  it.each([
    ['reference', 'constant'],
    ['cmsis-nn', 'constant'],
    ['reference', 'widened'],
    ['cmsis-nn', 'widened'],
  ] as const)('(%s, %s biases) stream as TinySegConcatConv bands that read the widened operands at Eval, proved', (kernels, biases) => {
    const { report, bytes } = optimize(widenedWeights(biases), { file: 'widened.tflite', kernels, verify: { inputs: 1 } });
    expect(report.verified).toBe(true);
    const sg = loadGraph(bytes).main;
    const bands = sg.ops.filter((op) => op.customCode === 'TinySegConcatConv');
    expect(bands).toHaveLength(3);
    for (const op of bands) {
      expect(sg.ops[sg.producerOf(op.inputs[0]!)]!.opcode).toBe('DEQUANTIZE');
      expect(sg.tensors[op.inputs[1]!]!.kind).toBe(biases === 'widened' ? 'activation' : 'constant');
    }
    // The input whole beside one band's rows. Builtin bands, each with its padded copy of the rows, held 208,000 B
    // (reference) and 72,016 B (CMSIS-NN) when the TinySeg kernel took constant weights only.
    expect(report.after.head).toBeLessThan(H * H * 3 * 4 + 8 * 1024);
  });
});
