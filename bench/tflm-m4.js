#!/usr/bin/env node
// Measures models on a Cortex-M4 (QEMU mps2-an386, -icount shift=0) with a TFLM
// you already built, original vs TinySeg-optimized, through the firmware in
// bench/tflm-m4/ (docs/firmware-measure.md). Writes bench/results-tflm.md and
// bench/results-tflm.json. --board an385 (Cortex-M3) or an547 (Cortex-M55) runs
// another QEMU board (TFLM_LIB_* built for its core), optimizes for its target
// profile and writes bench/results-tflm-<board>.*. Needs `npm run build`, cmake, ninja, arm-none-eabi-gcc
// and qemu-system-arm. Nothing here builds or downloads TFLM.
//
//   TFLM_INCLUDE="<tflm>;<flatbuffers>/include;<gemmlowp>;<ruy>" \
//   TFLM_LIB_REFERENCE=<reference build>/libtensorflow-microlite.a \
//   TFLM_LIB_CMSIS_NN=<cmsis_nn build>/libtensorflow-microlite.a \
//   CMSIS_NN_INCLUDE="<cmsis-nn>;<cmsis-nn>/Include" \
//   npm run bench:tflm -- [--board an386|an385|an547] [--no-invoke]
//     [--models a.tflite,b.tflite] [--kernels cmsis-nn,reference] [--timeout 3600] [--reuse] [--deadline <date>]
//     [--optimize-args '--max-overhead 100'] [--work <dir>] [--out <file stem>] | --render
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tflmKernelsHeader } from '../dist/emit/op-resolver.js';
import { loadGraph, opCompute } from '../dist/index.js';
import { BOARDS, TICK_INSTRUCTIONS } from './boards.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const PSRAM = 16 * 1024 * 1024;

function args(argv) {
  const o = { board: 'an386', reuse: false, models: null, kernels: null, optimizeArgs: [], timeout: 3600 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = () => argv[++i];
    if (a === '--render') o.render = true;
    else if (a === '--recount') o.recount = true; // recount an earlier run's operator records (the compute model's counting changed)
    else if (a === '--board') o.board = v(); // an386 (default), an385, an547: BOARDS
    else if (a === '--no-invoke') o.noInvoke = true; // arena figures only (BENCH_INVOKE=OFF): no Invoke(), no outputs
    else if (a === '--reuse') o.reuse = true; // keep bench/.tflm-work's optimized models from an earlier run
    else if (a === '--models') o.models = v().split(',');
    else if (a === '--kernels') o.kernels = v().split(',');
    else if (a === '--timeout') o.timeout = +v();
    else if (a === '--deadline') o.deadline = Date.parse(v()); // runs not started by then are recorded as not run
    else if (a === '--work') o.work = resolve(v());
    else if (a === '--out') o.out = resolve(v());
    else if (a === '--optimize-args') o.optimizeArgs = v().split(' ').filter(Boolean); // extra `tinyseg optimize` flags, e.g. '--max-overhead 100'
    else throw new Error(`unknown argument ${a}`);
  }
  if (!(o.board in BOARDS)) throw new Error(`--board must be one of ${Object.keys(BOARDS).join(', ')}, got ${o.board}`);
  const suffix = o.board === 'an386' ? '' : `-${o.board}`;
  o.work ??= join(root, `bench/.tflm-work${suffix}`);
  o.out ??= join(root, `bench/results-tflm${suffix}`);
  return o;
}

/** The default model set: every int8 model of ../shared/models (when present) and the bundled Tiny U-Net. */
function defaultModels() {
  const shared = resolve(root, '../shared/models');
  const list = existsSync(shared) ? readdirSync(shared).filter((f) => /int8.*\.tflite$/.test(f)).map((f) => join(shared, f)) : [];
  // Smallest file first: the quick runs finish before the long ones.
  return [...list, join(root, 'examples/models/tiny-unet-80x120.tflite')].sort((a, b) => statSync(a).size - statSync(b).size);
}

