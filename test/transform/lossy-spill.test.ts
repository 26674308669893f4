// --lossy-spill int8 (docs/custom-ops.md "Quantized slots"): the slot format
// the spill writes, and that an optimized float model computes exactly what
// the original computes with the spilled tensor replaced by what its slot
// reads back as: the loss is the quantization and nothing else.

import { describe, expect, it } from 'vitest';
import { loadGraph, saveGraph } from '../../src/graph/graph.js';
import { captureActivations } from '../../src/interpreter/capture.js';
import { runModel } from '../../src/interpreter/interpreter.js';
import { dequantizeSlice, quantizeSlice } from '../../src/ops/tinyseg/quantized-slot.js';
import { proofCases } from '../../src/interpreter/verify.js';
import { buildTinyUnet } from '../../src/graph/tiny-unet.js';
import { optimize } from '../../src/optimize/optimize.js';
import { memoryReport } from '../../src/report/memory-report.js';
import { renderReportText } from '../../src/report/text.js';
import * as flexbuffers from 'flatbuffers/mjs/flexbuffers.js';
import { decodeAddFetchOptions, decodeConcatFetchOptions, decodeSpillOptions, encodeConcatFetchOptions, encodeSpillOptions, QUANTIZED_HEADER } from '../../src/ops/tinyseg/custom-ops.js';
import { emitEmbedded } from '../../src/emit/emit-embedded.js';
import { builtinTargetProfile } from '../../src/memory/target-profile.js';
import { inProcessCli } from '../helpers/cli.js';
import { prng } from '../helpers/prng.js';
import { skipModel } from '../helpers/skip-model.js';
import { tempDir } from '../helpers/temp-dir.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const f32 = Math.fround;

function stored(values: number[]): { header: DataView; codes: Int8Array; back: Float32Array } {
  const v = Float32Array.from(values);
  const out = new Uint8Array(QUANTIZED_HEADER + v.length);
  quantizeSlice(v, out);
  const back = new Float32Array(v.length);
  dequantizeSlice(out, back);
  return { header: new DataView(out.buffer, 0, QUANTIZED_HEADER), codes: new Int8Array(out.buffer, QUANTIZED_HEADER), back };
}

describe('quantized slot options', () => {
  it('are written only when set, so exact models keep their bytes, and read back', () => {
    const plain = { offset: 16, bytes: 64, begin: 0, count: 4 };
    expect(encodeSpillOptions({ ...plain, quantized: false })).toEqual(encodeSpillOptions(plain));
    expect(decodeSpillOptions(encodeSpillOptions({ ...plain, quantized: true }))).toEqual({ ...plain, quantized: true });
    const parts = [{ input: 0 }, { offset: 0, channels: 4 }];
    expect(encodeConcatFetchOptions({ parts })).toEqual(encodeConcatFetchOptions({ parts: [{ input: 0 }, { offset: 0, channels: 4, quantized: false }] }));
    expect(decodeConcatFetchOptions(encodeConcatFetchOptions({ parts: [{ input: 0 }, { offset: 0, channels: 4, quantized: true }] })).parts[1]).toEqual({
      offset: 0,
      channels: 4,
      quantized: true,
    });
  });

  it('refuse values other than 0 and 1, and a quantized part that is not read from the region', () => {
    expect(() => decodeSpillOptions(flexbuffers.encode({ offset: 0, bytes: 8, begin: 0, count: 1, quantized: 2 }))).toThrow(/TinySegSpill options: 'quantized' must be 0 or 1, got 2/);
    const parts = { part_input: [0, -1], part_channels: [0, 4], part_offset: [0, 0] };
    expect(() => decodeConcatFetchOptions(flexbuffers.encode({ ...parts, part_quantized: [1, 0] }))).toThrow(/part 0 has part_quantized 1/);
    expect(() => decodeConcatFetchOptions(flexbuffers.encode({ ...parts, part_quantized: [0] }))).toThrow(/part vectors differ in length/);
  });
});

