// Mode-suppression compression (docs/runtime.md) on the activations of a real
// segmentation model, prisma-unet-int8-256: the C runtime's bytes equal
// spill-codec.ts's, round trips are exact, and the ratios are reported.

import { beforeAll, describe, expect, it } from 'vitest';
import { decodeSpill, encodeSpill } from '../../src/emit/spill-codec.js';
import { loadGraph } from '../../src/graph/graph.js';
import { readCorpusModel } from '../helpers/shared.js';
import { tempDir } from '../helpers/temp-dir.js';
import { buildRuntimeAddon, captureActivations, type RuntimeAddon } from '../runtime/native.js';

const file = 'prisma-unet-int8-256.tflite';
const SECTION = 512;

let addon: RuntimeAddon;
const buildDir = tempDir('tinyseg-runtime-addon-');
beforeAll(async () => {
  addon = await buildRuntimeAddon(buildDir);
});

describe(`compression on ${file} activations`, () => {
  it('C equals spill-codec.ts, round trips exact; ratios per tensor', () => {
    const graph = loadGraph(readCorpusModel(file));
    const sg = graph.main;
    const acts = captureActivations(graph);
    // Tensors whose producer ends in a ReLU (fused or a RELU/RELU6 op).
    const relu = new Set(
      sg.ops
        .filter((op) => op.opcode === 'RELU' || op.opcode === 'RELU6' || [1, 3].includes(op.options?.['fusedActivationFunction'] as number))
        .flatMap((op) => op.outputs),
    );
    const rows: string[] = [];
    let raw = 0;
    let stored = 0;
    let reluRaw = 0;
    let reluStored = 0;
    for (const [index, bytes] of acts) {
      const t = sg.tensors[index]!;
      const c = addon.compress(bytes, SECTION);
      const e = encodeSpill(bytes, SECTION);
      expect(Buffer.compare(c.data, e.data), t.name).toBe(0);
      expect(Array.from(c.table), t.name).toEqual(Array.from(e.table));
      expect(Buffer.compare(addon.decompress(c.data, c.table, bytes.length, SECTION), bytes), t.name).toBe(0);
      expect(Buffer.compare(decodeSpill(e, bytes.length, SECTION), bytes), t.name).toBe(0);
      raw += bytes.length;
      stored += e.data.length;
      if (relu.has(index)) {
        reluRaw += bytes.length;
        reluStored += e.data.length;
      }
      rows.push(`${t.name.slice(-40).padEnd(40)} ${t.dtype.padEnd(6)} ${t.shape.join('x').padEnd(16)} ${relu.has(index) ? 'relu' : '    '} ${(e.data.length / Math.max(1, bytes.length)).toFixed(3)}`);
    }
    console.log(
      `${file}: stored/raw with ${SECTION}-byte sections, ${acts.size} activations\n${rows.join('\n')}\n` +
        `all: ${(stored / raw).toFixed(3)} of ${raw} bytes; ReLU outputs: ${reluRaw ? (reluStored / reluRaw).toFixed(3) : 'none'} of ${reluRaw} bytes`,
    );
    expect(stored).toBeLessThanOrEqual(raw);
    if (reluRaw) expect(reluStored / reluRaw).toBeLessThan(1);
  });
});
