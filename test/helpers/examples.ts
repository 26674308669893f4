// What the tests of examples/ share: the examples load TinySeg as a user's
// project does (`tinyseg/vite`, `tinyseg/esbuild` from the built dist/), and
// their figures are checked against `tinyseg optimize` on the same model.

import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { OptimizeReport } from '../../src/optimize/optimize.js';
import { repoRoot } from './paths.js';

export const exampleModel = join(repoRoot, 'examples', 'models', 'tiny-unet-80x120.tflite');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** The examples import the package, i.e. dist/: rebuild it when src/ is newer (npm test builds first anyway). */
export function ensureBuilt(): void {
  let stale = true;
  try {
    stale = statSync(join(repoRoot, 'dist', 'integrations', 'unplugin', 'factory.js')).mtimeMs < newestMtime(join(repoRoot, 'src'));
  } catch {
    // no dist yet
  }
  if (!stale) return;
  const b = spawnSync('npm', ['run', 'build'], { cwd: repoRoot, encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`npm run build failed:\n${b.stdout}${b.stderr}`);
}

/**
 * `node_modules/tinyseg` in the example, pointing at this repository: what
 * `npm install` makes of the example's `"tinyseg": "file:../.."`, without the
 * network. The bundlers themselves resolve from the repository's node_modules.
 */
export function linkTinyseg(exampleDir: string): void {
  const modules = join(exampleDir, 'node_modules');
  mkdirSync(modules, { recursive: true });
  try {
    symlinkSync(relative(modules, repoRoot), join(modules, 'tinyseg'), 'dir');
  } catch (e) {
    // Left by an earlier run or `npm install`: either resolves to this package.
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
}

export interface CliResult {
  model: Buffer;
  report: OptimizeReport;
}

/** `tinyseg optimize <model> -o <out>` with the CLI's defaults, run from the repository root. */
export function cliOptimize(model: string, out: string): CliResult {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'tinyseg.js'), 'optimize', relative(repoRoot, model), '-o', out], { cwd: repoRoot, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tinyseg optimize failed: ${r.stderr}`);
  const name = basename(model, '.tflite');
  return {
    model: readFileSync(join(out, `${name}.tflite`)),
    report: JSON.parse(readFileSync(join(out, `${name}.plan.json`), 'utf8')) as OptimizeReport,
  };
}
