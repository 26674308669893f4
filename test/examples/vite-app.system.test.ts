// examples/vite-app built with Vite's API from its own vite.config.js, served
// by `vite preview`, and read by a real headless Chromium: the page must show
// the figures `tinyseg optimize` writes for the same model, the timeline chart,
// and link the optimized model's bytes.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cliOptimize, ensureBuilt, exampleModel, linkTinyseg, type CliResult } from '../helpers/examples.js';
import { repoRoot } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp-dir.js';
import { freePort } from '../helpers/free-port.mjs';

// Found once for the whole run by the system project's setup (test/helpers/system-tools.ts).
const CHROMIUM = inject('chromium');
const appDir = join(repoRoot, 'examples', 'vite-app');
const scratch = tempDir('tinyseg-vite-app-');

let cli: CliResult;
let server: PreviewServer | undefined;
let browser: Browser | undefined;

beforeAll(() => {
  ensureBuilt();
  linkTinyseg(appDir);
  cli = cliOptimize(exampleModel, join(scratch, 'cli'));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((done) => (server ? server.httpServer.close(() => done()) : done()));
});

describe('examples/vite-app', () => {
  it('shows the memory report of the optimized model in Chromium', async () => {
    const outDir = join(scratch, 'dist');
    await build({ root: appDir, logLevel: 'silent', build: { outDir, emptyOutDir: true } });

    const port = await freePort();
    server = await preview({ root: appDir, logLevel: 'silent', build: { outDir }, preview: { host: '127.0.0.1', port, strictPort: true, open: false } });
    const url = `http://127.0.0.1:${port}/`;

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.locator('#timeline svg').waitFor({ timeout: 15_000 });

    const figure = async (id: string): Promise<number> => Number(await page.locator(`#${id}`).getAttribute('data-bytes'));
    const { before, after, spill } = cli.report;
    for (const key of ['head', 'tail', 'total', 'lowerBound'] as const) {
      expect(await figure(`before-${key}`), `before ${key}`).toBe(before[key]);
      expect(await figure(`after-${key}`), `after ${key}`).toBe(after[key]);
    }
    // What a reader sees, not only the attributes.
    expect(await page.locator('#before-head').textContent()).toContain(before.head.toLocaleString('en-US'));
    expect(await page.locator('#after-total').textContent()).toContain(after.total.toLocaleString('en-US'));
    expect(await figure('arena-size')).toBe(after.arenaSize);
    expect(await figure('spill-out')).toBe(spill.bytesOut);
    expect(await figure('spill-in')).toBe(spill.bytesIn);
    expect(await figure('spill-region')).toBe(spill.regionBytes);
    expect(Number(await page.locator('#spill-count').getAttribute('data-count'))).toBe(spill.decisions.length);
    expect(await page.locator('#spills li').evaluateAll((items) => items.map((li) => li.getAttribute('data-tensor')))).toEqual(spill.decisions.map((d) => d.tensor));
    expect(await page.locator('#verified').getAttribute('data-verified')).toBe('true');

    // The chart: two timelines (before, after), each with its buffers drawn.
    const svg = page.locator('#timeline svg');
    expect(await svg.count()).toBe(1);
    expect(await svg.locator('rect').count()).toBeGreaterThan(10);
    expect(await svg.textContent()).toMatch(/tiny-unet-80x120\.tflite: memory before and after TinySeg[^]*before: [^]*after: /);
    const box = await svg.boundingBox();
    expect(box!.width).toBeGreaterThan(500);

    // The link serves the optimized model's bytes from the build's assets.
    const href = await page.locator('#model-url').getAttribute('href');
    expect(href).toMatch(/^\/assets\/tiny-unet-80x120-[\w-]+\.tflite$/);
    const served = await page.evaluate(async (u) => Array.from(new Uint8Array(await (await fetch(u)).arrayBuffer())), href!);
    expect(Buffer.from(served).equals(cli.model)).toBe(true);

    const shot = join(scratch, 'vite-app.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(existsSync(shot)).toBe(true);
    expect(errors).toEqual([]);
  }, 120_000);
});
