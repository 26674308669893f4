import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMPUTE_FEATURES, COMPUTE_KERNEL_SETS, CONCAT_CONV_BAND_STAGING, CONCAT_CONV_ROW_CALLS, INVOKE_COEFFICIENTS, OP_COSTS, OWN_KERNEL_FEATURES, graphCompute, opCompute, opCost, ownKernelCoefficient, predictInvoke } from '../../src/analysis/compute.js';
import { loadGraph, saveGraph } from '../../src/graph/graph.js';
import { GraphBuilder } from '../../src/graph/builder.js';
import { CONCAT_CONV, encodeConcatConvOptions, encodeFetchOptions, encodeSpillOptions, FETCH, SPILL } from '../../src/ops/tinyseg/custom-ops.js';

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

  it("prices a depthwise TinySegConcatConv band as the set's DEPTHWISE_CONV_2D it runs row by row, its staging apart", () => {
    const b = new GraphBuilder();
    const q = { scale: [0.1], zeroPoint: [0], quantizedDimension: 0 };
    const w = b.constant('w', { dtype: 'int8', shape: [1, 3, 3, 8], quantization: { scale: new Array(8).fill(0.01), zeroPoint: new Array(8).fill(0), quantizedDimension: 3 } }, new Int8Array(72));
    const x = b.input('x', { dtype: 'int8', shape: [1, 16, 16, 8], quantization: q });
    const y = b.tensor('y', { dtype: 'int8', shape: [1, 4, 16, 8], quantization: q });
    const z = b.tensor('z', { dtype: 'int8', shape: [1, 4, 16, 8], quantization: q });
    const window = { padding: 0, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, activation: 0 };
    const band = { ...window, inputScale: 0.1, inputZeroPoint: 0, firstRow: 4, depthMultiplier: 1 };
    // y's band reads its rows from a slot; z's reads them in place from x.
    const options = encodeConcatConvOptions({ parts: [{ offset: 0, channels: 8 }], ...band, height: 16, width: 16 });
    b.op({ opcode: 'CUSTOM', customCode: CONCAT_CONV, inputs: [w, -1], outputs: [y], customOptions: options });
    b.op({ opcode: 'CUSTOM', customCode: CONCAT_CONV, inputs: [w, -1, x], outputs: [z], customOptions: encodeConcatConvOptions({ parts: [{ input: 2 }], ...band }) });
    b.output(y);
    b.output(z);
    const sg = loadGraph(saveGraph(b.build())).main;
    const c = opCompute(sg, sg.ops[0]!);
    expect(opCompute(sg, sg.ops[1]!)).toEqual(c);
    expect(c).toMatchObject({ macs: 4 * 16 * 8 * 9, feature: 'depthwise.int', kind: 'CUSTOM:TinySegConcatConv:depthwise/DEPTHWISE_CONV_2D/3x3' });
    for (const set of COMPUTE_KERNEL_SETS) expect(opCost(c.kind, c.feature, set), set).toEqual(opCost('DEPTHWISE_CONV_2D/3x3', 'depthwise.int', set));
    // Output rows 4..7 of the 16-row input, SAME: the first stages rows 3..5, each next moves two up and reads one.
    const rowBytes = 16 * 8;
    const staging = graphCompute(sg, [sg.ops[0]!]).kinds['CUSTOM:TinySegConcatConv:staging|copy'];
    expect(staging).toMatchObject({ units: 3 * rowBytes + 3 * 3 * rowBytes, runs: 4, ops: 1 });
    // In place: one call, nothing staged.
    expect(graphCompute(sg, [sg.ops[1]!]).kinds['CUSTOM:TinySegConcatConv:staging|copy']).toMatchObject({ units: 0, runs: 1, ops: 1 });
    expect(opCost('CUSTOM:TinySegConcatConv:staging', 'copy', 'cmsis-nn')).toEqual(CONCAT_CONV_BAND_STAGING);
  });

  it('prices a CONV_2D TinySegConcatConv band as the builtin in every set (its per-output cost too), its staging apart', () => {
    const b = new GraphBuilder();
    const q = { scale: [0.1], zeroPoint: [0], quantizedDimension: 0 };
    const w = b.constant('w', { dtype: 'int8', shape: [4, 1, 1, 8], quantization: { scale: new Array(4).fill(0.01), zeroPoint: new Array(4).fill(0), quantizedDimension: 0 } }, new Int8Array(32));
    const y = b.tensor('y', { dtype: 'int8', shape: [1, 4, 16, 4], quantization: q });
    const window = { padding: 0, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, activation: 0 };
    const band = { firstRow: 4, height: 16, width: 16 };
    const options = encodeConcatConvOptions({ parts: [{ offset: 0, channels: 8 }], ...window, inputScale: 0.1, inputZeroPoint: 0, ...band });
    b.op({ opcode: 'CUSTOM', customCode: CONCAT_CONV, inputs: [w, -1], outputs: [y], customOptions: options });
    b.output(y);
    const sg = loadGraph(saveGraph(b.build())).main;
    const c = opCompute(sg, sg.ops[0]!);
    expect(c).toMatchObject({ macs: 4 * 16 * 4 * 8, feature: 'tinysegConv.int', kind: 'CUSTOM:TinySegConcatConv:band/CONV_2D/1x1' });
    for (const set of COMPUTE_KERNEL_SETS) expect(opCost(c.kind, c.feature, set), set).toEqual(opCost('CONV_2D/1x1', 'conv.int', set));
    // Its calls row by row: under CMSIS-NN a share of its MACs, 2 / 16 + 0.02 for a 1x1 conv 16 wide; none under the
    // reference kernels.
    const calls = graphCompute(sg).kinds['CUSTOM:TinySegConcatConv:rowCalls|conv.int']!;
    expect(calls.units).toBeCloseTo(c.macs * (CONCAT_CONV_ROW_CALLS.pointwise.perWidth / 16 + CONCAT_CONV_ROW_CALLS.pointwise.flat), 6);
    expect(opCost('CUSTOM:TinySegConcatConv:rowCalls', 'conv.int', 'reference').unit).toBe(0);
    expect(opCost('CUSTOM:TinySegConcatConv:rowCalls', 'conv.int', 'cmsis-nn').unit).toBe(INVOKE_COEFFICIENTS['cmsis-nn']['conv.int']);
  });

  it('prices a CONV_2D TinySegConcatConv band that reads its rows in place as the builtin in every set (nothing staged)', () => {
    const b = new GraphBuilder();
    const q = { scale: [0.1], zeroPoint: [0], quantizedDimension: 0 };
    const w = b.constant('w', { dtype: 'int8', shape: [4, 3, 3, 8], quantization: { scale: new Array(4).fill(0.01), zeroPoint: new Array(4).fill(0), quantizedDimension: 0 } }, new Int8Array(288));
    const x = b.input('x', { dtype: 'int8', shape: [1, 16, 16, 8], quantization: q });
    const y = b.tensor('y', { dtype: 'int8', shape: [1, 4, 16, 4], quantization: q });
    const window = { padding: 0, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, activation: 0 };
    const options = encodeConcatConvOptions({ parts: [{ input: 2 }], ...window, inputScale: 0.1, inputZeroPoint: 0, firstRow: 4 });
    b.op({ opcode: 'CUSTOM', customCode: CONCAT_CONV, inputs: [w, -1, x], outputs: [y], customOptions: options });
    b.output(y);
    const sg = loadGraph(saveGraph(b.build())).main;
    const c = opCompute(sg, sg.ops[0]!);
    expect(c).toMatchObject({ macs: 4 * 16 * 4 * 72, feature: 'tinysegConv.int', kind: 'CUSTOM:TinySegConcatConv:band/CONV_2D' });
    for (const set of COMPUTE_KERNEL_SETS) expect(opCost(c.kind, c.feature, set), set).toEqual(opCost('CONV_2D', 'conv.int', set));
    // One call: no share for calls row by row.
    expect(graphCompute(sg).kinds['CUSTOM:TinySegConcatConv:rowCalls|conv.int']).toBeUndefined();
  });

  it('prices uint8 arithmetic with the reference costs in every set (CMSIS-NN has no uint8 kernels), int8 with the set\'s own', () => {
    const conv = (dtype: 'int8' | 'uint8') => {
      const b = new GraphBuilder();
      const q = { scale: [0.1], zeroPoint: [dtype === 'uint8' ? 128 : 0], quantizedDimension: 0 };
      const w = b.constant('w', { dtype, shape: [4, 3, 3, 8], quantization: { scale: [0.01], zeroPoint: [dtype === 'uint8' ? 128 : 0], quantizedDimension: 0 } }, new Uint8Array(288));
      const bias = b.constant('b', { dtype: 'int32', shape: [4], quantization: { scale: [0.001], zeroPoint: [0], quantizedDimension: 0 } }, new Int32Array(4));
      const x = b.input('x', { dtype, shape: [1, 16, 16, 8], quantization: q });
      const y = b.tensor('y', { dtype, shape: [1, 16, 16, 4], quantization: q });
      const z = b.tensor('z', { dtype, shape: [1, 16, 16, 8], quantization: q });
      b.op({ opcode: 'CONV_2D', inputs: [x, w, bias], outputs: [y], options: { type: 'Conv2DOptions', value: { padding: 0, strideH: 1, strideW: 1 } } });
      // A copy moves bytes alike in any type: its kind stays its own.
      b.op({ opcode: 'CONCATENATION', inputs: [y, y], outputs: [z], options: { type: 'ConcatenationOptions', value: { axis: 3 } } });
      b.output(z);
      return loadGraph(saveGraph(b.build())).main;
    };
    const [i8, u8] = [conv('int8'), conv('uint8')];
    expect(opCompute(i8, i8.ops[0]!).kind).toBe('CONV_2D');
    expect(opCompute(u8, u8.ops[0]!).kind).toBe('uint8:CONV_2D');
    expect(opCompute(u8, u8.ops[1]!).kind).toBe('CONCATENATION');
    const [ci8, cu8] = [graphCompute(i8, [i8.ops[0]!]), graphCompute(u8, [u8.ops[0]!])];
    expect(predictInvoke(cu8, 'cmsis-nn')).toBe(predictInvoke(cu8, 'reference'));
    expect(predictInvoke(cu8, { set: 'cmsis-nn', isa: 'mve' })).toBe(predictInvoke(cu8, 'reference'));
    expect(predictInvoke(cu8, 'reference')).toBe(predictInvoke(ci8, 'reference'));
    expect(predictInvoke(ci8, 'cmsis-nn')).toBeLessThan(predictInvoke(ci8, 'reference') / 5);
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

  it('classes convolutions by the kernel path their shape takes, and counts the runs a concatenation copies', () => {
    const sg = tinyUnet().main;
    const kinds = sg.ops.map((op) => opCompute(sg, op).kind);
    // The head is the only pointwise conv; the 3x3 convs keep the plain key.
    expect(kinds.filter((k) => k === 'CONV_2D/1x1')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'CONV_2D')).toHaveLength(14);
    // A concatenation on the channels copies one run per pixel and input.
    const concats = sg.ops.filter((op) => op.opcode === 'CONCATENATION');
    for (const op of concats) {
      const [, h, w] = sg.tensors[op.outputs[0]!]!.shape as [number, number, number];
      expect(opCompute(sg, op).runs).toBe(h * w * op.inputs.length);
    }
    expect(opCompute(sg, sg.ops.find((op) => op.opcode === 'CONV_2D')!).runs).toBe(0);
  });

  it('prices a kind by its own measured cost, then its key, then its family', () => {
    for (const set of ['reference', 'cmsis-nn'] as const) {
      const family = INVOKE_COEFFICIENTS[set];
      expect(opCost('NO_SUCH_OP', 'element.int', set)).toEqual({ unit: family['element.int'], macOutput: family['macOutput.int'], run: 0, op: family.op });
      for (const [kind, cost] of Object.entries(OP_COSTS[set])) {
        const [key, feature] = kind.split('|') as [string, 'conv.int'];
        expect(opCost(key, feature, set)).toBe(cost);
        // A shape class without costs of its own takes its key's.
        if (!key.includes('/')) expect(opCost(`${key}/unmeasured`, feature, set)).toBe(cost);
      }
    }
    // On a core with costs of its own (CMSIS-NN's Helium kernels on a Cortex-M55), those come first, then the set's.
    const mve = OP_COSTS['cmsis-nn/mve'] ?? {};
    for (const [kind, cost] of Object.entries(mve)) {
      const [key, feature] = kind.split('|') as [string, 'conv.int'];
      expect(opCost(key, feature, { set: 'cmsis-nn', isa: 'mve' })).toBe(cost);
    }
    const dspOnly = Object.keys(OP_COSTS['cmsis-nn']).find((kind) => !(kind in mve));
    if (dspOnly) {
      const [key, feature] = dspOnly.split('|') as [string, 'conv.int'];
      expect(opCost(key, feature, { set: 'cmsis-nn', isa: 'mve' })).toBe(OP_COSTS['cmsis-nn'][dspOnly]);
    }
    expect(opCost('CONV_2D', 'conv.int', { set: 'cmsis-nn', isa: 'dsp' })).toBe(opCost('CONV_2D', 'conv.int', 'cmsis-nn'));
    // Whole-graph prediction is the sum of its kinds' costs.
    const sg = tinyUnet().main;
    const c = graphCompute(sg);
    const sum = Object.entries(c.kinds).reduce((n, [kind, v]) => {
      const k = opCost(kind.slice(0, kind.lastIndexOf('|')), v.feature, 'cmsis-nn');
      return n + k.unit * v.units + k.macOutput * v.macOutputs + k.run * v.runs + k.op * v.ops;
    }, 0);
    expect(predictInvoke(c, 'cmsis-nn')).toBeCloseTo(sum, 3);
  });

  it('prices a spill or fetch of whole rows (straight between tensor and region) apart from one of some channels (through the staging blocks)', () => {
    const b = new GraphBuilder();
    const q = { scale: [0.1], zeroPoint: [0], quantizedDimension: 0 };
    const x = b.input('x', { dtype: 'int8', shape: [1, 8, 8, 4], quantization: q });
    const y = b.tensor('y', { dtype: 'int8', shape: [1, 8, 8, 4], quantization: q });
    const z = b.tensor('z', { dtype: 'int8', shape: [1, 8, 8, 2], quantization: q });
    b.op({ opcode: 'CUSTOM', customCode: SPILL, inputs: [x], outputs: [], customOptions: encodeSpillOptions({ offset: 0, bytes: 256, begin: 0, count: 4 }) });
    b.op({ opcode: 'CUSTOM', customCode: SPILL, inputs: [x], outputs: [], customOptions: encodeSpillOptions({ offset: 256, bytes: 128, begin: 1, count: 2 }) });
    b.op({ opcode: 'CUSTOM', customCode: FETCH, inputs: [], outputs: [y], customOptions: encodeFetchOptions({ offset: 0, bytes: 256, begin: 0, count: 4 }) });
    b.op({ opcode: 'CUSTOM', customCode: FETCH, inputs: [], outputs: [z], customOptions: encodeFetchOptions({ offset: 256, bytes: 128, begin: 0, count: 2 }) });
    b.output(y);
    b.output(z);
    const sg = loadGraph(saveGraph(b.build())).main;
    expect(sg.ops.map((op) => opCompute(sg, op).kind)).toEqual(['CUSTOM:TinySegSpill', 'CUSTOM:TinySegSpill/channels', 'CUSTOM:TinySegFetch', 'CUSTOM:TinySegFetch']);
    // Whole rows: one run, the cheaper bytes; 64 pixels' runs of 2 channels: the staged path, per run and per byte.
    expect(opCompute(sg, sg.ops[1]!).runs).toBe(64);
    for (const set of COMPUTE_KERNEL_SETS) {
      const whole = opCost('CUSTOM:TinySegSpill', 'spill', set);
      const channels = opCost('CUSTOM:TinySegSpill/channels', 'spill', set);
      expect(whole.unit).toBeLessThan(channels.unit);
      expect(channels.run).toBeGreaterThan(0);
    }
  });
});
