// The C spill runtime on bare-metal Cortex-M4 and Cortex-M7 under QEMU: the
// optimized Tiny U-Net's spill schedule replayed on its real activations
// (test/firmware/replay.c), built with the real cross compiler. Needs
// arm-none-eabi-gcc + newlib and qemu-system-arm; without them the test fails
// (CI installs them in .ci/run).

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compressionRatio } from '../../src/emit/spill-codec.js';
import { loadGraph } from '../../src/graph/graph.js';
import { optimize } from '../../src/optimize/optimize.js';
import * as customOps from '../../src/ops/tinyseg/custom-ops.js';
import { concatConvBandReads, concatConvOutput } from '../../src/ops/tinyseg/concat-conv-kernel.js';
import { repoRoot } from '../helpers/paths.js';
import { captureActivations, captureRegionWrites } from '../runtime/native.js';
import {
  instructionsPerKiB,
  packedSlice,
  REPLAY_BLOCK,
  replayOnQemu,
  replayOf,
  requireTools,
  type Machine,
  type ReplayStep,
  type ResultLine,
} from './harness.js';

const modelFile = join(repoRoot, 'examples/models/tiny-unet-80x120.tflite');
const optimized = optimize(new Uint8Array(readFileSync(modelFile)), { verify: false });
const { decisions, regionBytes, bytesOut, bytesIn } = optimized.report.spill;
const steps = replayOf(optimized, { ...customOps, concatConvBandReads, concatConvOutput, captureActivations, captureRegionWrites });

const machines: [Machine, string][] = [
  ['mps2-an386', 'Cortex-M4'],
  ['mps2-an500', 'Cortex-M7'],
];