function kernelSets() {
  const sets = [];
  if (process.env.TFLM_LIB_CMSIS_NN) sets.push({ name: 'cmsis-nn', lib: process.env.TFLM_LIB_CMSIS_NN });
  if (process.env.TFLM_LIB_REFERENCE) sets.push({ name: 'reference', lib: process.env.TFLM_LIB_REFERENCE });
  return sets;
}

const sha256 = (b) => createHash('sha256').update(b).digest('hex');

function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 28, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status}):\n${(r.stdout || '').slice(-3000)}${(r.stderr || '').slice(-3000)}`);
  return r.stdout;
}

/** The model array in the form `tinyseg optimize --emit --name bench` writes it. */
function writeModelArray(dir, bytes, what) {
  mkdirSync(dir, { recursive: true });
  const rows = [];
  for (let i = 0; i < bytes.length; i += 16) rows.push('  ' + Array.from(bytes.subarray(i, i + 16), (b) => `0x${b.toString(16).padStart(2, '0')}`).join(', ') + ',');
  writeFileSync(join(dir, 'bench_model.h'), `/* ${what} (${bytes.length} bytes). */
#ifndef BENCH_MODEL_H_
#define BENCH_MODEL_H_
#ifdef __cplusplus
extern "C" {
#endif
extern const unsigned char bench_model[];
extern const unsigned int bench_model_len;
#ifdef __cplusplus
}
#endif
#endif
`);
  writeFileSync(join(dir, 'bench_model.cc'), `#include "bench_model.h"\nalignas(16) const unsigned char bench_model[] = {\n${rows.join('\n')}\n};\nconst unsigned int bench_model_len = ${bytes.length}u;\n`);
}

/** Optimizes one model for kernel set `set` with the CLI and prepares the two model directories (original, optimized). */
function prepare(model, work, reuse, set, optimizeArgs, board) {
  const stem = basename(model).replace(/\.tflite$/, '');
  const dir = join(work, set, stem);
  const optDir = join(dir, 'opt'), optEmit = join(dir, 'opt-emit'), origEmit = join(dir, 'orig-emit');
  const reused = reuse && existsSync(join(optDir, `${stem}.plan.json`)) && existsSync(join(optEmit, 'bench_model.cc'));
  if (!reused) rmSync(dir, { recursive: true, force: true });
  const target = BOARDS[board].target ? ['--target', BOARDS[board].target] : [];
  if (!reused) run('node', [join(root, 'bin/tinyseg.js'), 'optimize', model, '-o', optDir, '--no-cache', '--emit', optEmit, '--name', 'bench', '--kernels', set, ...target, ...optimizeArgs], { cwd: root });
  const plan = JSON.parse(readFileSync(join(optDir, `${stem}.plan.json`), 'utf8'));
  const original = new Uint8Array(readFileSync(model));
  writeModelArray(origEmit, original, `${basename(model)}, unmodified`);
  // The emit writes TinySeg's kernel header only for models that use TinySeg's operators; the firmware registers them always.
  // Its TINYSEG_KERNELS_CMSIS_NN follows the set, as the optimized model's does.
  for (const d of [optEmit, origEmit]) writeFileSync(join(d, 'tinyseg_tflm_kernels.h'), tflmKernelsHeader(set));
  const optimizedLen = readFileSync(join(optDir, `${stem}.tflite`)).length;
  return {
    stem, file: basename(model), modelSha256: sha256(original), plan, emittedArena: emittedArenaSize(optEmit),
    variants: {
      original: { emit: origEmit, model, modelLen: original.length, spill: 16 },
      optimized: { emit: optEmit, model: join(optDir, `${stem}.tflite`), modelLen: optimizedLen, spill: Math.max(16, Math.ceil((plan.spill?.regionBytes ?? 0) / 16) * 16) },
    },
  };
}

