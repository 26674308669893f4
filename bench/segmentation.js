#!/usr/bin/env node
// Segmentation peaks (issue 16): for every segmentation model of the corpus
// (../shared/models) and of test/models/segmentation, the head before and
// after `optimize()` (default options, the proof on), the streaming floor of
// the original (docs/report-json.md), head / floor before and after, the
// predicted Invoke() overhead and what the row bands ran through. bench/run.js
// appends segmentationSection() to bench/results.md; `node bench/segmentation.js`
// prints it. Needs `npm run build`.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { optimize } from '../dist/optimize/optimize.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const SHARED = ['deeplabv3-mnv2-f32-257', 'mnv3-unet-int8-256', 'nano-u-int8-60x80', 'prisma-unet-int8-256', 'selfie-seg-f16w-256', 'unet-f32-128'];
const OWN = ['deeplabv3-mnv2-ade20k-int8-512', 'deeplabv3-mnv2-ade20k-uint8-512', 'deeplabv3-mnv2-dm05-f32-513', 'portrait-video-int8-224', 'mnv3-seg-f32io-256', 'fastscnn-uav-int8-320', 'bodypix-mnv1-f32-257', 'prisma-net-hybrid-256'];

const n = (x) => Math.round(x).toLocaleString('en-US');
const r3 = (x) => x.toFixed(3);

function models() {
  const shared = SHARED.map((m) => [m, join(root, '..', 'shared', 'models', `${m}.tflite`)]).filter(([, f]) => existsSync(f));
  const own = OWN.map((m) => [m, join(root, 'test', 'models', 'segmentation', `${m}.tflite`)]);
  return [...shared, ['tiny-unet-80x120 (bundled)', join(root, 'examples', 'models', 'tiny-unet-80x120.tflite')], ...own];
}

export function segmentationSection() {
  const rows = [];
  for (const [name, file] of models()) {
    const bytes = new Uint8Array(readFileSync(file));
    let r;
    try {
      r = optimize(bytes, { file }).report;
    } catch {
      // A model TFLM's Prepare refuses (selfie-seg's float16 DEQUANTIZE, a uint8 model) is planned, not proved.
      r = optimize(bytes, { file, allowRefused: true, verify: false }).report;
    }
    const through = [...new Set([...[...r.passes.splitRowBands.chains, ...r.passes.bandsAfterSpills.chains].flatMap((c) => c.ops), ...(r.passes.spill.streamed?.ops ?? [])])].filter((o) => ['TRANSPOSE_CONV', 'STRIDED_SLICE', 'CONCATENATION', 'ADD', 'RESIZE_BILINEAR', 'RESIZE_NEAREST_NEIGHBOR', 'ARG_MAX', 'SOFTMAX', 'QUANTIZE', 'DEQUANTIZE'].includes(o));
    rows.push(
      `| ${name} | ${n(r.before.head)} | ${n(r.after.head)} | ${r3(r.before.head / r.after.head)}x | ${n(r.streamingFloor)} | ${r3(r.headOverStreamingFloor.before)} | ${r3(r.headOverStreamingFloor.after)} | ` +
        `${(r.compute.invoke.reference.overhead * 100).toFixed(1)}% | ${r.verified === true ? 'yes' : r.verified === null ? 'not run (TFLM refuses it)' : 'NO'} | ${through.join(', ') || '–'} |`,
    );
  }
  return [
    '',
    '## Segmentation peaks (issue 16)',
    '',
    '`optimize()` with the defaults (the proof on, `--max-overhead 5`) on the segmentation models of the corpus and of',
    '`test/models/segmentation` (real public models, provenance in the README there): the TFLM head (reference kernels),',
    "the original's streaming floor (what must exist whole whatever the row bands, docs/report-json.md), head / floor before",
    'and after, the predicted Invoke() overhead (reference kernels) and the operators of interest the row bands ran through.',
    '',
    '| model | head before | head after | cut | streaming floor | head/floor before | head/floor after | overhead ref | verified | bands through |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|---|',
    ...rows,
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(segmentationSection());
