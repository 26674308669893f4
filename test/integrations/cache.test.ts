// The optimize cache on the bundled Tiny U-Net: keys, hits, corrupt entries,
// racing processes, the size cap, and `tinyseg cache info|clean`.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { optimize } from '../../src/optimize/optimize.js';
import { resolveCacheDir } from '../../src/integrations/cache/dir.js';
import { decodeEntry, encodeEntry, ENTRY_HEADER_BYTES } from '../../src/integrations/cache/entry.js';
import { cacheKey, canonicalOptions } from '../../src/integrations/cache/key.js';
import { cacheStats, listEntries, pruneCache } from '../../src/integrations/cache/store.js';
import { cacheInfo, clearCache, optimizeCached } from '../../src/integrations/cache/optimize-cached.js';
import { repoRoot } from '../helpers/paths.js';
import { tempDir, testTempDir } from '../helpers/temp-dir.js';

const example = join(repoRoot, 'examples', 'models', 'tiny-unet-80x120.tflite');
const model = new Uint8Array(readFileSync(example));
const scratch = tempDir('tinyseg-cache-test-');
let dirs = 0;
const freshDir = () => join(scratch, `c${dirs++}`);
/** A fixed tool version: the in-process tests must not depend on the code fingerprint. */
const V = 'test-version';

describe('cache key', () => {
  it('ignores the file name, defaults and key order; sees every option that changes the result', () => {
    const k = (o: object, v = V) => cacheKey(model, o, v);
    const base = k({});
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(k({ file: 'elsewhere.tflite' })).toBe(base);
    expect(k({ spill: true, verify: { seed: 1, inputs: 3 } })).toBe(base);
    expect(k({ verify: {}, maxSpillBytes: undefined })).toBe(base);
    expect(k({ verify: { seed: 1 }, spill: true })).toBe(base);
    expect(k({ maxOverhead: 5 })).toBe(base);
    const different = [
      k({ spill: false }),
      k({ verify: false }),
      k({ verify: { inputs: 4 } }),
      k({ verify: { seed: 2 } }),
      k({ maxSpillBytes: 0 }),
      k({ arenaBudget: 300_000 }),
      k({ maxOverhead: 1000 }),
      // An option this code does not know (a target profile, later) is part of the key.
      k({ targetProfile: { name: 'cortex-m4', sram: 262144 } }),
      k({}, 'another-version'),
      cacheKey(model.subarray(0, model.length - 1), {}, V),
    ];
    expect(new Set([base, ...different]).size).toBe(different.length + 1);
    expect(k({ targetProfile: { sram: 262144, name: 'cortex-m4' } })).toBe(k({ targetProfile: { name: 'cortex-m4', sram: 262144 } }));
    expect(canonicalOptions({ file: 'x', spill: true })).toBe('{"maxOverhead":5,"spill":true,"verify":{"inputs":3,"seed":1}}');
  });

  it('refuses options that cannot be keyed, naming them', () => {
    expect(() => cacheKey(model, { targetProfile: { pick: () => 1 } } as object, V)).toThrow(/options\.targetProfile\.pick \(a function\) cannot be part of a cache key/);
    expect(() => cacheKey(model, { targetProfile: new Map() } as object, V)).toThrow(/options\.targetProfile \(a Map\)/);
  });
});

describe('cache directory', () => {
  it('prefers the explicit option, then $CACHE_DIR/tinyseg, then the nearest project node_modules/.cache', () => {
    const project = join(scratch, 'project');
    const deep = join(project, 'src', 'models');
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(project, 'package.json'), '{}');
    expect(resolveCacheDir({ cacheDir: 'rel', env: { CACHE_DIR: '/x' } })).toEqual({ dir: join(process.cwd(), 'rel'), source: 'option' });
    expect(resolveCacheDir({ cwd: deep, env: { CACHE_DIR: '/var/cache' } })).toEqual({ dir: '/var/cache/tinyseg', source: 'env' });
    expect(resolveCacheDir({ cwd: deep, env: { CACHE_DIR: 'true' } })).toEqual({ dir: join(project, 'node_modules', '.cache', 'tinyseg'), source: 'project' });
    expect(resolveCacheDir({ cwd: deep, env: {} })).toEqual({ dir: join(project, 'node_modules', '.cache', 'tinyseg'), source: 'project' });
  });

  it('falls back to the temp dir when the project cache cannot be created', () => {
    // A node_modules that is a file: nothing can be created below it (even for root, unlike chmod).
    const project = join(scratch, 'broken-project');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'package.json'), '{}');
    writeFileSync(join(project, 'node_modules'), '');
    expect(resolveCacheDir({ cwd: project, env: {} })).toEqual({ dir: join(tmpdir(), 'tinyseg-cache'), source: 'tmp' });
  });
});

