// The embedded build files of the optimized Tiny U-Net: which files, the model
// bytes, the arena figures, the linker fragment's choices. Compiled and linked
// with the real toolchains in emit-embedded.system.test.ts.

import { REFERENCE_KERNELS } from '../../src/ops/registry.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { arenaFigures, UNKNOWN_OP_TAIL_BYTES } from '../../src/emit/arena-header.js';
import { emitEmbedded } from '../../src/emit/emit-embedded.js';
import { loadGraph } from '../../src/graph/graph.js';
import { builtinTargetProfile } from '../../src/memory/target-profile.js';
import { optimize } from '../../src/optimize/optimize.js';
import { repoRoot } from '../helpers/paths.js';
import { minimalArena } from '../../src/tflm/allocate-tensors.js';

const example = new Uint8Array(readFileSync(join(repoRoot, 'examples/models/tiny-unet-80x120.tflite')));
const result = optimize(example, { file: 'tiny-unet-80x120.tflite', verify: false });
const an386 = builtinTargetProfile('mps2-an386')!;
describe('emitEmbedded on the Tiny U-Net', () => {
  const files = emitEmbedded(result, { name: 'tiny_unet', profile: an386, sections: true, storage: 'psram' });

  it('emits the model, arena, resolver, kernel registration and linker files', () => {
    expect(Object.keys(files).sort()).toEqual([
      'tiny_unet_arena.h',
      'tiny_unet_model.cc',
      'tiny_unet_model.h',
      'tiny_unet_resolver.h',
      'tiny_unet_sections.ld',
      'tiny_unet_tinyseg.c',
      'tiny_unet_tinyseg.h',
      'tinyseg_runtime.c',
      'tinyseg_runtime.h',
      'tinyseg_tflm_kernels.cc',
      'tinyseg_tflm_kernels.h',
    ]);
    expect(files['tiny_unet_model.h']).toContain('extern const unsigned char tiny_unet_model[];');
    expect(files['tiny_unet_model.cc']).toMatch(/^#include "tiny_unet_model\.h"$/m);
    expect(files['tiny_unet_model.cc']).toContain('alignas(16) const unsigned char tiny_unet_model[] __attribute__((section(".tinyseg.model.tiny_unet"), used))');
  });

  it('holds exactly the optimized model bytes', () => {
    const hex = [...files['tiny_unet_model.cc']!.matchAll(/0x([0-9a-f]{2}),/g)].map((m) => Number.parseInt(m[1]!, 16));
    expect(hex.length).toBe(result.bytes.length);
    expect(Buffer.from(hex).equals(Buffer.from(result.bytes))).toBe(true);
    expect(files['tiny_unet_model.cc']).toContain(`tiny_unet_model_len = 0x${result.bytes.length.toString(16).toUpperCase().padStart(8, '0')}u;`);
  });

  it('sizes the arena as the smallest AllocateTensors() accepts, at least head + tail from the report', () => {
    const h = files['tiny_unet_arena.h']!;
    const macro = (name: string): number => {
      const m = new RegExp(`^#define ${name} (0x[0-9A-F]+|[0-9]+)u$`, 'm').exec(h);
      expect(m, name).not.toBeNull();
      return Number(m![1]);
    };
    expect(macro('TINY_UNET_ARENA_HEAD')).toBe(result.report.after.head);
    // Every op of the Tiny U-Net is in the tail replay's tables: the estimate is the replay.
    expect(macro('TINY_UNET_ARENA_TAIL_ESTIMATE')).toBe(result.report.after.tail);
    const { head, tail } = result.report.after;
    const cm4 = minimalArena(result.graph, REFERENCE_KERNELS, 32);
    expect(macro('TINY_UNET_ARENA_SIZE')).toBe(Math.max(cm4.bytes, Math.ceil((head + tail) / 16) * 16));
    expect(macro('TINY_UNET_ARENA_SIZE')).toBeGreaterThanOrEqual(head + tail);
    expect(macro('TINY_UNET_ARENA_SIZE_HOST64')).toBe(minimalArena(result.graph, REFERENCE_KERNELS, 64).bytes);
    expect(h).toContain(`arena_used_bytes() is ${head + tail}`);
    expect(macro('TINY_UNET_SPILL_REGION_SIZE')).toBe(result.report.spill.regionBytes);
    expect(h).toMatch(/Spill storage: external RAM at 0x21000000/);
    expect(h).toMatch(/Compression: none/);
  });

  it('places no spill section for --storage remote, and writes no fragment without sections', () => {
    const remote = emitEmbedded(result, { name: 'tiny_unet', profile: an386, sections: true, storage: 'remote' });
    expect(remote['tiny_unet_sections.ld']).toContain('.tinyseg.model.tiny_unet');
    expect(remote['tiny_unet_sections.ld']).not.toContain('.tinyseg.spill');
    expect(remote['tiny_unet_arena.h']).toMatch(/Spill storage: remote store over a link of 11520 B\/s/);
    expect(emitEmbedded(result, { name: 'tiny_unet', profile: an386, storage: 'remote' })['tiny_unet_sections.ld']).toBeUndefined();
  });

  it('refuses a spill region larger than the target memory before rendering', () => {
    const small = { ...an386, psram: { ...an386.psram!, size: 1024 } };
    const region = result.report.spill.regionBytes;
    expect(region).toBeGreaterThan(1024);
    expect(() => emitEmbedded(result, { profile: small })).toThrow(new RegExp(`the spill region \\(${region} bytes\\) does not fit mps2-an386's external RAM \\(1024 bytes\\)`));
    const { psram: _omit, ...noPsram } = an386;
    expect(() => emitEmbedded(result, { profile: noPsram })).toThrow(/spill storage 'psram' needs 'psram' in target profile 'mps2-an386'/);
  });

  it('adds a tail allowance for every operator the tail replay does not model', () => {
    const graph = loadGraph(result.bytes);
    const known = arenaFigures(graph, 1000, 500);
    graph.main.ops[0]!.opcode = 'LSH_PROJECTION';
    graph.main.ops[1]!.opcode = 'LSH_PROJECTION';
    const unknown = arenaFigures(graph, 1000, 500);
    expect(unknown.unknownOps).toEqual(['LSH_PROJECTION', 'LSH_PROJECTION']);
    expect(unknown.tail).toBe(known.tail + 2 * UNKNOWN_OP_TAIL_BYTES);
    expect(unknown.size % 16).toBe(0);
  });
});
