// builtinsOnly against stock TFLite: tfjs-tflite (TFLite compiled to wasm, in
// headless Chromium) loads the optimized model and computes, on the proof's
// inputs, the same output bytes as on the original. The default result is
// refused by the same runtime (TinySeg's custom operators), which shows the
// loading half of the test can fail; the comparison half fails on a model
// whose graph changed (the check that each model was actually rewritten).

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadGraph, type Graph } from '../../src/graph/graph.js';
import { proofCases } from '../../src/interpreter/verify.js';
import { optimize } from '../../src/optimize/optimize.js';
import { rewriteTransposeConv } from '../../src/transform/transpose-conv-to-depth-to-space.js';
import { saveGraph } from '../../src/graph/graph.js';
import { openTfliteBrowser, pageTensorBytes, toPageTensor, type PageTensor, type TfliteBrowser } from '../helpers/tfjs-tflite-browser.js';
import { readCorpusModel } from '../helpers/shared.js';

const CHROMIUM = inject('chromium');
const TINY_UNET = new Uint8Array(readFileSync(new URL('../../examples/models/tiny-unet-80x120.tflite', import.meta.url)));

let tflite: TfliteBrowser;
beforeAll(async () => {
  tflite = await openTfliteBrowser(CHROMIUM);
}, 60_000);
afterAll(async () => tflite?.close());

/** The proof's inputs (oracle + 3 seeded random) as tfjs tensors: integer inputs as int32 values, which tfjs-tflite narrows to the tensor's type. */
function pageInputs(g: Graph): PageTensor[][] {
  const sg = g.main;
  return proofCases(g).map((c) =>
    c.inputs.map((bytes, i) => {
      const t = sg.tensors[sg.inputs[i]!]!;
      const b = bytes.slice().buffer;
      if (t.dtype === 'float32') return toPageTensor('float32', t.shape, new Float32Array(b));
      if (t.dtype === 'int8') return toPageTensor('int32', t.shape, Int32Array.from(new Int8Array(b)));
      if (t.dtype === 'uint8') return toPageTensor('int32', t.shape, Int32Array.from(new Uint8Array(b)));
      throw new Error(`no page tensor for ${t.dtype}`);
    }),
  );
}

/** Every output of `model` on every input set, as the bytes tfjs-tflite returns (int8 and uint8 widened to int32 the same way for both models). */
async function tfliteOutputs(model: Uint8Array, inputs: PageTensor[][]): Promise<Uint8Array[][]> {
  const out: Uint8Array[][] = [];
  for (const set of inputs) out.push((await tflite.run(model, set)).outputs.map(pageTensorBytes));
  return out;
}

const opsOf = (g: Graph): string[] => g.main.ops.map((op) => (op.opcode === 'CUSTOM' ? `CUSTOM:${op.customCode}` : op.opcode));

// person-detect-int8-96 is not here: tfjs-tflite refuses the original itself (its biases say quantized_dimension 3).
const MODELS: [name: string, bytes: () => Uint8Array, smallerHead: boolean][] = [
  // Its head savings all come from passes stock TFLite cannot take (spills, the TRANSPOSE_CONV rewrite): its identity PADs go, a smaller tail.
  ['tiny-unet-80x120 (examples/)', () => TINY_UNET, false],
  ['nano-u-int8-60x80', () => readCorpusModel('nano-u-int8-60x80.tflite'), true],
  ['mnv3-unet-int8-256', () => readCorpusModel('mnv3-unet-int8-256.tflite'), true],
  // float32, with bands through its SAME TRANSPOSE_CONVs and the CONCATENATION of their skip.
  ['unet-f32-128', () => readCorpusModel('unet-f32-128.tflite'), true],
  // Its PADs before the depthwise convs become their SAME padding (foldPads), besides its row bands; its 4x4 VALID
  // TRANSPOSE_CONV bands keep the whole operator's output size for their rows (transpose-conv-band.ts).
  ['portrait-video-int8-224 (test/models/segmentation)', () => new Uint8Array(readFileSync(new URL('../models/segmentation/portrait-video-int8-224.tflite', import.meta.url))), true],
];

