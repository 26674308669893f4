// Real builds with each bundler: a project imports the bundled Tiny U-Net three
// ways, the built output runs under Node, and what it prints must equal what
// `tinyseg optimize` writes for the same model.

import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuildBuild } from 'esbuild';
import { rolldown } from 'rolldown';
import { rollup, watch, type RollupWatcherEvent } from 'rollup';
import { createServer, build as viteBuild } from 'vite';
import webpack from 'webpack';
import { rspack } from '@rspack/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadGraph } from '../../src/graph/graph.js';
import { ensureBuilt } from '../helpers/examples.js';
import esbuildPlugin from '../../src/integrations/unplugin/esbuild.js';
import rolldownPlugin from '../../src/integrations/unplugin/rolldown.js';
import rollupPlugin from '../../src/integrations/unplugin/rollup.js';
import rspackPlugin from '../../src/integrations/unplugin/rspack.js';
import vitePlugin from '../../src/integrations/unplugin/vite.js';
import webpackPlugin from '../../src/integrations/unplugin/webpack.js';
import type { TinysegPluginOptions } from '../../src/integrations/unplugin/factory.js';
import { resolvePluginOptions } from '../../src/integrations/unplugin/plugin-options.js';
import { optimize, type OptimizeReport } from '../../src/optimize/optimize.js';
import { repoRoot } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp-dir.js';
import { MEDIAPIPE_OP, unetWithCustomOp } from '../helpers/custom-op-model.js';

const example = join(repoRoot, 'examples', 'models', 'tiny-unet-80x120.tflite');
const scratch = tempDir('tinyseg-bundlers-');

const MAIN = `
import model, { arenaSize, report, customOps } from './model.tflite';
import url from './model.tflite?url';
import original from './model.tflite?original';
import timeline from './model.tflite?timeline';
console.log(JSON.stringify({
  isBytes: model instanceof Uint8Array,
  model: Buffer.from(model).toString('base64'),
  original: Buffer.from(original).toString('base64'),
  url: String(url),
  arenaSize,
  report,
  customOps,
  timeline,
}));
`;

/** A project folder with main.js and model.tflite; `model` replaces the model's bytes. */
function project(name: string, model?: Uint8Array): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'main.js'), MAIN);
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  if (model) writeFileSync(join(dir, 'model.tflite'), model);
  else copyFileSync(example, join(dir, 'model.tflite'));
  return dir;
}

interface Built {
  /** The file to run with node. */
  main: string;
  out: string;
}

type Builder = (dir: string, options: TinysegPluginOptions) => Promise<Built>;

function webpackLike(
  run: (config: object) => {
    run(
      cb: (err: Error | null, stats?: { hasErrors(): boolean; toJson(o: object): { errors?: { message: string }[] }; toString(o: object): string }) => void,
    ): void;
    close(cb: () => void): void;
  },
): (dir: string, plugin: unknown) => Promise<Built> {
  return (dir, plugin) => {
    const out = join(dir, 'out');
    const compiler = run({
      mode: 'production',
      target: 'node',
      context: dir,
      entry: './main.js',
      output: { path: out, filename: 'main.cjs' },
      optimization: { minimize: false },
      plugins: [plugin],
    });
    return new Promise((done, fail) => {
      compiler.run((err, stats) => {
        compiler.close(() => {
          if (err) return fail(err);
          // `printed`: what the bundler's CLI prints for the failed build.
          if (stats?.hasErrors()) {
            const error = new Error((stats.toJson({ errors: true }).errors ?? []).map((e) => e.message).join('\n'));
            return fail(Object.assign(error, { printed: stats.toString({ colors: false }) }));
          }
          done({ main: join(out, 'main.cjs'), out });
        });
      });
    });
  };
}

const runWebpack = webpackLike((c) => webpack(c as webpack.Configuration) as never);
const runRspack = webpackLike((c) => rspack(c as never) as never);

