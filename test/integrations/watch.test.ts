// `tinyseg watch` and watchModels() on real files in a temp dir: the initial
// build, edits, a half-saved model that must leave the last outputs alone,
// recovery, bursts of writes, what is and is not watched, and a clean stop.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTinyUnet } from '../../src/graph/tiny-unet.js';
import { loadGraph, saveGraph } from '../../src/graph/graph.js';
import { planTflmArena } from '../../src/tflm/arena.js';
import { readModelStable } from '../../src/integrations/io/read-stable.js';
import { kernelsFor } from '../../src/ops/kernel-sets.js';
import { watchModels, type WatchEvent } from '../../src/integrations/watch/watch.js';
import { repoRoot } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp-dir.js';

const cli = join(repoRoot, 'bin', 'tinyseg.js');
const scratch = tempDir('tinyseg-watch-test-');
let dirs = 0;
const freshDir = (): string => {
  const d = join(scratch, `w${dirs++}`);
  mkdirSync(d, { recursive: true });
  return d;
};

// Three valid models of different sizes (so different arenas) and a broken save of one.
const unet = (height: number, width: number, seed = 2024) => saveGraph(buildTinyUnet({ height, width, seed }));
const modelA = unet(16, 24);
const modelB = unet(24, 32);
const modelC = unet(32, 48, 7);
const halfB = modelB.subarray(0, modelB.length >> 1);
const headOf = (bytes: Uint8Array): number => planTflmArena(loadGraph(bytes)).head;
// --emit implies the default target (a Cortex-M4 with DSP), whose figures assume the CMSIS-NN kernels.
const headOfM4 = (bytes: Uint8Array): number => planTflmArena(loadGraph(bytes), kernelsFor('cmsis-nn')).head;

