// The real `tinyseg` binary, spawned as a user would run it.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/paths.js';

const bin = join(repoRoot, 'bin', 'tinyseg.js');
const example = join(repoRoot, 'examples', 'models', 'tiny-unet-80x120.tflite');

function tinyseg(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const scratch = mkdtempSync(join(tmpdir(), 'tinyseg-cli-'));

describe('tinyseg report', () => {
  it('prints the memory table for the bundled model', () => {
    const r = tinyseg('report', example);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    for (const word of ['head', 'tail', 'total', 'lower bound', 'Peak', 'cold ranges', 'CONCATENATION']) {
      expect(r.stdout).toContain(word);
    }
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
