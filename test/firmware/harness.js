// The QEMU Cortex-M harness of the C spill runtime, shared by
// test/firmware/qemu.system.test.ts (which passes src/ modules) and bench/qemu.js
// (which passes dist/ modules): turns an optimized model's spill schedule and
// real activations into replay_data.h, builds test/firmware/replay.c with the
// runtime for a QEMU mps2 machine, runs it and parses its RESULT lines.
// Plain JavaScript so the bench can run it without a TypeScript step; types
// in harness.d.ts.

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const runtimeDir = resolve(here, '../../templates/runtime');

/** QEMU machines the harness targets: CPU for gcc, linker script (memory map). */
export const MACHINES = {
  'mps2-an386': { cpu: 'cortex-m4', script: 'mps2-an386.ld' },
  'mps2-an500': { cpu: 'cortex-m7', script: 'mps2-an500.ld' },
};

/** The FPGAIO counter runs at 25 MHz: 40 ns, i.e. 40 instructions under -icount shift=0. */
export const NS_PER_TICK = 40;
/** Block (= compression section) size the firmware uses. */
export const REPLAY_BLOCK = 512;

const TOOLS = [
  ['arm-none-eabi-gcc', 'gcc-arm-none-eabi libnewlib-arm-none-eabi'],
  ['qemu-system-arm', 'qemu-system-arm'],
];

/** Throws one clear message when the cross compiler or QEMU is missing (CI installs them in .ci/run). */
export function requireTools() {
  const missing = TOOLS.filter(([tool]) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status !== 0);
  if (missing.length) {
    throw new Error(
      `${missing.map(([t]) => t).join(' and ')} not found: the Cortex-M test needs them ` +
        `(apt-get install -y --no-install-recommends ${missing.map(([, p]) => p).join(' ')}; .ci/run installs them)`,
    );
  }
}

const elementsOf = (t) => t.shape.reduce((a, b) => a * b, 1);

function layoutOf(t) {
  const channels = t.shape[t.shape.length - 1];
  const elements = elementsOf(t);
  return { rows: elements / channels, channels, elem: t.byteSize / elements };
}

/** Channels outside [begin, begin + count) of every row, in order: a fetch's resident input. */
function residentOf(bytes, l, begin, count) {
  const keep = l.channels - count;
  const out = new Uint8Array(l.rows * keep * l.elem);
  const head = begin * l.elem;
  for (let r = 0; r < l.rows; r++) {
    const row = r * l.channels * l.elem;
    const to = r * keep * l.elem;
    out.set(bytes.subarray(row, row + head), to);
    out.set(bytes.subarray(row + (begin + count) * l.elem, row + l.channels * l.elem), to + head);
  }
  return out;
}

/**
 * A framed TinySegFetch's output (batch 1, 4-D) inside its frame `pad` (top, bottom, left, right): the tensor and
 * bytes the runtime fetches, the TFLM kernel writing the frame around them.
 */
export function insideFrame(tensor, bytes, pad) {
  const [, h, w, c] = tensor.shape;
  const pixel = bytes.length / (h * w);
  const [rows, cols] = [h - pad[0] - pad[1], w - pad[2] - pad[3]];
  const inside = new Uint8Array(rows * cols * pixel);
  for (let r = 0; r < rows; r++) {
    const from = ((pad[0] + r) * w + pad[2]) * pixel;
    inside.set(bytes.subarray(from, from + cols * pixel), r * cols * pixel);
  }
  return { tensor: { ...tensor, shape: [1, rows, cols, c], byteSize: inside.length }, bytes: inside };
}

/** Channels [begin, begin + count) of every row, back to back: what a spill writes to the region. */
export function packedSlice(bytes, t, begin, count) {
  const l = layoutOf(t);
  const out = new Uint8Array(l.rows * count * l.elem);
  for (let r = 0; r < l.rows; r++) {
    const from = (r * l.channels + begin) * l.elem;
    out.set(bytes.subarray(from, from + count * l.elem), r * count * l.elem);
  }
  return out;
}

