// tfjs-tflite (TFLite's runtime compiled to wasm, with its own JS loader) run
// where it is made to run: a page in headless Chromium. Everything the page
// loads comes from node_modules through a local node:http server (the UMD
// bundles of tfjs-core, tfjs-backend-cpu and tfjs-tflite, the wasm files via
// tflite.setWasmPath), so the test needs no network. The page is not
// cross-origin isolated, so the loader picks a single-threaded wasm build.

import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

/** URL path -> file: the three UMD bundles; /wasm/ is tfjs-tflite's wasm directory. */
const SCRIPTS: Record<string, string> = {
  '/tf-core.js': join(packageDir('@tensorflow/tfjs-core'), 'dist', 'tf-core.min.js'),
  '/tf-backend-cpu.js': join(packageDir('@tensorflow/tfjs-backend-cpu'), 'dist', 'tf-backend-cpu.min.js'),
  '/tf-tflite.js': join(packageDir('@tensorflow/tfjs-tflite'), 'dist', 'tf-tflite.min.js'),
};
const WASM_DIR = join(packageDir('@tensorflow/tfjs-tflite'), 'wasm');

const PAGE = `<!doctype html><meta charset="utf-8"><title>tfjs-tflite</title>
${Object.keys(SCRIPTS)
  .map((s) => `<script src="${s}"></script>`)
  .join('\n')}
<script>tflite.setWasmPath('/wasm/');</script>`;

/** One tensor crossing into or out of the page: its dtype as tfjs names it, shape, raw little-endian bytes in base64. */
export interface PageTensor {
  dtype: 'float32' | 'int32' | 'bool';
  shape: number[];
  base64: string;
}

export interface TfliteRun {
  outputs: PageTensor[];
  /** The node types TFLite's profiler reports: a builtin name, or the delegate ('TfLiteXNNPackDelegate') that took the nodes. */
  nodeTypes: string[];
}

interface WasmFeatures {
  simd: boolean;
  multiThreading: boolean;
}

export interface TfliteBrowser {
  /** Runs `model` on `inputs` (in the model's input order); outputs in the model's output order. */
  run(model: Uint8Array, inputs: PageTensor[]): Promise<TfliteRun>;
  /** Which wasm build the loader picked (SIMD, threads). */
  wasmFeatures(): Promise<WasmFeatures>;
  close(): Promise<void>;
}

function serve(models: Map<string, Uint8Array>): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const send = (type: string, body: string | Uint8Array) => res.writeHead(200, { 'content-type': type }).end(body);
    if (path === '/') return send('text/html', PAGE);
    if (SCRIPTS[path]) return send('text/javascript', readFileSync(SCRIPTS[path]));
    if (path.startsWith('/wasm/')) {
      const file = join(WASM_DIR, basename(path));
      try {
        return send(file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript', readFileSync(file));
      } catch {
        // falls through to 404
      }
    }
    const model = path.startsWith('/model/') ? models.get(path.slice('/model/'.length)) : undefined;
    if (model) return send('application/octet-stream', model);
    res.writeHead(404).end();
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done({ server, origin: `http://127.0.0.1:${(server.address() as { port: number }).port}` })));
}

/** Runs in the page: loads the served model with profiling on, feeds the inputs, reads every output back as bytes. */
async function runInPage([url, inputs]: [string, PageTensor[]]): Promise<TfliteRun> {
  type T = { dataSync(): ArrayLike<number> & { buffer: ArrayBuffer; byteOffset: number; byteLength: number }; dtype: string; shape: number[]; dispose(): void };
  const w = globalThis as unknown as {
    tf: { tensor(v: ArrayLike<number>, shape: number[], dtype: string): T };
    tflite: {
      loadTFLiteModel(url: string, o: object): Promise<{
        outputs: { name: string }[];
        predict(x: T[]): T | Record<string, T>;
        getProfilingResults(): { nodeType: string }[];
      }>;
    };
  };
  const fromBase64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  const toBase64 = (b: Uint8Array) => btoa(Array.from(b, (c) => String.fromCharCode(c)).join(''));
  const model = await w.tflite.loadTFLiteModel(url, { numThreads: 1, enableProfiling: true });
  const tensors = inputs.map((t) => {
    const bytes = fromBase64(t.base64).buffer;
    return w.tf.tensor(t.dtype === 'float32' ? new Float32Array(bytes) : new Int32Array(bytes), t.shape, t.dtype);
  });
  const out = model.predict(tensors);
  // One output comes back as a tensor, several as a map keyed by output name.
  const list = 'dataSync' in out ? [out as T] : model.outputs.map((o) => (out as Record<string, T>)[o.name]!);
  const outputs = list.map((t) => {
    const d = t.dataSync();
    return { dtype: t.dtype as PageTensor['dtype'], shape: t.shape, base64: toBase64(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)) };
  });
  for (const t of [...tensors, ...list]) t.dispose();
  return { outputs, nodeTypes: model.getProfilingResults().map((p) => p.nodeType) };
}

/** Launches Chromium once and opens the page; every run after that reuses the page. */
export async function openTfliteBrowser(executablePath: string): Promise<TfliteBrowser> {
  const models = new Map<string, Uint8Array>();
  const { server, origin } = await serve(models);
  let browser: Browser | undefined;
  let page: Page;
  const errors: string[] = [];
  const consoleLines: string[] = [];
  try {
    browser = await chromium.launch({
      executablePath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    // TFLite prints why it refuses a model (an unresolved custom op, a failed Prepare) on the console; the thrown error only says it could not.
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') consoleLines.push(m.text());
    });
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => 'tflite' in globalThis);
  } catch (e) {
    await browser?.close();
    server.close();
    throw e;
  }
  let next = 0;
  return {
    async run(model, inputs) {
      const name = `${next++}.tflite`;
      models.set(name, model);
      consoleLines.length = 0;
      try {
        const result = await page.evaluate(runInPage, [`/model/${name}`, inputs] as [string, PageTensor[]]).catch((e: Error) => {
          throw new Error(`${e.message}${consoleLines.length > 0 ? `\nconsole: ${consoleLines.join('\n')}` : ''}`);
        });
        if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
        return result;
      } finally {
        models.delete(name);
      }
    },
    wasmFeatures: () => page.evaluate(() => (globalThis as unknown as { tflite: { getWasmFeatures(): Promise<WasmFeatures> } }).tflite.getWasmFeatures()),
    async close() {
      await browser!.close();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

export const toPageTensor = (dtype: PageTensor['dtype'], shape: number[], data: Float32Array | Int32Array): PageTensor => ({
  dtype,
  shape,
  base64: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64'),
});

export const pageTensorBytes = (t: PageTensor): Uint8Array => new Uint8Array(Buffer.from(t.base64, 'base64'));
