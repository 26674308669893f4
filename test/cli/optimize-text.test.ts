// What `tinyseg optimize` prints for a newcomer: one arena figure to allocate
// (the emitted header's), where every file went, no line about a pass that did
// nothing or a spill's "x -> x", short names for the tensors passes derived,
// and one line with --quiet.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderOptimizeText } from '../../src/optimize/optimize-text.js';
import { optimize, type OptimizeReport } from '../../src/optimize/optimize.js';
import { tensorLabel, tensorRoles } from '../../src/report/tensor-label.js';
import { inProcessCli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/paths.js';

const example = join(repoRoot, 'examples', 'models', 'tiny-unet-80x120.tflite');
const { scratch, tinyseg } = inProcessCli('tinyseg-optimize-text-');

/** The <NAME>_ARENA_SIZE the emitted header defines. */
function headerArenaSize(header: string, macro: string): number {
  const m = new RegExp(`#define ${macro}_ARENA_SIZE (0x[0-9A-Fa-f]+|\\d+)u`).exec(readFileSync(header, 'utf8'));
  if (!m) throw new Error(`${header}: no ${macro}_ARENA_SIZE`);
  return Number(m[1]);
}

describe('tinyseg optimize text', () => {
  it('says once what to allocate, the header figure, and where every file went', async () => {
    const out = join(scratch, 'out');
    const fw = join(out, 'fw');
    const svg = join(out, 'timeline.svg');
    const r = await tinyseg('optimize', example, '-o', out, '--emit', fw, '--name', 'seg', '--svg', svg, '--no-verify');
    expect(r.code).toBe(0);
    const allocate = r.stdout.split('\n').filter((l) => /allocate [\d,]+/i.test(l));
    expect(allocate).toHaveLength(1);
    const m = /Allocate ([\d,]+) bytes for the tensor arena: SEG_ARENA_SIZE in (\S+)$/.exec(allocate[0]!.trim());
    expect(m).not.toBeNull();
    const n = Number(m![1]!.replace(/,/g, ''));
    expect(m![2]).toBe(join(fw, 'seg_arena.h'));
    expect(n).toBe(headerArenaSize(join(fw, 'seg_arena.h'), 'SEG'));
    const plan = JSON.parse(readFileSync(join(out, 'tiny-unet-80x120.plan.json'), 'utf8')) as OptimizeReport;
    expect(plan.after.arenaSize).toBe(n);
    // Above arena_used_bytes(): what AllocateTensors() needs on the way.
    expect(n).toBeGreaterThanOrEqual(plan.after.total);

    // The files, listed after "Wrote", each exists; the report ends with them, not with a cache path.
    const wrote = r.stdout.slice(r.stdout.indexOf('\nWrote\n') + 7).trim().split('\n').map((l) => l.trim().split(/\s{2,}/));
    const paths = wrote.map(([p]) => p!);
    for (const f of [join(out, 'tiny-unet-80x120.tflite'), join(out, 'tiny-unet-80x120.plan.json'), join(fw, 'seg_arena.h'), svg]) expect(paths).toContain(f);
    for (const [p, what] of wrote) {
      expect(existsSync(p!), p).toBe(true);
      expect(what, p).toBeTruthy();
    }
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/timeline\.svg\s+before\/after memory chart/);
    expect(r.stdout).toMatch(/^cache miss: result stored in /m);

    // A pass that did nothing gets no line; "head" and "tail" are said what they are.
    expect(r.stdout).not.toMatch(/: 0 \(/);
    expect(r.stdout).toMatch(/^ {2}head .*activations and kernel scratch/m);
    expect(r.stdout).toMatch(/^ {2}tail .*persistent runtime data/m);

    const hit = await tinyseg('optimize', example, '-o', out, '--emit', fw, '--name', 'seg', '--svg', svg, '--no-verify');
    expect(hit.stdout).toMatch(/^cache hit: the optimizer did not run \(result from .*\.entry\)$/m);
    expect(hit.stdout.replace(/^cache .*\n/m, '')).toBe(r.stdout.replace(/^cache .*\n/m, ''));
  });

  it('prints one line with --quiet', async () => {
    const out = join(scratch, 'quiet');
    const full = await tinyseg('optimize', example, '-o', out, '--no-verify');
    expect(full.stdout).toMatch(/^ {2}Allocate [\d,]+ bytes for the tensor arena \(--emit writes it as <NAME>_ARENA_SIZE\)$/m);
    const r = await tinyseg('optimize', example, '-o', out, '--no-verify', '--quiet');
    expect(r.code).toBe(0);
    const plan = JSON.parse(readFileSync(join(out, 'tiny-unet-80x120.plan.json'), 'utf8')) as OptimizeReport;
    const size = plan.after.arenaSize.toLocaleString('en-US');
    expect(r.stdout).toMatch(new RegExp(`^tinyseg: \\S+tiny-unet-80x120\\.tflite: allocate ${size} B, head [\\d,]+ B -> [\\d,]+ B \\([\\d.]+% less\\), not verified, wrote ${out}, cache hit\\n$`));
  });
});

describe('derived tensor names', () => {
  it('show the model tensor and its roles; the model\'s own names are kept', () => {
    expect(tensorLabel('input.41_te_transform_1_band0_resident_resident_resident')).toBe('input.41_te_transform_1 [band 0, resident part]');
    expect(tensorLabel('input.25_te_transform_1_band2_band0')).toBe('input.25_te_transform_1 [band 2.0]');
    expect(tensorLabel('conv_5_fetched_1')).toBe('conv_5 [fetched]');
    expect(tensorLabel('up_56_blocks')).toBe('up_56 [blocks]');
    expect(tensorLabel('input.23_te_transform_1_te_transform_2')).toBe('input.23_te_transform_1_te_transform_2');
    // A model's tensor that happens to be called like a role is not cut to nothing.
    expect(tensorRoles('_band0')).toEqual({ base: '_band0', roles: [] });
  });

  it('are what the text shows, and a spill that left the peak where it was says so', () => {
    // Cold-range spills (a streamed tensor's line says it is streamed instead of its peaks).
    const base = optimize(new Uint8Array(readFileSync(example)), { file: 'tiny-unet.tflite', verify: false, streamLayers: false }).report;
    const d = base.spill.decisions[0]!;
    const report: OptimizeReport = {
      ...base,
      spill: {
        ...base.spill,
        decisions: [
          { ...d, tensor: 'input.41_band0_resident_resident', peakBefore: 504_192, peakAfter: 504_192 },
          { ...d, tensor: 'input.9_band1', peakBefore: 504_192, peakAfter: 504_176 },
        ],
      },
    };
    const text = renderOptimizeText(report);
    expect(text).toContain('    input.41 [band 0, resident part]: ');
    expect(text).toContain('; peak unchanged, at fewer operators\n');
    expect(text).toContain('    input.9 [band 1]: ');
    expect(text).toContain('; peak 504,192 B -> 504,176 B\n');
    expect(text).not.toMatch(/peak ([\d.,]+ \S+) -> \1\b/);
    expect(text).not.toContain('_resident');
  });
});

describe('tinyseg optimize --svg from the cache', () => {
  it('draws on a hit what it drew on the miss, for the kernels the result was planned for', async () => {
    const svgs: string[] = [];
    for (const run of ['miss', 'hit']) {
      const out = join(scratch, `svg-${run}`);
      const svg = join(out, 'timeline.svg');
      const r = await tinyseg('optimize', example, '-o', out, '--svg', svg, '--kernels', 'cmsis-nn', '--target', 'mps3-an547', '--no-verify', '--quiet');
      expect(r.code).toBe(0);
      expect(r.stdout.includes('cache hit')).toBe(run === 'hit');
      svgs.push(readFileSync(svg, 'utf8'));
    }
    expect(svgs[1]).toBe(svgs[0]);
  });
});
