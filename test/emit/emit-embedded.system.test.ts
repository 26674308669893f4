// The embedded build files of the optimized Tiny U-Net, checked with the real
// toolchains: the model source compiles for the host and for Cortex-M4/M7 with
// -Wall -Wextra -Werror, and a bare-metal ELF linked with a vendor-style script
// plus the emitted fragment has the model at the profile's flash address and a
// NOLOAD spill region of the right size at its PSRAM address.

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emitEmbedded } from '../../src/emit/emit-embedded.js';
import { builtinTargetProfile } from '../../src/memory/target-profile.js';
import { optimize } from '../../src/optimize/optimize.js';
import { repoRoot } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp-dir.js';

const example = new Uint8Array(readFileSync(join(repoRoot, 'examples/models/tiny-unet-80x120.tflite')));
const result = optimize(example, { file: 'tiny-unet-80x120.tflite', verify: false });
// Planned for spills to flash: no streamed layers, whose traffic would wear it (optimize()).
const forFlash = optimize(example, { file: 'tiny-unet-80x120.tflite', verify: false, storage: 'flash' });
const an386 = builtinTargetProfile('mps2-an386')!;
const fixtures = join(repoRoot, 'test/emit/fixtures');

const work = tempDir('tinyseg-emit-');

function writeAll(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
}

const run = (cmd: string, args: string[]): string => execFileSync(cmd, args, { cwd: work, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('emitEmbedded on the Tiny U-Net, compiled and linked', () => {
  writeAll(work, emitEmbedded(result, { name: 'tiny_unet', profile: an386, sections: true, storage: 'psram' }));

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
    writeAll(dir, emitEmbedded(forFlash, { name: 'tiny_unet', profile: an386, sections: true, storage }));
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
    expect(start).toBeGreaterThanOrEqual(an386.flash!.base + forFlash.bytes.length);
    expect(at('__tinyseg_tiny_unet_spill_end')).toBe(an386.flash!.base + an386.flash!.size);
    expect(at('__tinyseg_tiny_unet_spill_end') - start).toBeGreaterThanOrEqual(Math.ceil(forFlash.report.spill.bytesOut / sector) * sector + 2 * sector);
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
});
