// A Vite app as a user makes it, from the package npm would publish: the
// packed tarball unpacked into the app's node_modules (its dependencies
// linked from this repository's, as an offline install would find them),
// `vite build` run by Vite's own CLI, the page served by `vite preview` and
// run in headless Chromium. The page imports the optimized models, their
// `?original` and `?meta`, and `tinyseg/runtime`; it must build with no
// browser-compatibility warning, print one summary line per model, and give
// the bytes `tinyseg run` (the packed CLI) gives on the same input, in an
// arena whose byteLength is the plan's <NAME>_ARENA_SIZE. A second page uses
// only the runtime and `?url`: its JavaScript is what the runtime costs.

import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cliOptimize, ensureBuilt, exampleModel, type CliResult } from '../helpers/examples.js';
import { repoRoot } from '../helpers/paths.js';
import { prng } from '../helpers/prng.js';
import { modelsDir } from '../helpers/shared.js';
import { tempDir } from '../helpers/temp-dir.js';
import { freePort } from '../helpers/free-port.mjs';

const CHROMIUM = inject('chromium');
const scratch = tempDir('tinyseg-edge-app-');
const app = join(scratch, 'app');
const MODELS = { tinyUnet: exampleModel, nanoU: join(modelsDir, 'nano-u-int8-60x80.tflite') } as const;
type ModelName = keyof typeof MODELS;

let server: PreviewServer | undefined;
let browser: Browser | undefined;
let page: Page;
let buildLog: string;
const cli = {} as Record<ModelName, CliResult>;