const builders: Record<string, Builder> = {
  async vite(dir, options) {
    const out = join(dir, 'out');
    await viteBuild({
      root: dir,
      configFile: false,
      logLevel: 'silent',
      plugins: [vitePlugin(options)],
      build: { ssr: 'main.js', outDir: out, ssrEmitAssets: true, rollupOptions: { output: { format: 'es' } } },
    });
    return { main: join(out, 'main.js'), out };
  },
  async rollup(dir, options) {
    const out = join(dir, 'out');
    const bundle = await rollup({ input: join(dir, 'main.js'), plugins: [rollupPlugin(options)], onwarn: () => {} });
    await bundle.write({ dir: out, format: 'es' });
    await bundle.close();
    return { main: join(out, 'main.js'), out };
  },
  async rolldown(dir, options) {
    const out = join(dir, 'out');
    const bundle = await rolldown({ input: join(dir, 'main.js'), platform: 'node', plugins: [rolldownPlugin(options)], logLevel: 'silent' });
    await bundle.write({ dir: out, format: 'esm' });
    await bundle.close();
    return { main: join(out, 'main.js'), out };
  },
  webpack: (dir, options) => runWebpack(dir, webpackPlugin(options)),
  rspack: (dir, options) => runRspack(dir, rspackPlugin(options)),
  async esbuild(dir, options) {
    const out = join(dir, 'out');
    await esbuildBuild({
      entryPoints: [join(dir, 'main.js')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outdir: out,
      logLevel: 'silent',
      plugins: [esbuildPlugin(options)],
    });
    return { main: join(out, 'main.js'), out };
  },
};

/** The one bundler whose build also runs the bit-exact proof (the proof dominates the time). */
const VERIFYING = 'rollup';

let cliModel: Buffer;
let cliReport: OptimizeReport;

beforeAll(() => {
  ensureBuilt();
  const cliOut = join(scratch, 'cli');
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'tinyseg.js'), 'optimize', example, '-o', cliOut], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tinyseg optimize failed: ${r.stderr}`);
  cliModel = readFileSync(join(cliOut, 'tiny-unet-80x120.tflite'));
  cliReport = JSON.parse(readFileSync(join(cliOut, 'tiny-unet-80x120.plan.json'), 'utf8')) as OptimizeReport;
}, 120_000);

describe.each(Object.keys(builders))('%s', (name) => {
  const verify = name === VERIFYING;

  it(`imports the optimized model, its figures, a ?url asset and ?original (verify ${verify ? 'on' : 'off'})`, async () => {
    const dir = project(name);
    const built = await builders[name]!(dir, verify ? {} : { verify: false });
    const run = spawnSync(process.execPath, [built.main], { cwd: dir, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const got = JSON.parse(run.stdout);

    expect(got.isBytes).toBe(true);
    expect(Buffer.from(got.model, 'base64').equals(cliModel)).toBe(true);
    expect(Buffer.from(got.original, 'base64').equals(readFileSync(example))).toBe(true);

    const report = got.report as OptimizeReport;
    expect(got.arenaSize).toBe(cliReport.after.arenaSize);
    expect(got.arenaSize).toBeGreaterThanOrEqual(report.after.head + report.after.tail);
    // The report names the model relative to the project (Vite's root, else the working directory), not by its absolute path.
    expect(report.model).toBe(name === 'vite' ? 'model.tflite' : relative(process.cwd(), join(dir, 'model.tflite')));
    const { model: _m, verified, verification, ...figures } = report;
    const { model: _c, verified: cliVerified, verification: cliVerification, ...cliFigures } = cliReport;
    expect(figures).toEqual(cliFigures);
    if (verify) {
      expect(verified).toBe(true);
      expect(verification).toEqual(cliVerification);
    } else {
      expect(verified).toBe(null);
    }
    const cliCustom = [...new Set(loadGraph(new Uint8Array(cliModel)).main.ops.filter((o) => o.opcode === 'CUSTOM').map((o) => o.customCode!))].sort();
    expect(cliCustom.length).toBeGreaterThan(0);
    expect(got.customOps).toEqual(cliCustom);

    // The ?url asset is a file of the build output holding the optimized bytes. Rollup and
    // rolldown give a file: URL, Vite one under its base ('/'), webpack, Rspack and esbuild
    // one relative to the output's public path ('' under Node).
    const asset = got.url.startsWith('file:') ? fileURLToPath(got.url) : join(built.out, got.url);
    expect(relative(built.out, asset).startsWith('..')).toBe(false);
    expect(asset.endsWith('.tflite')).toBe(true);
    expect(readFileSync(asset).equals(cliModel)).toBe(true);

    // ?timeline: the CLI's --svg chart, titled with the report's model name.
    expect(got.timeline).toMatch(/^<svg [^]*<\/svg>\n$/);
    expect(got.timeline).toContain(`${report.model}: memory before and after TinySeg`);
    expect(got.timeline).toMatch(/TinySeg\w+: fetch conv_5/);
  });

  it('fails the build on a corrupt model, naming the model and its importer', async () => {
    const bytes = new Uint8Array(readFileSync(example).subarray(0, 4000));
    const dir = project(`${name}-corrupt`, bytes);
    const error = await builders[name]!(dir, { verify: false }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    const message = String((error as { errors?: { text: string }[] }).errors?.map((e) => e.text).join('\n') ?? '') + (error as Error).message;
    expect(message).toContain(join(dir, 'model.tflite'));
    expect(message).toContain(`imported by ${join(dir, 'main.js')}`);
    // webpack and Rspack print the line once per failed module (the three imports), without a stack (docs/bundlers.md).
    const printed = (error as { printed?: string }).printed;
    if (name === 'webpack' || name === 'rspack') {
      const failedModules = printed?.match(/ERROR in /g)?.length ?? 0;
      expect(failedModules).toBeGreaterThan(0);
      expect(printed?.split(`${join(dir, 'model.tflite')}: `).length).toBe(failedModules + 1);
      expect(printed).not.toMatch(/^\s+at /m);
    }
  });
});

describe('what a build prints', () => {
  /** What `run` writes to stdout (the plugin prints there, as the bundlers do). */
  async function stdoutOf(run: () => Promise<unknown>): Promise<string> {
    let text = '';
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => {
      text += String(chunk);
      return true;
    }) as typeof process.stdout.write;
    try {
      await run();
    } finally {
      process.stdout.write = write;
    }
    return text;
  }

  it('is one line per model unless asked for the report or for nothing', async () => {
    const dir = project('log');
    const model = relative(process.cwd(), join(dir, 'model.tflite'));
    // The model is imported four ways and optimized once: one line.
    const line = await stdoutOf(() => builders['rollup']!(dir, { verify: false }));
    expect(line).toMatch(new RegExp(`^tinyseg: ${model.replace(/[.]/g, '\\.')}: allocate ${cliReport.after.arenaSize.toLocaleString('en-US')} B, head [\\d,]+ B -> [\\d,]+ B \\([\\d.]+% less\\), not verified(, cache hit)?\\n$`));
    const full = await stdoutOf(() => builders['webpack']!(dir, { verify: false, log: 'report' }));
    expect(full).toContain('Passes\n');
    expect(full).toMatch(/Allocate [\d,]+ bytes for the tensor arena/);
    expect(await stdoutOf(() => builders['esbuild']!(dir, { verify: false, log: false }))).toBe('');
  });
});

describe('vite dev server', () => {
  it('serves the optimized model, a data: URL for ?url, and the error of a corrupt model', async () => {
    const dir = project('vite-dev');
    writeFileSync(join(dir, 'bad.tflite'), readFileSync(example).subarray(0, 4000));
    writeFileSync(join(dir, 'bad.js'), "export { default } from './bad.tflite';\n");
    writeFileSync(join(dir, 'exports.js'), "export { default as model, arenaSize } from './model.tflite';\nexport { default as url } from './model.tflite?url';\n");
    const server = await createServer({
      root: dir,
      configFile: false,
      logLevel: 'silent',
      server: { middlewareMode: true, hmr: false, ws: false },
      plugins: [vitePlugin({ verify: false })],
    });
    try {
      const m = await server.ssrLoadModule('/exports.js');
      expect(Buffer.from(m.model as Uint8Array).equals(cliModel)).toBe(true);
      expect(m.arenaSize).toBe(cliReport.after.arenaSize);
      const prefix = 'data:application/octet-stream;base64,';
      expect((m.url as string).startsWith(prefix)).toBe(true);
      expect(Buffer.from((m.url as string).slice(prefix.length), 'base64').equals(cliModel)).toBe(true);
      const error = await server.ssrLoadModule('/bad.js').then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(error?.message).toContain(join(dir, 'bad.tflite'));
      expect(error?.message).toContain(`imported by ${join(dir, 'bad.js')}`);
    } finally {
      await server.close();
    }
  });
});

describe('watch mode', () => {
  it('rebuilds when the model changes, also when only ?url and ?original import it', async () => {
    const dir = project('rollup-watch');
    // Rollup watches a plain import's file itself; a query id is watched only through addWatchFile.
    writeFileSync(join(dir, 'main.js'), "import url from './model.tflite?url';\nimport original from './model.tflite?original';\nconsole.log(url, original.length);\n");
    const watcher = watch({
      input: join(dir, 'main.js'),
      plugins: [rollupPlugin({ verify: false })],
      output: { dir: join(dir, 'out'), format: 'es' },
      onwarn: () => {},
      watch: { buildDelay: 50 },
    });
    const events: RollupWatcherEvent[] = [];
    const next = (code: string) =>
      new Promise<RollupWatcherEvent>((done) => {
        const check = () => {
          const e = events.find((x) => x.code === code);
          if (e) return done(e);
          setTimeout(check, 20);
        };
        check();
      });
    watcher.on('event', (e) => {
      events.push(e);
      if (e.code === 'BUNDLE_END') void e.result.close();
    });
    try {
      await next('BUNDLE_END');
      writeFileSync(join(dir, 'model.tflite'), readFileSync(example).subarray(0, 4000));
      const error = await next('ERROR');
      expect(error.code === 'ERROR' && error.error.message).toContain(join(dir, 'model.tflite'));
    } finally {
      await watcher.close();
    }
  });
});

describe('options', () => {
  it.each([
    [{ maxSpillBytes: -1 }, /maxSpillBytes must be a whole number of bytes/],
    [{ arenaBudget: '100k' }, /arenaBudget must be a whole number of bytes/],
    [{ verify: 'yes' }, /verify must be true, false or/],
    [{ verify: { inputs: 1.5 } }, /verify.inputs must be a whole number, got 1.5$/],
    [{ spill: 1 }, /spill must be true or false/],
    [{ lossySpill: 'int4' }, /lossySpill must be 'int8', got "int4"/],
    [{ include: 42 }, /include takes RegExps and paths/],
    [{ emitDir: 'fw' }, /unknown option 'emitDir'/],
    [{ log: 'verbose' }, /log must be 'line', 'report' or false, got "verbose"/],
    [{ emit: '' }, /emit must be a non-empty string/],
    [{ targetProfile: 'mps2-an386' }, /targetProfile needs emit/],
    [{ emit: 'fw', storage: 'sram' }, /storage must be one of psram, flash, internal-flash, remote/],
    [{ emit: 'fw', targetProfile: 'no-such-board' }, /targetProfile: .*not a built-in target/],
    [{ customOps: [{ name: 'MyOp', scratchBytes: -4 }] }, /customOps: custom operator 'MyOp': scratch must be a non-negative whole number of bytes/],
    [{ customOps: [{ name: 'MyOp', rowLocal: 'yes' }] }, /customOps: custom operator 'MyOp': rowLocal must be true or false/],
    [{ customOps: 'MyOp' }, /customOps must be a list/],
    [{ allowUnproved: 'yes' }, /allowUnproved must be true or false/],
  ])('rejects %j when the plugin is created, in every bundler', (options, message) => {
    for (const create of [vitePlugin, rollupPlugin, rolldownPlugin, webpackPlugin, rspackPlugin, esbuildPlugin] as ((o: unknown) => unknown)[]) {
      expect(() => create(options)).toThrowError(expect.objectContaining({ code: 'E_USAGE', message: expect.stringMatching(message) }));
    }
  });

  it("gives optimize() the emit target's core, as --emit --target in the CLI: CMSIS-NN's buffers follow it", () => {
    const m55 = join(scratch, 'm55.json');
    writeFileSync(m55, JSON.stringify({ name: 'm55-board', cpu: 'cortex-m55', sram: { size: 512 * 1024 }, psram: { base: '0x60000000', size: 8 << 20, bytesPerSecond: 40e6 } }));
    const resolved = resolvePluginOptions({ emit: 'fw', targetProfile: m55 }).optimize;
    expect(resolved.target?.cpu).toBe('cortex-m55');
    expect(resolved.kernels).toBeUndefined();
    const report = optimize(new Uint8Array(readFileSync(example)), { ...resolved, verify: false });
    expect([report.report.kernels, report.report.isa]).toEqual(['cmsis-nn', 'mve']);
    expect(resolvePluginOptions({ emit: 'fw', targetProfile: m55, kernels: 'reference' }).optimize.kernels).toBe('reference');
    expect(resolvePluginOptions({}).optimize.target).toBeUndefined();
  });

  it('passes lossySpill on to optimize() as the CLI passes --lossy-spill', () => {
    expect(resolvePluginOptions({ lossySpill: 'int8' }).optimize.lossySpill).toBe('int8');
    expect(resolvePluginOptions({}).optimize.lossySpill).toBeUndefined();
  });

  it('emit writes the C sources of the optimized model, only when they change (esbuild)', async () => {
    const dir = project('emit');
    const fw = join(dir, 'fw');
    const options: TinysegPluginOptions = { verify: false, emit: fw, emitName: 'seg', storage: 'psram', targetProfile: 'mps2-an500' };
    await builders.esbuild!(dir, options);
    expect(readdirSync(fw).sort()).toEqual([
      'seg_arena.h',
      'seg_model.cc',
      'seg_model.h',
      'seg_resolver.h',
      'seg_sections.ld',
      'seg_tinyseg.c',
      'seg_tinyseg.h',
      'tinyseg_runtime.c',
      'tinyseg_runtime.h',
      'tinyseg_tflm_kernels.cc',
      'tinyseg_tflm_kernels.h',
    ]);
    // The emit target (a Cortex-M7 with DSP) sets the kernels the optimizer plans for, as --target does in the CLI.
    const m7Out = join(scratch, 'cli-m7');
    const m7 = spawnSync(
      process.execPath,
      [join(repoRoot, 'bin', 'tinyseg.js'), 'optimize', join(dir, 'model.tflite'), '-o', m7Out, '--target', 'mps2-an500', '--no-verify', '--emit', join(m7Out, 'fw'), '--name', 'seg', '--storage', 'psram'],
      { encoding: 'utf8' },
    );
    expect(m7.stderr).toBe('');
    const m7Report = JSON.parse(readFileSync(join(m7Out, 'model.plan.json'), 'utf8')) as OptimizeReport;
    const header = readFileSync(join(fw, 'seg_arena.h'), 'utf8');
    expect(Number(/^#define SEG_ARENA_HEAD (0x[0-9A-F]+)u$/m.exec(header)?.[1])).toBe(m7Report.after.head);
    expect(header).toContain('Target: mps2-an500 (cortex-m7)');
    // The files `tinyseg optimize --emit` writes for the same target, which emit-embedded.system.test.ts compiles.
    for (const f of readdirSync(fw)) expect(readFileSync(join(fw, f), 'utf8'), f).toBe(readFileSync(join(m7Out, 'fw', f), 'utf8'));
    expect(Number(/seg_model_len = (0x[0-9A-F]+)u;/.exec(readFileSync(join(fw, 'seg_model.cc'), 'utf8'))?.[1])).toBe(
      readFileSync(join(m7Out, 'model.tflite')).length,
    );
    // A rebuild of the same model leaves the files alone, so a firmware build does not recompile them.
    const before = statSync(join(fw, 'seg_model.cc')).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    await builders.esbuild!(dir, options);
    expect(statSync(join(fw, 'seg_model.cc')).mtimeMs).toBe(before);
  });

  it('customOps declares a custom operator of another project; allowUnproved writes what the proof cannot cover (esbuild)', async () => {
    const dir = project('custom-op', unetWithCustomOp(32, 48));
    const fw = join(dir, 'fw');
    const customOps = [{ name: MEDIAPIPE_OP, scratchBytes: 1024, persistentBytes: 64 }];
    const refused = await builders.esbuild!(dir, { customOps, verify: { inputs: 1 } }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(String((refused as Error).message)).toMatch(/not written: proved on 2 inputs: ops 0-21 bit-exact.*Convolution2DTransposeBias at op 22.*--allow-unproved \(plugin: allowUnproved/);
    const built = await builders.esbuild!(dir, { customOps, allowUnproved: true, verify: { inputs: 1 }, emit: fw, emitName: 'seg' });
    const printed = JSON.parse(spawnSync(process.execPath, [built.main], { encoding: 'utf8' }).stdout) as { report: OptimizeReport; customOps: string[] };
    expect(printed.report.unproved).toEqual([{ op: 22, name: MEDIAPIPE_OP }]);
    expect(printed.report.proof).toContain('not proved: the outputs of 1 custom operator');
    expect(printed.customOps).toContain(MEDIAPIPE_OP);
    expect(readFileSync(join(fw, 'seg_resolver.h'), 'utf8')).toContain(`AddCustom("${MEDIAPIPE_OP}", Register_CONVOLUTION2DTRANSPOSEBIAS())`);
  });

  it('reports a cache that cannot be written as a build warning, and still builds', async () => {
    const dir = project('cache-warning');
    const notADir = join(dir, 'not-a-dir');
    writeFileSync(notADir, '');
    const saved = process.env.CACHE_DIR;
    process.env.CACHE_DIR = notADir;
    const warnings: string[] = [];
    try {
      const bundle = await rollup({ input: join(dir, 'main.js'), plugins: [rollupPlugin({ verify: false })], onwarn: (w) => void warnings.push(w.message) });
      await bundle.close();
    } finally {
      process.env.CACHE_DIR = saved;
    }
    expect(warnings.filter((w) => w.includes('cache entry not written'))).toHaveLength(1);
    expect(warnings.find((w) => w.includes('cache entry not written'))).toContain('model.tflite');
  });

  it('leaves excluded models to the bundler', async () => {
    const dir = project('excluded');
    const error = await builders.rollup!(dir, { verify: false, exclude: /model\.tflite$/ }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    // Without TinySeg, Rollup parses the binary file as JavaScript and fails.
    expect(error?.message ?? '').not.toContain('imported by');
    expect(error).toBeInstanceOf(Error);
  });
});
