// The bench's compute section (bench/run.js): per corpus model, what one Invoke() computes before and after
// optimize(), and the predicted Invoke() overhead (docs/compute-model.md) under the default --max-overhead
// and without a limit. `node bench/compute.js` prints the section alone.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { optimize } from '../dist/index.js';
import { DEFAULT_MAX_OVERHEAD } from '../dist/defaults.js';

const fmt = (n) => n.toLocaleString('en-US');
const pct = (x) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`;

export function computeSection(models) {
  const rows = models.map((m) => {
    const bytes = new Uint8Array(readFileSync(m.path));
    // Memory and compute figures only: a model TFLM refuses (selfie-seg's float16 DEQUANTIZE) is planned as `--allow-refused` does.
    const capped = optimize(bytes, { file: m.file, verify: false, allowRefused: true }).report;
    const free = optimize(bytes, { file: m.file, verify: false, maxOverhead: 1000, allowRefused: true }).report;
    return { model: m.file, capped, free };
  });
  const md = [
    '',
    '## Compute (docs/compute-model.md)',
    '',
    `What one Invoke() computes before and after \`optimize()\` under the default \`--max-overhead ${DEFAULT_MAX_OVERHEAD}\`, the MACs its row-band`,
    'splits recompute (halo rows), and the predicted Invoke() overhead on Cortex-M4 (reference kernels, which the limit uses;',
    'CMSIS-NN). "no limit" is `--max-overhead 1000` (the behaviour before the limit): its head and predicted overhead.',
    '',
    '| model | MACs before | MACs after | split extra MACs | element ops before | element ops after | overhead ref | overhead CMSIS-NN | head | no limit: head | no limit: overhead ref |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(({ model, capped: c, free: f }) => {
      const k = c.compute;
      const extra = k.splits.reduce((n, s) => n + s.extraMacs, 0);
      return `| ${model} | ${fmt(k.before.macs)} | ${fmt(k.after.macs)} | ${fmt(extra)} | ${fmt(k.before.elementOps)} | ${fmt(k.after.elementOps)} | ${pct(k.invoke.reference.overhead)} | ${pct(k.invoke['cmsis-nn'].overhead)} | ${fmt(c.after.head)} | ${fmt(f.after.head)} | ${pct(f.compute.invoke.reference.overhead)} |`;
    }),
    '',
  ];
  return md.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { readdirSync } = await import('node:fs');
  const { join, resolve } = await import('node:path');
  const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
  const shared = resolve(process.env.TINYSEG_SHARED ?? join(root, '..', 'shared'));
  const models = [
    ...readdirSync(join(shared, 'models')).filter((f) => f.endsWith('.tflite')).sort().map((f) => ({ file: f, path: join(shared, 'models', f) })),
    { file: 'tiny-unet-80x120.tflite (bundled)', path: join(root, 'examples/models/tiny-unet-80x120.tflite') },
  ];
  console.log(computeSection(models));
}
