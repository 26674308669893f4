// examples/vite-app under Vite's dev server, read by a real headless Chromium:
// the page shows the optimized model's figures, follows the model file when it
// is replaced (no manual reload), shows a corrupt model's error in Vite's
// overlay, and recovers when the model is fixed.

import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TinysegError } from '../../src/errors.js';
import { loadGraph, saveGraph } from '../../src/graph/graph.js';
import { buildTinyUnet } from '../../src/graph/tiny-unet.js';
import { optimize, type OptimizeReport } from '../../src/optimize/optimize.js';
import { ensureBuilt, exampleModel, linkTinyseg } from '../helpers/examples.js';
import { repoRoot } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp-dir.js';
import { freePort } from '../helpers/free-port.mjs';

// Found once for the whole run by the system project's setup (test/helpers/system-tools.ts).
const CHROMIUM = inject('chromium');
const scratch = tempDir('tinyseg-vite-dev-');
// The copy keeps the example's layout: src/main.js imports ../../models/<model>.
const appDir = join(scratch, 'vite-app');
const modelPath = join(scratch, 'models', 'tiny-unet-80x120.tflite');

let server: ViteDevServer | undefined;
let browser: Browser | undefined;
const cacheDirBefore = process.env.CACHE_DIR;

/** The app as a user has it after `npm install`: tinyseg and vite in its node_modules (links here). */
function copyApp(): void {
  cpSync(join(repoRoot, 'examples', 'vite-app'), appDir, {
    recursive: true,
    filter: (src) => !/[/\\](node_modules|dist)$/.test(src),
  });
  linkTinyseg(appDir);
  symlinkSync(join(repoRoot, 'node_modules', 'vite'), join(appDir, 'node_modules', 'vite'), 'dir');
  // The proof is the build's business (vite-app.system.test.ts); here it would only slow each change down.
  const configPath = join(appDir, 'vite.config.js');
  const config = readFileSync(configPath, 'utf8');
  const fast = config.replace('tinyseg()', 'tinyseg({ verify: false })');
  if (fast === config) throw new Error(`${configPath}: no 'tinyseg()' call to give verify: false`);
  writeFileSync(configPath, fast);
  mkdirSync(join(scratch, 'models'));
  cpSync(exampleModel, modelPath);
}

/** What the page must show for a model: the plugin's pipeline, unverified as the dev config says. */
function expected(model: Uint8Array): { figures: Record<string, number>; bytes: Buffer } {
  const r = optimize(model, { verify: false });
  return { figures: figuresOf(r.report), bytes: Buffer.from(r.bytes) };
}

/** The optimized model behind the page's link (a data: URL in the dev server). */
async function linkedBytes(page: Page): Promise<Buffer> {
  const href = await page.locator('#model-url').getAttribute('href');
  expect(href).toMatch(/^data:application\/octet-stream;base64,/);
  return Buffer.from(href!.slice(href!.indexOf(',') + 1), 'base64');
}

/** The figures the page shows, or null while it is (re)loading or shows none. */
async function shownFigures(page: Page): Promise<Record<string, number> | null> {
  try {
    return await page.evaluate(() => {
      const ids = ['before-head', 'before-total', 'after-head', 'after-tail', 'after-total', 'after-lowerBound', 'arena-size'];
      const out: Record<string, number> = {};
      for (const id of ids) {
        const e = document.getElementById(id);
        if (!e) return null;
        out[id] = Number(e.getAttribute('data-bytes'));
      }
      return out;
    });
  } catch {
    return null; // the execution context went away with a reload
  }
}

const figuresOf = (r: OptimizeReport): Record<string, number> => ({
  'before-head': r.before.head,
  'before-total': r.before.total,
  'after-head': r.after.head,
  'after-tail': r.after.tail,
  'after-total': r.after.total,
  'after-lowerBound': r.after.lowerBound,
  'arena-size': r.after.arenaSize,
});

interface Overlay {
  message: string;
  stack: string;
}

/** What Vite's error overlay shows, or null when there is none. */
async function shownOverlay(page: Page): Promise<Overlay | null> {
  try {
    return await page.evaluate(() => {
      const root = document.querySelector('vite-error-overlay')?.shadowRoot;
      if (!root) return null;
      const text = (selector: string): string => root.querySelector(selector)?.textContent ?? '';
      return { message: text('.message-body'), stack: text('.stack') };
    });
  } catch {
    return null;
  }
}

const POLL = { timeout: 30_000, interval: 100 };

beforeAll(() => {
  ensureBuilt();
  copyApp();
  // The optimize cache of this run only: each model is optimized, not read back from an earlier run.
  process.env.CACHE_DIR = join(scratch, 'cache');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (cacheDirBefore === undefined) delete process.env.CACHE_DIR;
  else process.env.CACHE_DIR = cacheDirBefore;
});

describe('examples/vite-app on the Vite dev server', () => {
  it('follows the model file: new figures, the error overlay for a corrupt model, recovery', async () => {
    const original = new Uint8Array(readFileSync(modelPath));
    const smaller = saveGraph(buildTinyUnet({ height: 48, width: 72 }));
    const corrupt = original.slice(0, 4000);
    let reason = '';
    try {
      loadGraph(corrupt);
    } catch (e) {
      if (!(e instanceof TinysegError)) throw e;
      reason = e.message;
    }
    expect(reason, 'the corrupt model must not load').not.toBe('');
    const first = expected(original);
    const second = expected(smaller);
    expect(second.figures['after-total']).not.toBe(first.figures['after-total']);

    const port = await freePort();
    server = await createServer({ root: appDir, logLevel: 'silent', server: { host: '127.0.0.1', port, strictPort: true, open: false } });
    await server.listen();

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`http://127.0.0.1:${port}/`);

    // 1. The optimized model's figures.
    await expect.poll(() => shownFigures(page), POLL).toEqual(first.figures);
    expect(await page.locator('#summary code').textContent()).toBe(relative(appDir, modelPath));
    expect((await linkedBytes(page)).equals(first.bytes)).toBe(true);

    // 2. Another valid model: the page follows by itself (the test never reloads it).
    writeFileSync(modelPath, smaller);
    await expect.poll(() => shownFigures(page), POLL).toEqual(second.figures);
    expect((await linkedBytes(page)).equals(second.bytes), 'the ?url import follows too').toBe(true);

    // 3. A corrupt model: Vite's overlay names the model and the reason.
    writeFileSync(modelPath, corrupt);
    await expect.poll(async () => (await shownOverlay(page))?.message ?? '', POLL).toContain(modelPath);
    const overlay = (await shownOverlay(page))!;
    expect(overlay.message).toContain(`${modelPath}: ${reason}`);
    expect(overlay.message).toContain(`(imported by ${join(appDir, 'src', 'main.js')})`);
    // One line says it all: no stack into the bundler's sources.
    expect(overlay.stack).toBe('');

    // 4. Fixed again: the overlay goes, the figures come back.
    writeFileSync(modelPath, original);
    await expect.poll(() => shownFigures(page), POLL).toEqual(first.figures);
    await expect.poll(() => shownOverlay(page), POLL).toBeNull();
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
