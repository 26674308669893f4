// tinyseg optimize --emit: the files land in the directory, from a computed
// result and from a cache hit (which has no graph) alike; bad emit options are
// usage errors that write nothing.

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inProcessCli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/paths.js';
import { DEFAULT_TARGET } from '../../src/defaults.js';

const example = join(repoRoot, 'examples/models/tiny-unet-80x120.tflite');
const { scratch, tinyseg } = inProcessCli('tinyseg-cli-emit-');

describe('tinyseg optimize --emit', () => {
  it('writes the embedded files, the same on a cache miss and a cache hit', async () => {
    const runs: Record<string, string>[] = [];
    for (const run of ['miss', 'hit']) {
      const dir = join(scratch, run);
      const r = await tinyseg('optimize', example, '-o', join(dir, 'out'), '--no-verify', '--emit', join(dir, 'fw'), '--target', 'mps2-an500', '--sections');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`cache ${run}`);
      const files = readdirSync(join(dir, 'fw')).sort();
      expect(files).toEqual([
        'tiny_unet_80x120_arena.h',
        'tiny_unet_80x120_model.cc',
        'tiny_unet_80x120_model.h',
        'tiny_unet_80x120_resolver.h',
        'tiny_unet_80x120_sections.ld',
        'tiny_unet_80x120_tinyseg.c',
        'tiny_unet_80x120_tinyseg.h',
        'tinyseg_runtime.c',
        'tinyseg_runtime.h',
        'tinyseg_tflm_kernels.cc',
        'tinyseg_tflm_kernels.h',
      ]);
      runs.push(Object.fromEntries(files.map((f) => [f, readFileSync(join(dir, 'fw', f), 'utf8')])));
    }
    expect(runs[1]).toEqual(runs[0]);
    // No MEMORY of its own: the spill region goes into the vendor's PSRAM region, checked against the profile's range.
    expect(runs[0]!['tiny_unet_80x120_sections.ld']).not.toMatch(/^\s*MEMORY|ORIGIN =/m);
    expect(runs[0]!['tiny_unet_80x120_sections.ld']).toContain('} > PSRAM');
    expect(runs[0]!['tiny_unet_80x120_sections.ld']).toContain('__tinyseg_tiny_unet_80x120_spill_start >= 0x60000000');
  });

  it('without --target optimizes for the default target it emits for: its kernels, and its external RAM for the region', async () => {
    const dir = join(scratch, 'implied');
    const r = await tinyseg('optimize', example, '-o', join(dir, 'out'), '--no-verify', '--no-cache', '--emit', join(dir, 'fw'), '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { kernels: string; storage: { target: string; storage: string } | null };
    // mps2-an386 (Cortex-M4: CMSIS-NN by default), whose PSRAM the report plans the spill region on.
    expect(report.kernels).toBe('cmsis-nn');
    expect(report.storage).toMatchObject({ target: DEFAULT_TARGET, storage: 'psram' });
  });

  it('takes a profile file and a name', async () => {
    const profile = join(scratch, 'board.json');
    writeFileSync(profile, JSON.stringify({ name: 'board', cpu: 'cortex-m33', sram: { size: 1 << 20 }, psram: { base: '0x70000000', size: '0x00400000', bytesPerSecond: 1e8 } }));
    const emit = ['--emit', join(scratch, 'p', 'fw'), '--target', profile, '--name', 'seg', '--spill-region', 'SDRAM1'];
    const r = await tinyseg('optimize', example, '-o', join(scratch, 'p', 'out'), '--no-verify', ...emit);
    expect(r.stderr).toBe('');
    expect(readdirSync(join(scratch, 'p', 'fw'))).toContain('seg_sections.ld');
    const ld = readFileSync(join(scratch, 'p', 'fw', 'seg_sections.ld'), 'utf8');
    expect(ld).toContain('} > SDRAM1');
    expect(ld).toContain('__tinyseg_seg_spill_end - 1 <= 0x703FFFFF');
  });

  it('rejects a bad profile, storage or a stray emit option with a usage error and writes nothing', async () => {
    const bad = join(scratch, 'bad.json');
    writeFileSync(bad, JSON.stringify({ name: 'b', cpu: 'cortex-m4', sram: { size: 1024, speed: 3 } }));
    const cases: [string[], RegExp][] = [
      [['--emit', join(scratch, 'x', 'fw'), '--target', bad], /bad\.json: target profile: unknown key 'sram\.speed'/],
      [['--emit', join(scratch, 'x', 'fw'), '--target', join(scratch, 'none.json')], /none\.json: cannot read target profile: no such file, and not a built-in target/],
      [['--emit', join(scratch, 'x', 'fw'), '--storage', 'tape'], /--storage must be one of psram, flash, internal-flash, remote, got 'tape'/],
      [['--sections'], /--sections needs --emit <dir>/],
      [['--spill-region', 'PSRAM'], /--spill-region needs --emit <dir>/],
      [['--emit', join(scratch, 'x', 'fw'), '--spill-region', 'PS RAM'], /--spill-region must be a linker MEMORY region name/],
      [['--emit', join(scratch, 'x', 'fw'), '--spill-region', 'ORIGIN'], /--spill-region must be a linker MEMORY region name/],
    ];
    for (const [extra, message] of cases) {
      const r = await tinyseg('optimize', example, '-o', join(scratch, 'x', 'out'), '--no-verify', ...extra);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(existsSync(join(scratch, 'x'))).toBe(false);
  });
});
