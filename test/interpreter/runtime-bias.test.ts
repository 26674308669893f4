// TFLM's builtin conv-family kernels (CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV, FULLY_CONNECTED) read their bias
// at Eval: a bias computed at run time, a DEQUANTIZE's output or a graph input, is theirs to take (the reference and
// CMSIS-NN kernels alike; CMSIS-NN's int8 FULLY_CONNECTED then requests its kernel sums as scratch instead of
// precomputing them). The interpreter used to refuse such a bias as if TFLM did. It now prepares the operator again on
// every call, so each inference computes with the bias it has then, exactly as with a constant of the same values.

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { loadGraph, saveGraph, type Graph } from '../../src/graph/graph.js';
import { checkModel, Interpreter, runModel } from '../../src/interpreter/interpreter.js';
import { randomInput } from '../../src/interpreter/oracle-input.js';

const q = (scale: number, zero = 0) => ({ scale: [scale], zeroPoint: [zero], quantizedDimension: 0 });

function prng(seed: number): () => number {
  return () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 2 ** 24;
}

/**
 * float32 CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV and FULLY_CONNECTED, each with a bias of int8 values times 2^-4
 * (exact in float32): DEQUANTIZEd at run time (`widened`), or the same values as float32 constants.
 */
function floatConvs(widened: boolean): Graph {
  const b = new GraphBuilder();
  const rand = prng(5);
  const C = 6;
  const values = (n: number) => Int8Array.from({ length: n }, () => Math.floor(rand() * 200) - 100);
  const floats = (n: number) => Float32Array.from({ length: n }, () => rand() - 0.5);
  const bias = (name: string, n: number) => {
    const v = values(n);
    if (!widened) return b.constant(name, { dtype: 'float32', shape: [n] }, Float32Array.from(v, (x) => x / 16));
    const narrow = b.constant(`${name}_i8`, { dtype: 'int8', shape: [n], quantization: q(1 / 16) }, v);
    const wide = b.tensor(name, { dtype: 'float32', shape: [n] });
    b.op({ opcode: 'DEQUANTIZE', inputs: [narrow], outputs: [wide] });
    return wide;
  };
  const x = b.input('x', { dtype: 'float32', shape: [1, 8, 8, 3] });
  const conv = b.tensor('conv', { dtype: 'float32', shape: [1, 8, 8, C] });
  const convW = b.constant('conv_w', { dtype: 'float32', shape: [C, 3, 3, 3] }, floats(C * 27));
  b.op({ opcode: 'CONV_2D', inputs: [x, convW, bias('conv_b', C)], outputs: [conv], options: { type: 'Conv2DOptions', value: { padding: 0, strideH: 1, strideW: 1, fusedActivationFunction: 0 } } });
  const dw = b.tensor('dw', { dtype: 'float32', shape: [1, 4, 4, C] });
  const dwW = b.constant('dw_w', { dtype: 'float32', shape: [1, 3, 3, C] }, floats(9 * C));
  b.op({
    opcode: 'DEPTHWISE_CONV_2D',
    inputs: [conv, dwW, bias('dw_b', C)],
    outputs: [dw],
    options: { type: 'DepthwiseConv2DOptions', value: { padding: 0, strideH: 2, strideW: 2, depthMultiplier: 1, fusedActivationFunction: 3 } },
  });
  const up = b.tensor('up', { dtype: 'float32', shape: [1, 8, 8, 4] });
  const shape = b.constant('up_shape', { dtype: 'int32', shape: [4] }, Int32Array.from([1, 8, 8, 4]));
  const upW = b.constant('up_w', { dtype: 'float32', shape: [4, 2, 2, C] }, floats(4 * 4 * C));
  b.op({ opcode: 'TRANSPOSE_CONV', inputs: [shape, upW, dw, bias('up_b', 4)], outputs: [up], options: { type: 'TransposeConvOptions', value: { padding: 0, strideH: 2, strideW: 2 } } });
  const fc = b.tensor('fc', { dtype: 'float32', shape: [64, 5] });
  const fcW = b.constant('fc_w', { dtype: 'float32', shape: [5, 4] }, floats(20));
  b.op({ opcode: 'FULLY_CONNECTED', inputs: [up, fcW, bias('fc_b', 5)], outputs: [fc], options: { type: 'FullyConnectedOptions', value: { fusedActivationFunction: 1 } } });
  b.output(fc);
  return loadGraph(saveGraph(b.build()));
}

