// In-place reuse: element-wise outputs share the buffer of an input that dies
// there. The pairs, the placement that uses them, the lower bound that counts
// them once, TFLM's head for the written plan, and the guarded interpreter
// (dead memory poisoned) proving the bytes unchanged.

import { describe, expect, it } from 'vitest';
import { inPlacePairs } from '../../src/analysis/in-place.js';
import { GraphBuilder } from '../../src/graph/builder.js';
import { loadGraph, saveGraph, type Graph } from '../../src/graph/graph.js';
import { runGuarded, validatePlan } from '../../src/interpreter/interpreter.js';
import { randomInput } from '../../src/interpreter/oracle-input.js';
import { offlineOffsets, setOfflinePlan } from '../../src/tflm/offline-plan.js';
import { placeArena } from '../../src/memory/place-arena.js';
import { planTflmArena, tflmPlanBuffers } from '../../src/tflm/arena.js';

/** x (2 channels) -> conv a (8) -> RELU -> MUL by a per-channel constant -> LOGISTIC: the element-wise ops hold the peak. */
function elementwiseChain(): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', { dtype: 'float32', shape: [1, 24, 24, 2] });
  const shape = [1, 24, 24, 8];
  let seed = 2;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const a = b.tensor('a', { dtype: 'float32', shape });
  const w = b.constant('a_w', { dtype: 'float32', shape: [8, 1, 1, 2] }, Float32Array.from({ length: 16 }, rand));
  b.op({ opcode: 'CONV_2D', inputs: [x, w, -1], outputs: [a], options: { type: 'Conv2DOptions', value: { padding: 1, strideH: 1, strideW: 1 } } });
  const relu = b.tensor('relu', { dtype: 'float32', shape });
  b.op({ opcode: 'RELU', inputs: [a], outputs: [relu] });
  const scaled = b.tensor('scaled', { dtype: 'float32', shape });
  const k = b.constant('k', { dtype: 'float32', shape: [8] }, Float32Array.from({ length: 8 }, rand));
  b.op({ opcode: 'MUL', inputs: [relu, k], outputs: [scaled], options: { type: 'MulOptions', value: {} } });
  const out = b.tensor('out', { dtype: 'float32', shape });
  b.op({ opcode: 'LOGISTIC', inputs: [scaled], outputs: [out] });
  b.output(out);
  return loadGraph(saveGraph(b.build()));
}

describe('in-place reuse', () => {
  it('pairs each element-wise output with an input that dies there, never a graph input or a live one', () => {
    const g = elementwiseChain();
    const name = (t: number) => g.main.tensors[t]!.name;
    expect(inPlacePairs(g.main).map((p) => [name(p.input), name(p.output)])).toEqual([
      ['a', 'relu'],
      ['relu', 'scaled'],
      ['scaled', 'out'],
    ]);
  });

  it('shares the buffers in the written plan, lowers the head TFLM computes, and computes the same bytes', () => {
    const g = elementwiseChain();
    const before = planTflmArena(g);
    const placed = placeArena(g.main);
    setOfflinePlan(g, placed.offsets);
    const written = loadGraph(saveGraph(g));
    const after = planTflmArena(written);
    expect(after.head).toBe(placed.head);
    expect(after.head).toBeLessThan(before.head);
    // x and a at the conv; one buffer for the whole chain after it.
    expect(before.head).toBe(2 * 24 * 24 * 8 * 4);
    expect(after.head).toBe(24 * 24 * (2 + 8) * 4);
    expect(after.head).toBe(after.lowerBound.bytes);
    const offsets = offlineOffsets(written)!;
    const t = (n: string) => written.main.tensors.find((x) => x.name === n)!.index;
    expect(new Set([offsets[t('a')], offsets[t('relu')], offsets[t('scaled')], offsets[t('out')]]).size).toBe(1);
    const x = randomInput(written.main.tensors[written.main.inputs[0]!]!, 5);
    expect(Buffer.from(runGuarded(written, [x])[0]!).equals(Buffer.from(runGuarded(elementwiseChain(), [x])[0]!))).toBe(true);
  });

  it('still rejects overlapping buffers that are not an in-place pair', () => {
    const g = elementwiseChain();
    const buffers = tflmPlanBuffers(g.main);
    const offsets = new Int32Array(buffers.length); // everything at 0
    expect(() => validatePlan(buffers, offsets, g.main)).toThrow(/arena plan overlaps/);
  });
});