/** The `<NAME>_ARENA_SIZE` the emit wrote (the smallest arena TinySeg predicts to allocate). */
function emittedArenaSize(emitDir) {
  const header = join(emitDir, 'bench_arena.h');
  const m = existsSync(header) ? /^#define BENCH_ARENA_SIZE (0x[0-9A-Fa-f]+|[0-9]+)u$/m.exec(readFileSync(header, 'utf8')) : null;
  return m ? Number(m[1]) : undefined;
}

function buildFirmware(m, variant, set, work, board, noInvoke) {
  const v = m.variants[variant];
  // One build directory per kernel set: per model only the model array and the memory file recompile.
  const b = join(work, 'build', set.name);
  const cap = Math.floor((PSRAM - v.modelLen - v.spill - 65536) / 16) * 16;
  run('cmake', ['-S', join(root, 'bench/tflm-m4'), '-B', b, '-G', 'Ninja', '-DCMAKE_BUILD_TYPE=',
    `-DTFLM_LIB=${set.lib}`, `-DTFLM_INCLUDE=${process.env.TFLM_INCLUDE ?? ''}`, `-DCMSIS_NN_INCLUDE=${set.name === 'cmsis-nn' ? process.env.CMSIS_NN_INCLUDE ?? '' : ''}`,
    `-DBENCH_MODEL_DIR=${v.emit}`, `-DBENCH_ARENA_CAP=${cap}`, `-DBENCH_SPILL_BYTES=${v.spill}`,
    `-DBENCH_BOARD=${board}`, `-DBENCH_INVOKE=${noInvoke ? 'OFF' : 'ON'}`]);
  run('cmake', ['--build', b]);
  const elf = join(work, 'elf', set.name, `${m.stem}-${variant}.elf`);
  mkdirSync(join(work, 'elf', set.name), { recursive: true });
  copyFileSync(join(b, 'bench.elf'), elf);
  return elf;
}

/** Runs the firmware under QEMU in its own directory; resolves to the parsed TSB lines and the output bytes. */
function runFirmware(elf, dir, timeout, board) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return new Promise((resolvePromise) => {
    const p = spawn('timeout', ['--kill-after=5', String(timeout), 'qemu-system-arm', '-M', BOARDS[board].machine, '-nographic', '-monitor', 'none', '-serial', 'none',
      '-semihosting-config', 'enable=on,target=native', '-icount', 'shift=0,sleep=off', '-kernel', elf], { cwd: dir });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    p.on('close', (status) => {
      const r = { status, log: out, outputs: [], opTicks: [] };
      for (const line of out.split('\n')) {
        const m = /^TSB (.*)$/.exec(line.trim());
        if (!m) continue;
        const kv = Object.fromEntries(m[1].split(' ').map((x) => x.split('=')));
        if ('output' in kv) {
          const file = join(dir, `out${kv.output}.bin`);
          r.outputs.push({ bytes: +kv.bytes, crc32: kv.crc32, sha256: existsSync(file) ? sha256(readFileSync(file)) : null });
        } else if ('op' in kv) r.opTicks[+kv.op] = +kv.ticks;
        else Object.assign(r, kv);
      }
      resolvePromise(r);
    });
  });
}

/**
 * Each operator's measured instructions with what the compute model counts for it
 * (src/analysis/compute.ts): the samples bench/calibrate-compute.js fits. Nested
 * subgraphs (WHILE, IF) profile more events than the main subgraph has operators: none then.
 */
function opRecords(modelPath, opTicks, tick = TICK_INSTRUCTIONS) {
  const sg = loadGraph(new Uint8Array(readFileSync(modelPath))).main;
  if (opTicks.length !== sg.ops.length) return undefined;
  return sg.ops.map((op, i) => {
    const c = opCompute(sg, op);
    const units = c.macs + c.elementOps;
    const im2col = c.im2col > 0 ? { im2col: c.im2col } : {};
    return { op: c.kind, feature: c.feature, units, macOutputs: c.macOutputs, runs: c.runs, ...im2col, instructions: opTicks[i] * tick };
  });
}