/** int8 CONV_2D and FULLY_CONNECTED whose int32 biases are graph inputs, or constants of `values` where given. */
function int8WithBiasInputs(values?: readonly Int32Array[]): Graph {
  const b = new GraphBuilder();
  const rand = prng(9);
  const weights = (n: number) => Int8Array.from({ length: n }, () => Math.floor(rand() * 254) - 127);
  // Bias i of n channels, of the scale TFLM's bias check wants: the input's times the weights'.
  const bias = (i: number, n: number, scale: number) =>
    values ? b.constant(`b${i}`, { dtype: 'int32', shape: [n] }, values[i]!) : b.input(`b${i}`, { dtype: 'int32', shape: [n], quantization: q(scale) });
  const x = b.input('x', { dtype: 'int8', shape: [1, 6, 6, 4], quantization: q(0.05, 3) });
  const conv = b.tensor('conv', { dtype: 'int8', shape: [1, 6, 6, 8], quantization: q(0.1, -4) });
  const convW = b.constant('conv_w', { dtype: 'int8', shape: [8, 3, 3, 4], quantization: q(0.01) }, weights(8 * 36));
  b.op({ opcode: 'CONV_2D', inputs: [x, convW, bias(0, 8, 0.05 * 0.01)], outputs: [conv], options: { type: 'Conv2DOptions', value: { padding: 0, strideH: 1, strideW: 1, fusedActivationFunction: 1 } } });
  const fc = b.tensor('fc', { dtype: 'int8', shape: [36, 3], quantization: q(0.2, 1) });
  const fcW = b.constant('fc_w', { dtype: 'int8', shape: [3, 8], quantization: q(0.02) }, weights(24));
  b.op({ opcode: 'FULLY_CONNECTED', inputs: [conv, fcW, bias(1, 3, 0.1 * 0.02)], outputs: [fc], options: { type: 'FullyConnectedOptions', value: { fusedActivationFunction: 0 } } });
  b.output(fc);
  return loadGraph(saveGraph(b.build()));
}

const bytesOf = (a: Int32Array) => new Uint8Array(a.buffer.slice(0));

describe('a conv-family bias computed at run time', () => {
  it('is accepted as TFLM accepts it: no refusal, no warning', () => {
    expect(checkModel(floatConvs(true))).toEqual([]);
    expect(checkModel(int8WithBiasInputs())).toEqual([]);
  });

  it('DEQUANTIZEd: each float32 kernel computes exactly what it computes with the same values as constants', () => {
    const [widened, constant] = [floatConvs(true), floatConvs(false)];
    for (const seed of [1, 2, 3]) {
      const x = randomInput(widened.main.tensors[widened.main.inputs[0]!]!, seed);
      const got = runModel(widened, [x])[0]!;
      expect(got).toEqual(runModel(constant, [x])[0]!);
      // Not all zeros or clamped: the biases change the result.
      expect(new Set(new Float32Array(got.buffer, got.byteOffset, got.byteLength / 4)).size).toBeGreaterThan(50);
    }
  });

  it('a graph input: every inference takes the bias it is given then (int8 CONV_2D and FULLY_CONNECTED)', () => {
    const g = int8WithBiasInputs();
    const it = new Interpreter(g);
    const x = randomInput(g.main.tensors[g.main.inputs[0]!]!, 4);
    const results: Uint8Array[] = [];
    for (const scale of [0, 300, -1000]) {
      const biases = [Int32Array.from({ length: 8 }, (_, i) => scale * (i - 3)), Int32Array.from({ length: 3 }, (_, i) => scale * (2 * i - 1))];
      it.setInput(0, x);
      it.setInput(1, bytesOf(biases[0]!));
      it.setInput(2, bytesOf(biases[1]!));
      it.invoke();
      const got = it.output(0);
      expect(got).toEqual(runModel(int8WithBiasInputs(biases), [x])[0]!);
      results.push(got);
    }
    // Different biases, different outputs: the values are read at every call, not the first one's kept.
    expect(results[1]).not.toEqual(results[0]);
    expect(results[2]).not.toEqual(results[1]);
  });
});
