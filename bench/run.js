#!/usr/bin/env node
// npm run bench: speed and memory figures, measured (never asserted in tests).
// Writes bench/results.md and bench/results.json.
import { appendFileSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { loadGraph, planTflmArena, Interpreter, deterministicInput, optimize } from '../dist/index.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const shared = resolve(process.env.TINYSEG_SHARED ?? join(root, '..', 'shared'));
const golden = JSON.parse(readFileSync(join(shared, 'oracle', 'tflm-golden.json'), 'utf8'));

/** Adds a section that a later bench file computes to bench/results.md, and prints it. */
function appendSection(section) {
  appendFileSync(join(root, 'bench/results.md'), section);
  console.log(section);
}

/** Median of `runs` timed calls after `warmup` untimed ones, in ms. */
function time(fn, runs = 15, warmup = 5) {
  for (let i = 0; i < warmup; i++) fn();
  const t = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    fn();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}

const models = [
  ...readdirSync(join(shared, 'models')).filter((f) => f.endsWith('.tflite')).sort().map((f) => ({ file: f, path: join(shared, 'models', f) })),
  { file: 'tiny-unet-80x120.tflite (bundled)', path: join(root, 'examples/models/tiny-unet-80x120.tflite') },
];

const rows = [];
for (const m of models) {
  const bytes = new Uint8Array(readFileSync(m.path));
  const graph = loadGraph(bytes);
  const parseMs = time(() => loadGraph(bytes));
  const planMs = time(() => planTflmArena(graph));
  const bothMs = time(() => planTflmArena(loadGraph(bytes)));
  const arena = planTflmArena(graph);
  const g = golden[m.file];
  rows.push({
    model: m.file,
    bytes: bytes.length,
    ops: graph.main.ops.length,
    tensors: graph.main.tensors.length,
    parseMs: +parseMs.toFixed(3),
    planMs: +planMs.toFixed(3),
    parseAndPlanMs: +bothMs.toFixed(3),
    head: arena.head,
    oracleHead: g?.head_bytes_cm4 ?? null,
    headExact: g ? arena.head === g.head_bytes_cm4 : null,
    total: arena.total,
    oracleTotal: g?.arena_used_bytes_cm4 ?? null,
    totalErrPct: g ? +((100 * (arena.total - g.arena_used_bytes_cm4)) / g.arena_used_bytes_cm4).toFixed(3) : null,
    lowerBound: arena.lowerBound.bytes,
    headOverLB: +(arena.head / arena.lowerBound.bytes).toFixed(4),
  });
}

// Interpreter speed: one inference on the oracle input (median of 3 after a warm-up run for models under 1 s).
const inference = [];
for (const m of models) {
  const g = golden[m.file];
  if (g && g.outputs === null) continue; // TFLM could not run it either (custom op)
  const graph = loadGraph(new Uint8Array(readFileSync(m.path)));
  const it = new Interpreter(graph);
  graph.main.inputs.forEach((t, i) => it.setInput(i, deterministicInput(graph.main.tensors[t])));
  const first = performance.now();
  it.invoke();
  const firstMs = performance.now() - first;
  const ms = firstMs < 1000 ? time(() => it.invoke(), 3, 0) : firstMs;
  inference.push({ model: m.file, ms: +ms.toFixed(1), instructionsCm4: g?.invoke_cm4?.instructions ?? null });
}

// Optimizer: arena before/after, spill traffic, and time (passes + placement, then the proof).
const optimized = [];
for (const m of models) {
  const bytes = new Uint8Array(readFileSync(m.path));
  const g = golden[m.file];
  // A model TFLM refuses in Prepare (selfie-seg's float16 DEQUANTIZE) is planned as memory only, as `--allow-refused` does, and not proved.
  let refused = false;
  try {
    optimize(bytes, { file: m.file, verify: false });
  } catch (e) {
    if (e.code !== 'E_UNSUPPORTED') throw e;
    refused = true;
  }
  const runnable = !(g && g.outputs === null) && !refused;
  const t0 = performance.now();
  const r = optimize(bytes, { file: m.file, verify: false, allowRefused: refused }).report;
  const passesMs = performance.now() - t0;
  let verifyMs = null;
  if (runnable) {
    const t1 = performance.now();
    optimize(bytes, { file: m.file, verify: { inputs: 1 } });
    verifyMs = performance.now() - t1 - passesMs;
  }
  optimized.push({
    model: m.file,
    beforeHead: r.before.head,
    afterHead: r.after.head,
    beforeTotal: r.before.total,
    afterTotal: r.after.total,
    afterLowerBound: r.after.lowerBound,
    headOverLB: +(r.after.head / r.after.lowerBound).toFixed(4),
    reductionPct: +(100 * r.headReduction).toFixed(1),
    spills: r.spill.decisions.length,
    trafficBytes: r.spill.bytesOut + r.spill.bytesIn,
    bytesOut: r.spill.bytesOut,
    bytesIn: r.spill.bytesIn,
    regionBytes: r.spill.regionBytes,
    keptOriginal: r.keptOriginal,
    optimizeMs: +passesMs.toFixed(0),
    verifyMs: verifyMs === null ? null : +Math.max(0, verifyMs).toFixed(0),
  });
}

const longSkip = ['prisma-unet-int8-256.tflite', 'mnv3-unet-int8-256.tflite', 'unet-f32-128.tflite', 'selfie-seg-f16w-256.tflite'].map((f) => optimized.find((r) => r.model === f));
const longSkipGeomean = Math.exp(longSkip.reduce((a, r) => a + Math.log(r.beforeHead / r.afterHead), 0) / longSkip.length);

const env = { node: process.version, cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, date: new Date().toISOString() };
writeFileSync(join(root, 'bench/results.json'), JSON.stringify({ env, rows, inference, optimized }, null, 2) + '\n');

const fmt = (n) => (n === null ? '-' : n.toLocaleString('en-US'));
const md = [
  '# Benchmark results',
  '',
  `Measured by \`npm run bench\` on ${env.date.slice(0, 10)}: Node ${env.node}, ${env.cpu} (${env.cores} cores).`,
  'Times are the median of 15 warm runs in one process. "oracle" figures were measured with real TFLM',
  '(../shared/oracle, Cortex-M4 32-bit, reference kernels).',
  '',
  '| model | ops | tensors | parse ms | plan ms | parse+plan ms | head | oracle head | exact | total | oracle total | total err % | lower bound | head / LB |',
  '|---|---:|---:|---:|---:|---:|---:|---:|:-:|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.model} | ${r.ops} | ${r.tensors} | ${r.parseMs} | ${r.planMs} | ${r.parseAndPlanMs} | ${fmt(r.head)} | ${fmt(r.oracleHead)} | ${r.headExact === null ? '-' : r.headExact ? 'yes' : '**no**'} | ${fmt(r.total)} | ${fmt(r.oracleTotal)} | ${r.totalErrPct ?? '-'} | ${fmt(r.lowerBound)} | ${r.headOverLB} |`,
  ),
  '',
  `Target: parsing and planning prisma-unet-int8-256 under 50 ms warm: ${rows.find((r) => r.model.startsWith('prisma'))?.parseAndPlanMs} ms.`,
  '',
  '## Interpreter',
  '',
  'One inference on the oracle input in the TypeScript interpreter (bit-exact with TFLM reference kernels), in one process.',
  'TFLM instructions are those real TFLM executed for the same Invoke() on Cortex-M4 (../shared/oracle), for scale.',
  '',
  '| model | ms per inference | TFLM Cortex-M4 instructions |',
  '|---|---:|---:|',
  ...inference.map((r) => `| ${r.model} | ${r.ms.toLocaleString('en-US')} | ${fmt(r.instructionsCm4)} |`),
  '',
  `Targets: tiny-unet-80x120 under 1 s: ${inference.find((r) => r.model.startsWith('tiny-unet'))?.ms} ms; prisma-unet-int8-256 under 10 s: ${inference.find((r) => r.model.startsWith('prisma'))?.ms} ms.`,
  '',
  '## Optimizer',
  '',
  '`optimize()` per model: TFLM arena (32-bit) before and after, the head over the transformed graph\'s lower bound,',
  'spill traffic per inference (bytes written to and read from the spill region) and the region\'s size. Time: passes and placement without the',
  'proof, then the proof alone (the original and the optimized model on the oracle input and one random input).',
  '',
  '| model | head before | head after | head cut | total before | total after | head / LB | spills | spilled out B | fetched in B | region B | optimize ms | proof ms |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...optimized.map(
    (r) =>
      `| ${r.model} | ${fmt(r.beforeHead)} | ${fmt(r.afterHead)} | ${r.reductionPct}% | ${fmt(r.beforeTotal)} | ${fmt(r.afterTotal)} | ${r.headOverLB} | ${r.spills} | ${fmt(r.bytesOut)} | ${fmt(r.bytesIn)} | ${fmt(r.regionBytes)} | ${fmt(r.optimizeMs)} | ${r.verifyMs === null ? 'cannot run' : fmt(r.verifyMs)} |`,
  ),
  '',
  `Targets: Tiny U-Net head cut by more than half: ${optimized.find((r) => r.model.startsWith('tiny-unet'))?.reductionPct}%; head within 2% of the lower bound on every model: worst ${Math.max(...optimized.map((r) => r.headOverLB))}.`,
  `Long-skip models (prisma-unet, mnv3-unet, unet-f32, selfie-seg): geometric-mean head reduction ${longSkipGeomean.toFixed(2)}x (target 1.5x).`,
  `prisma-unet-int8-256 optimize time without the proof: ${optimized.find((r) => r.model.startsWith('prisma'))?.optimizeMs} ms (target 2 s).`,
  '',
];
writeFileSync(join(root, 'bench/results.md'), md.join('\n'));
console.log(md.join('\n'));

