// `?meta` gives an imported model's figures and its inputs' and outputs'
// types without its bytes: a bundle importing it is a small fraction of the
// model. And a bundle importing only the figures of the default import
// (`{ arenaSize }`) drops the bytes too (the decoding is marked pure).

import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build as esbuildBuild } from 'esbuild';
import { rollup } from 'rollup';
import { build as viteBuild } from 'vite';
import webpack from 'webpack';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadGraph } from '../../src/graph/graph.js';
import esbuildPlugin from '../../src/integrations/unplugin/esbuild.js';
import rollupPlugin from '../../src/integrations/unplugin/rollup.js';
import vitePlugin from '../../src/integrations/unplugin/vite.js';
import webpackPlugin from '../../src/integrations/unplugin/webpack.js';
import { cliOptimize, exampleModel, type CliResult } from '../helpers/examples.js';
import { tempDir } from '../helpers/temp-dir.js';

const scratch = tempDir('tinyseg-meta-');
let cli: CliResult;

beforeAll(() => {
  cli = cliOptimize(exampleModel, join(scratch, 'cli'));
}, 120_000);

function project(name: string, main: string): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  copyFileSync(exampleModel, join(dir, 'model.tflite'));
  writeFileSync(join(dir, 'main.js'), main);
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  return dir;
}

/** Every file a build wrote, bytes. */
const outputBytes = (dir: string): number => readdirSync(dir, { recursive: true, encoding: 'utf8' }).reduce((n, f) => n + (statSync(join(dir, f)).isFile() ? statSync(join(dir, f)).size : 0), 0);

type Bundle = (dir: string) => Promise<string>;

/** Each builds main.js of `dir` into `dir/out` for Node and returns the file to run. */
const bundlers: Record<string, Bundle> = {
  async vite(dir) {
    await viteBuild({ root: dir, configFile: false, logLevel: 'silent', plugins: [vitePlugin({ verify: false, log: false })], build: { ssr: 'main.js', outDir: join(dir, 'out'), rollupOptions: { output: { format: 'es' } } } });
    return join(dir, 'out', 'main.js');
  },
  async rollup(dir) {
    const bundle = await rollup({ input: join(dir, 'main.js'), plugins: [rollupPlugin({ verify: false, log: false })] });
    await bundle.write({ dir: join(dir, 'out'), format: 'es' });
    await bundle.close();
    return join(dir, 'out', 'main.js');
  },
  async esbuild(dir) {
    const plugins = [esbuildPlugin({ verify: false, log: false })];
    await esbuildBuild({ entryPoints: [join(dir, 'main.js')], bundle: true, platform: 'node', format: 'esm', outdir: join(dir, 'out'), logLevel: 'silent', plugins });
    return join(dir, 'out', 'main.js');
  },
  async webpack(dir) {
    const compiler = webpack({
      mode: 'production',
      target: 'node',
      context: dir,
      entry: './main.js',
      output: { path: join(dir, 'out'), filename: 'main.cjs' },
      plugins: [webpackPlugin({ verify: false, log: false })],
    });
    await new Promise<void>((done, fail) =>
      compiler.run((err, stats) => compiler.close(() => (err ? fail(err) : stats?.hasErrors() ? fail(new Error(stats.toString())) : done()))),
    );
    return join(dir, 'out', 'main.cjs');
  },
};

const META_MAIN = `
import meta, { arenaSize, inputs } from './model.tflite?meta';
console.log(JSON.stringify({ meta, arenaSize, inputs }));
`;

describe.each(Object.keys(bundlers))('%s', (name) => {
  it('?meta gives the figures and tensor types, and leaves the model out of the bundle', async () => {
    const dir = project(`${name}-meta`, META_MAIN);
    const main = await bundlers[name]!(dir);
    const run = spawnSync(process.execPath, [main], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const got = JSON.parse(run.stdout) as { meta: Record<string, unknown>; arenaSize: number; inputs: unknown[] };
    const r = cli.report;
    const graph = loadGraph(new Uint8Array(cli.model)).main;
    const tensor = (t: number) => {
      const x = graph.tensors[t]!;
      return { name: x.name, dtype: x.dtype, shape: x.shape, scale: x.quantization!.scale[0], zeroPoint: x.quantization!.zeroPoint[0] };
    };
    expect(got.meta).toEqual({
      arenaSize: r.after.arenaSize,
      arenaUsed: { before: r.before.total, after: r.after.total },
      head: { before: r.before.head, after: r.after.head },
      spillRegionSize: r.spill.regionBytes,
      modelSize: cli.model.length,
      verified: null,
      customOps: [...new Set(graph.ops.filter((o) => o.customCode !== null).map((o) => o.customCode!))].sort(),
      inputs: graph.inputs.map(tensor),
      outputs: graph.outputs.map(tensor),
    });
    expect(got.arenaSize).toBe(r.after.arenaSize);
    expect(got.inputs).toEqual(got.meta['inputs']);
    // The whole build output (webpack's runtime included) is a small fraction of the model.
    expect(outputBytes(join(dir, 'out'))).toBeLessThan(cli.model.length / 20);
  });
});

describe.each(['vite', 'rollup', 'esbuild'])('%s', (name) => {
  it('drops the bytes when only the figures of the default import are used', async () => {
    const dir = project(`${name}-figures`, "import { arenaSize } from './model.tflite';\nconsole.log(arenaSize);\n");
    const main = await bundlers[name]!(dir);
    expect(spawnSync(process.execPath, [main], { encoding: 'utf8' }).stdout).toBe(`${cli.report.after.arenaSize}\n`);
    expect(readFileSync(main, 'utf8')).not.toContain('atob(');
    expect(outputBytes(join(dir, 'out'))).toBeLessThan(cli.model.length / 20);
    // The bytes are still there when they are used.
    const used = project(`${name}-bytes`, "import model from './model.tflite';\nconsole.log(model.length);\n");
    const usedMain = await bundlers[name]!(used);
    expect(spawnSync(process.execPath, [usedMain], { encoding: 'utf8' }).stdout).toBe(`${cli.model.length}\n`);
    expect(outputBytes(join(used, 'out'))).toBeGreaterThan(cli.model.length);
  });
});
