// The proof's reuse of the original's results (op-reuse.ts): an operator of
// the optimized model is skipped only when it is the same operator as one of
// the original's and its inputs hold the same bytes; everything else runs, so
// a rewrite that changes a value still fails the proof.

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { loadGraph, saveGraph, type Graph } from '../../src/graph/graph.js';
import { buildTinyUnet } from '../../src/graph/tiny-unet.js';
import { Interpreter } from '../../src/interpreter/interpreter.js';
import { recordingHook, reusableOps, reusedTensors, reusingHook } from '../../src/interpreter/op-reuse.js';
import { proofCases, runProofCases, verifyModels } from '../../src/interpreter/verify.js';
import type { KernelCall } from '../../src/ops/kernel.js';
import { optimize } from '../../src/optimize/optimize.js';

/** x -> CONV_2D(w1) -> RELU -> CONV_2D(w2), float32, 6x6; `w1` scales the first filter. */
function chain(w1 = 1): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', { dtype: 'float32', shape: [1, 6, 6, 2] });
  const filter = (name: string, scale: number, inC: number) =>
    b.constant(name, { dtype: 'float32', shape: [3, 3, 3, inC] }, Float32Array.from({ length: 27 * inC }, (_, i) => scale * Math.sin(i + 1)));
  const c1 = b.tensor('c1', { dtype: 'float32', shape: [1, 6, 6, 3] });
  const r = b.tensor('r', { dtype: 'float32', shape: [1, 6, 6, 3] });
  const c2 = b.tensor('c2', { dtype: 'float32', shape: [1, 6, 6, 3] });
  const conv = { type: 'Conv2DOptions', value: { padding: 0, strideH: 1, strideW: 1 } };
  b.op({ opcode: 'CONV_2D', inputs: [x, filter('w1', w1, 2), -1], outputs: [c1], options: conv });
  b.op({ opcode: 'RELU', inputs: [c1], outputs: [r] });
  b.op({ opcode: 'CONV_2D', inputs: [r, filter('w2', 1, 3), -1], outputs: [c2], options: conv });
  b.output(c2);
  return loadGraph(saveGraph(b.build()));
}

/**
 * One case through both models with the hooks, the original's outputs kept where `keepAll` or reusedTensors says;
 * the optimized model's outputs and how many operators it skipped.
 */
function runPair(original: Graph, optimized: Graph, inputs: Uint8Array[], keepAll = false): { outputs: Uint8Array[]; reused: number } {
  const candidates = reusableOps(original, optimized)!;
  const a = new Interpreter(original);
  inputs.forEach((x, i) => a.setInput(i, x));
  const recorded = recordingHook(original.main, inputs, undefined, keepAll ? undefined : reusedTensors(original.main, candidates));
  a.invoke(recorded.hook);
  const b = new Interpreter(optimized);
  inputs.forEach((x, i) => b.setInput(i, x));
  const hook = reusingHook(original.main, candidates, recorded.values);
  b.invoke(hook);
  return { outputs: b.outputs(), reused: hook.reused };
}

describe('op reuse in the proof', () => {
  it('skips every operator of an unchanged model and writes the bytes its kernels write', () => {
    const g = chain();
    const [c] = proofCases(g, { inputs: 1, seed: 3 }).slice(1);
    const { outputs, reused } = runPair(g, chain(), c!.inputs);
    expect(reused).toBe(3);
    expect(Buffer.from(outputs[0]!).equals(Buffer.from(runProofCases(g, [c!]).outputs[0]![0]!))).toBe(true);
  });

  it('runs an operator whose constant differs, and every operator its result reaches: the proof sees the change', () => {
    const original = chain();
    const changed = chain(1.5);
    // The first conv's filter differs byte for byte: no candidate; the RELU and the second conv still match in form.
    expect(reusableOps(original, changed)!.map((c) => c.length)).toEqual([0, 1, 1]);
    const [c] = proofCases(original, { inputs: 1, seed: 3 }).slice(1);
    expect(runPair(original, changed, c!.inputs).reused).toBe(0);
    const plain = verifyModels(original, changed, { inputs: 2, seed: 3 });
    const reusing = verifyModels(original, changed, { inputs: 2, seed: 3, reuseOriginal: true });
    expect(plain.equal).toBe(false);
    expect(reusing).toEqual(plain);
  });

  it('proves an optimized Tiny U-Net with the operators the passes left alone taken from the original', () => {
    const bytes = saveGraph(buildTinyUnet({ height: 16, width: 24 }));
    const original = loadGraph(bytes);
    const optimized = loadGraph(optimize(bytes, { verify: false }).bytes);
    const candidates = reusableOps(original, optimized)!;
    const shared = candidates.filter((c) => c.length > 0).length;
    expect(shared).toBeGreaterThan(0);
    expect(shared).toBeLessThan(optimized.main.ops.length);
    // The rewritten region's outputs are not kept: no operator of the optimized model can take them.
    const kept = reusedTensors(original.main, candidates);
    const written = original.main.ops.flatMap((op) => op.outputs);
    expect(written.filter((t) => !kept.has(t)).length).toBeGreaterThan(0);
    for (const c of proofCases(original, { inputs: 2, seed: 9 })) {
      const { outputs, reused } = runPair(original, optimized, c.inputs);
      expect(reused).toBe(shared);
      expect(runPair(original, optimized, c.inputs, true).reused).toBe(shared);
      const want = runProofCases(original, [c]).outputs[0]!;
      outputs.forEach((o, i) => expect(Buffer.from(o).equals(Buffer.from(want[i]!))).toBe(true));
    }
    expect(verifyModels(original, optimized, { inputs: 2, seed: 9, reuseOriginal: true })).toEqual(verifyModels(original, optimized, { inputs: 2, seed: 9 }));
  });

  it('overwrites a skipped operator\'s scratch, as its kernel would', () => {
    const g = chain();
    const x = new Uint8Array(g.main.tensors[g.main.inputs[0]!]!.byteSize).fill(7);
    const a = new Interpreter(g);
    a.setInput(0, x);
    const recorded = recordingHook(g.main, [x]);
    a.invoke(recorded.hook);
    const hook = reusingHook(g.main, reusableOps(g, g)!, recorded.values);
    const scratch = new Uint8Array(8);
    const op = g.main.ops[1]!;
    const call: KernelCall = {
      op,
      index: 1,
      inputs: [{ tensor: g.main.tensors[op.inputs[0]!]!, bytes: recorded.values[op.inputs[0]!]!.slice() }],
      outputs: [{ tensor: g.main.tensors[op.outputs[0]!]!, bytes: new Uint8Array(g.main.tensors[op.outputs[0]!]!.byteSize) }],
      scratch: [scratch],
      storage: new Uint8Array(0),
    };
    expect(hook.before!(1, call)).toBe(true);
    expect(scratch.every((v) => v === 0xa5)).toBe(true);
    expect(Buffer.from(call.outputs[0]!.bytes).equals(Buffer.from(recorded.values[op.outputs[0]!]!))).toBe(true);
    // Other input bytes: the kernel runs.
    call.inputs[0]!.bytes[0]! ^= 1;
    expect(hook.before!(1, call)).toBe(false);
  });

  it('does not shortcut a model of several subgraphs', () => {
    const g = chain();
    expect(reusableOps({ ...g, subgraphs: [g.main, g.main] } as unknown as Graph, g)).toBeNull();
  });
});