describe('quantized slots', () => {
  it('store scale and zero point first, then one code per value; zero and the range ends are exact codes', () => {
    const { header, codes, back } = stored([-1, 0, 2, Number.NaN, Number.POSITIVE_INFINITY, -0]);
    const scale = header.getFloat32(0, true);
    expect(scale).toBe(f32(f32(3) / 255));
    // -1 / scale is -85 within float32 rounding: the zero point puts -1 on -128.
    expect(header.getInt32(4, true)).toBe(-43);
    expect([...codes]).toEqual([-128, -43, 127, -43, -43, -43]);
    expect(back[1]).toBe(0);
    expect(back[3]).toBe(0); // not finite: stored as the zero point
    expect(back[2]).toBe(f32(170 * scale));
  });

  it('keeps an all-zero slice exact (scale 1) and every value within half a step', () => {
    const zeros = stored([0, 0, 0]);
    expect(zeros.header.getFloat32(0, true)).toBe(1);
    expect([...zeros.back]).toEqual([0, 0, 0]);
    const next = prng(11);
    const rand = () => next() / 2 ** 32;
    const values = Array.from({ length: 4096 }, () => f32((rand() * 2 - 1) * 37.5));
    const { header, back } = stored(values);
    const scale = header.getFloat32(0, true);
    const worst = Math.max(...values.map((v, i) => Math.abs(v - back[i]!)));
    expect(worst).toBeLessThanOrEqual(scale / 2 + 1e-5);
    expect(worst).toBeGreaterThan(scale / 4); // a real quantization, not a copy
    // Only positive values: the range starts at 0, so no code is spent below it.
    const positive = stored([0.25, 1, 3]);
    expect(positive.header.getInt32(4, true)).toBe(-128);
  });
});

