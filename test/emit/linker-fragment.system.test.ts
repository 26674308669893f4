// The linker fragment declares no MEMORY: it places the model and the spill
// region into regions the vendor script declares, after whatever that script
// put there, and its ASSERTs fail the link when they do not fit or the region
// is not the profile's memory. Linked for real with arm-none-eabi-gcc against
// variants of a vendor-style script that also place data in those regions.

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { emitEmbedded } from '../../src/emit/emit-embedded.js';
import { builtinTargetProfile } from '../../src/memory/target-profile.js';
import { optimize } from '../../src/optimize/optimize.js';
import { repoRoot } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp-dir.js';

const example = new Uint8Array(readFileSync(join(repoRoot, 'examples/models/tiny-unet-80x120.tflite')));
const result = optimize(example, { file: 'tiny-unet-80x120.tflite', verify: false });
const an386 = builtinTargetProfile('mps2-an386')!;
const vendor = readFileSync(join(repoRoot, 'test/emit/fixtures/mps2-an386-vendor.ld'), 'utf8');
const work = tempDir('tinyseg-fragment-');
const region = result.report.spill.regionBytes;

const run = (cmd: string, args: string[]): string => execFileSync(cmd, args, { cwd: work, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** Links the fixture firmware with `script` (a vendor script) and the fragment; the linker's output on failure. */
function link(name: string, script: string, fragment = 'tiny_unet_sections.ld'): { ok: boolean; output: string; nm: string } {
  writeFileSync(join(work, `${name}.ld`), script);
  try {
    run('arm-none-eabi-gcc', ['-mcpu=cortex-m4', '-mthumb', '-nostartfiles', '-nostdlib', '-T', `${name}.ld`, '-T', fragment, 'firmware.o', 'model.o', '-o', `${name}.elf`]);
    return { ok: true, output: '', nm: run('arm-none-eabi-nm', [`${name}.elf`]) };
  } catch (e) {
    const err = e as { stderr?: string };
    return { ok: false, output: err.stderr ?? String(e), nm: '' };
  }
}

const symbol = (nm: string, name: string): number => Number.parseInt(new RegExp(`^([0-9a-f]{8}) \\w ${name}$`, 'm').exec(nm)![1]!, 16);

/** The vendor script plus one more output section of `bytes` bytes placed in `memory` (NOLOAD), before the fragment's. */
const withData = (memory: string, bytes: number, at = ''): string =>
  `${vendor}\nSECTIONS\n{\n  .vendor_data ${at}(NOLOAD) :\n  {\n    . += ${bytes};\n  } > ${memory}\n}\n`;

describe('the linker fragment in the vendor\'s memory regions', () => {
  beforeAll(() => {
    for (const [name, text] of Object.entries(emitEmbedded(result, { name: 'tiny_unet', profile: an386, sections: true, storage: 'psram' }))) {
      writeFileSync(join(work, name), text);
    }
    const cflags = ['-mcpu=cortex-m4', '-mthumb', '-Wall', '-Wextra', '-Werror', '-I', '.'];
    run('arm-none-eabi-g++', [...cflags, '-std=c++17', '-c', 'tiny_unet_model.cc', '-o', 'model.o']);
    run('arm-none-eabi-gcc', [...cflags, '-std=c11', '-c', join(repoRoot, 'test/emit/fixtures/firmware.c'), '-o', 'firmware.o']);
  }, 60_000);

  it('declares no MEMORY and places into the named regions', () => {
    const ld = readFileSync(join(work, 'tiny_unet_sections.ld'), 'utf8');
    expect(ld).not.toMatch(/^\s*MEMORY\b/m);
    expect(ld).toMatch(/\.tinyseg\.model\.tiny_unet : ALIGN\(16\)\s*\{\s*KEEP\(\*\(\.tinyseg\.model\.tiny_unet\)\)\s*\} > EXTFLASH/);
    expect(ld).toMatch(/\.tinyseg\.spill\.tiny_unet \(NOLOAD\)[^}]*\} > PSRAM/);
  });

  it('puts the spill region after data the vendor script placed in the same region, not on top of it', () => {
    const r = link('shared', withData('PSRAM', 4096));
    expect(r.output).toBe('');
    expect(symbol(r.nm, '__tinyseg_tiny_unet_spill_start')).toBe(an386.psram!.base + 4096);
    expect(symbol(r.nm, '__tinyseg_tiny_unet_spill_end')).toBe(an386.psram!.base + 4096 + region);
  });

  it('fails the link with the ASSERT when the vendor\'s data leaves too little of the region', () => {
    // The vendor fills PSRAM but for 1 KB: the spill region would run past its end, over whatever follows.
    const r = link('full', withData('PSRAM', an386.psram!.size - 1024));
    expect(r.ok).toBe(false);
    expect(r.output).toContain(`tinyseg: the spill region of tiny_unet (${region} bytes) does not fit what is left of memory region PSRAM`);
  });

  it('fails the link with the ASSERT when the model does not fit what the vendor left of its flash region', () => {
    const r = link('flash-full', withData('EXTFLASH', an386.flash!.size - 4096));
    expect(r.ok).toBe(false);
    expect(r.output).toContain(`tinyseg: tiny_unet_model (${result.bytes.length} bytes) does not fit what is left of memory region EXTFLASH`);
  });

  it('fails the link with the ASSERT when the named region is not the profile\'s memory', () => {
    // A board script whose PSRAM is somewhere else: the header's figures and the region would disagree.
    const r = link('elsewhere', vendor.replace('PSRAM (rw) : ORIGIN = 0x21000000', 'PSRAM (rw) : ORIGIN = 0x60000000'));
    expect(r.ok).toBe(false);
    expect(r.output).toContain("tinyseg: the spill region of tiny_unet lies outside the profile's external RAM (0x21000000..0x21FFFFFF): memory region PSRAM is not that memory");
  });

  it('takes the spill region\'s MEMORY region from the caller', () => {
    const files = emitEmbedded(result, { name: 'tiny_unet', profile: an386, sections: true, storage: 'psram', spillRegion: 'SPILL' });
    writeFileSync(join(work, 'named_sections.ld'), files['tiny_unet_sections.ld']!);
    // The board gives TinySeg the upper half of its PSRAM as a region of its own.
    const script = vendor.replace('PSRAM (rw) : ORIGIN = 0x21000000, LENGTH = 16M', 'PSRAM (rw) : ORIGIN = 0x21000000, LENGTH = 8M\n  SPILL (rw) : ORIGIN = 0x21800000, LENGTH = 8M');
    const r = link('named', script, 'named_sections.ld');
    expect(r.output).toBe('');
    expect(symbol(r.nm, '__tinyseg_tiny_unet_spill_start')).toBe(0x21800000);
    expect(() => emitEmbedded(result, { profile: an386, spillRegion: 'PS RAM' })).toThrow(/not a linker MEMORY region name/);
  });
});
