import { describe, expect, it } from 'vitest';
import { buildTinyUnet } from '../../src/graph/tiny-unet.js';
import { estimateTail32 } from '../../src/tflm/tail.js';
import { removeUnusedTensors } from '../../src/transform/rewrite.js';
import { kernelsFor, REFERENCE_KERNELS } from '../../src/ops/kernel-sets.js';

describe('estimateTail32 for trial edits', () => {
  it.each([
    ['reference', REFERENCE_KERNELS],
    ['CMSIS-NN', kernelsFor('cmsis-nn')],
  ])('counts only referenced tensors, and memoized figures give the same tail (%s)', (_, kernels) => {
    const g = buildTinyUnet();
    const sg = g.main;
    // Unreferenced tensors, as a trial split leaves them: the chain's old tensors.
    for (let i = 0; i < 7; i++) sg.addTensor({ name: `left${i}`, dtype: 'int8', shape: [1, 8, 8, 4] });
    const memo = new WeakMap();
    const trial = estimateTail32(g, null, kernels, { referencedOnly: true, memo }).bytes;
    const again = estimateTail32(g, null, kernels, { referencedOnly: true, memo }).bytes;
    const withLeftovers = estimateTail32(g, null, kernels).bytes;
    removeUnusedTensors(sg);
    const dropped = estimateTail32(g, null, kernels).bytes;
    expect(trial).toBe(dropped);
    expect(again).toBe(dropped);
    expect(withLeftovers).toBeGreaterThan(dropped);
  });
});