describe('optimizeCached', () => {
  it('misses, then hits with identical bytes and report, also for equivalent options and another file name', async () => {
    const cacheDir = freshDir();
    const first = await optimizeCached(model, {}, { file: 'a.tflite', cacheDir, toolVersion: V });
    expect(first.hit).toBe(false);
    expect(first.computed).toBeDefined();
    expect(first.warnings).toEqual([]);
    expect(first.report.verified).toBe(true);
    expect(existsSync(first.entry)).toBe(true);

    const second = await optimizeCached(model, { spill: true, verify: { inputs: 3, seed: 1 } }, { file: 'a.tflite', cacheDir, toolVersion: V });
    expect(second.hit).toBe(true);
    expect(second.computed).toBeUndefined();
    expect(second.key).toBe(first.key);
    expect(Buffer.from(second.bytes).equals(Buffer.from(first.bytes))).toBe(true);
    expect(second.report).toEqual(first.report);

    const renamed = await optimizeCached(model, {}, { file: 'b.tflite', cacheDir, toolVersion: V });
    expect(renamed.hit).toBe(true);
    expect(renamed.report.model).toBe('b.tflite');
    expect({ ...renamed.report, model: 'a.tflite' }).toEqual(first.report);

    // The defaults assumed by the key are optimize()'s: spelled out, it computes the same.
    const explicit = optimize(model, { file: 'a.tflite', spill: true, verify: { inputs: 3, seed: 1 } });
    expect(explicit.report).toEqual(first.report);
    // One result, and the original's outputs on the proof's inputs (integrations/cache/reference-cache.ts).
    expect(cacheStats(cacheDir, 1 << 30).entries).toBe(2);
  });

  it('deletes a corrupt, truncated, foreign or garbage entry, recomputes the right result and repairs the entry', async () => {
    const cacheDir = freshDir();
    const options = { verify: false as const };
    const good = await optimizeCached(model, options, { cacheDir, toolVersion: V });
    const entryBytes = readFileSync(good.entry);
    const other = encodeEntry('ab'.repeat(32), { model: good.bytes, reportJson: JSON.stringify(good.report) });
    const flipped = Buffer.from(entryBytes);
    flipped[ENTRY_HEADER_BYTES + 1000]! ^= 0x01;
    const badVersion = Buffer.from(entryBytes);
    badVersion.writeUInt32LE(99, 8);
    const damaged: [string, Uint8Array, RegExp][] = [
      ['flipped payload byte', flipped, /payload checksum mismatch/],
      ['truncated', entryBytes.subarray(0, entryBytes.length - 100), /truncated/],
      ['header only, cut', entryBytes.subarray(0, 40), /shorter than the 88-byte header/],
      ['garbage', Buffer.from('not a cache entry at all, just some text that is long enough to pass for a header'.repeat(3)), /bad magic/],
      ['another key', other, /another key/],
      ['future format', badVersion, /format version 99/],
      ['empty', new Uint8Array(0), /0 bytes/],
    ];
    for (const [what, bytes, problem] of damaged) {
      writeFileSync(good.entry, bytes);
      const r = await optimizeCached(model, options, { cacheDir, toolVersion: V });
      expect(r.hit, what).toBe(false);
      expect(r.recovered, what).toMatch(problem);
      expect(r.recovered, what).toContain('corrupt cache entry');
      expect(Buffer.from(r.bytes).equals(Buffer.from(good.bytes)), what).toBe(true);
      expect(r.report, what).toEqual(good.report);
      expect(readFileSync(good.entry).equals(entryBytes), `${what}: entry repaired`).toBe(true);
      const again = await optimizeCached(model, options, { cacheDir, toolVersion: V });
      expect(again.hit, what).toBe(true);
      expect(again.recovered).toBeUndefined();
    }
    // Eight optimizations of the Tiny U-Net.
  }, 120_000);

  it('still returns the result when the entry cannot be written', async () => {
    const blocker = join(scratch, 'a-file');
    writeFileSync(blocker, 'not a directory');
    const r = await optimizeCached(model, { verify: false }, { cacheDir: join(blocker, 'cache'), toolVersion: V });
    expect(r.hit).toBe(false);
    expect(r.report.after.head).toBeLessThan(r.report.before.head);
    expect(r.warnings.join()).toMatch(/cache entry not written/);
  });
});

describe('entry format', () => {
  it('round-trips and checks the key', () => {
    const key = 'cd'.repeat(32);
    const e = encodeEntry(key, { model: new Uint8Array([1, 2, 3]), reportJson: '{"schema":"tinyseg.optimize/1"}' });
    const d = decodeEntry(key, e);
    expect(d.ok && [...d.content.model]).toEqual([1, 2, 3]);
    expect(d.ok && d.content.reportJson).toBe('{"schema":"tinyseg.optimize/1"}');
    expect(decodeEntry('ef'.repeat(32), e)).toEqual({ ok: false, problem: 'entry belongs to another key' });
  });
});

