#!/usr/bin/env node
// Everything in SRAM (issue 16's TinyEngine bounds): person-detect and vww
// optimized with no spill region (`maxSpillBytes: 0`, as MIT TinyEngine runs,
// without external memory) and with the defaults, under both kernel sets: the
// head, the arena TFLM uses, the convolutions in place, the predicted Invoke()
// overhead and the proof. bench/run.js appends inSramSection() to
// bench/results.md; `node bench/in-sram.js` prints it. Needs `npm run build`.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { optimize } from '../dist/optimize/optimize.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
// TinyEngine's best plans, the input image included (issue 16), and the bounds the issue sets.
const MODELS = [
  ['person-detect-int8-96', 32_256, 32_256],
  ['vww-mnv1-int8-96', 50_688, 46_080],
];

const n = (x) => Math.round(x).toLocaleString('en-US');

export function inSramSection() {
  const rows = [];
  for (const [name, tinyEngine, bound] of MODELS) {
    const file = join(root, '..', 'shared', 'models', `${name}.tflite`);
    if (!existsSync(file)) continue;
    const bytes = new Uint8Array(readFileSync(file));
    for (const kernels of ['reference', 'cmsis-nn']) {
      for (const [label, extra] of [['no spill', { maxSpillBytes: 0 }], ['default (spills to PSRAM)', {}]]) {
        const r = optimize(bytes, { file, kernels, verify: { inputs: 1, seed: 3 }, ...extra }).report;
        rows.push(
          `| ${name} | ${kernels} | ${label} | ${n(r.before.head)} | ${n(r.after.head)} | ${r.after.head <= bound ? 'yes' : 'NO'} | ${n(tinyEngine)} | ` +
            `${n(r.after.total)} | ${r.passes.convInPlace.rewritten} | ${(r.compute.invoke[kernels].overhead * 100).toFixed(1)}% | ${r.verified ? 'yes' : 'NO'} |`,
        );
      }
    }
  }
  return [
    '',
    '## Everything in SRAM: the TinyEngine bounds (issue 16)',
    '',
    '`optimize()` with the proof on and the 5% default, without a spill region (`maxSpillBytes: 0`: no external memory, as',
    'MIT TinyEngine runs) and with the defaults: the TFLM head before and after, whether it is within the issue\'s bound',
    '(32,256 B person-detect, 46,080 B vww), TinyEngine\'s best plan (the input image included), the arena TFLM uses',
    '(`after.total`), the convolutions run in place (TinySegConvInPlace) and the predicted Invoke() overhead.',
    '',
    '| model | kernels | spills | head before | head after | within bound | TinyEngine | arena used | convs in place | overhead | verified |',
    '|---|---|---|---:|---:|---|---:|---:|---:|---:|---|',
    ...rows,
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(inSramSection());