describe('builtinsOnly results in stock TFLite (tfjs-tflite in Chromium)', () => {
  it.each(MODELS)('%s: loads, and computes the original output bytes on the proof inputs', async (name, bytes, smallerHead) => {
    const original = bytes();
    const result = optimize(original, { file: name, builtinsOnly: true });
    const before = loadGraph(original);
    const ops = opsOf(result.graph);
    expect(ops.filter((o) => o.startsWith('CUSTOM:')), name).toEqual([]);
    // A rewritten graph (row bands, PADs removed), so that the comparison below proves something about the rewrites.
    expect(result.report.keptOriginal).toBe(false);
    expect(ops.join(), `${name}: the graph changed`).not.toBe(opsOf(before).join());
    if (smallerHead) expect(result.report.after.head).toBeLessThan(result.report.before.head);
    const inputs = pageInputs(before);
    const want = await tfliteOutputs(original, inputs);
    const got = await tfliteOutputs(result.bytes, inputs);
    expect(got.length).toBe(inputs.length);
    for (let k = 0; k < want.length; k++) {
      expect(got[k]!.length, `${name}: outputs of case ${k}`).toBe(want[k]!.length);
      want[k]!.forEach((w, i) => expect(Buffer.compare(Buffer.from(got[k]![i]!), Buffer.from(w)), `${name}: case ${k} output ${i} byte for byte`).toBe(0));
    }
  });

  it('the default result of the Tiny U-Net is refused: it has TinySeg custom operators', async () => {
    const result = optimize(TINY_UNET, { file: 'tiny-unet' });
    expect(opsOf(result.graph)).toContain('CUSTOM:TinySegSpill');
    const inputs = pageInputs(loadGraph(TINY_UNET));
    // TFLite names the first of them it meets (in operator order).
    await expect(tflite.run(result.bytes, inputs[0]!)).rejects.toThrow(/unresolved custom op: TinySeg(Spill|Fetch|ConvInPlace|ConcatConv)/);
  });

  it('so is the Tiny U-Net optimized without spilling but with every other pass: TinySegConcatConv', async () => {
    const result = optimize(TINY_UNET, { file: 'tiny-unet', spill: false });
    const inputs = pageInputs(loadGraph(TINY_UNET));
    await expect(tflite.run(result.bytes, inputs[0]!)).rejects.toThrow(/unresolved custom op: TinySeg/);
  });

  it('why builtinsOnly skips the TRANSPOSE_CONV rewrite: bit-exact under TFLM, other bytes in stock TFLite (XNNPACK rounds the CONV_2D)', async () => {
    const g = loadGraph(TINY_UNET);
    expect(rewriteTransposeConv(g).rewritten).toBe(3);
    const inputs = pageInputs(loadGraph(TINY_UNET)).slice(0, 2);
    const want = await tfliteOutputs(TINY_UNET, inputs);
    const got = await tfliteOutputs(saveGraph(g), inputs);
    expect(want.some((w, k) => w.some((b, i) => Buffer.compare(Buffer.from(got[k]![i]!), Buffer.from(b)) !== 0))).toBe(true);
  });

  it('a builtins-only result changed by one constant byte computes other outputs: the comparison can fail', async () => {
    const result = optimize(TINY_UNET, { file: 'tiny-unet', builtinsOnly: true });
    const g = loadGraph(result.bytes);
    // The first convolution's bias, one code up: every output that depends on it moves.
    const conv = g.main.ops.find((op) => op.opcode === 'CONV_2D')!;
    const bias = g.main.tensors[conv.inputs[2]!]!;
    const broken = result.bytes.slice();
    const at = findBytes(broken, bias.data!);
    expect(at).toBeGreaterThan(0);
    broken[at] = (broken[at]! + 64) & 0xff;
    const inputs = pageInputs(loadGraph(TINY_UNET)).slice(0, 1);
    const [want] = await tfliteOutputs(TINY_UNET, inputs);
    const [got] = await tfliteOutputs(broken, inputs);
    expect(want!.some((w, i) => Buffer.compare(Buffer.from(got![i]!), Buffer.from(w)) !== 0)).toBe(true);
  });
});

/** Offset of `needle` in `hay` (the constant's bytes in the model file), -1 if absent. */
function findBytes(hay: Uint8Array, needle: Uint8Array): number {
  return Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength).indexOf(Buffer.from(needle.buffer, needle.byteOffset, needle.byteLength));
}