/** Polls until `check` returns a value other than undefined/false, or fails after `ms`. */
async function waitFor<T>(what: string, check: () => T | undefined | false, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

function startWatch(cwd: string, args: string[]) {
  const child = spawn(process.execPath, [cli, 'watch', ...args], { cwd, env: { ...process.env, CACHE_DIR: join(cwd, 'cache') }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return {
    child,
    exited,
    log: () => out,
    stderr: () => err,
    /** Waits for the n-th "Found N errors" line and returns the log up to there. */
    builds: (n: number) => waitFor(`build ${n}; log so far:\n${out}${err}`, () => (out.match(/Found \d+ errors?\. Watching for file changes\.\n/g) ?? []).length >= n && out),
  };
}

/** Checks that builds never overlap: starts and ends alternate, beginning with a start. */
function expectSequentialBuilds(lines: string[]): void {
  const marks = lines.filter((l) => /Starting (incremental )?compilation|Found \d+ errors?\./.test(l)).map((l) => (l.includes('Found') ? 'end' : 'start'));
  expect(marks.length % 2).toBe(0);
  marks.forEach((m, i) => expect(m).toBe(i % 2 === 0 ? 'start' : 'end'));
}

describe('tinyseg watch (CLI)', () => {
  it('builds, rebuilds on edits, keeps the last outputs through a half-saved model, recovers, coalesces bursts, stops on SIGINT', async () => {
    const dir = freshDir();
    mkdirSync(join(dir, 'models'));
    writeFileSync(join(dir, 'models', 'm.tflite'), modelA);
    const w = startWatch(dir, ['models', '-o', 'out', '--emit', 'fw']);
    const outModel = join(dir, 'out', 'm.tflite');
    const outPlan = join(dir, 'out', 'm.plan.json');
    const plan = () => JSON.parse(readFileSync(outPlan, 'utf8')) as { model: string; before: { head: number }; after: { head: number } };

    // Initial build.
    let log = await w.builds(1);
    expect(log).toMatch(/^\[\d\d:\d\d:\d\d\] Starting compilation in watch mode\.\.\.\n/);
    expect(log).toMatch(/\nmodels\/m\.tflite: arena [\d,]+ -> [\d,]+ B \(cache miss, \d+ ms\)\n\[\d\d:\d\d:\d\d\] Found 0 errors\. Watching for file changes\.\n$/);
    expect(plan().before.head).toBe(headOfM4(modelA));
    expect(plan().model).toBe('models/m.tflite');
    expect(existsSync(join(dir, 'fw', 'm_model.cc'))).toBe(true);
    const firstOutputs = [readFileSync(outModel), readFileSync(outPlan, 'utf8')] as const;

    // Replace the model with another valid one: new outputs.
    writeFileSync(join(dir, 'models', 'm.tflite'), modelB);
    log = await w.builds(2);
    expect(log).toContain('File change detected. Starting incremental compilation...');
    expect(plan().before.head).toBe(headOfM4(modelB));
    const lines = log.trimEnd().split('\n');
    expect(lines.at(-2)).toMatch(/^models\/m\.tflite: arena ([\d,]+) -> [\d,]+ B \(cache miss, \d+ ms\)$/);
    expect(lines.at(-2)).toContain(`arena ${headOfM4(modelB).toLocaleString('en-US')} -> ${plan().after.head.toLocaleString('en-US')} B`);
    const goodB = [readFileSync(outModel), readFileSync(outPlan, 'utf8'), readFileSync(join(dir, 'fw', 'm_model.cc'), 'utf8')] as const;

    // A half-saved model: one error line naming the file, outputs untouched.
    writeFileSync(join(dir, 'models', 'm.tflite'), halfB);
    log = await w.builds(3);
    const errorLines = log.split('\n').filter((l) => l.startsWith('tinyseg: '));
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(/^tinyseg: models\/m\.tflite: .+/);
    expect(log).toMatch(/Found 1 error\. Watching for file changes\.\n$/);
    expect(readFileSync(outModel).equals(goodB[0])).toBe(true);
    expect(readFileSync(outPlan, 'utf8')).toBe(goodB[1]);
    expect(readFileSync(join(dir, 'fw', 'm_model.cc'), 'utf8')).toBe(goodB[2]);

    // Fixed by saving the first model again: recovers, from the cache.
    writeFileSync(join(dir, 'models', 'm.tflite'), modelA);
    log = await w.builds(4);
    expect(log).toMatch(/models\/m\.tflite: arena [\d,]+ -> [\d,]+ B \(cache hit, \d+ ms\)\n\[\d\d:\d\d:\d\d\] Found 0 errors\. Watching for file changes\.\n$/);
    expect(readFileSync(outModel).equals(firstOutputs[0])).toBe(true);
    expect(readFileSync(outPlan, 'utf8')).toBe(firstOutputs[1]);

    // A burst of saves, partial and whole, well inside the batching window: one or two builds, never overlapping, the last save wins.
    const before = w.log().length;
    for (const bytes of [halfB, modelB, halfB, modelA, modelC.subarray(0, 1000), modelC]) {
      writeFileSync(join(dir, 'models', 'm.tflite'), bytes);
      await new Promise((r) => setTimeout(r, 10));
    }
    await waitFor('the last save built', () => existsSync(outPlan) && plan().before.head === headOfM4(modelC) && /Found 0 errors\. Watching for file changes\.\n$/.test(w.log()));
    // Give a wrongly scheduled extra build the time to show up.
    await new Promise((r) => setTimeout(r, 600));
    const burst = w.log().slice(before);
    const starts = burst.match(/File change detected/g) ?? [];
    expect(starts.length).toBeGreaterThanOrEqual(1);
    expect(starts.length).toBeLessThanOrEqual(2);
    expect(burst).toMatch(/Found 0 errors\. Watching for file changes\.\n$/);
    expectSequentialBuilds(w.log().split('\n'));

    w.child.kill('SIGINT');
    expect(await w.exited).toBe(0);
    expect(w.stderr()).toBe('');
  });

  it('stops cleanly on SIGTERM', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'a.tflite'), modelA);
    const w = startWatch(dir, ['a.tflite', '-o', 'out', '--no-verify', '--no-cache']);
    const log = await w.builds(1);
    expect(log).toMatch(/a\.tflite: arena [\d,]+ -> [\d,]+ B \(no cache, \d+ ms\)/);
    w.child.kill('SIGTERM');
    expect(await w.exited).toBe(0);
  });

  it('refuses bad command lines with one line and exit 2, a missing path with exit 1', () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'a.tflite'), modelA);
    const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'watch', ...args], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
    const noOut = run('a.tflite');
    expect(noOut.status).toBe(2);
    expect(noOut.stderr).toBe("tinyseg: watch needs -o <dir> (see 'tinyseg watch --help')\n");
    expect(run('-o', 'out').status).toBe(2);
    expect(run('.', '-o', 'out', '--emit', 'fw', '--name', 'x').stderr).toMatch(/^tinyseg: a C name \(--name\) needs exactly one model file/);
    expect(run('a.tflite', '-o', 'out', '--name', 'x').stderr).toBe("tinyseg: --name needs --emit <dir> (see 'tinyseg watch --help')\n");
    expect(run('out', '-o', '.').stderr).toMatch(/^tinyseg: out: cannot watch: no such file or directory\n$/);
    const inside = run('.', '-o', '.');
    expect(inside.status).toBe(2);
    expect(inside.stderr).toMatch(/^tinyseg: \.: is inside the output directory/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});

