import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMPUTE_FEATURES, COMPUTE_KERNEL_SETS, INVOKE_COEFFICIENTS, OWN_KERNEL_FEATURES, graphCompute, opCompute, ownKernelCoefficient, predictInvoke } from '../../src/analysis/compute.js';
import { loadGraph } from '../../src/graph/graph.js';

const tinyUnet = () => loadGraph(new Uint8Array(readFileSync(new URL('../../examples/models/tiny-unet-80x120.tflite', import.meta.url))));

describe('the compute model', () => {
  it('counts a conv as output elements x taps x input channels', () => {
    const sg = tinyUnet().main;
    const conv = sg.ops.find((op) => op.opcode === 'CONV_2D')!;
    const [o, kh, kw, i] = sg.tensors[conv.inputs[1]!]!.shape as [number, number, number, number];
    const out = sg.tensors[conv.outputs[0]!]!.shape.reduce((a, b) => a * b, 1);
    expect(opCompute(sg, conv)).toMatchObject({ macs: (out / o) * o * kh * kw * i, elementOps: 0, feature: 'conv.int', macOutputs: out });
  });

  it("prices TinySeg's own MAC kernels as the kernel whose arithmetic they run (CMSIS-NN's conv plus staging for TinySegConcatConv under cmsis-nn)", () => {
    for (const set of COMPUTE_KERNEL_SETS) {
      for (const own of Object.keys(OWN_KERNEL_FEATURES) as (keyof typeof OWN_KERNEL_FEATURES)[]) {
        // As bench/calibrate-compute.js writes them: 4 significant digits.
        expect(INVOKE_COEFFICIENTS[set][own], `${set} ${own}`).toBe(+ownKernelCoefficient(own, set, INVOKE_COEFFICIENTS).toPrecision(4));
      }
    }
    expect(INVOKE_COEFFICIENTS['cmsis-nn']['tinysegConv.int']).toBeLessThan(1.1 * INVOKE_COEFFICIENTS['cmsis-nn']['conv.int'] + 0.2);
    expect(INVOKE_COEFFICIENTS['cmsis-nn']['tinysegTransposeConv.int']).toBe(INVOKE_COEFFICIENTS.reference['transposeConv.int']);
  });

  it('sums every operator into its family, and counts operators', () => {
    const sg = tinyUnet().main;
    const c = graphCompute(sg);
    expect(c.ops).toBe(sg.ops.length);
    expect(c.features.op).toBe(sg.ops.length);
    const charged = COMPUTE_FEATURES.filter((f) => f !== 'op' && f !== 'macOutput.int').reduce((n, f) => n + c.features[f], 0);
    expect(charged).toBe(c.macs + c.elementOps);
  });

  it('predicts the bundled Tiny U-Net within 10% of the oracle (Cortex-M4, 6,102,993,000 reference, 232,197,640 CMSIS-NN instructions)', () => {
    const c = graphCompute(tinyUnet().main);
    expect(Math.abs(predictInvoke(c, 'reference') / 6_102_993_000 - 1)).toBeLessThan(0.1);
    expect(Math.abs(predictInvoke(c, 'cmsis-nn') / 232_197_640 - 1)).toBeLessThan(0.1);
  });
});