let dir = '';
const runs = new Map<string, ReturnType<typeof replayOnQemu>>();
beforeAll(() => {
  requireTools();
  dir = mkdtempSync(join(tmpdir(), 'tinyseg-firmware-'));
  for (const [machine] of machines) {
    const sub = mkdtempSync(join(dir, `${machine}-`));
    runs.set(machine, replayOnQemu({ machine, steps, regionBytes, dir: sub }));
  }
}, 600_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const one = (results: ResultLine[], key: string): ResultLine => {
  const found = results.filter((r) => key in r);
  expect(found, `one RESULT line with ${key}`).toHaveLength(1);
  return found[0]!;
};

it('the optimized Tiny U-Net has spills to replay, with their fetches', () => {
  expect(decisions.length).toBeGreaterThan(0);
  // One spill step per decision, or one per band where row bands write the slot (spilled: 'rows').
  const spills = steps.filter((s): s is Extract<ReplayStep, { kind: 'spill' }> => s.kind === 'spill');
  expect(new Set(spills.map((s) => s.spill)).size).toBe(decisions.length);
  for (const [i, d] of decisions.entries()) if (d.spilled !== 'rows') expect(spills.filter((s) => s.spill === i)).toHaveLength(1);
  expect(steps.filter((s) => s.kind !== 'spill').length).toBeGreaterThan(0);
});

for (const [machine, cpu] of machines) {
  describe(`${cpu} (QEMU ${machine})`, () => {
    const run = () => runs.get(machine)!;

    it('exits 0 with every fetched byte equal, plain and compressed with CRC', () => {
      const r = run();
      expect(r.stdout, r.stderr).not.toMatch(/^(ERROR|MISMATCH)/m);
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(one(r.results, 'round_trip')).toMatchObject({ round_trip: 'ok', errors: 0, mismatches: 0, steps: steps.length });
    });

    it('one FPGAIO tick is 40 instructions under -icount shift=0', () => {
      const c = one(run().results, 'calibration_ticks');
      // A 2-instruction loop of 10^6 iterations; the reads around it add a few instructions.
      expect(Math.abs((c['calibration_ticks'] as number) * 40 - (c['calibration_instructions'] as number))).toBeLessThanOrEqual(40);
    });

    it('each spill wrote the packed slice (CRC) and compresses to the ratio of spill-codec.ts', () => {
      const lines = run().results.filter((r) => 'spill' in r);
      const spills = steps.filter((s): s is Extract<ReplayStep, { kind: 'spill' }> => s.kind === 'spill');
      expect(lines).toHaveLength(spills.length);
      for (const s of spills) {
        // A slot row bands write has one line per band's spill: the one of this step's tensor.
        const line = lines.find((l) => l['spill'] === s.spill && l['tensor'] === s.tensor.name)!;
        const packed = packedSlice(s.data, s.tensor, s.begin, s.count);
        expect(line['bytes']).toBe(packed.length);
        expect(line['crc'], `${s.tensor.name}: region bytes after the spill`).toBe(zlib.crc32(packed));
        expect((line['stored'] as number) / (line['bytes'] as number)).toBe(compressionRatio(packed, REPLAY_BLOCK));
      }
    });

    it('moves the report\'s spill traffic and reports instructions per KiB', () => {
      const t = one(run().results, 'copy_ticks');
      expect(t['copy_bytes']).toBe(bytesOut + bytesIn);
      expect(t['compressed_copy_bytes']).toBe(bytesOut + bytesIn);
      expect((t['spill_ticks'] as number) + (t['fetch_ticks'] as number)).toBe(t['copy_ticks']);
      for (const k of ['copy_ticks', 'compress_ticks', 'decompress_ticks', 'compressed_copy_ticks']) expect(t[k], k).toBeGreaterThan(0);
      const copy = instructionsPerKiB(t['copy_ticks'] as number, t['copy_bytes'] as number);
      const compress = instructionsPerKiB(t['compress_ticks'] as number, t['compress_bytes'] as number);
      const decompress = instructionsPerKiB(t['decompress_ticks'] as number, t['compress_bytes'] as number);
      // memcpy moves words; the codec looks at every byte: compression costs more than a copy.
      expect(compress).toBeGreaterThan(copy);
      console.log(
        `${cpu} (QEMU ${machine}) instructions per KiB: copy ${copy.toFixed(0)}, compress ${compress.toFixed(0)}, decompress ${decompress.toFixed(0)}, ` +
          `ratio ${((t['stored_bytes'] as number) / (t['compress_bytes'] as number)).toFixed(3)}`,
      );
    });
  });
}

it('a TinySegConcatFetch of a real skip connection: the skip read from PSRAM, the other part resident', () => {
  // The optimizer may fuse the fetch into a later op (then the replay above fetches the tensor
  // back whole); this covers ts_concat_fetch on the original model's concatenations either way.
  const original = loadGraph(new Uint8Array(readFileSync(modelFile)));
  const acts = captureActivations(original);
  const sg = original.main;
  const concats = sg.ops.filter((op) => op.opcode === 'CONCATENATION');
  expect(concats.length).toBeGreaterThan(0);
  const concatSteps: ReplayStep[] = [];
  let offset = 0;
  concats.forEach((op, spill) => {
    const skip = sg.tensors[op.inputs[0]!]!;
    const channels = (t: typeof skip) => t.shape[t.shape.length - 1]!;
    concatSteps.push({ kind: 'spill', tensor: skip, data: acts.get(skip.index)!, begin: 0, count: channels(skip), offset, bytes: skip.byteSize, spill, plain: false });
    const parts = op.inputs.map((t, j) =>
      j === 0 ? { channels: channels(skip), offset, spill } : { input: acts.get(t)!, channels: channels(sg.tensors[t]!) },
    );
    const y = sg.tensors[op.outputs[0]!]!;
    concatSteps.push({ kind: 'concat', tensor: y, data: acts.get(y.index)!, parts });
    offset += Math.ceil(skip.byteSize / 16) * 16;
  });
  const r = replayOnQemu({ machine: 'mps2-an386', steps: concatSteps, regionBytes: offset, dir: mkdtempSync(join(dir, 'concat-')) });
  expect(r.status, r.stdout + r.stderr).toBe(0);
  expect(one(r.results, 'round_trip')).toMatchObject({ round_trip: 'ok', errors: 0, mismatches: 0, steps: concatSteps.length });
  const t = one(r.results, 'copy_ticks');
  expect(t['resident_bytes']).toBe(concats.reduce((n, op) => n + op.inputs.slice(1).reduce((m, i) => m + sg.tensors[i]!.byteSize, 0), 0));
}, 300_000);

it('a wrong expected byte makes the firmware fail with a MISMATCH line and exit 1', () => {
  const fetch = steps.findIndex((s) => s.kind !== 'spill');
  const broken = steps.map((s, i) => {
    if (i !== fetch) return s;
    const data = s.data.slice();
    data[data.length - 1] = data[data.length - 1]! ^ 1;
    return { ...s, data };
  });
  const r = replayOnQemu({ machine: 'mps2-an386', steps: broken, regionBytes, dir: mkdtempSync(join(dir, 'broken-')) });
  expect(r.status).toBe(1);
  expect(r.stdout).toMatch(new RegExp(`^MISMATCH pass=plain step=${fetch} .*first_byte=${broken[fetch]!.data.length - 1} `, 'm'));
  expect(r.stdout).toMatch(new RegExp(`^MISMATCH pass=compressed step=${fetch} `, 'm'));
  expect(one(r.results, 'round_trip')).toMatchObject({ round_trip: 'failed', mismatches: 2 });
}, 300_000);
