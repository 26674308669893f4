#!/usr/bin/env node
// Calibrates the compute model (src/analysis/compute.ts, docs/compute-model.md),
// per kernel set, by non-negative least squares on the relative error:
// - the families (INVOKE_COEFFICIENTS): instructions per MAC / element op /
//   operator against the Invoke() instructions the oracle measured on Cortex-M4
//   for the original models;
// - the operator kinds (OP_COSTS): per unit, per MAC output and per call, against
//   each operator's instructions measured by bench/tflm-m4.js (TFLM's profiler
//   hook; original and optimized models: bench/calibration-cm4.json, a bench/tflm-m4.js run).
//
//   npm run build && node bench/calibrate-compute.js [--measured a.json,b.json] [--write]
//
// Prints the coefficients (paste them into INVOKE_COEFFICIENTS and OP_COSTS) and
// the per-model tables; --write replaces docs/compute-model.md from its marker on.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMPUTE_FEATURES, INVOKE_COEFFICIENTS, OP_COSTS, OWN_KERNEL_FEATURES, SPILL_INSTRUCTIONS_PER_BYTE, graphCompute, loadGraph, ownKernelCoefficient } from '../dist/index.js';
import { BOARDS } from './boards.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const shared = resolve(process.env.TINYSEG_SHARED ?? join(root, '..', 'shared'));
const oracle = JSON.parse(readFileSync(join(shared, 'oracle', 'tflm-cmsis-nn-m4.json'), 'utf8'));
const pathOf = (file) => (file.startsWith('tiny-unet') ? join(root, 'examples/models', file) : join(shared, 'models', file));

const models = Object.keys(oracle)
  .filter((k) => k !== '_about')
  .map((file) => ({ file, compute: graphCompute(loadGraph(new Uint8Array(readFileSync(pathOf(file)))).main), measured: oracle[file] }));

/** Lawson-Hanson NNLS: min |A x - b| with x >= 0. */
export function nnls(A, b, iterations = 200) {
  const m = A.length;
  const n = A[0].length;
  const x = new Array(n).fill(0);
  const passive = new Set();
  const grad = () => Array.from({ length: n }, (_, j) => A.reduce((s, row, i) => s + row[j] * (b[i] - row.reduce((t, a, k) => t + a * x[k], 0)), 0));
  const solve = (cols) => {
    // Least squares on the passive columns (normal equations, Gaussian elimination with pivoting).
    const k = cols.length;
    const M = cols.map((p) => cols.map((q) => A.reduce((s, row) => s + row[p] * row[q], 0)));
    const v = cols.map((p) => A.reduce((s, row, i) => s + row[p] * b[i], 0));
    for (let c = 0; c < k; c++) {
      let piv = c;
      for (let r = c + 1; r < k; r++) if (Math.abs(M[r][c]) > Math.abs(M[piv][c])) piv = r;
      [M[c], M[piv]] = [M[piv], M[c]];
      [v[c], v[piv]] = [v[piv], v[c]];
      if (Math.abs(M[c][c]) < 1e-300) continue;
      for (let r = 0; r < k; r++) {
        if (r === c) continue;
        const f = M[r][c] / M[c][c];
        for (let j = c; j < k; j++) M[r][j] -= f * M[c][j];
        v[r] -= f * v[c];
      }
    }
    return cols.map((_, c) => (Math.abs(M[c][c]) < 1e-300 ? 0 : v[c] / M[c][c]));
  };
  for (let it = 0; it < iterations; it++) {
    const w = grad();
    let j = -1;
    for (let k = 0; k < n; k++) if (!passive.has(k) && w[k] > 1e-12 && (j < 0 || w[k] > w[j])) j = k;
    if (j < 0) break;
    passive.add(j);
    for (;;) {
      const cols = [...passive];
      const z = solve(cols);
      if (z.every((v) => v > 0)) {
        cols.forEach((c, i) => (x[c] = z[i]));
        break;
      }
      let alpha = 1;
      cols.forEach((c, i) => {
        if (z[i] <= 0) alpha = Math.min(alpha, x[c] / (x[c] - z[i]));
      });
      cols.forEach((c, i) => (x[c] += alpha * (z[i] - x[c])));
      for (const c of cols) if (x[c] <= 1e-15) (passive.delete(c), (x[c] = 0));
    }
  }
  return x;
}