/** The bytes of a slot written in rows: its parts' activations at their places. */
function slotBytesOf(parts, d) {
  const data = new Uint8Array(d.bytes);
  for (const p of parts) data.set(p.data, p.at - d.offset);
  return data;
}

/**
 * The optimized model's spill schedule in model order, on concrete bytes.
 * Each decision's spill writes its channel slice of the real activation; its
 * fetch op brings it back: a TinySegConcatFetch is replayed as that op (its
 * resident parts and expected output are the captured activations); any other
 * fetch (TinySegFetch, or a fused op the C runtime leaves to the kernel) as
 * ts_fetch of the spilled tensor with the other channels resident, which must
 * give back the tensor. A fused reader of a slot's rows (`fusedRowReads`: a
 * TinySegConcatConv band) is replayed as a fetch of those rows.
 */
/** replaySchedule of an optimize() result, with TinySeg's operator codes and readers from `lib` (the sources or dist/). */
export function replayOf(optimized, lib) {
  return replaySchedule({
    graph: optimized.graph,
    decisions: optimized.report.spill.decisions,
    activations: lib.captureActivations(optimized.graph),
    concatFetchCode: lib.CONCAT_FETCH,
    decodeConcatFetchOptions: lib.decodeConcatFetchOptions,
    fetchCode: lib.FETCH,
    decodeFetchOptions: lib.decodeFetchOptions,
    spillCode: lib.SPILL,
    fusedRowReads: (op) => (op.customCode === lib.CONCAT_CONV ? lib.concatConvBandReads(op, optimized.graph.main.tensors) : null),
    rowWriter: rowWriterOf(optimized.graph, lib),
  });
}

/** The rows a TinySegConcatConv at position k writes to the region itself (their bytes from one run), or null. */
function rowWriterOf(graph, lib) {
  let written = null;
  return (op, k) => {
    const out = op.customCode === lib.CONCAT_CONV ? lib.decodeConcatConvOptions(op.customOptions).out : undefined;
    if (!out) return null;
    written ??= lib.captureRegionWrites(graph);
    return { tensor: lib.concatConvOutput(op, graph.main.tensors), data: written.get(k), offset: out.offset, bytes: out.bytes };
  };
}

