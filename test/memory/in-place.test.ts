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
import { placeArena, placementFloor } from '../../src/memory/place-arena.js';
import { lowerBound } from '../../src/analysis/lower-bound.js';
import { buildTinyUnet } from '../../src/graph/tiny-unet.js';
import { optimize } from '../../src/optimize/optimize.js';
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

/** A float32 graph input -> QUANTIZE to int8 -> 1x1 conv: the quantized copy is born over the input it narrows. */
function quantizedStem(): Graph {
  const b = new GraphBuilder();
  const shape = [1, 32, 32, 8];
  const x = b.input('x', { dtype: 'float32', shape });
  const q = b.tensor('q', { dtype: 'int8', shape, quantization: { scale: [0.02], zeroPoint: [3], quantizedDimension: 0 } });
  b.op({ opcode: 'QUANTIZE', inputs: [x], outputs: [q] });
  const w = b.constant('w', { dtype: 'int8', shape: [8, 1, 1, 8], quantization: { scale: new Array(8).fill(0.01), zeroPoint: new Array(8).fill(0), quantizedDimension: 0 } }, Int8Array.from({ length: 64 }, (_, i) => ((i * 37) % 200) - 100));
  const out = b.tensor('out', { dtype: 'int8', shape, quantization: { scale: [0.05], zeroPoint: [-2], quantizedDimension: 0 } });
  b.op({ opcode: 'CONV_2D', inputs: [q, w, -1], outputs: [out], options: { type: 'Conv2DOptions', value: { padding: 1, strideH: 1, strideW: 1 } } });
  b.output(out);
  return loadGraph(saveGraph(b.build()));
}

/** x -> 1x1 conv [1, 16, 16, 8] -> RESHAPE [1, 256, 8] -> RESHAPE [2048] (a graph output): copies of the same bytes. */
function reshapes(): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', { dtype: 'float32', shape: [1, 16, 16, 2] });
  const a = b.tensor('a', { dtype: 'float32', shape: [1, 16, 16, 8] });
  const w = b.constant('w', { dtype: 'float32', shape: [8, 1, 1, 2] }, Float32Array.from({ length: 16 }, (_, i) => (i % 5) - 2));
  b.op({ opcode: 'CONV_2D', inputs: [x, w, -1], outputs: [a], options: { type: 'Conv2DOptions', value: { padding: 1, strideH: 1, strideW: 1 } } });
  const flat = b.tensor('flat', { dtype: 'float32', shape: [1, 256, 8] });
  b.op({ opcode: 'RESHAPE', inputs: [a, b.constant('s1', { dtype: 'int32', shape: [3] }, new Int32Array([1, 256, 8]))], outputs: [flat] });
  const out = b.tensor('out', { dtype: 'float32', shape: [2048] });
  b.op({ opcode: 'RESHAPE', inputs: [flat, b.constant('s2', { dtype: 'int32', shape: [1] }, new Int32Array([2048]))], outputs: [out] });
  b.output(out);
  return loadGraph(saveGraph(b.build()));
}

describe('in-place RESHAPE', () => {
  it('pairs a RESHAPE with the input it copies (never its shape operand), shares one buffer in the written plan and computes the same bytes', () => {
    const g = reshapes();
    const name = (t: number) => g.main.tensors[t]!.name;
    expect(inPlacePairs(g.main).map((p) => [name(p.input), name(p.output), p.offset])).toEqual([
      ['a', 'flat', 0],
      ['flat', 'out', 0],
    ]);
    const before = planTflmArena(g).head;
    setOfflinePlan(g, placeArena(g.main).offsets);
    const written = loadGraph(saveGraph(g));
    const offsets = offlineOffsets(written)!;
    const t = (n: string) => written.main.tensors.find((x) => x.name === n)!.index;
    expect(new Set([offsets[t('a')], offsets[t('flat')], offsets[t('out')]]).size).toBe(1);
    // x and a at the conv, then one 8 KiB buffer: TFLM's own plan holds two copies at each RESHAPE.
    expect(planTflmArena(written).head).toBe(16 * 16 * (2 + 8) * 4);
    expect(before).toBe(2 * 16 * 16 * 8 * 4);
    const x = randomInput(written.main.tensors[written.main.inputs[0]!]!, 4);
    expect(Buffer.from(runGuarded(written, [x])[0]!).equals(Buffer.from(runGuarded(reshapes(), [x])[0]!))).toBe(true);
  });
});

