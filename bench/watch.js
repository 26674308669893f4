#!/usr/bin/env node
// `tinyseg watch` latency: from saving a changed Tiny U-Net 80x120 to its new
// outputs on disk, on a cache miss (each save is a new seed, so new bytes),
// with and without the proof. Measured through the real CLI in a child process,
// the 200 ms batching window included. bench/run.js appends watchSection() to
// bench/results.md; `node bench/watch.js` prints it. Needs `npm run build`.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildTinyUnet, saveGraph } from '../dist/index.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const cli = join(root, 'bin', 'tinyseg.js');
const RUNS = 10;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const mtimeNs = (f) => {
  try {
    return statSync(f, { bigint: true }).mtimeNs;
  } catch {
    return null;
  }
};

async function until(what, check, ms = 120_000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`bench/watch.js: timed out waiting for ${what}`);
    await sleep(2);
  }
}

/** Latencies (ms) of RUNS saves, each a cache miss, under one `tinyseg watch` process. */
async function measure(extraArgs) {
  const dir = mkdtempSync(join(tmpdir(), 'tinyseg-bench-watch-'));
  try {
    mkdirSync(join(dir, 'models'));
    const model = join(dir, 'models', 'tiny-unet.tflite');
    const optimized = join(dir, 'out', 'tiny-unet.tflite');
    const seeds = Array.from({ length: RUNS + 1 }, (_, i) => saveGraph(buildTinyUnet({ height: 80, width: 120, seed: 9000 + i })));
    writeFileSync(model, seeds[0]);
    const child = spawn(process.execPath, [cli, 'watch', 'models', '-o', 'out', ...extraArgs], {
      cwd: dir,
      env: { ...process.env, CACHE_DIR: join(dir, 'cache') },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let log = '';
    child.stdout.on('data', (d) => (log += d));
    const builds = () => (log.match(/Watching for file changes\./g) ?? []).length;
    await until('the initial build', () => builds() >= 1);
    const ms = [];
    for (let i = 1; i <= RUNS; i++) {
      const before = mtimeNs(optimized);
      const t0 = performance.now();
      writeFileSync(model, seeds[i]);
      // Outputs whose bytes did not change are left alone (the plan of another seed can be the same),
      // so a build is done when watch says so; the optimized model (new weights) must be new by then.
      await until('the end of the build', () => builds() >= i + 1);
      ms.push(performance.now() - t0);
      if (mtimeNs(optimized) === before) throw new Error('bench/watch.js: the optimized model was not rewritten');
    }
    if (!log.includes('(cache miss')) throw new Error('bench/watch.js: expected cache misses');
    child.kill('SIGINT');
    await new Promise((r) => child.on('exit', r));
    return ms;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function watchLatency() {
  const rows = [];
  for (const [mode, args] of [
    ['--no-verify', ['--no-verify']],
    ['verified (3 random inputs + oracle)', []],
  ]) {
    const ms = await measure(args);
    rows.push({ mode, runs: ms.length, medianMs: Math.round(median(ms)), minMs: Math.round(Math.min(...ms)), maxMs: Math.round(Math.max(...ms)) });
  }
  return rows;
}

export async function watchSection() {
  const rows = await watchLatency();
  return [
    '',
    '## Watch',
    '',
    '`tinyseg watch`: from saving a changed Tiny U-Net 80x120 (a new seed each time: a cache miss) to its new',
    'outputs on disk, through the CLI in a child process; includes the 200 ms batching window.',
    '',
    '| mode | saves | median ms | min ms | max ms |',
    '|---|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.mode} | ${r.runs} | ${r.medianMs} | ${r.minMs} | ${r.maxMs} |`),
    '',
  ].join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) console.log(await watchSection());