/** The run as JSON, one line per operator record (thousands of them). */
const runJson = (run) => `${JSON.stringify(run, null, 2).replace(/\{\n\s+"op": [^{}]*?\n\s+\}/g, (r) => r.replace(/\n\s*/g, ' '))}\n`;

function loadOracle() {
  const dir = resolve(root, '../shared/oracle');
  const read = (f) => (existsSync(join(dir, f)) ? JSON.parse(readFileSync(join(dir, f), 'utf8')) : {});
  return { cmsis: read('tflm-cmsis-nn-m4.json'), golden: read('tflm-golden.json') };
}

const fmt = (n) => (n === undefined || n === null || Number.isNaN(n) ? '–' : Number(n).toLocaleString('en-US'));

const emitted = (r, p) => (r.emittedArena === undefined ? '–' : `${fmt(r.emittedArena)}${p.min_arena_bytes && r.emittedArena < +p.min_arena_bytes ? ' (TOO SMALL)' : ''}`);

function table(rows, oracle, meta) {
  if ((meta.board ?? 'an386') !== 'an386') return boardTable(rows, meta, oracle);
  const lines = [
    '# TFLM on Cortex-M4 (QEMU): original vs TinySeg-optimized',
    '',
    `Measured by \`bench/tflm-m4.js\` (docs/firmware-measure.md) on ${meta.date}. TFLM: ${meta.tflm}.`,
    'QEMU mps2-an386, `-icount shift=0,sleep=off`: instructions = FPGAIO counter ticks around one `Invoke()` x 40 (resolution 40).',
    'Model and arena in PSRAM, oracle input. Each kernel set runs the model optimized for it (`--kernels`); `predicted` is that plan\'s `after.total` (32-bit).',
    '`min arena` is the smallest multiple of 16 bytes with which `AllocateTensors()` succeeds (binary search in the firmware);',
    '`emitted` is the optimized model\'s `<NAME>_ARENA_SIZE` (the emit\'s arena header): it allocates when it is at least `min arena opt`.',
    '`outputs equal`: the optimized model\'s output bytes equal the original\'s (sha256 of every output); `oracle` compares the',
    'original\'s figures with ../shared/oracle (cmsis-nn: tflm-cmsis-nn-m4.json; reference: tflm-cmsis-nn-m4.json\'s',
    '`invoke_cm4_reference_instructions`, tflm-golden.json\'s `arena_used_bytes_cm4` and output sha256).',
    '',
    '| model | kernels | arena used orig | arena used opt | predicted opt | min arena orig | min arena opt | emitted | instructions orig | instructions opt | opt/orig | outputs equal | oracle |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  for (const r of rows) {
    const o = r.original ?? {}, p = r.optimized ?? {};
    const io = o.invoke_ticks ? +o.invoke_ticks * TICK_INSTRUCTIONS : null, ip = p.invoke_ticks ? +p.invoke_ticks * TICK_INSTRUCTIONS : null;
    const eq = o.outputs?.length && p.outputs?.length ? (o.outputs.length === p.outputs.length && o.outputs.every((x, i) => x.sha256 && x.sha256 === p.outputs[i].sha256) ? 'yes' : 'NO') : '–';
    lines.push(`| ${r.file} | ${r.kernels} | ${fmt(o.arena_used_bytes)} | ${fmt(p.arena_used_bytes)} | ${fmt(r.predicted)} | ${fmt(o.min_arena_bytes)} | ${fmt(p.min_arena_bytes)} | ${emitted(r, p)} | ${fmt(io)} | ${fmt(ip)} | ${io && ip ? (ip / io).toFixed(3) : '–'} | ${eq} | ${oracleCheck(r, oracle)} |`);
  }
  const notes = rows.flatMap((r) => ['original', 'optimized'].filter((v) => r[v]?.error || r[v]?.result !== 'ok').map((v) => `- ${r.file} ${r.kernels} ${v}: ${r[v]?.error ?? 'no result'}`));
  if (notes.length) lines.push('', 'Not measured / failed:', '', ...notes);
  return lines.join('\n') + '\n';
}