const round = (v) => (v === 0 ? 0 : +v.toPrecision(4));
const sets = [
  { set: 'reference', key: 'invoke_cm4_reference_instructions' },
  { set: 'cmsis-nn', key: 'invoke_cm4_cmsis_nn_instructions' },
];
const fitted = {};
const tables = [];
for (const { set, key } of sets) {
  const rows = models.filter((m) => typeof m.measured[key] === 'number');
  const used = COMPUTE_FEATURES.filter((f) => rows.some((m) => m.compute.features[f] > 0));
  // Relative error: each row divided by its measurement, so a 5-million-instruction model counts as much as a 90-billion one.
  const A = rows.map((m) => used.map((f) => m.compute.features[f] / m.measured[key]));
  const x = nnls(A, rows.map(() => 1));
  const coef = Object.fromEntries(COMPUTE_FEATURES.map((f) => [f, used.includes(f) ? round(x[used.indexOf(f)]) : null]));
  // CMSIS-NN has no float kernels: TFLM runs the reference ones.
  for (const f of COMPUTE_FEATURES) if (coef[f] === null && !(f in OWN_KERNEL_FEATURES)) coef[f] = set === 'reference' ? 0 : fitted.reference[f];
  // TinySeg's own kernels (no original model has them): the cost of the kernel whose arithmetic they run, plus their own (OWN_KERNEL_FEATURES).
  for (const own of Object.keys(OWN_KERNEL_FEATURES)) coef[own] = round(ownKernelCoefficient(own, set, { ...fitted, [set]: coef }));
  // Measured on the device (bench/qemu.js), not fitted: no original model spills.
  coef.spill = SPILL_INSTRUCTIONS_PER_BYTE;
  fitted[set] = coef;
  const errs = rows.map((m) => {
    const predicted = COMPUTE_FEATURES.reduce((n, f) => n + coef[f] * m.compute.features[f], 0);
    const { macs, elementOps, ops } = m.compute;
    return { file: m.file, macs, elementOps, ops, measured: m.measured[key], predicted, err: predicted / m.measured[key] - 1 };
  });
  tables.push({ set, errs });
}