export function replaySchedule(args) {
  const { graph, decisions, activations, concatFetchCode, decodeConcatFetchOptions, fetchCode, decodeFetchOptions, spillCode, fusedRowReads, rowWriter } = args;
  const sg = graph.main;
  const act = (t) => {
    const bytes = activations.get(t);
    if (!bytes) throw new Error(`no captured activation for tensor ${sg.tensors[t].name}`);
    return bytes;
  };
  // What the runtime fetches for a TinySegFetch: its output, or inside a framed fetch's frame.
  const fetched = (y, o) => {
    if (!o.pad) return { tensor: y, data: act(y.index) };
    const { tensor, bytes } = insideFrame(y, act(y.index), o.pad);
    return { tensor, data: bytes };
  };
  const events = [];
  decisions.forEach((d, spill) => {
    const op = sg.ops[d.spillOp];
    const x = sg.tensors[op.inputs[0]];
    const rows = d.fused === 'rows';
    // A slot written in rows: its parts' bytes, in slot order (together the tensor, which never exists whole).
    const parts = [];
    if (d.spilled === 'rows') {
      // Written by row bands, each band's rows a spill into the slot, up to its first fetch: plain, as row fetches.
      for (let k = d.spillOp; k < d.fetchOp; k++) {
        const s = sg.ops[k];
        // Or a convolution's rows, written by the operator itself.
        const w = s.opcode === 'CUSTOM' && s.customCode !== spillCode ? rowWriter?.(s, k) : null;
        if (w && w.offset >= d.offset && w.offset < d.offset + d.bytes) {
          const tensor = { ...w.tensor, name: `${d.tensor}_rows` };
          parts.push({ part: tensor, at: w.offset, data: w.data });
          const count = tensor.shape[tensor.shape.length - 1];
          events.push({ at: k, order: 0, step: { kind: 'spill', tensor, data: w.data, begin: 0, count, offset: w.offset, bytes: w.bytes, spill, plain: true } });
        }
        if (s.opcode !== 'CUSTOM' || s.customCode !== spillCode) continue;
        const o = decodeFetchOptions(s.customOptions);
        if (o.offset < d.offset || o.offset >= d.offset + d.bytes) continue;
        const part = sg.tensors[s.inputs[0]];
        parts.push({ part, at: o.offset, data: act(part.index) });
        events.push({ at: k, order: 0, step: { kind: 'spill', tensor: part, data: act(part.index), begin: 0, count: o.count, offset: o.offset, bytes: o.bytes, spill, plain: true } });
      }
    } else {
      events.push({ at: d.spillOp, order: 0, step: { kind: 'spill', tensor: x, data: act(x.index), begin: d.begin, count: d.count, offset: d.offset, bytes: d.bytes, spill, plain: rows } });
    }
    if (rows) {
      // Each band's rows: a fetch from inside the slot, up to the last one (fetchOp).
      for (let k = d.spillOp + 1; k <= d.fetchOp; k++) {
        const f = sg.ops[k];
        if (f.opcode !== 'CUSTOM') continue;
        if (f.customCode !== fetchCode) {
          // A fused reader's rows (a TinySegConcatConv band): replayed as a fetch of the same slot bytes.
          for (const r of fusedRowReads?.(f) ?? []) {
            if (r.offset < d.offset || r.offset >= d.offset + d.bytes) continue;
            // A slot written in rows holds its parts; a whole spill, the tensor.
            const whole = parts.length > 0 ? slotBytesOf(parts, d) : act(x.index);
            const first = parts[0]?.part ?? x;
            const rowBytes = first.byteSize / first.shape[1];
            const tensor = { ...first, name: `${d.tensor} rows`, shape: [1, r.bytes / rowBytes, ...first.shape.slice(2)], byteSize: r.bytes };
            const data = whole.subarray(r.offset - d.offset, r.offset - d.offset + r.bytes);
            events.push({ at: k, order: 1, step: { kind: 'fetch', tensor, data, resident: null, begin: 0, count: d.count, offset: r.offset, bytes: r.bytes, spill, plain: true } });
          }
          continue;
        }
        const o = decodeFetchOptions(f.customOptions);
        if (o.offset < d.offset || o.offset >= d.offset + d.bytes) continue;
        const { tensor, data } = fetched(sg.tensors[f.outputs[0]], o);
        events.push({ at: k, order: 1, step: { kind: 'fetch', tensor, data, resident: null, begin: o.begin, count: o.count, offset: o.offset, bytes: o.bytes, spill, plain: true } });
      }
      return;
    }
    const fetch = sg.ops[d.fetchOp];
    if (fetch.opcode === 'CUSTOM' && fetch.customCode === concatFetchCode) {
      if (events.some((e) => e.at === d.fetchOp)) return; // one step per op, however many decisions it fetches
      const parts = decodeConcatFetchOptions(fetch.customOptions).parts.map((p) => {
        if ('input' in p) {
          const t = sg.tensors[fetch.inputs[p.input]];
          return { input: act(t.index), channels: t.shape[t.shape.length - 1] };
        }
        const from = decisions.findIndex((o) => o.fetchOp === d.fetchOp && o.offset === p.offset);
        if (from < 0) throw new Error(`concat-fetch op ${d.fetchOp} reads region offset ${p.offset} that no spill writes`);
        return { channels: p.channels, offset: p.offset, spill: from };
      });
      const y = sg.tensors[fetch.outputs[0]];
      events.push({ at: d.fetchOp, order: 1, step: { kind: 'concat', tensor: y, data: act(y.index), parts } });
    } else if (d.spilled === 'rows') {
      // Never whole in the model: a plain TinySegFetch's output is the tensor; a fused reader's operand is the
      // parts' rows together, fetched whole here.
      let { tensor: y, data } = fetch.customCode === fetchCode ? fetched(sg.tensors[fetch.outputs[0]], decodeFetchOptions(fetch.customOptions)) : {};
      if (fetch.customCode !== fetchCode) {
        const ordered = parts.sort((a, b) => a.at - b.at);
        const rowsOf = (t) => t.shape[1];
        const shape = [1, ordered.reduce((n, p) => n + rowsOf(p.part), 0), ...ordered[0].part.shape.slice(2)];
        y = { ...ordered[0].part, name: d.tensor, byteSize: d.bytes, shape };
        data = slotBytesOf(parts, d);
      }
      events.push({ at: d.fetchOp, order: 1, step: { kind: 'fetch', tensor: y, data, resident: null, begin: d.begin, count: d.count, offset: d.offset, bytes: d.bytes, spill, plain: true } });
    } else {
      const data = act(x.index);
      const l = layoutOf(x);
      const resident = d.count < l.channels ? residentOf(data, l, d.begin, d.count) : null;
      events.push({ at: d.fetchOp, order: 1, step: { kind: 'fetch', tensor: x, data, resident, begin: d.begin, count: d.count, offset: d.offset, bytes: d.bytes, spill } });
    }
  });
  events.sort((a, b) => a.at - b.at || a.order - b.order);
  return events.map((e) => e.step);
}