/** The table of a board other than the default: no oracle (it measured the Cortex-M4), and the original's prediction too. */
function boardTable(rows, meta, oracle) {
  const b = BOARDS[meta.board];
  const lines = [
    `# TFLM on ${b.core} (QEMU ${b.machine}): original vs TinySeg-optimized`,
    '',
    `Measured by \`bench/tflm-m4.js --board ${meta.board}\` (docs/firmware-measure.md) on ${meta.date}. TFLM: ${meta.tflm}.`,
    `QEMU ${b.machine} (${b.core}, CMSIS-NN ISA: ${b.isa}), \`-icount shift=0,sleep=off\`; model and arena in the board's 16 MB PSRAM role, oracle input.`,
    `Each kernel set runs the model optimized for it (\`--kernels\`, \`--target ${b.target}\`). \`predicted orig\` is \`tinyseg report --json --target ${b.target} --kernels <set>\`'s`,
    '`arena.total`, `predicted opt` the plan\'s `after.total`; `min arena` the smallest multiple of 16 bytes with which `AllocateTensors()` succeeds.',
    '`outputs equal`: the optimized model\'s output bytes equal the original\'s (sha256 of every output; – without `Invoke()`);',
    '`golden`: the original\'s outputs against ../shared/oracle/tflm-golden.json (Cortex-M4, reference kernels).',
    `Instructions: FPGAIO counter ticks around one \`Invoke()\` x ${b.tick} (resolution ${b.tick}). **≠**: measured differs from predicted.`,
    '',
    '| model | kernels | arena used orig | predicted orig | arena used opt | predicted opt | min arena orig | min arena opt | instructions orig | instructions opt | outputs equal | golden |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  const golden = (r) => {
    const g = oracle.golden[r.file], outs = r.original?.outputs;
    if (!g?.outputs?.length || !outs?.length) return '–';
    return (g.outputs.every((x, i) => x.sha256 === outs[i]?.sha256) ? 'out ok' : 'out DIFFERS') + (g.model_sha256 && g.model_sha256 !== r.modelSha256 ? ' (other model file)' : '');
  };
  const mark = (got, want) => (got === undefined || want === undefined ? '' : +got === want ? '' : ' **≠**');
  for (const r of rows) {
    const o = r.original ?? {}, p = r.optimized ?? {};
    const eq = o.outputs?.length && p.outputs?.length ? (o.outputs.length === p.outputs.length && o.outputs.every((x, i) => x.sha256 && x.sha256 === p.outputs[i].sha256) ? 'yes' : 'NO') : '–';
    lines.push(`| ${r.file} | ${r.kernels} | ${fmt(o.arena_used_bytes)}${mark(o.arena_used_bytes, r.reportOriginal)} | ${fmt(r.reportOriginal)} | ${fmt(p.arena_used_bytes)}${mark(p.arena_used_bytes, r.predicted)} | ${fmt(r.predicted)} | ${fmt(o.min_arena_bytes)} | ${fmt(p.min_arena_bytes)} | ${fmt(o.invoke_ticks && +o.invoke_ticks * b.tick)} | ${fmt(p.invoke_ticks && +p.invoke_ticks * b.tick)} | ${eq} | ${golden(r)} |`);
  }
  const notes = rows.flatMap((r) => ['original', 'optimized'].filter((v) => r[v]?.error || r[v]?.result !== 'ok').map((v) => `- ${r.file} ${r.kernels} ${v}: ${r[v]?.error ?? 'no result'}`));
  if (notes.length) lines.push('', 'Not measured / failed:', '', ...notes);
  return lines.join('\n') + '\n';
}

/** `tinyseg report --json` 's arena.total for the original model on the board's target with kernel set `set`. */
function reportArena(model, board, set) {
  const out = run('node', [join(root, 'bin/tinyseg.js'), 'report', model, '--json', '--target', BOARDS[board].target, '--kernels', set], { cwd: root });
  return JSON.parse(out).arena?.total;
}

