// The package as npm publishes it (`npm pack`): the files a consumer gets, no
// script npm would run when installing it, and declarations that type-check
// in a consumer's project without @types/node and without skipLibCheck.

import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/examples.js';
import { repoRoot } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp-dir.js';

const scratch = tempDir('tinyseg-pack-');
/** The consumer's project: the unpacked package in its node_modules. */
const consumer = join(scratch, 'consumer');
const unpacked = join(consumer, 'node_modules', 'tinyseg');
let files: string[];

function ok(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

beforeAll(() => {
  ensureBuilt();
  // --ignore-scripts: prepack would build again; npm test has just built.
  const [packed] = JSON.parse(ok('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], repoRoot)) as { filename: string; files: { path: string }[] }[];
  files = packed!.files.map((f) => f.path).sort();
  mkdirSync(join(consumer, 'node_modules'), { recursive: true });
  ok('tar', ['-xzf', join(scratch, packed!.filename)], scratch);
  renameSync(join(scratch, 'package'), unpacked);
}, 120_000);

describe('npm pack', () => {
  it('ships the license, readme, CLI, library, declarations, CMake package and templates; no source maps, tests or sources', () => {
    for (const f of ['LICENSE', 'README.md', 'package.json', 'bin/tinyseg.js', 'client.d.ts', 'dist/index.js', 'dist/index.d.ts', 'dist/runtime/index.js', 'dist/runtime/index.d.ts', 'cmake/TinySegConfig.cmake', 'templates/runtime/tinyseg_runtime.c']) {
      expect(files, f).toContain(f);
    }
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files.filter((f) => /^(src|test|bench|examples|lint|node_modules)\//.test(f))).toEqual([]);
    const license = readFileSync(join(unpacked, 'LICENSE'), 'utf8');
    expect(license).toContain('Apache License\n                           Version 2.0, January 2004');
    expect(license).toContain('END OF TERMS AND CONDITIONS');
  });

  it('has no script npm runs when a consumer installs it, and says what it is', () => {
    const pkg = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8')) as Record<string, unknown> & { scripts?: Record<string, string> };
    const installScripts = ['preinstall', 'install', 'postinstall', 'prepare', 'preprepare', 'postprepare'];
    expect(Object.keys(pkg.scripts ?? {}).filter((s) => installScripts.includes(s))).toEqual([]);
    expect(pkg['license']).toBe('Apache-2.0');
    expect(pkg['sideEffects']).toBe(false);
    expect(pkg['repository']).toMatchObject({ type: 'git' });
  });

  it('has declarations that compile in a consumer without @types/node and without skipLibCheck', () => {
    // Only what a consumer of the main entry and of tinyseg/esbuild has: TypeScript and esbuild
    // (whose declarations need nothing else). Links are not followed to this repository's
    // node_modules, where @types/node is.
    for (const dep of ['typescript', 'esbuild']) symlinkSync(join(repoRoot, 'node_modules', dep), join(consumer, 'node_modules', dep), 'dir');
    writeFileSync(join(consumer, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: [], preserveSymlinks: true },
        files: ['main.ts'],
      }),
    );
    writeFileSync(
      join(consumer, 'main.ts'),
      [
        '/// <reference types="tinyseg/client" />',
        "import { loadGraph, optimize, TinysegError, type OptimizeReport } from 'tinyseg';",
        "import tinyseg, { type TinysegPluginOptions } from 'tinyseg/esbuild';",
        "import model, { arenaSize } from './model.tflite';",
        'const options: TinysegPluginOptions = { verify: false };',
        'export const plugin = tinyseg(options);',
        'export const report: OptimizeReport = optimize(model).report;',
        'export const sizes: number[] = [arenaSize, loadGraph(model).main.ops.length];',
        'export const isError = (e: unknown): boolean => e instanceof TinysegError;',
        '',
      ].join('\n'),
    );
    const tsc = spawnSync(process.execPath, [join(consumer, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', consumer], { cwd: consumer, encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });

  it("has bundler entry points whose declarations import only their bundler's types and TinySeg's", () => {
    // The shared declarations compiled above; each bundler's own need what that bundler needs
    // (Vite's and webpack's need @types/node), which a user of that bundler has.
    const dir = join(unpacked, 'dist', 'integrations', 'unplugin');
    const bundlers = { vite: 'vite', rollup: 'rollup', rolldown: 'rolldown', webpack: 'webpack', rspack: '@rspack/core', esbuild: 'esbuild' };
    for (const [entry, bundler] of Object.entries(bundlers)) {
      const dts = readFileSync(join(dir, `${entry}.d.ts`), 'utf8');
      const imported = [...dts.matchAll(/(?:from |import\()['"]([^'"]+)['"]/g)].map((m) => m[1]!);
      expect(imported.filter((m) => !m.startsWith('./')), entry).toEqual([bundler]);
    }
    expect(readdirSync(dir).filter((f) => f.endsWith('.d.ts')).length).toBeGreaterThan(6);
  });
});
