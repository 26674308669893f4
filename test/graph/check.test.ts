// checkGraph against graphs that break each invariant a pass must keep, and
// on graphs that keep them all (a loaded model, one a pass rewrote).

import { describe, expect, it } from 'vitest';
import { TinysegError } from '../../src/errors.js';
import { GraphBuilder } from '../../src/graph/builder.js';
import { checkGraph } from '../../src/graph/check.js';
import { loadGraph, saveGraph, type Graph } from '../../src/graph/graph.js';
import { buildTinyUnet } from '../../src/graph/tiny-unet.js';
import { removeIdentityPads } from '../../src/transform/remove-identity-pads.js';

/** x -> RELU -> a -> ADD(a, w) -> y, with w a constant. */
function small(): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', { dtype: 'float32', shape: [1, 2, 2, 2] });
  const a = b.tensor('a', { dtype: 'float32', shape: [1, 2, 2, 2] });
  const w = b.constant('w', { dtype: 'float32', shape: [1, 2, 2, 2] }, new Float32Array(8).fill(0.5));
  const y = b.tensor('y', { dtype: 'float32', shape: [1, 2, 2, 2] });
  b.op({ opcode: 'RELU', inputs: [x], outputs: [a] });
  b.op({ opcode: 'ADD', inputs: [a, w], outputs: [y], options: { type: 'AddOptions', value: {} } });
  b.output(y);
  return loadGraph(saveGraph(b.build()));
}

function broken(edit: (g: Graph) => void): () => void {
  const g = small();
  edit(g);
  return () => checkGraph(g, 'testPass');
}

function expectViolation(edit: (g: Graph) => void, message: RegExp): void {
  const run = broken(edit);
  expect(run).toThrow(TinysegError);
  try {
    run();
  } catch (e) {
    const err = e as TinysegError;
    expect(err.code).toBe('E_PLAN');
    expect(err.message).toMatch(/^after pass testPass: /);
    expect(err.message).toMatch(message);
    expect(err.hint).toBe('this is a TinySeg bug');
  }
}

describe('checkGraph', () => {
  it('accepts a loaded model and one a pass rewrote', () => {
    expect(() => checkGraph(small())).not.toThrow();
    const g = loadGraph(saveGraph(buildTinyUnet()));
    checkGraph(g);
    removeIdentityPads(g);
    expect(() => checkGraph(g, 'removeIdentityPads')).not.toThrow();
  });

  it('finds an operator input out of range', () => {
    expectViolation((g) => g.main.rewire(g.main.ops[0]!, { inputs: [99] }), /operator 0 \(RELU\) reads tensor 99, but there are 4 tensors/);
  });

  it('finds an operator output and a graph output out of range', () => {
    expectViolation((g) => g.main.rewire(g.main.ops[1]!, { outputs: [-1] }), /operator 1 \(ADD\) refers to tensor -1/);
    expectViolation((g) => (g.main.outputs = [7]), /graph input or output 7 is out of range/);
  });

  it('finds a tensor written twice', () => {
    expectViolation((g) => g.main.rewire(g.main.ops[1]!, { outputs: [1] }), /tensor 1 \('a'\) is written by operators 0 and 1/);
  });

  it('finds a read before the write', () => {
    expectViolation((g) => g.main.insertOp(0, g.main.removeOp(1)), /operator 0 \(ADD\) reads tensor 1 \('a'\) before anything writes it/);
  });

  it('finds a constant written by an operator', () => {
    expectViolation((g) => g.main.rewire(g.main.ops[1]!, { outputs: [2] }), /writes constant tensor 2 \('w'\)/);
  });

  it('finds a graph output nothing writes', () => {
    expectViolation((g) => g.main.removeOp(1), /graph output 3 \('y'\) is never written/);
  });

  it('finds a byte size that does not match shape and dtype', () => {
    expectViolation((g) => (g.main.tensors[1]!.shape = [1, 2, 2, 3]), /tensor 1 \('a'\) of shape \[1, 2, 2, 3\] float32 has 32 bytes, not 48/);
    expectViolation((g) => (g.main.tensors[1]!.dtype = 'int8'), /has 32 bytes, not 8/);
  });

  it('finds a constant whose buffer does not match its size', () => {
    expectViolation((g) => (g.main.tensors[2]!.data = new Uint8Array(12)), /constant tensor 2 \('w'\) needs 32 bytes but its buffer holds 12/);
    expectViolation((g) => (g.main.tensors[1]!.data = new Uint8Array(32)), /tensor 1 \('a'\) is activation but has data/);
  });

  it('finds a tensor whose index is not its position', () => {
    expectViolation((g) => g.main.replaceTensors(g.main.tensors.map((t) => (t.index === 1 ? { ...t, index: 5 } : t))), /tensor 1 \('a'\) says it is tensor 5/);
  });

  it('finds a tensor a pass created and left dangling, but keeps the file’s own unused tensors', () => {
    expectViolation((g) => g.main.addTensor({ name: 'orphan', dtype: 'int8', shape: [4] }), /tensor 4 \('orphan'\) was created but nothing refers to it/);
    const g = small();
    // The RELU goes and x feeds the ADD: tensor a (from the file) is unused now, and written back as it came.
    g.main.removeOp(0);
    g.main.rewire(g.main.ops[0]!, { inputs: [0, 2] });
    expect(() => checkGraph(g)).not.toThrow();
  });

  it('names the subgraph when there are several', () => {
    const g = small();
    const second = small().main;
    second.rewire(second.ops[0]!, { inputs: [42] });
    const two = new (g.constructor as typeof Graph)(g.model, [g.main, second]);
    expect(() => checkGraph(two, 'p')).toThrow(/after pass p: subgraph 1: operator 0 \(RELU\) reads tensor 42/);
  });
});
