// Figures for the integrations and the spill runtime, appended to bench/results.md
// by bench/run.js: the compression ratio of the tensors the optimizer actually
// spills (real activations, the oracle input), an optimize cache hit inside a
// process (what a bundler's load hook pays), and a whole CLI run on a cache hit.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureActivations, compressionRatio, loadGraph, optimize, optimizeCached } from '../dist/index.js';

const SECTION = 512;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Every activation of `graph` on the oracle input by tensor name, with its element size. */
function activations(graph) {
  const byName = new Map();
  for (const [index, bytes] of captureActivations(graph)) {
    const t = graph.main.tensors[index];
    byName.set(t.name, { bytes, element: t.byteSize / t.shape.reduce((a, c) => a * c, 1) });
  }
  return byName;
}

export async function integrationsSection(root, models) {
  const compression = [];
  for (const m of models) {
    const bytes = new Uint8Array(readFileSync(m.path));
    const { report } = optimize(bytes, { file: m.file, verify: false, allowRefused: true }); // memory figures: a refused model as --allow-refused
    if (report.spill.decisions.length === 0) continue;
    let acts;
    try {
      acts = activations(loadGraph(bytes));
    } catch {
      continue; // models the interpreter cannot run (selfie-seg's fp16 weights)
    }
    let raw = 0;
    let packed = 0;
    for (const d of report.spill.decisions) {
      const a = acts.get(d.tensor);
      if (!a) continue;
      // The spilled channel slice, packed row by row as the region holds it.
      const row = d.channels * a.element;
      const part = d.count * a.element;
      const slice = new Uint8Array(d.bytes);
      for (let r = 0; r * part < d.bytes; r++) slice.set(a.bytes.subarray(r * row + d.begin * a.element, r * row + d.begin * a.element + part), r * part);
      raw += slice.length;
      packed += compressionRatio(slice, SECTION) * slice.length;
    }
    if (raw > 0) compression.push({ model: m.file, spills: report.spill.decisions.length, bytes: raw, ratio: +(packed / raw).toFixed(3) });
  }

  const example = join(root, 'examples/models/tiny-unet-80x120.tflite');
  const bytes = new Uint8Array(readFileSync(example));
  const cacheDir = mkdtempSync(join(tmpdir(), 'tinyseg-bench-cache-'));
  await optimizeCached(bytes, { file: 'tiny-unet-80x120.tflite' }, { cacheDir });
  const hits = [];
  for (let i = 0; i < 50; i++) {
    const t0 = performance.now();
    const r = await optimizeCached(bytes, { file: 'tiny-unet-80x120.tflite' }, { cacheDir });
    hits.push(performance.now() - t0);
    if (!r.hit) throw new Error('expected a cache hit');
  }
  const out = mkdtempSync(join(tmpdir(), 'tinyseg-bench-out-'));
  const spawnMs = (args) => {
    const t0 = performance.now();
    const p = spawnSync(process.execPath, args, { env: { ...process.env, CACHE_DIR: cacheDir }, encoding: 'utf8' });
    if (p.status !== 0) throw new Error(p.stderr);
    return performance.now() - t0;
  };
  const cliArgs = [join(root, 'bin/tinyseg.js'), 'optimize', example, '-o', out];
  spawnMs(cliArgs);
  // Interleaved with an empty Node process, so both see the machine in the same state: what Node itself costs here.
  const runs = [];
  const nodeAlone = [];
  for (let i = 0; i < 21; i++) {
    runs.push(spawnMs(cliArgs));
    nodeAlone.push(spawnMs(['-e', '0']));
  }
  rmSync(cacheDir, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });

  const md = [
    '',
    '## Spill compression on real activations',
    '',
    `Mode suppression (the runtime's and \`spill-codec.ts\`'s format, ${SECTION}-byte sections) on the tensors each optimized`,
    'model spills, with their values on the oracle input. Ratio = stored bytes / raw bytes (lower is better).',
    '',
    '| model | spills | raw bytes | ratio |',
    '|---|---:|---:|---:|',
    ...compression.map((c) => `| ${c.model} | ${c.spills} | ${c.bytes.toLocaleString('en-US')} | ${c.ratio} |`),
    '',
    '## Integrations',
    '',
    '| measurement | median ms | min ms | target |',
    '|---|---:|---:|---|',
    `| optimize cache hit in-process (a bundler's load hook), tiny-unet | ${median(hits).toFixed(2)} | ${Math.min(...hits).toFixed(2)} | under 5 ms |`,
    `| \`tinyseg optimize\` whole process on a cache hit, tiny-unet | ${median(runs).toFixed(0)} | ${Math.min(...runs).toFixed(0)} | under 150 ms |`,
    `| \`node -e 0\`, measured between those runs (Node's own start, for scale) | ${median(nodeAlone).toFixed(0)} | ${Math.min(...nodeAlone).toFixed(0)} | |`,
    '',
  ].join('\n');
  return md;
}
