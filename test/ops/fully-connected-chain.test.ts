// int8 FULLY_CONNECTED operators that feed each other run as one call into the
// SIMD module (fully-connected/chain.ts) in an inference without hook. The
// fused run must leave what the operators run one by one leave: the same
// outputs and the same arena, byte for byte (a hook makes the interpreter run
// them one by one).

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { loadGraph, saveGraph, type Graph } from '../../src/graph/graph.js';
import { Interpreter } from '../../src/interpreter/interpreter.js';
import { randomInput } from '../../src/interpreter/oracle-input.js';
import { buildTinyUnet } from '../../src/graph/tiny-unet.js';

interface Layer {
  out: number;
  /** The weights' zero point (not 0: fullyConnectedI8 at any row count). */
  weightZero?: number;
  relu?: boolean;
  bias?: boolean;
}

/** `rows` x `width` int8 through the layers; a tensor of the chain feeds a later ADD when `skip` (it is read after the chain). */
function mlp(rows: number, width: number, layers: Layer[], skip = false): Graph {
  const b = new GraphBuilder();
  const q = (scale: number, zero: number) => ({ scale: [scale], zeroPoint: [zero], quantizedDimension: 0 });
  let x = b.input('x', { dtype: 'int8', shape: [rows, width], quantization: q(0.05, 3) });
  let inWidth = width;
  let seed = 11;
  const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) / 65536;
  const chain: number[] = [];
  layers.forEach((l, i) => {
    const w = Int8Array.from({ length: l.out * inWidth }, () => Math.round(next() * 254 - 127));
    const filter = b.constant(`w${i}`, { dtype: 'int8', shape: [l.out, inWidth], quantization: q(0.01 + 0.003 * i, l.weightZero ?? 0) }, w);
    const bias = l.bias === false ? -1 : b.constant(`b${i}`, { dtype: 'int32', shape: [l.out] }, Int32Array.from({ length: l.out }, () => Math.round(next() * 2000 - 1000)));
    const y = b.tensor(`y${i}`, { dtype: 'int8', shape: [rows, l.out], quantization: q(0.08 + 0.01 * i, -5 + i) });
    b.op({
      opcode: 'FULLY_CONNECTED',
      inputs: [x, filter, bias],
      outputs: [y],
      options: { type: 'FullyConnectedOptions', value: { fusedActivationFunction: l.relu ? 1 : 0 } },
    });
    chain.push(y);
    x = y;
    inWidth = l.out;
  });
  if (skip) {
    const sum = b.tensor('sum', { dtype: 'int8', shape: [rows, inWidth], quantization: q(0.2, 0) });
    b.op({ opcode: 'ADD', inputs: [chain[chain.length - 1]!, chain[0]!], outputs: [sum], options: { type: 'AddOptions', value: {} } });
    x = sum;
  }
  b.output(x);
  return loadGraph(saveGraph(b.build()));
}

/** Outputs and arena after each of three inferences, fused (no hook) and one by one (a hook that stands in for nothing). */
function both(g: Graph): { fused: Uint8Array[][]; single: Uint8Array[][]; runs: number } {
  const fused = new Interpreter(g);
  const single = new Interpreter(g);
  const got = { fused: [] as Uint8Array[][], single: [] as Uint8Array[][] };
  for (let k = 0; k < 3; k++) {
    const inputs = g.main.inputs.map((t, i) => randomInput(g.main.tensors[t]!, 100 * k + i));
    inputs.forEach((x, i) => (fused.setInput(i, x), single.setInput(i, x)));
    fused.invoke();
    single.invoke({});
    got.fused.push([...fused.outputs(), fused.arena.slice()]);
    got.single.push([...single.outputs(), single.arena.slice()]);
  }
  return { ...got, runs: fused.fusedRuns().length };
}

describe('int8 FULLY_CONNECTED chains', () => {
  const cases: [string, Graph, number][] = [
    ['hello-world-like, 1 -> 16 -> 16 -> 1', mlp(1, 1, [{ out: 16, relu: true }, { out: 16, relu: true }, { out: 1 }]), 1],
    ['odd widths, no bias, two rows', mlp(2, 7, [{ out: 5, bias: false }, { out: 9 }, { out: 3, relu: true }]), 1],
    ['weights with a zero point at 4 rows', mlp(4, 12, [{ out: 6, weightZero: 3 }, { out: 6, weightZero: -2 }]), 1],
    ['weights read as int8 (>= 256 K)', mlp(1, 640, [{ out: 512 }, { out: 24 }]), 1],
    ['a chain tensor read after the chain', mlp(1, 8, [{ out: 8 }, { out: 8 }, { out: 8 }], true), 1],
    // Four rows and weights without a zero point take the packed 1x1 conv, not fullyConnectedI8: not fused.
    ['four rows', mlp(4, 8, [{ out: 8 }, { out: 8 }]), 0],
  ];
  for (const [name, g, runs] of cases) {
    it(`${name}: the same outputs and arena fused as one by one`, () => {
      const r = both(g);
      expect(r.runs).toBe(runs);
      r.fused.forEach((f, k) => f.forEach((bytes, i) => expect(Buffer.from(bytes).equals(Buffer.from(r.single[k]![i]!))).toBe(true)));
    });
  }

  it('keeps operators of other kinds and guard mode apart', () => {
    expect(new Interpreter(buildTinyUnet({ height: 16, width: 24 })).fusedRuns()).toEqual([]);
    expect(new Interpreter(mlp(1, 4, [{ out: 4 }, { out: 4 }]), { poison: 0x5a }).fusedRuns()).toEqual([]);
  });
});
