// The real `tinyseg` binary, spawned as a user would run it.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readModel, writeModel } from '../../src/tflite/model-file.js';
import { repoRoot } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp-dir.js';

const bin = join(repoRoot, 'bin', 'tinyseg.js');
const example = join(repoRoot, 'examples', 'models', 'tiny-unet-80x120.tflite');

function tinyseg(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const scratch = tempDir('tinyseg-cli-');

describe('tinyseg report', () => {
  it('prints the memory table for the bundled model', () => {
    const r = tinyseg('report', example);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    for (const word of ['head', 'tail', 'total', 'lower bound', 'Peak', 'cold ranges', 'CONCATENATION']) {
      expect(r.stdout).toContain(word);
    }
    // One figure to allocate: the total and what AllocateTensors() needs on the way.
    const allocate = [...r.stdout.matchAll(/Allocate ([\d,]+) bytes/g)].map((m) => Number(m[1]!.replace(/,/g, '')));
    expect(allocate).toHaveLength(1);
    const total = Number(/total +([\d,]+) B/.exec(r.stdout)![1]!.replace(/,/g, ''));
    expect(allocate[0]).toBeGreaterThanOrEqual(total);
  });

  it('names the kernel set its figures assume, and takes --kernels', () => {
    expect(tinyseg('report', example).stdout).toContain('TFLM arena (GreedyMemoryPlanner, reference kernels, 32-bit target)');
    const r = tinyseg('report', example, '--kernels', 'cmsis-nn');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('TFLM arena (GreedyMemoryPlanner, CMSIS-NN kernels, 32-bit target)');
    const j = JSON.parse(tinyseg('report', example, '--kernels', 'cmsis-nn', '--json').stdout);
    expect([j.kernels, j.isa]).toEqual(['cmsis-nn', 'dsp']);
    expect(JSON.parse(tinyseg('report', example, '--json').stdout).kernels).toBe('reference');
    const bad = tinyseg('report', example, '--kernels', 'esp-nn');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--kernels must be one of reference, cmsis-nn/);
  });

  it('takes --target: its core sets CMSIS-NN\'s buffers and the default kernels', () => {
    const profile = (cpu: string) => {
      const file = join(scratch, `${cpu}.json`);
      writeFileSync(file, JSON.stringify({ name: cpu, cpu, sram: { size: 512 * 1024 } }));
      return file;
    };
    const report = (...args: string[]) => JSON.parse(tinyseg('report', example, '--json', ...args).stdout);
    const m4 = report('--target', 'mps2-an386');
    expect([m4.kernels, m4.isa]).toEqual(['cmsis-nn', 'dsp']);
    expect(m4.arena.total).toBe(report('--kernels', 'cmsis-nn').arena.total);
    // Helium: the figures say which core's CMSIS-NN buffers they count.
    const m55 = report('--target', profile('cortex-m55'));
    expect([m55.kernels, m55.isa]).toEqual(['cmsis-nn', 'mve']);
    expect(tinyseg('report', example, '--target', profile('cortex-m55')).stdout).toContain('CMSIS-NN kernels, mve');
    // No DSP extension: reference kernels unless --kernels says otherwise.
    const m3 = report('--target', profile('cortex-m3'));
    expect([m3.kernels, m3.isa]).toEqual(['reference', 'none']);
    expect([report('--target', profile('cortex-m3'), '--kernels', 'cmsis-nn').isa]).toEqual(['none']);
    const bad = tinyseg('report', example, '--target', join(scratch, 'missing.json'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('missing.json');
  });

  it('prints JSON with the documented fields, consistent with each other', () => {
    const r = tinyseg('report', '--json', example);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.schema).toBe('tinyseg.report/1');
    expect(j.arena.total).toBe(j.arena.head + j.arena.tail);
    expect(j.lowerBound).toBeLessThanOrEqual(j.arena.head);
    expect(j.lowerBound).toBe(Math.max(...j.liveBytes));
    expect(j.peak.op).toBeGreaterThanOrEqual(0);
    expect(j.peak.op).toBeLessThan(j.ops);
    // The peak's tensors and scratch buffers are exactly what makes up the bound.
    const aligned = (n: number) => Math.ceil(n / 16) * 16;
    const live = [...j.peak.tensors, ...j.peak.scratch].reduce((n: number, b: { bytes: number }) => n + aligned(b.bytes), 0);
    expect(live).toBe(j.lowerBound);
    expect(j.peak.scratch.map((s: { opcode: string }) => s.opcode)).toEqual(['TRANSPOSE_CONV']);
    // The streaming floor: the tensors whole where it is reached make it up, and they are live there, so at most the bound.
    expect(j.streamingFloor).toBe(j.streamingFloorAt.tensors.reduce((n: number, t: { bytes: number }) => n + aligned(t.bytes), 0));
    expect(j.streamingFloor).toBeLessThanOrEqual(j.lowerBound);
    expect(j.headOverStreamingFloor).toBe(j.arena.head / j.streamingFloor);
    // The encoder skips stay cold across the bottleneck.
    expect(j.coldRanges[0].length).toBeGreaterThan(10);
  });

  it('writes an SVG timeline with the head line and the peak marked', () => {
    const out = join(scratch, 'timeline.svg');
    const r = tinyseg('report', example, '--svg', out);
    expect(r.code).toBe(0);
    const svg = readFileSync(out, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('TFLM head');
    expect(svg).toContain('peak: op');
    expect(svg).toContain('lower bound');
  });
});

describe('bad input', () => {
  const oneLine = (s: string) => s.trimEnd().split('\n').length === 1;

  it('rejects a file that is not a flatbuffer with one line naming it, exit 1, no stack', () => {
    const bad = join(scratch, 'not-a-model.tflite');
    writeFileSync(bad, 'hello, this is text\n'.repeat(4));
    const svg = join(scratch, 'never.svg');
    const r = tinyseg('report', bad, '--svg', svg);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe(true);
    expect(r.stderr).toContain(bad);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(svg)).toBe(false);
    expect(readdirSync(scratch).filter((f) => f.includes('never'))).toEqual([]);
  });

  it('rejects a truncated model', () => {
    const bytes = readFileSync(example);
    const bad = join(scratch, 'truncated.tflite');
    writeFileSync(bad, bytes.subarray(0, Math.floor(bytes.length / 3)));
    const r = tinyseg('report', bad);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe(true);
    expect(r.stderr).toContain('truncated.tflite');
  });

  it('names a missing file', () => {
    const r = tinyseg('report', join(scratch, 'missing.tflite'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('missing.tflite: cannot read model: no such file');
  });

  it('shows the stack only with --debug', () => {
    const bad = join(scratch, 'debug.tflite');
    writeFileSync(bad, new Uint8Array(64));
    const r = tinyseg('report', bad, '--debug');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\n\s+at /);
  });

  it.each([
    [[], 'no command'],
    [['report'], 'missing model'],
    [['report', example, '--bogus'], 'unknown option'],
    [['frobnicate'], 'unknown command'],
    [['report', example, example], 'two models'],
  ])('exits 2 on usage errors: %j (%s)', (args) => {
    const r = tinyseg(...args);
    expect(r.code).toBe(2);
  });
});

describe('tinyseg run and verify', () => {
  it('runs the bundled model on the oracle input and writes its outputs', () => {
    const out = join(scratch, 'run-out');
    const r = tinyseg('run', example, '--oracle-input', '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('out0.bin  uint8 [1x80x120x2]  19200 bytes');
    const bytes = readFileSync(join(out, 'out0.bin'));
    expect(bytes.length).toBe(19200);
    // The same bytes when the input is given as a file.
    const inputFile = join(scratch, 'input.bin');
    writeFileSync(inputFile, Uint8Array.from({ length: 80 * 120 * 3 }, (_, i) => (i * 37 + 11) % 256));
    const out2 = join(scratch, 'run-out-2');
    expect(tinyseg('run', example, '--input', inputFile, '--out', out2).code).toBe(0);
    expect(readFileSync(join(out2, 'out0.bin')).equals(bytes)).toBe(true);
  });

  it('rejects an input file of the wrong size, naming it', () => {
    const inputFile = join(scratch, 'short.bin');
    writeFileSync(inputFile, new Uint8Array(10));
    const r = tinyseg('run', example, '--input', inputFile, '--out', join(scratch, 'never'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('short.bin: input 0 takes 28800 bytes');
    expect(existsSync(join(scratch, 'never'))).toBe(false);
  });

  it('verifies a model against itself and finds a changed weight', () => {
    const same = tinyseg('verify', example, example, '--inputs', '2', '--seed', '7');
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('verified: outputs are bit-identical on 3 inputs');
    const model = readModel(new Uint8Array(readFileSync(example)));
    const bias = model.buffers!.findLast((b) => b.data && b.data.length === 8)!; // the last conv's int32 bias (2 classes)
    const data = bias.data!.slice();
    new DataView(data.buffer).setInt32(0, new DataView(data.buffer).getInt32(0, true) + 5000, true);
    bias.data = data;
    const changed = join(scratch, 'changed.tflite');
    writeFileSync(changed, writeModel(model));
    const r = tinyseg('verify', example, changed);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/MISMATCH: \d+ of \d+ output bytes differ, max difference \d+/);
  });
});

describe('tinyseg optimize', () => {
  it('writes the optimized model, its plan and a before/after SVG, and prints JSON', () => {
    const out = join(scratch, 'opt');
    const svg = join(scratch, 'opt.svg');
    const r = tinyseg('optimize', example, '-o', out, '--json', '--svg', svg, '--inputs', '1');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout);
    expect(report.after.head).toBeLessThan(report.before.head / 2);
    expect(report.verified).toBe(true);
    expect(readdirSync(out).sort()).toEqual(['tiny-unet-80x120.plan.json', 'tiny-unet-80x120.tflite']);
    expect(JSON.parse(readFileSync(join(out, 'tiny-unet-80x120.plan.json'), 'utf8'))).toEqual(report);
    const svgText = readFileSync(svg, 'utf8');
    expect(svgText.startsWith('<svg')).toBe(true);
    expect(svgText).toContain('>before: ');
    expect(svgText).toContain('>after: ');
    // The written model verifies against the original through the CLI as well.
    expect(tinyseg('verify', example, join(out, 'tiny-unet-80x120.tflite'), '--inputs', '1').code).toBe(0);
  });

  it('prints a readable summary by default', () => {
    const r = tinyseg('optimize', example, '-o', join(scratch, 'opt-text'), '--no-verify');
    expect(r.code).toBe(0);
    for (const word of ['head', 'lower bound', 'identity PADs removed: 3', 'DEPTH_TO_SPACE: 3', 'layers streamed: ', 'conv_5: whole, 76,800 B', 'Verification skipped']) {
      expect(r.stdout).toContain(word);
    }
  });

  it('fails on a corrupt model with one line, exit 1, and writes nothing', () => {
    const bad = join(scratch, 'corrupt.tflite');
    writeFileSync(bad, readFileSync(example).subarray(0, 1000));
    const out = join(scratch, 'opt-bad');
    const r = tinyseg('optimize', bad, '-o', out);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('corrupt.tflite');
    expect(existsSync(out)).toBe(false);
  });

  it('rejects a bad option value with exit 2', () => {
    const r = tinyseg('optimize', example, '-o', join(scratch, 'opt-usage'), '--max-spill-bytes', 'lots');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--max-spill-bytes must be a whole number of bytes, got 'lots'");
  });

  it('takes --max-overhead: the compute section says the limit, the text one line', () => {
    const bad = tinyseg('optimize', example, '-o', join(scratch, 'opt-overhead'), '--max-overhead=-3');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--max-overhead must be a non-negative percentage, got '-3'");
    const r = tinyseg('optimize', example, '-o', join(scratch, 'opt-overhead'), '--no-verify', '--max-overhead', '12', '--json');
    expect(r.code).toBe(0);
    const c = JSON.parse(r.stdout).compute;
    expect(c.maxOverhead).toBe(12);
    expect(c.invoke.reference.overhead).toBeLessThanOrEqual(0.12);
    expect(c.before.macs).toBeGreaterThan(0);
    const text = tinyseg('optimize', example, '-o', join(scratch, 'opt-overhead'), '--no-verify', '--no-cache');
    expect(text.stdout).toMatch(/^Compute: [\d,]+ -> [\d,]+ MACs .*predicted Invoke .* reference, .* CMSIS-NN \(limit 5%\)$/m);
  });

  it('fails with exit 1 when no plan fits the arena budget, writing nothing', () => {
    const out = join(scratch, 'opt-budget');
    const r = tinyseg('optimize', example, '-o', out, '--arena-budget', '1000', '--no-verify');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no plan fits an arena head of 1000 bytes/);
    expect(existsSync(out)).toBe(false);
  });

  it('reports the spill region on flash with a wear warning at the given inference rate', () => {
    const r = tinyseg('optimize', example, '-o', join(scratch, 'opt-flash'), '--no-verify', '--storage', 'flash', '--inference-rate', '5', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { storage: { target: string; lifetimeInferences: number }; warnings: string[] };
    expect(report.storage.target).toBe('mps2-an386');
    expect(report.storage.lifetimeInferences).toBeGreaterThan(0);
    expect(report.warnings.some((w) => /^spilling to NOR flash wears it out: .* at 5 per second/.test(w))).toBe(true);
    const bad = tinyseg('optimize', example, '-o', join(scratch, 'opt-rate'), '--inference-rate', '0');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--inference-rate must be a positive number of inferences per second, got '0'");
  });
});
