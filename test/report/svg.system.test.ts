// The timeline chart in a real browser: every text of the before/after chart
// and of a one-model chart, laid out with Chromium's fonts, inside a 1200x800
// window (what a newcomer's browser shows without scrolling).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { loadGraph } from '../../src/graph/graph.js';
import { optimize } from '../../src/optimize/optimize.js';
import { renderBeforeAfterSvg, renderTimelineSvg } from '../../src/report/svg.js';
import { repoRoot } from '../helpers/paths.js';

const CHROMIUM = inject('chromium');

describe('the timeline chart in Chromium', () => {
  it('fits a 1200x800 window, also for one model', async () => {
    const bytes = new Uint8Array(readFileSync(join(repoRoot, 'examples', 'models', 'tiny-unet-80x120.tflite')));
    const result = optimize(bytes, { file: 'tiny-unet.tflite', verify: false });
    const svg = renderBeforeAfterSvg(result.before, result.after, { title: 'tiny-unet.tflite', beforeGraph: loadGraph(bytes), afterGraph: result.graph });
    const single = renderTimelineSvg(result.after, { title: 'tiny-unet.tflite: memory timeline', graph: result.graph });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
      for (const doc of [svg, single]) {
        await page.setContent(`<!doctype html><body style="margin:0">${doc}</body>`);
        // Every text's box as laid out with the browser's fonts.
        const boxes = await page.evaluate(() => [...document.querySelectorAll('text')].map((t) => {
          const b = t.getBoundingClientRect();
          return { text: t.textContent ?? '', right: b.right, bottom: b.bottom };
        }));
        expect(boxes.length).toBeGreaterThan(20);
        for (const b of boxes) {
          expect(b.right, b.text).toBeLessThanOrEqual(1200);
          expect(b.bottom, b.text).toBeLessThanOrEqual(800);
        }
      }
    } finally {
      await browser.close();
    }
  });
});