describe('optimize with lossySpill int8', () => {
  for (const join of ['add', 'concat'] as const) {
    it(`stores the float skip as int8 and computes the original on the skip as its slot reads back (${join})`, () => {
      const original = skipModel(join);
      const bytes = saveGraph(original);
      const exact = optimize(bytes, { file: `skip-${join}.tflite`, verify: { inputs: 1 } });
      const lossy = optimize(bytes, { file: `skip-${join}.tflite`, lossySpill: 'int8', verify: { inputs: 1 } });
      const [d] = lossy.report.spill.decisions;
      expect(d).toMatchObject({ tensor: 'a', quantized: true, bytes: QUANTIZED_HEADER + 16 * 16 * 8 });
      expect(exact.report.spill.decisions[0]).toMatchObject({ tensor: 'a', bytes: 16 * 16 * 8 * 4 });
      expect(exact.report.spill.decisions[0]!.quantized).toBeUndefined();
      expect(lossy.report.spill.bytesOut).toBe(QUANTIZED_HEADER + 16 * 16 * 8);
      expect(lossy.report.after.head).toBe(exact.report.after.head);
      expect(lossy.report.lossySpill).toEqual({ type: 'int8', slots: 1 });
      expect(lossy.report.verified).toBe(false);
      expect(lossy.report.verification!.psnr).toBeGreaterThan(30);
      expect(lossy.report.warnings.join('\n')).toMatch(/lossy spill: 1 spilled float32 tensor is stored as int8; on 2 inputs \d+ of \d+ output bytes differ, max abs error [\d.e-]+, PSNR [\d.]+ dB/);
      expect(exact.report.lossySpill).toBeNull();
      const spillOp = lossy.graph.main.ops.find((o) => o.customCode === 'TinySegSpill')!;
      expect(decodeSpillOptions(spillOp.customOptions).quantized).toBe(true);
      if (join === 'add') expect(decodeAddFetchOptions(lossy.graph.main.ops.find((o) => o.customCode === 'TinySegAddFetch')!.customOptions).quantized).toBe(true);
      else expect(lossy.graph.main.ops.some((o) => o.customCode === 'TinySegConcatConv' || o.customCode === 'TinySegConcatFetch')).toBe(true);

      for (const c of proofCases(original, { inputs: 2, seed: 3 })) {
        // The original with `a` replaced, where it is read after the gap, by what its quantized slot reads back as.
        const acts = captureActivations(original, c.inputs);
        const aIndex = original.main.tensors.find((t) => t.name === 'a')!.index;
        const a = new Float32Array(acts.get(aIndex)!.slice().buffer);
        const slot = new Uint8Array(QUANTIZED_HEADER + a.length);
        quantizeSlice(a, slot);
        const readBack = new Float32Array(a.length);
        dequantizeSlice(slot, readBack);
        const joinOp = original.main.ops.findIndex((o) => o.opcode === (join === 'add' ? 'ADD' : 'CONCATENATION'));
        const patched = loadGraph(saveGraph(original));
        const copy = patched.main.tensors[aIndex]!;
        // A constant standing in for the fetched skip, read only by the join.
        const fetched = patched.main.addTensor({ name: 'a_read_back', dtype: 'float32', shape: copy.shape, data: new Uint8Array(readBack.buffer) });
        const joinAt = patched.main.ops[joinOp]!;
        patched.main.rewire(joinAt, { inputs: joinAt.inputs.map((t) => (t === aIndex ? fetched.index : t)) });
        const want = runModel(loadGraph(saveGraph(patched)), c.inputs);
        const got = runModel(lossy.graph, c.inputs);
        expect(got.map((o) => Buffer.from(o).toString('hex'))).toEqual(want.map((o) => Buffer.from(o).toString('hex')));
      }
    });
  }

  it('leaves integer models exact: only float32 slices are quantized', () => {
    const tiny = saveGraph(buildTinyUnet({ height: 16, width: 24 }));
    const r = optimize(tiny, { lossySpill: 'int8', verify: { inputs: 1 } });
    expect(r.report.spill.decisions.length).toBeGreaterThan(0);
    expect(r.report.spill.decisions.some((d) => d.quantized)).toBe(false);
    expect(r.report.verified).toBe(true);
    expect(r.report.lossySpill).toBeNull();
    expect(r.bytes).toEqual(optimize(tiny, { verify: false }).bytes);
  });

  it('says in the emitted arena header that the model is lossy, and by how much (compiled in lossy-spill.system.test.ts)', () => {
    const bytes = saveGraph(skipModel('add'));
    const profile = builtinTargetProfile('mps2-an386')!;
    const lossy = emitEmbedded(optimize(bytes, { lossySpill: 'int8', verify: { inputs: 1 } }), { name: 'skip', profile, sections: false, storage: 'psram' });
    const header = lossy['skip_arena.h']!;
    expect(header).toMatch(/ \* Compression: none\. LOSSY: 1 spilled float32 tensor is stored as int8\n/);
    expect(header).toMatch(/ \*   max abs error [\d.e-]+, PSNR [\d.]+ dB on 2 inputs\.\n/);
    const unproven = emitEmbedded(optimize(bytes, { lossySpill: 'int8', verify: false }), { name: 'skip', profile, sections: false, storage: 'psram' });
    expect(unproven['skip_arena.h']).toContain('the error was not measured (optimized without the proof)');
    const exact = emitEmbedded(optimize(bytes, { verify: false }), { name: 'skip', profile, sections: false, storage: 'psram' });
    expect(exact['skip_arena.h']).not.toContain('LOSSY');
    expect(exact['skip_arena.h']).toContain("Compression: none; the spill region holds the tensors' raw bytes");
  });

  it('is flagged by `tinyseg report` on the written model', () => {
    const r = optimize(saveGraph(skipModel('add')), { lossySpill: 'int8', verify: false });
    const report = memoryReport({ file: 'lossy.tflite', bytes: r.bytes, graph: loadGraph(r.bytes) });
    expect(report.spillRegion).toEqual({ bytes: r.report.spill.regionBytes, spills: 1, quantized: 1 });
    expect(renderReportText(report)).toContain('1 stored as int8 codes: LOSSY (--lossy-spill)');
  });

  it('refuses to run a quantized slot of an integer tensor, naming the operator', () => {
    const r = optimize(saveGraph(buildTinyUnet({ height: 16, width: 24 })), { verify: false });
    const g = loadGraph(r.bytes);
    const spill = g.main.ops.find((o) => o.customCode === 'TinySegSpill')!;
    const o = decodeSpillOptions(spill.customOptions);
    spill.customOptions = encodeSpillOptions({ ...o, bytes: QUANTIZED_HEADER + o.bytes, quantized: true });
    const edited = loadGraph(saveGraph(g));
    expect(() => runModel(edited, proofCases(edited, { inputs: 0 })[0]!.inputs)).toThrow(/TinySegSpill.*a quantized slot needs float32 data, '.*' is int8/);
  });

  it('refuses another lossy type', () => {
    expect(() => optimize(saveGraph(skipModel('add')), { lossySpill: 'int4' as 'int8' })).toThrow(/lossySpill must be 'int8', got int4/);
  });
});

