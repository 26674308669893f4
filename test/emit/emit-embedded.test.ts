// The embedded build files of the optimized Tiny U-Net, checked with the real
// toolchains: the model source compiles for the host and for Cortex-M4/M7 with
// -Wall -Wextra -Werror, and a bare-metal ELF linked with a vendor-style script
// plus the emitted fragment has the model at the profile's flash address and a
// NOLOAD spill region of the right size at its PSRAM address.

import { REFERENCE_KERNELS } from '../../src/ops/registry.js';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { arenaFigures, UNKNOWN_OP_TAIL_BYTES } from '../../src/emit/arena-header.js';
import { emitEmbedded } from '../../src/emit/emit-embedded.js';
import { loadGraph } from '../../src/graph/graph.js';
import { builtinTargetProfile } from '../../src/memory/target-profile.js';
import { optimize } from '../../src/optimize/optimize.js';
import { repoRoot } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp-dir.js';
import { minimalArena } from '../../src/tflm/allocate-tensors.js';

const example = new Uint8Array(readFileSync(join(repoRoot, 'examples/models/tiny-unet-80x120.tflite')));
const result = optimize(example, { file: 'tiny-unet-80x120.tflite', verify: false });
const an386 = builtinTargetProfile('mps2-an386')!;
const fixtures = join(repoRoot, 'test/emit/fixtures');

const work = tempDir('tinyseg-emit-');

function writeAll(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
}