describe('in-place narrowing', () => {
  it('writes a QUANTIZE output over the float input it narrows, and gives the freed three quarters to the next tensor', () => {
    const g = quantizedStem();
    const name = (t: number) => g.main.tensors[t]!.name;
    expect(inPlacePairs(g.main).map((p) => [name(p.input), name(p.output)])).toEqual([['x', 'q']]);
    const before = planTflmArena(g);
    // x and q at the QUANTIZE, q and out at the conv.
    expect(before.head).toBe(32 * 32 * 8 * (4 + 1));
    const placed = placeArena(g.main);
    setOfflinePlan(g, placed.offsets);
    const written = loadGraph(saveGraph(g));
    const after = planTflmArena(written);
    // x alone: q lies in its first quarter, out in the rest once x is dead.
    expect(after.head).toBe(32 * 32 * 8 * 4);
    expect(after.lowerBound.bytes).toBe(after.head);
    const offsets = offlineOffsets(written)!;
    const t = (n: string) => written.main.tensors.find((x) => x.name === n)!.index;
    expect(offsets[t('q')]).toBe(offsets[t('x')]);
    expect(offsets[t('out')]).toBeGreaterThanOrEqual(offsets[t('x')]! + 32 * 32 * 8);
    const x = randomInput(written.main.tensors[written.main.inputs[0]!]!, 7);
    expect(Buffer.from(runGuarded(written, [x])[0]!).equals(Buffer.from(runGuarded(quantizedStem(), [x])[0]!))).toBe(true);
  });

  it('rejects a plan that puts a tensor in the narrowed bytes while the wide input is still alive', () => {
    const g = quantizedStem();
    const buffers = tflmPlanBuffers(g.main);
    const t = (n: string) => g.main.tensors.find((x) => x.name === n)!.index;
    // q at x's offset (the pair), and q's reader's output inside x's bytes: out is born at the conv, after x died.
    const offsets = new Int32Array(buffers.length).fill(0);
    buffers.forEach((b, i) => {
      if (b.kind === 'tensor' && b.tensor === t('out')) offsets[i] = 32 * 32 * 8;
    });
    expect(() => validatePlan(buffers, offsets, g.main)).not.toThrow();
    // out over q's first bytes, which the conv reads while it writes out: refused.
    buffers.forEach((b, i) => {
      if (b.kind === 'tensor' && b.tensor === t('out')) offsets[i] = 16;
    });
    expect(() => validatePlan(buffers, offsets, g.main)).toThrow(/arena plan overlaps/);
  });
});

describe('in-place reuse', () => {
  it('pairs each element-wise output with an input that dies there, never a live one', () => {
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

describe('placementFloor', () => {
  /** The Tiny U-Net at a small size, as optimize() writes it: spills, a concatenation conv, in-place pairs. */
  const optimizedUnet = () => optimize(saveGraph(buildTinyUnet({ height: 32, width: 48 })), { file: 'u.tflite', verify: false }).graph;

  it('never exceeds the placed head, and counts an in-place pair once where the plain bound counts both', () => {
    for (const g of [elementwiseChain(), quantizedStem(), optimizedUnet()]) {
      const floor = placementFloor(g.main);
      expect(floor).toBeGreaterThan(0);
      expect(floor).toBeLessThanOrEqual(placeArena(g.main).head);
    }
    const chain = elementwiseChain();
    // The bound of TFLM's buffers counts a pair's input and output both at its operator; the floor, the larger.
    const plain = lowerBound(tflmPlanBuffers(chain.main), chain.main.ops.length + 1).bytes;
    expect(placementFloor(chain.main)).toBeLessThan(plain);
    expect(placementFloor(chain.main)).toBe(placeArena(chain.main).head);
  });
});
