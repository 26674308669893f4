// optimize() on a synthetic model of TensorFlow's segmentation tutorial U-Net
// (test/helpers/mnv2-unet.ts, the family of the public MobileNetV2 U-Nets):
// its peaks are the block_1 expand activation beside its correct_pad copy at
// the stem, and the last decoder stage with its TRANSPOSE_CONV int32 scratch.

import { describe, expect, it } from 'vitest';
import { saveGraph } from '../../src/graph/graph.js';
import { optimize } from '../../src/optimize/optimize.js';
import { foldPadsIntoConvs } from '../../src/transform/fold-pads-into-convs.js';
import { buildMnv2Unet } from '../helpers/mnv2-unet.js';

describe('a MobileNetV2 U-Net (128x128, the tutorial decoder)', () => {
  const original = buildMnv2Unet();
  const r = optimize(saveGraph(original), { file: 'mnv2-unet.tflite', verify: { inputs: 1, seed: 3 } }).report;

  it('has its 4 correct_pad PADs before the stride-2 depthwise convs', () => {
    expect(original.main.ops.filter((o) => o.opcode === 'PAD')).toHaveLength(4);
  });

  it('folds them into the convs, and cuts the head more than 2x, proved bit-exact within the 5% default', () => {
    // optimize() plans with the PADs folded and without, and keeps the smaller arena.
    expect(foldPadsIntoConvs(original.clone()).folded).toBe(4);
    expect(r.verified).toBe(true);
    expect(r.before.head / r.after.head).toBeGreaterThan(2);
    expect(r.after.total).toBeLessThan(r.before.total);
    expect(r.compute.invoke.reference.overhead).toBeLessThanOrEqual(0.05);
  });
});

describe('the same with uint8 input and output (QUANTIZE at both ends, as the converter writes inference_input_type=uint8)', () => {
  it.each(['reference', 'cmsis-nn'] as const)('%s: the head falls more than 2x, to within 1.25x its streaming floor, proved bit-exact within the 5% default', (kernels) => {
    const r = optimize(saveGraph(buildMnv2Unet({ io: 'uint8' })), { kernels, file: 'mnv2-unet-uint8.tflite', verify: { inputs: 1, seed: 3 } }).report;
    expect(r.verified).toBe(true);
    expect(r.before.head / r.after.head).toBeGreaterThan(2);
    expect(r.headOverStreamingFloor.after).toBeLessThanOrEqual(1.25);
    expect(r.after.total).toBeLessThan(r.before.total);
    expect(r.compute.invoke[kernels].overhead).toBeLessThanOrEqual(0.05);
  });
});