/** 'instr ok' when equal, else the oracle's figure and the relative difference of ours. */
function instrCheck(want, got) {
  if (want === got) return 'instr ok';
  const d = ((got - want) / want) * 100;
  return `instr ${fmt(want)} (${d >= 0 ? '+' : ''}${Math.abs(d) < 0.01 ? d.toFixed(4) : d.toFixed(2)}%)`;
}

/** Compares the original's figures with the oracle's: 'arena ok, instr ok, out ok' or the differences. */
function oracleCheck(r, oracle) {
  const o = r.original;
  if (!o || o.result !== 'ok') return '–';
  const c = oracle.cmsis[r.file], g = oracle.golden[r.file];
  const parts = [];
  const instr = +o.invoke_ticks * TICK_INSTRUCTIONS;
  if (r.kernels === 'cmsis-nn' && c) {
    parts.push(c.arena_used_bytes_cm4_cmsis_nn === +o.arena_used_bytes ? 'arena ok' : `arena ${fmt(c.arena_used_bytes_cm4_cmsis_nn)}`);
    parts.push(instrCheck(c.invoke_cm4_cmsis_nn_instructions, instr));
    if (c.min_arena_bytes_cm4_cmsis_nn) parts.push(c.min_arena_bytes_cm4_cmsis_nn === +o.min_arena_bytes ? 'min ok' : `min ${fmt(c.min_arena_bytes_cm4_cmsis_nn)}`);
  }
  if (r.kernels === 'reference') {
    if (g?.arena_used_bytes_cm4 !== undefined) parts.push(g.arena_used_bytes_cm4 === +o.arena_used_bytes ? 'arena ok' : `arena ${fmt(g.arena_used_bytes_cm4)}`);
    if (c?.invoke_cm4_reference_instructions) parts.push(instrCheck(c.invoke_cm4_reference_instructions, instr));
    if (c?.min_arena_bytes_cm4_reference) parts.push(c.min_arena_bytes_cm4_reference === +o.min_arena_bytes ? 'min ok' : `min ${fmt(c.min_arena_bytes_cm4_reference)}`);
  }
  if (g?.outputs?.length) parts.push(g.outputs.every((x, i) => x.sha256 === o.outputs[i]?.sha256) ? 'out ok' : 'out DIFFERS');
  if (g?.model_sha256 && g.model_sha256 !== r.modelSha256) parts.push('(other model file)');
  return parts.join(', ') || 'no oracle';
}