describe('size cap', () => {
  const fakeEntry = (dir: string, i: number, payload: number, mtimeSec: number) => {
    const key = i.toString(16).padStart(64, '0');
    const file = join(dir, `${key}.entry`);
    writeFileSync(file, encodeEntry(key, { model: new Uint8Array(payload), reportJson: '{}' }));
    utimesSync(file, mtimeSec, mtimeSec);
    return file;
  };

  it('prunes least recently used entries first until the total fits, keeping the one just written', () => {
    const dir = freshDir();
    mkdirSync(dir, { recursive: true });
    const size = ENTRY_HEADER_BYTES + 1000 + 2;
    const files = [5, 1, 4, 2, 3].map((t, i) => fakeEntry(dir, i, 1000, 1_700_000_000 + t));
    writeFileSync(join(dir, 'unrelated.txt'), 'not ours');
    // Oldest first: mtimes +1 (files[1]), +2 (files[3]), +3 (files[4]), +4, +5.
    expect(pruneCache(dir, 3 * size)).toEqual({ removed: 2, bytes: 2 * size });
    expect(listEntries(dir).map((e) => e.file).sort()).toEqual([files[0], files[2], files[4]].sort());
    // The entry just written stays even when it is the oldest; the others go.
    expect(pruneCache(dir, 0, files[4])).toEqual({ removed: 2, bytes: 2 * size });
    expect(listEntries(dir).map((e) => e.file)).toEqual([files[4]]);
    expect(existsSync(join(dir, 'unrelated.txt'))).toBe(true);
  });

  it('applies the cap after a miss, and a hit makes an entry recent', async () => {
    const cacheDir = freshDir();
    const r = await optimizeCached(model, { verify: false }, { cacheDir, toolVersion: V });
    // Two real entries fit the cap; with the big fake one they do not.
    const cap = 1_000_000;
    const old = fakeEntry(cacheDir, 1, cap, 1_600_000_000);
    utimesSync(r.entry, 1_500_000_000, 1_500_000_000);
    // A hit touches the real entry, so the fake one is now the least recently
    // used: pruning stops after it. Without the touch the real one would go first.
    expect((await optimizeCached(model, { verify: false }, { cacheDir, toolVersion: V })).hit).toBe(true);
    const other = await optimizeCached(model, { verify: false, spill: false }, { cacheDir, toolVersion: V, maxBytes: cap });
    expect(other.hit).toBe(false);
    const left = listEntries(cacheDir).map((e) => e.file);
    expect(left.sort()).toEqual([r.entry, other.entry].sort());
    expect(left).not.toContain(old);
    expect(cacheInfo({ cacheDir, maxBytes: 123 })).toMatchObject({ dir: cacheDir, entries: 2, maxBytes: 123, source: 'option' });
    expect(clearCache({ cacheDir }).removed).toBe(2);
    expect(readdirSync(cacheDir)).toEqual([]);
  });
});