const run = (cmd: string, args: string[]): string => execFileSync(cmd, args, { cwd: work, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('emitEmbedded on the Tiny U-Net', () => {
  const files = emitEmbedded(result, { name: 'tiny_unet', profile: an386, sections: true, storage: 'psram' });
  writeAll(work, files);

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

  it('compiles the model source with host g++ -Wall -Wextra -Werror', () => {
    run('g++', ['-std=c++17', '-Wall', '-Wextra', '-Werror', '-c', 'tiny_unet_model.cc', '-o', 'host.o']);
    expect(run('nm', ['host.o'])).toMatch(/ R tiny_unet_model$/m);
  });

  for (const cpu of ['cortex-m4', 'cortex-m7']) {
    it(`compiles the model source with arm-none-eabi-g++ -mcpu=${cpu}`, () => {
      run('arm-none-eabi-g++', [`-mcpu=${cpu}`, '-mthumb', '-std=c++17', '-Wall', '-Wextra', '-Werror', '-c', 'tiny_unet_model.cc', '-o', `${cpu}.o`]);
      const sections = run('arm-none-eabi-objdump', ['-h', `${cpu}.o`]);
      expect(sections).toMatch(/\.tinyseg\.model\.tiny_unet/);
      // The C-linkage name, so C code can reference the array.
      expect(run('arm-none-eabi-nm', [`${cpu}.o`])).toMatch(/ R tiny_unet_model$/m);
    });
  }

  it('compiles the headers from C (arena.h and model.h)', () => {
    writeFileSync(join(work, 'use-headers.c'), '#include "tiny_unet_arena.h"\n#include "tiny_unet_model.h"\nunsigned int arena_size(void) { return TINY_UNET_ARENA_SIZE + TINY_UNET_SPILL_REGION_SIZE + tiny_unet_model_len; }\n');
    for (const std of ['c99', 'c11']) run('gcc', [`-std=${std}`, '-Wall', '-Wextra', '-Werror', '-pedantic', '-c', 'use-headers.c', '-o', `use-headers-${std}.o`]);
    run('arm-none-eabi-gcc', ['-mcpu=cortex-m4', '-mthumb', '-std=c11', '-Wall', '-Wextra', '-Werror', '-c', 'use-headers.c', '-o', 'use-headers-arm.o']);
  });

  it('links a bare-metal ELF: model at the flash address, spill region NOLOAD at the PSRAM address', () => {
    const cflags = ['-mcpu=cortex-m4', '-mthumb', '-Wall', '-Wextra', '-Werror', '-ffunction-sections', '-fdata-sections'];
    run('arm-none-eabi-g++', [...cflags, '-std=c++17', '-c', 'tiny_unet_model.cc', '-o', 'model.o']);
    run('arm-none-eabi-gcc', [...cflags, '-std=c11', '-I', '.', '-c', join(fixtures, 'firmware.c'), '-o', 'firmware.o']);
    run('arm-none-eabi-gcc', [
      '-mcpu=cortex-m4', '-mthumb', '-nostartfiles', '-nostdlib', '-Wl,--gc-sections',
      '-T', join(fixtures, 'mps2-an386-vendor.ld'), '-T', 'tiny_unet_sections.ld',
      'firmware.o', 'model.o', '-o', 'fw.elf',
    ]);
    const nm = run('arm-none-eabi-nm', ['fw.elf']);
    const symbol = (name: string): number => {
      const m = new RegExp(`^([0-9a-f]{8}) \\w ${name}$`, 'm').exec(nm);
      expect(m, name).not.toBeNull();
      return Number.parseInt(m![1]!, 16);
    };
    expect(symbol('tiny_unet_model')).toBe(an386.flash!.base);
    expect(symbol('__tinyseg_tiny_unet_spill_start')).toBe(an386.psram!.base);
    expect(symbol('__tinyseg_tiny_unet_spill_end') - symbol('__tinyseg_tiny_unet_spill_start')).toBe(result.report.spill.regionBytes);

    const headers = run('arm-none-eabi-objdump', ['-h', 'fw.elf']);
    const section = (name: string): { size: number; vma: number; flags: string } => {
      const m = new RegExp(`^\\s*\\d+\\s+${name.replace(/\./g, '\\.')}\\s+([0-9a-f]+)\\s+([0-9a-f]+)\\s+[0-9a-f]+\\s+[0-9a-f]+\\s+\\S+\\n\\s*(.*)$`, 'm').exec(headers);
      expect(m, `${name} in\n${headers}`).not.toBeNull();
      return { size: Number.parseInt(m![1]!, 16), vma: Number.parseInt(m![2]!, 16), flags: m![3]! };
    };
    const model = section('.tinyseg.model.tiny_unet');
    expect(model).toMatchObject({ vma: an386.flash!.base, size: result.bytes.length });
    expect(model.flags).toMatch(/\bLOAD\b/);
    const spill = section('.tinyseg.spill.tiny_unet');
    expect(spill).toMatchObject({ vma: an386.psram!.base, size: result.report.spill.regionBytes });
    expect(spill.flags).toBe('ALLOC');
  });

  /** Emits with sections and `storage`, links the Cortex-M4 fixture firmware with the fragment; symbol addresses from nm. */
  function linkWithFragment(storage: 'flash' | 'internal-flash'): { dir: string; at: (symbol: string) => number } {
    const dir = join(work, storage);
    execFileSync('mkdir', ['-p', dir]);
    writeAll(dir, emitEmbedded(result, { name: 'tiny_unet', profile: an386, sections: true, storage }));
    const cflags = ['-mcpu=cortex-m4', '-mthumb', '-Wall', '-Wextra', '-Werror'];
    const inDir = (cmd: string, args: string[]) => execFileSync(cmd, args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    inDir('arm-none-eabi-g++', [...cflags, '-std=c++17', '-c', 'tiny_unet_model.cc', '-o', 'model.o']);
    inDir('arm-none-eabi-gcc', [...cflags, '-std=c11', '-I', '.', '-c', join(fixtures, 'firmware.c'), '-o', 'firmware.o']);
    inDir('arm-none-eabi-gcc', ['-mcpu=cortex-m4', '-mthumb', '-nostartfiles', '-nostdlib', '-T', join(fixtures, 'mps2-an386-vendor.ld'), '-T', 'tiny_unet_sections.ld', 'firmware.o', 'model.o', '-o', 'fw.elf']);
    const nm = inDir('arm-none-eabi-nm', ['fw.elf']);
    return { dir, at: (name: string) => Number.parseInt(new RegExp(`^([0-9a-f]{8}) \\w ${name}$`, 'm').exec(nm)![1]!, 16) };
  }

  it('reserves all flash after the model, in whole sectors, as the wear-levelling area with --storage flash', () => {
    const { dir, at } = linkWithFragment('flash');
    const sector = an386.flash!.sectorBytes;
    const start = at('__tinyseg_tiny_unet_spill_start');
    expect(at('tiny_unet_model')).toBe(an386.flash!.base);
    expect(start % sector).toBe(0);
    expect(start).toBeGreaterThanOrEqual(an386.flash!.base + result.bytes.length);
    expect(at('__tinyseg_tiny_unet_spill_end')).toBe(an386.flash!.base + an386.flash!.size);
    expect(at('__tinyseg_tiny_unet_spill_end') - start).toBeGreaterThanOrEqual(Math.ceil(result.report.spill.bytesOut / sector) * sector + 2 * sector);
    expect(readFileSync(join(dir, 'tiny_unet_arena.h'), 'utf8')).toMatch(/Spill storage: NOR flash at 0x00200000[\s\S]*wear levelling: spills rotate through all \d+ sectors[\s\S]*endurance: 100000 cycles per sector, so about \d+ inferences/);
  });

  it('puts the wear-levelling area in the on-chip flash the profile sets aside with --storage internal-flash', () => {
    const { dir, at } = linkWithFragment('internal-flash');
    const f = an386.internalFlash!;
    expect(at('tiny_unet_model')).toBe(an386.flash!.base);
    expect(at('__tinyseg_tiny_unet_spill_start')).toBe(f.base);
    expect(at('__tinyseg_tiny_unet_spill_end')).toBe(f.base + f.size);
    expect(readFileSync(join(dir, 'tiny_unet_arena.h'), 'utf8')).toMatch(/Spill storage: on-chip flash at 0x00380000[\s\S]*endurance: 10000 cycles per sector/);
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
    expect(() => emitEmbedded(result, { profile: small })).toThrow(/the spill region \(76800 bytes\) does not fit mps2-an386's external RAM \(1024 bytes\)/);
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
