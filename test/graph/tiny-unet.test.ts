import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coldRanges } from '../../src/analysis/cold-ranges.js';
import { loadGraph, saveGraph } from '../../src/graph/graph.js';
import { buildTinyUnet } from '../../src/graph/tiny-unet.js';
import { repoRoot } from '../helpers/paths.js';

const committed = new Uint8Array(readFileSync(join(repoRoot, 'examples/models/tiny-unet-80x120.tflite')));

describe('the bundled Tiny U-Net', () => {
  it('is exactly what the generator produces (regenerate with npm run example:tiny-unet)', () => {
    expect(Buffer.from(saveGraph(buildTinyUnet())).equals(Buffer.from(committed))).toBe(true);
  });

  it("has the paper's architecture", () => {
    const sg = loadGraph(committed).main;
    const count = (op: string) => sg.ops.filter((o) => o.opcode === op).length;
    expect(count('CONV_2D')).toBe(2 * 7 + 1);
    expect(count('MAX_POOL_2D')).toBe(3);
    expect(count('TRANSPOSE_CONV')).toBe(3);
    expect(count('PAD')).toBe(3);
    expect(count('CONCATENATION')).toBe(3);
    expect(count('QUANTIZE')).toBe(2);
    const input = sg.tensors[sg.inputs[0]!]!;
    const output = sg.tensors[sg.outputs[0]!]!;
    expect([input.dtype, input.shape]).toEqual(['uint8', [1, 80, 120, 3]]);
    expect([output.dtype, output.shape]).toEqual(['uint8', [1, 80, 120, 2]]);
    for (const t of sg.tensors) if (t.kind === 'activation' && t !== input && t !== output) expect(t.dtype).toBe('int8');
    // Weights are per-channel int8.
    const conv = sg.ops.find((o) => o.opcode === 'CONV_2D')!;
    const w = sg.tensors[conv.inputs[1]!]!;
    expect(w.kind).toBe('constant');
    expect(w.quantization!.scale.length).toBe(8);
  });

  it('keeps the three encoder skips cold across the bottleneck', () => {
    const sg = loadGraph(committed).main;
    const longest = coldRanges(sg).slice(0, 3);
    const concatInputs = new Set(sg.ops.filter((o) => o.opcode === 'CONCATENATION').map((o) => o.inputs[0]));
    for (const c of longest) expect(concatInputs.has(c.tensor)).toBe(true);
    expect(longest[0]!.length).toBeGreaterThanOrEqual(20);
  });
});