/** A name safe inside a C string and a space-separated RESULT line. */
const cName = (s) => s.replace(/[^A-Za-z0-9_.:/-]/g, '_');

/** replay_data.h for test/firmware/replay.c: the schedule's bytes and steps. */
export function replayHeader(steps, regionBytes) {
  const arrays = new Map();
  const lines = ['/* Generated by test/firmware/harness.js: real activations and a spill schedule. */', ''];
  const arrayOf = (bytes) => {
    let name = arrays.get(bytes);
    if (name) return name;
    name = `replay_bytes_${arrays.size}`;
    arrays.set(bytes, name);
    const rows = [];
    for (let i = 0; i < bytes.length; i += 32) rows.push(Array.from(bytes.subarray(i, i + 32)).join(','));
    lines.push(`static const uint8_t ${name}[${bytes.length}] = {`, rows.join(',\n'), '};');
    return name;
  };
  const stepRows = [];
  const partRows = [];
  let spillMax = 0;
  let outputMax = 0;
  let partsMax = 1;
  for (const s of steps) {
    const l = layoutOf(s.tensor);
    const data = arrayOf(s.data);
    const head = `{REPLAY_${s.kind.toUpperCase()}, "${cName(s.tensor.name)}", ${l.rows}u, ${l.channels}u, ${l.elem}u, ${data}, ${s.data.length}u`;
    if (s.kind === 'concat') {
      const first = partRows.length;
      for (const p of s.parts) {
        partRows.push(p.input ? `{${arrayOf(p.input)}, ${p.input.length}u, ${p.channels}u, 0u, 0u}` : `{NULL, 0u, ${p.channels}u, ${p.offset}u, ${p.spill}u}`);
      }
      partsMax = Math.max(partsMax, s.parts.length);
      outputMax = Math.max(outputMax, s.data.length);
      stepRows.push(`${head}, 0u, 0u, 0u, 0u, 0u, NULL, 0u, &replay_parts[${first}], ${s.parts.length}u, 0u}`);
      continue;
    }
    const resident = s.kind === 'fetch' && s.resident ? `${arrayOf(s.resident)}, ${s.resident.length}u` : 'NULL, 0u';
    if (s.kind === 'spill') spillMax = Math.max(spillMax, s.bytes);
    else outputMax = Math.max(outputMax, s.data.length);
    stepRows.push(`${head}, ${s.begin}u, ${s.count}u, ${s.offset}u, ${s.bytes}u, ${s.spill}u, ${resident}, NULL, 0u, ${s.plain ? 1 : 0}u}`);
  }
  const spills = steps.filter((s) => s.kind === 'spill').length;
  if (spills === 0) throw new Error('the schedule has no spills to replay');
  lines.push(
    '',
    `#define REPLAY_BLOCK ${REPLAY_BLOCK}u`,
    `#define REPLAY_REGION_BYTES ${regionBytes}u`,
    `#define REPLAY_SPILLS ${spills}u`,
    `#define REPLAY_SPILL_MAX ${spillMax}u`,
    `#define REPLAY_SECTIONS_MAX ${Math.ceil(spillMax / REPLAY_BLOCK)}u`,
    `#define REPLAY_OUTPUT_MAX ${Math.max(outputMax, 1)}u`,
    `#define REPLAY_PARTS_MAX ${partsMax}u`,
    `#define REPLAY_STEPS ${steps.length}u`,
    '',
    `static const replay_part replay_parts[${Math.max(partRows.length, 1)}] = {`,
    partRows.length ? partRows.join(',\n') : '{NULL, 0u, 0u, 0u, 0u}',
    '};',
    `static const replay_step replay_steps[${steps.length}] = {`,
    stepRows.join(',\n'),
    '};',
    '',
  );
  return lines.join('\n');
}