// ---- Compute: MACs before/after and the predicted Invoke() overhead (bench/compute.js, docs/compute-model.md).
const { computeSection } = await import('./compute.js');
appendSection(computeSection(models));

// ---- --lossy-spill int8 on the float models that spill (bench/lossy.js).
const { lossySection } = await import('./lossy.js');
appendSection(lossySection(models));

// ---- Runtime on Cortex-M4 (QEMU): the C spill runtime's instructions per KiB (bench/qemu.js).
// Self-contained (own imports) so the sections above stay untouched.
const { runtimeOnQemuSection } = await import('./qemu.js');
appendSection(runtimeOnQemuSection());

// ---- Watch: `tinyseg watch` save-to-outputs latency on a cache miss (bench/watch.js).
// Self-contained like the QEMU section above.
const { watchSection } = await import('./watch.js');
appendSection(await watchSection());

// ---- Spill compression on real activations and the integrations' cache figures (bench/integrations.js).
const { integrationsSection } = await import('./integrations.js');
appendSection(await integrationsSection(root, models));

// ---- Remote cache: prisma-unet local miss against a remote hit from an empty local cache, on a real nginx (bench/remote-cache.js).
const { remoteCacheSection } = await import('./remote-cache.js');
appendSection(await remoteCacheSection(root, shared));

