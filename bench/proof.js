#!/usr/bin/env node
// The proof's cost in one `tinyseg optimize` process: wall time of the real CLI
// in a child process (Node's start included) with a cold cache for the result,
// with and without the original's outputs reused from the cache (primed by an
// optimize of the same model with other options: same proof inputs, another
// result), and without the proof; plus where the time goes in one process
// (parse, passes and placement, the original's and the optimized model's runs,
// each on one thread). Medians of RUNS runs. bench/run.js appends
// proofSection() to bench/results.md; `node bench/proof.js` prints it. Needs
// `npm run build` and ../shared for prisma.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadGraph } from '../dist/graph/graph.js';
import { optimize } from '../dist/optimize/optimize.js';
import { proofCases, runProofCases } from '../dist/interpreter/verify.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const cli = join(root, 'bin', 'tinyseg.js');
const RUNS = 5;
const MODELS = [
  ['prisma-unet-int8-256', join(root, '..', 'shared', 'models', 'prisma-unet-int8-256.tflite')],
  ['tiny-unet-80x120', join(root, 'examples', 'models', 'tiny-unet-80x120.tflite')],
];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${Math.round(x).toLocaleString('en-US')} ms`;

function wall(args, env) {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench/proof.js: ${args.join(' ')}: ${r.stderr}`);
  return performance.now() - t;
}

/** One optimize process with a fresh cache directory; `prime` runs first (untimed) in the same directory. */
function optimizeWall(model, extra, prime) {
  const cacheDir = mkdtempSync(join(tmpdir(), 'tinyseg-bench-proof-'));
  const out = mkdtempSync(join(tmpdir(), 'tinyseg-bench-proof-out-'));
  try {
    if (prime) wall([cli, 'optimize', model, '-o', out, '--quiet', ...prime], { CACHE_DIR: cacheDir });
    return wall([cli, 'optimize', model, '-o', out, '--quiet', ...extra], { CACHE_DIR: cacheDir });
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }
}

/** Where the time goes, each step on this thread alone. */
function phases(model) {
  const bytes = new Uint8Array(readFileSync(model));
  let t = performance.now();
  const g = loadGraph(bytes);
  const parse = performance.now() - t;
  t = performance.now();
  const r = optimize(bytes, { verify: false });
  const passes = performance.now() - t;
  const cases = proofCases(g);
  t = performance.now();
  runProofCases(g, cases);
  const original = performance.now() - t;
  t = performance.now();
  runProofCases(r.graph, cases);
  const optimized = performance.now() - t;
  return { parse, passes, original, optimized };
}

export function proofSection() {
  const rows = [];
  const start = median(Array.from({ length: RUNS }, () => wall(['-e', '0'])));
  for (const [name, model] of MODELS) {
    if (!existsSync(model)) continue;
    const p = Array.from({ length: 3 }, () => phases(model));
    const m = (k) => median(p.map((x) => x[k]));
    const cold = median(Array.from({ length: RUNS }, () => optimizeWall(model, [])));
    const reused = median(Array.from({ length: RUNS }, () => optimizeWall(model, [], ['--max-overhead', '4.99'])));
    const noProof = median(Array.from({ length: RUNS }, () => optimizeWall(model, ['--no-verify'])));
    rows.push(`| ${name} | ${ms(cold)} | ${ms(reused)} | ${ms(noProof)} | ${ms(m('parse'))} | ${ms(m('passes'))} | ${ms(m('original'))} | ${ms(m('optimized'))} |`);
  }
  return [
    '',
    '## Proof',
    '',
    `\`tinyseg optimize <model> -o <dir>\` in a child process, wall time (median of ${RUNS}), a cold cache for the result: with the proof`,
    '(each case runs the original, then the optimized model taking the results of the operators the passes left alone from it, op-reuse.ts;',
    'above 10^9 MACs, prisma here, a worker thread started during the passes takes a share of the cases), with the original\'s outputs reused',
    'from the cache (primed by `--max-overhead 4.99`: the same proof inputs; the optimized model then runs whole), and',
    `without the proof. Node's own start (\`node -e 0\`): ${ms(start)}. Then each step alone on one thread, in one process (median of 3).`,
    '',
    '| model | proof | proof, reference reused | no proof | parse | passes + placement | original, 4 inputs | optimized, 4 inputs |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(proofSection());