describe('tinyseg optimize and tinyseg cache (real processes)', () => {
  // Like test/cli: the built CLI (npm test builds first).
  const bin = join(repoRoot, 'bin', 'tinyseg.js');
  const env = (cacheRoot: string, extra: Record<string, string> = {}) => ({ ...process.env, NO_COLOR: '1', CACHE_DIR: cacheRoot, ...extra });
  const run = (cacheRoot: string, args: string[], extra: Record<string, string> = {}) => {
    const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: env(cacheRoot, extra) });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const runAsync = (cacheRoot: string, args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      const p = spawn(process.execPath, [bin, ...args], { env: env(cacheRoot) });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d) => (stdout += d));
      p.stderr.on('data', (d) => (stderr += d));
      p.on('close', (code) => done({ code, stdout, stderr }));
    });

  it('two processes optimizing the same model at once both succeed with identical outputs and leave one valid entry', async () => {
    const cacheRoot = freshDir();
    const [outA, outB, outC] = ['a', 'b', 'c'].map((n) => join(scratch, `race-${dirs}-${n}`)) as [string, string, string];
    const [a, b] = await Promise.all([runAsync(cacheRoot, ['optimize', example, '-o', outA]), runAsync(cacheRoot, ['optimize', example, '-o', outB])]);
    for (const r of [a, b]) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^cache (hit|miss): /m);
    }
    const name = 'tiny-unet-80x120';
    for (const ext of ['.tflite', '.plan.json']) expect(readFileSync(join(outA, name + ext)).equals(readFileSync(join(outB, name + ext)))).toBe(true);
    const dir = join(cacheRoot, 'tinyseg');
    expect(readdirSync(dir).filter((f) => !f.endsWith('.entry'))).toEqual([]);
    // One result and one entry of the original's proof outputs (reference-cache.ts): the result is the one whose key decodes it.
    expect(listEntries(dir)).toHaveLength(2);
    const entry = listEntries(dir).find((e) => decodeEntry(e.file.slice(-70, -6), readFileSync(e.file)).ok && !readFileSync(e.file).includes('tinyseg.proof-reference/1'));
    const key = entry!.file.slice(-70, -6);
    const decoded = decodeEntry(key, readFileSync(entry!.file));
    expect(decoded.ok && Buffer.from(decoded.content.model).equals(readFileSync(join(outA, `${name}.tflite`)))).toBe(true);

    const c = run(cacheRoot, ['optimize', example, '-o', outC]);
    expect(c.code).toBe(0);
    expect(c.stdout).toContain(`cache hit: the optimizer did not run (result from ${entry!.file})`);
    for (const ext of ['.tflite', '.plan.json']) expect(readFileSync(join(outC, name + ext)).equals(readFileSync(join(outA, name + ext)))).toBe(true);
  });

  it('--no-cache neither reads nor writes the cache; a corrupt entry is reported on stderr and replaced', () => {
    const cacheRoot = freshDir();
    const out = join(scratch, `nocache-${dirs}`);
    const r = run(cacheRoot, ['optimize', example, '-o', out, '--no-verify', '--no-cache']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/^cache /m);
    expect(existsSync(join(cacheRoot, 'tinyseg'))).toBe(false);

    expect(run(cacheRoot, ['optimize', example, '-o', out, '--no-verify']).stdout).toContain('cache miss');
    const [entry] = listEntries(join(cacheRoot, 'tinyseg'));
    writeFileSync(entry!.file, 'garbage');
    const again = run(cacheRoot, ['optimize', example, '-o', out, '--no-verify', '--svg', join(out, 't.svg')]);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/^tinyseg: warning: corrupt cache entry .*\.entry: .*; deleted and recomputed\n$/);
    expect(again.stdout).toContain('cache miss');
    const hit = run(cacheRoot, ['optimize', example, '-o', out, '--no-verify', '--svg', join(out, 'hit.svg')]);
    expect(hit.stdout).toContain('cache hit');
    // The chart drawn from a hit is the chart drawn from the computation.
    expect(readFileSync(join(out, 'hit.svg'), 'utf8')).toBe(readFileSync(join(out, 't.svg'), 'utf8'));
  });

  it('cache info shows dir, entries, total and cap; cache clean empties it', () => {
    const cacheRoot = freshDir();
    const dir = join(cacheRoot, 'tinyseg');
    expect(run(cacheRoot, ['optimize', example, '-o', join(scratch, `info-${dirs}`), '--no-verify']).code).toBe(0);
    const size = readFileSync(listEntries(dir)[0]!.file).length;
    const info = run(cacheRoot, ['cache', 'info'], { TINYSEG_CACHE_MAX_BYTES: '1048576' });
    expect(info.code).toBe(0);
    expect(info.stdout).toBe(`dir      ${dir} ($CACHE_DIR)\nentries  1\ntotal    ${size.toLocaleString('en-US')} B\ncap      1,048,576 B\n`);
    expect(JSON.parse(run(cacheRoot, ['cache', 'info', '--json']).stdout)).toEqual({ dir, entries: 1, bytes: size, maxBytes: 256 * 1024 * 1024, source: 'env' });
    const clean = run(cacheRoot, ['cache', 'clean']);
    expect(clean.stdout).toBe(`removed 1 entry (${size.toLocaleString('en-US')} B) from ${dir}\n`);
    expect(run(cacheRoot, ['cache', 'info']).stdout).toContain('entries  0\ntotal    0 B\n');
    const bad = run(cacheRoot, ['cache', 'purge']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("cache takes 'info' or 'clean', got 'purge'");
    expect(run(cacheRoot, ['cache', 'info'], { TINYSEG_CACHE_MAX_BYTES: 'lots' }).stderr).toContain("TINYSEG_CACHE_MAX_BYTES must be a whole number of bytes, got 'lots'");
  });
});

describe('the code fingerprint in the cache key', () => {
  it('is read from the stored file while the modules are unchanged, and hashed again when one changes', async () => {
    const { codeFingerprint, writeFingerprint } = await import('../../src/integrations/cache/tool-version.js');
    const root = testTempDir('tinyseg-fingerprint-');
    writeFileSync(join(root, 'a.js'), 'export const a = 1;\n');
    const fresh = codeFingerprint(root);
    writeFingerprint(root);
    expect(codeFingerprint(root)).toBe(fresh);
    // Same size, new content and mtime: the stored hash no longer applies.
    writeFileSync(join(root, 'a.js'), 'export const a = 2;\n');
    utimesSync(join(root, 'a.js'), new Date(), new Date(Date.now() + 5000));
    expect(codeFingerprint(root)).not.toBe(fresh);
  });
});