// ---- Segmentation peaks: head against the streaming floor on the segmentation models (bench/segmentation.js).
const { segmentationSection } = await import('./segmentation.js');
appendSection(segmentationSection());

// ---- Everything in SRAM: person-detect and vww without a spill region, against TinyEngine's plans (bench/in-sram.js).
const { inSramSection } = await import('./in-sram.js');
appendSection(inSramSection());

// ---- Row bands through both branches of a fork, on synthetic stems (bench/forks.js).
const { forksSection } = await import('./forks.js');
appendSection(forksSection());

// ---- The README's memory chart, rendered from the quick start's SVG (bench/readme-chart.js).
const { writeReadmeChart } = await import('./readme-chart.js');
console.log(await writeReadmeChart(root));

// ---- The proof's cost in one optimize process, with and without the original's outputs from the cache (bench/proof.js).
const { proofSection } = await import('./proof.js');
appendSection(proofSection());

// ---- Interpreter against tfjs-tflite (XNNPACK) in Node and headless Chromium (bench/tfjs-tflite.js).
// Last: its Node host gives this process the browser globals tfjs-tflite's loader reads.
const { tfjsTfliteSection, writeTfjsTfliteSection } = await import('./tfjs-tflite.js');
const tfjsSection = await tfjsTfliteSection(root, models);
writeTfjsTfliteSection(root, tfjsSection);
console.log(tfjsSection.md);
