// The two hosts the tfjs-tflite comparison runs in (bench/tfjs-tflite.js).
//
// Node: tfjs-tflite's loader expects a browser worker, so it gets the few
// globals it reads (self, location, importScripts, a fetch of its wasm files);
// without MessageChannel it picks the single-threaded SIMD build
// (test/helpers/tfjs-tflite.ts does the same).
//
// Chromium: one headless page, as test/helpers/tfjs-tflite-browser.ts opens it
// (Playwright, files from node_modules through a local server, no network),
// which also loads TinySeg's interpreter bundled for the browser by esbuild,
// so both run in the same page. The page is not cross-origin isolated, so the
// loader picks the single-threaded SIMD build there too.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { runInThisContext } from 'node:vm';
import { measureModel } from './tfjs-tflite-measure.js';

const require = createRequire(import.meta.url);
const packageDir = (name) => dirname(require.resolve(`${name}/package.json`));
const WASM_DIR = join(packageDir('@tensorflow/tfjs-tflite'), 'wasm');

/** Makes tfjs-tflite and TinySeg's interpreter the globals measureModel reads, in this Node process. */
export async function nodeHost(root) {
  const g = globalThis;
  const nodeFetch = g.fetch;
  g.self = globalThis;
  g.location = { href: `file://${WASM_DIR}/`, origin: 'file://' };
  g.importScripts = (url) => {
    const file = join(WASM_DIR, basename(String(url)));
    runInThisContext(readFileSync(file, 'utf8'), { filename: file });
  };
  g.fetch = async (url) => {
    const file = join(WASM_DIR, basename(String(url)));
    if (!String(url).endsWith('.wasm')) return nodeFetch(url);
    return new Response(readFileSync(file), { headers: { 'content-type': 'application/wasm' } });
  };
  delete g.MessageChannel;
  const tf = require('@tensorflow/tfjs-core');
  require('@tensorflow/tfjs-backend-cpu');
  const tflite = require('@tensorflow/tfjs-tflite');
  await tf.setBackend('cpu');
  tflite.setWasmPath(`${WASM_DIR}/`);
  g.tflite = tflite;
  g.tinyseg = await import(join(root, 'dist/index.js'));
  const { simdBuild } = await import(join(root, 'dist/ops/simd/simd.js'));
  return {
    features: () => tflite.getWasmFeatures(),
    build: () => simdBuild(),
    measure: (bytes, budgetMs, sampleMs) => measureModel([bytes, budgetMs, sampleMs]),
    close: async () => {},
  };
}

/** TinySeg's interpreter as one browser script (global `tinyseg`), from dist/. */
async function interpreterBundle(root) {
  const esbuild = await import('esbuild');
  const out = await esbuild.build({
    stdin: {
      contents: [
        "export { loadGraph } from './dist/graph/graph.js';",
        "export { Interpreter } from './dist/interpreter/interpreter.js';",
        "export { deterministicInput } from './dist/interpreter/oracle-input.js';",
        "export { simdBuild } from './dist/ops/simd/simd.js';",
      ].join('\n'),
      resolveDir: root,
    },
    bundle: true,
    format: 'iife',
    globalName: 'tinyseg',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return out.outputFiles[0].text;
}

/** Opens headless Chromium on a page holding both runtimes; `measure` runs measureModel there. */
export async function chromiumHost(root, executablePath, models) {
  const { chromium } = await import('playwright-core');
  const scripts = {
    '/tf-core.js': readFileSync(join(packageDir('@tensorflow/tfjs-core'), 'dist', 'tf-core.min.js')),
    '/tf-backend-cpu.js': readFileSync(join(packageDir('@tensorflow/tfjs-backend-cpu'), 'dist', 'tf-backend-cpu.min.js')),
    '/tf-tflite.js': readFileSync(join(packageDir('@tensorflow/tfjs-tflite'), 'dist', 'tf-tflite.min.js')),
    '/tinyseg.js': await interpreterBundle(root),
  };
  const page = `<!doctype html><meta charset="utf-8"><title>bench</title>
${Object.keys(scripts).map((s) => `<script src="${s}"></script>`).join('\n')}
<script>tflite.setWasmPath('/wasm/');</script>`;
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const send = (type, body) => res.writeHead(200, { 'content-type': type }).end(body);
    if (path === '/') return send('text/html', page);
    if (scripts[path]) return send('text/javascript', scripts[path]);
    if (path.startsWith('/wasm/')) {
      try {
        const file = join(WASM_DIR, basename(path));
        return send(file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript', readFileSync(file));
      } catch {
        // falls through to 404
      }
    }
    const model = path.startsWith('/model/') ? models.get(decodeURIComponent(path.slice('/model/'.length))) : undefined;
    if (model) return send('application/octet-stream', readFileSync(model));
    res.writeHead(404).end();
  });
  const origin = await new Promise((done) => server.listen(0, '127.0.0.1', () => done(`http://127.0.0.1:${server.address().port}`)));
  const browser = await chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const tab = await browser.newPage();
  const errors = [];
  tab.on('pageerror', (e) => errors.push(e.message));
  await tab.goto(`${origin}/`);
  await tab.waitForFunction(() => 'tflite' in globalThis && 'tinyseg' in globalThis);
  return {
    features: () => tab.evaluate(() => globalThis.tflite.getWasmFeatures()),
    build: () => tab.evaluate(() => globalThis.tinyseg.simdBuild()),
    version: () => browser.version(),
    async measure(name, budgetMs, sampleMs) {
      const r = await tab.evaluate(measureModel, [`/model/${encodeURIComponent(name)}`, budgetMs, sampleMs]);
      if (errors.length > 0) throw new Error(`page errors: ${errors.splice(0).join('; ')}`);
      return r;
    },
    async close() {
      await browser.close();
      await new Promise((done) => server.close(() => done()));
    },
  };
}
