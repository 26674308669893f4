// The bench's "Interpreter against tfjs-tflite" section: per corpus model (and
// the bundled Tiny U-Net), one inference in TinySeg's interpreter and in
// tfjs-tflite (TFLite compiled to wasm, XNNPACK, single-threaded SIMD build,
// numThreads 1), in Node and in headless Chromium, and their ratio. How each
// host is set up: bench/tfjs-tflite-hosts.js; what is timed:
// bench/tfjs-tflite-measure.js.
//
// `node bench/tfjs-tflite.js` (after `npm run build`) runs this section alone
// and puts it into bench/results.md and results.json in place of the last one.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumHost, nodeHost } from './tfjs-tflite-hosts.js';

const require = createRequire(import.meta.url);
const HEADING = '## Interpreter against tfjs-tflite';
/** Time spent on timed samples per model and host, and the least duration of one sample. */
const BUDGET_MS = 3000;
const SAMPLE_MS = 5;

/** $TINYSEG_CHROMIUM, else `chromium` or `chromium-browser` on PATH (as the system tests find it); null when none runs. */
export function findChromium() {
  const given = process.env.TINYSEG_CHROMIUM;
  const candidates = given
    ? [given]
    : ['chromium', 'chromium-browser'].flatMap((n) => (process.env.PATH ?? '').split(delimiter).map((d) => join(d, n))).filter((f) => existsSync(f));
  for (const c of candidates) {
    try {
      execFileSync(c, ['--version'], { stdio: 'ignore', timeout: 20_000 });
      return c;
    } catch {
      // not runnable: try the next
    }
  }
  return null;
}

/** 'float32' when any activation is float32, else the quantized models' 'int8'. */
function activationType(graph) {
  const sg = graph.main;
  return sg.tensors.some((t) => t.kind !== 'constant' && t.dtype === 'float32') ? 'float32' : 'int8';
}

/**
 * Console lines while `f` runs. TFLite says on the console why it refuses a model (its error only that it could
 * not); its wasm module binds the console once, on the first load, so the same hook must stay for every model.
 */
async function withConsoleLines(f) {
  const lines = [];
  const keep = { error: console.error, warn: console.warn, log: console.log };
  for (const k of Object.keys(keep)) console[k] = (...a) => lines.push(a.join(' '));
  try {
    return await f(lines);
  } finally {
    Object.assign(console, keep);
  }
}

const ratio = (ours, theirs) => (theirs ? +(ours / theirs).toFixed(2) : null);
const ms = (x) => (x === null || x === undefined ? '-' : x < 0.01 ? x.toPrecision(2) : x < 1 ? x.toFixed(3) : x < 100 ? x.toFixed(2) : x.toFixed(1));
const geomean = (xs) => (xs.length ? Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length) : null);