function ok(cmd: string, args: string[], cwd: string): { stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stdout}${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

const MAIN = `
import tinyUnet from './tiny-unet-80x120.tflite';
import tinyUnetOriginal from './tiny-unet-80x120.tflite?original';
import tinyUnetMeta from './tiny-unet-80x120.tflite?meta';
import nanoU from './nano-u-int8-60x80.tflite';
import nanoUOriginal from './nano-u-int8-60x80.tflite?original';
import nanoUMeta from './nano-u-int8-60x80.tflite?meta';
import { loadModel } from 'tinyseg/runtime';

const models = {
  tinyUnet: { optimized: tinyUnet, original: tinyUnetOriginal, meta: tinyUnetMeta },
  nanoU: { optimized: nanoU, original: nanoUOriginal, meta: nanoUMeta },
};
const bytesOf = (a) => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));

window.edge = {
  model: (name) => Array.from(models[name].optimized),
  inputBytes: (name) => loadModel(models[name].original).inputs[0].byteLength,
  run(name, variant, input, repeats) {
    const model = loadModel(models[name][variant]);
    const times = [];
    let outputs;
    for (let i = 0; i < repeats; i++) {
      const t = performance.now();
      outputs = model.run(new Uint8Array(input));
      times.push(performance.now() - t);
    }
    return {
      outputs: outputs.map(bytesOf),
      viewsOfArena: [...model.inputs, ...model.outputs].every((t) => t.data.buffer === model.arena),
      arenaBytes: model.arena.byteLength,
      spillBytes: model.spillRegion.byteLength,
      plan: model.plan,
      meta: models[name].meta,
      times,
    };
  },
};
document.body.dataset.ready = 'true';
`;

const RUNTIME_ONLY = `
import { loadModel } from 'tinyseg/runtime';
import url from './tiny-unet-80x120.tflite?url';
import { arenaSize } from './tiny-unet-80x120.tflite?meta';

const model = loadModel(new Uint8Array(await (await fetch(url)).arrayBuffer()));
document.body.dataset.arena = String(model.arena.byteLength);
document.body.dataset.meta = String(arenaSize);
`;

const html = (script: string) => `<!doctype html>\n<html><head><meta charset="utf-8"><title>edge</title></head><body><script type="module" src="./${script}"></script></body></html>\n`;

beforeAll(async () => {
  ensureBuilt();
  // The package as npm publishes it, unpacked where `npm install <tarball>` puts it.
  const [packed] = JSON.parse(ok('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], repoRoot).stdout) as { filename: string }[];
  ok('tar', ['-xzf', join(scratch, packed!.filename)], scratch);
  mkdirSync(join(app, 'node_modules'), { recursive: true });
  renameSync(join(scratch, 'package'), join(app, 'node_modules', 'tinyseg'));
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  for (const dep of [...Object.keys(pkg.dependencies), 'vite']) symlinkSync(join(repoRoot, 'node_modules', dep), join(app, 'node_modules', dep), 'dir');

  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'edge-app', private: true, type: 'module' }));
  writeFileSync(join(app, 'vite.config.js'), [
    "import { resolve } from 'node:path';",
    "import tinyseg from 'tinyseg/vite';",
    'export default {',
    '  plugins: [tinyseg()],',
    // The main page inlines two optimized models and their originals (?original): Vite's advice on a chunk over
    // 500 kB is about the app's chunking, not the browser compatibility this test looks for.
    "  build: { target: 'es2022', chunkSizeWarningLimit: 1024, rollupOptions: { input: { main: resolve('index.html'), runtime: resolve('runtime-only.html') } } },",
    '};',
    '',
  ].join('\n'));
  writeFileSync(join(app, 'index.html'), html('main.js'));
  writeFileSync(join(app, 'main.js'), MAIN);
  writeFileSync(join(app, 'runtime-only.html'), html('runtime-only.js'));
  writeFileSync(join(app, 'runtime-only.js'), RUNTIME_ONLY);
  for (const [name, file] of Object.entries(MODELS)) {
    copyFileSync(file, join(app, basename(file)));
    cli[name as ModelName] = cliOptimize(file, join(scratch, 'cli', name));
  }

  // Vite's own CLI, as `npm run build` runs it.
  const built = ok(process.execPath, [join(app, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'], app);
  buildLog = built.stdout + built.stderr;

  const port = await freePort();
  server = await preview({ root: app, logLevel: 'silent', preview: { host: '127.0.0.1', port, strictPort: true, open: false } });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.locator('body[data-ready="true"]').waitFor({ state: 'attached', timeout: 30_000 });
  expect(errors).toEqual([]);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((done) => (server ? server.httpServer.close(() => done()) : done()));
});

interface PageRun {
  outputs: number[][];
  viewsOfArena: boolean;
  arenaBytes: number;
  spillBytes: number;
  plan: { head: number; tail: number; used: number; arenaSize: number; spillRegionSize: number };
  meta: { arenaSize: number; arenaUsed: { before: number; after: number }; spillRegionSize: number; modelSize: number; verified: boolean | null };
  times: number[];
}

/** `tinyseg run` of the packed package on `model` with `input`: its outputs' bytes. */
function tinysegRun(model: string, input: Uint8Array, out: string): Buffer[] {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'in.bin'), input);
  ok(process.execPath, [join(app, 'node_modules', 'tinyseg', 'bin', 'tinyseg.js'), 'run', model, '--input', join(out, 'in.bin'), '--out', out], app);
  return readdirSync(out).filter((f) => /^out\d+\.bin$/.test(f)).sort().map((f) => readFileSync(join(out, f)));
}

/** The page's `window.edge`. */
interface PageEdge {
  model(name: string): number[];
  inputBytes(name: string): number;
  run(name: string, variant: string, input: number[], repeats: number): PageRun;
}

/** Calls a method of the page's `window.edge` (its arguments and result pass as JSON). */
const edge = <K extends keyof PageEdge>(method: K, ...args: Parameters<PageEdge[K]>): Promise<ReturnType<PageEdge[K]>> =>
  page.evaluate(
    ([m, a]) => (window as never as { edge: Record<string, (...x: unknown[]) => unknown> }).edge[m]!(...a),
    [method, args as unknown[]] as const,
  ) as Promise<ReturnType<PageEdge[K]>>;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('a Vite app built from the packed package', () => {
  it('builds with no browser-compatibility warning and one summary line per model', () => {
    expect(buildLog).not.toMatch(/externalized for browser compatibility|new URL\(|Module "node:/);
    expect(buildLog).not.toMatch(/\[warn|warning/i);
    for (const file of Object.values(MODELS)) {
      const lines = buildLog.split('\n').filter((l) => l.startsWith(`tinyseg: ${basename(file)}: `));
      expect(lines, basename(file)).toHaveLength(1);
      expect(lines[0]).toMatch(/allocate [\d,]+ B, head [\d,]+ B -> [\d,]+ B \([\d.]+% less\), verified bit-exact/);
    }
  });

  it.each(Object.keys(MODELS) as ModelName[])('%s: the page computes what `tinyseg run` does, in an arena of the planned size', async (name) => {
    const { report, model: cliModel } = cli[name];
    // The plugin's optimized bytes are the CLI's.
    expect(Buffer.from(await edge('model', name)).equals(cliModel)).toBe(true);
    const optimizedFile = join(scratch, 'cli', name, basename(MODELS[name]));
    const next = prng(name.length);
    const input = Uint8Array.from({ length: await edge('inputBytes', name) }, () => next() >>> 24);
    const expected = tinysegRun(optimizedFile, input, join(scratch, 'run', name, 'optimized'));
    // The optimizer's promise, from the CLI: the original computes the same bytes.
    expect(tinysegRun(MODELS[name], input, join(scratch, 'run', name, 'original')).map((b) => b.toString('hex'))).toEqual(expected.map((b) => b.toString('hex')));

    const runs: Record<string, PageRun> = {};
    for (const variant of ['optimized', 'original'] as const) {
      const got = await edge('run', name, variant, Array.from(input), 5);
      expect(got.outputs.map((o) => Buffer.from(o).toString('hex')), `${name} ${variant}`).toEqual(expected.map((b) => b.toString('hex')));
      expect(got.viewsOfArena).toBe(true);
      runs[variant] = got;
    }
    const optimized = runs['optimized']!;
    expect(optimized.arenaBytes).toBe(report.after.arenaSize);
    expect(optimized.meta.arenaSize).toBe(report.after.arenaSize);
    const { head, tail, total, arenaSize } = report.after;
    expect(optimized.plan).toEqual({ head, tail, used: total, arenaSize, spillRegionSize: report.spill.regionBytes });
    expect(optimized.spillBytes).toBe(report.spill.regionBytes);
    expect(optimized.meta.verified).toBe(true);
    expect(runs['original']!.plan.used).toBe(report.before.total);
    expect(runs['original']!.arenaBytes).toBeGreaterThanOrEqual(report.before.total);
    console.log(
      `${name}: Chromium, tinyseg/runtime, median of 5: original ${median(runs['original']!.times).toFixed(1)} ms (arena ${runs['original']!.arenaBytes} B), ` +
        `optimized ${median(optimized.times).toFixed(1)} ms (arena ${optimized.arenaBytes} B, spill region ${optimized.spillBytes} B)`,
    );
  });

  it('a page of the runtime alone ships no model and loads the ?url asset into the planned arena', async () => {
    const dist = join(app, 'dist');
    const runtimePage = readFileSync(join(dist, 'runtime-only.html'), 'utf8');
    const scripts = [...runtimePage.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    const js = scripts.map((s) => readFileSync(join(dist, s)));
    const bytes = js.reduce((n, b) => n + b.length, 0);
    const gzip = js.reduce((n, b) => n + gzipSync(b).length, 0);
    // The runtime's kernels, well below what an inlined model would add (146 KB of Tiny U-Net, a third more as base64).
    expect(bytes).toBeLessThan(320_000);
    // Neither model's bytes (inlined as base64) are in it.
    const b64 = (m: Buffer) => m.subarray(4096, 4096 + 3 * 256).toString('base64');
    for (const name of Object.keys(MODELS) as ModelName[]) expect(js.some((b) => b.toString('latin1').includes(b64(cli[name].model)))).toBe(false);
    expect(readdirSync(join(dist, 'assets')).some((f) => f.endsWith('.tflite') && statSync(join(dist, 'assets', f)).size === cli.tinyUnet.model.length)).toBe(true);
    const port = server!.httpServer.address() as { port: number };
    await page.goto(`http://127.0.0.1:${port.port}/runtime-only.html`);
    await page.locator('body[data-arena]').waitFor({ state: 'attached', timeout: 30_000 });
    expect(Number(await page.locator('body').getAttribute('data-arena'))).toBe(cli.tinyUnet.report.after.arenaSize);
    expect(Number(await page.locator('body').getAttribute('data-meta'))).toBe(cli.tinyUnet.report.after.arenaSize);
    console.log(`runtime-only page: ${bytes} B of JavaScript (${gzip} B gzip) for ${cli.tinyUnet.model.length} B of model fetched as ?url`);
  });
});

