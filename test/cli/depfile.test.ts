// tinyseg optimize --depfile: the Make-style rule build systems read, its
// prerequisites (model, profile file, TinySeg itself) and path escaping.

import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { depfilePath, renderDepfile } from '../../src/integrations/cli/depfile.js';
import { inProcessCli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/paths.js';

const example = join(repoRoot, 'examples/models/tiny-unet-80x120.tflite');
const { scratch, tinyseg } = inProcessCli('tinyseg-depfile-');

/** The rule of a depfile as Make reads it: target and prerequisites, escapes undone. */
function parseDepfile(text: string): { target: string; deps: string[] } {
  const words: string[] = [];
  let word = '';
  const src = text.replace(/\\\n/g, ' ');
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      let n = 0;
      while (src[i + n] === '\\') n++;
      const next = src[i + n];
      if (next === ' ' || next === '#') {
        word += '\\'.repeat(Math.floor(n / 2)) + (n % 2 === 1 ? next : '');
        if (n % 2 === 1) i += n;
        else i += n - 1;
      } else {
        word += '\\'.repeat(n);
        i += n - 1;
      }
    } else if (c === '$' && src[i + 1] === '$') {
      word += '$';
      i++;
    } else if (/\s/.test(c)) {
      if (word) words.push(word);
      word = '';
    } else word += c;
  }
  if (word) words.push(word);
  const [first, ...deps] = words;
  expect(first!.endsWith(':')).toBe(true);
  return { target: first!.slice(0, -1), deps };
}

describe('depfile text', () => {
  it('escapes spaces, # and $ as GCC does and refuses line breaks', () => {
    expect(depfilePath('/a b/c#d$e')).toBe('/a\\ b/c\\#d$$e');
    expect(depfilePath('/x\\ y')).toBe('/x\\\\\\ y');
    expect(() => depfilePath('/a\nb')).toThrow(/line break/);
    const text = renderDepfile('/out/m.tflite', ['/in/m.tflite', '/in/m.tflite', '/in/b c.json']);
    expect(text).toBe('/out/m.tflite: \\\n  /in/m.tflite \\\n  /in/b\\ c.json\n');
    expect(parseDepfile(text)).toEqual({ target: '/out/m.tflite', deps: ['/in/m.tflite', '/in/b c.json'] });
  });
});

describe('tinyseg optimize --depfile', () => {
  it('names the optimized model as target and the model, the profile file and TinySeg as prerequisites', async () => {
    const dir = join(scratch, 'dir with space#1');
    mkdirSync(dir, { recursive: true });
    const model = join(dir, 'seg model.tflite');
    copyFileSync(example, model);
    const profile = join(dir, 'board.json');
    writeFileSync(profile, JSON.stringify({ name: 'board', cpu: 'cortex-m4', sram: { size: 1 << 22 }, psram: { base: '0x21000000', size: '0x01000000', bytesPerSecond: 5e7 } }));
    const depfile = join(dir, 'out', 'seg.d');
    const r = await tinyseg('optimize', model, '-o', join(dir, 'out'), '--no-verify', '--emit', join(dir, 'fw'), '--target', profile, '--depfile', depfile);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rule = parseDepfile(readFileSync(depfile, 'utf8'));
    expect(rule.target).toBe(join(dir, 'out', 'seg model.tflite'));
    expect(rule.deps).toEqual([model, profile, join(repoRoot, 'package.json'), join(repoRoot, 'src/integrations/cli.ts')]);
  });

  it('leaves a built-in target out, and writes nothing when the command fails', async () => {
    const depfile = join(scratch, 'builtin.d');
    const r = await tinyseg('optimize', example, '-o', join(scratch, 'b'), '--no-verify', '--emit', join(scratch, 'b-fw'), '--target', 'mps2-an500', '--depfile', depfile);
    expect(r.code).toBe(0);
    expect(parseDepfile(readFileSync(depfile, 'utf8')).deps).toEqual([example, join(repoRoot, 'package.json'), join(repoRoot, 'src/integrations/cli.ts')]);

    const failed = join(scratch, 'failed.d');
    const bad = await tinyseg('optimize', example, '-o', join(scratch, 'f'), '--no-verify', '--arena-budget', '16', '--depfile', failed);
    expect(bad.code).toBe(1);
    expect(() => readFileSync(failed)).toThrow(/ENOENT/);
  });

  it('with --stamp: names the stamp as target, touches it last and leaves unchanged outputs alone', async () => {
    const out = join(scratch, 'stamped');
    const stamp = join(out, 'seg.stamp');
    const depfile = join(out, 'seg.d');
    const args = ['optimize', example, '-o', out, '--no-verify', '--emit', out, '--depfile', depfile, '--stamp', stamp];
    expect((await tinyseg(...args)).code).toBe(0);
    expect(parseDepfile(readFileSync(depfile, 'utf8')).target).toBe(stamp);
    // Every output an hour old: a second run with the same bytes keeps them so, and the stamp is new.
    const outputs = readdirSync(out).filter((f) => !f.endsWith('.stamp') && !f.endsWith('.d')).map((f) => join(out, f));
    expect(outputs.length).toBeGreaterThan(5);
    const hourAgo = new Date(Date.now() - 3_600_000);
    for (const f of [...outputs, stamp]) utimesSync(f, hourAgo, hourAgo);
    expect((await tinyseg(...args)).code).toBe(0);
    for (const f of outputs) expect(Math.abs(statSync(f).mtimeMs - hourAgo.getTime()), f).toBeLessThan(1);
    expect(statSync(stamp).mtimeMs).toBeGreaterThan(hourAgo.getTime() + 3_000_000);
    expect(statSync(stamp).mtimeMs).toBeGreaterThanOrEqual(statSync(depfile).mtimeMs);
  });
});