describe('tinyseg optimize --lossy-spill int8', () => {
  const { scratch, tinyseg } = inProcessCli('tinyseg-lossy-');

  it('writes the model, says which spills are int8 and what the error is; verify then finds the difference', async () => {
    const model = join(scratch, 'skip.tflite');
    writeFileSync(model, saveGraph(skipModel('add')));
    const out = join(scratch, 'out');
    const r = await tinyseg('optimize', model, '-o', out, '--lossy-spill', 'int8', '--inputs', '1', '--no-cache');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ a: whole, 2,056 B as int8, ops \d+\.\.\d+ \(fetched into the ADD\)/);
    expect(r.stdout).toMatch(/^warning: lossy spill: 1 spilled float32 tensor is stored as int8; on 2 inputs \d+ of 16384 output bytes differ, max abs error [\d.e-]+, PSNR [\d.]+ dB$/m);
    expect(r.stdout).not.toContain('Verified');
    const plan = JSON.parse(readFileSync(join(out, 'skip.plan.json'), 'utf8'));
    expect(plan.lossySpill).toEqual({ type: 'int8', slots: 1 });
    const v = await tinyseg('verify', model, join(out, 'skip.tflite'), '--inputs', '1');
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/MISMATCH: \d+ of 16384 output bytes differ, max difference [\d.e-]+, PSNR [\d.]+ dB/);
    const bad = await tinyseg('optimize', model, '-o', out, '--lossy-spill', 'int4');
    expect(bad).toEqual({ code: 2, stdout: '', stderr: "tinyseg: --lossy-spill takes int8, got 'int4' (see 'tinyseg optimize --help')\n" });
  });
});

describe('models read from a Node Buffer', () => {
  it('decode and run like a Uint8Array (a Buffer slice is a view, not a copy)', () => {
    const model = join(tempDir('tinyseg-buffer-'), 'skip.tflite');
    writeFileSync(model, optimize(saveGraph(skipModel('add')), { lossySpill: 'int8', verify: false }).bytes);
    const fromBuffer = loadGraph(readFileSync(model));
    const fromArray = loadGraph(new Uint8Array(readFileSync(model)));
    const spill = fromBuffer.main.ops.find((o) => o.customCode === 'TinySegSpill')!;
    expect(decodeSpillOptions(spill.customOptions).quantized).toBe(true);
    const [input] = proofCases(fromArray, { inputs: 1 })[1]!.inputs;
    expect(runModel(fromBuffer, [input!])).toEqual(runModel(fromArray, [input!]));
    expect([...captureActivations(fromBuffer).values()]).toEqual([...captureActivations(fromArray).values()]);
  });
});
