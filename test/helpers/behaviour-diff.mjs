#!/usr/bin/env node
// Behaviour check for refactors: runs the CLI of this working copy and of a base
// commit on every model in ../shared/models and the bundled Tiny U-Net, with a
// spread of options, and compares every file and every stdout byte for byte.
//
//   node test/helpers/behaviour-diff.mjs [base-ref] [--models a,b]   (base-ref default: origin/main or main)
//
// The base is checked out in a temporary worktree sharing this node_modules and
// built there; its outputs are kept under $TMPDIR/tinyseg-behaviour/<commit>-<checkout>/ so a
// second run compares only the working copy. Exit 0 when identical, 1 otherwise.
// Paths in stdout are replaced by placeholders, so the two trees compare.

import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const shared = resolve(process.env.TINYSEG_SHARED ?? join(repo, '..', 'shared'));
const args = process.argv.slice(2);
const modelsFlag = args.indexOf('--models');
const only = modelsFlag >= 0 ? new Set(args.splice(modelsFlag, 2)[1].split(',')) : null;
const baseRef = args[0] ?? 'main';

const git = (...a) => execFileSync('git', ['-C', repo, ...a], { encoding: 'utf8' }).trim();
const baseCommit = git('rev-parse', baseRef);
const work = join(tmpdir(), 'tinyseg-behaviour');

// Each tree runs its own copy of the bundled example, so its path reads <ROOT> in both.
const EXAMPLE = join('examples', 'models', 'tiny-unet-80x120.tflite');
const models = [
  ...readdirSync(join(shared, 'models')).filter((f) => f.endsWith('.tflite')).sort().map((f) => join(shared, 'models', f)),
  EXAMPLE,
].filter((m) => only === null || only.has(basename(m, '.tflite')));
const modelIn = (root, m) => (m === EXAMPLE ? join(root, m) : m);

/** The runs for one model: [name, argv builder]. Float models also get the lossy spill. */
function runs(model, out) {
  const name = basename(model, '.tflite');
  const list = [
    ['optimize-default', ['optimize', model, '-o', join(out, 'a'), '--emit', join(out, 'a', 'fw'), '--svg', join(out, 'a', 't.svg'), '--no-cache', '--json']],
    ['optimize-text', ['optimize', model, '-o', join(out, 't'), '--no-cache', '--no-verify']],
    ['optimize-flash', ['optimize', model, '-o', join(out, 'b'), '--no-spill', '--emit', join(out, 'b', 'fw'), '--sections', '--storage', 'flash',
      '--target', 'mps2-an500', '--name', 'm_b', '--no-cache', '--inputs', '1', '--seed', '7', '--depfile', join(out, 'b', 'm.d')]],
    ['optimize-budget', ['optimize', model, '-o', join(out, 'c'), '--max-spill-bytes', '4096', '--storage', 'remote', '--emit', join(out, 'c', 'fw'),
      '--no-cache', '--inputs', '1']],
    ['report-json', ['report', model, '--json']],
    ['report-text', ['report', model, '--svg', join(out, 'r.svg')]],
    ['report-optimized', ['report', join(out, 'a', `${name}.tflite`), '--json']],
  ];
  if (/f32/.test(name)) list.push(['optimize-lossy', ['optimize', model, '-o', join(out, 'l'), '--lossy-spill', 'int8', '--emit', join(out, 'l', 'fw'), '--no-cache', '--inputs', '1']]);
  return list;
}

function snapshot(root, dest) {
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  for (const m of models) {
    const model = modelIn(root, m);
    const name = basename(model, '.tflite');
    const out = join(dest, name);
    mkdirSync(out, { recursive: true });
    for (const [run, argv] of runs(model, out)) {
      const r = spawnSync(process.execPath, [join(root, 'bin', 'tinyseg.js'), ...argv], {
        encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, CACHE_DIR: join(dest, '.cache') },
      });
      const clean = (s) => s.split(dest).join('<OUT>').split(root).join('<ROOT>').split(shared).join('<SHARED>');
      writeFileSync(join(out, `${run}.stdout`), `exit ${r.status}\n${clean(r.stdout)}\n--- stderr\n${clean(r.stderr)}`);
    }
    process.stderr.write(`  ${relative(repo, root) || '.'}: ${name}\n`);
  }
  rmSync(join(dest, '.cache'), { recursive: true, force: true });
}

function files(dir, base = dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? files(p, base) : [relative(base, p)];
  }).sort();
}

/** Paths in texts (stdout, plans, charts, depfiles) as placeholders: the two trees and their outputs live in different folders. */
function placeholders(text, out, root) {
  return text.split(out).join('<OUT>').split(root).join('<ROOT>').split(shared).join('<SHARED>');
}

// The base: a worktree built once per commit and checkout. Its outputs name the
// bundled example by this checkout's path, so another checkout's base would differ.
const checkoutTag = createHash('sha256').update(repo).digest('hex').slice(0, 8);
const baseDir = join(work, `${baseCommit}-${checkoutTag}`);
const baseOut = join(baseDir, 'out');
const stamp = join(baseDir, 'done-2');
const modelList = models.map((m) => basename(m, '.tflite')).join(',');
if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== modelList) {
  const tree = join(baseDir, 'tree');
  rmSync(baseDir, { recursive: true, force: true });
  mkdirSync(baseDir, { recursive: true });
  spawnSync('git', ['-C', repo, 'worktree', 'prune']);
  execFileSync('git', ['-C', repo, 'worktree', 'add', '--detach', '-f', tree, baseCommit], { stdio: 'ignore' });
  symlinkSync(join(repo, 'node_modules'), join(tree, 'node_modules'));
  process.stderr.write(`building base ${baseCommit.slice(0, 10)}\n`);
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: tree, stdio: 'inherit' });
  snapshot(tree, baseOut);
  writeFileSync(stamp, modelList);
}
// One output folder per working copy, so worktrees can check at the same time.
const headOut = join(work, `head-${checkoutTag}`);
process.stderr.write('working copy\n');
snapshot(repo, headOut);

const a = files(baseOut);
const b = files(headOut);
const diffs = [];
for (const f of new Set([...a, ...b])) {
  const pa = join(baseOut, f);
  const pb = join(headOut, f);
  if (!existsSync(pa) || !existsSync(pb)) { diffs.push(`${f}: only in ${existsSync(pa) ? 'base' : 'working copy'}`); continue; }
  let x = readFileSync(pa);
  let y = readFileSync(pb);
  if (!f.endsWith('.tflite')) {
    x = Buffer.from(placeholders(x.toString(), baseOut, join(baseDir, 'tree')));
    y = Buffer.from(placeholders(y.toString(), headOut, repo));
  }
  if (!x.equals(y)) diffs.push(`${f}: differs`);
}
console.log(`${a.length} files from ${models.length} models compared with ${baseCommit.slice(0, 10)}: ${diffs.length === 0 ? 'identical' : `${diffs.length} differ`}`);
for (const d of diffs.slice(0, 50)) console.log(`  ${d}`);
process.exit(diffs.length === 0 ? 0 : 1);
