// --lossy-spill int8 on the corpus models that spill float32 tensors: the
// traffic and region against the exact optimization, the arena (unchanged by
// design) and the output error the proof measured, appended to
// bench/results.md by bench/run.js.

import { readFileSync } from 'node:fs';
import { optimize } from '../dist/index.js';

export function lossySection(models) {
  const rows = [];
  for (const m of models) {
    const bytes = new Uint8Array(readFileSync(m.path));
    let lossy;
    try {
      lossy = optimize(bytes, { file: m.file, lossySpill: 'int8', verify: { inputs: 3 } }).report;
    } catch {
      continue; // models the interpreter cannot run cannot be measured (selfie-seg's fp16 weights)
    }
    if (!lossy.lossySpill) continue;
    const exact = optimize(bytes, { file: m.file, verify: false, allowRefused: true }).report;
    const v = lossy.verification;
    rows.push({
      model: m.file,
      slots: lossy.lossySpill.slots,
      exactOut: exact.spill.bytesOut,
      lossyOut: lossy.spill.bytesOut,
      exactRegion: exact.spill.regionBytes,
      lossyRegion: lossy.spill.regionBytes,
      exactHead: exact.after.head,
      lossyHead: lossy.after.head,
      differing: `${v.differingBytes.toLocaleString('en-US')} / ${v.outputBytes.toLocaleString('en-US')}`,
      maxAbs: v.maxDiff,
      psnr: v.psnr,
    });
  }
  const n = (x) => x.toLocaleString('en-US');
  return [
    '',
    '## Lossy spill (`--lossy-spill int8`)',
    '',
    'Spilled float32 slices stored as int8 codes (docs/custom-ops.md, "Quantized slots"). Traffic is written per inference',
    '(read back the same); the error is over the oracle input and 3 random inputs, against the original model.',
    '',
    '| model | quantized slots | out B exact | out B int8 | region B exact | region B int8 | head exact | head int8 | differing output bytes | max abs error | PSNR dB |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.model} | ${r.slots} | ${n(r.exactOut)} | ${n(r.lossyOut)} | ${n(r.exactRegion)} | ${n(r.lossyRegion)} | ${n(r.exactHead)} | ${n(r.lossyHead)} | ${r.differing} | ${+r.maxAbs.toPrecision(3)} | ${r.psnr ?? '-'} |`),
    '',
  ].join('\n');
}