describe('watchModels (library)', () => {
  it('watches .tflite files in subdirectories, not dotfiles or its own outputs, and stops on close()', async () => {
    const dir = freshDir();
    mkdirSync(join(dir, 'models', 'sub'), { recursive: true });
    mkdirSync(join(dir, 'models', '.hidden'), { recursive: true });
    writeFileSync(join(dir, 'models', 'top.tflite'), modelA);
    writeFileSync(join(dir, 'models', 'sub', 'deep.tflite'), modelB);
    writeFileSync(join(dir, 'models', '.hidden', 'secret.tflite'), modelA);
    writeFileSync(join(dir, 'models', '.dot.tflite'), modelA);
    writeFileSync(join(dir, 'models', 'notes.txt'), 'not a model');
    const events: WatchEvent[] = [];
    let inBuild = false;
    let overlaps = 0;
    const outDir = join(dir, 'models', 'out');
    const handle = watchModels([join(dir, 'models')], { outDir, optimize: { verify: false }, cacheOptions: { cacheDir: join(dir, 'cache') }, debounceMs: 50 }, {
      onEvent: (e) => {
        if (e.type === 'build-start') overlaps += inBuild ? 1 : 0;
        if (e.type === 'build-start' || e.type === 'build-end') inBuild = e.type === 'build-start';
        events.push(e);
      },
    });
    await handle.ready;
    const built = () => events.filter((e): e is Extract<WatchEvent, { type: 'model-built' }> => e.type === 'model-built');
    expect(built().map((e) => e.file.split(/[\\/]/).slice(-2).join('/')).sort()).toEqual(['models/top.tflite', 'sub/deep.tflite']);
    expect(built().every((e) => e.cache === 'miss')).toBe(true);
    expect(JSON.parse(readFileSync(join(outDir, 'sub', 'deep.plan.json'), 'utf8')).before.head).toBe(headOf(modelB));
    expect(existsSync(join(outDir, 'top.tflite'))).toBe(true);
    expect(existsSync(join(outDir, 'secret.tflite'))).toBe(false);

    // A .tflite written into the output directory, a dotfile and a text file start no build; a new model does.
    const mark = events.length;
    writeFileSync(join(outDir, 'stray.tflite'), modelC);
    writeFileSync(join(dir, 'models', '.hidden', 'secret.tflite'), modelC);
    writeFileSync(join(dir, 'models', 'notes.txt'), 'still not a model');
    writeFileSync(join(dir, 'models', 'sub', 'new.tflite'), modelC);
    await waitFor('the new model', () => events.some((e) => e.type === 'model-built' && e.file.endsWith('new.tflite')) && events.at(-1)?.type === 'build-end');
    // Batching window plus slack: a build for the ignored files would have started by now.
    await new Promise((r) => setTimeout(r, 300));
    const second = events.slice(mark);
    expect(second.filter((e) => e.type === 'build-start')).toHaveLength(1);
    expect(second.find((e) => e.type === 'build-start')).toMatchObject({ initial: false, files: [expect.stringMatching(/new\.tflite$/)] });
    expect(JSON.parse(readFileSync(join(outDir, 'sub', 'new.plan.json'), 'utf8')).before.head).toBe(headOf(modelC));

    // Deleting a model keeps its outputs.
    rmSync(join(dir, 'models', 'top.tflite'));
    await waitFor('the removal', () => events.some((e) => e.type === 'model-removed'));
    await waitFor('the end of that build', () => events.at(-1)?.type === 'build-end');
    expect(existsSync(join(outDir, 'top.tflite'))).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'build-end', errors: 0 });

    await handle.close();
    const count = events.length;
    writeFileSync(join(dir, 'models', 'sub', 'deep.tflite'), modelA);
    await new Promise((r) => setTimeout(r, 300));
    expect(events.length).toBe(count);
    expect(overlaps).toBe(0);
  });

  it('counts a broken model in every build until it is fixed', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'good.tflite'), modelA);
    writeFileSync(join(dir, 'bad.tflite'), halfB);
    const events: WatchEvent[] = [];
    const handle = watchModels([dir], { outDir: join(dir, 'out'), optimize: { verify: false }, cache: false, debounceMs: 50 }, { onEvent: (e) => events.push(e) });
    await handle.ready;
    const ends = () => events.filter((e) => e.type === 'build-end');
    expect(ends()).toMatchObject([{ errors: 1, built: 1 }]);
    expect(existsSync(join(dir, 'out', 'bad.tflite'))).toBe(false);

    writeFileSync(join(dir, 'good.tflite'), modelB);
    await waitFor('second build', () => ends().length === 2);
    const repeated = events.filter((e) => e.type === 'model-error');
    expect(repeated).toHaveLength(2);
    expect(repeated[1]).toMatchObject({ unchanged: true, message: expect.stringMatching(/bad\.tflite: /) });
    expect(ends()[1]).toMatchObject({ errors: 1, built: 1 });

    // Fixed the way editors save: a temporary dotfile renamed over the model.
    writeFileSync(join(dir, '.bad.tflite.tmp'), modelB);
    renameSync(join(dir, '.bad.tflite.tmp'), join(dir, 'bad.tflite'));
    await waitFor('third build', () => ends().length === 3);
    expect(ends()[2]).toMatchObject({ errors: 0, built: 1 });
    expect(JSON.parse(readFileSync(join(dir, 'out', 'bad.plan.json'), 'utf8')).before.head).toBe(headOf(modelB));
    await handle.close();
  });
});

describe('readModelStable', () => {
  it('refuses bytes read while the file changed, accepts a quiet file', () => {
    const file = join(freshDir(), 'm.tflite');
    writeFileSync(file, modelA);
    expect(readModelStable(file)).toEqual({ stable: true, bytes: new Uint8Array(modelA) });
    // The writer appends the rest of the model while the first half is being read.
    writeFileSync(file, halfB);
    const racing = readModelStable(file, (f) => {
      const bytes = new Uint8Array(readFileSync(f));
      writeFileSync(f, modelB);
      return bytes;
    });
    expect(racing).toEqual({ stable: false, why: expect.stringMatching(/changed while being read/) });
    expect(() => readModelStable(join(file, '..', 'missing.tflite'))).toThrow(/cannot read model: no such file/);
  });
});