async function main() {
  const o = args(process.argv.slice(2));
  if (o.recount) {
    // The models are the run's: the originals where they were, the optimized ones in --work.
    const run = JSON.parse(readFileSync(`${o.out}.json`, 'utf8'));
    for (const row of run.rows) {
      const stem = row.file.replace(/\.tflite$/, '');
      const original = defaultModels().find((d) => basename(d) === row.file);
      const paths = { original, optimized: join(o.work, row.kernels, stem, 'opt', `${stem}.tflite`) };
      for (const variant of ['original', 'optimized']) {
        const ops = row[variant]?.ops;
        if (!ops || !paths[variant] || !existsSync(paths[variant])) continue;
        row[variant].ops = opRecords(paths[variant], ops.map((x) => x.instructions / TICK_INSTRUCTIONS));
      }
    }
    writeFileSync(`${o.out}.json`, runJson(run));
    return;
  }
  if (o.render) {
    // Only rewrite the table from an earlier run's JSON.
    const { meta, rows } = JSON.parse(readFileSync(`${o.out}.json`, 'utf8'));
    writeFileSync(`${o.out}.md`, table(rows, loadOracle(), meta));
    process.stdout.write(readFileSync(`${o.out}.md`, 'utf8'));
    return;
  }
  const sets = kernelSets().filter((s) => !o.kernels || o.kernels.includes(s.name));
  if (!process.env.TFLM_INCLUDE || !sets.length) {
    console.error('Set TFLM_INCLUDE and TFLM_LIB_REFERENCE and/or TFLM_LIB_CMSIS_NN (docs/firmware-measure.md).');
    process.exit(2);
  }
  if (sets.some((s) => s.name === 'cmsis-nn') && !process.env.CMSIS_NN_INCLUDE) {
    console.error('Set CMSIS_NN_INCLUDE to CMSIS-NN\'s root and Include dirs: TinySeg\'s kernels call CMSIS-NN in a cmsis-nn build (docs/firmware-measure.md).');
    process.exit(2);
  }
  const models = (o.models ?? defaultModels()).map((m) => (existsSync(m) ? resolve(m) : defaultModels().find((d) => basename(d) === m) ?? m));
  mkdirSync(o.work, { recursive: true });
  const oracle = loadOracle();
  // Each kernel set gets the model optimized for it (its scratch, op data and compute cost differ).
  const prepared = new Map(sets.map((set) => [set.name, models.map((m) => { console.error(`optimize ${basename(m)} for ${set.name}`); return prepare(m, o.work, o.reuse, set.name, o.optimizeArgs, o.board); })]));
  const rows = [];
  const jobs = [];
  for (const set of sets) {
    for (const m of prepared.get(set.name)) {
      const plan = { predicted: m.plan.after?.total, predictedOriginal: m.plan.before?.total, emittedArena: m.emittedArena };
      const row = { file: m.file, kernels: set.name, modelSha256: m.modelSha256, ...plan };
      if (o.board !== 'an386') row.reportOriginal = reportArena(join(m.variants.original.model), o.board, set.name);
      rows.push(row);
      for (const variant of ['original', 'optimized']) jobs.push({ set, m, variant, row });
    }
  }
  const meta = { date: new Date().toISOString().slice(0, 10), tflm: process.env.TFLM_DESCRIBE ?? 'as given by TFLM_LIB_*', ...(o.board !== 'an386' ? { board: o.board } : {}) };
  const save = () => {
    writeFileSync(`${o.out}.json`, runJson({ meta, rows }));
    writeFileSync(`${o.out}.md`, table(rows, oracle, meta));
  };
  // One worker per kernel set (they share nothing; within a set the build directory is shared).
  const worker = async (set) => {
    // Quickest first, by the oracle's instruction count for this kernel set when it has one.
    const key = set.name === 'cmsis-nn' ? 'invoke_cm4_cmsis_nn_instructions' : 'invoke_cm4_reference_instructions';
    const cost = (j) => oracle.cmsis[j.m.file]?.[key] ?? Infinity;
    for (const { m, variant, row } of jobs.filter((j) => j.set === set).sort((a, b) => cost(a) - cost(b))) {
      if (o.deadline && Date.now() > o.deadline) {
        row[variant] = { error: 'not run: the run\'s --deadline passed before its turn' };
        save();
        continue;
      }
      const t0 = Date.now();
      try {
        const elf = buildFirmware(m, variant, set, o.work, o.board, o.noInvoke);
        const r = await runFirmware(elf, join(o.work, 'run', set.name, `${m.stem}-${variant}`), o.timeout, o.board);
        if (r.result !== 'ok') r.error ??= `firmware exit ${r.status}: ${r.log.split('\n').filter(Boolean).slice(-3).join(' / ')}`;
        delete r.log;
        r.ops = r.opTicks.length ? opRecords(m.variants[variant].model, r.opTicks, BOARDS[o.board].tick) : undefined;
        delete r.opTicks;
        row[variant] = r;
      } catch (e) {
        row[variant] = { error: e.message.split('\n')[0] };
      }
      console.error(`${set.name} ${m.file} ${variant}: ${row[variant].error ?? `arena ${row[variant].arena_used_bytes}, ticks ${row[variant].invoke_ticks}, min ${row[variant].min_arena_bytes}`} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
      save();
    }
  };
  await Promise.all(sets.map(worker));
  save();
  process.stdout.write(readFileSync(`${o.out}.md`, 'utf8'));
}

main().catch((e) => { console.error(e.stack ?? e); process.exit(1); });
