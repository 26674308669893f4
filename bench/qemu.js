#!/usr/bin/env node
// The C spill runtime's cost on a Cortex-M4 (QEMU mps2-an386, one instruction
// = 1 ns of virtual time): instructions per KiB for copy (spill + fetch),
// compression and decompression on the optimized Tiny U-Net's real spills.
// Its streamed plan writes every slot row band by row band, which the runtime
// stores plain: the compressed path is measured on the plan without streamed
// layers, whose spills are each written at once (most of them channel slices).
// bench/run.js appends runtimeOnQemuSection() to bench/results.md;
// `node bench/qemu.js` prints it. Needs `npm run build` (dist/), arm-none-eabi-gcc and qemu-system-arm.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { captureActivations, captureRegionWrites, optimize } from '../dist/index.js';
import * as customOps from '../dist/ops/tinyseg/custom-ops.js';
import { concatConvBandReads, concatConvOutput } from '../dist/ops/tinyseg/concat-conv-kernel.js';
import { instructionsPerKiB, replayOf, replayOnQemu, requireTools } from '../test/firmware/harness.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const MACHINE = 'mps2-an386';

/** Runs the replay firmware once; returns the figures (throws if the tools are missing or the run fails). */
export function runtimeOnQemu() {
  requireTools();
  const model = new Uint8Array(readFileSync(join(root, 'examples/models/tiny-unet-80x120.tflite')));
  const dir = mkdtempSync(join(tmpdir(), 'tinyseg-bench-qemu-'));
  // The replay firmware on one plan's spills: the plain pass and the compressed one with CRC.
  const replay = (optimized, name) => {
    const { decisions, regionBytes } = optimized.report.spill;
    const steps = replayOf(optimized, { ...customOps, concatConvBandReads, concatConvOutput, captureActivations, captureRegionWrites });
    mkdirSync(join(dir, name));
    const r = replayOnQemu({ machine: MACHINE, steps, regionBytes, dir: join(dir, name) });
    const t = r.results.find((l) => 'copy_ticks' in l);
    if (r.status !== 0 || !t) throw new Error(`replay firmware failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
    return { t, spills: decisions.length, compressedSteps: steps.filter((s) => s.kind === 'spill' && !s.plain).length };
  };
  try {
    const optimized = optimize(model, { verify: false });
    const { bytesOut, bytesIn } = optimized.report.spill;
    const { t, spills } = replay(optimized, 'streamed');
    const whole = replay(optimize(model, { verify: false, streamLayers: false }), 'whole');
    const row = (what, ticks, bytes) => ({ what, bytes, ticks, instructions: ticks * 40, perKiB: +instructionsPerKiB(ticks, bytes).toFixed(1) });
    return {
      machine: MACHINE,
      spills,
      whole: { spills: whole.spills, compressed: whole.compressedSteps },
      ratio: +(t.stored_bytes / t.compress_bytes).toFixed(3),
      rows: [
        row('spill (RAM driver)', t.spill_ticks, bytesOut),
        row(`fetch (RAM driver${t.resident_bytes ? `; the time includes copying ${t.resident_bytes.toLocaleString('en-US')} resident bytes` : ''})`, t.fetch_ticks, bytesIn),
        row('copy (spill + fetch)', t.copy_ticks, t.copy_bytes),
        row('compress (ts_compress)', t.compress_ticks, t.compress_bytes),
        row('decompress (ts_decompress)', t.decompress_ticks, t.compress_bytes),
        row(`spill + fetch, the plan without streamed layers (the time includes copying ${whole.t.resident_bytes.toLocaleString('en-US')} resident bytes)`, whole.t.copy_ticks, whole.t.copy_bytes),
        row('the same compressed, with CRC', whole.t.compressed_copy_ticks, whole.t.compressed_copy_bytes),
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
    `Its slots are written row band by row band, which the runtime stores plain; the last two rows replay the plan without`,
    `streamed layers instead (${r.whole.spills} spills, ${r.whole.compressed} of them written at once and compressed in the last row, most of`,
    'them channel slices, which go through the staging buffer), raw bytes moved.',
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