/**
 * Builds replay.c + the example's startup.c + the runtime for a machine with the real cross
 * compiler (warnings are errors); `headerDir` holds replay_data.h. Returns the ELF path.
 */
export function buildFirmware({ machine, headerDir, outDir }) {
  const m = MACHINES[machine];
  const elf = join(outDir, `replay-${machine}.elf`);
  const args = [
    `-mcpu=${m.cpu}`, '-mthumb', '-std=c99', '-Wall', '-Wextra', '-Werror', '-O2',
    '-ffunction-sections', '-fdata-sections',
    '--specs=rdimon.specs', '-nostartfiles',
    `-I${here}`, `-I${runtimeDir}`, `-I${headerDir}`,
    `-L${here}`, '-T', m.script, '-Wl,--gc-sections',
    // The firmware example's startup code serves both machines.
    join(here, '..', '..', 'examples', 'cmake-firmware', 'startup.c'), join(here, 'replay.c'), join(runtimeDir, 'tinyseg_runtime.c'),
    '-o', elf,
  ];
  const r = spawnSync('arm-none-eabi-gcc', args, { encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`arm-none-eabi-gcc failed for ${machine} (exit ${r.status}):\n${r.stderr}`);
  return elf;
}

/**
 * Runs an ELF under QEMU with semihosting, one instruction = 1 ns of virtual
 * time. `timeout` ends it if it hangs (a fault loop); its exit status is 124 then.
 */
export function runFirmware(elf, machine, timeoutSeconds = 120) {
  const args = [
    '--kill-after=5', String(timeoutSeconds), 'qemu-system-arm',
    '-M', machine, '-nographic', '-monitor', 'none', '-serial', 'none',
    '-semihosting-config', 'enable=on,target=native',
    '-icount', 'shift=0,sleep=off',
    '-kernel', elf,
  ];
  const r = spawnSync('timeout', args, { encoding: 'utf8', maxBuffer: 16 << 20 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** "RESULT a=1 b=x" lines as objects (numbers where the value is one). */
export function parseResults(stdout) {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('RESULT '))
    .map((line) =>
      Object.fromEntries(
        line
          .slice(7)
          .trim()
          .split(/\s+/)
          .map((kv) => {
            const i = kv.indexOf('=');
            const v = kv.slice(i + 1);
            return [kv.slice(0, i), /^\d+$/.test(v) ? Number(v) : v];
          }),
      ),
    );
}

/** Instructions per KiB of data from FPGAIO ticks (40 instructions per tick under -icount shift=0). */
export function instructionsPerKiB(ticks, bytes) {
  return (ticks * NS_PER_TICK) / (bytes / 1024);
}

/** One replay: header into `dir`, build, run. */
export function replayOnQemu({ machine, steps, regionBytes, dir }) {
  writeFileSync(join(dir, 'replay_data.h'), replayHeader(steps, regionBytes));
  const elf = buildFirmware({ machine, headerDir: dir, outDir: dir });
  const run = runFirmware(elf, machine);
  return { ...run, results: parseResults(run.stdout) };
}