export async function tfjsTfliteSection(root, models) {
  const { loadGraph, Interpreter } = await import(join(root, 'dist/index.js'));
  const runnable = [];
  const skipped = [];
  for (const m of models) {
    try {
      const graph = loadGraph(new Uint8Array(readFileSync(m.path)));
      new Interpreter(graph);
      runnable.push({ ...m, type: activationType(graph) });
    } catch (e) {
      skipped.push(`${m.file} (${e.message})`);
    }
  }

  const rows = runnable.map((m) => ({ model: m.file, type: m.type }));
  const node = await nodeHost(root);
  const nodeFeatures = await node.features();
  const nodeBuild = await node.build();
  await withConsoleLines(async (lines) => {
    for (const [i, m] of runnable.entries()) {
      lines.length = 0;
      const r = await node.measure(new Uint8Array(readFileSync(m.path)), BUDGET_MS, SAMPLE_MS);
      const why = lines.find((l) => l.startsWith('ERROR:'));
      Object.assign(rows[i], {
        nodeOursMs: r.oursMs,
        nodeTheirsMs: r.theirsMs,
        nodeRatio: ratio(r.oursMs, r.theirsMs),
        sameOutputs: r.sameOutputs,
        theirsRefusal: r.theirsError === null ? null : (why ?? r.theirsError).replace(/^ERROR:\s*/, ''),
      });
      process.stderr.write(`node ${m.file}: ours ${ms(r.oursMs)} ms, tfjs-tflite ${ms(r.theirsMs)} ms (${r.samples} samples)\n`);
    }
  });
  await node.close();

  // Node 20 runs the module's SIMD build; Node 22 on, and Node 20 with the flag, its relaxed-SIMD build, measured
  // here too (in a process of its own) when this Node does not take it.
  let relaxedNode = null;
  if (nodeBuild === 'simd' && Number(process.versions.node.split('.')[0]) < 22) {
    const flag = '--experimental-wasm-relaxed-simd';
    const lines = execFileSync(process.execPath, [flag, join(root, 'bench/tfjs-tflite-node.js'), String(BUDGET_MS), String(SAMPLE_MS), ...runnable.map((m) => m.path)], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
    relaxedNode = { flag, build: lines[0]?.build ?? null };
    for (const [i, m] of runnable.entries()) {
      const r = lines.find((l) => l.path === m.path);
      if (!r) continue;
      Object.assign(rows[i], { relaxedOursMs: r.oursMs, relaxedTheirsMs: r.theirsMs, relaxedRatio: ratio(r.oursMs, r.theirsMs) });
      process.stderr.write(`node ${flag} ${m.file}: ours ${ms(r.oursMs)} ms, tfjs-tflite ${ms(r.theirsMs)} ms (${r.samples} samples)\n`);
    }
  }

  const chromiumPath = findChromium();
  let browser = null;
  if (chromiumPath) {
    const host = await chromiumHost(root, chromiumPath, new Map(runnable.map((m) => [m.file, m.path])));
    try {
      browser = { version: await host.version(), features: await host.features(), build: await host.build() };
      for (const [i, m] of runnable.entries()) {
        const r = await host.measure(m.file, BUDGET_MS, SAMPLE_MS);
        Object.assign(rows[i], { chromiumOursMs: r.oursMs, chromiumTheirsMs: r.theirsMs, chromiumRatio: ratio(r.oursMs, r.theirsMs) });
        if (r.sameOutputs !== null && rows[i].sameOutputs !== r.sameOutputs) rows[i].sameOutputs = `${rows[i].sameOutputs} in Node, ${r.sameOutputs} in Chromium`;
        console.error(`chromium ${m.file}: ours ${ms(r.oursMs)} ms, tfjs-tflite ${ms(r.theirsMs)} ms (${r.samples} samples)`);
      }
    } finally {
      await host.close();
    }
  }

  const int8 = rows.filter((r) => r.type === 'int8');
  const summary = (key) => {
    const rs = int8.map((r) => r[key]).filter((x) => x !== null && x !== undefined);
    return rs.length ? `geometric mean ${geomean(rs).toFixed(2)}, worst ${Math.max(...rs).toFixed(2)}, best ${Math.min(...rs).toFixed(2)} over ${rs.length} models` : 'not measured';
  };
  const same = (v) => (v === null ? '-' : v === true ? 'yes' : v === false ? 'no' : v);
  const md = [
    '',
    HEADING,
    '',
    'One inference on the oracle input: TinySeg\'s `Interpreter.setInput()` and `invoke()` (TFLM\'s plan may reuse the input\'s bytes) against tfjs-tflite\'s `TFLiteWebModelRunner.infer()`',
    `(@tensorflow/tfjs-tflite ${require('@tensorflow/tfjs-tflite/package.json').version}: TFLite in wasm with XNNPACK, \`numThreads: 1\`;`,
    `wasm build in Node: SIMD ${nodeFeatures.simd}, threads ${nodeFeatures.multiThreading}${browser ? `; in Chromium ${browser.version}: SIMD ${browser.features.simd}, threads ${browser.features.multiThreading}` : ''}).`,
    `TinySeg's SIMD module: the ${nodeBuild} build in Node ${process.versions.node}${browser ? `, the ${browser.build} build in Chromium` : ''} (simd.ts takes the relaxed-SIMD build where the host validates it: browsers, Node 22 on, Node 20 with --experimental-wasm-relaxed-simd).`,
    relaxedNode
      ? `"Node relaxed": the same Node with ${relaxedNode.flag} (as Node 22 on runs by default), in a process of its own: TinySeg's ${relaxedNode.build} build; tfjs-tflite's module is the same.`
      : '',
    'After 0.5 s of both runtimes alternating (warm-up, so that both run their optimized code: tfjs-tflite-measure.js), the median over samples',
    'that alternate ours and theirs (each sample at least 5 ms of back-to-back inferences), about 3 s per model and host.',
    'Ratio: ours / tfjs-tflite (below 1: TinySeg faster). "same bytes": whether tfjs-tflite\'s outputs equal ours (ours equal TFLM\'s reference kernels;',
    'XNNPACK rounds differently on some models).',
    chromiumPath ? '' : '\nChromium was not found ($TINYSEG_CHROMIUM, `chromium` or `chromium-browser` on PATH): Node only.\n',
    `| model | activations | Node ours ms | Node tfjs-tflite ms | Node ratio |${relaxedNode ? ' Node relaxed ours ms | Node relaxed tfjs-tflite ms | Node relaxed ratio |' : ''} Chromium ours ms | Chromium tfjs-tflite ms | Chromium ratio | same bytes |`,
    `|---|---|---:|---:|---:|${relaxedNode ? '---:|---:|---:|' : ''}---:|---:|---:|:-:|`,
    ...rows.map(
      (r) =>
        `| ${r.model} | ${r.type} | ${ms(r.nodeOursMs)} | ${ms(r.nodeTheirsMs)} | ${r.nodeRatio ?? '-'} |${relaxedNode ? ` ${ms(r.relaxedOursMs)} | ${ms(r.relaxedTheirsMs)} | ${r.relaxedRatio ?? '-'} |` : ''} ${ms(r.chromiumOursMs)} | ${ms(r.chromiumTheirsMs)} | ${r.chromiumRatio ?? '-'} | ${same(r.sameOutputs)} |`,
    ),
    '',
    ...rows.filter((r) => r.theirsRefusal).map((r) => `tfjs-tflite cannot run ${r.model}: ${r.theirsRefusal}`),
    ...skipped.map((s) => `Not measured (TinySeg's interpreter cannot run it): ${s}`),
    '',
    `int8 models, ours / tfjs-tflite (goal: at most 1): Node ${summary('nodeRatio')};${relaxedNode ? ` Node relaxed ${summary('relaxedRatio')};` : ''} Chromium ${summary('chromiumRatio')}.`,
    '',
  ].join('\n');
  return { md, json: { node: { ...nodeFeatures, build: nodeBuild }, relaxedNode, chromium: browser, rows } };
}

/** Puts the section into results.md (in place of an earlier one) and results.json (key tfjsTflite). */
export function writeTfjsTfliteSection(root, { md, json }) {
  const mdFile = join(root, 'bench/results.md');
  const old = existsSync(mdFile) ? readFileSync(mdFile, 'utf8') : '';
  const at = old.indexOf(`\n${HEADING}\n`);
  const next = at < 0 ? -1 : old.indexOf('\n## ', at + HEADING.length + 2);
  const updated = at < 0 ? old + md : old.slice(0, at) + md + (next < 0 ? '' : old.slice(next));
  writeFileSync(mdFile, updated);
  const jsonFile = join(root, 'bench/results.json');
  const all = existsSync(jsonFile) ? JSON.parse(readFileSync(jsonFile, 'utf8')) : {};
  all.tfjsTflite = json;
  writeFileSync(jsonFile, JSON.stringify(all, null, 2) + '\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
  const shared = resolve(process.env.TINYSEG_SHARED ?? join(root, '..', 'shared'));
  const only = process.argv.slice(2);
  const models = [
    ...readdirSync(join(shared, 'models')).filter((f) => f.endsWith('.tflite')).sort().map((f) => ({ file: f, path: join(shared, 'models', f) })),
    { file: 'tiny-unet-80x120.tflite (bundled)', path: join(root, 'examples/models/tiny-unet-80x120.tflite') },
  ].filter((m) => only.length === 0 || only.some((o) => m.file.includes(o)));
  const section = await tfjsTfliteSection(root, models);
  // A run on some models only prints: the results files hold whole runs.
  if (only.length === 0) writeTfjsTfliteSection(root, section);
  console.log(section.md);
}
