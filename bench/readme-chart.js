// The README's before/after memory chart (docs/images/timeline-tiny-unet.png): the SVG that `npm start` writes for the
// bundled Tiny U-Net, rendered by headless Chromium, so the picture shows what the quick start prints today.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findChromium } from './tfjs-tflite.js';

/** Writes the chart; returns a line for the bench log (or why it did not). */
export async function writeReadmeChart(root) {
  const chromiumPath = findChromium();
  if (!chromiumPath) return 'README chart: not rendered (no Chromium runs here)';
  const dir = mkdtempSync(join(tmpdir(), 'tinyseg-chart-'));
  try {
    const svg = join(dir, 'timeline.svg');
    // From the root, as `npm start` runs it: the chart's title names the model by that path.
    const model = 'examples/models/tiny-unet-80x120.tflite';
    execFileSync(process.execPath, ['bin/tinyseg.js', 'optimize', model, '-o', dir, '--svg', svg, '--no-cache'], { cwd: root, stdio: 'ignore' });
    const [, width, height] = /<svg[^>]* width="(\d+)" height="(\d+)"/.exec(readFileSync(svg, 'utf8')) ?? [];
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const tab = await browser.newPage({ viewport: { width: Number(width), height: Number(height) } });
      await tab.goto(`file://${svg}`);
      const out = join(root, 'docs/images/timeline-tiny-unet.png');
      await tab.screenshot({ path: out });
      return `README chart: ${out} (${width}x${height})`;
    } finally {
      await browser.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
