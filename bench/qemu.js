#!/usr/bin/env node
// The C spill runtime's cost on a Cortex-M4 (QEMU mps2-an386, one instruction
// = 1 ns of virtual time): instructions per KiB for copy (spill + fetch),
// compression and decompression on the optimized Tiny U-Net's real spills.
// bench/run.js appends runtimeOnQemuSection() to bench/results.md;
// `node bench/qemu.js` prints it. Needs `npm run build` (dist/), arm-none-eabi-gcc and qemu-system-arm.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { captureActivations, optimize, CONCAT_FETCH } from '../dist/index.js';
import { decodeConcatFetchOptions, decodeFetchOptions, FETCH, SPILL } from '../dist/ops/tinyseg/custom-ops.js';
import { instructionsPerKiB, replayOnQemu, replaySchedule, requireTools } from '../test/firmware/harness.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const MACHINE = 'mps2-an386';

/** Runs the replay firmware once; returns the figures (throws if the tools are missing or the run fails). */
export function runtimeOnQemu() {
  requireTools();
  const optimized = optimize(new Uint8Array(readFileSync(join(root, 'examples/models/tiny-unet-80x120.tflite'))), { verify: false });
  const { decisions, regionBytes, bytesOut, bytesIn } = optimized.report.spill;
  const steps = replaySchedule({
    graph: optimized.graph,
    decisions,
    activations: captureActivations(optimized.graph),
    concatFetchCode: CONCAT_FETCH,
    decodeConcatFetchOptions,
    fetchCode: FETCH,
    decodeFetchOptions,
    spillCode: SPILL,
  });
  const dir = mkdtempSync(join(tmpdir(), 'tinyseg-bench-qemu-'));
  try {
    const r = replayOnQemu({ machine: MACHINE, steps, regionBytes, dir });
    const t = r.results.find((l) => 'copy_ticks' in l);
    if (r.status !== 0 || !t) throw new Error(`replay firmware failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
    const row = (what, ticks, bytes) => ({ what, bytes, ticks, instructions: ticks * 40, perKiB: +instructionsPerKiB(ticks, bytes).toFixed(1) });
    return {
      machine: MACHINE,
      spills: decisions.length,
      ratio: +(t.stored_bytes / t.compress_bytes).toFixed(3),
      rows: [
        row('spill (RAM driver)', t.spill_ticks, bytesOut),
        row(`fetch (RAM driver${t.resident_bytes ? `; the time includes copying ${t.resident_bytes.toLocaleString('en-US')} resident bytes` : ''})`, t.fetch_ticks, bytesIn),
        row('copy (spill + fetch)', t.copy_ticks, t.copy_bytes),
        row('compress (ts_compress)', t.compress_ticks, t.compress_bytes),
        row('decompress (ts_decompress)', t.decompress_ticks, t.compress_bytes),
        row('compressed spill + fetch with CRC', t.compressed_copy_ticks, t.compressed_copy_bytes),
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The "Runtime on Cortex-M4 (QEMU)" section of bench/results.md (a note instead when the tools are missing). */
export function runtimeOnQemuSection() {
  const head = ['', '## Runtime on Cortex-M4 (QEMU)', ''];
  let r;
  try {
    r = runtimeOnQemu();
  } catch (e) {
    return [...head, `Not measured: ${e.message.split('\n')[0]}`, ''].join('\n');
  }
  return [
    ...head,
    `The C spill runtime (templates/runtime) on QEMU ${r.machine} with \`-icount shift=0\` (1 instruction = 1 ns), timed by the`,
    `25 MHz FPGAIO counter (40 instructions per tick), on the optimized Tiny U-Net's ${r.spills} spill(s) of real activations`,
    `(test/firmware/replay.c, -O2). Bytes: moved (spilled + fetched) for copies, raw for the codec; compression ratio ${r.ratio}.`,
    '',
    '| operation | bytes | ticks | instructions | instructions per KiB |',
    '|---|---:|---:|---:|---:|',
    ...r.rows.map((x) => `| ${x.what} | ${x.bytes.toLocaleString('en-US')} | ${x.ticks.toLocaleString('en-US')} | ${x.instructions.toLocaleString('en-US')} | ${x.perKiB.toLocaleString('en-US')} |`),
    '',
  ].join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(runtimeOnQemuSection());
}
