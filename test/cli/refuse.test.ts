// What TFLM refuses in Prepare, `report` and `optimize` refuse too (with run's
// message, naming the file and the operator); what it only refuses at Invoke
// is reported with a warning. The real binary, spawned as a user would run it.

import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { saveGraph } from '../../src/graph/graph.js';
import { repoRoot } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp-dir.js';

const bin = join(repoRoot, 'bin', 'tinyseg.js');

function tinyseg(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const scratch = tempDir('tinyseg-refuse-');
const q = (scale: number, zeroPoint = 0) => ({ scale: [scale], zeroPoint: [zeroPoint], quantizedDimension: 0 });

/** A legacy uint8 CONV_2D (1x1 filter): TFLM's ConvPrepare refuses it ("Hybrid models are not supported", the types check). */
function uint8Conv(): string {
  const b = new GraphBuilder();
  const x = b.input('x', { dtype: 'uint8', shape: [1, 4, 4, 1], quantization: q(0.5, 128) });
  const w = b.constant('w', { dtype: 'uint8', shape: [1, 1, 1, 1], quantization: q(0.25, 128) }, new Uint8Array([200]));
  const bias = b.constant('bias', { dtype: 'int32', shape: [1], quantization: q(0.125) }, new Int32Array([0]));
  const y = b.tensor('y', { dtype: 'uint8', shape: [1, 4, 4, 1], quantization: q(0.5, 128) });
  b.op({ opcode: 'CONV_2D', inputs: [x, w, bias], outputs: [y], options: { type: 'Conv2DOptions', value: { padding: 1, strideH: 1, strideW: 1 } } } as never);
  b.output(y);
  const file = join(scratch, 'uint8-conv.tflite');
  writeFileSync(file, saveGraph(b.build()));
  return file;
}

/** ARG_MAX with an int64 output: TFLM has no Prepare for it and refuses the type at Invoke. */
function argMaxInt64(): string {
  const b = new GraphBuilder();
  const x = b.input('x', { dtype: 'float32', shape: [1, 4, 4, 3] });
  const axis = b.constant('axis', { dtype: 'int32', shape: [1] }, new Int32Array([3]));
  const y = b.tensor('y', { dtype: 'int64', shape: [1, 4, 4] });
  b.op({ opcode: 'ARG_MAX', inputs: [x, axis], outputs: [y] } as never);
  b.output(y);
  const file = join(scratch, 'argmax-int64.tflite');
  writeFileSync(file, saveGraph(b.build()));
  return file;
}

/** The same uint8 layer as a DEPTHWISE_CONV_2D: its Prepare only checks that input and filter types match, its Eval refuses uint8. */
function uint8Depthwise(): string {
  const b = new GraphBuilder();
  const x = b.input('x', { dtype: 'uint8', shape: [1, 4, 4, 1], quantization: q(0.5, 128) });
  const w = b.constant('w', { dtype: 'uint8', shape: [1, 1, 1, 1], quantization: q(0.25, 128) }, new Uint8Array([200]));
  const bias = b.constant('bias', { dtype: 'int32', shape: [1], quantization: q(0.125) }, new Int32Array([0]));
  const y = b.tensor('y', { dtype: 'uint8', shape: [1, 4, 4, 1], quantization: q(0.5, 128) });
  const options = { type: 'DepthwiseConv2DOptions', value: { padding: 1, strideH: 1, strideW: 1, depthMultiplier: 1 } };
  b.op({ opcode: 'DEPTHWISE_CONV_2D', inputs: [x, w, bias], outputs: [y], options } as never);
  b.output(y);
  const file = join(scratch, 'uint8-depthwise.tflite');
  writeFileSync(file, saveGraph(b.build()));
  return file;
}

describe('the conv family checks types per operator, as TFLM does', () => {
  it("a uint8 CONV_2D is refused in TFLM's words; a uint8 DEPTHWISE_CONV_2D reports, with TFLM's Invoke refusal as a warning", () => {
    const conv = tinyseg('report', uint8Conv());
    expect(conv.code).toBe(1);
    expect(conv.stderr).toContain('operator 0 (CONV_2D): Hybrid models are not supported on TFLite Micro.');
    const file = uint8Depthwise();
    const dw = tinyseg('report', file, '--json');
    expect(dw.code).toBe(0);
    expect(JSON.parse(dw.stdout).warnings).toContain('operator 0 (DEPTHWISE_CONV_2D): Input type UINT8 (3) not supported. (TFLM refuses it at Invoke)');
  });
});

describe('a model TFLM refuses in Prepare', () => {
  const file = uint8Conv();
  const reason = /operator 0 \(CONV_2D\): .*not supported/;

  it('run, report and report --json fail with one line naming the file, the operator and the reason', () => {
    const run = tinyseg('run', file, '--oracle-input', '--out', join(scratch, 'run-out'));
    expect(run.code).toBe(1);
    const line = run.stderr.trim();
    expect(line).toContain(`${file}: `);
    expect(line).toMatch(reason);
    for (const args of [[], ['--json']]) {
      const r = tinyseg('report', file, ...args);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toBe(line);
    }
  });

  it('optimize fails before any pass and writes nothing', () => {
    for (const extra of [[], ['--no-verify', '--no-cache']]) {
      const out = join(scratch, `opt${extra.length}`);
      const r = tinyseg('optimize', file, '-o', out, ...extra);
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toMatch(reason);
      expect(r.stderr.trim()).toContain(`${file}: `);
      expect(r.stderr).not.toMatch(/cannot prove/);
      expect(existsSync(out)).toBe(false);
    }
  });
});

describe('a model TFLM refuses only at Invoke', () => {
  const file = argMaxInt64();
  const warning = 'operator 0 (ARG_MAX): Only int32_t are supported currently, got INT64 (4). (TFLM refuses it at Invoke)';

  it('report still reports, with a warning on stderr and in the text', () => {
    const r = tinyseg('report', file);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`tinyseg: warning: ${file}: ${warning}\n`);
    expect(r.stdout).toContain('head');
    expect(r.stdout).toContain(`warning: ${warning}`);
  });

  it('report --json lists it in warnings', () => {
    const r = tinyseg('report', file, '--json');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(warning);
    const j = JSON.parse(r.stdout);
    expect(j.warnings).toContain(warning);
    expect(j.arena.head).toBeGreaterThan(0);
  });

  it('run refuses it, as the interpreter cannot compute it', () => {
    const r = tinyseg('run', file, '--oracle-input', '--out', join(scratch, 'never'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(warning);
  });
});

describe('a model with an operator TinySeg does not know', () => {
  it('still reports, as before', () => {
    const b = new GraphBuilder();
    const x = b.input('x', { dtype: 'float32', shape: [1, 8] });
    const y = b.tensor('y', { dtype: 'float32', shape: [1, 8] });
    b.op({ opcode: 'CUSTOM', customCode: 'SomethingElse', inputs: [x], outputs: [y] } as never);
    b.output(y);
    const file = join(scratch, 'custom.tflite');
    writeFileSync(file, saveGraph(b.build()));
    const r = tinyseg('report', file, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).arena.head).toBeGreaterThan(0);
  });
});

describe('--allow-refused', () => {
  const file = uint8Conv();
  const mark = '(TFLM refuses it in Prepare: these figures are memory planning only)';

  it('report plans the model anyway, the refusal a warning', () => {
    const r = tinyseg('report', file, '--json', '--allow-refused');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^tinyseg: warning: .*operator 0 \(CONV_2D\): .*not supported/);
    expect(r.stderr).toContain(mark);
    const j = JSON.parse(r.stdout);
    expect(j.warnings.some((w: string) => w.startsWith('operator 0 (CONV_2D): ') && w.endsWith(mark))).toBe(true);
    expect(j.arena.head).toBeGreaterThan(0);
  });

  it('optimize --no-verify plans it too, the refusal among its warnings', () => {
    const out = join(scratch, 'opt-allowed');
    const r = tinyseg('optimize', file, '-o', out, '--no-verify', '--no-cache', '--allow-refused', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).warnings.some((w: string) => w.endsWith(mark))).toBe(true);
    expect(existsSync(join(out, 'uint8-conv.tflite'))).toBe(true);
  });

  it('optimize without --no-verify plans it as well, saying it is not proved (nothing runs it to compare)', () => {
    const out = join(scratch, 'opt-allowed-proof');
    const r = tinyseg('optimize', file, '-o', out, '--no-cache', '--allow-refused', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.verified).toBeNull();
    expect(j.warnings).toContain('not proved: TFLM refuses the model, so neither it nor the optimized one runs to compare (memory planning only)');
    expect(existsSync(join(out, 'uint8-conv.tflite'))).toBe(true);
  });
});
