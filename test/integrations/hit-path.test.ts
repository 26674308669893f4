// What keeps a whole `tinyseg optimize` on a cache hit fast: the modules it
// loads, the stored code fingerprint, and output written without creating the
// stdout stream (docs/cache.md; bench/integrations.js times it).

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { codeFingerprint, writeFingerprint } from '../../src/integrations/cache/tool-version.js';
import { ensureBuilt, exampleModel } from '../helpers/examples.js';
import { repoRoot } from '../helpers/paths.js';

const scratch = mkdtempSync(join(tmpdir(), 'tinyseg-hit-path-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('tinyseg optimize on a cache hit (the built CLI)', () => {
  it('loads no stage after the cache and no helper of flags it was not given', () => {
    ensureBuilt();
    // A loader hook that lists every module file the process loads, on stderr.
    const hooks = join(scratch, 'hooks.mjs');
    writeFileSync(hooks, "export async function load(url, context, next) { if (url.startsWith('file:')) process.stderr.write(`LOADED ${url}\\n`); return next(url, context); }\n");
    const register = join(scratch, 'register.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
    // A remote cache nobody serves (the discard port): a local hit must not even load its client.
    const env = { ...process.env, CACHE_DIR: join(scratch, 'cache'), TINYSEG_REMOTE_CACHE: 'http://127.0.0.1:9' };
    const run = () => spawnSync(process.execPath, ['--import', register, join(repoRoot, 'bin', 'tinyseg.js'), 'optimize', exampleModel, '-o', join(scratch, 'out')], { encoding: 'utf8', env });
    const miss = run();
    expect(miss.status).toBe(0);
    const hit = run();
    expect(hit.status).toBe(0);
    expect(hit.stdout).toMatch(/^cache hit: /m);
    // The CLI runs from its bundle (dist/bundle: the entry and the chunks it imports when it needs them).
    const bundle = pathToFileURL(join(repoRoot, 'dist', 'bundle')).href + '/';
    const loadedCode = (stderr: string): string => {
      const files = stderr.split('\n').filter((l) => l.startsWith(`LOADED ${bundle}`)).map((l) => l.slice(`LOADED ${bundle}`.length));
      expect(files).toContain('cli.js');
      return files.map((f) => readFileSync(join(repoRoot, 'dist', 'bundle', f), 'utf8')).join('\n');
    };
    const hitCode = loadedCode(hit.stderr);
    // Each stage and helper by a function of its own: none is in what a hit loads.
    const stages = [
      'function readModel(', 'function loadGraph(', 'function coldRanges(', 'function splitRowBands(', 'function planNearOptimal(',
      'function checkModel(', 'function memoryReport(',
    ];
    const emitters = ['function emitEmbedded(', 'function escapeXml('];
    const helpers = ['function depfilePath(', 'function readTargetProfile(', 'function watchModels(', 'async function lookupRemote('];
    expect([...stages, ...emitters].filter((f) => hitCode.includes(f))).toEqual([]);
    expect(helpers.filter((f) => hitCode.includes(f))).toEqual([]);
    expect(hitCode).toContain('function toolVersion(');
    expect(hit.stderr).not.toContain('warning');
    // The miss loaded the optimizer and the remote cache's client: the checks above do see them.
    const missCode = loadedCode(miss.stderr);
    expect(stages.filter((f) => !missCode.includes(f))).toEqual([]);
    expect(missCode).toContain('async function lookupRemote(');
  });
});

describe('the stored code fingerprint', () => {
  it('is hashed again when a listed module is removed, and kept when an unlisted one appears', () => {
    const root = mkdtempSync(join(scratch, 'fingerprint-'));
    writeFileSync(join(root, 'a.js'), 'export const a = 1;\n');
    writeFileSync(join(root, 'b.js'), 'export const b = 2;\n');
    writeFingerprint(root);
    const stored = codeFingerprint(root);
    // No listed module imports it, so it cannot change a result.
    writeFileSync(join(root, 'c.js'), 'export const c = 3;\n');
    expect(codeFingerprint(root)).toBe(stored);
    unlinkSync(join(root, 'b.js'));
    const rehashed = codeFingerprint(root);
    expect(rehashed).not.toBe(stored);
    writeFingerprint(root);
    expect(codeFingerprint(root)).toBe(rehashed);
  });
});

describe('writeStdout', () => {
  // 1 MiB in 4,096 numbered lines while the reader pauses: a blocking pipe
  // makes the writes wait; once process.stdout exists the pipe is non-blocking
  // and fills up (EAGAIN), and the stream must take the rest in order.
  const child = (touchStream: boolean) =>
    [
      `import { writeStdout } from ${JSON.stringify(pathToFileURL(join(repoRoot, 'dist', 'integrations', 'cli', 'write-stdout.js')).href)};`,
      touchStream ? 'void process.stdout;' : '',
      "for (let i = 0; i < 4096; i++) writeStdout(`${String(i).padStart(6, '0')}${'x'.repeat(249)}\\n`);",
    ].join('\n');
  const run = (touchStream: boolean) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      const p = spawn(process.execPath, ['--input-type=module', '-e', child(touchStream)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      p.stderr.on('data', (d) => (stderr += d));
      p.stdout.pause();
      setTimeout(() => {
        p.stdout.on('data', (d) => (stdout += d));
        p.stdout.resume();
      }, 300);
      p.on('close', (code) => done({ code, stdout, stderr }));
    });

  it.each([false, true])('writes every byte in order to a slow pipe (process.stdout created first: %s)', async (touchStream) => {
    ensureBuilt();
    const r = await run(touchStream);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(4096);
    lines.forEach((l, i) => expect(l).toBe(`${String(i).padStart(6, '0')}${'x'.repeat(249)}`));
  });
});
