// Memory-aware reordering on a branched graph written in a bad order: both
// branches' wide intermediates alive at once. The scheduler finishes one
// branch before starting the other; the outputs stay the same bytes.

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { loadGraph, saveGraph, type Graph } from '../../src/graph/graph.js';
import { verifyModels } from '../../src/interpreter/verify.js';
import { planTflmArena } from '../../src/tflm/arena.js';
import { reorderForMemory } from '../../src/transform/reorder-for-memory.js';


/** x -> wideA, wideB (both first), then narrowA, narrowB, then their concatenation. */
function branches(): Graph {
  const b = new GraphBuilder();
  let seed = 4;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const x = b.input('x', { dtype: 'float32', shape: [1, 16, 16, 2] });
  const conv = (input: number, name: string, ci: number, co: number) => {
    const y = b.tensor(name, { dtype: 'float32', shape: [1, 16, 16, co] });
    const w = b.constant(`${name}_w`, { dtype: 'float32', shape: [co, 1, 1, ci] }, Float32Array.from({ length: co * ci }, rand));
    b.op({ opcode: 'CONV_2D', inputs: [input, w, -1], outputs: [y], options: { type: 'Conv2DOptions', value: { padding: 1, strideH: 1, strideW: 1 } } });
    return y;
  };
  const wideA = conv(x, 'wideA', 2, 32);
  const wideB = conv(x, 'wideB', 2, 32);
  const narrowA = conv(wideA, 'narrowA', 32, 2);
  const narrowB = conv(wideB, 'narrowB', 32, 2);
  const y = b.tensor('y', { dtype: 'float32', shape: [1, 16, 16, 4] });
  b.op({ opcode: 'CONCATENATION', inputs: [narrowA, narrowB], outputs: [y], options: { type: 'ConcatenationOptions', value: { axis: 3 } } });
  b.output(y);
  return loadGraph(saveGraph(b.build()));
}

describe('reorderForMemory', () => {
  it('finishes one branch before the next when that lowers the peak, with the same output bytes', () => {
    const g = branches();
    const r = reorderForMemory(g);
    expect(r.moved).toBeGreaterThan(0);
    expect(r.peakAfter).toBeLessThan(r.peakBefore);
    const names = g.main.ops.map((op) => g.main.tensors[op.outputs[0]!]!.name);
    expect(names).toEqual(['wideA', 'narrowA', 'wideB', 'narrowB', 'y']);
    const reloaded = loadGraph(saveGraph(g));
    expect(planTflmArena(reloaded).head).toBeLessThan(planTflmArena(branches()).head);
    expect(verifyModels(branches(), reloaded, { inputs: 2, seed: 1 }).differingBytes).toBe(0);
  });

  it('keeps an order that is already best', () => {
    const g = branches();
    reorderForMemory(g);
    expect(reorderForMemory(g).moved).toBe(0);
  });
});