// Operator kinds, from the per-operator measurements.
const measuredFiles = (
  process.argv.includes('--measured')
    ? process.argv[process.argv.indexOf('--measured') + 1]
    : ['bench/calibration-cm4.json', 'bench/calibration-cm4-resize-band.json', 'bench/calibration-cm4-stream.json', 'bench/calibration-cm4-float.json', 'bench/calibration-cm4-mirror-pad.json', 'bench/calibration-cm4-float-elements.json', 'bench/calibration-cm4-split.json', 'bench/calibration-cm55.json']
        .map((f) => join(root, f))
        .join(',')
).split(',');
const runs = measuredFiles.map((f) => JSON.parse(readFileSync(f, 'utf8')));
// A run whose meta names operators in `supersedes` measured their kernels as they are now: the other runs' records
// of them (an earlier kernel of the same name, on the same board) no longer price anything, and the fit takes only
// those operators' records from it (the other kinds keep the fit of the runs before).
const supersededOn = new Map();
const CHANNEL_KINDS = new Set(['CUSTOM:TinySegSpill', 'CUSTOM:TinySegFetch']);
// Operators (or kinds, `op|feature`) a run's meta names in `noPerCall` run as many bands of one layer: a per-call cost fitted over a few layers'
// shapes prices every band at what the other columns leave unexplained between those shapes.
const noPerCall = new Set(runs.flatMap((run) => run.meta?.noPerCall ?? []));
for (const run of runs) for (const op of run.meta?.supersedes ?? []) supersededOn.set(`${run.meta?.board ?? 'an386'} ${op}`, run);
// The core a run measured (bench/tflm-m4.js --board): CMSIS-NN's kernels differ per ISA, so its costs too.
const measuredRows = runs.flatMap((run) => {
  const board = run.meta?.board ?? 'an386';
  const only = run.meta?.supersedes ? new Set(run.meta.supersedes) : null;
  // A run whose meta names `features` prices only those (a run of float32 models: their convs, not the spills and
  // fetches the other runs price).
  const features = run.meta?.features ? new Set(run.meta.features) : null;
  const fresh = (o) => (supersededOn.get(`${board} ${o.op}`) ?? run) === run;
  // A run that names both takes either: its superseding operators, and its features' records of other operators.
  const taken = (o) => (only && features ? only.has(o.op) || features.has(o.feature) : (!only || only.has(o.op)) && (!features || features.has(o.feature)));
  const current = (o) => fresh(o) && taken(o);
  // The spill and fetch records of runs before their kinds were split: a slice of channels (more than one run) took
  // the staging path it still takes, its own kind now (analysis/compute.ts).
  const split = (ops) => ops?.map((o) => (!o.op.includes('/') && CHANNEL_KINDS.has(o.op) && (o.runs ?? 0) > 1 && !fresh(o) ? { ...o, op: `${o.op}/channels` } : o));
  return run.rows.map((r) => ({
    ...r,
    ...(r.original ? { original: { ...r.original, ops: split(r.original.ops) } } : {}),
    ...(r.optimized ? { optimized: { ...r.optimized, ops: split(r.optimized.ops) } } : {}),
    board,
    fresh,
    current,
    costKey: BOARDS[board].coreIsa === 'dsp' ? r.kernels : `${r.kernels}/${BOARDS[board].coreIsa}` }));
});
// reference, cmsis-nn, then the per-core tables: the order of OP_COSTS.
const costKeys = [...new Set(measuredRows.map((r) => r.costKey))].sort((a, b) => (a.includes('/') - b.includes('/')) || (a === 'reference' ? -1 : b === 'reference' ? 1 : a < b ? -1 : 1));
const setOf = (key) => key.split('/')[0];
// Below this, a measurement is mostly the counter's resolution (40) and the call: no relative weight beyond it.
const FLOOR = 400;
const opCosts = {};
const kindTables = [];
for (const set of costKeys) {
  const samples = new Map();
  const board = measuredRows.find((r) => r.costKey === set).board;
  // TinySeg's own kernels run the same code in every build (only TinySegConcatConv calls CMSIS-NN):
  // their samples from every run on the same core count for every set.
  const shared = (o) => o.op.startsWith('CUSTOM:TinySeg') && o.op !== 'CUSTOM:TinySegConcatConv';
  for (const r of measuredRows) {
    for (const v of ['original', 'optimized']) for (const o of r[v]?.ops ?? []) {
      if ((r.costKey !== set && !(r.board === board && shared(o))) || !r.current(o)) continue;
      // A TinySegConcatConv band is priced as the builtin whose arithmetic it runs (opCost): no kind of its own.
      if (/^CUSTOM:TinySegConcatConv:(band|depthwise)\//.test(o.op)) continue;
      const kind = `${o.op}|${o.feature}`;
      if (!samples.has(kind)) samples.set(kind, []);
      samples.get(kind).push(o);
    }
  }
  const costs = {};
  for (const [kind, all] of [...samples].sort(([a], [b]) => (a < b ? -1 : 1))) {
    // Records of runs before the im2col count do not have it: where a kind's newer records do, those alone.
    const list = all.some((o) => o.im2col !== undefined) ? all.filter((o) => o.im2col !== undefined) : all;
    const w = (o) => 1 / Math.max(FLOOR, o.instructions);
    const distinct = new Set(list.map((o) => o.units)).size;
    // A column only when the samples can tell it from the others (per call: the sizes vary).
    const named = [
      ['unit', (o) => o.units, true],
      ['macOutput', (o) => o.macOutputs, distinct >= 3 && list.some((o) => o.macOutputs > 0)],
      // (Runs that never vary are the per-call column's.)
      ['run', (o) => o.runs ?? 0, distinct >= 3 && new Set(list.map((o) => o.runs ?? 0)).size >= 2 && new Set(list.map((o) => (o.runs ?? 0) / Math.max(1, o.units))).size >= 2],
      // Where the im2col columns' share of the MACs varies (CMSIS-NN's CONV_2D with more or fewer output channels);
      // never for float32, whose reference conv has no im2col buffer (the column took what the shapes leave).
      ['im2col', (o) => o.im2col ?? 0, distinct >= 3 && !kind.endsWith('|mac.float') && new Set(list.map((o) => (o.im2col ?? 0) / Math.max(1, o.units))).size >= 2],
      ['op', () => 1, distinct >= 2 && !noPerCall.has(kind) && !noPerCall.has(kind.slice(0, kind.lastIndexOf('|')))],
    ].filter(([, , use]) => use);
    const fit = (cols) => {
      const x = nnls(list.map((o) => cols.map(([, c]) => c(o) * w(o))), list.map((o) => o.instructions * w(o)));
      const cost = { unit: 0, macOutput: 0, run: 0, op: 0, im2col: 0 };
      cols.forEach(([name], i) => (cost[name] = round(x[i])));
      // Only the kinds that use it carry the im2col cost (OP_COSTS' entries stay as they were elsewhere).
      if (cost.im2col === 0) delete cost.im2col;
      return cost;
    };
    let cost = fit(named);
    // A per-call cost above the kind's cheapest call is the fit trading the
    // intercept against the slope over too narrow a range of sizes; it would
    // price every extra band of a split at that figure.
    if (cost.op > Math.min(...list.map((o) => o.instructions))) cost = fit(named.filter(([name]) => name !== 'op'));
    costs[kind] = cost;
    const predicted = (o) => cost.unit * o.units + cost.macOutput * o.macOutputs + cost.run * (o.runs ?? 0) + (cost.im2col ?? 0) * (o.im2col ?? 0) + cost.op;
    const errs = list.map((o) => (predicted(o) - o.instructions) / Math.max(FLOOR, o.instructions));
    const rms = Math.sqrt(errs.reduce((a, e) => a + e * e, 0) / errs.length);
    kindTables.push({ set, kind, n: list.length, cost, rms });
  }
  opCosts[set] = costs;
}
/** A measured model's predicted instructions, from its operator records, with the fitted tables (the core's, the set's, the family). */
const predictRecords = (key, ops) =>
  ops.reduce((n, o) => {
    const set = setOf(key);
    const family = { unit: fitted[set][o.feature], macOutput: fitted[set]['macOutput.int'], run: 0, op: fitted[set].op };
    const c = opCosts[key]?.[`${o.op}|${o.feature}`] ?? opCosts[set]?.[`${o.op}|${o.feature}`] ?? family;
    return n + c.unit * o.units + c.macOutput * o.macOutputs + c.run * (o.runs ?? 0) + (c.im2col ?? 0) * (o.im2col ?? 0) + c.op;
  }, 0);
// Whole models only: a run file may keep some operators' records alone (calibration-cm4-resize-band.json).
// A run measured with an earlier kernel of some operator (superseded) prices it as it was: not a check of the tables.
const ratioRows = measuredRows
  .filter((r) => r.original?.ops?.length && r.optimized?.ops?.length)
  .filter((r) => [...r.original.ops, ...r.optimized.ops].every(r.fresh))
  .map((r) => {
    const tick = BOARDS[r.board].tick;
    const mo = +r.original.invoke_ticks * tick, mp = +r.optimized.invoke_ticks * tick;
    const po = predictRecords(r.costKey, r.original.ops), pp = predictRecords(r.costKey, r.optimized.ops);
    return { file: r.file, set: r.costKey, mo, mp, po, pp };
  });

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const pct = (e) => `${e >= 0 ? '+' : ''}${(100 * e).toFixed(1)}%`;
const md = ['<!-- calibration: generated by `node bench/calibrate-compute.js --write`; do not edit below -->', '', '### Coefficients (instructions per unit)', ''];
md.push(`| feature | ${sets.map((s) => s.set).join(' | ')} |`, `|---|${sets.map(() => '---:').join('|')}|`);
for (const f of COMPUTE_FEATURES) md.push(`| \`${f}\` | ${sets.map((s) => fitted[s.set][f]).join(' | ')} |`);
for (const { set, errs } of tables) {
  const abs = errs.map((e) => Math.abs(e.err));
  const rms = Math.sqrt(abs.reduce((s, e) => s + e * e, 0) / abs.length);
  md.push('', `### ${set}: predicted vs measured Invoke() instructions`, '');
  md.push('| model | MACs | element ops | ops | measured | predicted | error |', '|---|---:|---:|---:|---:|---:|---:|');
  for (const e of errs) md.push(`| ${e.file} | ${fmt(e.macs)} | ${fmt(e.elementOps)} | ${e.ops} | ${fmt(e.measured)} | ${fmt(e.predicted)} | ${pct(e.err)} |`);
  md.push('', `${errs.length} models; RMS relative error ${(100 * rms).toFixed(1)}%, worst ${(100 * Math.max(...abs)).toFixed(1)}% (${errs[abs.indexOf(Math.max(...abs))].file}).`);
}
md.push('', '### Operator kinds (instructions per unit, per MAC output, per call)', '');
md.push(`Fitted per operator kind on ${measuredRows.length} measured runs (bench/tflm-m4.js: ${[...new Set(measuredRows.map((r) => r.file))].length} models, original and optimized, each operator timed by TFLM's profiler hook); RMS relative error over the kind's operators.`, '');
md.push('| kernels | operator | family | operators | per unit | per MAC output | per run | per im2col element | per call | RMS error |', '|---|---|---|---:|---:|---:|---:|---:|---:|---:|');
for (const k of kindTables) {
  const [op, feature] = k.kind.split('|');
  md.push(`| ${k.set} | ${op} | ${feature} | ${k.n} | ${k.cost.unit} | ${k.cost.macOutput} | ${k.cost.run} | ${k.cost.im2col ?? 0} | ${k.cost.op} | ${(100 * k.rms).toFixed(1)}% |`);
}
md.push('', '### Whole models, from their operators: predicted vs measured', '');
md.push('| model | kernels | measured orig | predicted orig | measured opt/orig | predicted opt/orig |', '|---|---|---:|---:|---:|---:|');
for (const r of ratioRows) md.push(`| ${r.file} | ${r.set} | ${fmt(r.mo)} | ${fmt(r.po)} (${pct(r.po / r.mo - 1)}) | ${(r.mp / r.mo).toFixed(3)} | ${(r.pp / r.po).toFixed(3)} |`);
md.push('');
const text = md.join('\n');
console.log(text);
console.log('\nINVOKE_COEFFICIENTS =', JSON.stringify(fitted, null, 2));
console.log('\nOP_COSTS =', JSON.stringify(opCosts));
const stale =
  sets.some((s) => COMPUTE_FEATURES.some((f) => INVOKE_COEFFICIENTS[s.set][f] !== fitted[s.set][f])) ||
  JSON.stringify(OP_COSTS) !== JSON.stringify(opCosts);
if (stale) console.log('\nnote: src/analysis/compute.ts INVOKE_COEFFICIENTS differ from this fit: paste the figures above and rebuild');

/** OP_COSTS as TypeScript, one kind per line, for src/analysis/compute.ts. */
const opCostsSource = () =>
  costKeys
    .map((set) => {
      const lines = Object.entries(opCosts[set]).map(
        ([kind, c]) => `    '${kind}': { unit: ${c.unit}, macOutput: ${c.macOutput}, run: ${c.run}, op: ${c.op}${c.im2col ? `, im2col: ${c.im2col}` : ''} },`,
      );
      return `  '${set}': {\n${lines.join('\n')}\n  },`;
    })
    .join('\n');

if (process.argv.includes('--write')) {
  const src = join(root, 'src/analysis/compute.ts');
  const code = readFileSync(src, 'utf8');
  const from = code.indexOf('\n', code.indexOf('// <op-costs>')) + 1;
  const to = code.lastIndexOf('\n', code.indexOf('// </op-costs>')) + 1;
  if (from <= 0 || to <= from) throw new Error(`${src}: no // <op-costs> ... // </op-costs> markers`);
  writeFileSync(src, `${code.slice(0, from)}${opCostsSource()}\n${code.slice(to)}`);
  const path = join(root, 'docs/compute-model.md');
  const doc = readFileSync(path, 'utf8');
  const at = doc.indexOf('<!-- calibration');
  writeFileSync(path, `${at >= 0 ? doc.slice(0, at) : `${doc}\n`}${text}`);
}
